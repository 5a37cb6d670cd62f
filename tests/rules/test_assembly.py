"""Splitting, padding, triangles, selection and indexing functions (rules/assembly.py):
each rule and runtime helper alone against central finite differences (``CALLS``), each
primal through ``tp.grad`` (``CASES``), and the gradients of generated gradients
(``SECOND``).  Outputs are weighed unevenly (``weigh``) to catch an adjoint that lands
on the wrong element."""
import os

import numpy as np
import pytest

import runtime as rt
import transpiler as tp
from helpers.check_grads import check_grads
from transpiler.rules import registry

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_params
from .test_grad_shape import weigh
from .test_higher_order import weighed
from .test_abstract_eval import _aval as abstract_of, _check as check_aval
from .test_abstract_eval import test_abstract_eval_matches_numpy as check_abstract_eval

HERE = os.path.abspath(__file__)
with open(HERE) as _handle:
    LINES = _handle.read().splitlines()

RNG = np.random.default_rng(23)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def cotangents(ans):
    """What generated code may pass as the cotangent of an output like ``ans``: a full one
    and a scalar standing for its broadcast; for a list of pieces, also one with a piece
    unused (0.0) and one with a piece lazily broadcast."""
    if isinstance(ans, list):
        full = [normal(*np.shape(p)) for p in ans]
        out = [full, normal()]
        if len(ans) > 1:
            out.append([0.0] + full[1:])
            out.append([normal()] + full[1:])
        return out
    shape = np.shape(ans)
    return [normal(*shape)] + ([normal()] if shape else [])


def adjoint_calls(helper, ans, *args):
    return [Call(helper, g, ans, *args) for g in cotangents(ans)]


CALLS, CASES, SECOND = [], [], []


# ------------------------------------------------------------ splitting
A, CUBE = normal(4, 6), normal(2, 4, 6)
# (sections or indices, axis): even sections, sorted, unsorted (overlapping and empty
# pieces), negative and out-of-range indices, negative axes
SPLITS = [(2, 0), (3, 1), ([1, 3], 0), ([2, 5], -1), ([4, 1], 1), ([-2], 1), ([1, 9], 1),
          (np.array([3]), 1), ([], 0)]
for ios, axis in SPLITS:
    CALLS += [Call(np.split, A, ios, axis), Call(np.array_split, A, ios, axis=axis)]
    CALLS += adjoint_calls(rt.unsplit, np.split(A, ios, axis), A, ios, axis)
CALLS += [Call(np.array_split, A, 4, 1), Call(np.array_split, normal(7), 3),
          Call(np.split, CUBE, 2, axis=-2), Call(np.split, normal(6), 3)]
CALLS += adjoint_calls(rt.unsplit, np.array_split(A, 4, 1), A, 4, 1)
CALLS += adjoint_calls(rt.unsplit, np.array_split(normal(7), 3), normal(7), 3, 0)
CALLS += [Call(np.hsplit, A, 2), Call(np.hsplit, normal(6), [2, 3]), Call(np.hsplit, CUBE, [1]),
          Call(np.vsplit, A, [1, 3]), Call(np.vsplit, CUBE, 2),
          Call(np.dsplit, CUBE, 3), Call(np.dsplit, CUBE, [2, 1])]


def unpacked(x):
    a, b = np.split(x, 2)
    return weigh(a * b)


def indexed(x):
    return weigh(np.split(x, 3)[1]) + weigh(np.array_split(x, [1, 3], axis=1)[2])


def looped(x):
    total = 0.0
    for piece in np.split(x, 3, axis=-1):
        total = total + weigh(piece) * 2.0
    for k, piece in enumerate(np.array_split(x, 4)):
        total = total + weigh(piece ** 2) * k
    return total


def overlapping(x):
    pieces = np.array_split(x, [3, 1], axis=1)
    return weigh(pieces[0]) + weigh(pieces[1]) + weigh(pieces[2]) * 3.0


