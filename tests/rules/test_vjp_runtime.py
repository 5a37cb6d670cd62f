"""Rules of the runtime helpers generated code calls (``rt.*``), each adjoint checked on
its own against central finite differences: what makes the compiler's output valid input
again (``test_grad_runtime`` differentiates code calling them, ``test_higher_order``
generated code itself).

The rows call each helper with the arguments the rule that emits it passes (the cotangent,
the primal output, the primal's arguments), the cotangent full-size and lazily broadcast
(a scalar, a unit leading axis) as generated code may pass it.
"""
import collections

import numpy as np
import pytest

import runtime as rt

from .oracle import Call, check_call, check_call_tangent, rule_of, rule_params

RNG = np.random.default_rng(31)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def well_conditioned(*shape):
    """Square matrices (or stacks of them) far from singular."""
    return normal(*shape) * 0.3 + 2.0 * np.eye(shape[-1])


def distinct(*shape):
    """Values at least 0.2 apart (no ties)."""
    size = int(np.prod(shape))
    return RNG.permutation(np.arange(size) * 0.25 - size * 0.1).reshape(shape) \
        + RNG.uniform(0, 0.05, shape)


def cotangents(ans):
    """What generated code may pass as the cotangent of an output like ``ans``: a full one,
    a scalar standing for its broadcast, and one with a unit leading axis."""
    shape = np.shape(ans)
    out = [normal(*shape)]
    if shape:
        out.append(normal())
    if len(shape) >= 2 and shape[0] > 1:
        out.append(normal(1, *shape[1:]))
    return out


M, ROW, COL = normal(3, 4), normal(4), normal(3, 1)
CALLS = [
    Call(rt.as_value, normal()), Call(rt.as_value, np.asarray(normal())),
    Call(rt.unbroadcast, M, ROW, M), Call(rt.unbroadcast, M, COL, M),
    Call(rt.unbroadcast, M, M, M), Call(rt.unbroadcast, normal(), M, M),
    Call(rt.unbroadcast, ROW, ROW, M), Call(rt.unbroadcast, M, 0.5, M),
    Call(rt.sum_to, M, (4,), (3, 4)), Call(rt.sum_to, M, (3, 1), (3, 4)),
    Call(rt.sum_to, M, (), (3, 4)), Call(rt.sum_to, ROW, (4,), (3, 4)),
    Call(rt.broadcast_to, ROW, M), Call(rt.broadcast_to, normal(), M),
    Call(rt.broadcast_to, M, M), Call(rt.broadcast_to, COL, M),
    Call(rt.dense, ROW, M), Call(rt.dense, normal(), M), Call(rt.dense, M, M),
    Call(rt.masked, M, M > 0.0), Call(rt.masked, ROW, M > 0.0), Call(rt.masked, normal(), M > 0.0),
    Call(rt.as_gradient, M, M), Call(rt.as_gradient, ROW, M), Call(rt.as_gradient, normal(), M),
    Call(rt.as_gradient, normal(), 0.5),
    Call(rt.snapshot, M), Call(rt.snapshot, normal()), Call(rt.snapshot, [ROW, normal()]),
    Call(rt.broadcast_tangent, ROW, M), Call(rt.broadcast_tangent, normal(), M),
    Call(rt.broadcast_tangent, M, M), Call(rt.broadcast_tangent, COL, M),
    Call(rt.cast_tangent, M, M), Call(rt.cast_tangent, M, M.astype(np.float32), tol=dict(rtol=1e-3, atol=1e-4, eps=1e-3)),
    Call(rt.cast_tangent, M, (M * 4).astype(int)), Call(rt.cast_tangent, normal(), 2.0),
    Call(rt.cast_adjoint, M, M, M), Call(rt.cast_adjoint, ROW, M, M),
    Call(rt.cast_adjoint, M, M, (M * 4).astype(int)),
    Call(rt.written_slot, M, (np.array([0, 2, 0]),)), Call(rt.written_slot, ROW, np.array([3, 1, 3, 3])),
    Call(rt.written_slot, M, (np.array([1, 1]), np.array([0, 0]))),
]

