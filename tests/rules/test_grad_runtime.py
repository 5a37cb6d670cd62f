"""The runtime's adjoint helpers through ``tp.grad``: each function calls helpers as
generated code does, on an output it computes itself, so the derivatives through that
output (the primal's own rule) join the helper's."""
import collections

import numpy as np
import pytest

import runtime as rt

from .oracle import Grad, check_case, grad_params
from .test_vjp_runtime import distinct, normal, well_conditioned

Pair = collections.namedtuple("Pair", "a b")
M, ROW = normal(3, 4), normal(4)
WITH_ZERO = np.array([[1.2, 0.0, -0.7, 1.5], [0.9, 1.1, -1.3, 0.8], [0.0, 0.6, 0.0, 1.4]])


def weigh(y):
    """A scalar that depends on every entry of y differently."""
    return np.sum(np.sin(y) * np.reshape(np.arange(1.0, np.size(y) + 1.0), np.shape(y)))


def adjoint_bookkeeping(x, y):
    big = x * y                                       # (3, 4)
    row = rt.unbroadcast(big, y, big) + rt.sum_to(big * 2.0, (4,), (3, 4))
    full = rt.broadcast_to(row, big) * rt.dense(y, big) + rt.as_gradient(x, big)
    kept = rt.snapshot(rt.cast_adjoint(full, full, big))
    return rt.as_value(np.sum(rt.masked(kept, big > 0.0) ** 2))


def tangent_bookkeeping(x, y):
    # forward mode's helpers: a tangent spread over the result, cast to its dtype
    spread = rt.broadcast_tangent(y, x * y) * x
    return weigh(rt.cast_tangent(spread, spread) + rt.cast_tangent(spread, spread > 0.0))


def slots_written_with_repeats(x):
    # what a write with repeated indices left: the last value written to each element
    kept = rt.written_slot(x * x, np.array([1, 0, 1, 2]))
    return weigh(kept)


def matmul_adjoints(g, x, y):
    ans = x @ y
    return weigh(rt.matmul_adjoint(g, ans, x, y, 0)) + weigh(rt.matmul_adjoint(g, ans, x, y, 1))


def matmul_of_itself(g, x):
    # the same array as both operands (and, transposed, as the cotangent)
    ans = x @ x
    return weigh(rt.matmul_adjoint(x.T, ans, x, x, 0)) + weigh(rt.matmul_adjoint(g, ans, x, x, 1))


def dot_adjoints(g, x, y):
    ans = np.dot(x, y)
    return weigh(rt.dot_adjoint(g, ans, x, y, 0)) + weigh(rt.dot_adjoint(g, ans, x, y, 1))


def inner_outer_adjoints(g, x, y):
    inner, outer = np.inner(x, y), np.outer(x, y)
    return weigh(rt.inner_adjoint(g, inner, x, y, 0)) + weigh(rt.inner_adjoint(g, inner, x, y, 1)) \
        + weigh(rt.outer_adjoint(g * 2.0, outer, x, y, 0)) \
        + weigh(rt.outer_adjoint(g * 3.0, outer, x, y, 1))


def einsum_adjoints(g, x, y):
    ans = np.einsum("ij,jk->ik", x, y)
    diagonal = np.einsum("ii->i", x[:, :2] @ y[:2, :2])
    return weigh(rt.einsum_adjoint(g, ans, ("ij,jk->ik", x, y), 1)) \
        + weigh(rt.einsum_adjoint(g * 2.0, ans, ("ij,jk->ik", x, y), 2)) \
        + weigh(rt.einsum_of(("ij,jk->ik", x, y))) \
        + weigh(rt.einsum_adjoint(g[0, :2], diagonal, ("ii->i", x[:, :2] @ y[:2, :2]), 1))


def det_solve_adjoints(g, a, b):
    det, solved = np.linalg.det(a), np.linalg.solve(a, b)
    return weigh(rt.det_adjoint(g[0, 0], det, a)) \
        + weigh(rt.solve_adjoint(g, solved, a, b, 0)) + weigh(rt.solve_adjoint(g, solved, a, b, 1))


def solve_vector_adjoints(g, a, b):
    solved = np.linalg.solve(a, b)
    return weigh(rt.solve_adjoint(g, solved, a, b, 0)) + weigh(rt.solve_adjoint(g, solved, a, b, 1))


