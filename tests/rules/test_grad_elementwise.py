"""Elementwise math and operators differentiated through ``tp.grad``.

Each primal is used in a small function whose output weighs every element differently
(``np.sum(np.sin(...))``), on arrays and on Python floats; ``check_grads`` compares the
gradient with finite differences and the generic with the shape-specialised code.
"""
import math
import operator

import numpy as np
import pytest

from .domains import ANY, BINARY, NONZERO, POSITIVE, SCALAR_BINARY, SCALAR_UNARY, UNARY, sample
from .oracle import Grad, check_case, grad_params

RNG = np.random.default_rng(11)


def unary(f):
    return lambda x: np.sum(np.sin(f(x)))


def binary(f):
    return lambda x, y: np.sum(np.sin(f(x, y)))


CASES = [Grad(f, unary(f), domain(RNG, shape))
         for fs, domain in UNARY for f in fs for shape in [(), (3, 4)]]
CASES += [Grad(f, unary(f), domain(RNG, ())) for fs, domain in SCALAR_UNARY for f in fs]
CASES += [Grad(f, binary(f), *sample(RNG, domains, shapes, safe), argnums=(0, 1))
          for fs, domains, safe in BINARY for f in fs
          for shapes in [((), ()), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3))]]
CASES += [Grad(f, binary(f), *sample(RNG, domains, ((), ()), safe), argnums=(0, 1))
          for fs, domains, safe in SCALAR_BINARY for f in fs]


# ------------------------------------------------------------ as written in source
def integer_and_tuple_results(x, y):
    frac, whole = np.modf(x * 3.0)
    mantissa, exponent = np.frexp(x)
    quotient, rest = np.divmod(x * 3.0, y)
    q, r = divmod(x[0] * 3.0, y[1])
    return np.sum(np.sin(frac) * whole + mantissa * exponent + np.ldexp(x, 2) + rest * quotient) \
        + r * q


CASES += [Grad((np.modf, np.frexp, np.divmod, divmod, np.ldexp), integer_and_tuple_results,
               np.array([0.31, -1.27, 0.55]), np.array([0.7, 0.45, -0.8]), argnums=(0, 1))]


def operators(x, y):
    return np.sum(np.sin(x + y) + (x - y) ** 2 + x * y / (y * y + 1.0) - (-x) * (+y))


def modulo(x, y):
    return np.sum(np.sin(x % y) * x)


def power_of_variables(x, y):
    return np.sum(x ** y + pow(x, y) + np.power(x, 0.5 * y))


def builtin_abs_and_float(x):
    return abs(x) * 2.0 + float(x) ** 2 + math.fabs(x)


def absolute_of_array(x):
    return np.sum(abs(x) * x)


def math_logs(x, b):
    return math.log(x) * 3.0 + math.log(x, b) ** 2 + math.pow(x, b) + math.log(b, 2.0)


def where_on_a_comparison(x, y):
    return np.sum(np.where(x > 0.0, x ** 2, y * x) + np.where(x < 0.5, 1.0, y))


def clip_with_and_without_bounds(x, lo, hi):
    return np.sum(np.sin(np.clip(x, lo, hi)) + np.clip(x, None, hi) ** 2
                  + np.clip(x, lo, None) * x + np.clip(x, a_min=lo, a_max=0.5))


def relu_and_friends(x, y):
    return np.sum(np.maximum(x, 0.0) * x + np.minimum(x, y) ** 2 + np.maximum(y, x) * y)


def maximum_with_ties(x, y):
    # central differences split the derivative of a tie equally, as the rule does
    return np.sum(np.maximum(x, y) * np.array([1.0, 2.0, 3.0]) + np.minimum(x, y))


def smooth_binaries(x, y):
    return np.sum(np.logaddexp(x, y) + np.arctan2(y, x) * np.hypot(x, y)
                  + np.logaddexp2(x, 2.0 * y))


def math_binaries(x, y):
    return math.atan2(y, x) + math.hypot(x, y) * math.pow(abs(x), 1.5)


def casts(x):
    return np.sum(np.float64(x) * x + np.asarray(x) ** 2 + np.real(x) + np.conj(x) * 3.0)