# Adjoints of containers: lists (dicts) of per-item adjoints, a scalar standing for every
# item; the transposed form of unbroadcast (summed to `to`'s shape, x deciding whether c
# passes unchanged) is what makes the helper its own derivative.
PAIR, PARAMS = (M, 0.5), {"w": M, "b": 0.5}
REPEATED = (np.array([0, 0, 2]),)
CALLS += [
    Call(rt.unbroadcast, M, ROW, M, COL), Call(rt.unbroadcast, ROW, M, M, ROW),
    Call(rt.unbroadcast, normal(), ROW, M, COL), Call(rt.unbroadcast, M, 0.5, M, ROW),
    Call(rt.unbroadcast, [M, normal()], [ROW, normal()], [M, 0.7]),
    Call(rt.unbroadcast, {"w": M, "b": normal()}, normal(), PARAMS),
    Call(rt.unbroadcast, [M, 0.0], [ROW, 0.0], (M, None)),
    Call(rt.unbroadcast, [M, normal()], [ROW, normal()], [M, 0.7], [COL, normal()]),
    Call(rt.as_gradient, [ROW, normal()], PAIR), Call(rt.as_gradient, normal(), PARAMS),
    Call(rt.as_gradient, [ROW, 0.0], (M, None)),
    Call(rt.dense, [ROW, normal()], [M, 0.5]), Call(rt.dense, normal(), {"w": M}),
    Call(rt.as_gradients, (M, ROW), (M, M)), Call(rt.as_gradients, (normal(), [ROW, normal()]),
                                                     (0.5, [M, 2.0])),
    Call(rt.add, M, ROW), Call(rt.add, [M, normal()], [ROW, normal()]),
    Call(rt.add, {"w": M}, {"w": ROW}), Call(rt.add, normal(), [M, normal()]),
    Call(rt.add, {"w": M}, {"w": ROW, "b": normal()}),     # a key only b has
    Call(rt.part, [M, normal()], 0), Call(rt.part, {"w": M, "b": normal()}, "b"),
    Call(rt.part, normal(), 1), Call(rt.part, M, 1),
    Call(rt.scatter, ROW, M, 1), Call(rt.scatter, normal(), M, REPEATED),
    Call(rt.scatter, M, [M, 1.0], 0), Call(rt.scatter, normal(), normal(), 0),
    Call(rt.scatter, ROW, {"w": M, "b": 1.0}, "w"),
    Call(rt.gather, M, M, 1, ROW), Call(rt.gather, normal(), M, REPEATED, ROW),
    Call(rt.gather, normal(1, 4), M, REPEATED, normal(3, 4)),
    Call(rt.gather, [M, normal()], [M, 1.0], 0, ROW), Call(rt.gather, normal(), normal(), 0, 0.5),
    # writes: the rule's g is the written argument's adjoint after the call
    Call(rt.add_at, M, 1, ROW), Call(rt.add_at, M, REPEATED, ROW),
    Call(rt.add_at, M, (slice(0, 2), 1), normal()), Call(rt.add_at, [M, 1.0], 1, normal()),
    Call(rt.add_at, {"w": M, "b": 1.0}, "w", ROW),
    Call(rt.restore_slot, [M, 1.0], 0, normal(3, 4)),
    Call(rt.restore_slot, {"w": M, "b": 1.0}, "b", 2.0),
    Call(rt.cleared, [ROW, normal()], [M, 1.0], 0), Call(rt.cleared, normal(), PARAMS, "b"),
    Call(rt.cleared, {"w": ROW}, PARAMS, "b"),
    Call(rt.save_slot, [M, 1.0], 0), Call(rt.save_slot, PARAMS, "w"),
    Call(rt.dict_items, PARAMS),
    # d.get(key, default) and dict(obj): a key's adjoint goes to the value kept under it
    Call(rt.dict_get, PARAMS, "w"), Call(rt.dict_get, PARAMS, "b", ROW),
    Call(rt.dict_get, PARAMS, "c", ROW), Call(rt.dict_get, PARAMS, "c", normal()),
    Call(rt.dict_get, PARAMS, "c"),
    # (dict(pairs) gives each key a 0.0 adjoint, which this oracle would take for the
    # key's own: test_grad_containers checks it through tp.grad)
    Call(rt.dict_of, PARAMS),
    Call(rt.dict_of_adjoint, {"w": M, "b": normal()}, PARAMS),
    Call(rt.dict_of_adjoint, {"w": M, "b": normal()}, [("w", M), ("b", 0.5)]),
    Call(rt.dict_of_adjoint, normal(), (("w", M), ("w", ROW), ("b", 0.5))),
    Call(rt.dict_of_gather, {"w": M, "b": normal()}, PARAMS),
    Call(rt.dict_of_gather, [(0.0, M), (0.0, normal())], [("w", M), ("b", 0.5)]),
    Call(rt.dict_of_gather, [(0.0, M), (0.0, ROW), (0.0, normal())],
         (("w", M), ("w", ROW), ("b", 0.5))),
    Call(rt.dict_of_gather, normal(), (("w", M), ("w", ROW), ("b", 0.5))),
    # an item of np.c_[...]
    Call(rt.column, ROW), Call(rt.column, normal()), Call(rt.column, M),
    Call(rt.column, normal(2, 3, 2)),
]


