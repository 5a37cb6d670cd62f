"""Functional updates x.at[idx].set/add/multiply/divide/power/min/max/get(...).

Plain NumPy arrays have no `.at`, so the primal cannot be run for finite differences:
each function is paired with a NumPy reference that does the same update on a copy.
The reference's gradient is checked against finite differences, and the `.at`
version's gradient (specialised and generic) and value must equal it.
"""
import copy

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads
from corpus.cases import data

normal, uniform, positive = data(seed=113)


def at_set_from_own_element(x):
    y = x.at[0].set(x[1] ** 2)
    return np.sum(y * x)


def ref_set_from_own_element(x):
    y = x.copy()
    y[0] = x[1] ** 2
    return np.sum(y * x)


def at_add_repeated_indices(x, v):
    idx = np.array([0, 1, 1, 3])
    y = x.at[idx].add(v ** 2)
    return np.sum(np.sin(y))


def ref_add_repeated_indices(x, v):
    idx = np.array([0, 1, 1, 3])
    y = x.copy()
    for k in range(len(idx)):
        y[idx[k]] += v[k] ** 2
    return np.sum(np.sin(y))


def at_set_slice_to_constant(x):
    y = x.at[1:3].set(0.0)
    return np.sum(y ** 2) + np.sum(x)


def ref_set_slice_to_constant(x):
    y = x.copy()
    y[1:3] = 0.0
    return np.sum(y ** 2) + np.sum(x)


def at_multiply_strided(x):
    y = x.at[::2].multiply(x[::2] + 1.0)
    return np.sum(y ** 2)


def ref_multiply_strided(x):
    y = x.copy()
    y[::2] = y[::2] * (x[::2] + 1.0)
    return np.sum(y ** 2)


def at_divide_last(x, d):
    return np.sum(x.at[-1].divide(d) ** 2)


def ref_divide_last(x, d):
    y = x.copy()
    y[-1] = y[-1] / d
    return np.sum(y ** 2)


def at_power_positive(x, p):
    return np.sum(x.at[1:].power(p))


def ref_power_positive(x, p):
    y = x.copy()
    y[1:] = y[1:] ** p
    return np.sum(y)


def at_min_and_max(x, v):
    y = x.at[0].min(v).at[1].max(v * 2.0)
    return np.sum(y ** 3)


def ref_min_and_max(x, v):
    y = x.copy()
    y[0] = min(y[0], v)
    y[1] = max(y[1], v * 2.0)
    return np.sum(y ** 3)


def at_get(x):
    return np.sum(x.at[1:3].get() ** 2) * x.at[0].get()


def ref_get(x):
    return np.sum(x[1:3] ** 2) * x[0]


def at_row_of_matrix(A, r):
    B = A.at[1].set(r * A[0])
    return np.sum(B @ B.T)


def ref_row_of_matrix(A, r):
    B = A.copy()
    B[1] = r * A[0]
    return np.sum(B @ B.T)


def at_add_in_loop(x):
    y = x * 0.0
    for i in range(len(x)):
        y = y.at[i].add(x[i] * (i + 1))
        y = y.at[0].add(y[i] * 0.5)
    return np.sum(y ** 2)


def ref_add_in_loop(x):
    y = x * 0.0
    for i in range(len(x)):
        y = y.copy()
        y[i] = y[i] + x[i] * (i + 1)
        y = y.copy()
        y[0] = y[0] + y[i] * 0.5
    return np.sum(y ** 2)


def at_column_add(A, c):
    return np.sum(np.tanh(A.at[:, 0].add(c)))


def ref_column_add(A, c):
    B = A.copy()
    B[:, 0] = B[:, 0] + c
    return np.sum(np.tanh(B))


def at_leaves_the_original(x):
    y = x.at[0].set(5.0)
    return np.sum(x * y)


def ref_leaves_the_original(x):
    y = x.copy()
    y[0] = 5.0
    return np.sum(x * y)


AT_CASES = [
    (at_set_from_own_element, ref_set_from_own_element, (normal(4),), 0),
    (at_add_repeated_indices, ref_add_repeated_indices, (normal(5), normal(4)), (0, 1)),
    (at_set_slice_to_constant, ref_set_slice_to_constant, (normal(5),), 0),
    (at_multiply_strided, ref_multiply_strided, (normal(5),), 0),
    (at_divide_last, ref_divide_last, (normal(3), 1.7), (0, 1)),
    (at_power_positive, ref_power_positive, (positive(4), 2.5), (0, 1)),
    (at_min_and_max, ref_min_and_max, (np.array([0.9, 0.1, -0.4]), 0.3), (0, 1)),
    (at_min_and_max, ref_min_and_max, (np.array([-0.9, 1.1, -0.4]), 0.3), (0, 1)),
    (at_get, ref_get, (normal(4),), 0),
    (at_row_of_matrix, ref_row_of_matrix, (normal(3, 2), 0.6), (0, 1)),
    (at_add_in_loop, ref_add_in_loop, (normal(4),), 0),
    (at_column_add, ref_column_add, (normal(3, 2), normal(3)), (0, 1)),
    (at_leaves_the_original, ref_leaves_the_original, (normal(3),), 0),
]


@pytest.mark.parametrize("fn, reference, args, argnums", [
    pytest.param(*case, id="%s-%d" % (case[0].__name__, k)) for k, case in enumerate(AT_CASES)])
def test_gradient_matches_the_numpy_reference(fn, reference, args, argnums):
    expected = check_grads(reference, args, argnums=argnums)
    before = copy.deepcopy(args)
    derived = tp.value_and_grad(fn, argnums=argnums)
    value, actual = derived(*args)
    np.testing.assert_allclose(value, reference(*args), rtol=1e-12)
    generic = derived.call_generic(*args)[1]
    for arg, original in zip(args, before):           # .at never writes into x
        np.testing.assert_array_equal(arg, original)
    if isinstance(argnums, int):
        expected, actual, generic = (expected,), (actual,), (generic,)
    for e, a, g in zip(expected, actual, generic):
        assert np.shape(a) == np.shape(e)
        np.testing.assert_allclose(a, e, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


def ufunc_at_on_a_local(x, v):
    y = x * 1.0
    np.add.at(y, np.array([0, 1, 1]), v)
    return np.sum(y ** 2)


def test_ufunc_at_is_refused_not_dropped():
    # np.add.at updates its first argument in place and has no derivative rule: a
    # TranspileError naming it (SPEC: a call with no derivative rule), not a silently
    # dropped statement
    with pytest.raises(tp.TranspileError, match="add.at"):
        tp.grad(ufunc_at_on_a_local, argnums=(0, 1))(np.ones(3), np.ones(3))
