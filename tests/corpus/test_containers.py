"""Tuples, lists and dicts inside the function: built, indexed, unpacked (nested),
updated, iterated, and several values returned from helpers."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=108)


def low_high_mean(x):
    return np.min(x), np.max(x), np.mean(x)


def split_head_tail(v):
    return v[:2], v[2:]


def tuple_built_and_indexed(x):
    t = (x, x * 2.0, np.sin(x))
    return np.sum(t[0] * t[2] + t[1]) + np.sum(t[-1])


def tuple_unpacked_from_elements(x):
    a, b, c = x[0], x[1], x[2:]
    return a * b + np.sum(c * a)


def list_built_and_indexed(x):
    items = [x, x ** 2, np.exp(x)]
    return np.sum(items[1] * items[-1]) + np.sum(items[0])


def dict_built_and_updated(x, y):
    d = {"a": x * y, "b": x + y}
    d["c"] = d["a"] * d["b"]
    d["a"] = d["a"] + 1.0
    return np.sum(d["c"]) + np.sum(d["a"] ** 2)


def three_values_from_a_helper(x):
    lo, hi, mid = low_high_mean(x)
    return (hi - lo) * mid


def nested_unpacking(x):
    (a, b), c = (x[0], x[1]), x[2]
    return a * b * c + a


def iterate_list_of_pairs(x):
    pairs = [(x[0], x[1]), (x[2], x[3])]
    s = 0.0
    for a, b in pairs:
        s = s + a * b
    return s


def two_arrays_from_a_helper(x):
    head, tail = split_head_tail(x)
    return np.sum(head ** 2) * np.sum(tail)


def dict_of_lists_and_tuples(x):
    d = {"w": [x, 2.0 * x], "b": (x[0], x[1])}
    return np.sum(d["w"][1] * d["w"][0]) + d["b"][0] * d["b"][1]


def list_element_replaced(x):
    items = [x, x]
    items[1] = items[1] * 3.0
    return np.sum(items[0] * items[1])


def builtin_sum_of_list(x):
    return sum([x[0], x[1] ** 2, np.sum(x)])


def tuple_length_used(x):
    t = (x, x, x)
    return np.sum(x) * len(t)


def unpack_in_loop_header(x):
    s = 0.0
    for a, (b, c) in [(x[0], (x[1], x[2])), (x[2], (x[0], x[1]))]:
        s = s + a * b - c
    return s


def tuple_of_helper_results_in_dict(x):
    stats = {"bounds": low_high_mean(x)[:2], "scaled": low_high_mean(2.0 * x)}
    return stats["bounds"][1] - stats["bounds"][0] + stats["scaled"][2]


def list_concatenation(x):
    parts = [x[0]] + [x[1], x[2]]
    parts = parts + [x[0] * x[1]]
    return sum(parts) * parts[-1]


def augmented_list_and_dict_entries(x):
    lst = [x[0], x[1]]
    lst[0] += x[2]
    lst[1] *= x[3]
    d = {"a": x[0], "b": x * 1.0}
    d["a"] += x[1]
    d["b"] *= 2.0
    return lst[0] * lst[1] + d["a"] * np.sum(d["b"])


def list_and_tuple_of_an_array(x):
    xs = list(x)
    t = tuple(x[:2])
    return xs[0] * xs[-1] + t[0] * t[1]


CASES = [
    *cases(tuple_built_and_indexed, (normal(3),), (normal(2, 2),)),
    *cases(tuple_unpacked_from_elements, (normal(5),)),
    *cases(list_built_and_indexed, (normal(3),)),
    *cases(dict_built_and_updated, (normal(3), normal(3)), (normal(2, 3), 0.5),
           argnums=(0, 1)),
    *cases(three_values_from_a_helper, (normal(5),)),
    *cases(nested_unpacking, (normal(3),)),
    *cases(iterate_list_of_pairs, (normal(4),)),
    *cases(two_arrays_from_a_helper, (normal(5),)),
    *cases(dict_of_lists_and_tuples, (normal(3),)),
    *cases(list_element_replaced, (normal(3),)),
    *cases(builtin_sum_of_list, (normal(3),)),
    *cases(tuple_length_used, (normal(3),)),
    *cases(unpack_in_loop_header, (normal(3),)),
    *cases(tuple_of_helper_results_in_dict, (normal(4),)),
    *cases(augmented_list_and_dict_entries, (normal(4),)),
    *cases(list_and_tuple_of_an_array, (normal(4),)),
    *cases(list_concatenation, (normal(3),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
