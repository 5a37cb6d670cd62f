"""Operators and their NumPy ufuncs: + - * / ** % unary -, comparisons, logic.

Each rule returns the adjoint of every differentiable argument; the ``broadcasting``
family sums each adjoint back to its argument's shape.
"""
import math
import operator

import numpy as np

from . import evaluation as E
from .registry import IN_PLACE, broadcasting, elementwise, jvp_rule, nondiff


@broadcasting(operator.add, np.add, abstract_eval=E.operator_rule(sequences="concat"))
def add(g, ans, x, y):
    return g, g


@broadcasting(operator.sub, np.subtract, abstract_eval=E.operator_rule())
def subtract(g, ans, x, y):
    return g, -g


@broadcasting(operator.mul, np.multiply, abstract_eval=E.operator_rule(sequences="repeat"))
def multiply(g, ans, x, y):
    return g * y, g * x


@broadcasting(operator.truediv, np.true_divide,
              abstract_eval=E.operator_rule("true_divide"))
def divide(g, ans, x, y):
    # np.divide: a Python float divided by 0.0 is inf, as in NumPy, not ZeroDivisionError
    return np.divide(g, y), np.divide(-g * ans, y)


@broadcasting(operator.pow, np.power, np.float_power, pow, math.pow, only={"mod": (None,)},
              aliases={"base": "x", "exp": "y"}, abstract_eval=E.operator_rule(operands=(0, 1)))
def power(g, ans, x, y, mod=None):
    # d/dy x**y = log(x) x**y, taken as 0 where x == 0 (the limit along y > 0)
    if isinstance(y, int) and y == 0:
        return 0.0 * g, g * ans * np.log(np.where(x == 0, 1.0, x))     # x**0 is constant
    if isinstance(y, int) and y > 0:
        # a polynomial (``x ** 2`` folds to ``g * 2 * x``): no singular point
        return g * y * x ** (y - 1), g * ans * np.log(np.where(x == 0, 1.0, x))
    # np.power: inf at x == 0 and nan for x < 0, where Python's ** raises or goes complex
    return g * y * np.power(x, y - 1), g * ans * np.log(np.where(x == 0, 1.0, x))


@jvp_rule(operator.pow, np.power, np.float_power, pow, math.pow)
def power_tangent(t, ans, x, y, mod=None):
    # the vjp's, except that an integer exponent has no tangent: the zero tangent a
    # container gives one (a saved `n` of `x ** n`) must not meet log(x) of a negative x
    if isinstance(y, int) and y == 0:
        return 0.0 * t, 0.0 * t
    if isinstance(y, int) and y > 0:
        return t * y * x ** (y - 1), 0.0 * t
    return t * y * np.power(x, y - 1), \
        0.0 * t if isinstance(y, (int, np.integer)) else t * ans * np.log(np.where(x == 0, 1.0, x))


@broadcasting(operator.mod, np.mod, np.remainder, abstract_eval=E.operator_rule())
def mod(g, ans, x, y):
    return g, -g * np.floor_divide(x, y)


@elementwise(operator.neg, np.negative, abstract_eval=E.operator_rule())
def negative(g, ans, x):
    return -g


@elementwise(operator.pos, np.positive, abstract_eval=E.operator_rule())
def positive(g, ans, x):
    return g


nondiff(operator.floordiv, np.floor_divide, abstract_eval=E.operator_rule())
for _op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne):
    nondiff(_op, abstract_eval=E.operator_rule("bool"))
for _op in (operator.invert, operator.and_, operator.or_, operator.xor, operator.lshift,
            operator.rshift):
    nondiff(_op, abstract_eval=E.operator_rule())
nondiff(operator.is_, operator.is_not, operator.contains, operator.not_, np.allclose,
        np.array_equal, abstract_eval=E.python_bool)
nondiff(np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal,
        np.logical_and, np.logical_or, np.logical_xor, np.isclose,
        abstract_eval=E.broadcasting("bool"))
nondiff(np.logical_not, abstract_eval=E.elementwise("bool"))
nondiff(np.bitwise_and, np.bitwise_or, np.bitwise_xor, abstract_eval=E.broadcasting("same"))
nondiff(np.invert, abstract_eval=E.elementwise("same"))


# Augmented assignment (``x += y`` is ``x = operator.iadd(x, y)`` in the core language):
# the same derivatives; an array is updated in place (``specialize/inplace.py`` decides
# whether that can be a new value instead, or must be refused).
for _iop, _rule in ((operator.iadd, add), (operator.isub, subtract), (operator.imul, multiply),
                    (operator.itruediv, divide), (operator.ipow, power), (operator.imod, mod)):
    broadcasting(_iop, effects=IN_PLACE, abstract_eval=E.in_place(E.operator_rule()))(_rule)
jvp_rule(operator.ipow)(power_tangent)
nondiff(operator.ifloordiv, operator.iand, operator.ior, operator.ixor, operator.ilshift,
        operator.irshift, effects=IN_PLACE, abstract_eval=E.in_place(E.operator_rule()))