def fixed_axes(x):
    left, right = np.hsplit(x, [2])
    top, bottom = np.vsplit(x, 2)
    return weigh(left) + weigh(right ** 2) + weigh(top * bottom) \
        + weigh(np.dsplit(x[None], [1, 3])[1])


def data_indices(x, cuts):
    # the cuts are data: how many pieces, and their sizes, are not known statically
    pieces = np.split(x, cuts)
    return weigh(pieces[0]) + 2.0 * weigh(pieces[-1])


def sections_argument(x, n):
    total = 0.0
    for piece in np.array_split(x, n):
        total = total + weigh(piece)
    return total


def written_piece(x):
    # the pieces are views of y: a write into one is a write into y, which is not read
    # after it (nor is the other piece: see test_write_into_a_piece_is_refused)
    y = x * 2.0
    a, b = np.split(y, 2)
    a[0] = 0.0
    return weigh(a)


def unsplit_adjoints(x):
    # the helper as generated code calls it: a list of cotangents (a piece unused), and
    # a scalar standing for every piece
    pieces = np.array_split(x, [3, 1], axis=1)
    parts = [pieces[0] * 2.0, 0.0, np.sin(pieces[2])]
    return weigh(rt.unsplit(parts, pieces, x, [3, 1], 1)) \
        + weigh(rt.unsplit(x[0, 0] ** 2, pieces, x, [3, 1], 1))


CASES += [Grad(rt.unsplit, unsplit_adjoints, normal(2, 5))]
CASES += [Grad(np.split, unpacked, normal(4)), Grad(np.split, unpacked, normal(4, 3)),
          Grad((np.split, np.array_split), indexed, normal(6, 4)),
          Grad((np.split, np.array_split), looped, normal(6, 3)),
          Grad(np.array_split, overlapping, normal(2, 5)),
          Grad((np.hsplit, np.vsplit, np.dsplit), fixed_axes, normal(4, 4)),
          Grad(np.split, data_indices, normal(5), np.array([2, 3])),
          Grad(np.array_split, sections_argument, normal(7), 3),
          Grad(np.split, written_piece, normal(4)),
          Grad(np.split, lambda x: np.sum(np.split(x, 2)[0]), A, note="-summed"),
          Grad(np.array_split, lambda x: np.sum(np.array_split(x, 3)[2]), normal(7), note="-summed")]


def splits_twice(x):
    return fixed_axes(x) + overlapping(x[:2, :]) + unpacked(x[0])


SECOND += [(splits_twice, (normal(4, 4),))]


# ------------------------------------------------------------ triangles
SQUARE, WIDE, BATCH = normal(4, 4), normal(3, 5), normal(2, 3, 4)
for f in (np.tril, np.triu):
    CALLS += [Call(f, SQUARE), Call(f, WIDE, 1), Call(f, WIDE, k=-1), Call(f, BATCH, -2),
              Call(f, BATCH, k=2), Call(f, normal(4)), Call(f, normal(3), -1), Call(f, WIDE, 7)]


def triangles(x):
    return weigh(np.tril(x)) + weigh(np.triu(x, 1) ** 2) + weigh(np.tril(x, k=-1) * x) \
        + weigh(np.triu(x, -2))


def triangles_of_a_row(v):
    return weigh(np.tril(v)) + weigh(np.triu(v, 1))


CASES += [Grad((np.tril, np.triu), triangles, WIDE), Grad((np.tril, np.triu), triangles, BATCH),
          Grad((np.tril, np.triu), triangles_of_a_row, normal(3)),
          Grad(np.tril, lambda x: np.sum(np.tril(x, -1)), SQUARE, note="-summed"),
          Grad(np.triu, lambda x: np.sum(np.triu(x)), normal(3), note="-summed")]
SECOND += [(triangles, (BATCH,)), (triangles_of_a_row, (normal(3),))]


# ------------------------------------------------------------ axes and stacking
for axis, start in ((0, 0), (2, 0), (-1, 1), (0, 3), (1, -1), (0, -3), (1, 2)):
    CALLS += [Call(np.rollaxis, CUBE, axis, start)]
