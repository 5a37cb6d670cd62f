"""Forward mode (tp.jvp) over the language: control flow, buffers and their views, lists,
pytrees, user functions, dtypes -- each tangent against central differences and against
reverse mode (the dot-product identity), and the errors of the API."""
import collections

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import random_like, tree_leaves, tree_map

RNG = np.random.default_rng(3)


def _shift(tree, step, direction):
    return tree_map(lambda x, v: np.asarray(x, float) + step * v if np.ndim(x)
                    else float(x) + step * float(v), tree, direction)


def check_jvp(f, primals, eps=1e-6, rtol=1e-6, atol=1e-8, tangents=None, reverse=True):
    """tp.jvp against central differences along random tangents; for a scalar output,
    against <grad, t> too (with ``reverse``)."""
    tangents = tangents or tuple(random_like(p, RNG) for p in primals)
    out, tangent = tp.jvp(f, primals, tangents)
    expected = f(*primals)
    for a, b in zip(tree_leaves(out), tree_leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    plus = f(*[_shift(p, eps, t) for p, t in zip(primals, tangents)])
    minus = f(*[_shift(p, -eps, t) for p, t in zip(primals, tangents)])
    for leaf, p, m, o in zip(tree_leaves(tangent), tree_leaves(plus), tree_leaves(minus),
                             tree_leaves(out)):
        assert np.shape(leaf) == np.shape(o)
        numeric = (np.asarray(p, float) - np.asarray(m, float)) / (2 * eps)
        np.testing.assert_allclose(leaf, numeric, rtol=rtol * 100, atol=atol * 100)
    if reverse and not isinstance(out, (list, tuple, dict)) and np.ndim(out) == 0:
        grads = tp.grad(f, argnums=tuple(range(len(primals))))(*primals)
        identity = sum(float(np.sum(np.asarray(a) * b)) for g, t in zip(grads, tangents)
                       for a, b in zip(tree_leaves(g), tree_leaves(t)))
        assert np.isclose(float(tangent), identity, rtol=1e-9, atol=1e-12)
    return out, tangent


X = RNG.standard_normal(4)
M = RNG.standard_normal((3, 4))


# ------------------------------------------------------------ straight-line code

def test_elementwise_and_broadcasting():
    check_jvp(lambda x, m: np.tanh(m * x) + np.exp(-x) / (1.0 + m ** 2), (X, M))


def test_scalars_and_arrays_mixed():
    check_jvp(lambda a, x: a * np.sum(x) + a ** 2 * x, (0.7, X))


def test_reductions_products_and_shapes():
    def f(m, x):
        y = m @ x
        z = np.reshape(m.T, (2, 6)).sum(axis=0)
        return np.concatenate([y, z, np.max(m, axis=1)]) * np.mean(x)
    check_jvp(f, (M, X))


def test_a_tangent_given_to_one_argument_only():
    out, tangent = tp.jvp(lambda x, y: np.sin(x) * y, (X, X), (np.ones(4), np.zeros(4)))
    np.testing.assert_allclose(tangent, np.cos(X) * X)


# ------------------------------------------------------------ control flow

def branches(x, c):
    if c > 0.0:
        y = np.sin(x)
    else:
        y = 2.0                     # zero tangent on this path
    return y * x


def loop_with_break_and_continue(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] < -1.5:
            continue
        s = s * 0.5 + np.sin(x[i]) * s + x[i]
        if s > 3.0:
            break
    return s


def while_loop(x):
    y = x
    n = 0
    while np.sum(y * y) < 50.0 and n < 20:
        y = y * 1.3 + np.cos(y)
        n = n + 1
    return y


def early_return(x):
    for i in range(3):
        x = x * np.cos(x)
        if np.sum(x) > 10.0:
            return x
    return x + 1.0


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_branches(c):
    check_jvp(branches, (X, c))


@pytest.mark.parametrize("fn", [loop_with_break_and_continue, while_loop, early_return])
def test_loops_and_jumps(fn):
    check_jvp(fn, (X,))


# ------------------------------------------------------------ buffers and lists

def buffer_and_view(x):
    out = np.zeros(4)
    view = out[1:]                  # made before the writes: it sees them
    for i in range(4):
        out[i] = x[i] * x[(i + 1) % 4]
    out *= 2.0
    return np.sum(view * view) + out[0]


def row_of_a_buffer_written(x):
    grid = np.zeros((2, 4))
    row = grid[1]
    row[:] = np.sin(x)
    return np.sum(row * x)


def list_appends_and_pops(x):
    states = []
    h = x
    for i in range(3):
        h = np.tanh(h * 1.5 + 0.1)
        states.append(h)
    last = states.pop()
    return np.sum(last) + sum([np.sum(s * s) for s in states])


def augmented_updates(x):
    acc = np.ones(4)
    acc += x
    acc *= x
    acc /= 2.0 + x * x
    return acc


@pytest.mark.parametrize("fn", [row_of_a_buffer_written, list_appends_and_pops,
                                augmented_updates])
def test_buffers_lists_and_in_place_updates(fn):
    check_jvp(fn, (X,))


def test_a_view_sees_the_writes_into_its_buffer():
    # tangents share memory as their values do: the view's tangent sees the writes into
    # the buffer's (reverse mode refuses this function: its tape would need the view
    # as it was before each write)
    check_jvp(buffer_and_view, (X,), reverse=False)
    with pytest.raises(tp.TranspileError, match="view"):
        tp.grad(buffer_and_view)(X)


# ------------------------------------------------------------ calls and pytrees

def helper(a, b, scale=2.0):
    return np.sin(a) * b * scale


def calls_a_helper(x, y):
    return np.sum(helper(x, y) + helper(y, x, scale=0.5) + helper(x, 1.0))


Params = collections.namedtuple("Params", "w b")


def with_pytrees(params, data):
    hidden = np.tanh(data["x"] @ params[0].w + params[0].b)
    return {"out": hidden @ params[1], "reg": [np.sum(params[0].w ** 2), data["s"]]}


def test_user_functions_with_keywords_and_defaults():
    check_jvp(calls_a_helper, (X, X[::-1].copy()))


def test_pytrees_in_and_out():
    params = (Params(RNG.standard_normal((4, 3)), RNG.standard_normal(3)),
              RNG.standard_normal(3))
    data = {"x": RNG.standard_normal((2, 4)), "s": 0.5}
    out, tangent = check_jvp(with_pytrees, (params, data))
    assert isinstance(tangent, dict) and isinstance(tangent["reg"], list)


def test_integer_arguments_carry_no_tangent():
    out, tangent = tp.jvp(lambda x, n: x ** n, (2.0, 3), (1.0, 0))
    assert (out, tangent) == (8.0, 12.0)


def test_float32_tangents_stay_float32():
    x = X.astype(np.float32)
    out, tangent = tp.jvp(lambda x: np.sin(x) * 2.0, (x,), (np.ones(4, np.float32),))
    assert tangent.dtype == np.float32
    np.testing.assert_allclose(tangent, 2.0 * np.cos(x), rtol=1e-6)


def test_the_tangent_of_a_zero_0d_result_is_a_numpy_scalar():
    out, tangent = tp.jvp(lambda x: np.sum(x * x), (X,), (X,))
    assert isinstance(out, np.float64) and isinstance(tangent, np.float64)


# ------------------------------------------------------------ composition

def loss(x):
    return np.sum(np.sin(x) * x ** 2) + np.prod(x[:2])


def test_jvp_of_grad_is_a_hessian_vector_product():
    v = RNG.standard_normal(4)
    _, hvp = tp.jvp(tp.grad(loss), (X,), (v,))
    eps = 1e-6
    numeric = (tp.grad(loss)(X + eps * v) - tp.grad(loss)(X - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hvp, numeric, rtol=1e-6, atol=1e-8)


def test_grad_of_jvp_is_the_same_product():
    v = RNG.standard_normal(4)
    reverse_over_forward = tp.grad(lambda x: tp.jvp(loss, (x,), (v,))[1])(X)
    _, forward_over_reverse = tp.jvp(tp.grad(loss), (X,), (v,))
    np.testing.assert_allclose(reverse_over_forward, forward_over_reverse, rtol=1e-10)


def test_jvp_of_jvp():
    v, w = RNG.standard_normal(4), RNG.standard_normal(4)
    _, second = tp.jvp(lambda x: tp.jvp(loss, (x,), (v,))[1], (X,), (w,))
    np.testing.assert_allclose(second, w @ tp.hessian(loss)(X) @ v, rtol=1e-9)


# ------------------------------------------------------------ errors

def test_tangents_must_match_the_primals():
    f = lambda x, y: x * y                                    # noqa: E731
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        tp.jvp(f, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="shape"):
        tp.jvp(f, (X, X), (X, np.ones(3)))
    with pytest.raises(ValueError, match="structure"):
        tp.jvp(lambda p: p[0] * p[1], ((X, X),), ([X, X, X],))
    with pytest.raises(TypeError, match="tuples"):
        tp.jvp(f, X, X)


def test_complex_values_are_refused():
    with pytest.raises(TypeError, match="complex"):
        tp.jvp(lambda x: x * 2.0, (np.ones(2) * 1j,), (np.ones(2),))


def test_a_call_without_a_rule_is_refused_at_its_line():
    import scipy.special
    with pytest.raises(tp.TranspileError, match="(?s)no derivative rule for `erf`.*custom_jvp"):
        tp.jvp(lambda x: scipy.special.erf(x), (X,), (X,))


def test_linearize_gives_the_value_and_the_tangent_map():
    out, f_jvp = tp.linearize(loss, X)
    assert np.isclose(out, loss(X))
    v = RNG.standard_normal(4)
    np.testing.assert_allclose(f_jvp(v), tp.jvp(loss, (X,), (v,))[1], rtol=1e-12)
    np.testing.assert_allclose(f_jvp(2.0 * v), 2.0 * f_jvp(v), rtol=1e-12)
    assert "dot_x" in tp.source(f_jvp)
    with pytest.raises(TypeError, match="1 tangents"):
        f_jvp(v, v)
