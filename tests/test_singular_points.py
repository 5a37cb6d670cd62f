"""Derivatives at singular points: what NumPy computes for the formula, never an exception.

Where a function is fine but its derivative is infinite (``sqrt`` at 0, ``arcsin`` at 1,
``x ** 0.5`` at 0) or undefined (``hypot`` at the origin), the gradient is what NumPy
gives for the derivative's formula -- inf, -inf or nan, as JAX returns -- whatever the
arguments are: Python floats (on which ``/`` raises ZeroDivisionError and ``**`` raises
OverflowError), NumPy scalars, 0-d or 1-d arrays.  The same holds for a cotangent that
is a Python float, 1.0 or a zero, through ``vjp`` and for the rules alone, in the
specialised and the shape-generic code.  Large arguments, where Python's ``x ** 2``
overflows, give the derivative's limit.
"""
import math
import warnings

import numpy as np
import pytest

import transpiler as tp
from transpiler.rules.registry import lookup

LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
HUGE = 1e200


def _numpy(formula, *xs):
    with np.errstate(all="ignore"):
        return formula(*[np.float64(x) for x in xs])


# (primals, points, derivative formula): the primal is fine at each point (NumPy's
# primals everywhere, math's where math does not raise), the derivative singular or
# past where Python's ``**`` overflows
UNARY = [
    ((np.sqrt, math.sqrt), [0.0, -0.0], lambda x: 0.5 / np.sqrt(x)),
    ((np.cbrt,), [0.0], lambda x: 1.0 / (3.0 * np.cbrt(x) ** 2)),
    ((np.log,), [0.0, -0.0], lambda x: 1.0 / x),
    ((np.log2,), [0.0], lambda x: 1.0 / (x * LN2)),
    ((np.log10,), [0.0], lambda x: 1.0 / (x * LN10)),
    ((np.log1p,), [-1.0], lambda x: 1.0 / (1.0 + x)),
    ((np.arcsin, math.asin), [1.0, -1.0], lambda x: 1.0 / np.sqrt(1.0 - x * x)),
    ((np.arccos, math.acos), [1.0, -1.0], lambda x: -1.0 / np.sqrt(1.0 - x * x)),
    ((np.arctanh,), [1.0, -1.0], lambda x: 1.0 / (1.0 - x * x)),
    ((np.arccosh, math.acosh), [1.0], lambda x: 1.0 / np.sqrt(x * x - 1.0)),
    ((np.arctan, math.atan), [HUGE, -HUGE], lambda x: 1.0 / (1.0 + x * x)),
    ((np.arcsinh, math.asinh), [HUGE, -HUGE], lambda x: 1.0 / np.sqrt(x * x + 1.0)),
    ((np.arccosh, math.acosh), [HUGE], lambda x: 1.0 / np.sqrt(x * x - 1.0)),
    ((math.erf,), [HUGE, -HUGE], lambda x: TWO_OVER_SQRT_PI * np.exp(-(x * x))),
    ((math.erfc,), [HUGE], lambda x: -TWO_OVER_SQRT_PI * np.exp(-(x * x))),
    ((np.arcsin,), [HUGE], lambda x: 1.0 / np.sqrt(1.0 - x * x)),     # nan, as the primal
]

# (name, function, points, derivative formula in x): powers with a constant exponent
POWERS = [
    ("x ** 0.5", lambda x: x ** 0.5, [0.0], lambda x: 0.5 * x ** -0.5),
    ("x ** 1.5", lambda x: x ** 1.5, [0.0], lambda x: 1.5 * x ** 0.5),
    ("x ** 2", lambda x: x ** 2, [0.0], lambda x: 2.0 * x),
    ("x ** 0", lambda x: x ** 0, [0.0], lambda x: 0.0 * x),
    ("x ** 1", lambda x: x ** 1, [0.0], lambda x: 1.0 + 0.0 * x),
    ("np.power(x, 0.5)", lambda x: np.power(x, 0.5), [0.0, -4.0], lambda x: 0.5 * x ** -0.5),
    ("np.power(x, -1.0)", lambda x: np.power(x, -1.0), [0.0], lambda x: -1.0 * x ** -2.0),
    ("np.power(x, -2)", lambda x: np.power(x, -2.0), [0.0], lambda x: -2.0 * x ** -3.0),
    ("np.float_power(x, 0.25)", lambda x: np.float_power(x, 0.25), [0.0],
     lambda x: 0.25 * x ** -0.75),
    ("math.pow(x, 0.5)", lambda x: math.pow(x, 0.5), [0.0], lambda x: 0.5 * x ** -0.5),
    ("math.pow(x, 0)", lambda x: math.pow(x, 0), [0.0], lambda x: 0.0 * x),
    ("1.0 / x with a NumPy divisor", lambda x: 1.0 / np.asarray(x), [0.0],
     lambda x: -1.0 / (x * x)),
    ("np.divide(1.0, x)", lambda x: np.divide(1.0, x), [0.0, -0.0], lambda x: -1.0 / (x * x)),
    ("math.log(x)", lambda x: math.log(x) if x > 0 else np.log(x), [0.0], lambda x: 1.0 / x),
]