def diagonal_adjoints(g, a):
    written = rt.undiagonal(g * a[0, :3], a[1, :3], a, 0, 0, 1)
    batched = rt.undiagonal(np.array([g, 2.0 * g])[:, None] * a[:2, :3], a[:2, 1:],
                            np.stack([a, a]), 1, -2, -1)
    return weigh(written * a) + weigh(batched)


def trace_diag_adjoints(g, a):
    return weigh(rt.trace_adjoint(g[0], np.trace(a), a)) \
        + weigh(rt.diag_adjoint(g, np.diag(a), a)) \
        + weigh(rt.diag_adjoint(g[:2], np.diag(a[0, :2]), a[0, :2]))


def norm_adjoints(g, x):
    return weigh(rt.norm_adjoint(g[0], np.linalg.norm(x), x, None, None, False)) \
        + weigh(rt.norm_adjoint(g, np.linalg.norm(x, axis=0), x, None, 0, False)) \
        + weigh(rt.norm_adjoint(g[1], np.linalg.norm(x[0], 3), x[0], 3, None, False)) \
        + weigh(rt.norm_adjoint(g[2], np.linalg.norm(x[1], np.inf), x[1], np.inf, None, False))


def prod_adjoints(g, x):
    return weigh(rt.prod_adjoint(g[0], np.prod(x), x, None, False)) \
        + weigh(rt.prod_adjoint(g, np.prod(x, axis=0), x, 0, False)) \
        + weigh(rt.prod_pairs(g * x[0], x))


def scan_adjoints(g, x):
    return weigh(rt.cumsum_adjoint(g, np.cumsum(x, 1), x, 1)) \
        + weigh(rt.cumprod_adjoint(g * 2.0, np.cumprod(x, 1), x, 1)) \
        + weigh(rt.cumprod_adjoint(np.ravel(g), np.cumprod(x), x, None))


def sort_adjoints(g, x):
    return weigh(rt.sort_adjoint(g, np.sort(x, 1), x, 1)) \
        + weigh(rt.sort_adjoint(np.ravel(g), np.sort(x, None), x, None)) \
        + weigh(rt.take_sorted(g * 3.0, x, 0))


def assembly_adjoints(g, x):
    return weigh(rt.untile(np.tile(g, (2, 1)), np.tile(x, (2, 1)), x, (2, 1))) \
        + weigh(rt.unrepeat(np.repeat(g, 2, 1), np.repeat(x, 2, 1), x, 2, 1)) \
        + weigh(rt.linspace_adjoint(np.ravel(g)[:3] * x[0, 0], np.linspace(x[0, 0], x[1, 1], 3),
                                    x[0, 0], x[1, 1], 3, True, 1))


def stack_adjoints(g, x):
    parts = [x[0], x[1] * 2.0]
    rows = rt.unstack(g, np.stack(parts), parts, 0)
    pieces = rt.unconcatenate(np.ravel(g), np.concatenate(parts), parts, 0)
    stacked = rt.unconcatenate(g, np.vstack(parts), [np.atleast_2d(p) for p in parts], 0, parts)
    return weigh(rows[0] * rows[1]) + weigh(pieces[1]) + weigh(pieces[0] * stacked[1])


def array_adjoints(g, x):
    listed = [x[0], x[1] * x[0]]
    parts = rt.array_adjoint(g, np.array(listed), listed)
    full = rt.stack_parts([parts[0] * 2.0, parts[1][1]], listed, np.array(listed))
    back = rt.split_parts(full * g, [parts[0], parts[1][0]], listed, np.array(listed))
    return weigh(parts[0] * parts[1]) + weigh(full) + weigh(back[0]) + back[1] ** 2


def astype_adjoints(g, x):
    narrow = rt.astype(x, np.float32)
    return weigh(rt.astype_adjoint(g, narrow, rt.astype(narrow, float))) \
        + weigh(rt.astype_adjoint(g * x, x, narrow)) \
        + weigh(rt.astype_adjoint(g, x, rt.astype(x, int))) \
        + weigh(rt.astype_adjoint(g * x, x, rt.astype(x, float)))


