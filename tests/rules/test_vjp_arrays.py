"""Rules of reductions, linear algebra, shape functions, creation, builtins and
containers, each adjoint checked on its own against central finite differences."""
import builtins
import collections
import math
import operator

import numpy as np
import pytest

import runtime as rt
from transpiler.rules.table import spelling

from .oracle import Call, check_call, check_call_tangent, rule_params, slots

RNG = np.random.default_rng(7)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def well_conditioned(*shape):
    """Square matrices (or stacks of them) far from singular."""
    n = shape[-1]
    return normal(*shape) * 0.3 + 2.0 * np.eye(n)


def distinct(*shape):
    """Values at least 0.1 apart, for max, min and sort (no ties)."""
    size = int(np.prod(shape))
    return RNG.permutation(np.arange(size) * 0.25 - size * 0.1).reshape(shape) \
        + RNG.uniform(0, 0.05, shape)


A = normal(3, 4)
# two-way ties in every row and column: central differences then split the derivative
# equally between the tied entries, as the max/min rules do
TIED = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, -1.0, 0.5, 2.0], [2.0, 0.25, -2.0, 0.0]])
WITH_ZERO = np.array([[1.2, 0.0, -0.7, 1.5], [0.9, 1.1, -1.3, 0.8], [0.0, 0.6, 0.0, 1.4]])

AXES = [None, 0, -1, (0, 1)]
CALLS = []
for f in (np.sum, np.mean, np.prod, np.var, np.std):
    CALLS += [Call(f, A, axis=axis, keepdims=keep) for axis in AXES for keep in (False, True)]
    CALLS += [Call(f, normal(5)), Call(f, normal(2, 3, 4), axis=(0, 2)),
              Call(f, normal(2, 3, 4), axis=1, keepdims=True)]
for f in (np.max, np.amax, np.min, np.amin):
    CALLS += [Call(f, distinct(3, 4), axis=axis, keepdims=keep)
              for axis in AXES for keep in (False, True)]
    CALLS += [Call(f, distinct(5)), Call(f, distinct(2, 3, 4), axis=(0, 2))]
CALLS += [Call(np.max, TIED, axis=1), Call(np.min, TIED, axis=0, keepdims=True),
          Call(np.max, np.array([0.5, 2.0, 2.0, 1.0]))]
CALLS += [Call(np.prod, WITH_ZERO, axis=axis, keepdims=keep)
          for axis in AXES for keep in (False, True)]
CALLS += [Call(np.var, A, ddof=1), Call(np.std, A, axis=0, ddof=1),
          Call(np.std, A, axis=-1, ddof=1, keepdims=True), Call(np.var, A, axis=(0, 1), ddof=2)]
for f in (np.cumsum, np.cumprod):
    CALLS += [Call(f, normal(5)), Call(f, A), Call(f, A, axis=0), Call(f, A, axis=1),
              Call(f, normal(2, 3, 4), axis=-1)]
CALLS += [Call(np.cumprod, WITH_ZERO, axis=1), Call(np.cumprod, WITH_ZERO),
          Call(np.cumprod, np.array([1.5, 0.0, 2.0, 0.0, 0.7]))]
# keywords: initial= (differentiable), where=, dtype= (a float dtype keeps the adjoint,
# an integer one makes it zero), ddof's alias correction=, sort's kind=
MASK = A > 0.0
F32 = dict(tol=dict(eps=1e-2, rtol=1e-3, atol=1e-3))
CALLS += [Call(np.sum, A, initial=0.7), Call(np.sum, A, axis=0, initial=-1.5),
          Call(np.sum, A, axis=1, keepdims=True, initial=0.3),
          Call(np.sum, A, where=MASK), Call(np.sum, A, axis=0, where=MASK[0]),
          Call(np.sum, A, axis=1, keepdims=True, where=MASK, initial=2.0),
          Call(np.sum, A, axis=0, dtype=np.float32, **F32), Call(np.sum, A, dtype=int),
          Call(np.mean, A, where=MASK), Call(np.mean, A, axis=1, where=MASK),
          Call(np.mean, A, axis=0, keepdims=True, where=np.array([[True], [False], [True]])),
          Call(np.mean, A, axis=1, dtype=np.float32, **F32), Call(np.mean, A, dtype=int)]