# (name, function of (x, y), points, derivative formulas in x and y)
BINARY = [
    ("hypot", lambda x, y: np.hypot(x, y), [(0.0, 0.0)],
     (lambda x, y: x / np.hypot(x, y), lambda x, y: y / np.hypot(x, y))),
    ("math.hypot", lambda x, y: math.hypot(x, y), [(0.0, 0.0)],
     (lambda x, y: x / np.hypot(x, y), lambda x, y: y / np.hypot(x, y))),
    ("arctan2", lambda y, x: np.arctan2(y, x), [(0.0, 0.0), (HUGE, HUGE)],
     (lambda y, x: x / (x * x + y * y), lambda y, x: -y / (x * x + y * y))),
    ("math.atan2", lambda y, x: math.atan2(y, x), [(0.0, 0.0), (HUGE, HUGE)],
     (lambda y, x: x / (x * x + y * y), lambda y, x: -y / (x * x + y * y))),
    ("np.divide", lambda x, y: np.divide(x, y), [(1.0, 0.0), (0.0, 0.0), (-2.0, -0.0)],
     (lambda x, y: 1.0 / y, lambda x, y: -(x / y) / y)),
    # d/dy x ** y = x ** y log(x), taken as 0 at x == 0 where x ** y is finite
    ("np.power", lambda x, y: np.power(x, y), [(0.0, 0.5), (0.0, -1.0)],
     (lambda x, y: y * x ** (y - 1.0), lambda x, y: x ** y * np.log(np.where(x == 0, 1.0, x)))),
    ("math.pow", lambda x, y: math.pow(x, y), [(0.0, 0.5), (0.0, 2.0)],
     (lambda x, y: y * x ** (y - 1.0), lambda x, y: x ** y * np.log(np.where(x == 0, 1.0, x)))),
]


def _unary_cases():
    for primals, points, formula in UNARY:
        for primal in primals:
            name = "%s.%s" % ("np" if isinstance(primal, np.ufunc) else "math", primal.__name__)
            yield pytest.param(primal, points, formula, id=name)


def _kinds(primal_is_math):
    """How a point is passed: Python float, NumPy scalar, 0-d array, 1-d array."""
    kinds = [("python", float), ("numpy", np.float64)]
    if not primal_is_math:
        kinds += [("0-d", lambda v: np.array(v)), ("1-d", lambda v: np.array([v, 0.5]))]
    return kinds


def _assert_numpy_value(actual, expected):
    assert np.shape(actual) == np.shape(expected), (actual, expected)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0.0)


