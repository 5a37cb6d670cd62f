"""Shape functions and array creation through ``tp.grad``: each moves or copies
elements, so the output is weighed unevenly (``np.sin(...) * ramp``) to catch an
adjoint that lands on the wrong element."""
import numpy as np
import pytest

import runtime as rt

from .oracle import Grad, check_case, grad_params

RNG = np.random.default_rng(9)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def weigh(y):
    """A scalar that weighs every element of ``y`` differently."""
    return np.sum(np.sin(y) * np.reshape(np.arange(1.0, np.size(y) + 1.0), np.shape(y)))


def reshape(x):
    return weigh(np.reshape(x, (2, 6))) + weigh(x.reshape(4, 3)) + weigh(x.reshape((-1,)))


def reshape_fortran(x):
    return weigh(np.reshape(x, (4, 3), order="F"))


def ravel_and_flatten(x):
    return weigh(np.ravel(x)) + weigh(x.flatten()) * 2.0 + weigh(np.ravel(x, order="F"))


def transposes(x):
    return weigh(np.transpose(x)) + weigh(x.T * 2.0) + weigh(np.swapaxes(x, 0, 1) ** 2)


def transpose_axes(x):
    return weigh(np.transpose(x, (1, 2, 0))) + weigh(np.transpose(x, (0, -1, 1)))


def moveaxis(x):
    return weigh(np.moveaxis(x, 0, -1)) + weigh(np.moveaxis(x, (0, 1), (2, 0)))


def expand_and_squeeze(x):
    y = np.expand_dims(x, 0)
    return weigh(np.expand_dims(x, -1) * y[0]) + weigh(np.squeeze(y)) \
        + weigh(np.squeeze(np.expand_dims(y, 2), axis=2))


def flips(x):
    return weigh(np.flip(x)) + weigh(np.flip(x, 0) ** 2) + weigh(np.flip(x, axis=1))


def rolls(x):
    return weigh(np.roll(x, 2)) + weigh(np.roll(x, 1, axis=1)) + weigh(np.roll(x, (1, -1), (0, 1)))


def broadcasts(x):
    return weigh(np.broadcast_to(x, (3, 4))) + weigh(np.broadcast_to(x[0], (2, 4)))


def broadcast_scalar(x):
    return weigh(np.broadcast_to(x, (2, 3)))


def concatenations(x, y):
    return weigh(np.concatenate([x, y])) + weigh(np.concatenate((x, y, x), axis=0)) \
        + weigh(np.concatenate([x.T, y.T], axis=1))


def concatenate_flat(x, y):
    return weigh(np.concatenate([x, y], axis=None))


def stacks(x, y):
    return weigh(np.stack([x, y])) + weigh(np.stack((x, y), axis=-1)) + weigh(np.stack([x, y], 1))


def vstack_hstack(x, y):
    return weigh(np.vstack([x, y])) + weigh(np.hstack([x, y])) + weigh(np.vstack((x, x * y)))


def stack_matrices(x, y):
    return weigh(np.vstack([x, y])) + weigh(np.hstack([x, y]))


def tiles(x):
    return weigh(np.tile(x, 2)) + weigh(np.tile(x, (2, 1))) + weigh(np.tile(x, (2, 2, 1)))


def repeats(x):
    return weigh(np.repeat(x, 2)) + weigh(np.repeat(x, 3, axis=1)) \
        + weigh(np.repeat(x, [2, 1], axis=0))


def diagonals(x):
    return weigh(np.diag(x)) + weigh(np.diag(x, 1)) + weigh(np.diag(x, k=-1))


def diag_of_vector(v):
    return weigh(np.diag(v)) + weigh(np.diag(v, 1)) + weigh(np.diag(v, k=-2))


def array_of_arrays(x, y):
    return weigh(np.array([x, y, x * y])) + weigh(np.array([[x[0], y[1]], [y[0], x[1]]]))


