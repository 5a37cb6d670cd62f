"""Conditionals on data: if/elif/else, nested ifs, conditional expressions,
short-circuit and/or (`x is not None and x > 0`), `not`, chained comparisons, and
branches on non-differentiated (integer, None) arguments."""
import math

import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=102)


def sign_branch(x):
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    else:
        return np.sum(np.sin(x))


def elif_ladder(a):
    if a < -1.0:
        y = -a * 2.0
    elif a < 0.0:
        y = a ** 2
    elif a < 1.0:
        y = np.sin(a)
    else:
        y = np.log(a) + math.sin(1.0)
    return y * a


def conditional_expression(x, y):
    z = x * y if np.mean(x) > np.mean(y) else x + y
    return np.sum(z)


def conditional_expression_scalars(a, b):
    return (a * b if a > b else a / b) + (b if b > 0 else -b) ** 2


def optional_scale(x, scale=None):
    if scale is not None and scale > 0:
        x = x * scale
    return np.sum(x ** 2)


def or_short_circuit(x, flag=False):
    if flag or np.max(x) > 10.0:
        return np.sum(x)
    return np.sum(x ** 3)


def chained_comparison(a):
    if 0.0 < a < 1.0:
        return a ** 2
    elif -1.0 <= a <= 0.0:
        return -a ** 3
    return math.exp(-abs(a))


def elementwise_chained_mask(x):
    inside = (x > -0.5) & (x < 0.5)
    return np.sum(np.where(inside, x ** 2, np.abs(x)))


def nested_ifs(x, y):
    s = np.sum(x)
    if s > 0:
        if np.sum(y) > 0:
            out = x * y
        else:
            out = x - y
    else:
        if np.sum(y) > 0:
            out = np.exp(x) * y
        else:
            out = x ** 2 + y ** 2
    return np.sum(out)


def branches_define_in_different_order(x):
    if x[0] > 0:
        a = x * 2.0
        b = np.sum(a)
    else:
        b = np.sum(x ** 2)
        a = x
    return b + np.sum(a * x)


def not_condition(x):
    big = np.sum(x ** 2) > 4.0
    if not big:
        return np.sum(x)
    return np.sqrt(np.sum(x ** 2))


def and_or_mix(a, b):
    if a > 0 and b > 0 or a < -1:
        return a * b
    return a + b


def mode_switch(x, mode):
    if mode == 0:
        return np.sum(x)
    elif mode == 1:
        return np.sum(x ** 2)
    return np.prod(x)


def if_without_else(x):
    y = np.tanh(x)
    if np.max(x) > 0.5:
        y = y + x ** 2
    if np.min(x) < -0.5:
        y = y * 2.0
    return np.sum(y)


def conditional_expression_in_loop(x):
    s = 0.0
    for v in x:
        s = s + (v ** 2 if v > 0 else -v * 0.5)
    return s


def branch_on_integer_comparison(x, n):
    s = np.sum(x)
    if n > 2 and n % 2 == 1:
        s = s * np.sum(x ** 2)
    elif n > 2:
        s = s - np.sum(np.cos(x))
    return s


def builtin_max_min(a, b):
    return max(a, b) * 2.0 + min(a * a, b) - max(a, 0.0)


def tuple_from_conditional_expression(x):
    a, b = (x[0], x[1]) if x[0] > 0 else (x[1], x[0])
    return a * b ** 2


def condition_on_shape(x):
    if x.shape[0] > 2:
        return np.sum(x[:2] ** 2)
    return np.sum(x)


def condition_on_isinstance(x):
    if isinstance(x, np.ndarray):
        return np.sum(x ** 3)
    return x ** 3


def conditional_expression_on_length(x):
    r = np.sum(x) if len(x) > 3 else 0.0
    return r * x[0]


CASES = [
    *cases(sign_branch, (positive(3),), (-positive(3),), (-positive(2, 2),)),
    *cases(elif_ladder, (-2.0,), (-0.5,), (0.5,), (2.0,)),
    *cases(conditional_expression, (positive(3), -positive(3)), (-positive(3), positive(3)),
           argnums=(0, 1)),
    *cases(conditional_expression_scalars, (1.5, 0.5), (0.3, -1.2), argnums=(0, 1)),
    *cases(optional_scale, (normal(3),), kwargs={"scale": 2.0}),
    *cases(optional_scale, (normal(3),), kwargs={"scale": -1.0}),
    *cases(optional_scale, (normal(2, 2),)),
    *cases(or_short_circuit, (normal(3),), kwargs={"flag": True}),
    *cases(or_short_circuit, (normal(3),), (normal(2, 2) + 20.0,)),
    *cases(chained_comparison, (0.5,), (-0.5,), (2.0,), (-3.0,)),
    *cases(elementwise_chained_mask, (np.array([-0.9, -0.2, 0.1, 0.7, 1.3]),)),
    *cases(nested_ifs, (positive(3), positive(3)), (positive(3), -positive(3)),
           (-positive(3), positive(3)), (-positive(3), -positive(3)), argnums=(0, 1)),
    *cases(branches_define_in_different_order, (positive(3),), (-positive(3),)),
    *cases(not_condition, (normal(3) * 0.3,), (normal(3) + 3.0,)),
    *cases(and_or_mix, (1.0, 2.0), (-2.0, 0.5), (0.5, -0.5), argnums=(0, 1)),
    *cases(mode_switch, (normal(3), 0), (normal(3), 1), (normal(3), 2)),
    *cases(if_without_else, (np.array([0.9, 0.1, -0.9]),), (np.array([0.1, 0.2]),)),
    *cases(conditional_expression_in_loop, (normal(6),)),
    *cases(branch_on_integer_comparison, (normal(3), 3), (normal(3), 4), (normal(3), 1)),
    *cases(tuple_from_conditional_expression, (positive(2),), (-positive(2),)),
    *cases(condition_on_shape, (normal(3),), (normal(2),)),
    *cases(condition_on_isinstance, (normal(3),), (0.7,)),
    *cases(conditional_expression_on_length, (normal(4),), (normal(2),)),
    *cases(builtin_max_min, (1.5, 0.5), (-0.7, 0.2), argnums=(0, 1)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