def step(x, h):
    return np.sum(np.heaviside(x, h) * np.array([1.0, 2.0, 3.0, 4.0]))


def float32_cast(x):
    return np.sum(np.float32(x) * 2.0)


def augmented(x, y):
    a = x * 1.0
    a += y
    a -= 0.5 * y
    a *= y
    a /= 2.0 + y * y
    a **= 2
    a %= 5.0
    s = 0.3
    s += np.sum(x)
    s *= 2.0
    return np.sum(a) + s


IN_PLACE = (operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ipow,
            operator.imod)
OPERATORS = (operator.add, operator.sub, operator.mul, operator.truediv, operator.neg,
             operator.pos, operator.pow)
V = ANY(RNG, (4,))
W = ANY(RNG, (4,))
M = ANY(RNG, (3, 4))
CASES += [
    Grad(OPERATORS, operators, V, W, argnums=(0, 1)),
    Grad(OPERATORS, operators, M, W, argnums=(0, 1)),
    Grad(OPERATORS, operators, 0.3, 1.4, argnums=(0, 1)),
    Grad(operator.mod, modulo, *sample(RNG, (ANY, NONZERO), ((3, 4), (4,)), BINARY[3][2]),
         argnums=(0, 1)),
    Grad(operator.mod, modulo, 2.3, 0.7, argnums=(0, 1)),
    Grad((operator.pow, pow, np.power), power_of_variables, POSITIVE(RNG, (3, 4)),
         ANY(RNG, (4,)), argnums=(0, 1)),
    Grad((operator.pow, pow, np.power), power_of_variables, 1.3, -0.4, argnums=(0, 1)),
    Grad((abs, float, math.fabs), builtin_abs_and_float, -0.7),
    Grad((abs, float, math.fabs), builtin_abs_and_float, 1.2),
    Grad(abs, absolute_of_array, NONZERO(RNG, (3, 4))),
    Grad((math.log, math.pow), math_logs, 1.7, 2.5, argnums=(0, 1)),
    Grad(np.where, where_on_a_comparison, M, W, argnums=(0, 1)),
    Grad(np.where, where_on_a_comparison, -0.3, 0.8, argnums=(0, 1)),
    Grad(np.clip, clip_with_and_without_bounds, np.array([-1.5, -0.7, -0.2, 0.3, 0.9, 1.6]),
         -1.0, 1.0, argnums=(0, 1, 2)),
    Grad(np.clip, clip_with_and_without_bounds, np.array([[-1.5, -0.3], [0.6, 1.6]]),
         np.array([-1.0, -0.8]), np.array([[1.0], [1.2]]), argnums=(0, 1, 2)),
    Grad((np.maximum, np.minimum), relu_and_friends, *sample(RNG, (ANY, ANY), ((3, 4), (4,)),
                                                            BINARY[4][2]), argnums=(0, 1)),
    Grad((np.maximum, np.minimum), maximum_with_ties, np.array([0.5, 1.0, -2.0]),
         np.array([0.5, 0.2, -2.0]), argnums=(0, 1)),
    Grad((np.logaddexp, np.arctan2, np.hypot, np.logaddexp2), smooth_binaries, M, W,
         argnums=(0, 1)),
    Grad((math.atan2, math.hypot, math.pow), math_binaries, -0.8, 0.6, argnums=(0, 1)),
    Grad((np.float64, np.asarray, np.real, np.conj), casts, M),
    # (the step itself jumps at x == 0, where the output is h)
    Grad(np.heaviside, step, np.array([0.0, -1.2, 0.0, 0.8]), 0.3, argnums=1),
    Grad(np.heaviside, step, np.array([0.0, -1.2, 0.0, 0.8]), np.array([0.2, 0.4, 0.6, 0.8]),
         argnums=1),
    Grad(np.float32, float32_cast, V, eps=1e-2, rtol=1e-4, atol=1e-4),
    Grad(IN_PLACE, augmented, V, W, argnums=(0, 1)),
    Grad(IN_PLACE, augmented, M, W, argnums=(0, 1)),
    Grad(IN_PLACE, augmented, 0.6, 1.3, argnums=(0, 1)),
]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)