def adjoint_calls(helper, ans, *args, argnums=(None,)):
    """One row per cotangent of ``ans`` and per ``argnum`` (appended when not None)."""
    return [Call(helper, g, ans, *args, *(() if k is None else (k,)))
            for k in argnums for g in cotangents(ans)]


# ------------------------------------------------------------ linear algebra
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (2, 3, 4)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)),
                 ((2, 2, 3), (3,)), ((1, 2, 3), (2, 3, 4)), ((2, 3), (1, 3, 4))]
DOT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((), (3, 4)),
              ((2, 3), ()), ((), ()), ((2, 2, 3), (3,)), ((2, 3), (2, 3, 4)),
              ((2, 2, 3), (4, 3, 2))]
INNER_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((), (2, 3)),
                ((2, 2, 3), (4, 3))]
OUTER_SHAPES = [((3,), (4,)), ((2, 2), (3,)), ((), (3,))]
for helper, product, shapes in ((rt.matmul_adjoint, np.matmul, MATMUL_SHAPES),
                                (rt.dot_adjoint, np.dot, DOT_SHAPES),
                                (rt.inner_adjoint, np.inner, INNER_SHAPES),
                                (rt.outer_adjoint, np.outer, OUTER_SHAPES)):
    for s, t in shapes:
        x, y = normal(*s), normal(*t)
        CALLS += adjoint_calls(helper, product(x, y), x, y, argnums=(0, 1))

# rt.einsum_adjoint and rt.einsum_of: tests/rules/test_contractions.py

for a in (well_conditioned(3, 3), well_conditioned(2, 3, 3)):
    CALLS += adjoint_calls(rt.det_adjoint, np.linalg.det(a), a)
SOLVES = [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((2, 3, 3), (3,)),
          ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 2)), ((1, 3, 3), (2, 3, 1))]
for s, t in SOLVES:
    a, b = well_conditioned(*s), normal(*t)
    CALLS += adjoint_calls(rt.solve_adjoint, np.linalg.solve(a, b), a, b, argnums=(0, 1))

for a, offset in ((normal(3, 3), 0), (normal(3, 4), 1), (normal(4, 3), -1), (normal(3, 3, 2), 0),
                  (normal(3, 4, 2, 2), 1)):
    CALLS += adjoint_calls(rt.trace_adjoint, np.trace(a, offset), a, offset)
for v, k in ((normal(3), 0), (normal(3), 1), (normal(2), -2), (normal(3, 3), 0), (normal(3, 4), 1),
             (normal(4, 3), -1)):
    CALLS += adjoint_calls(rt.diag_adjoint, np.diag(v, k), v, k)
for a, offset, axis1, axis2 in ((normal(3, 4), 0, 0, 1), (normal(3, 4), 1, 1, 0),
                                (normal(2, 3, 4), -1, -1, -2), (normal(2, 3, 4), 0, 0, 2)):
    CALLS += adjoint_calls(rt.undiagonal, np.diagonal(a, offset, axis1, axis2), a, offset,
                           axis1, axis2)