CALLS += [Call(np.rollaxis, CUBE, 2), Call(np.rollaxis, A, -1, start=0)]
CALLS += [Call(np.column_stack, [normal(3), normal(3)]),
          Call(np.column_stack, (normal(3, 2), normal(3), normal(3, 1))),
          Call(np.column_stack, [normal(), normal()]),
          Call(np.dstack, [normal(3), normal(3)]), Call(np.dstack, (normal(2, 3), normal(2, 3, 2))),
          Call(np.dstack, [normal(), normal(1, 1, 2)]),
          Call(np.append, normal(3), normal(2)), Call(np.append, A, normal(2, 2)),
          Call(np.append, A, normal()), Call(np.append, A, normal(1, 6), axis=0),
          Call(np.append, A, normal(4, 2), -1), Call(np.append, normal(), normal(3))]


def rolled(x):
    return weigh(np.rollaxis(x, 2)) + weigh(np.rollaxis(x, -1, 1) ** 2) \
        + weigh(np.rollaxis(x, 0, 3) * 3.0) + weigh(np.rollaxis(x, 1, start=-1))


def stacked(x, y):
    return weigh(np.column_stack([x, y])) + weigh(np.column_stack((x[:, None], y * x))) \
        + weigh(np.dstack([x, y])) + weigh(np.dstack((x[None], x * y)))


def appended(x, y):
    return weigh(np.append(x, y)) + weigh(np.append(x[None], y[None] ** 2, axis=0)) \
        + weigh(np.append(x, 2.0 * y[0]))


CASES += [Grad(np.rollaxis, rolled, CUBE), Grad((np.column_stack, np.dstack), stacked, normal(3),
                                                 normal(3), argnums=(0, 1)),
          Grad(np.append, appended, normal(3), normal(3), argnums=(0, 1)),
          Grad(np.rollaxis, lambda x: np.sum(np.rollaxis(x, 1)), CUBE, note="-summed"),
          Grad(np.column_stack, lambda x: np.sum(np.column_stack([x, x])), normal(3), note="-summed"),
          Grad(np.dstack, lambda x: np.sum(np.dstack([x, x])), A, note="-summed"),
          Grad(np.append, lambda x: np.sum(np.append(x, x)), A, note="-summed")]
SECOND += [(rolled, (CUBE,)), (stacked, (normal(3), normal(3))), (appended, (normal(3), normal(3)))]


# ------------------------------------------------------------ padding
MODES = ("constant", "edge", "reflect", "symmetric", "wrap")
WIDTHS = [1, (1, 2), ((0, 2), (3, 1)), [[2, 0], [1, 1]]]
for mode in MODES:
    CALLS += [Call(np.pad, A, width, mode) for width in WIDTHS]
    CALLS += [Call(np.pad, normal(3), 4, mode=mode), Call(np.pad, CUBE, ((1, 0), (0, 0), (2, 7)), mode)]
    for width in WIDTHS[:3]:
        CALLS += adjoint_calls(rt.unpad, np.pad(A, width, mode), A, width, mode)
CALLS += [Call(np.pad, A, 2, constant_values=0.5), Call(np.pad, A, (1, 2), constant_values=normal(2)),
          Call(np.pad, A, ((0, 2), (3, 1)), constant_values=normal(2, 2)),
          Call(np.pad, A, 1, "constant", constant_values=normal(2, 1)),
          Call(np.pad, normal(3), 2, constant_values=normal(1)),
          Call(np.pad, CUBE, 1, constant_values=normal(3, 2))]
for width, values in ((2, 0.5), ((1, 2), normal(2)), (((0, 2), (3, 1)), normal(2, 2)), (1, normal(2, 1))):
    ans = np.pad(A, width, constant_values=values)
    CALLS += adjoint_calls(rt.pad_fill_adjoint, ans, A, width, values)
    CALLS += [Call(rt.pad_fill_adjoint, normal(*ans.shape), ans, A, width)]