for f, beyond in ((np.max, 9.0), (np.amax, 9.0), (np.min, -9.0), (np.amin, -9.0)):
    x = distinct(3, 4)
    CALLS += [Call(f, x, initial=0.05), Call(f, x, initial=beyond),
              Call(f, x, axis=1, initial=float(np.median(x))),
              Call(f, x, axis=0, keepdims=True, initial=0.0, where=x > -1.0),
              Call(f, np.array([0.5, 2.0, 1.0]), initial=2.0)]       # a tie with initial
CALLS += [Call(np.prod, WITH_ZERO, initial=1.5), Call(np.prod, A, axis=0, initial=-2.0),
          Call(np.prod, WITH_ZERO, axis=1, where=WITH_ZERO != 0.0),
          Call(np.prod, A, axis=1, keepdims=True, where=MASK, initial=0.5),
          Call(np.prod, A, dtype=int)]
CALLS += [Call(np.var, A, axis=0, correction=1), Call(np.std, A, correction=2),
          Call(np.var, A, dtype=np.float32, **F32)]
# std of one value per result: the constant 0
CALLS += [Call(np.std, normal(3, 1), axis=1), Call(np.std, normal(1)),
          Call(np.std, normal(2, 1, 3), axis=1, keepdims=True)]
CALLS += [Call(f, A, axis=1, dtype=np.float32, **F32) for f in (np.cumsum, np.cumprod)]
CALLS += [Call(f, A, axis=0, dtype=int) for f in (np.cumsum, np.cumprod)]
CALLS += [Call(np.sort, distinct(6), kind="stable"), Call(np.sort, distinct(3, 4), 0, "heapsort")]
CALLS += [Call(np.sort, distinct(6)), Call(np.sort, distinct(3, 4)),
          Call(np.sort, distinct(3, 4), axis=0), Call(np.sort, distinct(3, 4), axis=None),
          Call(np.sort, distinct(2, 3, 4), axis=1)]

# ------------------------------------------------------------ linear algebra
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (2, 3, 4)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)),
                 ((2, 2, 3), (3,)), ((1, 2, 3), (2, 3, 4)), ((2, 3), (1, 3, 4))]
CALLS += [Call(operator.imatmul, normal(2, 3), normal(3, 3)),
          Call(operator.imatmul, normal(2, 2, 3), normal(3, 3))]
for f in (operator.matmul, np.matmul):
    CALLS += [Call(f, normal(*s), normal(*t)) for s, t in MATMUL_SHAPES]
DOT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((), (3, 4)),
              ((2, 3), ()), ((), ()), ((2, 2, 3), (3,)), ((2, 3), (2, 3, 4)),
              ((2, 2, 3), (4, 3, 2))]
CALLS += [Call(np.dot, normal(*s), normal(*t)) for s, t in DOT_SHAPES]
INNER_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((), (2, 3)),
                ((2, 2, 3), (4, 3))]
CALLS += [Call(np.inner, normal(*s), normal(*t)) for s, t in INNER_SHAPES]
CALLS += [Call(np.vdot, normal(3), normal(3)), Call(np.vdot, normal(2, 3), normal(2, 3)),
          Call(np.vdot, normal(2, 3), normal(6))]
CALLS += [Call(np.outer, normal(3), normal(4)), Call(np.outer, normal(2, 2), normal(3)),
          Call(np.outer, normal(), normal(3))]