WITH_ZERO_COLUMN = normal(3, 4)
WITH_ZERO_COLUMN[:, 1] = 0.0
NORMS = [(normal(4), None, None, False), (normal(3, 4), None, None, False),
         (normal(4), 2, None, False), (normal(4), 3, None, False), (normal(4), 1.5, None, False),
         (normal(4), 1, None, False), (normal(4), 0, None, False),
         (normal(3, 4), "fro", None, False), (normal(3, 4), None, 0, False),
         (normal(3, 4), None, -1, False), (normal(3, 4), None, 1, True),
         (normal(3, 4), None, None, True), (normal(3, 4), None, (0, 1), False),
         (normal(2, 3, 4), None, (1, 2), True), (normal(3, 4), 1, 1, False),
         (normal(3, 4), 3, 0, False), (WITH_ZERO_COLUMN, None, 0, False),
         (np.zeros(3), None, None, False),
         # a vector's ord -1 and -2 are p-norms; a matrix's ord -1 is piecewise linear
         (normal(4), -1, None, False), (normal(4), -2, None, False),
         (normal(3, 4), -1, None, False)]
for x, order, axis, keep in NORMS:
    CALLS += adjoint_calls(rt.norm_adjoint, np.linalg.norm(x, order, axis, keep), x, order, axis,
                           keep)
# the maximum norms: d norm / dx only picks the largest entries, so x and out (compared for
# equality) move nothing but g_in (whose adjoint the oracle checks)
MAX_NORMS = []
for x, order, axis in ((distinct(4), np.inf, None), (distinct(4), -np.inf, None),
                       (distinct(3, 4), np.inf, 0), (np.array([1.0, -2.0, 2.0]), np.inf, None)):
    MAX_NORMS += adjoint_calls(rt.norm_adjoint, np.linalg.norm(x, order, axis), x, order, axis,
                               False)

# ------------------------------------------------------------ reductions and scans
A = normal(3, 4)
WITH_ZERO = np.array([[1.2, 0.0, -0.7, 1.5], [0.9, 1.1, -1.3, 0.8], [0.0, 0.6, 0.0, 1.4]])
for x in (A, WITH_ZERO):
    for axis in (None, 0, -1, (0, 1)):
        for keep in (False, True):
            CALLS += adjoint_calls(rt.prod_adjoint, np.prod(x, axis=axis, keepdims=keep), x, axis,
                                   keep)
for x, axis in ((normal(5), None), (normal(2, 3, 4), (0, 2)), (normal(2, 3, 4), 1),
                (np.array([0.0, 1.5, 0.0, -0.5]), None), (np.array([0.0, 0.0, 0.0, 2.0]), 0),
                (np.array(0.7), None)):
    CALLS += adjoint_calls(rt.prod_adjoint, np.prod(x, axis=axis), x, axis, False)
CALLS += [Call(rt.prod_pairs, w, x) for w, x in (
    (normal(2, 4), normal(2, 4)), (normal(), normal(4)), (normal(1, 4), WITH_ZERO),
    (normal(3, 4), WITH_ZERO), (normal(2), np.array([0.0, 0.0])), (normal(1), normal(1)))]

for x, axis in ((normal(5), None), (A, None), (A, 0), (A, 1), (normal(2, 3, 4), -1)):
    CALLS += adjoint_calls(rt.cumsum_adjoint, np.cumsum(x, axis), x, axis)
    CALLS += adjoint_calls(rt.cumprod_adjoint, np.cumprod(x, axis), x, axis)
# with a zero in x, the helper computes without out (and without dividing); moving x off
# the zero switches to dividing by x and reading out, so x's adjoint is checked through
# tp.grad below, where out follows x
CUMPROD_AT_ZERO = []
for x, axis in ((WITH_ZERO, 1), (WITH_ZERO, None), (WITH_ZERO, 0),
                (np.array([1.5, 0.0, 2.0, 0.0, 0.7]), None)):
    CUMPROD_AT_ZERO += adjoint_calls(rt.cumprod_adjoint, np.cumprod(x, axis), x, axis)

