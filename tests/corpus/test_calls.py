"""Calls to other user functions: module-level helpers, helpers calling helpers,
keyword arguments and defaults, keyword-only parameters, a helper called inside a
loop, the same helper called with active and inactive arguments or different shapes,
helpers with control flow, helpers returning several values."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=101)


def square(x):
    return x * x


def affine(x, w, b=0.0):
    return w * x + b


def softplus(x):
    return np.log1p(np.exp(x))


def softplus_of_square(x):
    return softplus(square(x))


def clamp_soft(a):
    if a > 1.0:
        return 1.0 + 0.1 * (a - 1.0)
    return a


def scaled_norm(v, *, scale=1.0):
    return scale * np.sqrt(np.sum(v ** 2))


def mean_and_spread(x):
    m = np.mean(x)
    return m, np.sqrt(np.mean((x - m) ** 2))


def cumulative_product(x, n):
    p = 1.0
    for k in range(n):
        p = p * x[k]
    return p


def repeated_sine(v, n):
    for _ in range(n):
        v = np.sin(v) * 1.1
    return v


def rotate(a, b):
    return a * 0.8 - b * 0.6, a * 0.6 + b * 0.8


def calls_two_helpers(x):
    return np.sum(square(x) + softplus(x))


def calls_a_helper_that_calls_helpers(x):
    return np.sum(softplus_of_square(x) * 2.0)


def keyword_arguments(x, w):
    return np.sum(affine(x, w=w, b=1.5) ** 2)


def defaults_and_reordered_keywords(x, w):
    return np.sum(affine(x, w) + affine(b=x, w=2.0, x=w))


def keyword_only_parameter(x):
    return scaled_norm(x, scale=3.0) + scaled_norm(x * 2.0)


def helper_in_loop(x):
    h = x
    for _ in range(3):
        h = softplus(h) - 0.5 * h
    return np.sum(h)


def active_and_inactive_arguments(x):
    c = np.arange(len(x)) * 1.0
    return np.sum(square(x) * square(c)) + square(2.0)


def same_helper_different_shapes(x, A):
    return np.sum(square(x)) + np.sum(square(A)) + square(x[0])


def helper_with_branches_in_loop(x):
    s = 0.0
    for v in x:
        s = s + clamp_soft(v * 2.0)
    return s


def helper_returning_a_pair(x):
    m, s = mean_and_spread(x)
    return m * s + m ** 2


def helper_with_integer_argument(x, n):
    return cumulative_product(x, n) + cumulative_product(x * 2.0, 2)


def helper_result_indexed(x):
    return mean_and_spread(x)[1] * 3.0


def nested_calls_in_one_expression(x, w):
    return np.sum(affine(square(affine(x, w)), softplus(w), b=square(w)))


def helper_with_a_loop_called_in_a_loop(x):
    s = x
    for k in range(3):
        s = repeated_sine(s, 2) + x * k
    return np.sum(s)


def tuple_helper_in_loop(x):
    a, b = x[0], x[1]
    for _ in range(3):
        a, b = rotate(a, b)
    return a * 2.0 + b


CASES = [
    *cases(calls_two_helpers, (normal(3),), (normal(2, 2),)),
    *cases(calls_a_helper_that_calls_helpers, (normal(3),)),
    *cases(keyword_arguments, (normal(3), normal(3)), (normal(2, 3), 0.5), argnums=(0, 1)),
    *cases(defaults_and_reordered_keywords, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(keyword_only_parameter, (normal(4),)),
    *cases(helper_in_loop, (normal(4),)),
    *cases(active_and_inactive_arguments, (normal(4),)),
    *cases(same_helper_different_shapes, (normal(3), normal(2, 2)), argnums=(0, 1)),
    *cases(helper_with_branches_in_loop, (np.array([0.1, 0.9, -0.4, 0.7]),)),
    *cases(helper_returning_a_pair, (normal(5),)),
    *cases(helper_with_integer_argument, (normal(4), 3), (normal(4), 0)),
    *cases(helper_result_indexed, (normal(4),)),
    *cases(helper_with_a_loop_called_in_a_loop, (normal(4),)),
    *cases(tuple_helper_in_loop, (normal(2),)),
    *cases(nested_calls_in_one_expression, (normal(3), normal(3)), argnums=(0, 1)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