# np.einsum: tests/rules/test_contractions.py
CALLS += [Call(np.linalg.norm, normal(4)), Call(np.linalg.norm, normal(3, 4)),
          Call(np.linalg.norm, normal(4), ord=2), Call(np.linalg.norm, normal(4), ord=1),
          Call(np.linalg.norm, distinct(4), ord=np.inf),
          Call(np.linalg.norm, distinct(4), ord=-np.inf),
          Call(np.linalg.norm, normal(4), ord=3), Call(np.linalg.norm, normal(4), ord=0.5),
          Call(np.linalg.norm, normal(3, 4), ord="fro"),
          Call(np.linalg.norm, normal(3, 4), axis=0), Call(np.linalg.norm, normal(3, 4), axis=-1),
          Call(np.linalg.norm, normal(3, 4), axis=1, keepdims=True),
          Call(np.linalg.norm, normal(3, 4), keepdims=True),
          Call(np.linalg.norm, normal(3, 4), axis=(0, 1)),
          Call(np.linalg.norm, normal(2, 3, 4), axis=(1, 2)),
          Call(np.linalg.norm, normal(3, 4), ord=1, axis=1),
          Call(np.linalg.norm, distinct(3, 4), ord=np.inf, axis=0),
          Call(np.linalg.norm, normal(4), ord=-1.5), Call(np.linalg.norm, normal(4), ord=0)]
# matrix norms: over the last two axes, over any pair of axes (in either order), kept
MATRIX_ORDERS = [None, "fro", 1, -1, 2, -2, np.inf, -np.inf, "nuc"]
CALLS += [Call(np.linalg.norm, normal(3, 4), ord=order) for order in MATRIX_ORDERS]
CALLS += [Call(np.linalg.norm, normal(2, 3, 4), order, (2, 0), True) for order in MATRIX_ORDERS]
CALLS += [Call(np.linalg.norm, normal(2, 4, 3), ord=order, axis=(-1, -2))
          for order in MATRIX_ORDERS]
CALLS += [Call(np.linalg.inv, well_conditioned(3, 3)),
          Call(np.linalg.inv, well_conditioned(2, 3, 3)),
          Call(np.linalg.det, well_conditioned(3, 3)),
          Call(np.linalg.det, well_conditioned(2, 3, 3)),
          Call(np.linalg.solve, well_conditioned(3, 3), normal(3)),
          Call(np.linalg.solve, well_conditioned(3, 3), normal(3, 2)),
          Call(np.linalg.solve, well_conditioned(2, 3, 3), normal(2, 3, 2)),
          Call(np.linalg.solve, well_conditioned(2, 3, 3), normal(3)),
          Call(np.linalg.solve, well_conditioned(2, 3, 3), normal(3, 2)),
          Call(np.trace, normal(3, 3)), Call(np.trace, normal(3, 4), 1),
          Call(np.trace, normal(4, 3), offset=-1), Call(np.trace, normal(3, 3, 2))]
# a singular matrix (rank 2) and a stack holding one: det's derivative is its cofactors
SINGULAR = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [1.3, 1.0, 2.5]])
CALLS += [Call(np.linalg.det, SINGULAR),
          Call(np.linalg.det, np.stack([SINGULAR, well_conditioned(3, 3)])),
          Call(np.linalg.det, well_conditioned(3, 3).astype(np.float32), **F32),
          Call(np.linalg.inv, well_conditioned(3, 3).astype(np.float32), **F32),
          Call(np.linalg.solve, well_conditioned(3, 3).astype(np.float32),
               normal(3).astype(np.float32), **F32)]
# norms at 0 (a zero vector, a zero row, zero entries): the slope is 0 there
CALLS += [Call(np.linalg.norm, np.zeros(3)),
          Call(np.linalg.norm, WITH_ZERO * [[1], [1], [0]], axis=1),
          Call(np.linalg.norm, WITH_ZERO, ord=1, axis=1), Call(np.linalg.norm, np.ravel(WITH_ZERO), ord=3),
          Call(np.linalg.norm, np.zeros((2, 3)), ord="nuc"),
          Call(np.linalg.norm, np.zeros((2, 3)), ord=2),
          Call(np.linalg.norm, np.zeros((3, 2)), ord=-2),
          Call(np.linalg.norm, normal(3, 4).astype(np.float32), **F32),
          Call(np.linalg.norm, normal(3, 4).astype(np.float32), ord=2, **F32)]

