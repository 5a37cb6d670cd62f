"""lower_for: every loop iterates over `range(...)` with a plain name, and visits the
same elements in the same order as the loop the user wrote."""
import numpy as np

from .corelang import (after_pass, assert_same_outputs, matrix, random_inputs, scalar,
                       vector)


def over_array(xs):
    s = 0.0
    for x in xs:
        s = s + x * x
    return s


def over_matrix_rows(a):
    total = np.zeros(a.shape[1])
    for row in a:
        total = total + np.sin(row)
    return total


def over_zip(xs, ys):
    s = 0.0
    for x, y in zip(xs, ys):
        s = s + x * y
    return s


def over_zip_of_three_unequal(xs, ys, zs):
    s = 0.0
    for x, y, z in zip(xs, ys, zs):
        s = s + x * y - z
    return s


def over_enumerate(xs):
    s = 0.0
    for i, x in enumerate(xs):
        s = s + i * x
    return s


def over_enumerate_from_one(xs):
    s = 0.0
    for i, x in enumerate(xs, start=1):
        s = s + x / i
    return s


def over_enumerate_positional_start(xs):
    s = 0.0
    for i, x in enumerate(xs, 3):
        s = s + x * i
    return s


def over_enumerate_zip(xs, ys):
    s = 0.0
    for i, (x, y) in enumerate(zip(xs, ys)):
        s = s + i * x - y
    return s


def over_items(x):
    d = {"a": x, "b": x * 2.0, "c": x - 1.0}
    s = 0.0
    for key, value in d.items():
        if key == "b":
            s = s + value * 10.0
        else:
            s = s + value
    return s


def over_keys(x):
    d = {"b": x * 3.0, "a": x}
    s = 0.0
    for k in d.keys():
        s = s * 2.0 + d[k]
    return s


def over_values(x):
    d = {"p": x, "q": np.sin(x)}
    s = 1.0
    for v in d.values():
        s = s * v + 1.0
    return s


def over_dict_argument(params):
    s = 0.0
    for name, w in params.items():
        s = s + np.sum(w * w)
    return s


def over_list_of_arrays(x):
    layers = [x, x * 2.0, x + 1.0]
    s = 0.0
    for layer in layers:
        s = s + np.sum(layer)
    return s


def over_tuple_pairs(x):
    pairs = [(x, 1.0), (x * 2.0, 3.0)]
    s = 0.0
    for a, b in pairs:
        s = s + a * b
    return s


def range_variable_reassigned(n, x):
    s = 0.0
    for i in range(n):
        i = i * 2
        s = s + i * x
    return s


def range_with_start_stop_step(x):
    s = 0.0
    for i in range(1, 10, 3):
        s = s + i * x
    return s


def iterable_rebound_in_body(xs):
    s = 0.0
    for x in xs:
        xs = xs * 2.0
        s = s + x + xs[0]
    return s


def nested_loops(a):
    s = 0.0
    for row in a:
        for v in row:
            s = s + v * v
    return s


def loop_variable_after_loop(xs):
    last = 0.0
    for x in xs:
        last = x
    return last + x


def _for_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip().startswith("for ")]


def test_for_over_an_array_indexes_it():
    text = after_pass(over_array, "lower_for")
    # the iterable goes through rt.as_sequence (a dict would give its keys); code
    # specialised to an array argument drops it again
    assert "xs_seq = rt.as_sequence(xs)" in text
    assert _for_lines(text) == ["for i in range(len(xs_seq)):"]
    assert "x = xs_seq[i]" in text
    assert_same_outputs(over_array, random_inputs(vector(5)))


def over_dict_keys(d):
    total = 0.0
    for key in d:
        total = total + d[key] * len(key)
    return total


def test_for_over_a_dict_walks_its_keys():
    d = {"a": 1.5, "bb": -2.0}
    assert_same_outputs(over_dict_keys, [(d,)])


def test_for_over_matrix_rows():
    assert_same_outputs(over_matrix_rows, random_inputs(matrix(4, 3)))


def test_for_over_zip_stops_at_the_shortest():
    text = after_pass(over_zip, "lower_for")
    assert "min(len(xs_seq), len(ys_seq))" in text
    assert_same_outputs(over_zip, random_inputs(vector(4), vector(4)))
    assert_same_outputs(over_zip, random_inputs(vector(4), vector(6)))
    assert_same_outputs(over_zip_of_three_unequal,
                        random_inputs(vector(5), vector(3), vector(4)))


def test_enumerate_uses_its_counter_as_the_loop_variable():
    text = after_pass(over_enumerate, "lower_for")
    assert _for_lines(text) == ["for i in range(len(xs_seq)):"]
    assert_same_outputs(over_enumerate, random_inputs(vector(5)))


def test_enumerate_with_start():
    assert_same_outputs(over_enumerate_from_one, random_inputs(vector(5)))
    assert_same_outputs(over_enumerate_positional_start, random_inputs(vector(4)))


def test_enumerate_of_zip():
    assert_same_outputs(over_enumerate_zip, random_inputs(vector(4), vector(5)))


def test_dict_items_keys_values():
    text = after_pass(over_items, "lower_for")
    assert "rt.dict_keys(d)" in text
    assert ".items()" not in text
    assert_same_outputs(over_items, random_inputs(scalar))
    assert_same_outputs(over_keys, random_inputs(scalar))
    assert_same_outputs(over_values, random_inputs(scalar))


def test_items_of_a_dict_argument():
    params = [({"w": rng.standard_normal(3), "b": rng.standard_normal(2)},)
              for rng in [np.random.default_rng(k) for k in range(4)]]
    assert_same_outputs(over_dict_argument, params)


def test_over_lists_of_arrays_and_of_tuples():
    assert_same_outputs(over_list_of_arrays, random_inputs(vector(3)))
    assert_same_outputs(over_tuple_pairs, random_inputs(scalar))


def test_range_loop_variable_reassigned_in_the_body():
    text = after_pass(range_variable_reassigned, "lower_for")
    loop = _for_lines(text)
    assert len(loop) == 1 and not loop[0].startswith("for i in")
    assert_same_outputs(range_variable_reassigned, [(0, 1.5), (1, 2.0), (5, -0.5)])


def test_range_with_start_stop_step_is_kept():
    text = after_pass(range_with_start_stop_step, "lower_for")
    assert _for_lines(text) == ["for i in range(1, 10, 3):"]
    assert_same_outputs(range_with_start_stop_step, random_inputs(scalar))


def test_iterable_rebound_in_the_body_is_read_from_a_copy():
    assert_same_outputs(iterable_rebound_in_body, random_inputs(vector(4)))


def test_nested_loops():
    assert_same_outputs(nested_loops, random_inputs(matrix(3, 2)))


def test_loop_variable_keeps_its_last_value_after_the_loop():
    assert_same_outputs(loop_variable_after_loop, random_inputs(vector(3)))


def zip_with_a_nested_target(pairs, cs):
    s = 0.0
    for (a, b), c in zip(pairs, cs):
        s = s + a * b - c
    return s


def enumerate_counter_reassigned(xs):
    s = 0.0
    for i, x in enumerate(xs):
        i = i * 2
        s = s + i * x
    return s


def test_zip_with_a_nested_target():
    assert_same_outputs(zip_with_a_nested_target,
                        [([(1.0, 2.0), (3.0, 4.0)], np.array([0.5, 0.25, 9.0]))])


def test_enumerate_counter_reassigned_in_the_body():
    assert_same_outputs(enumerate_counter_reassigned, random_inputs(vector(4)))
