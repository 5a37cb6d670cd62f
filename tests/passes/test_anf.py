"""anf: one operation per line with atomic operands; conditional expressions and
`and`/`or` become `if` statements that evaluate only what Python evaluates; chained
comparisons are split; local functions and lambdas are inlined."""
import math
import re

import numpy as np

from .corelang import (after_pass, assert_same_outputs, keyword_lines, random_inputs,
                       scalar, vector)


def nested_expression(x, y):
    return np.sin(x * y + np.exp(-x)) / (1.0 + y ** 2) - math.cos(2.0)


def conditional_expression(x):
    return x * 2.0 if x > 0 else -x


def nested_conditional_expressions(x, y):
    z = (x if x > y else y) if abs(x) < 1.0 else (0.0 if y > 0 else x * y)
    return z + (1.0 if z > 0 else -1.0)


def conditional_expression_guards_its_branches(x):
    return np.log(x) if x > 0 else 0.0


def conditional_as_call_argument(x):
    return np.exp(x if x < 1.0 else 1.0)


def and_short_circuit(x):
    if x is not None and x[0] > 0:
        return 1.0
    return 0.0


def or_short_circuit(x):
    if x is None or x[0] > 0:
        return 1.0
    return 0.0


def boolean_values(a, b, c):
    return (a and b), (a or b), (a and b or c), (a or b and c)


def boolean_of_numbers(x, y):
    z = x > 0 and y
    w = x < 0 or y * 2.0
    return z, w


def three_operand_and(xs):
    if len(xs) > 2 and xs[2] > 0 and xs[0] < xs[2]:
        return xs[2]
    return xs[0]


def chained_comparison(x, lo, hi):
    return lo < x <= hi


def chained_comparison_evaluates_middle_once(x):
    return 0.0 < np.sin(x) < 0.5 < 1.0


def chained_short_circuits(xs, i):
    return 0 <= i < len(xs) and xs[i] > 0


def not_and_unary(x, flag):
    y = -x if not flag else +x
    return y, not (x > 0), ~int(flag)


def local_lambda(x):
    square = lambda t: t * t
    return square(x) + square(x + 1.0)


def lambda_closing_over_a_local(x, w):
    scale = w * 3.0
    f = lambda t: t * scale + w
    return f(x)


def nested_def_with_closure_and_default(x, w):
    shift = w + 1.0

    def affine(t, a=2.0, *, b=0.5):
        u = a * t + shift
        return u * b

    return affine(x) + affine(x, 3.0) + affine(x, b=1.5)


def nested_def_with_control_flow(xs):
    def clipped_sum(v, limit):
        s = 0.0
        for e in v:
            if e > limit:
                break
            s = s + e
        return s if s > 0 else -s

    return clipped_sum(xs, 1.0) + clipped_sum(xs * 2.0, 0.5)


def nested_def_calls_nested_def(x):
    def inner(t):
        return t * 2.0

    def outer(t):
        return inner(t) + inner(t + 1.0)

    return outer(x)


def nested_def_with_early_return(x):
    def sign(t):
        if t > 0:
            return 1.0
        return -1.0

    return sign(x) * x


def local_names_shadowing_core(x):
    np_ = 2.0
    rt = x * np_
    math = rt + 1.0
    return np.sin(math)


def dict_and_list_literals(x, y):
    d = {"a": x * 2.0, "b": [y, x + y]}
    return d["a"] + d["b"][1]


def slices_with_expressions(x, k):
    return x[k + 1:2 * k + 2], x[::-1][k], x[None, k:]


def test_nested_expression_is_flattened():
    text = after_pass(nested_expression, "anf")
    assert len(text.strip().splitlines()) >= 8
    assert_same_outputs(nested_expression, random_inputs(scalar, scalar))
    assert_same_outputs(nested_expression, random_inputs(vector(3), vector(3)))


def test_conditional_expressions_become_ifs():
    text = after_pass(conditional_expression, "anf")
    assert not re.search(r"\S.* if .* else ", text)
    assert keyword_lines(text, "if")
    assert_same_outputs(conditional_expression, random_inputs(scalar))
    assert_same_outputs(nested_conditional_expressions,
                        random_inputs(scalar, scalar, trials=12))
    assert_same_outputs(conditional_as_call_argument, random_inputs(scalar))


def test_conditional_expression_evaluates_only_the_chosen_branch():
    with np.errstate(invalid="raise", divide="raise"):
        assert_same_outputs(conditional_expression_guards_its_branches,
                            [(2.0,), (-1.0,), (0.0,)])


def test_and_does_not_evaluate_its_second_operand_on_false():
    assert_same_outputs(and_short_circuit,
                        [(None,), (np.array([1.0, 2.0]),), (np.array([-1.0]),)])