# ------------------------------------------------------------ shape
CALLS += [Call(np.reshape, A, (2, 6)), Call(np.reshape, normal(12), (3, -1)),
          Call(np.reshape, A, (4, 3), order="F"), Call(np.reshape, normal(), (1, 1)),
          Call(np.ravel, A), Call(np.ravel, A, order="F"), Call(rt.flatten, A),
          Call(np.squeeze, normal(1, 3, 1)), Call(np.squeeze, normal(1, 3, 1), axis=0),
          Call(np.expand_dims, normal(3), 0), Call(np.expand_dims, A, -1),
          Call(np.expand_dims, normal(3), (0, 2)),
          Call(np.atleast_1d, normal()), Call(np.atleast_2d, normal(3)),
          Call(np.atleast_3d, A), Call(np.ascontiguousarray, A.T),
          Call(np.ascontiguousarray, normal()),
          Call(np.transpose, A), Call(np.transpose, normal(2, 3, 4), (1, 2, 0)),
          Call(np.transpose, normal(2, 3, 4), (0, -1, 1)),
          Call(np.swapaxes, normal(2, 3, 4), 0, 2), Call(np.swapaxes, A, -1, 0),
          Call(np.moveaxis, normal(2, 3, 4), 0, -1),
          Call(np.moveaxis, normal(2, 3, 4), (0, 1), (2, 0)),
          Call(np.flip, A), Call(np.flip, A, 0), Call(np.flip, normal(2, 3, 4), (0, 2)),
          Call(np.roll, normal(5), 2), Call(np.roll, A, 1, 1), Call(np.roll, A, (1, 2), (0, 1)),
          Call(np.roll, A, 5), Call(np.roll, A, -1, axis=0),
          Call(np.broadcast_to, normal(4), (3, 4)), Call(np.broadcast_to, normal(3, 1), (3, 4)),
          Call(np.broadcast_to, normal(), (2, 3)), Call(np.broadcast_to, normal(1, 4), (2, 3, 4)),
          Call(np.copy, A), Call(np.copy, normal())]
CALLS += [Call(np.array, [normal(3), normal(3)]), Call(np.array, [normal(), normal(), normal()]),
          Call(np.array, [[normal(), normal()], [normal(), normal()]]), Call(np.array, A),
          Call(np.array, [A, A + 1.0, A * 2.0]), Call(np.array, [normal(3), normal(3)], ndmin=3),
          Call(np.array, A, dtype=np.float32, **F32), Call(np.array, A, dtype=int),
          Call(np.ascontiguousarray, A.T, np.float32, **F32)]
PARTS = [normal(2, 3), normal(2, 3), normal(2, 3)]
CALLS += [Call(np.stack, PARTS), Call(np.stack, PARTS, axis=-1), Call(np.stack, PARTS, 1),
          Call(np.stack, (normal(3), normal(3))), Call(np.stack, [normal(), normal()]),
          Call(np.concatenate, [normal(2, 3), normal(1, 3), normal(3, 3)]),
          Call(np.concatenate, [normal(2, 3), normal(2, 1)], axis=1),
          Call(np.concatenate, [normal(2, 3), normal(2, 1)], -1),
          Call(np.concatenate, [normal(2, 3), normal(4)], axis=None),
          Call(np.concatenate, (normal(3), normal(2))),
          Call(np.concatenate, [normal(2, 3), normal(1, 3)], dtype=np.float32, **F32),
          Call(np.vstack, [normal(3), normal(3)]), Call(np.vstack, [normal(2, 3), normal(3)]),
          Call(np.vstack, (normal(2, 3), normal(1, 3))),
          Call(np.hstack, [normal(3), normal(2)]), Call(np.hstack, [normal(2, 3), normal(2, 1)]),
          Call(np.hstack, [normal(), normal(2)]),
          Call(np.hstack, (normal(2, 2, 1), normal(2, 1, 1)))]
CALLS += [Call(np.diag, normal(3)), Call(np.diag, normal(3), 1), Call(np.diag, normal(2), k=-2),
          Call(np.diag, normal(3, 3)), Call(np.diag, normal(3, 4), 1),
          Call(np.diag, normal(4, 3), k=-1),
          Call(np.tile, normal(3), 2), Call(np.tile, normal(2, 3), (2, 1)),
          Call(np.tile, normal(3), (2, 2)), Call(np.tile, normal(2, 3), 2),
          Call(np.repeat, normal(3), 2), Call(np.repeat, normal(2, 3), 2, axis=1),
          Call(np.repeat, normal(2, 3), 3), Call(np.repeat, normal(3), np.array([1, 0, 3])),
          Call(np.repeat, normal(2, 3), [2, 1], axis=0)]

