"""Reassignment and shadowing: names rebound in loops and branches, arguments
rebound, one name holding a scalar then an array, tuple swaps."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=105)


def doubled_in_loop(x):
    for _ in range(3):
        x = x * 2.0 + np.sin(x)
    return np.sum(x)


def scalar_then_array(x):
    y = np.sum(x)
    y = y * x
    y = np.cos(y)
    return np.sum(y)


def arguments_rebound(x, y):
    x = x + y
    y = x * y
    x = x * y
    return np.sum(x + y)


def swapped_in_loop(x, y):
    for _ in range(3):
        x, y = y, x * y + 1.0
    return np.sum(x * 2.0 + y)


def running_total(x):
    total = 0.0
    total = total + np.sum(x)
    total = total * total
    total = total - np.sum(x ** 3)
    return total


def rebound_in_branches(x):
    y = x
    if np.sum(x) > 0:
        y = y * 3.0
    else:
        y = -y
    y = y ** 2
    return np.sum(y)


def loop_variable_reuses_a_name(x):
    i = np.sum(x)
    s = i * 2.0
    for i in range(2):
        s = s + x[i] * i
    return s + i


def augmented_on_a_local_copy(x):
    acc = x + 0.0
    for k in range(4):
        acc *= 0.9
        acc += x * k
    return np.sum(acc)


def name_reused_for_different_shapes(A):
    h = A @ A.T
    h = np.sum(h, axis=0)
    h = np.tanh(h)
    h = h[0] * h[-1]
    return h


def rebound_after_use(x):
    a = np.exp(x)
    b = a * x
    a = np.log(1.0 + a)
    c = a * b
    b = c - b
    return np.sum(a + b + c)


def self_referencing_loop(x):
    y = x
    for k in range(1, 4):
        y = y * x / k + y
    return np.sum(y)


def reversed_and_rebound(x):
    for _ in range(3):
        x = x[::-1] * 2.0 + x
    return np.sum(x * np.arange(len(x)))


def augmented_scalar_accumulator(x):
    s = 0.0
    for v in x:
        s += v * v
    s *= 2.0
    s -= x[0]
    return s


def chained_assignment(x):
    a = b = x * 2.0
    a = a + 1.0
    return np.sum(a * b)


def defined_in_loop_used_after(x):
    for i in range(3):
        t = x * i + np.sin(x)
    return np.sum(t)


def defined_on_first_iteration(x):
    for i in range(len(x)):
        if i == 0:
            prev = x[i]
        else:
            prev = prev * x[i] + 1.0
    return prev


CASES = [
    *cases(doubled_in_loop, (normal(4),), (0.3,)),
    *cases(scalar_then_array, (normal(3) * 0.5,), (normal(2, 2) * 0.5,)),
    *cases(arguments_rebound, (normal(3), normal(3)), (normal(2, 3), normal(3)),
           argnums=(0, 1)),
    *cases(swapped_in_loop, (normal(3) * 0.5, normal(3) * 0.5), argnums=(0, 1)),
    *cases(running_total, (normal(4),)),
    *cases(rebound_in_branches, (positive(3),), (-positive(3),)),
    *cases(loop_variable_reuses_a_name, (normal(3),)),
    *cases(augmented_on_a_local_copy, (normal(3),), (normal(2, 2),)),
    *cases(name_reused_for_different_shapes, (normal(3, 2) * 0.5,)),
    *cases(rebound_after_use, (normal(4),)),
    *cases(reversed_and_rebound, (normal(4),)),
    *cases(augmented_scalar_accumulator, (normal(4),)),
    *cases(chained_assignment, (normal(3),)),
    *cases(defined_in_loop_used_after, (normal(3),)),
    *cases(defined_on_first_iteration, (normal(4),)),
    *cases(self_referencing_loop, (normal(3),), (normal(2, 2),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