def padded(x, c):
    return weigh(np.pad(x, 1)) + weigh(np.pad(x, (1, 2), "edge") ** 2) \
        + weigh(np.pad(x, ((0, 2), (3, 1)), mode="reflect")) + weigh(np.pad(x, 2, "symmetric") * 3.0) \
        + weigh(np.pad(x, ((1, 1), (0, 5)), "wrap")) + weigh(np.pad(x, 2, constant_values=c))


def padded_row(x, c):
    return weigh(np.pad(x, (1, 2), "edge")) + weigh(np.pad(x, 5, "reflect") ** 2) \
        + weigh(np.pad(x, 4, "wrap")) + weigh(np.pad(x, (0, 3), "symmetric")) \
        + weigh(np.pad(x, 1, constant_values=c))


def padded_by_pairs(x, c):
    return weigh(np.pad(x, ((1, 0), (2, 1)), constant_values=c * c))


def padded_by_a_number(x, c):
    return weigh(np.pad(x * c, 2, "constant", constant_values=c))


CASES += [Grad(np.pad, padded, A, 0.7, argnums=(0, 1)), Grad(np.pad, padded_row, normal(3), 0.7, argnums=(0, 1)),
          Grad(np.pad, padded_by_pairs, A, normal(2, 2), argnums=(0, 1)),
          Grad(np.pad, padded_by_pairs, A, normal(2), argnums=(0, 1)),
          Grad(np.pad, padded_by_a_number, CUBE, np.float64(0.3), argnums=(0, 1)),
          Grad(np.pad, lambda x: np.sum(np.pad(x, 3, "reflect")), A, note="-summed")]


def pad_adjoints(g, x):
    # the helpers as generated code calls them (g for a padded output)
    width = ((1, 2), (0, 3))
    out = np.pad(x, width, "symmetric")
    return weigh(rt.unpad(g * x[0, 0], out, x, width, "symmetric")) \
        + weigh(rt.pad_fill_adjoint(g ** 2, out, x, width, x[:, 0]))


CASES += [Grad((rt.unpad, rt.pad_fill_adjoint), pad_adjoints, normal(7, 9), normal(4, 6),
               argnums=(0, 1))]
def padded_cubes(x, c):
    # mild curvature: the weighed gradient stays within finite differences' reach
    return np.sum(np.pad(x, 1) ** 3) + np.sum(np.pad(x, (1, 2), "edge") ** 3) \
        + np.sum(np.pad(x, ((0, 2), (3, 1)), mode="reflect") ** 3) \
        + np.sum(np.pad(x, 2, "symmetric") ** 3) + np.sum(np.pad(x, ((1, 1), (0, 5)), "wrap") ** 3) \
        + np.sum(np.pad(x * c, 2, constant_values=c) ** 3) \
        + np.sum(np.pad(x, ((1, 0), (2, 1)), constant_values=((c, 1.0), (2.0, c * c))) ** 3)


SECOND += [(padded_cubes, (normal(3, 3) * 0.5, 0.7))]


# ------------------------------------------------------------ ordering and degrees


def distinct(*shape):
    """Values at least 0.2 apart (no ties)."""
    size = int(np.prod(shape))
    return RNG.permutation(np.arange(size) * 0.25 - size * 0.1).reshape(shape) \
        + RNG.uniform(0, 0.05, shape)


TIED = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, -1.0, 0.5, 2.0], [2.0, 0.25, -2.0, 0.0]])
ROWS6 = distinct(3, 6)
CALLS += [Call(np.partition, distinct(7), 3), Call(np.partition, ROWS6, 2),
          Call(np.partition, ROWS6, (1, 4), axis=1), Call(np.partition, ROWS6, 1, 0),
          Call(np.partition, ROWS6, -1, axis=None), Call(np.partition, distinct(2, 3, 4), [0, 2], -2),
          Call(np.partition, ROWS6, 0, kind="introselect")]
