"""list.append on local lists then np.array / np.stack / np.concatenate / sum of the
list, and list comprehensions (with conditions, nested, over zip/enumerate/range)."""
import numpy as np
import pytest

import transpiler as tp

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=112)


def append_scalars_then_array(x):
    items = []
    for v in x:
        items.append(v ** 2)
    return np.sum(np.array(items) * x)


def append_rows_then_stack(A):
    rows = []
    for i in range(A.shape[0]):
        rows.append(np.sin(A[i]) * (i + 1))
    return np.sum(np.stack(rows) ** 2)


def append_then_stack_on_axis_1(A):
    cols = []
    for j in range(A.shape[1]):
        cols.append(A[:, j] * A[:, 0])
    S = np.stack(cols, axis=1)
    return np.sum(S * A)


def append_states_of_a_recurrence(xs, w):
    h = np.zeros(len(w))
    states = []
    for x_t in xs:
        h = np.tanh(w * h + x_t)
        states.append(h)
    H = np.stack(states)
    return np.sum(H ** 2) + np.sum(H[-1])


def append_in_branches(x):
    out = []
    for v in x:
        if v > 0:
            out.append(v)
        else:
            out.append(-2.0 * v)
    return np.sum(np.array(out) ** 3)


def append_then_concatenate(x):
    parts = []
    for k in range(1, 4):
        parts.append(x[:k] * k)
    return np.sum(np.concatenate(parts) ** 2)


def append_then_builtin_sum(x):
    terms = []
    for i in range(len(x) - 1):
        terms.append(x[i] * x[i + 1])
    return sum(terms)


def comprehension_to_array(x):
    return np.sum(np.array([v ** 2 for v in x]))


def comprehension_with_condition(x):
    return sum([v * v for v in x if v > 0])


def nested_comprehension(A):
    return np.sum(np.array([[A[i, j] * A[j, i] for j in range(A.shape[1])]
                            for i in range(A.shape[0])]))


def comprehension_over_range(x):
    terms = [x[i] * x[i + 1] for i in range(len(x) - 1)]
    return np.sum(np.stack(terms))


def comprehension_two_fors(x, y):
    return sum([a * b for a in x for b in y])


def comprehension_over_zip(x, y):
    return np.sum(np.array([a * np.exp(b) for a, b in zip(x, y)]))


def comprehension_over_enumerate(x):
    return sum([k * v ** 2 for k, v in enumerate(x, start=1)])


def comprehension_of_rows_then_stack(A, w):
    return np.sum(np.stack([np.tanh(row * w) for row in A]))


def comprehension_with_helper(x):
    return np.sum(np.array([_bump(v) for v in x if v < 1.0]))


def _bump(v):
    return np.exp(-v * v)


