"""Shape functions (reshape, transpose with axes, .T, swapaxes, moveaxis,
expand_dims, squeeze, ravel, concatenate, stack, vstack, hstack, flip, tile, repeat)
and array creation (zeros ones zeros_like ones_like full arange linspace eye) mixed
with differentiated values."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=117)


def reshape_roundtrip(x):
    A = np.reshape(x, (2, 3))
    return np.sum(A @ A.T) + np.sum(np.reshape(A, (-1,)) * x)


def transpose_axes(T):
    weights = np.arange(T.size).reshape(T.shape[2], T.shape[0], T.shape[1])
    return np.sum(np.transpose(T, (2, 0, 1)) * weights)


def transpose_default(T):
    return np.sum(np.transpose(T)[0] ** 2) + np.sum(T.transpose() * T.T)


def swapaxes_then_slice(T):
    return np.sum(np.swapaxes(T, 0, 2)[:, :, 0] ** 3)


def moveaxis_weighted(T):
    return np.sum(np.moveaxis(T, 0, -1) * np.arange(T.size).reshape(T.shape[1], T.shape[2],
                                                                      T.shape[0]))


def ravel_weighted(T):
    return np.sum(np.ravel(T) * np.arange(T.size)) + np.sum(np.ravel(T.T) ** 2)


def expand_dims_outer(x):
    col = np.expand_dims(x, 1)
    row = np.expand_dims(x, axis=0)
    return np.sum(col * row) + np.sum(np.squeeze(col, axis=1) ** 3)


def squeeze_without_axis(x):
    return np.sum(np.squeeze(np.expand_dims(x, 0)) ** 2)


def concatenate_axes(x, A):
    v = np.concatenate([x, x ** 2, np.sin(x)])
    M = np.concatenate((A, A * 2.0), axis=1)
    return np.sum(v * np.arange(len(v))) + np.sum(M ** 2)


def stack_axes(x, y):
    S0 = np.stack([x, y, x * y])
    S1 = np.stack((x, y), axis=1)
    return np.sum(S0 ** 2) + np.sum(S1 * np.arange(2)) + np.sum(np.stack([x, y], axis=-1)[0])


def vstack_rows_and_a_vector(x, A):
    return np.sum(np.vstack([A, x]) ** 2)


def hstack_vectors(x):
    return np.sum(np.hstack([x, x * 3.0]) ** 3) + np.sum(np.hstack([x[:, None], x[:, None]]))


def flip_reverses(x):
    return np.sum(np.flip(x) * x)


def tile_repeats_the_whole(x):
    return np.sum(np.tile(x, 2) ** 2)


def repeat_each_element(x):
    return np.sum(np.repeat(x, 2) * np.arange(2 * len(x)))


def creation_mixed_with_values(x):
    n = len(x)
    ramp = np.arange(n) * 0.5 + np.linspace(0.0, 1.0, n)
    return (np.sum(x * ramp) + np.sum((np.eye(n) + np.ones((n, n))) @ x)
            + np.sum(np.full(n, 2.0) * x ** 2) + np.sum(np.zeros(n) + x))


def like_creation(A):
    mask = np.ones_like(A)
    mask[0] = 0.0
    z = np.zeros_like(A) + A * 2.0
    return np.sum(mask * z ** 2)


def broadcast_to_and_atleast(x):
    B = np.broadcast_to(x, (3, len(x)))
    return np.sum(B * np.arange(3)[:, None]) + np.sum(np.atleast_2d(x) ** 2)


def reshape_with_shape_attribute(A):
    flat = A.reshape(-1)
    back = flat.reshape(A.shape)
    return np.sum(back * A.T.T) + np.sum(flat[: A.shape[1]])


def diag_and_outer_reconstruct(x):
    D = np.diag(x)
    return np.sum(D @ D) + np.sum(np.diag(np.outer(x, x)))


CASES = [
    *cases(reshape_roundtrip, (normal(6),)),
    *cases(transpose_axes, (normal(2, 3, 2),)),
    *cases(transpose_default, (normal(2, 3, 2),)),
    *cases(swapaxes_then_slice, (normal(2, 3, 2),)),
    *cases(moveaxis_weighted, (normal(2, 3, 2),)),
    *cases(ravel_weighted, (normal(2, 3, 2),)),
    *cases(expand_dims_outer, (normal(4),)),
    *cases(squeeze_without_axis, (normal(4),)),
    *cases(concatenate_axes, (normal(3), normal(2, 2)), argnums=(0, 1)),
    *cases(stack_axes, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(vstack_rows_and_a_vector, (normal(3), normal(2, 3)), argnums=(0, 1)),
    *cases(hstack_vectors, (normal(3),)),
    *cases(flip_reverses, (normal(4),)),
    *cases(tile_repeats_the_whole, (normal(4),)),
    *cases(repeat_each_element, (normal(4),)),
    *cases(creation_mixed_with_values, (normal(4),)),
    *cases(like_creation, (normal(3, 2),)),
    *cases(broadcast_to_and_atleast, (normal(4),)),
    *cases(reshape_with_shape_attribute, (normal(3, 3),)),
    *cases(diag_and_outer_reconstruct, (normal(3),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
