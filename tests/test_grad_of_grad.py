"""Transforms of transformed functions: grad(grad(f)), a function calling tp.grad(h), and
tp.vjp of a gradient.

A transformed function called inside a function being transformed is a callee whose
source is the code it generates for the call's arguments; ``tp.grad(g)`` of a transformed
``g`` differentiates a wrapper that calls it.  Every value here is checked against an
analytic derivative or central finite differences.
"""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads

K = 2.0


def cubic_sine(x):
    return np.sin(x) * x ** 3


def d2_cubic_sine(x):
    return -np.sin(x) * x ** 3 + 6.0 * x ** 2 * np.cos(x) + 6.0 * x * np.sin(x)


def d3_cubic_sine(x):
    return (-np.cos(x) * x ** 3 - 9.0 * x ** 2 * np.sin(x) + 18.0 * x * np.cos(x)
            + 6.0 * np.sin(x))


@pytest.mark.parametrize("x", [0.7, -1.3, 0.0, 2.5])
def test_second_and_third_derivatives_analytic(x):
    second = tp.grad(tp.grad(cubic_sine))
    third = tp.grad(second)
    assert np.isclose(second(x), d2_cubic_sine(x), rtol=1e-12, atol=1e-12)
    assert np.isclose(third(x), d3_cubic_sine(x), rtol=1e-10, atol=1e-12)


def loop_power(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x
    return y


def test_second_derivative_through_a_loop():
    second = tp.grad(tp.grad(loop_power))
    for n in (0, 1, 2, 5):
        expected = n * (n - 1) * 1.3 ** (n - 2) if n >= 2 else 0.0
        assert np.isclose(second(1.3, n), expected), n


def mixed(x, y):
    return np.sum(np.sin(x * y) * x)


def test_mixed_partials_agree():
    x, y = np.array([0.3, -0.7]), np.array([1.1, 0.4])
    dx_dy = tp.grad(lambda x, y: np.sum(tp.grad(mixed, argnums=0)(x, y)), argnums=1)(x, y)
    dy_dx = tp.grad(lambda x, y: np.sum(tp.grad(mixed, argnums=1)(x, y)), argnums=0)(x, y)
    # d/dy_i sum_j d/dx_j f = d/dy_i [cos(x y) x y + sin(x y)] (elementwise)
    expected = -np.sin(x * y) * x * x * y + 2.0 * np.cos(x * y) * x
    np.testing.assert_allclose(dx_dy, expected, rtol=1e-12)
    # d/dx_i sum_j d/dy_j f = d/dx_i [cos(x y) x^2]
    expected = -np.sin(x * y) * y * x * x + 2.0 * np.cos(x * y) * x
    np.testing.assert_allclose(dy_dx, expected, rtol=1e-12)


def energy(p):
    return np.sum(p["w"] ** 2 * p["b"]) + np.sum(np.tanh(p["w"])) * K


D_ENERGY = tp.grad(energy)


def uses_a_gradient_defined_at_module_level(w, b):
    return np.sum(D_ENERGY({"w": w, "b": b})["w"] * np.array([1.0, -2.0]))


def calls_grad_inline(w):
    return np.sum(tp.grad(cubic_sine)(w) ** 2)


def calls_value_and_grad_inline(w):
    value, slope = tp.value_and_grad(cubic_sine)(w)
    return value * slope


def calls_grad_with_argnums_inline(x, y):
    return tp.grad(mixed, argnums=1)(x, y)[0] * 3.0


@pytest.mark.parametrize("f, args, argnums", [
    (uses_a_gradient_defined_at_module_level, (np.array([0.3, -0.8]), 1.5), (0, 1)),
    (calls_grad_inline, (0.6,), 0),
    (calls_value_and_grad_inline, (0.6,), 0),
    (calls_grad_with_argnums_inline, (np.array([0.3, -0.7]), np.array([1.1, 0.4])), (0, 1)),
])
def test_functions_calling_transformed_functions(f, args, argnums):
    check_grads(f, args, argnums=argnums)


def test_vjp_of_a_gradient_is_a_hessian_vector_product():
    x, v = np.array([0.3, -0.7, 1.2]), np.array([1.0, 2.0, -1.0])
    out, pull = tp.vjp(tp.grad(lambda x: np.sum(np.sin(x) * x ** 3)), x)
    (hv,) = pull(v)
    np.testing.assert_allclose(out, np.cos(x) * x ** 3 + 3 * x ** 2 * np.sin(x))
    np.testing.assert_allclose(hv, d2_cubic_sine(x) * v, rtol=1e-12)


def test_a_changed_global_reaches_the_second_derivative():
    global K
    second = tp.grad(lambda w: np.sum(tp.grad(energy)({"w": w, "b": 0.5})["w"]))
    w = np.array([0.3, -0.8])
    before = second(w)
    K = 5.0
    try:
        after = second(w)
    finally:
        K = 2.0
    t = np.tanh(w)
    np.testing.assert_allclose(before, 1.0 + 2.0 * (-2.0 * t * (1 - t ** 2)), rtol=1e-12)
    np.testing.assert_allclose(after, 1.0 + 5.0 * (-2.0 * t * (1 - t ** 2)), rtol=1e-12)


def test_the_source_of_a_second_derivative_is_readable():
    text = tp.source(tp.grad(tp.grad(cubic_sine)), 0.7)
    assert "def grad_grad_cubic_sine" in text and "_bwd" in text
    assert "rt.as_gradient" in text


def test_transform_arguments_must_be_known_when_transforming():
    def dynamic(x, k):
        return tp.grad(cubic_sine, argnums=k)(x)
    with pytest.raises(tp.TranspileError, match="must be known"):
        tp.grad(dynamic)(0.5, 0)


def spread_then_dot(z):
    z = (np.sum(z) + np.zeros(6))[::3]
    if z[0] > -1e9:
        return np.dot(z, z)
    return 0.0


def test_a_temporary_never_takes_the_name_of_a_binding():
    """The gradient's `d[::3] += g` made a temporary `iadd` beside `operator.iadd`, bound
    as `iadd` when the gradient was differentiated again: the backward function read
    the function for the temporary (a Hessian-vector product twice too large)."""
    z, u = np.array([0.3, -0.2]), np.array([1.0, 0.5])
    grad = tp.value_and_grad(spread_then_dot)
    generated = grad.specialised(z)
    _, pull = tp.vjp(generated, z)
    np.testing.assert_allclose(pull((0.0, u))[0], 4 * np.sum(u) * np.ones(2), rtol=1e-12)
    hvp = tp.grad(lambda z: tp.grad(spread_then_dot)(z) @ u)(z)
    np.testing.assert_allclose(hvp, 4 * np.sum(u) * np.ones(2), rtol=1e-12)