def at_adjoints(g, x, v):
    added, replaced = rt.at_add(x, [1, 3, 1], v), rt.at_set(x, [1, 3, 1], v)
    smaller = rt.at_min(x, [1, 3, 1], v)
    return weigh(rt.at_gather(g, added, [1, 3, 1], v)) \
        + weigh(rt.at_set_adjoint(g, replaced, x, [1, 3, 1], v, 0)) \
        + weigh(rt.at_set_adjoint(g * x, replaced, x, [1, 3, 1], v, 1)) \
        + weigh(rt.at_minmax_adjoint(g, smaller, x, [1, 3, 1], v, 0)) \
        + weigh(rt.at_minmax_adjoint(g * x, smaller, x, [1, 3, 1], v, 1))


def at_arithmetic_adjoints(g, x, v):
    repeated, unique = rt.at_multiply(x, [1, 3, 1], v), rt.at_multiply(x, slice(0, 3), v)
    divided, powered = rt.at_divide(x, [1, 3, 1], v), rt.at_power(x * x + 0.5, slice(1, 4), v)
    return weigh(rt.at_multiply_adjoint(g, repeated, x, [1, 3, 1], v, 0)) \
        + weigh(rt.at_multiply_adjoint(g, repeated, x, [1, 3, 1], v, 1)) \
        + weigh(rt.at_multiply_adjoint(g * 2.0, unique, x, slice(0, 3), v, 1)) \
        + weigh(rt.at_divide_adjoint(g, divided, x, [1, 3, 1], v, 0)) \
        + weigh(rt.at_divide_adjoint(g, divided, x, [1, 3, 1], v, 1)) \
        + weigh(rt.at_power_adjoint(g, powered, x * x + 0.5, slice(1, 4), v, 0)) \
        + weigh(rt.at_power_adjoint(g, powered, x * x + 0.5, slice(1, 4), v, 1))


def multiply_at_zero_adjoints(g, x, v):
    ans = rt.at_multiply(x, [1, 3, 1], v)
    return weigh(rt.at_multiply_adjoint(g, ans, x, [1, 3, 1], v, 0)) \
        + weigh(rt.at_multiply_adjoint(g, ans, x, [1, 3, 1], v, 1))


def builtin_adjoints(g, x):
    items = [x[0], x[1] * 2.0, x[2]]
    parts = rt.sum_builtin_adjoint(g, items, sum(items))
    diagonal = (x[0, 0], x[1, 1], x[2, 2])
    biggest = max(x[0, 0], x[1, 1], x[2, 2])
    chosen = rt.minmax_builtin_adjoint(g[0] * x[0, 1], biggest, diagonal, 2, rt.first_max)
    passed = rt.minmax_builtin_adjoint(g[1], biggest, diagonal, 0, rt.first_max)
    row = [x[0, 0], x[0, 1], x[0, 2]]
    listed = rt.minmax_builtin_adjoint(g[2] * 2.0, max(row), (row,), 0, rt.first_max)
    return weigh(parts[0] * parts[1]) + weigh(parts[2]) + weigh(chosen) + weigh(passed) \
        + weigh(listed[1])


def container_adjoints(g, x):
    rows = rt.sequence_adjoint([g * x[0], g * 2.0, x[1]], x)
    values = rt.dict_values_adjoint([g, g * x[0]], {"w": x[0], "b": x[1]})
    field = rt.field_adjoint(g * x[1], Pair(x[0], x[1]), "b")
    return weigh(rows) + weigh(values["b"] * values["w"]) + weigh(field[1])


def dict_adjoints(g, x):
    pairs = [("w", x[0]), ("b", x[1]), ("w", x[2] * 2.0)]
    built = rt.dict_of_adjoint({"w": g * x[0], "b": g}, pairs)
    mapped = rt.dict_of_adjoint({"w": g * x[1], "b": x[2]}, {"w": x[0], "b": x[1]})
    back = rt.dict_of_gather([(0.0, g * x[1]), (0.0, g), (0.0, x[0] * g)], pairs)
    return weigh(built[2][1] * built[1][1]) + weigh(mapped["w"] + mapped["b"]) \
        + weigh(back["w"] * back["b"])


def sequence_adjoints(g, x):
    items = [x[0], x[1], x[2] * 2.0]
    ordered = rt.sorted_adjoint([g, g * 2.0, g * x[0]], sorted(items), items, False)
    gathered = rt.sorted_gather([g * x[1], g, x[0]], items, True)
    first = rt.concat_adjoint([g, g * x[2], x[0] * x[1]], items[:2], items[2:], 0)
    copies = rt.unrepeat_sequence([g * x[0], g, g * 2.0, x[1]], items[:2], 2)
    return weigh(ordered[0] * ordered[2]) + weigh(gathered[2]) + weigh(first[1]) \
        + weigh(copies[0] * copies[1])


