"""for loops: fixed and argument-driven trip counts (zero included), range with
start/stop/step and negative steps, nested and triangular loops, loops over arrays
and their rows, zip, enumerate(start=...), and dict items()/keys()/values()."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=104)


def fixed_trip_count(x):
    y = x
    for _ in range(5):
        y = np.sin(y) + x
    return np.sum(y)


def argument_trip_count(x, n):
    y = x
    for k in range(n):
        y = y * 0.5 + np.cos(k * x)
    return np.sum(y)


def strided_range(x):
    s = 0.0
    for i in range(1, len(x), 2):
        s = s + x[i] * x[i - 1]
    return s


def reversed_range(x):
    s = 0.0
    for i in range(len(x) - 1, -1, -1):
        s = s * 0.5 + x[i]
    return s


def nested_loops(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            s = s + A[i, j] * (i + 1) * np.sin(A[i, j])
    return s


def triangular_loops(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(i):
            s = s + A[i, j] * A[j, i]
    return s


def three_nested_loops(x, n):
    s = 0.0
    for i in range(n):
        for j in range(n):
            for k in range(len(x)):
                s = s + x[k] ** 2 * (i - j) + x[k] * k
    return s


def over_array_elements(x):
    s = 0.0
    for v in x:
        s = s + v ** 2 * np.exp(-v)
    return s


def over_matrix_rows(A, w):
    s = 0.0
    for row in A:
        s = s + np.tanh(row @ w)
    return s


def over_zip(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b + a ** 2
    return s


def over_enumerate_from_one(x):
    s = 0.0
    for k, v in enumerate(x, start=1):
        s = s + v / k
    return s


def over_enumerate_of_zip(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + i * a * b + a
    return s


def over_dict_items(params):
    s = 0.0
    for name, value in params.items():
        s = s + np.sum(value ** 2)
    return s


def over_dict_keys(params, x):
    s = 0.0
    for k in params.keys():
        s = s + np.sum(params[k] * x)
    return s


def over_dict_values(params):
    s = 1.0
    for v in params.values():
        s = s * np.sum(np.sin(v))
    return s


def over_dict_directly(params):
    s = 0.0
    for k in params:
        s = s + np.mean(params[k]) ** 2
    return s


def over_list_argument(ws, x):
    h = x
    for w in ws:
        h = np.tanh(w @ h)
    return np.sum(h)


def two_carried_values(x):
    a, b = 1.0, 0.0
    for v in x:
        a, b = a * v + b, a
    return a + b


def over_zip_of_rows(A, B):
    s = 0.0
    for a, b in zip(A, B):
        s = s + np.dot(a, b)
    return s


def over_tuple_literal(x):
    s = 0.0
    for c in (0.5, 1.0, 2.0):
        s = s + np.sum(np.sin(c * x))
    return s


def loop_counter_from_shape(A):
    total = A[0] * 0.0
    for i in range(A.shape[0] - 1):
        total = total + A[i + 1] - A[i] ** 2
    return np.sum(total ** 2)


def zero_trip_loop_from_empty_slice(x):
    s = 0.0
    for i in range(len(x[5:])):
        s = s + x[i]
    return s + np.sum(x)


def builtin_sum_over_rows(A):
    return np.sum(sum(A) ** 2)


def long_loop(x):
    s = x
    for _ in range(200):
        s = np.sin(s) * 0.9 + 0.1 * x
    return np.sum(s)


PARAMS = {"w": normal(3, 2), "b": normal(2), "c": 0.7}

CASES = [
    *cases(fixed_trip_count, (normal(3),), (0.4,)),
    *cases(argument_trip_count, (normal(3), 0), (normal(3), 4), (normal(2, 2), 2)),
    *cases(strided_range, (normal(6),), (normal(7),)),
    *cases(reversed_range, (normal(5),)),
    *cases(nested_loops, (normal(2, 3),), (normal(3, 1),)),
    *cases(triangular_loops, (normal(4, 4),)),
    *cases(three_nested_loops, (normal(3), 2), (normal(2), 3)),
    *cases(over_array_elements, (normal(5),)),
    *cases(over_matrix_rows, (normal(4, 3), normal(3)), argnums=(0, 1)),
    *cases(over_zip, (normal(4), normal(4)), (normal(3), normal(5)), argnums=(0, 1)),
    *cases(over_enumerate_from_one, (normal(5),)),
    *cases(over_enumerate_of_zip, (normal(4), normal(4)), argnums=(0, 1)),
    *cases(over_dict_items, (PARAMS,)),
    *cases(over_dict_keys, ({"a": normal(3), "b": normal(3)}, normal(3)), argnums=(0, 1)),
    *cases(over_dict_values, ({"u": normal(2), "v": normal(2, 2)},)),
    *cases(over_dict_directly, (PARAMS,)),
    *cases(over_list_argument, ([normal(3, 3), normal(2, 3)], normal(3)), argnums=(0, 1)),
    *cases(two_carried_values, (normal(5),)),
    *cases(over_zip_of_rows, (normal(3, 2), normal(3, 2)), argnums=(0, 1)),
    *cases(over_tuple_literal, (normal(3),)),
    *cases(zero_trip_loop_from_empty_slice, (normal(4),), (normal(7),)),
    *cases(builtin_sum_over_rows, (normal(3, 2),)),
    *cases(long_loop, (normal(4),)),
    *cases(loop_counter_from_shape, (normal(4, 2),), (normal(1, 3),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
