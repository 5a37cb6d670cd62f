"""vmap's loop form under jit: each example's result written into one array, the loop
over the examples Numba's prange (all cores) -- against the function run per example."""
import warnings

import numpy as np
import pytest

import transpiler as tp

RNG = np.random.default_rng(11)


def escape_time(c_re, c_im):
    z_re = 0.0
    z_im = 0.0
    count = 0
    for k in range(60):
        z_re, z_im = z_re * z_re - z_im * z_im + c_re, 2.0 * z_re * z_im + c_im
        if z_re * z_re + z_im * z_im > 4.0:
            break
        count = count + 1
    return count


def partial_sums(x, limit):
    out = np.zeros(x.shape[0])
    total = 0.0
    for i in range(x.shape[0]):
        total = total + x[i]
        if total > limit:
            break
        out[i] = total
    return out


def both(x, limit):
    sums = partial_sums(x, limit)
    return sums, np.sum(sums)


def per_example(fn, *args):
    return [fn(*a) for a in zip(*args)]


def test_scalar_results_in_parallel():
    cr, ci = RNG.uniform(-2, 0.5, 300), RNG.uniform(-1.2, 1.2, 300)
    batched = tp.jit(tp.vmap(escape_time), backend="numba")
    got = batched(cr, ci)
    np.testing.assert_array_equal(got, per_example(escape_time, cr, ci))
    assert got.dtype.kind == "i"
    source = tp.source(batched, cr, ci)
    assert "in parallel" in source and "rt.prange(1, batch_size)" in source
    # the same under the NumPy backend: a plain loop, the results stacked
    python = tp.jit(tp.vmap(escape_time), backend="python")
    np.testing.assert_array_equal(python(cr, ci), got)
    assert "rt.prange" not in tp.source(python, cr, ci)
    np.testing.assert_array_equal(tp.vmap(escape_time)(cr, ci), got)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_array_results_and_out_axes(dtype):
    xs = RNG.uniform(0.1, 1.0, size=(7, 5)).astype(dtype)
    limit = 1.5
    expected = np.stack(per_example(lambda x: partial_sums(x, limit), xs))
    got = tp.jit(tp.vmap(partial_sums, in_axes=(0, None)), backend="numba")(xs, limit)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    got = tp.jit(tp.vmap(partial_sums, in_axes=(1, None), out_axes=1),
                 backend="numba")(np.ascontiguousarray(xs.T), limit)
    np.testing.assert_allclose(got, expected.T, rtol=1e-6)
    # one example; and a batched limit
    one = tp.jit(tp.vmap(partial_sums), backend="numba")(xs[:1], np.array([limit]))
    np.testing.assert_allclose(one, expected[:1], rtol=1e-6)


def test_results_of_several_values_are_stacked():
    xs = RNG.uniform(0.1, 1.0, size=(6, 4))
    batched = tp.jit(tp.vmap(both, in_axes=(0, None)), backend="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # auto may say it runs NumPy code
        sums, totals = batched(xs, 1.2)
    expected = per_example(lambda x: both(x, 1.2), xs)
    np.testing.assert_allclose(sums, np.stack([e[0] for e in expected]))
    np.testing.assert_allclose(totals, [e[1] for e in expected])


def test_per_example_gradients_in_parallel():
    def stepped(x, w):
        total = 0.0
        for i in range(x.shape[0]):
            total = total + np.tanh(x[i] * w)
            if total > 1.0:
                break
        return total
    xs, w = RNG.uniform(0.1, 0.6, size=(9, 6)), 0.7
    batched = tp.jit(tp.vmap(tp.grad(stepped, argnums=1), in_axes=(0, None)), backend="numba")
    expected = [tp.grad(stepped, argnums=1)(x, w) for x in xs]
    np.testing.assert_allclose(batched(xs, w), expected, rtol=1e-12)
    eps = 1e-6
    fd = [(stepped(x, w + eps) - stepped(x, w - eps)) / (2 * eps) for x in xs]
    np.testing.assert_allclose(batched(xs, w), fd, rtol=1e-6, atol=1e-8)
