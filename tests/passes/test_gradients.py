"""The normalised forms differentiate correctly: reverse mode runs on what the passes
produce, so each construct the pass tests cover is checked against finite differences
(tests/helpers/check_grads.py) on the user's original function."""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads

from . import test_anf as anf
from . import test_core_language as core
from . import test_desugar_assign as desugar
from . import test_lower_comprehensions as comprehensions
from . import test_lower_for as lower_for
from . import test_rename_versions as protect
from . import test_structure_jumps as jumps

V = np.array([0.3, 0.45, -1.2, 0.8, 1.6])
M = np.array([[0.3, -0.7, 0.2], [1.1, 0.4, -0.9], [-0.2, 0.6, 0.5]])

CASES = [
    (jumps.early_return, (0.7,)),
    (jumps.early_return, (-0.7,)),
    (jumps.return_in_both_branches, (1.4,)),
    (jumps.return_in_elif, (0.7,)),
    (jumps.return_in_elif, (0.3,)),
    (jumps.return_from_a_loop, (V,)),
    (jumps.return_from_nested_loops, (M * 2.0,)),
    (jumps.break_first_negative, (V,)),
    (jumps.break_inner_loop_only, (M,)),
    (jumps.break_deep_inside_ifs, (V, 1.0)),
    (jumps.continue_and_break, (V,)),
    (jumps.continue_in_nested_loops, (M,)),
    (jumps.while_with_continue_and_return, (V,)),
    (anf.nested_expression, (0.3, 0.8)),
    (anf.nested_conditional_expressions, (0.3, 0.8)),
    (anf.nested_conditional_expressions, (1.3, -0.8)),
    (anf.local_lambda, (0.4,)),
    (anf.lambda_closing_over_a_local, (0.4, 1.2)),
    (anf.nested_def_with_closure_and_default, (0.4, 1.2)),
    (anf.nested_def_with_control_flow, (V,)),
    (anf.nested_def_calls_nested_def, (0.4,)),
    (anf.nested_def_with_early_return, (-0.4,)),
    (anf.local_names_shadowing_core, (0.4,)),
    (anf.dict_and_list_literals, (0.4, 0.9)),
    (lower_for.over_array, (V,)),
    (lower_for.over_zip, (V, V[:3] * 2.0)),
    (lower_for.over_enumerate_from_one, (V,)),
    (lower_for.over_enumerate_zip, (V, V + 1.0)),
    (lower_for.over_items, (0.4,)),
    (lower_for.over_keys, (0.4,)),
    (lower_for.over_values, (0.4,)),
    (lower_for.over_dict_argument, ({"w": V[:2], "b": V[2:]},)),
    (lower_for.over_list_of_arrays, (V[:3],)),
    (lower_for.over_tuple_pairs, (0.4,)),
    (lower_for.iterable_rebound_in_body, (V,)),
    (lower_for.nested_loops, (M,)),
    (lower_for.loop_variable_after_loop, (V,)),
    (desugar.augmented_names, (0.3, 0.8)),
    (desugar.swap, (0.3, 0.8)),
    (desugar.rotate, (0.3, 0.8, 0.1)),
    (desugar.nested_targets, (0.3, 0.8)),
    (desugar.unpack_call, (0.3,)),
    (desugar.unpack_name, (0.3, 0.5)),
    (desugar.unpack_nested_call, (0.3,)),
    (desugar.multiple_targets, (0.3,)),
    (desugar.annotated, (0.3,)),
    (desugar.augmented_scalar_parameter, (0.3,)),
    (comprehensions.comprehension_as_call_argument, (V,)),
    (comprehensions.comprehension_in_a_loop, (V,)),
    (protect.reassigned, (0.3,)),
    (protect.reassigned_in_a_loop, (0.3, 3)),
    (protect.reassigned_in_a_branch, (0.3, 0.5)),
    (protect.reassigned_in_a_branch, (0.3, -0.5)),
    (protect.unpacked_into_parameters, (0.3, 0.5)),
    (protect.loop_variable_named_like_a_parameter, (0.3, V)),
    (core.everything, (V, np.array([0.5, 0.2]))),
    (anf.closure_sees_the_latest_value, (0.4,)),
    (anf.local_names_of_an_inlined_function_stay_apart, (0.4,)),
    (anf.lambda_defined_in_a_loop, (V,)),
    (anf.conditional_expression_in_a_while_test, (np.array([1.0, 2.0, -1.0]),)),
    (desugar.fibonacci_like, (0.4,)),
    (lower_for.enumerate_counter_reassigned, (V,)),
    (jumps.return_from_an_inlined_function_inside_a_loop, (V,)),
    (jumps.return_from_a_while_inside_a_for, (V,)),
]


@pytest.mark.parametrize("fn, args", CASES,
                         ids=["%s-%d" % (fn.__name__, k) for k, (fn, _) in enumerate(CASES)])
def test_gradient_of_a_normalised_construct(fn, args):
    check_grads(fn, args)