def _no_errors(fn, *args):
    """Call ``fn``: no exception (NumPy's RuntimeWarnings about inf are expected)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


def _expected(formula, x, g=1.0):
    return _numpy(lambda v: formula(v) * np.float64(g), x)


@pytest.mark.parametrize("primal, points, formula", list(_unary_cases()))
@pytest.mark.parametrize("call", ["__call__", "call_generic"])
def test_elementwise_derivative_at_singular_points(primal, points, formula, call):
    is_math = not isinstance(primal, np.ufunc)
    derived = tp.grad(lambda x: primal(x) if is_math else np.sum(primal(x)))
    for point in points:
        for label, make in _kinds(is_math):
            x = make(point)
            grad = _no_errors(getattr(derived, call), x)
            if np.ndim(x) == 1:
                expected = np.array([_numpy(formula, point), _numpy(formula, 0.5)])
            else:
                expected = _numpy(formula, point)
            _assert_numpy_value(grad, expected)


@pytest.mark.parametrize("primal, points, formula", list(_unary_cases()))
@pytest.mark.parametrize("g", [1.0, 0.0, -2.5])
def test_rule_alone_with_python_floats(primal, points, formula, g):
    vjp = lookup(primal).vjp_function()
    for point in points:
        with np.errstate(all="ignore"):
            ans = primal(point)
        adjoint = _no_errors(vjp, g, ans, point)
        _assert_numpy_value(adjoint, _numpy(lambda x: formula(x) * np.float64(g), point))


@pytest.mark.parametrize("primal, points, formula", list(_unary_cases()))
def test_vjp_with_a_python_cotangent(primal, points, formula):
    for point in points:
        for g in (1.0, 0.0, 3):
            out, pull = _no_errors(tp.vjp, lambda x: primal(x), point)
            (adjoint,) = _no_errors(pull, g)
            _assert_numpy_value(adjoint, _expected(formula, point, g))


@pytest.mark.parametrize("name, fn, points, formula", [pytest.param(*c, id=c[0]) for c in POWERS])
@pytest.mark.parametrize("call", ["__call__", "call_generic"])
def test_powers_and_quotients_at_zero(name, fn, points, formula, call):
    derived = tp.grad(fn)
    for point in points:
        for label, make in _kinds(name.startswith("math") or "if" in name):
            x = make(point)
            if np.ndim(x) == 1:
                derived_sum = tp.grad(lambda v: np.sum(fn(v)))
                grad = _no_errors(getattr(derived_sum, call), x)
                expected = np.array([_numpy(formula, point), _numpy(formula, 0.5)])
            else:
                grad = _no_errors(getattr(derived, call), x)
                expected = _numpy(formula, point)
            _assert_numpy_value(grad, expected)


@pytest.mark.parametrize("name, fn, points, formulas", [pytest.param(*c, id=c[0]) for c in BINARY])
@pytest.mark.parametrize("call", ["__call__", "call_generic"])
def test_binary_functions_at_singular_points(name, fn, points, formulas, call):
    derived = tp.grad(fn, argnums=(0, 1))
    for x, y in points:
        for label, make in _kinds(name.startswith("math")):
            if np.ndim(make(x)) == 1:
                continue                  # a scalar output: scalars only
            grads = _no_errors(getattr(derived, call), make(x), make(y))
            for grad, formula in zip(grads, formulas):
                _assert_numpy_value(grad, _numpy(formula, x, y))


def sqrt_of_a_sum(x):
    s = x[0] + x[1]
    return math.sqrt(s) + math.hypot(x[0], x[1])


def chain_through_python_floats(a, b):
    r = math.sqrt(a * a + b * b)                 # 0 at the origin
    return math.log1p(r) + a / (1.0 + r) + r ** 1.5


def test_python_float_chains_through_several_rules():
    grad = _no_errors(tp.grad(sqrt_of_a_sum), [0.0, 0.0])
    assert np.isinf(grad[0]) or np.isnan(grad[0])
    ga, gb = _no_errors(tp.grad(chain_through_python_floats, argnums=(0, 1)), 0.0, 0.0)
    assert np.isnan(ga) and np.isnan(gb)        # 0 / 0 in d sqrt(a*a + b*b)
    ga, gb = tp.grad(chain_through_python_floats, argnums=(0, 1))(3.0, 4.0)
    # r = 5: d/da = (a/r)/(1+r) + 1/(1+r) - a (a/r)/(1+r)^2 + 1.5 sqrt(r) a/r
    assert ga == pytest.approx(0.6 / 6 + 1 / 6 - 3 * 0.6 / 36 + 1.5 * math.sqrt(5) * 0.6)
    assert gb == pytest.approx(0.8 / 6 - 3 * 0.8 / 36 + 1.5 * math.sqrt(5) * 0.8)


def test_reductions_of_empty_arrays():
    empty = np.zeros(0)
    assert _no_errors(tp.grad(lambda x: np.mean(x)), empty).shape == (0,)
    assert _no_errors(tp.grad(lambda x: np.mean(x)).call_generic, empty).shape == (0,)
    grad = _no_errors(tp.grad(lambda x: np.sum(np.mean(x, axis=0))), np.zeros((0, 3)))
    assert grad.shape == (0, 3)
    grad = _no_errors(tp.grad(lambda x: np.sum(np.var(x, axis=1))), np.zeros((0, 3)))
    assert grad.shape == (0, 3)
    grad = _no_errors(tp.grad(lambda x: np.sum(np.mean(x, axis=1))), np.zeros((3, 0)))
    assert grad.shape == (3, 0)
