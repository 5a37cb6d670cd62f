"""break, continue and early return: in single loops, nested loops, inside ifs and
elifs, and in while loops."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=103)


def break_on_threshold(x):
    s = 0.0
    for v in x:
        if s > 2.0:
            break
        s = s + v ** 2
    return s


def continue_on_negative(x):
    s = 0.0
    for v in x:
        if v < 0:
            continue
        s = s + np.sqrt(v)
    return s


def early_return_in_loop(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * x[i]
        if s > 1.5:
            return s * i
    return -s


def early_return_at_top(x):
    if np.min(x) > 0:
        return np.sum(np.log(x))
    y = x ** 2
    return np.sum(y)


def break_inner_loop(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] < -1.0:
                break
            s = s + A[i, j] * (j + 1)
        s = s * 0.9
    return s


def continue_outer_break_inner(A):
    s = 0.0
    for row in A:
        if np.sum(row) < 0:
            continue
        for v in row:
            if v > 1.0:
                break
            s = s + v ** 3
    return s


def return_from_nested_loops(A):
    acc = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            acc = acc + A[i, j] ** 2
            if acc > 3.0:
                return acc * A[i, j]
    return acc


def return_inside_elif_loop(a):
    if a > 2.0:
        return a ** 2
    elif a > 0.0:
        for k in range(3):
            a = a * 1.1
            if a > 1.0:
                return a * 3.0
    return a - 1.0


def continue_skips_buffer_write(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        if i % 2 == 0:
            continue
        out[i] = x[i] * x[i - 1]
    return np.sum(out) + np.sum(x)


def break_in_while(x):
    i = 0
    s = 1.0
    while i < len(x):
        s = s * (1.0 + x[i])
        if s > 3.0:
            break
        i += 1
    return s


def break_and_continue_together(x):
    s = 0.0
    for i, v in enumerate(x):
        if i == 0:
            continue
        if v * x[i - 1] > 1.5:
            break
        if v < 0:
            continue
        s = s + v * x[i - 1]
    return s + x[0]


def return_in_both_branches_after_loop(x):
    y = x
    for _ in range(2):
        y = np.tanh(y) + x
    if np.sum(y) > 0:
        return np.sum(y ** 2)
    else:
        return -np.sum(y)


def search_then_use(x):
    # the index found by the loop selects what the rest differentiates
    found = 0
    for i in range(len(x)):
        if x[i] > 1.0:
            found = i
            break
    return x[found] ** 2 + np.sum(x[found:])


def return_inside_while(x):
    s = 0.0
    i = 0
    while i < len(x):
        s = s + x[i] ** 2
        if s > 1.0:
            return s * 2.0
        i += 1
    return s


def continue_in_while(x):
    y = x
    k = 0
    while k < 3:
        k += 1
        if k == 2:
            continue
        y = y * np.cos(y)
    return np.sum(y)


def continue_in_inner_triangular_loop(x):
    n = len(x)
    total = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            if x[i] * x[j] < 0:
                continue
            total = total + x[i] * x[j]
    return total


def last_value_after_break(x):
    last = 0.0
    for v in x:
        last = v
        if v > 0.5:
            break
    return last * 2.0 + x[0]


def _grow_until_large(v):
    for k in range(3):
        if v > 1.0:
            return v * k
        v = v * 1.5
    return v


def helper_with_early_return_in_loop(x):
    total = 0.0
    for i in range(len(x)):
        total = total + _grow_until_large(x[i])
    return total


def unconditional_return_in_loop(x, s):
    for q in x:
        return s * q
    return s


def unconditional_break_after_work(x):
    t = 1.0
    for q in x:
        t = t * q + 1.0
        break
    return t * x[-1]


def unconditional_return_in_inner_loop(A):
    s = 0.0
    for row in A:
        s = s + np.sum(row ** 2)
        for v in row:
            return s * v
    return s


def unconditional_return_in_while(x):
    k = 0
    s = 0.0
    while k < len(x):
        s = s + x[k] ** 2
        k = k + 1
        return s * x[-1]
    return s


CASES = [
    *cases(unconditional_return_in_loop, (np.array([0.3, -1.2, 0.5]), 0.7),
           (np.zeros(0), 0.7), argnums=(0, 1)),
    *cases(unconditional_break_after_work, (np.array([0.3, -1.2, 0.5]),)),
    *cases(unconditional_return_in_inner_loop, (np.array([[0.3, -1.2], [0.5, 0.4]]),)),
    *cases(unconditional_return_in_while, (np.array([0.3, -1.2, 0.5]),)),
    *cases(break_on_threshold, (np.array([0.9, 1.2, 0.8, -0.4, 2.0]),), (normal(3) * 0.3,)),
    *cases(continue_on_negative, (np.array([0.5, -0.3, 1.2, -2.0, 0.9]),)),
    *cases(early_return_in_loop, (np.array([0.7, 0.6, 1.0, 0.2]),),
           (np.array([0.1, 0.2, 0.3]),)),
    *cases(early_return_at_top, (positive(3),), (normal(3) - 2.0,)),
    *cases(break_inner_loop, (np.array([[0.3, -1.5, 0.4], [0.2, 0.5, -0.7]]),),
           (normal(2, 2) * 0.2,)),
    *cases(continue_outer_break_inner,
           (np.array([[0.3, 1.4, 0.4], [-0.9, -0.5, 0.1], [0.5, 0.2, 0.9]]),)),
    *cases(return_from_nested_loops, (np.array([[0.8, 1.1], [0.9, 0.7], [1.0, 0.4]]),),
           (normal(2, 2) * 0.3,)),
    *cases(return_inside_elif_loop, (3.0,), (0.5,), (0.2,), (-1.0,)),
    *cases(continue_skips_buffer_write, (normal(5),)),
    *cases(break_in_while, (np.array([0.5, 0.6, 0.7, 0.4]),), (normal(3) * 0.1,)),
    *cases(break_and_continue_together,
           (np.array([0.8, 0.9, -0.5, 0.7, 1.6, 1.4, 0.3]),)),
    *cases(return_in_both_branches_after_loop, (positive(3),), (-positive(3) * 2.0,)),
    *cases(return_inside_while, (np.array([0.6, 0.5, 0.9, 0.3]),),
           (np.array([0.1, -0.2, 0.3]),)),
    *cases(continue_in_while, (normal(3),)),
    *cases(continue_in_inner_triangular_loop, (normal(5),)),
    *cases(last_value_after_break, (np.array([0.2, 0.9, 0.1]),), (np.array([0.1, 0.2]),)),
    *cases(helper_with_early_return_in_loop, (np.array([0.3, 1.2, 0.8, -0.4]),)),
    *cases(search_then_use, (np.array([0.2, 0.5, 1.3, 0.4, 2.0]),),
           (np.array([0.1, 0.2]),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