for f in (np.deg2rad, np.radians, np.rad2deg, np.degrees):
    CALLS += [Call(f, A), Call(f, normal()), Call(f, np.float64(normal())), Call(f, normal(3).astype(np.float32),
                                                                             tol=dict(rtol=1e-3, atol=1e-3, eps=1e-3))]


def partitioned(x):
    return weigh(np.partition(x, 2)) + weigh(np.partition(x, (0, 3), axis=0) ** 2) \
        + weigh(np.partition(x, -1, axis=None))


def partitioned_with_ties(x):
    # a tie: whichever of the tied entries takes which place, the gradient is the same
    # when the weights of those places are equal
    y = np.concatenate([x, x[:1]])
    return np.sum(np.partition(y, 2)[:2] ** 2) + np.sum(np.partition(y, 2)[3:])


def degrees(x):
    return weigh(np.deg2rad(x)) + weigh(np.radians(x * 2.0)) + weigh(np.rad2deg(x) * 0.01) \
        + weigh(np.degrees(x[0]) * 0.1)


CASES += [Grad(np.partition, partitioned, distinct(4, 5)),
          Grad(np.partition, partitioned_with_ties, np.array([0.3, 2.0, -1.0, 0.9])),
          Grad(np.partition, lambda x: np.sum(np.partition(x, 1)), ROWS6, note="-summed"),
          Grad((np.deg2rad, np.radians, np.rad2deg, np.degrees), degrees, A),
          Grad((np.deg2rad, np.rad2deg), lambda x: np.deg2rad(x) * np.rad2deg(x) ** 2, 0.4),
          Grad(np.deg2rad, lambda x: np.sum(np.deg2rad(x)), A, note="-summed")]
SECOND += [(partitioned, (distinct(4, 5),)), (degrees, (A,))]


# ------------------------------------------------------------ selection and indexing
CONDS = [A > 0.5, A < -0.5]
CALLS += [Call(np.select, CONDS, [A, A * 2.0]), Call(np.select, CONDS, [normal(6), normal(4, 1)], normal()),
          Call(np.select, CONDS, (A, normal()), default=normal(6)),
          Call(np.select, [A[0] > 0.0], [normal(3, 6)], 0.5),
          Call(np.select, [A > 0.0, A > -0.5, A > -1.0], [normal(4, 6), normal(6), normal(4, 6)])]
CALLS += [Call(np.real_if_close, A), Call(np.real_if_close, normal())]
INDICES = np.array([[0, 2], [2, 1]])
CALLS += [Call(np.take, A, np.array([3, 0, 3])), Call(np.take, A, INDICES, axis=1),
          Call(np.take, A, [1, -1], 0), Call(np.take, A, 2, axis=-1), Call(np.take, A, 20, mode="wrap"),
          Call(np.take, CUBE, np.array([-9, 9, 1]), 2, None, "clip"), Call(np.take, CUBE, INDICES, 1, mode="wrap")]
for a, indices, axis, mode in ((A, np.array([3, 0, 3]), None, "raise"), (A, INDICES, 1, "raise"),
                               (A, [1, -1], 0, "raise"), (CUBE, np.array([-9, 9, 1]), 2, "clip"),
                               (CUBE, INDICES, 1, "wrap"), (A, 2, -1, "raise")):
    CALLS += adjoint_calls(rt.untake, np.take(a, indices, axis, mode=mode), a, indices, axis, mode)
ORDER = np.argsort(A, axis=1)
CALLS += [Call(np.take_along_axis, A, ORDER, 1), Call(np.take_along_axis, A, ORDER[:, :2], axis=-1),
          Call(np.take_along_axis, A, np.array([[1, 1, 0, 3, 2, 0]]), 0),
          Call(np.take_along_axis, normal(4, 1), np.array([[0, 0, 0]]), 0),
          Call(np.take_along_axis, normal(1, 6), ORDER, 1),
          Call(np.take_along_axis, normal(5), np.array([4, 0, 4, -1]), None),
          Call(np.take_along_axis, CUBE, np.argsort(CUBE, axis=0), axis=0)]