TIED = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, -1.0, 0.5, 2.0], [2.0, 0.25, -2.0, 0.0]])
for a, axis in ((distinct(6), -1), (distinct(3, 4), -1), (distinct(3, 4), 0),
                (distinct(3, 4), None), (distinct(2, 3, 4), 1), (TIED, 1), (TIED, None)):
    CALLS += adjoint_calls(rt.sort_adjoint, np.sort(a, axis), a, axis)
    CALLS += [Call(rt.take_sorted, c, a, axis) for c in cotangents(a)]

# ------------------------------------------------------------ assembly of arrays
for a, reps in ((normal(3), 2), (normal(2, 3), (2, 1)), (normal(3), (2, 2)), (normal(2, 3), 2)):
    CALLS += adjoint_calls(rt.untile, np.tile(a, reps), a, reps)
for a, repeats, axis in ((normal(3), 2, None), (normal(2, 3), 2, 1), (normal(2, 3), 3, None),
                         (normal(3), np.array([1, 0, 3]), None), (normal(2, 3), [2, 1], 0)):
    CALLS += adjoint_calls(rt.unrepeat, np.repeat(a, repeats, axis), a, repeats, axis)
for start, stop, num, endpoint in ((normal(), normal(), 5, True), (normal(), normal(), 4, False),
                                   (normal(3), normal(3), 4, True), (normal(), normal(2), 3, True),
                                   (normal(2, 1), normal(3), 3, True),
                                   (normal(), normal(), 1, True)):
    CALLS += adjoint_calls(rt.linspace_adjoint, np.linspace(start, stop, num, endpoint), start,
                           stop, num, endpoint, argnums=(0, 1))

PARTS = [normal(2, 3), normal(2, 3), normal(2, 3)]
for parts, axis in ((PARTS, 0), (PARTS, -1), (PARTS, 1), ((normal(3), normal(3)), 0),
                    ([normal(), normal()], 0)):
    CALLS += adjoint_calls(rt.unstack, np.stack(parts, axis), parts, axis)
for parts, axis in (([normal(2, 3), normal(1, 3), normal(3, 3)], 0),
                    ([normal(2, 3), normal(2, 1)], 1), ([normal(2, 3), normal(4)], None)):
    CALLS += adjoint_calls(rt.unconcatenate, np.concatenate(parts, axis), parts, axis)
for tup, axis, made in (((normal(3), normal(3)), 0, np.atleast_2d),
                        ((normal(2, 3), normal(3)), 0, np.atleast_2d),
                        ((normal(), normal(2)), 0, np.atleast_1d),
                        ((normal(2, 3), normal(2, 1)), 1, np.atleast_1d)):
    parts = [made(t) for t in tup]
    CALLS += adjoint_calls(rt.unconcatenate, np.concatenate(parts, axis), parts, axis, tup)

NESTED = [[normal(), normal()], [normal(), normal()]]
for obj in ([normal(3), normal(3)], [normal(), normal(), normal()], NESTED, A, normal()):
    CALLS += adjoint_calls(rt.array_adjoint, np.array(obj), obj)
ROWS = [normal(3), normal(3)]
CALLS += [Call(rt.stack_parts, [normal(3), normal()], ROWS, np.array(ROWS)),
          Call(rt.stack_parts, normal(), ROWS, np.array(ROWS)),
          Call(rt.stack_parts, [[normal(), normal()], normal()], NESTED, np.array(NESTED)),
          Call(rt.stack_parts, normal(2, 2), NESTED, np.array(NESTED)),
          Call(rt.stack_parts, normal(3), A, A)]
CALLS += [Call(rt.split_parts, g, [normal(3), normal()], ROWS, np.array(ROWS))
          for g in cotangents(np.array(ROWS))]
CALLS += [Call(rt.split_parts, g, [[normal(), normal()], normal()], NESTED, np.array(NESTED))
          for g in cotangents(np.array(NESTED))]
CALLS += [Call(rt.split_parts, normal(4), normal(4), A, A)]

for x, dtype in ((A, np.float32), (A.astype(np.float32), np.float64), (normal(), np.float64),
                 (np.arange(4), float), (A, int)):
    ans = rt.astype(x, dtype)
    tol = dict(eps=1e-2, rtol=1e-4, atol=1e-4) if np.result_type(x) == np.float32 else None
    CALLS += [Call(rt.astype_adjoint, g, x, ans, tol=tol) for g in cotangents(ans)]

