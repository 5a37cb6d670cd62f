"""lower_comprehensions: list comprehensions become loops appending to a fresh list,
with the same elements in the same order and no leaked loop variables."""
import numpy as np

from .corelang import after_pass, assert_same_outputs, random_inputs, scalar, vector


def squares(xs):
    ys = [x * x for x in xs]
    return np.array(ys)


def filtered(xs):
    ys = [np.sin(x) for x in xs if x > 0]
    return len(ys), sum(ys)


def two_conditions(xs):
    ys = [x * 2.0 for x in xs if x > -1.0 if x < 1.0]
    return ys


def two_generators(xs, ys):
    return [x * y for x in xs for y in ys if x < y]


def inner_depends_on_outer(a):
    return [v * 2.0 for row in a for v in row if v > row[0]]


def nested_comprehension(xs, ys):
    table = [[x - y for y in ys] for x in xs]
    return np.array(table)


def nested_in_the_condition(xs, ys):
    return [x for x in xs if x > max([y * 0.5 for y in ys])]


def loop_variable_does_not_leak(xs):
    x = 10.0
    ys = [x + 1.0 for x in xs]
    return x + ys[0]


def uses_an_outer_local(xs, w):
    scale = w * 2.0
    return [x * scale for x in xs]


def over_range_and_zip(xs, ys):
    a = [xs[i] * i for i in range(len(xs))]
    b = [x - y for x, y in zip(xs, ys)]
    return a, b


def over_enumerate(xs):
    return [x * i for i, x in enumerate(xs, start=1)]


def comprehension_as_call_argument(xs):
    return np.sum(np.array([np.exp(x) for x in xs])) + len([x for x in xs if x > 0])


def comprehension_in_a_loop(xs):
    total = 0.0
    for k in range(3):
        total = total + sum([x * k for x in xs])
    return total


def comprehension_in_a_return_of_a_tuple(xs):
    return [x for x in xs], [x + 1.0 for x in xs]


def test_comprehension_becomes_an_appending_loop():
    text = after_pass(squares, "lower_comprehensions")
    assert "[x * x for" not in text
    assert ".append(" in text and "for " in text
    assert_same_outputs(squares, random_inputs(vector(4)))


def test_conditions_become_ifs():
    text = after_pass(filtered, "lower_comprehensions")
    assert "if " in text
    assert_same_outputs(filtered, random_inputs(vector(6)))
    assert_same_outputs(two_conditions, random_inputs(vector(8)))


def test_several_generators_nest_in_order():
    assert_same_outputs(two_generators, random_inputs(vector(3), vector(4)))
    assert_same_outputs(inner_depends_on_outer,
                        [(np.random.default_rng(k).standard_normal((3, 4)),)
                         for k in range(4)])


def test_nested_comprehensions():
    text = after_pass(nested_comprehension, "lower_comprehensions")
    assert "for y in ys]" not in text
    assert_same_outputs(nested_comprehension, random_inputs(vector(3), vector(2)))
    assert_same_outputs(nested_in_the_condition, random_inputs(vector(5), vector(3)))


def test_loop_variable_does_not_leak():
    assert_same_outputs(loop_variable_does_not_leak, random_inputs(vector(3)))


def test_closes_over_outer_locals():
    assert_same_outputs(uses_an_outer_local, random_inputs(vector(3), scalar))


def test_over_range_zip_and_enumerate():
    assert_same_outputs(over_range_and_zip, random_inputs(vector(4), vector(3)))
    assert_same_outputs(over_enumerate, random_inputs(vector(4)))


def test_comprehensions_inside_calls_loops_and_tuples():
    assert_same_outputs(comprehension_as_call_argument, random_inputs(vector(4)))
    assert_same_outputs(comprehension_in_a_loop, random_inputs(vector(3)))
    assert_same_outputs(comprehension_in_a_return_of_a_tuple, random_inputs(vector(2)))


def inner_condition_uses_the_outer_variable(xs, ys):
    return [x for x in xs if x > max([y * x for y in ys])]


def inner_element_uses_the_outer_variable(xs):
    return [sum([x * k for k in range(3)]) for x in xs]


def test_inner_comprehension_that_depends_on_the_outer_variable():
    assert_same_outputs(inner_condition_uses_the_outer_variable,
                        random_inputs(vector(5), vector(3)))
    assert_same_outputs(inner_element_uses_the_outer_variable, random_inputs(vector(3)))
