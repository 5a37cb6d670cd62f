"""transpiler.numpy: NumPy's namespace whose arrays refuse item assignment and update
functionally with .at[], plainly and under every transform."""
import numpy as np
import pytest

import transpiler as tp
import transpiler.numpy as tnp
from helpers.check_grads import check_grads

RNG = np.random.default_rng(9)


@pytest.mark.parametrize("make", [
    lambda: tnp.array([1.0, 2.0, 3.0]), lambda: tnp.asarray(np.ones(3)),
    lambda: tnp.arange(3.0), lambda: tnp.zeros(3), lambda: tnp.ones((2, 3)),
    lambda: tnp.linspace(0.0, 1.0, 4), lambda: tnp.zeros_like(np.ones(2)),
    lambda: tnp.ones_like(np.ones(2)), lambda: tnp.full(3, 2.0), lambda: tnp.eye(2)])
def test_constructors_make_arrays_that_refuse_item_assignment(make):
    x = make()
    assert isinstance(x, np.ndarray) and isinstance(x, tnp.ImmutableArray)
    with pytest.raises(TypeError, match=r"\.at\[idx\]\.set"):
        x[0] = 5.0
    with pytest.raises(TypeError, match="immutable"):
        x[...] = 0.0


def test_the_namespace_is_numpys():
    assert tnp.sum is np.sum and tnp.linalg is np.linalg and tnp.float32 is np.float32
    assert tnp.pi == np.pi


def test_at_updates_return_new_arrays_and_leave_x_as_it_was():
    x = tnp.arange(5.0)
    index = np.array([0, 0, 2])
    assert list(x.at[1].set(9.0)) == [0, 9, 2, 3, 4]
    assert list(x.at[index].add(1.0)) == [2, 1, 3, 3, 4]            # repeats accumulate
    assert list(x.at[np.array([2, 2, 0])].multiply(3.0)) == [0, 1, 18, 3, 4]
    assert list(x.at[1:3].divide(2.0)) == [0, 0.5, 1, 3, 4]
    assert list(x.at[2].power(2.0)) == [0, 1, 4, 3, 4]
    assert list(x.at[np.array([1, 1])].min(np.array([0.5, -1.0]))) == [0, -1, 2, 3, 4]
    assert list(x.at[4].max(10.0)) == [0, 1, 2, 3, 10]
    assert x.at[3].get() == 3.0
    assert list(x) == [0, 1, 2, 3, 4]
    assert isinstance(x.at[1].set(0.0), tnp.ImmutableArray)


def test_augmented_assignment_makes_a_new_array():
    x = tnp.ones(3)
    y = x
    y += 1.0
    y *= 3.0
    assert list(x) == [1, 1, 1] and list(y) == [6, 6, 6]


def updates_with_at(x, v):
    y = x.at[1].set(v * 2.0)
    y = y.at[np.array([0, 0, 2])].add(np.sin(x[:3]))
    y = y.at[3].multiply(v)
    return tnp.sum(y * y) + tnp.sum(tnp.zeros(2))


def test_a_function_with_at_runs_plainly_and_under_every_transform():
    x, v = tnp.asarray(RNG.standard_normal(5)), 0.7
    plain = updates_with_at(x, v)
    # the same function on plain NumPy arrays, through the transforms
    check_grads(lambda x, v: updates_with_at(tnp.asarray(x), v), (np.asarray(x).copy(), v),
                argnums=(0, 1))
    assert np.isclose(tp.grad(updates_with_at)(x, v) @ np.ones(5),
                      tp.jvp(updates_with_at, (x, v), (np.ones(5), 0.0))[1])
    value, _ = tp.value_and_grad(updates_with_at)(x, v)
    assert np.isclose(value, plain)
    hess = tp.hessian(updates_with_at)(x, v)
    assert hess.shape == (5, 5)


def test_transformed_functions_take_tnp_arrays_and_return_plain_arrays():
    def f(x):
        out = np.zeros(3)                 # a buffer the function owns: writes are fine
        out[0] = x[0] * 2.0
        return out * x
    x = tnp.arange(1.0, 4.0)
    jac = tp.jacfwd(f)(x)
    assert type(jac) is np.ndarray
    np.testing.assert_allclose(jac, [[4.0, 0, 0], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(tp.grad(lambda x: np.sum(f(x)))(x), [4.0, 0.0, 0.0])


def scaled_first_column(p0, p2):
    b = p2.at[:, 0].multiply(2.0)
    return p0 * b


def through_a_helper_with_at(s, n, m):
    # the helper gets no derivative: it runs as is -- on plain arrays, which have no .at,
    # so generated code calls its normalised copy (scaled_first_column_primal)
    b = scaled_first_column(float(n), np.ones((3, 2)) * m)
    active = scaled_first_column(s, np.full((3, 2), s))       # this call is differentiated
    return np.sum(b) * s + np.sum(active)


def test_a_helper_with_at_called_without_derivatives_runs_on_plain_arrays():
    args = (0.5, 3, 2)             # (run plainly, np.ones(...).at fails: values by hand)
    expected = 9 * 2 * 3 * 0.5 + 0.5 * 0.5 * 9                 # f(0.5)
    value, grad = tp.value_and_grad(through_a_helper_with_at)(*args)
    assert np.isclose(value, expected)
    assert np.isclose(grad, 9 * 2 * 3 + 2 * 0.5 * 9)           # d/ds (54 s + 9 s**2)
    out, tangent = tp.jvp(through_a_helper_with_at, args, (1.0, 0, 0))
    assert np.isclose(out, expected) and np.isclose(tangent, grad)
    out, pull = tp.vjp(lambda s: through_a_helper_with_at(s, 3, 2), 0.5)
    assert np.isclose(pull(1.0)[0], grad)
    assert np.isclose(tp.hessian(through_a_helper_with_at)(*args), 18.0)
    assert "def scaled_first_column_primal(p0, p2):" in \
        tp.source(tp.grad(through_a_helper_with_at), *args)


def test_at_get_is_a_new_array_not_a_view():
    # JAX semantics: what .get() read does not change when the array is written after
    def f(x):
        buf = x * 1.0
        b = buf.at[0:2].get()
        buf[0] = 5.0
        return np.sum(b * x[:2]) + buf[0]
    x = np.array([1.0, 2.0, 3.0])
    value, grad = tp.value_and_grad(f)(x)
    assert np.isclose(value, 1.0 + 4.0 + 5.0)
    np.testing.assert_allclose(grad, [2.0, 4.0, 0.0])
    np.testing.assert_allclose(tp.jvp(f, (x,), (np.ones(3),))[1], 6.0)
