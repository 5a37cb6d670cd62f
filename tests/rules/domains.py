"""Elementwise primals and the domains where they are smooth.

A domain is a function ``domain(rng, shape)`` returning a sample (a Python float for
shape ``()``); a ``safe`` test keeps pairs of samples away from kinks (``maximum``
ties), discontinuities (``mod``) and singular points (``arctan2`` at the origin).
"""
import math
import operator

import numpy as np


def as_sample(array):
    """A 0-d sample as a Python float."""
    return float(array) if array.shape == () else array


def uniform(lo, hi):
    return lambda rng, shape: as_sample(rng.uniform(lo, hi, shape))


def away_from_zero(lo, hi):
    """Values with |x| in [lo, hi] and random signs."""
    return lambda rng, shape: as_sample(rng.uniform(lo, hi, shape)
                                     * rng.choice([-1.0, 1.0], shape))


ANY = uniform(-2.0, 2.0)
POSITIVE = uniform(0.3, 2.5)
UNIT = uniform(-0.9, 0.9)
NONZERO = away_from_zero(0.3, 2.0)

# primals of one argument (array or scalar)
UNARY = [
    ((np.exp, np.exp2, np.expm1, np.square, np.sin, np.cos, np.arctan, np.sinh, np.cosh,
      np.tanh, np.arcsinh, np.negative, operator.neg, np.positive, operator.pos, np.conj,
      np.conjugate, np.float64, np.real, np.asarray, np.ascontiguousarray, np.sinc,
      np.nan_to_num), ANY),
    ((np.log, np.log2, np.log10, np.log1p, np.sqrt), POSITIVE),
    ((np.cbrt, np.reciprocal, np.abs, np.absolute, np.fabs, abs), NONZERO),
    ((np.tan,), uniform(-1.2, 1.2)),
    ((np.arcsin, np.arccos, np.arctanh), UNIT),
    ((np.arccosh,), uniform(1.1, 3.0)),
]
# math (and builtin) functions of one Python float
SCALAR_UNARY = [
    ((math.exp, math.expm1, math.sin, math.cos, math.atan, math.sinh, math.cosh, math.tanh,
      math.asinh, math.erf, math.erfc, float), ANY),
    ((math.log2, math.log10, math.log1p, math.sqrt, math.log), POSITIVE),
    ((math.fabs,), NONZERO),
    ((math.tan,), uniform(-1.2, 1.2)),
    ((math.asin, math.acos, math.atanh), UNIT),
    ((math.acosh,), uniform(1.1, 3.0)),
]


def apart(x, y):
    return np.all(np.abs(np.subtract(x, y)) > 0.2)


def fraction_inside(x, y):
    frac = np.mod(np.divide(x, y), 1.0)
    return np.all((frac > 0.1) & (frac < 0.9))


def not_origin(y, x):
    return np.all(np.hypot(x, y) > 0.3)


# primals of two arguments that broadcast: (primals, (domain of x, domain of y), safe)
BINARY = [
    ((operator.add, np.add, operator.sub, np.subtract, operator.mul, np.multiply,
      np.logaddexp, np.logaddexp2), (ANY, ANY), None),
    ((operator.truediv, np.true_divide), (ANY, away_from_zero(0.4, 2.0)), None),
    ((operator.pow, np.power, np.float_power, pow), (POSITIVE, ANY), None),
    ((operator.mod, np.mod, np.remainder, np.fmod),
     (uniform(-3.0, 3.0), away_from_zero(0.5, 1.5)), fraction_inside),
    ((np.copysign,), (NONZERO, NONZERO), None),
    ((np.maximum, np.fmax, np.minimum, np.fmin), (ANY, ANY), apart),
    ((np.arctan2, np.hypot), (ANY, ANY), not_origin),
]
SCALAR_BINARY = [
    ((math.pow, math.log), (POSITIVE, uniform(1.5, 3.0)), None),
    ((math.atan2, math.hypot), (ANY, ANY), not_origin),
]


def sample(rng, domains, shapes, safe=None):
    """Arguments drawn from ``domains`` with ``shapes`` that pass ``safe``."""
    for _ in range(1000):
        args = [domain(rng, shape) for domain, shape in zip(domains, shapes)]
        if safe is None or safe(*np.broadcast_arrays(*args)):
            return args
    raise AssertionError("no safe sample")
