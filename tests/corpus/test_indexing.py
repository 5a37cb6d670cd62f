"""Subscripts and slices (reads): negative steps, None/np.newaxis, Ellipsis, boolean
masks, integer arrays with repeated indices, x[i, j], x[:, 0], chained indexing,
indices computed at run time."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=110)


def negative_steps(x):
    return np.sum(x[::-1] * x) + np.sum(x[::-2] ** 2) + np.sum(x[-2::-3])


def shifted_slices(x):
    return np.sum(x[1:-1] * x[2:] - x[:-2] ** 2)


def none_makes_outer_product(x, y):
    return np.sum(x[:, None] * y[None, :] ** 2)


def np_newaxis(x, A):
    return np.sum((x[np.newaxis, :] @ A) ** 2) + np.sum(A * x[:, np.newaxis])


def ellipsis_indexing(T):
    return np.sum(T[..., 0] * T[..., -1]) + np.sum(T[0, ...] ** 2) + np.sum(T[..., 1:, 0])


def boolean_mask_of_itself(x):
    return np.sum(x[x > 0] ** 2) - np.sum(x[x <= 0])


def boolean_mask_from_another(x, y):
    return np.sum(x[y > 0.0] * 3.0) + np.sum(y[y > 0.0] ** 2)


def boolean_mask_2d_rows(A):
    keep = np.sum(A, axis=1) > 0
    return np.sum(A[keep] ** 2)


def repeated_integer_indices(x):
    idx = np.array([0, 2, 2, 1, 0, 0])
    return np.sum(x[idx] ** 2)


def integer_array_argument(x, idx):
    return np.sum(np.sin(x[idx]) * np.arange(len(idx)))


def element_pairs(A):
    return A[0, 1] * A[1, 2] + A[-1, -1] ** 2 - A[1, 0]


def first_and_last_columns(A):
    return np.sum(A[:, 0] * A[:, -1]) + np.sum(A[:, 1] ** 2)


def whole_rows(A):
    return np.sum(A[1] * A[0]) + np.sum(A[-1])


def diagonal_by_loop(A):
    s = 0.0
    for i in range(A.shape[0]):
        s = s + A[i, i] ** 2
    return s


def strided_block(A):
    return np.sum(A[1:, ::2] ** 2) + np.sum(A[::-1, 1:] * A[:, :-1])


def computed_index(x):
    i = len(x) // 2
    return x[i] * x[i - 1] + x[-i]


def fancy_2d(A):
    rows = np.array([0, 1, 1, 2])
    cols = np.array([2, 0, 0, 1])
    return np.sum(A[rows, cols] ** 2)


def index_from_argmax(x):
    i = np.argmax(x)
    return x[i] * 2.0 + np.sum(x)


def chained_subscripts(A):
    return A[1][2] * np.sum(A[0][::2]) + A[-1][0]


def list_index(A):
    return np.sum(A[[0, 2]] ** 2) + np.sum(A[[1, 1], 0])


def mixed_int_and_slice(T):
    return np.sum(T[0, :, 1] * T[1, :, 0]) + np.sum(T[:, 1, :] ** 2)


def index_in_loop_with_offset(x):
    s = 0.0
    for i in range(2, len(x)):
        s = s + x[i] * x[i - 2] - x[-i]
    return s


def scalar_from_0d_reduction_index(A):
    r = np.sum(A, axis=0)
    return r[0] * r[-1]


def sliding_window_reads(x):
    s = 0.0
    for i in range(len(x) - 1):
        s = s + np.sum(x[i:i + 2] ** 2) * i
    return s


def integer_arrays_on_one_axis(A):
    idx = np.array([2, 0, 2])
    return np.sum(A[idx, :] ** 2) + np.sum(A[:, idx[:2]] * 2.0)


def index_from_a_comparison(x):
    k = int(x[0] > 0)
    return x[k] * 3.0 + x[-1 - k]


def last_axis_from_shape(A):
    return np.sum(A[:, A.shape[-1] - 1]) * A.shape[-1]


def slice_of_a_slice(x):
    y = x[1:]
    z = y[::-1]
    return np.sum(z * y) + z[0]


CASES = [
    *cases(negative_steps, (normal(7),), (normal(6),)),
    *cases(shifted_slices, (normal(6),)),
    *cases(none_makes_outer_product, (normal(3), normal(4)), argnums=(0, 1)),
    *cases(np_newaxis, (normal(3), normal(3, 3)), argnums=(0, 1)),
    *cases(ellipsis_indexing, (normal(2, 3, 4),), (normal(3, 2),)),
    *cases(boolean_mask_of_itself, (normal(6),), (normal(2, 3),)),
    *cases(boolean_mask_from_another, (normal(5), normal(5)), argnums=(0, 1)),
    *cases(boolean_mask_2d_rows, (normal(4, 3),)),
    *cases(repeated_integer_indices, (normal(3),)),
    *cases(integer_array_argument, (normal(5), np.array([4, 0, 4, 2]))),
    *cases(element_pairs, (normal(3, 3),)),
    *cases(first_and_last_columns, (normal(4, 3),)),
    *cases(whole_rows, (normal(3, 2),)),
    *cases(diagonal_by_loop, (normal(3, 3),)),
    *cases(strided_block, (normal(4, 5),)),
    *cases(computed_index, (normal(5),), (normal(4),)),
    *cases(fancy_2d, (normal(3, 3),)),
    *cases(index_from_argmax, (normal(5),)),
    *cases(chained_subscripts, (normal(2, 4),)),
    *cases(list_index, (normal(3, 2),)),
    *cases(mixed_int_and_slice, (normal(2, 3, 2),)),
    *cases(index_in_loop_with_offset, (normal(6),)),
    *cases(sliding_window_reads, (normal(6),)),
    *cases(integer_arrays_on_one_axis, (normal(3, 4),)),
    *cases(index_from_a_comparison, (normal(4),), (-positive(4),), (positive(4),)),
    *cases(last_axis_from_shape, (normal(3, 4),)),
    *cases(slice_of_a_slice, (normal(5),)),
    *cases(scalar_from_0d_reduction_index, (normal(3, 4),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