for arr, indices, axis in ((A, ORDER, 1), (A, np.array([[1, 1, 0, 3, 2, 0]]), 0),
                           (normal(1, 6), ORDER, 1), (normal(5), np.array([4, 0, 4, -1]), None)):
    CALLS += adjoint_calls(rt.untake_along, np.take_along_axis(arr, indices, axis), arr, indices, axis)
MASK = np.array([True, False, True, True])
CALLS += [Call(np.compress, MASK, A, 0), Call(np.compress, MASK[:3], A, axis=1),
          Call(np.compress, [False, True], A), Call(np.compress, MASK, CUBE, -2),
          Call(np.extract, A > 0.0, A), Call(np.extract, A > 0.0, normal(24))]


def selected(x, d):
    return weigh(np.select([x > 0.5, x < -0.5], [x ** 2, x * 3.0], d)) \
        + weigh(np.select([x > 0.0, x > -1.0], (np.sin(x), x[0]), default=d * x))


def selected_rows(x, d):
    return weigh(np.select([x[0] > 0.0], [x], d))


def indexed_reads(x):
    order = np.argsort(x, axis=1)
    return weigh(np.take(x, np.array([3, 0, 3]))) + weigh(np.take(x, [[0, 2], [2, 1]], axis=1)) \
        + weigh(np.take(x, 20, mode="wrap") * x) + weigh(np.take(x, [-9, 9], 1, mode="clip")) \
        + weigh(np.take_along_axis(x, order, 1) ** 2) + weigh(np.take_along_axis(x, np.argsort(x, 0)[:1], axis=0)) \
        + weigh(np.compress([True, False, True], x, axis=0)) + weigh(np.extract(x > 0.0, x) ** 2) \
        + weigh(np.compress(x[0] > 0.0, x, 1)) + weigh(np.real_if_close(x) * x)


CASES += [Grad(np.select, selected, A, 0.3, argnums=(0, 1)),
          Grad(np.select, selected, A, normal(6), argnums=(0, 1)),
          Grad(np.select, selected_rows, A, normal(6), argnums=(0, 1)),
          Grad((np.take, np.take_along_axis, np.compress, np.extract, np.real_if_close),
               indexed_reads, A),
          Grad(np.take, lambda x: np.sum(np.take(x, [1, 1], 0)), A, note="-summed"),
          Grad(np.take_along_axis, lambda x: np.sum(np.take_along_axis(x, np.argsort(x, 0), 0)), A,
               note="-summed"),
          Grad(np.select, lambda x: np.sum(np.select([x > 0.0], [x])), A, note="-summed")]


def index_adjoints(g, x):
    # the helpers as generated code calls them
    out = np.take(x, [[0, 2], [2, 0]], axis=1)
    along = np.take_along_axis(x, np.argsort(x, axis=0), 0)
    return weigh(rt.untake(g * x[0, 0], out, x, [[0, 2], [2, 0]], 1)) \
        + weigh(rt.untake_along(g[0, 0, 0] ** 2 * np.sin(x[:2]), along[:2], x, np.argsort(x, axis=0)[:2], 0))


CASES += [Grad((rt.untake, rt.untake_along), index_adjoints, normal(4, 2, 2), A, argnums=(0, 1))]
SECOND += [(selected, (A, normal(6))), (indexed_reads, (A,))]


# ------------------------------------------------------------ NaN-aware reductions
WITH_NAN = normal(3, 4)
WITH_NAN[0, 1] = WITH_NAN[2, 3] = WITH_NAN[2, 0] = np.nan
ALL_NAN_ROW = distinct(3, 4)
ALL_NAN_ROW[1] = np.nan
ALL_NAN_ROW[0, 2] = np.nan
for f in (np.nansum, np.nanmean, np.nanprod, np.nanmax, np.nanmin, np.nanvar, np.nanstd):
    data = distinct(3, 4) if f in (np.nanmax, np.nanmin) else WITH_NAN
    if f in (np.nanmax, np.nanmin):
        data[1, 2] = np.nan
    CALLS += [Call(f, data), Call(f, data, axis=0), Call(f, data, 1, keepdims=True),
              Call(f, data, axis=(0, 1), keepdims=True), Call(f, data, -1)]
    CALLS += [Call(f, normal(5)), Call(f, normal(2, 3, 4), axis=(0, 2))]
