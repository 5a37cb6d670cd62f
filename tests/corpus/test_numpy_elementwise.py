"""NumPy elementwise functions (SPEC's list: exp log log1p expm1 sqrt sin cos tan
arcsin arccos arctan tanh sinh cosh abs sign square power maximum minimum clip where
logaddexp, and a few more), alone and composed, with broadcasting."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=114)


def exp_log_family(x):
    return np.sum(np.exp(-x) + np.log(x) + np.log1p(x) + np.expm1(0.5 * x) + np.log2(x)
                  + np.log10(x))


def trigonometric(x):
    return np.sum(np.sin(x) * np.cos(2.0 * x) + np.tan(0.5 * x))


def inverse_trigonometric(x):
    return np.sum(np.arcsin(x) + np.arccos(x * 0.5) + np.arctan(3.0 * x))


def hyperbolic(x):
    return np.sum(np.tanh(x) + np.sinh(0.5 * x) * np.cosh(x) + np.arcsinh(x))


def roots_and_squares(x):
    return np.sum(np.sqrt(x) + np.square(x) + np.cbrt(x) + np.reciprocal(x))


def abs_and_sign(x):
    return np.sum(np.abs(x) * np.sign(x) + np.abs(x) ** 1.5 + np.fabs(x) * x)


def power_function(x, p):
    return np.sum(np.power(x, p) + np.power(2.0, x) + np.power(x, 3))


def maximum_minimum(x, y):
    return np.sum(np.maximum(x, y) ** 2 + np.minimum(x, 0.0) * y + np.maximum(0.5, y))


def clip_inside_and_outside(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2 + np.clip(x, a_min=-1.0, a_max=None))


def clip_with_infinite_bound(x):
    return np.sum(np.clip(x, -np.inf, 0.5) ** 2) + np.sum(np.minimum(x, np.inf) * x)


def clip_with_array_bounds(x, lo, hi):
    return np.sum(np.clip(x, lo, hi) * x)


def where_select(x, y):
    return np.sum(np.where(x > y, x * y, np.sin(y)) + np.where(x > 0, x, 0.0))


def relu_by_where_and_maximum(x):
    return np.sum(np.where(x > 0, x, 0.01 * x) + np.maximum(x, 0.0) ** 2)


def logaddexp_softplus(x, y):
    return np.sum(np.logaddexp(x, y) + np.logaddexp(0.0, x) + np.logaddexp2(x, 1.0))


def sigmoid_expression(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return np.sum(s * (1.0 - s) + np.log(s))


def gelu_tanh(x):
    return np.sum(0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3))))


def arctan2_and_hypot(y, x):
    return np.sum(np.arctan2(y, x) * np.hypot(x, y))


def ufunc_names(x, y):
    return np.sum(np.add(x, y) * np.multiply(x, 2.0) - np.subtract(y, x) / np.divide(y, 3.0)
                  + np.negative(x) ** 2)


def stable_log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def composed_deeply(x):
    return np.sum(np.log(1.0 + np.exp(np.sin(np.cos(x) ** 2))) * np.sqrt(1.0 + x ** 2))


CASES = [
    *cases(exp_log_family, (positive(4),), (positive(2, 3),)),
    *cases(trigonometric, (normal(4),), (normal(2, 2),)),
    *cases(inverse_trigonometric, (uniform(-0.9, 0.9, 4),)),
    *cases(hyperbolic, (normal(4),)),
    *cases(roots_and_squares, (positive(4),)),
    *cases(abs_and_sign, (normal(5),)),
    *cases(power_function, (positive(3), normal(3)), (positive(2, 3), 1.5), argnums=(0, 1)),
    *cases(maximum_minimum, (normal(4), normal(4)), (normal(3, 2), normal(2)),
           argnums=(0, 1)),
    *cases(clip_inside_and_outside, (np.array([-1.5, -0.3, 0.1, 0.4, 0.9, 2.0]),)),
    *cases(clip_with_infinite_bound, (np.array([-1.5, -0.3, 0.1, 0.4, 0.9, 2.0]),)),
    *cases(clip_with_array_bounds, (normal(4), normal(4) - 1.5, normal(4) + 1.5),
           argnums=(0, 1, 2)),
    *cases(where_select, (normal(5), normal(5)), (normal(2, 3), normal(3)), argnums=(0, 1)),
    *cases(relu_by_where_and_maximum, (normal(6),)),
    *cases(logaddexp_softplus, (normal(4), normal(4)), (normal(2, 2), 0.3), argnums=(0, 1)),
    *cases(sigmoid_expression, (normal(5),)),
    *cases(gelu_tanh, (normal(5),)),
    *cases(arctan2_and_hypot, (normal(4), normal(4)), argnums=(0, 1)),
    *cases(ufunc_names, (normal(3), positive(3)), argnums=(0, 1)),
    *cases(stable_log_sum_exp, (normal(5) * 3.0,)),
    *cases(composed_deeply, (normal(4),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
