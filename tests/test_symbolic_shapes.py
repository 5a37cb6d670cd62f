"""Code specialised to symbolic sizes (DESIGN.md section 5): one source for every size.

Generated code is specialised to dtypes, ranks, structure and which dimensions are 0 or
1; the other sizes are symbols the code reads when it runs.  These tests hold it to
that -- batch 16 and batch 17 share one source and one compilation -- and attack what
symbols make hard: a slice whose length may be 1 (``x[1:]`` of 2 elements), dimensions
of size 1 and 0, sizes that must be equal without being known, means and sums over
symbolic sizes, and the sizes read from parameters rather than from values kept alive
only for their shape.  Every number is checked against central differences.
"""
import numpy as np
import pytest

import transpiler as tp
from transpiler.analysis import avals as A

from helpers.check_grads import check_grads

RNG = np.random.default_rng(7)


def mlp(params, x, y):
    hidden = np.tanh(x @ params["W"] + params["b"])
    logits = hidden @ params["V"]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(y * log_probs, axis=1))


def mlp_args(batch):
    params = {"W": RNG.normal(size=(5, 4)) * 0.5, "b": RNG.normal(size=4),
              "V": RNG.normal(size=(4, 3)) * 0.5}
    x = RNG.normal(size=(batch, 5))
    y = np.eye(3)[RNG.integers(0, 3, batch)]
    return params, x, y


def test_batch_16_and_17_share_one_source():
    g = tp.grad(mlp)
    sources = set()
    for batch in (16, 17, 128, 129):
        args = mlp_args(batch)
        check_grads(mlp, args)
        sources.add(tp.source(g, *args))
        g(*args)
    assert len(sources) == 1
    info = g.cache_info()
    assert info["specialisations"] == 1 and info["generated"] == 1
    # no size was written into the code: it reads them
    assert "16" not in sources.pop()


def test_sizes_are_read_from_parameters_not_from_values_kept_for_their_shape():
    source = tp.source(tp.grad(mlp), *mlp_args(8))
    assert "np.shape(x)[0]" in source            # the mean's 1 / n
    assert "log_softmax" not in source and "log_probs = " not in source.split("#")[0]


def second_differences(x, w):
    # x[1:] - x[:-1] has n - 1 elements: 1 when n is 2, and then it broadcasts against w
    return np.sum((x[1:] - x[:-1]) ** 2 * w)


@pytest.mark.parametrize("n, m", [(5, 4), (2, 3), (2, 1), (3, 2), (6, 1)])
def test_a_slice_whose_length_may_be_one(n, m):
    x = RNG.normal(size=n)
    w = RNG.normal(size=m)
    if np.broadcast_shapes((n - 1,), (m,)) is None:
        pytest.skip("not broadcastable")
    check_grads(second_differences, (x, w))
    check_grads(second_differences, (x, w), argnums=1)


def test_the_slice_length_is_one_symbol_for_both_slices():
    # x[1:] - x[:-1]: the same n - 1 on both sides, no unbroadcasting whatever n is; only
    # the product with w (a size of its own: n - 1 may be 1 and stretch to it) needs one
    source = tp.source(tp.grad(second_differences), np.ones(5), np.ones(4))
    assert source.count("rt.unbroadcast") == 1
    assert "rt.unbroadcast(dsum_pow_2_times_w * w, pow_2, pow_2_times_w)" in source
    for n in (2, 3, 7):
        check_grads(second_differences, (RNG.normal(size=n), RNG.normal(size=n - 1)))


def outer_sum(x, y):
    return np.sum(np.sin(x[:, None] + y[None, :]) * x[:, None])


@pytest.mark.parametrize("n, m", [(3, 4), (1, 4), (3, 1), (1, 1), (2, 2)])
def test_dimensions_of_size_one_get_their_own_code(n, m):
    x, y = RNG.normal(size=n), RNG.normal(size=m)
    check_grads(outer_sum, (x, y))
    check_grads(outer_sum, (x, y), argnums=1)


def bias_add(x, b):
    return np.sum(np.tanh(x + b) ** 2)


@pytest.mark.parametrize("xs, bs", [((4, 3), (3,)), ((4, 3), (1, 3)), ((4, 3), (4, 1)),
                                    ((4, 1), (3,)), ((1, 3), (4, 3)), ((4, 3), ()),
                                    ((2, 4, 3), (4, 1)), ((4, 3), (1, 1))])
def test_broadcasting_against_symbolic_sizes(xs, bs):
    x = RNG.normal(size=xs)
    b = RNG.normal(size=bs) if bs else float(RNG.normal())
    check_grads(bias_add, (x, b))
    check_grads(bias_add, (x, b), argnums=1)


def test_one_key_per_pattern_of_ones():
    g = tp.grad(bias_add, argnums=1)
    for batch in (4, 9, 2):
        g(RNG.normal(size=(batch, 3)), RNG.normal(size=3))
    assert g.cache_info()["generated"] == 1
    g(RNG.normal(size=(1, 3)), RNG.normal(size=3))        # a batch of one broadcasts
    assert g.cache_info()["generated"] == 2


def total(x):
    return np.sum(x * x) + np.mean(x)


def test_empty_arrays_are_their_own_signature():
    g = tp.grad(total)
    assert g(np.zeros(0)).shape == (0,)
    np.testing.assert_allclose(g(np.arange(3.0)), 2 * np.arange(3.0) + 1 / 3)
    assert g.cache_info()["generated"] == 2