# a slice of NaNs alone: a sum 0, a product 1 (a mean NaN, which no oracle can check)
CALLS += [Call(np.nansum, ALL_NAN_ROW, axis=1), Call(np.nanprod, ALL_NAN_ROW, axis=1),
          Call(np.nanmean, ALL_NAN_ROW, axis=0)]
CALLS += [Call(np.nanvar, WITH_NAN, ddof=1), Call(np.nanstd, WITH_NAN, 0, None, None, 1),
          Call(np.nanstd, WITH_NAN, axis=1, ddof=1, keepdims=True)]
for f in (np.nancumsum, np.nancumprod):
    CALLS += [Call(f, WITH_NAN), Call(f, WITH_NAN, 0), Call(f, WITH_NAN, axis=1), Call(f, normal(5)),
              Call(f, normal(2, 3, 4), axis=-1)]
# two-way ties beside a NaN (central differences split the derivative equally, as the
# rules do); zeros beside NaNs (the products of the others, exact); float32
TIED_NAN = TIED.copy()
TIED_NAN[2, 1] = np.nan
ZERO_NAN = np.array([[1.2, 0.0, -0.7, np.nan], [0.9, 1.1, -1.3, 0.8], [0.0, np.nan, 0.0, 1.4]])
CALLS += [Call(np.nanmax, TIED_NAN, axis=1), Call(np.nanmax, TIED_NAN),
          Call(np.nanmin, -TIED_NAN, axis=1, keepdims=True)]
CALLS += [Call(np.nanprod, ZERO_NAN), Call(np.nanprod, ZERO_NAN, axis=1),
          Call(np.nanprod, ZERO_NAN, 0, keepdims=True), Call(np.nancumprod, ZERO_NAN, axis=1),
          Call(np.nancumprod, ZERO_NAN), Call(np.nancumprod, np.array([1.5, 0.0, np.nan, 2.0, 0.0, 0.7]))]
CALLS += [Call(f, WITH_NAN.astype(np.float32), axis=0, tol=dict(rtol=1e-3, atol=1e-3, eps=1e-3))
          for f in (np.nansum, np.nanmean, np.nanmax, np.nanprod, np.nanvar, np.nanstd,
                    np.nancumsum, np.nancumprod)]


def nan_reductions(x):
    # only linear steps before the reductions: x ** 2 would give 0 * nan = nan at a NaN
    # entry (as in JAX and autograd), however zero the reduction's adjoint there
    return np.nansum(x * 3.0) ** 2 + weigh(np.nanmean(x, axis=0)) + np.nanprod(x[0] + 2.0) \
        + weigh(np.nanmax(x, axis=1)) + np.nanmin(x) * 2.0 + weigh(np.nanvar(x, 1, keepdims=True)) \
        + np.nanstd(x, ddof=1) + weigh(np.nancumsum(x, axis=1)) + weigh(np.nancumprod(x * 0.5))


def nan_slices(x):
    # NaN entries are left out; a slice of NaNs alone gives nothing
    return weigh(np.nansum(x, axis=1)) + weigh(np.nanmean(x, 0)) + weigh(np.nanprod(x, axis=0))


CASES += [Grad((np.nansum, np.nanmean, np.nanprod, np.nanmax, np.nanmin, np.nanvar, np.nanstd,
                np.nancumsum, np.nancumprod), nan_reductions, WITH_NAN),
          Grad((np.nansum, np.nanmean, np.nanprod, np.nanmax, np.nanmin, np.nanvar, np.nanstd,
                np.nancumsum, np.nancumprod), nan_reductions, distinct(3, 4)),
          Grad((np.nansum, np.nanmean, np.nanprod), nan_slices, ALL_NAN_ROW),
          Grad(np.nansum, lambda x: np.nansum(np.nansum(x, axis=0)), WITH_NAN, note="-summed")]