def container_bookkeeping(g, x):
    # container adjoints as generated code keeps them: items added at run-time keys,
    # sums of containers, a part taken, scattered and gathered back
    parts = rt.zeros_like([x[0], x[1], 0.5])
    for k in range(3):
        rt.add_at(parts, k % 2, g * x[k])
    rt.add_at(parts, 2, x[1] * x[2])
    merged = rt.add(parts, [x[1], g, x[0] * g])
    first = rt.part(merged, 0)
    spread = rt.scatter(g * x[2], merged, 1)
    taken = rt.gather(spread, merged, 1, x[2])
    kept = rt.cleared(merged, merged, 0)
    pairs = rt.dict_items({"w": x[0] * g, "b": x[1]})
    grads = rt.as_gradients((first, pairs[0][1]), (x[0], x[1]))
    return weigh(first) + weigh(taken) + weigh(kept[1] * kept[2]) + weigh(grads[0] * grads[1]) \
        + weigh(pairs[1][1])


def array_adds(x, v):
    d = x * 1.0
    rt.add_at(d, np.array([0, 2, 0]), v * v)         # repeated indices add up
    rt.add_at(d, 1, v[0] * 3.0)
    return weigh(d)


def slots_saved_and_restored(x):
    # undoing writes into a dict: a replaced item and a new key
    d = {"w": x * 2.0, "b": x[0]}
    saved = rt.save_slot(d, "w")
    d["w"] = x ** 2
    total = weigh(d["w"])
    rt.restore_slot(d, "w", saved)
    new = rt.save_slot(d, "c")
    d["c"] = x * 3.0
    total = total + weigh(d["c"] * d["w"])
    rt.restore_slot(d, "c", new)
    lst = [x[0], x * x]
    item = rt.save_slot(lst, 1)
    lst[1] = x[1] * x
    total = total + weigh(lst[1])
    rt.restore_slot(lst, 1, item)
    return total + weigh(d["w"]) + weigh(d["b"]) + weigh(lst[1] * lst[0])


