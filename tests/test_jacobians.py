"""tp.jacfwd, tp.jacrev and tp.hessian: shapes out.shape + in.shape, argnums, has_aux,
pytrees in and out; each Jacobian against central differences and against the other
mode; Hessians against differences of the gradient; custom_jvp in both modes."""
import collections

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import tree_leaves

RNG = np.random.default_rng(5)
X = RNG.standard_normal(4)
A = RNG.standard_normal((3, 4))


def numeric_jacobian(f, x, eps=1e-6):
    """d f / d x by central differences, shaped out.shape + x.shape."""
    out = np.asarray(f(x))
    jac = np.zeros(out.shape + np.shape(x))
    for index in np.ndindex(np.shape(x)):
        step = np.zeros(np.shape(x))
        step[index] = eps
        column = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * eps)
        jac[(Ellipsis,) + index] = column
    return jac


def vector_field(x):
    return np.tanh(A @ x) + np.sin(x[:3]) * x[3]


def matrix_of_a_matrix(m):
    return m @ m.T + np.exp(m[:, :3])


@pytest.mark.parametrize("jacobian", [tp.jacfwd, tp.jacrev])
@pytest.mark.parametrize("fn, arg", [(vector_field, X), (matrix_of_a_matrix, A),
                                     (lambda x: np.sum(x ** 3), X), (np.sin, 0.3)])
def test_jacobian_against_differences(jacobian, fn, arg):
    if fn is np.sin:
        fn = lambda x: np.sin(x) * x                        # noqa: E731
    jac = jacobian(fn)(arg)
    expected = numeric_jacobian(fn, arg)
    assert np.shape(jac) == np.shape(expected)
    np.testing.assert_allclose(jac, expected, rtol=1e-6, atol=1e-8)


def test_forward_and_reverse_agree():
    for fn, arg in [(vector_field, X), (matrix_of_a_matrix, A)]:
        np.testing.assert_allclose(tp.jacfwd(fn)(arg), tp.jacrev(fn)(arg), rtol=1e-12,
                                   atol=1e-14)


Point = collections.namedtuple("Point", "a b")


def pytree_function(p, scale):
    return {"sum": np.sum(p.a * p.b) * scale, "vec": np.sin(p.a) * scale}, scale * 2.0


@pytest.mark.parametrize("jacobian", [tp.jacfwd, tp.jacrev])
def test_pytrees_argnums_and_aux(jacobian):
    p = Point(RNG.standard_normal(3), RNG.standard_normal(3))
    jac, aux = jacobian(pytree_function, argnums=(0, 1), has_aux=True)(p, 1.5)
    assert aux == 3.0
    # output structure outside, the tuple of arguments inside, as in JAX
    d_sum, d_vec = jac["sum"], jac["vec"]
    assert isinstance(d_sum, tuple) and isinstance(d_sum[0], Point)
    np.testing.assert_allclose(d_sum[0].a, p.b * 1.5)
    np.testing.assert_allclose(d_sum[1], np.sum(p.a * p.b))
    assert d_vec[0].a.shape == (3, 3) and d_vec[0].b.shape == (3, 3)
    np.testing.assert_allclose(d_vec[0].a, np.diag(np.cos(p.a) * 1.5))
    np.testing.assert_allclose(d_vec[0].b, np.zeros((3, 3)))
    np.testing.assert_allclose(d_vec[1], np.sin(p.a))


def loss(x):
    return np.sum(np.sin(x) * x ** 2) + np.prod(x[:2]) + np.sum(np.tanh(A @ x) ** 2)


def test_hessian_against_differences_of_the_gradient():
    hess = tp.hessian(loss)(X)
    expected = numeric_jacobian(tp.grad(loss), X)
    np.testing.assert_allclose(hess, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-10, atol=1e-12)


def test_hessian_compositions_agree():
    hess = tp.hessian(loss)(X)
    for other in (tp.jacrev(tp.jacrev(loss)), tp.jacfwd(tp.grad(loss)),
                  tp.jacrev(tp.grad(loss)), tp.jacfwd(tp.jacfwd(loss))):
        np.testing.assert_allclose(other(X), hess, rtol=1e-9, atol=1e-11)


def test_hessian_of_a_matrix_argument_and_argnums():
    def f(w, x):
        return np.sum(np.tanh(w @ x) ** 2)
    hess = tp.hessian(f, argnums=0)(A, X)
    assert hess.shape == A.shape + A.shape
    expected = numeric_jacobian(lambda w: tp.grad(f)(w, X), A)
    np.testing.assert_allclose(hess, expected, rtol=1e-6, atol=1e-7)


def test_an_empty_argument_gives_an_empty_jacobian():
    jac = tp.jacfwd(lambda x: np.sum(x) + np.ones(2))(np.zeros(0))
    assert jac.shape == (2, 0)


# ------------------------------------------------------------ custom_jvp

@tp.custom_jvp
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp
def softplus_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return softplus(x), x_dot / (1.0 + np.exp(-x))


def test_custom_jvp_in_both_modes():
    def f(x):
        return np.sum(softplus(x) * x)
    sig = 1.0 / (1.0 + np.exp(-X))
    expected = sig * X + np.log1p(np.exp(X))
    np.testing.assert_allclose(tp.grad(f)(X), expected)
    _, tangent = tp.jvp(f, (X,), (np.ones(4),))
    np.testing.assert_allclose(tangent, np.sum(expected))
    np.testing.assert_allclose(tp.jacfwd(softplus)(X), np.diag(sig))
    np.testing.assert_allclose(tp.jacrev(softplus)(X), np.diag(sig))


def test_custom_jvp_nondiff_argnums():
    @tp.custom_jvp
    def times(n, x):
        return x * n

    def rule(n, primals, tangents):
        return times(n, primals[0]), 10.0 * tangents[0]
    times = tp.custom_jvp(times.fun, nondiff_argnums=(0,))
    times.defjvp(rule)

    def f(x):
        return np.sum(times(3, x))
    np.testing.assert_allclose(tp.grad(f)(X), np.full(4, 10.0))
    assert tp.jvp(f, (X,), (np.ones(4),))[1] == 40.0


def test_custom_vjp_under_forward_mode_is_refused_as_in_jax():
    @tp.custom_vjp
    def f(x):
        return x * 2.0
    f.defvjp(lambda x: (f(x), None), lambda r, g: (2.0 * g,))
    with pytest.raises(tp.TranspileError, match="can't apply forward-mode autodiff"):
        tp.jvp(lambda x: f(x) + 1.0, (1.0,), (1.0,))


def test_custom_jvp_without_a_rule():
    @tp.custom_jvp
    def f(x):
        return x * 2.0
    with pytest.raises(TypeError, match="defjvp"):
        tp.jvp(lambda x: f(x) + 1.0, (1.0,), (1.0,))


def test_jacobians_of_pytree_outputs_have_every_leaf():
    def f(x):
        return [x * 2.0, (np.sum(x), {"k": x[:2]})]
    for jacobian in (tp.jacfwd, tp.jacrev):
        jac = jacobian(f)(X)
        shapes = [np.shape(leaf) for leaf in tree_leaves(jac)]
        assert shapes == [(4, 4), (4,), (2, 4)]


def test_the_jacobians_sample_runs():
    # samples/jacobians.py checks its own results (differences, Newton's minimum, SciPy's)
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, os.path.join(root, "samples", "jacobians.py")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MISMATCH" not in result.stdout and "trust-exact" in result.stdout