def mean_of_rows(x):
    return np.sum(np.mean(x, axis=0) ** 2) + np.sum(x.sum(axis=1) * np.arange(x.shape[0]))


@pytest.mark.parametrize("shape", [(3, 4), (7, 2), (2, 2)])
def test_sizes_read_from_shapes_are_the_symbols(shape):
    check_grads(mean_of_rows, (RNG.normal(size=shape),))


def test_jit_of_grad_compiles_once_for_two_batch_sizes():
    g = tp.jit(tp.grad(mlp), backend="numba")
    for batch in (16, 17):
        args = mlp_args(batch)
        got = g(*args)
        want = tp.grad(mlp)(*args)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-14)
    assert g.cache_info()["generated"] == 1
    dispatcher = g.entry(*mlp_args(3)).function.dispatcher
    assert len(dispatcher.overloads) == 1          # one Numba compilation


def forward_model(w, x):
    return np.tanh(x @ w) * x[:, :1]


@pytest.mark.parametrize("batch", [3, 8])
def test_forward_mode_on_symbolic_sizes(batch):
    w, x = RNG.normal(size=(4, 2)), RNG.normal(size=(batch, 4))
    dw = RNG.normal(size=w.shape)
    out, tangent = tp.jvp(forward_model, (w, x), (dw, np.zeros_like(x)))
    eps = 1e-6
    numeric = (forward_model(w + eps * dw, x) - forward_model(w - eps * dw, x)) / (2 * eps)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6, atol=1e-8)


def test_a_symbol_supports_no_arithmetic_and_never_reaches_code():
    n = A.Size()
    with pytest.raises(TypeError):
        n + 1
    with pytest.raises(TypeError):
        n < 3
    assert n != 1 and n != 0 and n == n and n.minus(1) == n.minus(1)
    assert not n.may_be_one and n.minus(1).may_be_one
    assert A.leaked("x = %r" % (n,))
    assert A.broadcast_shapes((n,), (1,)) == (n,)
    assert A.broadcast_shapes((n.minus(1),), (4,)) == (4,)
    assert A.broadcast_shapes((n.minus(1),), (A.Size(),)) is not None
    assert A.broadcast_shapes((n.minus(1),), (n.minus(2),)) == (None,)
    assert not A.same_shape((n.minus(1),), (4,))
    assert A.same_shape((n,), (A.Size(),))


def mean_of_product(x, y):
    return np.mean(x * y)


def test_sizes_the_code_takes_to_be_equal_are_checked_before_it_runs():
    # the gradient never computes x * y (only its size), so nothing in the symbolic code
    # would fail on sizes that do not broadcast: the call checks them and runs code made
    # for those sizes, which raises where NumPy does
    g = tp.grad(mean_of_product)
    np.testing.assert_allclose(g(np.ones(3), np.arange(3.0)), np.arange(3.0) / 3)
    assert g.entry(np.ones(4), np.ones(4)).assumed       # x's size is y's
    with pytest.raises(ValueError, match="broadcast") as info:
        g(np.ones(3), np.ones(5))
    assert "np.mean(x * y)" in "".join(getattr(info.value, "__notes__", []))
    np.testing.assert_allclose(g(np.ones(6), np.full(6, 2.0)), np.full(6, 2.0 / 6))


def test_a_slice_against_a_size_it_does_not_match_raises():
    with pytest.raises(ValueError, match="broadcast"):
        tp.grad(second_differences)(np.ones(5), np.ones(3))   # 4 against 3
    check_grads(second_differences, (np.arange(2.0), np.ones(3)))   # 1 against 3


def leaf_sizes(params, x):
    return np.sum(np.tanh(x @ params["W"]) * params["v"])


def test_assumptions_name_leaves_of_pytrees():
    g = tp.grad(leaf_sizes)
    params = {"W": np.ones((3, 4)), "v": np.ones(4)}
    check_grads(leaf_sizes, (params, np.ones((2, 3))))
    with pytest.raises(ValueError):
        g({"W": np.ones((3, 4)), "v": np.ones(5)}, np.ones((2, 3)))


def doubled(v):
    return v * 2.0


def means_of_two_sizes(x, y):
    # the helper's result for x and for y: one analysis of it serves both calls, its
    # result renamed to each call's sizes (the means divide by 3 and by 5)
    return np.mean(doubled(x)) + np.mean(doubled(y)) + np.mean(x[1:] * doubled(x[1:]))


def test_a_helper_called_with_two_sizes_keeps_each_size():
    x, y = RNG.normal(size=3), RNG.normal(size=5)
    dx, dy = tp.grad(means_of_two_sizes, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(dy, np.full(5, 2.0 / 5))
    expected = np.full(3, 2.0 / 3)
    expected[1:] += 4.0 * x[1:] / 2
    np.testing.assert_allclose(dx, expected)
    check_grads(means_of_two_sizes, (x, y), argnums=(0, 1))
    check_grads(means_of_two_sizes, (RNG.normal(size=5), RNG.normal(size=3)), argnums=(0, 1))


def list_by_size(x):
    parts = [x, 2.0 * x, 3.0 * x]
    n = x.shape[0]
    return np.sum(parts[n - 2])          # which item depends on the size: not static


@pytest.mark.parametrize("n", [2, 3, 4])
def test_a_size_is_not_a_static_value(n):
    check_grads(list_by_size, (RNG.normal(size=n),))