# ------------------------------------------------------------ creation
CALLS += [Call(np.full, (2, 3), normal()), Call(np.full, (2, 3), normal(3)),
          Call(np.full, 4, normal()), Call(np.full, (2, 3), normal(2, 1)),
          Call(np.full_like, A, normal()), Call(np.full_like, A, normal(4)),
          Call(np.linspace, normal(), normal(), 5), Call(np.linspace, normal(), normal()),
          Call(np.linspace, normal(), normal(), 4, endpoint=False),
          Call(np.linspace, normal(3), normal(3), 4), Call(np.linspace, normal(), normal(2), 3),
          Call(np.linspace, normal(), normal(), 1)]
# the result's dtype: a given one (an integer one is flat), an integer a's for full_like
CALLS += [Call(np.full, (2, 3), normal(), int), Call(np.full_like, A, normal(), np.float32, **F32),
          Call(np.full_like, np.arange(6).reshape(2, 3), 2.7), Call(np.full_like, A, 0.3, int),
          Call(np.linspace, normal(), normal(2), 3, dtype=np.float32, **F32)]

# ------------------------------------------------------------ builtins and containers
Pair = collections.namedtuple("Pair", "a b")
CALLS += [Call(builtins.sum, [normal(3), normal(3), normal(3)]),
          Call(builtins.sum, [normal(), normal()]), Call(builtins.sum, (normal(2), normal())),
          Call(builtins.sum, normal(4)), Call(builtins.sum, A),
          Call(builtins.sum, [normal(3), normal(3)], normal(3)),
          Call(builtins.sum, [normal(), normal()], normal(2, 3)),
          Call(builtins.max, 0.3, 1.2, -0.4), Call(builtins.max, 1.2, 0.3),
          Call(builtins.max, [0.3, 1.2, -0.4]), Call(builtins.max, np.array([0.3, 1.2, -0.4])),
          Call(builtins.min, 0.3, 1.2, -0.4), Call(builtins.min, 1.2, 0.3),
          Call(builtins.min, [0.3, 1.2, -0.4]), Call(builtins.min, np.array([0.3, -1.2, 0.4])),
          Call(rt.astype, A, float), Call(rt.astype, normal(), np.float64),
          Call(rt.astype, A, np.float32, tol=dict(eps=1e-2, rtol=1e-4, atol=1e-4)),
          Call(rt.astype, A.astype(np.float32), np.float64, tol=dict(eps=1e-2, rtol=1e-4, atol=1e-4)),
          Call(builtins.min, normal(2), normal(2), normal(2), key=np.sum),
          Call(builtins.sum, [normal(2, 3), normal(3)]),
          Call(rt.item, np.array(0.7)), Call(rt.item, np.array([0.7])), Call(rt.item, 0.7),
          Call(builtins.list, A), Call(builtins.list, (normal(), normal(2))),
          Call(builtins.tuple, [normal(), normal(2)]), Call(builtins.tuple, normal(3)),
          Call(builtins.sorted, [0.3, -1.2, 0.8]), Call(builtins.sorted, distinct(4)),
          Call(builtins.sorted, [0.3, -1.2, 0.8], reverse=True),
          # by a key: the order is the key's
          Call(builtins.sorted, [0.3, -1.2, 0.8, -0.5], key=abs),
          Call(builtins.sorted, distinct(4), key=np.negative, reverse=True),
          Call(builtins.max, [0.3, -1.2, 0.8], key=abs), Call(builtins.min, 0.3, -1.2, 0.8, key=abs),
          Call(builtins.max, np.array([0.3, -1.2, 0.8]), key=np.negative),
          Call(rt.field, Pair(normal(2), normal()), "b"),
          Call(rt.field, Pair(normal(2), normal()), "a"),
          Call(rt.dict_values, {"w": normal(2), "b": normal()}),
          Call(rt.concat, [normal(2), normal()], [normal(3)]),
          Call(rt.concat, (normal(),), (normal(),)),
          Call(rt.repeat_sequence, [normal(2), normal()], 3),
          Call(rt.repeat_sequence, (normal(),), 2),
          Call(rt.as_sequence, A), Call(rt.as_sequence, [normal(2), normal()]),
          Call(rt.as_sequence, (normal(), normal()))]
