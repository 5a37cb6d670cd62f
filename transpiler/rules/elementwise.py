"""Elementwise math (NumPy ufuncs and the ``math`` module): one line of calculus each.

``g`` already has the output's shape (or broadcasts to it), and the output has the
input's shape, so these rules need no unbroadcasting.

Arguments may be Python floats (``math.sqrt(x)`` of a float), on which ``/`` raises
ZeroDivisionError and ``**`` raises OverflowError where NumPy gives inf or nan.  So a
rule divides with ``np.divide`` where the divisor can be 0 (generated code keeps ``/``
where the shapes show an array), and squares with ``x * x``: at a singular point the
derivative is what NumPy computes for the formula (inf, -inf or nan), as in JAX.
"""
import math

import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import broadcasting, custom, elementwise, jvp_rule, nondiff, view

_SAME = E.elementwise("same")
_FLOAT2 = E.broadcasting("float")


@elementwise(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@elementwise(np.exp2)
def exp2(g, ans, x):
    return g * ans * 0.6931471805599453


@elementwise(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@elementwise(np.log)
def log(g, ans, x):
    return np.divide(g, x)


@elementwise(np.log2, math.log2)
def log2(g, ans, x):
    return np.divide(g, x * 0.6931471805599453)


@elementwise(np.log10, math.log10)
def log10(g, ans, x):
    return np.divide(g, x * 2.302585092994046)


@elementwise(np.log1p, math.log1p)
def log1p(g, ans, x):
    return np.divide(g, 1.0 + x)


@elementwise(np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return np.divide(g * 0.5, ans)


@elementwise(np.cbrt)
def cbrt(g, ans, x):
    return g / (3.0 * ans ** 2)


@elementwise(np.square, abstract_eval=_SAME)
def square(g, ans, x):
    return g * 2.0 * x


@elementwise(np.reciprocal, abstract_eval=_SAME)
def reciprocal(g, ans, x):
    return -g * ans ** 2


@elementwise(np.sin, math.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@elementwise(np.cos, math.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@elementwise(np.tan, math.tan)
def tan(g, ans, x):
    return g * (1.0 + ans ** 2)


@elementwise(np.arcsin, math.asin)
def arcsin(g, ans, x):
    return g / np.sqrt(1.0 - x * x)


@elementwise(np.arccos, math.acos)
def arccos(g, ans, x):
    return -g / np.sqrt(1.0 - x * x)


@elementwise(np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1.0 + x * x)


@elementwise(np.sinh, math.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@elementwise(np.cosh, math.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@elementwise(np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1.0 - ans ** 2)


@elementwise(np.arcsinh, math.asinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x * x + 1.0)


@elementwise(np.arccosh, math.acosh)
def arccosh(g, ans, x):
    return g / np.sqrt(x * x - 1.0)


@elementwise(np.arctanh, math.atanh)
def arctanh(g, ans, x):
    return np.divide(g, 1.0 - x * x)


@elementwise(np.abs, np.absolute, abs, abstract_eval=_SAME)
def absolute(g, ans, x):
    return g * np.sign(x)


elementwise(np.fabs, math.fabs)(absolute)     # float results: the family's shape rule


@elementwise(math.erf)
def erf(g, ans, x):
    return g * 1.1283791670955126 * np.exp(-(x * x))


@elementwise(math.erfc)
def erfc(g, ans, x):
    return -g * 1.1283791670955126 * np.exp(-(x * x))


@elementwise(np.conj, np.conjugate, abstract_eval=_SAME)
def identity(g, ans, x):
    return g


@elementwise(np.float64, abstract_eval=E.scalar_conversion(np.float64))
def to_float64(g, ans, x):
    return g


@elementwise(float, abstract_eval=E.python_float)
def to_float(g, ans, x):
    return g


@elementwise(np.real, abstract_eval=E.real, effects=view(0))
def real(g, ans, x):
    # np.real may return its argument itself (or a view of it)
    return g


@elementwise(np.asarray, abstract_eval=E.as_array, effects=view(0), only={"like": (None,)})
def asarray(g, ans, a, dtype=None, order=None, *, device=None, copy=None, like=None):
    # may return its argument itself; a dtype= casts (Primitive._wrap)
    return g


@elementwise(np.float32, abstract_eval=E.scalar_conversion(np.float32))
def to_float32(g, ans, x):
    return g


@broadcasting(np.logaddexp, abstract_eval=_FLOAT2)
def logaddexp(g, ans, x, y):
    return g * np.exp(x - ans), g * np.exp(y - ans)


@broadcasting(np.logaddexp2, abstract_eval=_FLOAT2)
def logaddexp2(g, ans, x, y):
    return g * np.exp2(x - ans), g * np.exp2(y - ans)


@broadcasting(np.maximum, np.fmax)
def maximum(g, ans, x, y):
    # ties share the adjoint equally, as in JAX
    return g * ((x > y) + 0.5 * (x == y)), g * ((y > x) + 0.5 * (x == y))


@broadcasting(np.minimum, np.fmin)
def minimum(g, ans, x, y):
    return g * ((x < y) + 0.5 * (x == y)), g * ((y < x) + 0.5 * (x == y))


@broadcasting(np.arctan2, math.atan2, abstract_eval=_FLOAT2)
def arctan2(g, ans, y, x):
    return np.divide(g * x, x * x + y * y), np.divide(-g * y, x * x + y * y)


@broadcasting(np.hypot, abstract_eval=_FLOAT2)
def hypot(g, ans, x, y):
    return np.divide(g * x, ans), np.divide(g * y, ans)


@custom(math.hypot, abstract_eval=E.python_float)
def math_hypot(g, ans, *coordinates, argnum):
    # math.hypot(x, y, z, ...) of Python floats
    return np.divide(g * coordinates[argnum], ans)


# a scalar of scalars: the same product, the tangent in the cotangent's place
jvp_rule(math.hypot)(math_hypot)


@broadcasting(math.log, diff=("x", "base"), abstract_eval=_FLOAT2)
def math_log(g, ans, x, base=None):
    if base is None:
        return np.divide(g, x), None
    return g / (x * np.log(base)), -g * ans / (base * np.log(base))


@broadcasting(np.where, diff=("x", "y"), abstract_eval=E.where)
def where(g, ans, condition, x, y):
    # rt.masked(g, c) is np.where(c, g, 0.0), computed faster
    return rt.masked(g, condition), rt.masked(g, np.logical_not(condition))


@broadcasting(np.clip, diff=("a", "a_min", "a_max"), only={"out": (None,)},
              aliases={"min": "a_min", "max": "a_max"}, abstract_eval=E.clip)
def clip(g, ans, a, a_min=None, a_max=None, out=None):
    # the adjoint goes where the output is the input, else to the bound that was used
    return g * (ans == a), g * (a < a_min), g * (a > a_max)


@broadcasting(np.heaviside, diff=("x2",), abstract_eval=_FLOAT2)
def heaviside(g, ans, x1, x2):
    # the step is flat in x1 (almost everywhere); where x1 == 0 the output is x2
    return g * (x1 == 0)


@broadcasting(np.fmod, abstract_eval=_FLOAT2)
def fmod(g, ans, x1, x2):
    # x1 - trunc(x1 / x2) * x2 (the remainder with x1's sign)
    return g, -g * np.trunc(np.divide(x1, x2))


@broadcasting(np.copysign, diff=("x1",), abstract_eval=_FLOAT2)
def copysign(g, ans, x1, x2):
    # |x1| with x2's sign: flat in x2 (almost everywhere)
    return g * np.sign(x1) * np.copysign(1.0, x2)


@broadcasting(np.ldexp, diff=("x1",), abstract_eval=_FLOAT2)
def ldexp(g, ans, x1, x2):
    # x1 * 2**x2 for an integer x2
    return g * np.ldexp(1.0, x2)


@elementwise(np.sinc)
def sinc(g, ans, x):
    # sin(pi x) / (pi x): (cos(pi x) - sinc(x)) / x, 0 at 0 (its maximum)
    at_zero = x == 0
    return g * np.where(at_zero, 0.0, (np.cos(np.pi * x) - ans) / np.where(at_zero, 1.0, x))


@elementwise(np.nan_to_num, only={"copy": (True,)})
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    # finite values pass; NaN and infinities become constants
    return g * np.isfinite(x)


@custom(np.modf, abstract_eval=E.by_example(np.modf, view=False))
def modf(g, ans, x):
    # (fractional part, integral part): the integral part is flat
    return rt.part(g, 0)


@jvp_rule(np.modf)
def modf(t, ans, x):
    # one tangent per part, float zeros for the flat integral part (the tuple is named: a
    # returned tuple literal would read as one contribution per parameter)
    tangents = (t, rt.zeros_like(ans[1]))
    return tangents


@custom(np.frexp, abstract_eval=E.by_example(np.frexp, view=False))
def frexp(g, ans, x):
    # (mantissa, exponent) with x = mantissa * 2**exponent: the exponent is flat
    return rt.part(g, 0) * np.ldexp(1.0, -ans[1])


@jvp_rule(np.frexp)
def frexp(t, ans, x):
    # the mantissa is x * 2**-exponent (np.ldexp keeps t's dtype); the exponent is flat
    tangents = (np.ldexp(t, -ans[1]), rt.zeros_like(ans[1]))
    return tangents


@custom(np.divmod, abstract_eval=E.by_example(np.divmod, view=False))
def quotient_remainder(g, ans, x1, x2):
    # (floor division, remainder): the quotient is flat, the remainder is x1 - q x2
    rest = rt.part(g, 1)
    return rt.unbroadcast(rest, x1, ans[1]), \
        rt.unbroadcast(-rest * np.floor_divide(x1, x2), x2, ans[1])


custom(divmod, abstract_eval=E.by_example(divmod, view=False))(quotient_remainder)


def quotient_remainder_tangent(t, ans, x1, x2):
    # the quotient ans[0] is flat; the remainder x1 - ans[0] x2 (each part full-shaped)
    return (rt.zeros_like(ans[0]), rt.broadcast_tangent(t, ans[1])), \
        (rt.zeros_like(ans[0]), -t * ans[0])


jvp_rule(np.divmod)(quotient_remainder_tangent)
jvp_rule(divmod)(quotient_remainder_tangent)


# np.angle of a real number is 0 or pi (complex values are refused everywhere)
nondiff(np.angle, np.spacing, np.imag, abstract_eval=E.elementwise("float"))
nondiff(np.sign, np.floor, np.ceil, np.trunc, np.round, np.around, np.fix, abstract_eval=_SAME)
nondiff(np.rint, abstract_eval=E.elementwise("float"))
nondiff(math.floor, math.ceil, math.trunc, abstract_eval=E.python_int)
nondiff(np.isnan, np.isinf, np.isfinite, np.signbit, np.iscomplex, np.isreal,
        abstract_eval=E.elementwise("bool"))
nondiff(math.isnan, math.isinf, math.isfinite, abstract_eval=E.python_bool)