G = normal(2, 4)
WITH_ZEROS = np.array([[1.2, 0.0, -0.7, 1.5], [0.9, 1.1, 0.0, 0.8]])
CASES = [
    Grad(rt.written_slot, slots_written_with_repeats, normal(4)),
    Grad((rt.broadcast_tangent, rt.cast_tangent), tangent_bookkeeping, M, ROW, argnums=(0, 1)),
    Grad((rt.unbroadcast, rt.sum_to, rt.broadcast_to, rt.dense, rt.as_gradient, rt.masked,
          rt.as_value, rt.snapshot, rt.cast_adjoint), adjoint_bookkeeping, M, ROW,
         argnums=(0, 1)),
    Grad(rt.matmul_adjoint, matmul_adjoints, normal(2, 4), normal(2, 3), normal(3, 4),
         argnums=(0, 1, 2)),
    Grad(rt.matmul_adjoint, matmul_adjoints, normal(), normal(3), normal(2, 3, 4),
         argnums=(0, 1, 2), note="-lazy"),
    Grad(rt.matmul_adjoint, matmul_of_itself, normal(3, 3), normal(3, 3), argnums=(0, 1)),
    Grad(rt.dot_adjoint, dot_adjoints, normal(2, 4), normal(2, 3), normal(3, 4), argnums=(0, 1, 2)),
    Grad(rt.dot_adjoint, dot_adjoints, normal(3, 4), normal(), normal(3, 4), argnums=(0, 1, 2)),
    Grad((rt.inner_adjoint, rt.outer_adjoint), inner_outer_adjoints, normal(), normal(3),
         normal(3), argnums=(0, 1, 2)),
    Grad((rt.einsum_adjoint, rt.einsum_of), einsum_adjoints, normal(2, 4), normal(2, 3),
         normal(3, 4), argnums=(0, 1, 2)),
    Grad((rt.det_adjoint, rt.solve_adjoint), det_solve_adjoints, normal(3, 2),
         well_conditioned(3, 3), normal(3, 2), argnums=(0, 1, 2)),
    Grad(rt.solve_adjoint, solve_vector_adjoints, normal(2, 3), well_conditioned(2, 3, 3),
         normal(3), argnums=(0, 1, 2)),
    Grad((rt.trace_adjoint, rt.diag_adjoint), trace_diag_adjoints, normal(3), normal(3, 3),
         argnums=(0, 1)),
    Grad(rt.norm_adjoint, norm_adjoints, normal(4), np.array([[0.3, -1.2, 0.8, 0.5],
                                                              [1.4, -0.2, 0.6, -0.9],
                                                              [0.7, 0.1, -0.5, 1.1]]),
         argnums=(0, 1)),
    Grad((rt.prod_adjoint, rt.prod_pairs), prod_adjoints, normal(4), normal(3, 4), argnums=(0, 1)),
    Grad((rt.prod_adjoint, rt.prod_pairs), prod_adjoints, normal(4), WITH_ZERO, argnums=(0, 1),
         note="-zeros"),
    Grad((rt.cumsum_adjoint, rt.cumprod_adjoint), scan_adjoints, G, normal(2, 4) + 2.0,
         argnums=(0, 1)),
    Grad((rt.cumsum_adjoint, rt.cumprod_adjoint), scan_adjoints, G, WITH_ZEROS, argnums=(0, 1),
         note="-zeros"),
    Grad((rt.sort_adjoint, rt.take_sorted), sort_adjoints, normal(3, 4), distinct(3, 4),
         argnums=(0, 1)),
    Grad((rt.untile, rt.unrepeat, rt.linspace_adjoint), assembly_adjoints, G, normal(2, 4),
         argnums=(0, 1)),
    Grad((rt.unstack, rt.unconcatenate), stack_adjoints, G, normal(2, 4), argnums=(0, 1)),
    Grad((rt.array_adjoint, rt.stack_parts, rt.split_parts), array_adjoints, G, normal(2, 4),
         argnums=(0, 1)),
    Grad(rt.astype_adjoint, astype_adjoints, normal(3), normal(3), argnums=(0, 1), eps=1e-3,
         rtol=1e-3, atol=1e-4),                    # values cast to float32 and back
    Grad((rt.at_gather, rt.at_set_adjoint, rt.at_minmax_adjoint), at_adjoints, normal(5),
         distinct(5), np.array([0.7, 2.5, -0.3]), argnums=(0, 1, 2)),
    Grad((rt.at_multiply_adjoint, rt.at_divide_adjoint, rt.at_power_adjoint),
         at_arithmetic_adjoints, normal(5), normal(5), np.array([0.7, 1.5, 1.2]),
         argnums=(0, 1, 2)),
    Grad(rt.at_multiply_adjoint, multiply_at_zero_adjoints, normal(5), normal(5),
         np.array([0.7, 1.5, 0.0]), argnums=(0, 1, 2)),
    Grad(rt.at_multiply_adjoint, multiply_at_zero_adjoints, normal(5), normal(5),
         np.array([0.0, 1.5, 0.0]), argnums=(0, 1, 2), note="-two"),
    Grad((rt.sum_builtin_adjoint, rt.minmax_builtin_adjoint), builtin_adjoints, normal(3),
         np.array([[0.3, 1.1, -0.2], [1.4, 0.2, 0.9], [-0.6, 0.8, 0.5]]), argnums=(0, 1)),
    Grad((rt.sequence_adjoint, rt.dict_values_adjoint, rt.field_adjoint), container_adjoints,
         normal(3), normal(2, 3), argnums=(0, 1)),
    Grad((rt.dict_of_adjoint, rt.dict_of_gather), dict_adjoints, normal(),
         normal(3, 2), argnums=(0, 1)),
    Grad(rt.undiagonal, diagonal_adjoints, normal(), normal(3, 4), argnums=(0, 1)),
    Grad((rt.sorted_adjoint, rt.sorted_gather, rt.concat_adjoint, rt.unrepeat_sequence),
         sequence_adjoints, normal(), np.array([0.3, -1.2, 0.8]), argnums=(0, 1)),
    Grad((rt.add_at, rt.add, rt.part, rt.scatter, rt.gather, rt.cleared, rt.dict_items,
          rt.as_gradients), container_bookkeeping, normal(), normal(3), argnums=(0, 1)),
    Grad(rt.add_at, array_adds, normal(4), normal(3), argnums=(0, 1)),
    Grad((rt.save_slot, rt.restore_slot), slots_saved_and_restored, normal(3)),
]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)
