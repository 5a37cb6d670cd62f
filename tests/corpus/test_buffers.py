"""Local buffers written in place: out = np.zeros(n); out[i] = ...; out[i] += ...;
out[i] *= ...; out[i] /= ...; 2-D buffers with row and column writes; slice writes;
recurrences out[i] = f(out[i - 1]); writes into a copy of an argument."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=111)


def set_each_element(x):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):
        out[i] = x[i] ** 2 + x[n - 1 - i]
    return np.sum(out * x)


def accumulate_into_bins(x):
    out = np.zeros(3)
    for i in range(len(x)):
        out[i % 3] += x[i] * x[i]
    return np.sum(out ** 2)


def multiply_in_place(x):
    out = np.ones(len(x))
    for i in range(len(x)):
        out[i] *= x[i]
        out[i] *= 2.0 + x[i]
    return np.sum(out)


def divide_in_place(x):
    out = np.ones(len(x)) * 3.0
    for i in range(len(x)):
        out[i] /= 1.0 + x[i] ** 2
    return np.sum(out * x)


def row_writes(A):
    out = np.zeros((A.shape[0], A.shape[1]))
    for i in range(A.shape[0]):
        out[i] = np.tanh(A[i]) * (i + 1)
    return np.sum(out ** 2)


def column_writes(A):
    out = np.zeros((A.shape[0], 2))
    out[:, 0] = A[:, 1]
    out[:, 1] = A[:, 0] * 2.0
    return np.sum(out * out[:, ::-1])


def transpose_by_elements(A):
    out = np.zeros_like(A)
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[i, j] = A[j, i] * A[i, j]
    return np.sum(out)


def interleave_by_slices(x):
    out = np.zeros(2 * len(x))
    out[::2] = x
    out[1::2] = x ** 2
    return np.sum(out * np.arange(2 * len(x)))


def recurrence(x):
    out = np.zeros(len(x))
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = np.tanh(out[i - 1] * 0.9 + x[i])
    return np.sum(out ** 2)


def prefix_sums(x):
    out = np.zeros(len(x) + 1)
    for i in range(len(x)):
        out[i + 1] = out[i] + x[i]
    return np.sum(out * out)


def overwrite_same_slot(x):
    out = np.zeros(2)
    out[0] = x[0]
    out[0] = out[0] * x[1]
    out[1] = out[0] + x[2]
    out[0] += out[1] * x[0]
    return out[0] * out[1]


def hidden_state_matrix(X, w):
    T = X.shape[0]
    H = np.zeros((T + 1, X.shape[1]))
    for t in range(T):
        H[t + 1] = np.tanh(H[t] * w + X[t])
    return np.sum(H[1:] ** 2)


def write_into_argument_copy(x):
    out = x.copy()
    out[0] = 0.0
    out[1] *= 3.0
    out[-1] += x[0]
    return np.sum(out ** 2)


def full_buffer_then_scale(x, c):
    out = np.full(len(x), c)
    for i in range(len(x)):
        out[i] += x[i] * c
    return np.sum(out ** 2)


def augmented_slice(x):
    out = np.zeros(len(x))
    out[1:] += x[:-1]
    out[:-1] -= x[1:] * 0.5
    out *= x
    return np.sum(out)


def two_d_accumulate(x, y):
    out = np.zeros((len(x), len(y)))
    for i in range(len(x)):
        for j in range(len(y)):
            out[i, j] += x[i] * y[j]
            out[i, j] *= out[i, j]
    return np.sum(out)


def boolean_mask_write(x):
    out = x * 1.0
    out[x < 0] = 0.0
    return np.sum(out ** 2)


def ones_like_buffer_recurrence(x):
    out = np.ones_like(x)
    for i in range(1, len(x)):
        out[i] = out[i - 1] * x[i] + out[i]
    return out[-1]


def row_and_column_writes_from_enumerate(A):
    out = np.zeros_like(A)
    for i, row in enumerate(A):
        out[i, :] = row * (i + 1)
        out[:, i] += row ** 2
    return np.sum(out ** 2)


def empty_buffer_filled(x):
    y = np.empty(len(x))
    for i in range(len(x)):
        y[i] = x[i] * 2.0
    return np.sum(y ** 2)


def augmented_on_copy_and_slices(x):
    y = x.copy()
    y += 1.0
    y[1:3] += x[:2]
    return np.sum(y * y)


def mask_write_of_differentiated_values(x):
    out = np.zeros(len(x))
    mask = x > 0
    out[mask] = x[mask]
    return np.sum(out ** 2)


def mask_write_into_a_copy(x):
    out = x * 1.0
    out[x > 0] = x[x > 0] * 2.0
    return np.sum(out ** 2)


def mask_augmented_write(x):
    out = x * 1.0
    out[x > 0] *= 2.0
    return np.sum(out ** 2)


def mask_write_of_a_constant(x):
    out = np.zeros(len(x))
    out[x > 0] = 1.0
    return np.sum(out * x)


def sliding_slice_accumulate(x, w):
    out = np.zeros(len(x) + 1)
    for i in range(len(x)):
        out[i:i + 2] += x[i] * w
    return np.sum(out ** 2)


def sliding_slice_set(x):
    out = np.zeros(len(x) + 2)
    for i in range(len(x)):
        out[i:i + 3] = out[i:i + 3] * 0.5 + x[i]
    return np.sum(out ** 2)


CASES = [
    *cases(set_each_element, (normal(5),)),
    *cases(accumulate_into_bins, (normal(7),)),
    *cases(multiply_in_place, (normal(4),)),
    *cases(divide_in_place, (normal(4),)),
    *cases(row_writes, (normal(3, 4),)),
    *cases(column_writes, (normal(3, 2),)),
    *cases(transpose_by_elements, (normal(3, 3),)),
    *cases(interleave_by_slices, (normal(4),)),
    *cases(recurrence, (normal(6),)),
    *cases(prefix_sums, (normal(5),)),
    *cases(overwrite_same_slot, (normal(3),)),
    *cases(hidden_state_matrix, (normal(4, 3), normal(3)), argnums=(0, 1)),
    *cases(write_into_argument_copy, (normal(4),)),
    *cases(full_buffer_then_scale, (normal(3), 0.7), argnums=(0, 1)),
    *cases(augmented_slice, (normal(5),)),
    *cases(two_d_accumulate, (normal(3), normal(2)), argnums=(0, 1)),
    *cases(boolean_mask_write, (normal(6),)),
    *cases(row_and_column_writes_from_enumerate, (normal(3, 3),)),
    *cases(empty_buffer_filled, (normal(4),)),
    *cases(augmented_on_copy_and_slices, (normal(4),)),
    *cases(mask_write_of_differentiated_values, (normal(5),)),
    *cases(mask_write_into_a_copy, (normal(5),)),
    *cases(mask_augmented_write, (normal(5),)),
    *cases(mask_write_of_a_constant, (normal(5),)),
    *cases(sliding_slice_accumulate, (normal(4), 0.7), (normal(3), normal(2)), argnums=(0, 1)),
    *cases(sliding_slice_set, (normal(4),)),
    *cases(ones_like_buffer_recurrence, (normal(5),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