def array_of_scalars(a, b):
    return weigh(np.array([a, b, a * b]))


def copies(x):
    y = np.copy(x)
    z = x.copy()
    return weigh(y * z)


def atleast(x):
    return weigh(np.atleast_2d(x)) + weigh(np.atleast_3d(x)) + weigh(np.atleast_1d(x[0]))


def contiguous(x):
    return weigh(np.ascontiguousarray(x.T))


M = normal(3, 4)
CASES = [
    Grad(np.reshape, reshape, M),
    Grad(np.reshape, reshape_fortran, M),
    Grad((np.ravel, rt.flatten), ravel_and_flatten, M),
    Grad((np.transpose, np.swapaxes), transposes, M),
    Grad(np.transpose, transpose_axes, normal(2, 3, 4)),
    Grad(np.moveaxis, moveaxis, normal(2, 3, 4)),
    Grad((np.expand_dims, np.squeeze), expand_and_squeeze, normal(3)),
    Grad(np.flip, flips, M),
    Grad(np.roll, rolls, M),
    Grad(np.broadcast_to, broadcasts, normal(1, 4)),
    Grad(np.broadcast_to, broadcasts, normal(3, 1)),
    Grad(np.broadcast_to, broadcast_scalar, normal()),
    Grad(np.concatenate, concatenations, normal(2, 3), normal(1, 3), argnums=(0, 1)),
    Grad(np.concatenate, concatenate_flat, normal(2, 3), normal(4), argnums=(0, 1)),
    Grad(np.stack, stacks, normal(3), normal(3), argnums=(0, 1)),
    Grad(np.stack, stacks, normal(2, 3), normal(2, 3), argnums=(0, 1)),
    Grad((np.vstack, np.hstack), vstack_hstack, normal(3), normal(3), argnums=(0, 1)),
    Grad((np.vstack, np.hstack), stack_matrices, normal(2, 2), normal(2, 2), argnums=(0, 1)),
    Grad(np.tile, tiles, normal(2, 3)),
    Grad(np.repeat, repeats, normal(2, 3)),
    Grad(np.diag, diagonals, normal(3, 4)),
    Grad(np.diag, diag_of_vector, normal(3)),
    Grad(np.array, array_of_arrays, normal(2), normal(2), argnums=(0, 1)),
    Grad(np.array, array_of_scalars, normal(), normal(), argnums=(0, 1)),
    Grad(np.copy, copies, M),
    Grad((np.atleast_1d, np.atleast_2d, np.atleast_3d), atleast, normal(3)),
    Grad(np.ascontiguousarray, contiguous, M),
]


# ------------------------------------------------------------ creation
def full(value):
    return weigh(np.full((2, 3), value)) + weigh(np.full(3, value * 2.0))


def full_of_a_row(row):
    return weigh(np.full((2, 3), row))


def full_like(x, value):
    return weigh(np.full_like(x, value) * x)


def linspace(start, stop):
    return weigh(np.linspace(start, stop, 5)) + weigh(np.linspace(start, stop, 4, endpoint=False))


def linspace_default(start, stop):
    return weigh(np.linspace(start, stop))


def linspace_of_vectors(start, stop):
    return weigh(np.linspace(start, stop, 3))


CASES += [Grad(np.full, full, 0.7), Grad(np.full, full_of_a_row, normal(3)),
          Grad(np.full_like, full_like, M, 0.4, argnums=(0, 1)),
          Grad(np.linspace, linspace, -0.5, 1.5, argnums=(0, 1)),
          Grad(np.linspace, linspace_default, -0.5, 1.5, argnums=(0, 1)),
          Grad(np.linspace, linspace_of_vectors, normal(2), normal(2), argnums=(0, 1)),
          Grad(np.linspace, linspace_of_vectors, 0.3, normal(2), argnums=(0, 1))]


