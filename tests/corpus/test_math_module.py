"""The math module on Python floats: elementary functions, two-argument functions,
constants, and scalar code mixing math with NumPy."""
import math

import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=118)


def exp_log_sqrt(a):
    return math.exp(-a) * math.log(a) + math.sqrt(a) + math.log1p(a) - math.expm1(-a)


def trigonometric_scalars(a):
    return math.sin(a) * math.cos(2.0 * a) + math.tan(0.3 * a) + math.atan(a)


def hyperbolic_scalars(a):
    return math.tanh(a) + math.sinh(a) * math.cosh(0.5 * a) + math.asinh(a)


def inverse_trig_scalars(a):
    return math.asin(a) * math.acos(a) + math.atan(a / 2.0)


def two_argument_functions(a, b):
    return math.atan2(a, b) + math.hypot(a, b) + math.pow(abs(a) + 1.0, b)


def logs_with_bases(a):
    return math.log(a, 2.0) + math.log10(a) + math.log2(a * 3.0) + math.log(a)


def constants(a):
    return math.pi * a ** 2 + math.e ** a + math.sin(math.tau * a)


def error_function(a):
    return math.erf(a) + math.erfc(0.5 * a) + math.fabs(a) * a


def gaussian_density(x, mu, sigma):
    z = (x - mu) / sigma
    return math.exp(-0.5 * z * z) / (sigma * math.sqrt(2.0 * math.pi))


def math_in_a_loop(a, n):
    s = 0.0
    for k in range(1, n + 1):
        s = s + math.sin(k * a) / k
    return s


def math_mixed_with_numpy(x, a):
    return np.sum(x * math.cos(a)) + math.exp(np.sum(x) * 0.1) + math.sqrt(np.sum(x ** 2))


def floor_and_ceil_are_constant(a):
    return a * math.floor(a) + math.ceil(a) * a ** 2 + math.trunc(a * 2.0)


CASES = [
    *cases(exp_log_sqrt, (0.7,), (2.3,)),
    *cases(trigonometric_scalars, (0.4,), (-1.1,)),
    *cases(hyperbolic_scalars, (0.6,), (-1.4,)),
    *cases(inverse_trig_scalars, (0.3,), (-0.6,)),
    *cases(two_argument_functions, (0.5, 1.2), (-0.8, 0.4), argnums=(0, 1)),
    *cases(logs_with_bases, (1.7,)),
    *cases(constants, (0.35,)),
    *cases(error_function, (0.4,), (-1.2,)),
    *cases(gaussian_density, (0.3, -0.2, 1.4), argnums=(0, 1, 2)),
    *cases(math_in_a_loop, (0.8, 4), (1.3, 0)),
    *cases(math_mixed_with_numpy, (normal(3), 0.6), argnums=(0, 1)),
    *cases(floor_and_ceil_are_constant, (1.3,), (-2.7,)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