# float32 operands, and a cotangent that is a 0-d array, a NumPy scalar or a Python float
F32 = dict(eps=1e-2, rtol=1e-3, atol=1e-3)
X32, Y32 = normal(2, 3).astype(np.float32), normal(3, 4).astype(np.float32)
CALLS += [Call(rt.matmul_adjoint, normal(2, 4).astype(np.float32), X32 @ Y32, X32, Y32, k, tol=F32)
          for k in (0, 1)]
CALLS += [Call(rt.cumsum_adjoint, normal(2, 3).astype(np.float32), np.cumsum(X32, 1), X32, 1,
               tol=F32),
          Call(rt.prod_adjoint, np.float32(normal()), np.prod(X32), X32, None, False, tol=F32)]
V3, W3 = normal(3), normal(3)
CALLS += [Call(rt.matmul_adjoint, g, V3 @ W3, V3, W3, k)
          for g in (np.asarray(normal()), np.float64(normal()), normal()) for k in (0, 1)]
CALLS += [Call(rt.dot_adjoint, g, np.dot(0.7, W3), 0.7, W3, k)
          for g in (np.asarray(normal()), normal()) for k in (0, 1)]

# ------------------------------------------------------------ functional updates .at[]
X = normal(5)
INDICES = [2, -1, slice(1, 4), np.array([0, 3]), np.array([1, 3, 1]), np.array([4, 4, 4]),
           [0, 2]]
MATRIX_INDICES = [(1, 2), (1, slice(None)), (slice(None), 0),
                  (np.array([0, 2, 0]), np.array([1, 3, 1])), np.array([2, 0, 2]),
                  (slice(0, 2), np.array([1, 1, 3]))]
UPDATES = [(X, index, RNG.uniform(0.5, 1.5, np.shape(X[index]))) for index in INDICES]
UPDATES += [(X, index, float(RNG.uniform(0.5, 1.5))) for index in INDICES]
UPDATES += [(M, index, RNG.uniform(0.5, 1.5, np.shape(M[index]))) for index in MATRIX_INDICES]
UPDATES += [(M, 1, RNG.uniform(0.5, 1.5, (1,)))]            # broadcast into the row
UPDATES += [(X, X > 0.0, RNG.uniform(0.5, 1.5, np.count_nonzero(X > 0.0))),   # a mask
            (M, M > 0.0, 1.3)]
for x, index, values in UPDATES:
    CALLS += adjoint_calls(rt.at_gather, rt.at_add(x, index, values), index, values)
    for update, helper in ((rt.at_set, rt.at_set_adjoint), (rt.at_multiply, rt.at_multiply_adjoint),
                           (rt.at_divide, rt.at_divide_adjoint), (rt.at_min, rt.at_minmax_adjoint),
                           (rt.at_max, rt.at_minmax_adjoint)):
        CALLS += adjoint_calls(helper, update(x, index, values), x, index, values, argnums=(0, 1))
for index in (2, slice(1, 4), np.array([0, 3]), [0, 2], (np.array([0, 2]), np.array([1, 3]))):
    x = np.abs(M if isinstance(index, tuple) else X) + 0.5
    for values in (RNG.uniform(0.5, 2.0, np.shape(x[index])), 1.5):
        CALLS += adjoint_calls(rt.at_power_adjoint, rt.at_power(x, index, values), x, index, values,
                               argnums=(0, 1))
BASE_WITH_ZERO = np.array([0.7, 0.0, 1.2, 0.0, 0.9])
CALLS += adjoint_calls(rt.at_power_adjoint, rt.at_power(BASE_WITH_ZERO, slice(0, 3), 3.0),
                       BASE_WITH_ZERO, slice(0, 3), 3.0, argnums=(0,))
CALLS += adjoint_calls(rt.at_multiply_adjoint, rt.at_multiply(X, slice(0, 3), [0.5, 0.0, 2.0]), X,
                       slice(0, 3), np.array([0.5, 0.0, 2.0]), argnums=(0, 1))