def list_grows_and_is_read_while_growing(x):
    seq = [x[0]]
    for i in range(1, len(x)):
        seq.append(seq[-1] * x[i] + seq[0])
    return seq[-1] + seq[len(seq) // 2]


def array_of_computed_scalars(x):
    v = np.array([x[0] * x[1], np.sum(x), 3.0])
    return np.sum(v ** 2)


def array_of_nested_lists(x):
    M = np.array([[x[0], x[1]], [x[2], x[3]]])
    return np.sum(M @ x[:2])


def comprehension_variable_shadows_a_local(x):
    v = 2.0
    ys = [v * 3.0 for v in x]
    return np.sum(np.array(ys)) * v


def conditional_expression_in_comprehension(x):
    return sum([v if v > 0 else -v * 0.5 for v in x])


def _product_of_ends(items, c):
    return items[0] * c + items[-1]


def _sum_of_squares(items):
    total = 0.0
    for item in items:
        total = total + np.sum(item ** 2)
    return total


def _count(items):
    return len(items) * 1.0


def _stacked_norm(items):
    return np.sum(np.stack(items) ** 2)


def _first_times_last(a, b):
    return np.sum(a[0] * b[-1])


def appended_scalars_to_a_helper(x):
    items = []
    items.append(x[0] ** 2)
    items.append(x[1])
    return _product_of_ends(items, x[2])


def appended_arrays_to_a_helper(x):
    items = []
    items.append(x)
    items.append(np.sin(x))
    return _sum_of_squares(items)


def appended_floats_to_a_helper(a, b):
    items = []
    items.append(a)
    items.append(a * b)
    items.append(3.0)
    return _sum_of_squares(items)


def empty_list_to_a_helper(x):
    items = []
    return _count(items) * np.sum(x ** 2)


def list_grown_in_a_loop_to_a_helper(x, n):
    items = []
    for i in range(n):
        items.append(x * (i + 1.0))
    return _stacked_norm(items) + _sum_of_squares(items)


def appended_list_passed_twice(x):
    items = []
    items.append(x)
    items.append(x ** 3)
    return _first_times_last(items, items)


def appended_list_through_two_helpers(x):
    inner = []
    inner.append(x)
    inner.append(x * 2.0)
    outer = []
    outer.append(_product_of_ends(inner, 1.0))
    outer.append(x)
    return _product_of_ends(outer, x)


def _last_doubled(items):
    return items[-1] * 2.0


def _first_times_last_of(items):
    return items[0] * items[-1]


def helper_reads_a_list_while_it_grows(x):
    items = []
    total = 0.0
    for i in range(4):
        items.append(x * (i + 1.0))
        total = total + np.sum(_last_doubled(items) + _first_times_last_of(items))
    return total


def helpers_read_two_growing_lists(x):
    items, squares = [], []
    total = 0.0
    for i in range(3):
        items.append(np.sin(x) * (i + 1.0))
        squares.append(x * x * i)
        total = total + np.sum(_last_doubled(items) * _last_doubled(squares))
    return total


def helper_reads_a_buffer_while_it_is_written(x):
    out = np.zeros(3)
    total = 0.0
    for i in range(3):
        out[i] = x * (i + 1.0)
        total = total + _first_times_last_of(out)
    return total


CASES = [
    *cases(append_scalars_then_array, (normal(4),)),
    *cases(append_rows_then_stack, (normal(3, 2),)),
    *cases(append_then_stack_on_axis_1, (normal(3, 3),)),
    *cases(append_states_of_a_recurrence, (normal(4, 3), normal(3)), argnums=(0, 1)),
    *cases(append_in_branches, (normal(5),)),
    *cases(append_then_concatenate, (normal(4),)),
    *cases(append_then_builtin_sum, (normal(5),)),
    *cases(comprehension_to_array, (normal(4),)),
    *cases(comprehension_with_condition, (np.array([0.5, -1.0, 1.5, -0.2, 0.3]),)),
    *cases(nested_comprehension, (normal(3, 3),)),
    *cases(comprehension_over_range, (normal(5),)),
    *cases(comprehension_two_fors, (normal(3), normal(2)), argnums=(0, 1)),
    *cases(comprehension_over_zip, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(comprehension_over_enumerate, (normal(4),)),
    *cases(comprehension_of_rows_then_stack, (normal(3, 2), normal(2)), argnums=(0, 1)),
    *cases(comprehension_with_helper, (np.array([0.3, 1.5, -0.8, 0.9]),)),
    *cases(array_of_computed_scalars, (normal(3),)),
    *cases(array_of_nested_lists, (normal(4),)),
    *cases(comprehension_variable_shadows_a_local, (normal(4),)),
    *cases(conditional_expression_in_comprehension, (normal(5),)),
    *cases(list_grows_and_is_read_while_growing, (normal(5),)),
    *cases(appended_scalars_to_a_helper, (normal(3),)),
    *cases(appended_arrays_to_a_helper, (normal(3),), (normal(2, 2),)),
    *cases(appended_floats_to_a_helper, (normal(), normal()), argnums=(0, 1)),
    *cases(empty_list_to_a_helper, (normal(3),)),
    *cases(list_grown_in_a_loop_to_a_helper, (normal(2), 1), (normal(2), 4)),
    *cases(appended_list_passed_twice, (normal(3),)),
    *cases(appended_list_through_two_helpers, (normal(),)),
    *cases(helper_reads_a_list_while_it_grows, (normal(),), (normal(2),)),
    *cases(helpers_read_two_growing_lists, (normal(),), (normal(3),)),
    *cases(helper_reads_a_buffer_while_it_is_written, (normal(),)),
]


@pytest.mark.parametrize("fn, x", [(helper_reads_a_list_while_it_grows, 1.5),
                                   (helpers_read_two_growing_lists, np.array([0.3, -1.2]))])
def test_vjp_of_a_helper_reading_a_growing_list(fn, x):
    out, pull = tp.vjp(fn, x)
    expected = tp.grad(lambda v: np.sum(fn(v)))(x)
    for _ in range(2):                        # the pullback may be called again
        np.testing.assert_allclose(pull(np.ones_like(out))[0], expected)


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