# plainly summed: the rules receive the lazily broadcast seed (a scalar 1.0)
PLAIN = [
    (np.reshape, lambda x: np.sum(np.reshape(x, (4, 3), order="F")), M),
    (np.transpose, lambda x: np.sum(np.transpose(x, (1, 0))), M),
    (np.moveaxis, lambda x: np.sum(np.moveaxis(x, 0, -1)), M),
    (np.swapaxes, lambda x: np.sum(np.swapaxes(x, 0, 1)), M),
    (np.expand_dims, lambda x: np.sum(np.expand_dims(x, 1)), M),
    (np.squeeze, lambda x: np.sum(np.squeeze(x[None])), M),
    (np.flip, lambda x: np.sum(np.flip(x, 1)), M),
    (np.roll, lambda x: np.sum(np.roll(x, 1, 0)), M),
    (np.broadcast_to, lambda x: np.sum(np.broadcast_to(x, (2, 3, 4))), M),
    (np.concatenate, lambda x: np.sum(np.concatenate([x, x * 2.0], axis=None)), M),
    (np.stack, lambda x: np.sum(np.stack([x, x * 2.0], 1)), M),
    (np.vstack, lambda x: np.sum(np.vstack([x[0], x])), M),
    (np.hstack, lambda x: np.sum(np.hstack([x[0], x[1]])), M),
    (np.tile, lambda x: np.sum(np.tile(x, (2, 1))), M),
    (np.repeat, lambda x: np.sum(np.repeat(x, 2, axis=0)), M),
    (np.diag, lambda x: np.sum(np.diag(x, 1)), M),
    (np.array, lambda x: np.sum(np.array([x, x * 2.0])), M),
    (np.full, lambda x: np.sum(np.full((2, 3), x[0, 0])), M),
    (np.linspace, lambda x: np.sum(np.linspace(x[0, 0], x[0, 1], 4)), M),
]
CASES += [Grad(primal, f, x, note="-summed") for primal, f, x in PLAIN]


def flips_and_diagonals(x):
    return weigh(np.rot90(x) * np.fliplr(np.flipud(x)).T) + weigh(np.diagonal(x, 1)) \
        + weigh(x.diagonal()) + weigh(np.rot90(x, 3, axes=(1, 0)))


def batched_matrices(b):
    rows = np.unstack(b, axis=1)
    return weigh(np.linalg.diagonal(b) * np.matrix_transpose(b)[:, 0, :]) + weigh(rows[2]) \
        + weigh(b.mT) * (b.nbytes > b.itemsize) + weigh(np.linalg.matrix_transpose(b[0]) * b[1])


def logarithmic_samples(start, stop):
    return weigh(np.logspace(start, stop, 5)) + weigh(np.logspace(start, stop, 3, base=2.0))


def casts(x):
    # (to float32: the rule test, with a step float32 can see)
    return weigh(np.astype(x, np.float64) * np.astype(x * 0.5, float)) + np.sum(np.astype(x, int))


CASES += [Grad((np.rot90, np.fliplr, np.flipud, np.diagonal), flips_and_diagonals,
               normal(3, 4)),
          Grad((np.unstack, np.linalg.diagonal, np.matrix_transpose,
                np.linalg.matrix_transpose), batched_matrices,
               normal(2, 3, 3)),
          Grad(np.logspace, logarithmic_samples, 0.3, -0.4, argnums=(0, 1)),
          Grad(np.astype, casts, normal(3))]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


def row_stack(x, y):
    return weigh(np.row_stack([x, y])) + weigh(np.row_stack((x[None], y)))


ROW_STACK = [Grad(np.row_stack, row_stack, normal(3), normal(3), argnums=(0, 1))]


@pytest.mark.filterwarnings("ignore:`row_stack` alias is deprecated")
@pytest.mark.parametrize("case", grad_params(ROW_STACK))
def test_deprecated_aliases(case):
    check_case(case)


CASES += ROW_STACK