# repeated indices and a zero among the values: the helper leaves out out and does not
# divide; moving the zero switches to dividing, so values' adjoint is checked through
# tp.grad below
MULTIPLY_AT_ZERO = []
for values in (np.array([0.5, 0.0, 2.0]), np.array([0.0, 0.7, 0.0])):
    MULTIPLY_AT_ZERO += adjoint_calls(rt.at_multiply_adjoint, rt.at_multiply(X, [1, 3, 1], values),
                                      X, np.array([1, 3, 1]), values, argnums=(1,))

# ------------------------------------------------------------ builtins and containers
Pair = collections.namedtuple("Pair", "a b")
LISTS = [normal(3), normal(3)]
BROADCAST = [normal(2, 3), normal(3), normal()]
CALLS += [Call(rt.sum_builtin_adjoint, g, LISTS, sum(LISTS)) for g in cotangents(sum(LISTS))]
CALLS += [Call(rt.sum_builtin_adjoint, g, BROADCAST, sum(BROADCAST))
          for g in cotangents(sum(BROADCAST))]
CALLS += [Call(rt.sum_builtin_adjoint, g, LISTS, sum(LISTS, normal(2, 1)))
          for g in cotangents(sum(LISTS, normal(2, 1)))]
CALLS += [Call(rt.sum_builtin_adjoint, g, A, sum(A)) for g in cotangents(sum(A))]
CALLS += [Call(rt.sum_builtin_adjoint, normal(), [normal(), normal()]),
          Call(rt.sum_builtin_adjoint, normal(3), LISTS)]
for args, pick in (((0.3, 1.2, -0.4), rt.first_max), ((1.2, 0.3), rt.first_max),
                   ((0.3, 1.2, -0.4), rt.first_min), (([0.3, 1.2, -0.4],), rt.first_max),
                   ((np.array([0.3, -1.2, 0.4]),), rt.first_min), ((0.5, 0.5), rt.first_max)):
    ans = max(*args) if pick is rt.first_max else min(*args)
    CALLS += [Call(rt.minmax_builtin_adjoint, normal(), ans, args, k, pick)
              for k in range(len(args))]
CALLS += [Call(rt.sequence_adjoint, [normal(2), normal()], [normal(2), normal()]),
          Call(rt.sequence_adjoint, [normal(4), normal(), normal(1), normal(4)], normal(4, 4)),
          Call(rt.sequence_adjoint, normal(4), A), Call(rt.sequence_adjoint, A, A),
          Call(rt.sequence_adjoint, normal(), (normal(), normal())),
          Call(rt.sequence_adjoint, [0.0, normal()], {"a": 1.0, "b": 2.0})]
PARAMS = {"w": normal(2), "b": normal()}
CALLS += [Call(rt.dict_values_adjoint, [normal(2), normal()], PARAMS),
          Call(rt.dict_values_adjoint, normal(), PARAMS)]
CALLS += [Call(rt.field_adjoint, g, Pair(normal(2), normal()), name)
          for name, g in (("a", normal(2)), ("b", normal()), ("a", normal()))]
for iterable, reverse in (([0.3, -1.2, 0.8], False), ([0.3, -1.2, 0.8], True),
                          ((0.5, -0.5, 0.5), False), (distinct(4), False)):
    ans = sorted(iterable, reverse=reverse)
    g_list = [normal() for _ in ans]
    g_in = np.array(g_list) if isinstance(iterable, np.ndarray) else g_list
    CALLS += [Call(rt.sorted_adjoint, g_in, ans, iterable, reverse),
              Call(rt.sorted_adjoint, normal(), ans, iterable, reverse),
              Call(rt.sorted_gather, g_in, iterable, reverse),
              Call(rt.sorted_gather, normal(), iterable, reverse)]
CALLS += [Call(rt.sorted_adjoint, [normal(), normal()], ["a", "b"], {"b": 1.0, "a": 2.0})]
for iterable in ([0.3, -1.2, 0.8, -0.5], distinct(4)):           # by a key
    ans = sorted(iterable, key=abs)
    g_in = normal(4) if isinstance(iterable, np.ndarray) else [normal() for _ in ans]
    CALLS += [Call(rt.sorted_adjoint, g_in, ans, iterable, False, abs),
              Call(rt.sorted_gather, g_in, iterable, True, abs)]
