"""while loops whose conditions depend on data (and on integer arguments): the trip
count is decided at run time and the reverse pass replays it."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=106)


def halve_until_small(x):
    y = x
    while np.sum(y ** 2) > 1.0:
        y = y * 0.5
    return np.sum(y * x)


def newton_sqrt(a):
    y = a
    k = 0
    while abs(y * y - a) > 1e-12 and k < 50:
        y = 0.5 * (y + a / y)
        k += 1
    return y


def counted_while(x, n):
    i = 0
    s = 0.0
    while i < n:
        s = s + np.sum(x * i) + np.sum(np.sin(x))
        i = i + 1
    return s


def grow_until_threshold(a):
    s = a
    steps = 0
    while s < 10.0:
        s = s * 1.5 + a
        steps += 1
    return s / (steps + 1)


def accumulate_until_budget(x):
    i = 0
    s = 0.0
    while i < len(x) and s < 2.0:
        s = s + x[i] ** 2
        i += 1
    return s * x[0]


def while_true_with_break(x):
    y = x
    while True:
        y = y * 0.7 + 0.01 * np.sin(y)
        if np.max(np.abs(y)) < 0.3:
            break
    return np.sum(y ** 2)


def fixed_point_iteration(c):
    # x = cos(x) * c, iterated to convergence; d/dc of the fixed point
    x = 0.0
    delta = 1.0
    while delta > 1e-13:
        new = np.cos(x) * c
        delta = abs(new - x)
        x = new
    return x


def while_with_vector_state(x, w):
    h = x
    step = 0
    while np.linalg.norm(h) > 0.1 and step < 20:
        h = 0.6 * np.tanh(w * h)
        step += 1
    return np.sum(h) + step


def nested_while(x):
    s = 0.0
    i = 0
    while i < len(x):
        j = 0
        while j <= i:
            s = s + x[i] * x[j]
            j += 1
        i += 1
    return s


CASES = [
    *cases(halve_until_small, (normal(3) * 3.0,), (normal(2, 2) * 0.1,)),
    *cases(newton_sqrt, (2.0,), (0.7,), (9.3,)),
    *cases(counted_while, (normal(3), 0), (normal(3), 3)),
    *cases(grow_until_threshold, (0.3,), (2.0,)),
    *cases(accumulate_until_budget, (np.array([0.9, 0.5, -1.1, 0.3, 0.8]),),
           (np.array([0.2, 0.1]),)),
    *cases(while_true_with_break, (normal(3) * 2.0,)),
    *cases(fixed_point_iteration, (0.8,), (1.3,)),
    *cases(while_with_vector_state, (normal(3), positive(3)), argnums=(0, 1)),
    *cases(nested_while, (normal(4),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