# Scalar-valued variants of constructs whose pass tests return arrays or tuples.

def while_loop_to_tolerance(x):
    n = 0
    while abs(x) > 0.01 and n < 6:
        x = np.sin(x) * 0.8
        n = n + 1
    return x


def augmented_element_of_a_local(x):
    out = x * 1.0
    out[0] += 2.0 * x[1]
    out[-1] -= out[0]
    return np.sum(out * out)


def augmented_slice_of_a_local(x):
    out = x * 1.0
    out[1:3] *= x[0]
    return np.sum(out)


def array_of_a_nested_comprehension(xs, ys):
    table = [[x - y for y in ys] for x in xs]
    return np.sum(np.array(table) ** 2)


def array_of_a_list_of_lists(x):
    return np.sum(np.array([[x[0] * 1.0, x[1] * 2.0]]))


def filtered_comprehension(xs):
    ys = [np.sin(x) for x in xs if x > 0]
    return sum(ys)


def methods(x):
    return x.sum(axis=0).max() + x.T.reshape(-1)[1] * x.mean() + x.shape[0] * x[0, 0]


def at_set_of_a_value_from_the_array(x):
    y = (x * x).at[0].set(x[1])
    return np.sum(y ** 2)


def element_write_of_a_value_from_the_array(x):
    y = x * x
    y[0] = x[1]
    return np.sum(y ** 2)


def at_set_of_an_independent_value(x, v):
    return np.sum(x.at[0].set(v) ** 2)


def test_while_with_a_compound_condition():
    check_grads(while_loop_to_tolerance, (1.3,))


def test_augmented_element_of_a_local_array():
    check_grads(augmented_element_of_a_local, (V,))


def test_augmented_slice_of_a_local_array():
    # `out[1:3] *= x[0]` reads the slice, then writes it: the value read must be the
    # one before the write (d/dx0 = 1 + x1 + x2).
    x = np.array([0.3, 0.4, 1.5])
    assert tp.grad(augmented_slice_of_a_local)(x) == pytest.approx([2.9, 0.3, 0.3])
    check_grads(augmented_slice_of_a_local, (x,))


def test_array_of_a_nested_comprehension():
    check_grads(array_of_a_nested_comprehension, (V[:3], np.array([0.1, 0.6])))


def test_array_of_a_list_of_lists():
    assert tp.grad(array_of_a_list_of_lists)(np.array([0.3, 0.7])) == pytest.approx([1.0, 2.0])


def test_filtered_comprehension():
    check_grads(filtered_comprehension, (V,))


def test_lowered_methods():
    check_grads(methods, (M,))


def at_add_value(x, v):
    return np.sum(x.at[1].add(v * x[0]) ** 2)


def at_multiply_value(x, v):
    return np.sum(x.at[1].multiply(v * x[0]) ** 2)


def at_divide_value(x, v):
    return np.sum(x.at[1].divide(v * x[0]) ** 2)


def at_power_value(x, v):
    return np.sum(x.at[1].power(v * x[0]) ** 2)


def at_min_value(x, v):
    return np.sum(x.at[1].min(v * x[0]) ** 2)


def at_max_value(x, v):
    return np.sum(x.at[1].max(v * x[0]) ** 2)


def by_hand(update):
    def updated(x, v):
        y = np.array(x, dtype=float)
        y[1] = update(y[1], v * x[0])
        return np.sum(y ** 2)
    return updated


AT_UPDATES = [
    (at_add_value, by_hand(lambda a, b: a + b)),
    (at_multiply_value, by_hand(lambda a, b: a * b)),
    (at_divide_value, by_hand(lambda a, b: a / b)),
    (at_power_value, by_hand(lambda a, b: a ** b)),
    (at_min_value, by_hand(np.minimum)),
    (at_max_value, by_hand(np.maximum)),
]


@pytest.mark.parametrize("fn, reference", AT_UPDATES, ids=[f.__name__ for f, _ in AT_UPDATES])
def test_at_update_with_a_differentiated_value(fn, reference):
    x, v = np.array([0.9, 0.4, 1.5]), 0.7
    expected = check_grads(reference, (x, v), argnums=(0, 1))
    actual = tp.grad(fn, argnums=(0, 1))(x, v)
    assert actual[0] == pytest.approx(expected[0])
    assert actual[1] == pytest.approx(expected[1])


def test_at_set_of_an_independent_value():
    x, v = np.array([0.3, 0.4, 1.5]), 0.7
    gx, gv = tp.grad(at_set_of_an_independent_value, argnums=(0, 1))(x, v)
    assert gx == pytest.approx([0.0, 0.8, 3.0])
    assert gv == pytest.approx(1.4)


def test_at_set_of_a_value_read_from_the_same_array():
    x = np.array([0.3, 0.4, 1.5])
    expected = check_grads(element_write_of_a_value_from_the_array, (x,))
    assert tp.grad(at_set_of_a_value_from_the_array)(x) == pytest.approx(expected)