# dicts with number keys (which a Call's label cannot name): the keys' zero tangents are
# leaves the oracle compares
NUMBER_KEYS = [Call(builtins.list, {1: normal(2), 2: normal()}),
               Call(rt.as_sequence, {1: normal(2), 2: normal()}),
               Call(builtins.sorted, {2: normal(2), 1: normal()}),
               Call(rt.dict_items, {1: normal(3, 4), 0: normal()})]
ROW_STACK = [Call(np.row_stack, [normal(3), normal(3)]),
             Call(np.row_stack, (normal(2, 3), normal(3)))]

# ------------------------------------------------------------ functional updates .at[]
X = normal(5)
INDICES = [2, -1, slice(1, 4), np.array([0, 3]), np.array([1, 3, 1]), np.array([4, 4, 4]),
           [0, 2]]
UNIQUE = INDICES[:4] + INDICES[6:]
for f in (rt.at_set, rt.at_add, rt.at_multiply, rt.at_divide, rt.at_min, rt.at_max):
    for index in INDICES:
        shape = np.shape(X[index])
        values = RNG.uniform(0.5, 1.5, shape) if shape else float(RNG.uniform(0.5, 1.5))
        CALLS += [Call(f, X, index, values), Call(f, X, index, float(RNG.uniform(0.5, 1.5)))]
CALLS += [Call(rt.at_power, np.abs(X) + 0.5, index, RNG.uniform(0.5, 2.0, np.shape(X[index])))
          for index in UNIQUE]
CALLS += [Call(rt.at_power, np.abs(X) + 0.5, slice(0, 3), 1.5)]
M = normal(3, 4)
MATRIX_INDICES = [(1, 2), (1, slice(None)), (slice(None), 0),
                  (np.array([0, 2, 0]), np.array([1, 3, 1])), np.array([2, 0, 2]),
                  (slice(0, 2), np.array([1, 1, 3]))]
for f in (rt.at_set, rt.at_add, rt.at_multiply, rt.at_divide, rt.at_min, rt.at_max):
    CALLS += [Call(f, M, index, RNG.uniform(0.5, 1.5, np.shape(M[index])))
              for index in MATRIX_INDICES]
    CALLS += [Call(f, M, (slice(None), 1), RNG.uniform(0.5, 1.5, (3,)))]
    CALLS += [Call(f, M, 1, RNG.uniform(0.5, 1.5, (1,)))]     # broadcast into the row
CALLS += [Call(rt.at_multiply, X, np.array([1, 3, 1]), np.array([0.5, 0.0, 2.0])),
          Call(rt.at_multiply, X, np.array([1, 3, 1]), np.array([0.0, 0.7, 0.0])),
          Call(rt.at_multiply, X, slice(0, 3), np.array([0.5, 0.0, 2.0]))]


# NumPy functions with a rule of their own (elementwise with integer or tuple results,
# flips and diagonals, NumPy 2's matrix functions, weighted and peak-to-peak statistics)
B = normal(2, 3, 4)
SQUARE = normal(3, 3)
CALLS += [Call(np.ldexp, A, np.array([1, -2, 0, 3])), Call(np.ldexp, normal(), 2),
          Call(np.modf, A * 3.0 + 0.01), Call(np.frexp, A), Call(np.frexp, normal()),
          Call(np.divmod, A * 3.0 + 0.01, 0.7), Call(np.divmod, A, np.full(4, -0.45)),
          Call(divmod, 2.3, 0.7)]