def test_or_does_not_evaluate_its_second_operand_on_true():
    assert_same_outputs(or_short_circuit,
                        [(None,), (np.array([1.0, 2.0]),), (np.array([-1.0]),)])


def test_and_or_return_an_operand():
    values = [0.0, 1.0, 2.5, None]
    inputs = [(a, b, c) for a in values for b in values for c in values[:2]]
    assert_same_outputs(boolean_values, inputs)
    assert_same_outputs(boolean_of_numbers, [(1.0, 2.0), (-1.0, 0.0), (0.0, 3.0)])
    assert_same_outputs(three_operand_and,
                        [(np.array([1.0, 2.0]),), (np.array([1.0, 2.0, 3.0]),),
                         (np.array([5.0, 2.0, 3.0]),), (np.array([1.0, 2.0, -3.0]),)])


def test_chained_comparisons_are_split():
    text = after_pass(chained_comparison, "anf")
    assert "lo < x <= hi" not in text
    inputs = [(x, 0.0, 1.0) for x in (-0.5, 0.0, 0.5, 1.0, 1.5)]
    assert_same_outputs(chained_comparison, inputs)


def test_chained_comparison_evaluates_its_middle_operand_once():
    # Python evaluates `b` once in `a < b < c`; the split form must not repeat it.
    text = after_pass(chained_comparison_evaluates_middle_once, "anf")
    assert text.count("np.sin(") == 1, text
    assert_same_outputs(chained_comparison_evaluates_middle_once,
                        [(0.2,), (-0.2,), (1.2,)])


def test_chained_comparison_short_circuits():
    xs = np.array([1.0, -2.0, 3.0])
    assert_same_outputs(chained_short_circuits, [(xs, i) for i in (-1, 0, 1, 2, 3, 10)])


def test_unary_operators():
    assert_same_outputs(not_and_unary, [(1.5, True), (-2.0, False), (0.0, True)])


def test_local_lambdas_are_inlined():
    text = after_pass(local_lambda, "anf")
    assert "lambda " not in text and "square(" not in text
    assert_same_outputs(local_lambda, random_inputs(scalar))
    assert_same_outputs(lambda_closing_over_a_local, random_inputs(scalar, scalar))


def test_nested_defs_are_inlined_with_defaults_and_closures():
    text = after_pass(nested_def_with_closure_and_default, "anf")
    assert "def affine" not in text
    assert_same_outputs(nested_def_with_closure_and_default, random_inputs(scalar, scalar))


def test_nested_def_with_loops_and_returns():
    assert_same_outputs(nested_def_with_control_flow, random_inputs(vector(5), trials=10))
    assert_same_outputs(nested_def_with_early_return, random_inputs(scalar))


def test_nested_def_calling_another_nested_def():
    assert_same_outputs(nested_def_calls_nested_def, random_inputs(scalar))


def test_locals_named_like_core_modules():
    assert_same_outputs(local_names_shadowing_core, random_inputs(scalar))


def test_container_literals_and_slices():
    assert_same_outputs(dict_and_list_literals, random_inputs(scalar, scalar))
    assert_same_outputs(slices_with_expressions,
                        [(np.arange(8.0), k) for k in (0, 1, 2)])


def closure_sees_the_latest_value(x):
    k = 1.0

    def scaled(t):
        return t * k
    k = 3.0
    return scaled(x)


def parameter_shadows_an_outer_local(x):
    t = 5.0

    def double(t):
        return t * 2.0
    return double(x) + t


def local_names_of_an_inlined_function_stay_apart(x):
    def g(t):
        u = t * 2.0
        return u
    u = 10.0
    return g(x) + g(u) + u


def lambda_defined_in_a_loop(xs):
    s = 0.0
    for i in range(len(xs)):
        f = lambda t: t * i
        s = s + f(xs[i])
    return s


def conditional_expression_in_a_while_test(xs):
    s = 0.0
    i = 0
    while (xs[i] if i < len(xs) else -1.0) > 0:
        s = s + xs[i]
        i = i + 1
    return s


def test_inlined_functions_keep_python_scoping():
    assert_same_outputs(closure_sees_the_latest_value, random_inputs(scalar))
    assert_same_outputs(parameter_shadows_an_outer_local, random_inputs(scalar))
    assert_same_outputs(local_names_of_an_inlined_function_stay_apart, random_inputs(scalar))
    assert_same_outputs(lambda_defined_in_a_loop, random_inputs(vector(4)))


def test_conditional_expression_in_a_while_test_is_recomputed_each_iteration():
    assert_same_outputs(conditional_expression_in_a_while_test,
                        [(np.array([1.0, 2.0, -1.0, 4.0]),), (np.array([1.0, 2.0]),),
                         (np.array([-1.0]),)])