FIRST, SECOND = [normal(2), normal()], [normal(3)]
CALLS += [Call(rt.concat_adjoint, g, FIRST, SECOND, k) for k in (0, 1)
          for g in ([normal(2), normal(), normal(3)], normal())]
CALLS += [Call(rt.unrepeat_sequence, g, FIRST, n)
          for n, g in ((3, [normal(2), normal(), normal(2), normal(), normal(2), normal()]),
                       (3, normal()), (1, [normal(2), normal()]), (0, normal()))]


@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


def params_of(calls, *names):
    """``rule_params`` of the rows, for the parameters ``names`` only."""
    return [p for p in rule_params(calls) if p.values[1] in names]


@pytest.mark.parametrize("call, param, argnum, position", params_of(MAX_NORMS, "g_in"))
def test_maximum_norm_matches_finite_differences_in_the_cotangent(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("call, param, argnum, position", params_of(MAX_NORMS, "x", "out"))
def test_maximum_norm_is_flat_in_the_entries_it_compares(call, param, argnum, position):
    vjp = rule_of(rt.norm_adjoint).vjp_function(param)
    adjoint = vjp(normal(*np.shape(call.args[2])), rt.norm_adjoint(*call.args), *call.args)
    assert np.all(np.asarray(adjoint) == 0.0), adjoint


@pytest.mark.parametrize("call, param, argnum, position",
                         params_of(CUMPROD_AT_ZERO, "g_in", "out")
                         + params_of(MULTIPLY_AT_ZERO, "g_in", "out", "x"))
def test_rules_at_a_zero_match_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


# (MULTIPLY_AT_ZERO is left out: values' tangent there is checked along the update below)
CALLS += MAX_NORMS + CUMPROD_AT_ZERO
# moving x with out held fixed leaves the helpers' domain (|x| == out for the max norm; x
# off its zero for cumprod): their tangents are checked by the dot-product identity only
for call in MAX_NORMS:
    call.identity_only = ("x", "out")
for call in CUMPROD_AT_ZERO:
    call.identity_only = ("x",)


@pytest.mark.parametrize("call, param, argnum, position",
                         params_of(MULTIPLY_AT_ZERO, "g_in", "out", "x"))
def test_tangents_at_a_zero_match_finite_differences(call, param, argnum, position):
    check_call_tangent(call, param, argnum, position)


@pytest.mark.parametrize("call, param, argnum, position", params_of(MULTIPLY_AT_ZERO, "values"))
def test_multiply_at_a_zero_tangent_of_values_along_the_update(call, param, argnum, position,
                                                               eps=1e-6):
    """Moving a zero among the values switches the helper to reading out, which the table's
    differences hold fixed: values' tangent is checked where out follows them (out =
    x.at[index].multiply(values), its own tangent contributing as out's), and against
    values' adjoint (the dot-product identity)."""
    g_in, out, x, index, values, k = call.args
    rule = rule_of(rt.at_multiply_adjoint)
    tangent_of = {p: rule.jvp_function(p, nargs=len(call.args)) for p in ("out", "values")}
    ans = rt.at_multiply_adjoint(*call.args)
    t, g = normal(*np.shape(values)), normal(*np.shape(ans))

    def along(step):
        moved = values + step * t
        return rt.at_multiply(x, index, moved), \
            rt.at_multiply_adjoint(g_in, rt.at_multiply(x, index, moved), x, index, moved, k)
    (out_plus, plus), (out_minus, minus) = along(eps), along(-eps)
    tangent = tangent_of["values"](t, ans, *call.args)
    total = tangent + tangent_of["out"]((out_plus - out_minus) / (2 * eps), ans, *call.args)
    np.testing.assert_allclose(total, (plus - minus) / (2 * eps), rtol=1e-5, atol=1e-6)
    adjoint = rule.vjp_function("values")(g, ans, *call.args)
    assert np.isclose(np.sum(tangent * g), np.sum(adjoint * t), rtol=1e-9, atol=1e-12)