# float32 parts; a quotient and remainder broadcast from a scalar dividend; three hypot terms
F32_PARTS = dict(tol=dict(eps=1e-3, rtol=1e-3, atol=1e-3))
CALLS += [Call(np.modf, (A * 3.0 + 0.01).astype(np.float32), **F32_PARTS),
          Call(np.frexp, (A + 3.0).astype(np.float32), **F32_PARTS),
          Call(np.divmod, 2.3, np.array([0.7, -0.45, 1.1, 0.4])),
          Call(math.hypot, 0.3, -1.2, 0.8)]
CALLS += [Call(np.rot90, A), Call(np.rot90, A, 2), Call(np.rot90, B, -1, (2, 0)),
          Call(np.fliplr, A), Call(np.flipud, A), Call(np.flipud, normal(4)), Call(np.fliplr, B),
          Call(np.diagonal, A), Call(np.diagonal, A, 1), Call(np.diagonal, A, -2),
          Call(np.diagonal, B, 0, 2, 0), Call(np.diagonal, B, 1, -1, -2),
          Call(np.linalg.diagonal, B), Call(np.linalg.diagonal, SQUARE, offset=-1),
          Call(np.matrix_transpose, B), Call(np.linalg.matrix_transpose, A),
          Call(np.unstack, A), Call(np.unstack, B, axis=1), Call(np.unstack, B, axis=-1)]
CALLS += [Call(np.vecdot, A, normal(3, 4)), Call(np.vecdot, B, normal(4)),
          Call(np.vecdot, A, normal(2, 1, 4)), Call(np.vecdot, B, normal(2, 1, 4), axis=0),
          Call(np.linalg.vecdot, normal(4), normal(4)),
          Call(np.linalg.trace, SQUARE), Call(np.linalg.trace, B, offset=1),
          Call(np.linalg.matmul, A, normal(4, 2)), Call(np.linalg.matmul, B, normal(4)),
          Call(np.linalg.outer, normal(3), normal(4))]
CALLS += [Call(np.average, A), Call(np.average, A, 0), Call(np.average, A, 1, keepdims=True),
          Call(np.average, A, None, RNG.uniform(0.5, 2.0, (3, 4))),
          Call(np.average, A, 1, RNG.uniform(0.5, 2.0, 4)),
          Call(np.average, B, 0, RNG.uniform(0.5, 2.0, 2), keepdims=True),
          Call(np.average, B, (0, 2)),
          Call(np.ptp, distinct(3, 4)), Call(np.ptp, distinct(3, 4), 1),
          Call(np.ptp, distinct(2, 3, 4), (0, 2), keepdims=True),
          Call(np.ptp, np.array([[1.0, 3.0, 3.0], [0.5, 0.5, -1.0]]), 1),
          Call(np.cumulative_sum, normal(5)), Call(np.cumulative_sum, A, axis=1),
          Call(np.logspace, normal(), normal()), Call(np.logspace, 0.3, normal(), 5, False),
          Call(np.logspace, normal(2), normal(2), 4, base=2.0),
          Call(np.astype, A, np.float64), Call(np.astype, A, np.float32,
                                               tol=dict(eps=1e-2, rtol=1e-4, atol=1e-4))]


# adjoints these rules may leave lazily broadcast (docs/architecture.md, "adjoint
# values"): the output adjoint itself, standing for its broadcast to the argument; and
# 0.0 for a zero leaf of a container.  All others must have their argument's shape.
LAZY = {np.sum, np.mean, np.average, builtins.sum, rt.item, rt.field, np.modf, np.divmod,
        divmod}


@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position, exact_shape=call.primal not in LAZY)


@pytest.mark.parametrize("call", NUMBER_KEYS, ids=lambda call: spelling(call.primal))
def test_number_keys_of_a_dict_carry_no_derivative(call):
    for _, param, argnum, position in slots(call.primal, call.args, call.kwargs):
        check_call(call, param, argnum, position)
        check_call_tangent(call, param, argnum, position)


@pytest.mark.filterwarnings("ignore:`row_stack` alias is deprecated")
@pytest.mark.parametrize("call, param, argnum, position", rule_params(ROW_STACK))
def test_deprecated_aliases(call, param, argnum, position):
    check_call(call, param, argnum, position, exact_shape=True)


CALLS += ROW_STACK