SECOND += [(nan_reductions, (WITH_NAN,))]


# ------------------------------------------------------------ the tests

@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


@pytest.mark.parametrize("f, args", SECOND, ids=[f.__name__ for f, _ in SECOND])
def test_gradient_of_a_generated_gradient_matches_finite_differences(f, args):
    for wrt in range(len(args)):
        generated = tp.grad(f, argnums=wrt).specialised(*args)
        check_grads(weighed(generated, len(args)), args, argnums=tuple(range(len(args))))


def _data_dependent(call):
    """Cuts held in an array are data: the pieces are not known statically."""
    return call.primal in (np.split, np.array_split) and isinstance(call.args[1], np.ndarray)


DATA_SIZED = (np.compress, np.extract)      # how many conditions hold is data


@pytest.mark.parametrize("call", [c for c in CALLS if not _data_dependent(c)],
                         ids=lambda c: c.label())
def test_abstract_eval_matches_numpy(call):
    if call.primal not in DATA_SIZED:
        check_abstract_eval(call)
        return
    record = registry.lookup(call.primal)
    aval = record.evaluate([abstract_of(a) for a in call.args],
                           {k: abstract_of(v) for k, v in call.kwargs.items()}, call.primal)
    assert aval is not None
    check_aval(aval, call.primal(*call.args, **call.kwargs), call.label())


# ------------------------------------------------------------ refused forms

REFUSED = []


def refusal(fn, args, marker, *words):
    """The TranspileError of ``tp.grad(fn)(*args)``: at the line of this file that ends
    with ``# E:<marker>``, with a hint, naming ``words``."""
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)(*args)
    lineno = [k for k, line in enumerate(LINES, start=1)
              if line.rstrip().endswith("# E:" + marker)]
    message = str(info.value)
    assert message.startswith("%s:%d:" % (HERE, lineno[0])), message
    assert "\nhint: " in message, message
    for word in words:
        assert word in message, message
    return message


def write_into_a_piece(x):
    y = x * 2.0
    a, b = np.split(y, 2)
    a[0] = 0.0  # E:piece
    return weigh(a) + weigh(b)


def write_into_an_argument_piece(x):
    a, b = np.split(x, 2)
    a[0] = 0.0  # E:argument-piece
    return weigh(a)


def pad_by_mean(x):
    return weigh(np.pad(x, 2, "mean"))  # E:pad-mean


def pad_odd_reflection(x):
    return weigh(np.pad(x, 2, "reflect", reflect_type="odd"))  # E:pad-odd


def pad_stat_length(x):
    return weigh(np.pad(x, 2, "maximum", stat_length=2))  # E:pad-stat


REFUSED += [(pad_by_mean, (normal(4),), "pad-mean", ("'mean'", "np.concatenate")),
            (pad_odd_reflection, (normal(4),), "pad-odd", ("reflect_type='odd'",)),
            (pad_stat_length, (normal(4),), "pad-stat", ("stat_length",))]
def put_along(x):
    # an in-place write: refused (np.take_along_axis and x.at[...].set(...) are not)
    y = x * 1.0
    np.put_along_axis(y, np.array([[0, 1]]), 0.0, 0)  # E:put-along
    return weigh(y)


REFUSED += [(put_along, (normal(2, 2),), "put-along", ("numpy.put_along_axis",))]
REFUSED += [(write_into_a_piece, (normal(4),), "piece", ("`a` is modified in place",)),
            (write_into_an_argument_piece, (normal(4),), "argument-piece", ("argument `x`",))]


@pytest.mark.parametrize("fn, args, marker, words", REFUSED, ids=[r[2] for r in REFUSED])
def test_refused_at_the_line(fn, args, marker, words):
    refusal(fn, args, marker, *words)
