"""The runtime helpers that generated code calls (``rt.*``), as primitives.

Every callable generated code may call has a record: what its result is made of
(``abstract_eval``), what it does to memory (``effects``: ``rt.add_at`` writes its first
argument; ``rt.unbroadcast`` may return its first argument itself), and, so that the
compiler's output is valid input again, its own derivative rule.  Helpers whose result
carries no derivative (``rt.zeros_like``, ``rt.seed``) are ``nondiff``.

The rules of the adjoints of primitives (``rt.matmul_adjoint(g, ans, x, y, argnum)``...)
name the helper's own cotangent ``g_in`` and the primal output it receives ``out``: ``g``
and ``ans`` are the cotangent and the value of the helper's result.  A helper that
materialises ``g_in`` to the output's shape is linear in it, so ``g_in``'s adjoint is a
full-size value summed back with ``rt.unbroadcast(..., g_in, out)``; where a helper returns
``g_in`` itself, the adjoint is ``g`` itself.  Arguments that only choose where ``g_in``
goes (an order, ties, a kept maximum) are piecewise constant: they are left out of
``diff``.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from .registry import FRESH, IMPURE, element, holds, jvp_rule, view, writes


def custom(*primals, **options):
    return registry.custom(*primals, internal=True, **options)


def nondiff(*primals, **options):
    return registry.nondiff(*primals, internal=True, **options)

_ADJOINT_OF_THIRD = E.computed_adjoint(2)
_BY_ARGNUM = E.computed_adjoint_argnum((2, 3), 4)


# ------------------------------------------------------------ adjoint bookkeeping

nondiff(rt.zeros_like, abstract_eval=E.adjoint_like(0, zeros=True), shape_only=(0,),
        numba="runtime.numba_support._zeros_like")
# the seed checks the output is a real scalar (a TypeError otherwise): kept even if unused
nondiff(rt.seed, abstract_eval=E.python_float, shape_only=(0,), effects=IMPURE,
        numba="runtime.numba_support._seed")
nondiff(rt.first_max, rt.first_min, abstract_eval=E.python_int)
nondiff(rt.promoted_shape, abstract_eval=E.unknown, shape_only=(0,))
# checks that raise a TypeError: kept even when their result is not used
nondiff(rt.check_real, abstract_eval=E.const(None), effects=IMPURE)


@custom(rt.snapshot, abstract_eval=E.first_argument, linear=True)
def snapshot(g, ans, value):
    # a copy of the value (and of what it holds)
    return g


@custom(rt.cast_adjoint, diff=("d",), effects=view(0), abstract_eval=E.cast_adjoint,
        shape_only=(1, 2), linear=True)
def cast_adjoint(g, ans, d, x, ans_in):
    # d itself (a float result) or zeros (an integer one): the same choice for g
    return rt.cast_adjoint(g, d, ans_in)


@custom(rt.as_value, abstract_eval=E.scalar_of_first, numba="runtime.numba_support._as_value",
        linear=True)
def as_value(g, ans, out):
    return g


@custom(rt.unbroadcast, diff=("c",), effects=view(0), abstract_eval=E.unbroadcast,
        shape_only=(1, 2, 3), numba="runtime.numba_support._unbroadcast", linear=True)
def unbroadcast(g, ans, c, x, out, to=None):
    # c summed over the axes x was broadcast along (or returned as it is): transposed,
    # g spread over them and summed back to c's shape -- the same helper
    return rt.unbroadcast(g, x, out, c)


@custom(rt.sum_to, diff=("c",), effects=view(0), abstract_eval=E.sum_to, linear=True)
def sum_to(g, ans, c, shape, out_shape):
    if shape == out_shape:
        return g                           # c was returned as it is
    return rt.sum_to(np.broadcast_to(g, out_shape), np.shape(c), out_shape)


@custom(rt.broadcast_to, diff=("g_in",), effects=view(0), abstract_eval=E.broadcast_like,
        shape_only=(1,), linear=True)
def broadcast_to(g, ans, g_in, like):
    if np.shape(g_in) == np.shape(like):
        return g                           # returned as it is
    return rt.unbroadcast(g, g_in, like)


@custom(rt.broadcast_tangent, diff=("t",), abstract_eval=E.broadcast_like, shape_only=(1,),
        linear=True)
def broadcast_tangent(g, ans, t, like):
    return rt.unbroadcast(g, t, like)


@custom(rt.cast_tangent, diff=("t",), abstract_eval=E.cast_tangent, shape_only=(1,), linear=True)
def cast_tangent(g, ans, t, ans_in):
    # t itself in ans_in's dtype (a float result) or zeros (an integer one)
    return rt.cast_adjoint(g, t, ans_in)


@custom(rt.dense, diff=("d",), abstract_eval=E.adjoint_like(1), shape_only=(1,),
        numba="runtime.numba_support._dense", linear=True)
def dense(g, ans, d, x):
    # d spread over x's shape (and over each item of a container x)
    return rt.unbroadcast(g, d, ans)


@custom(rt.masked, diff=("g_in",), abstract_eval=E.broadcasting("float"), linear=True)
def masked(g, ans, g_in, mask):
    return rt.unbroadcast(rt.masked(g, mask), g_in, ans)


@custom(rt.as_gradient, diff=("d",), effects=view(0), abstract_eval=E.gradient_like(1),
        shape_only=(1,),
        numba="runtime.numba_support._as_gradient", linear=True)
def as_gradient(g, ans, d, x):
    return rt.unbroadcast(g, d, ans)


@custom(rt.written_slot, diff=("d",), abstract_eval=E.written_slot, linear=True)
def written_slot(g, ans, d, index):
    # the slot read back into place: with repeated indices the last write lands, the
    # element whose value was read
    full = np.zeros(np.shape(d))
    full[index] = g
    return full


@custom(rt.as_gradients, diff=("ds",), effects=holds(0), abstract_eval=E.gradients,
        shape_only=(1,), numba="runtime.numba_support._as_gradients", linear=True)
def as_gradients(g, ans, ds, xs):
    # as_gradient of each (a copy where two would share memory changes no value)
    return rt.unbroadcast(g, ds, xs)


@custom(rt.add, abstract_eval=E.adjoint_sum)
def add(g, ans, a, b):
    return rt.unbroadcast(g, a, ans), rt.unbroadcast(g, b, ans)


@jvp_rule(rt.add)
def add_tangent(t, ans, a, b):
    # a sum, affine in each operand: the operand's tangent spread over the result (an
    # item only the other operand has is a zero)
    return rt.dense(t, ans), rt.dense(t, ans)


@custom(rt.part, diff=("d",), effects=element(0), abstract_eval=E.part,
        numba="runtime.numba_support._part", linear=True)
def part(g, ans, d, key):
    return rt.scatter(g, d, key)


@custom(rt.scatter, diff=("g_in",), abstract_eval=E.scatter, shape_only=(1,), linear=True)
def scatter(g, ans, g_in, d, index):
    if not isinstance(d, (list, tuple, dict)):
        if np.ndim(d) == 0:
            return g                           # d stood for every part: g_in whole
    # the slot of the result (not of d) holds g_in
    return rt.gather(g, ans, index, g_in)


@custom(rt.gather, diff=("g_in",), effects=element(0), abstract_eval=E.gather,
        shape_only=(1, 3), linear=True)
def gather(g, ans, g_in, d, index, v):
    return rt.unbroadcast(rt.scatter(g, d, index), g_in, d)


# A rule for a call that writes into its first argument reads ``g`` as that argument's
# adjoint after the call and returns its adjoint before it: here the same, an addition
# (into an array, whose shape never changes; an item of a container may grow from a
# lazily broadcast value, whose own adjoint is then summed back by gather where it was
# added -- the first value of an item is a zero, or full-size from rt.dense).
@custom(rt.add_at, diff=("d", "v"), effects=writes(0), abstract_eval=E.const(None),
        numba="runtime.numba_support._add_at")
def add_at(g, ans, d, index, v):
    return g, rt.gather(g, d, index, v)


@jvp_rule(rt.add_at)
def add_at_tangent(t, ans, d, index, v):
    # ans is d after the call: d's tangent (spread over an item that grew), or v's added
    # at index into zeros shaped like ans
    return rt.dense(t, ans), rt.dense(rt.scatter(t, ans, index), ans)


# Undoing a write into a dict (or a value whose type is not known) in the reverse sweep:
# the slot's old value (rt.MISSING for a new key), put back later.
@custom(rt.save_slot, diff=("container",), effects=element(0), abstract_eval=E.save_slot,
        linear=True)
def save_slot(g, ans, container, key):
    return rt.scatter(g, container, key)


@custom(rt.restore_slot, diff=("container", "old"), effects=writes(0),
        abstract_eval=E.const(None))
def restore_slot(g, ans, container, key, old):
    # the item overwritten has no adjoint; the one put back takes the slot's
    return rt.cleared(g, container, key), rt.part(g, key)


@jvp_rule(rt.restore_slot)
def restore_slot_tangent(t, ans, container, key, old):
    # ans is the container after: old's tangent in the slot (no slot for a key the write
    # had added), the container's elsewhere
    return rt.dense(rt.cleared(t, ans, key), ans), rt.dense(rt.scatter(t, ans, key), ans)


@custom(rt.cleared, diff=("g_in",), abstract_eval=E.adjoint_like(1), linear=True)
def cleared(g, ans, g_in, d, key):
    # a projection, its own transpose (summed back where g_in stood for every item)
    return rt.unbroadcast(rt.cleared(g, d, key), g_in, ans)


# ------------------------------------------------------------ linear algebra
# The adjoint of a bilinear product is bilinear in the cotangent and the other operand:
# <g, matmul_adjoint(g_in, out, x, y, 0)> = <g_in, g @ y>, so g_in's adjoint is g @ y and
# y's is the product's own adjoint with g in x's place (x lends only its shape).  The
# tangents are the transposes: g_in's and the other operand's are the helper with the
# tangent in their place, and the operand argnum's is zero.

@custom(rt.matmul_adjoint, diff=("g_in", "x", "y"), effects=view(0), abstract_eval=_BY_ARGNUM,
        shape_only=(1,), linear=("g_in",))
def matmul_adjoint(g, ans, g_in, out, x, y, argnum):
    if argnum == 0:
        h = rt.broadcast_to(g, x)
        return rt.unbroadcast(np.matmul(h, y), g_in, out), 0.0, \
            rt.matmul_adjoint(g_in, out, h, y, 1)
    h = rt.broadcast_to(g, y)
    return rt.unbroadcast(np.matmul(x, h), g_in, out), rt.matmul_adjoint(g_in, out, x, h, 0), 0.0


@jvp_rule(rt.matmul_adjoint)
def matmul_adjoint(t, ans, g_in, out, x, y, argnum):
    if argnum == 0:
        return None, np.zeros_like(ans), rt.matmul_adjoint(g_in, out, x, t, 0)
    return None, rt.matmul_adjoint(g_in, out, t, y, 1), np.zeros_like(ans)


@custom(rt.dot_adjoint, diff=("g_in", "x", "y"), effects=view(0), abstract_eval=_BY_ARGNUM,
        shape_only=(1,), linear=("g_in",))
def dot_adjoint(g, ans, g_in, out, x, y, argnum):
    if argnum == 0:
        h = rt.broadcast_to(g, x)
        return rt.unbroadcast(np.dot(h, y), g_in, out), 0.0, rt.dot_adjoint(g_in, out, h, y, 1)
    h = rt.broadcast_to(g, y)
    return rt.unbroadcast(np.dot(x, h), g_in, out), rt.dot_adjoint(g_in, out, x, h, 0), 0.0


@jvp_rule(rt.dot_adjoint)
def dot_adjoint(t, ans, g_in, out, x, y, argnum):
    if argnum == 0:
        return None, np.zeros_like(ans), rt.dot_adjoint(g_in, out, x, t, 0)
    return None, rt.dot_adjoint(g_in, out, t, y, 1), np.zeros_like(ans)


@custom(rt.inner_adjoint, diff=("g_in", "a", "b"), effects=view(0), abstract_eval=_BY_ARGNUM,
        shape_only=(1,), linear=("g_in",))
def inner_adjoint(g, ans, g_in, out, a, b, argnum):
    if argnum == 0:
        h = rt.broadcast_to(g, a)
        return rt.unbroadcast(np.inner(h, b), g_in, out), 0.0, rt.inner_adjoint(g_in, out, h, b, 1)
    h = rt.broadcast_to(g, b)
    return rt.unbroadcast(np.inner(a, h), g_in, out), rt.inner_adjoint(g_in, out, a, h, 0), 0.0


@jvp_rule(rt.inner_adjoint)
def inner_adjoint(t, ans, g_in, out, a, b, argnum):
    if argnum == 0:
        return None, np.zeros_like(ans), rt.inner_adjoint(g_in, out, a, t, 0)
    return None, rt.inner_adjoint(g_in, out, t, b, 1), np.zeros_like(ans)


@custom(rt.outer_adjoint, diff=("g_in", "a", "b"), effects=view(0), abstract_eval=_BY_ARGNUM,
        shape_only=(1,), linear=("g_in",))
def outer_adjoint(g, ans, g_in, out, a, b, argnum):
    if argnum == 0:
        h = rt.broadcast_to(g, a)
        return rt.unbroadcast(np.outer(h, b), g_in, out), 0.0, rt.outer_adjoint(g_in, out, h, b, 1)
    h = rt.broadcast_to(g, b)
    return rt.unbroadcast(np.outer(a, h), g_in, out), rt.outer_adjoint(g_in, out, a, h, 0), 0.0


@jvp_rule(rt.outer_adjoint)
def outer_adjoint(t, ans, g_in, out, a, b, argnum):
    if argnum == 0:
        return None, np.zeros_like(ans), rt.outer_adjoint(g_in, out, a, t, 0)
    return None, rt.outer_adjoint(g_in, out, t, b, 1), np.zeros_like(ans)


@custom(rt.det_adjoint, diff=("g_in", "a"), effects=view(0),
        abstract_eval=_ADJOINT_OF_THIRD, shape_only=(1,), linear=("g_in",))
def det_adjoint(g, ans, g_in, out, a):
    # ans = g_in * C(a), C the cofactor matrix det(a) inv(a)^T (matrix by matrix); the
    # derivative of C needs inv(a): exact for invertible matrices
    cofactor = rt.det_adjoint(1.0, out, a)
    d_g = rt.unbroadcast(np.sum(g * cofactor, axis=(-1, -2)), g_in, out)
    inv_t = np.swapaxes(np.linalg.inv(a), -1, -2)
    along = np.expand_dims(np.sum(g * inv_t, axis=(-1, -2)), (-2, -1))
    h_t = np.swapaxes(rt.broadcast_to(g, a), -1, -2)
    scale = np.expand_dims(g_in * np.linalg.det(a), (-2, -1))
    return d_g, scale * (along * inv_t - np.matmul(inv_t, np.matmul(h_t, inv_t)))


@jvp_rule(rt.det_adjoint)
def det_adjoint(t, ans, g_in, out, a):
    # d(det(a) inv(a)^T) = det(a) (tr(inv(a) t) inv(a)^T - inv(a)^T t^T inv(a)^T): with
    # s = inv(a) t and ans = g_in det(a) inv(a)^T, ans tr(s) - ans s^T (one solve)
    s = np.linalg.solve(a, t)
    return None, np.expand_dims(np.trace(s, axis1=-2, axis2=-1), (-2, -1)) * ans \
        - np.matmul(ans, np.swapaxes(s, -1, -2))


@custom(rt.solve_adjoint, diff=("g_in", "out", "a"), effects=view(0), abstract_eval=_BY_ARGNUM,
        shape_only=(3,), linear=("g_in",))
def solve_adjoint(g, ans, g_in, out, a, b, argnum):
    if argnum == 1:
        # ans = a^-T g_in (summed to b's shape): g_in's adjoint solves a against g, and a's
        # is the adjoint of a solve that gave it
        u = np.linalg.solve(a, rt.broadcast_to(g, b))
        return rt.unbroadcast(u, g_in, out), 0.0, rt.solve_adjoint(g_in, u, a, b, 0)
    # ans = -(a^-T g_in) out^T, summed to a's shape (a vector b is the one-column case);
    # <g, ans> = -<g_in, a^-1 g out>
    h = rt.broadcast_to(g, a)
    if np.ndim(b) == 1:
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), rt.broadcast_to(g_in, out)[..., None])
        q = np.linalg.solve(a, np.matmul(h, out[..., None]))[..., 0]
        d_out = -np.matmul(np.swapaxes(h, -1, -2), gb)[..., 0]
    else:
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), rt.broadcast_to(g_in, out))
        q = np.linalg.solve(a, np.matmul(h, out))
        d_out = -np.matmul(np.swapaxes(h, -1, -2), gb)
    return rt.unbroadcast(-q, g_in, out), d_out, -rt.solve_adjoint(g_in, q, a, b, 0)


@jvp_rule(rt.solve_adjoint)
def solve_adjoint(t, ans, g_in, out, a, b, argnum):
    # ans is a^-T g_in (argnum 1) or -(a^-T g_in) out^T (argnum 0), summed to the
    # argument's shape: flat in out, or linear in it.  a moves a^-T by -a^-T t^T a^-T, so
    # a's tangent is the helper itself with -t^T a^-T g_in = -(a^-1 t)^T g_in for g_in
    full = rt.broadcast_to(g_in, out)
    if np.ndim(b) == 1:
        full = full[..., None]                       # a vector b: the one-column case
    return None, rt.solve_adjoint(g_in, t, a, b, 0) if argnum == 0 else np.zeros_like(ans), \
        rt.solve_adjoint(np.reshape(-np.matmul(np.swapaxes(np.linalg.solve(a, t), -1, -2), full),
                                    np.shape(out)), out, a, b, argnum)


@custom(rt.trace_adjoint, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1, 2), linear=True)
def trace_adjoint(g, ans, g_in, out, a, offset=0, axis1=0, axis2=1):
    return rt.unbroadcast(np.trace(rt.broadcast_to(g, a), offset, axis1, axis2), g_in, out)


@custom(rt.undiagonal, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1, 2), linear=True)
def undiagonal(g, ans, g_in, out, a, offset=0, axis1=0, axis2=1):
    # a diagonal written and a diagonal read are each other's transposes
    return rt.unbroadcast(np.diagonal(rt.broadcast_to(g, a), offset, axis1, axis2), g_in, out)


@custom(rt.diag_adjoint, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1, 2), linear=True)
def diag_adjoint(g, ans, g_in, out, v, k=0):
    # a diagonal read and a diagonal written are each other's transposes
    return rt.unbroadcast(np.diag(rt.broadcast_to(g, v), k), g_in, out)


@custom(rt.norm_adjoint, diff=("g_in", "out", "x"), effects=view(0),
        abstract_eval=_ADJOINT_OF_THIRD, linear=("g_in",))
def norm_adjoint(g, ans, g_in, out, x, ord=None, axis=None, keepdims=False):
    # ans = g_in (spread over the reduced axes) times d norm / dx: linear in g_in
    slope = rt.norm_adjoint(1.0, out, x, ord, axis, keepdims)
    d_g = rt.unbroadcast(np.sum(g * slope, axis=axis, keepdims=keepdims), g_in, out)
    if ord in (np.inf, -np.inf) or ord == 0 or ord == 1:
        return d_g, 0.0, 0.0        # d norm / dx is piecewise constant in x and out
    if ord == -1 or ord == 2 or ord == -2 or ord == "nuc":
        if rt.matrix_axes(x, ord, axis) is not None:
            # ord=-1 of a matrix: a column sum, piecewise linear; np.linalg.norm's rule
            # writes 2, -2 and 'nuc' with np.linalg.svd, so they never come here
            if ord != -1:
                rt.refuse("the derivative of rt.norm_adjoint for this matrix norm (write "
                          "np.linalg.norm, whose rule differentiates it)", ord)
            return d_g, 0.0, 0.0
    # d norm / dx = sign(x) |x|^(p-1) / out^(p-1) for the p-norm (p = 2: None and "fro")
    if ord is None or ord == "fro":
        p = 2
    else:
        p = ord
    if axis is None or keepdims:
        spread, norm = g_in, out
    else:
        spread, norm = np.expand_dims(rt.broadcast_to(g_in, out), axis), np.expand_dims(out, axis)
    safe = np.where(norm == 0, 1.0, norm)
    d_x = np.where(norm == 0, 0.0, (p - 1) * g * spread * np.abs(x) ** (p - 2) / safe ** (p - 1))
    d_out = (1 - p) * np.sum(g * ans, axis=axis, keepdims=keepdims) / np.where(out == 0, 1.0, out)
    return d_g, np.where(out == 0, 0.0, d_out), d_x


@jvp_rule(rt.norm_adjoint)
def norm_adjoint(t, ans, g_in, out, x, ord=None, axis=None, keepdims=False):
    # the transpose of the vjp: ans = spread(g_in) x |x|^(p-2) / spread(out)^(p-1) is
    # diagonal in x, and out scales it by out^(1-p)
    if ord in (np.inf, -np.inf) or ord == 0 or ord == 1:
        return None, np.zeros_like(ans), np.zeros_like(ans)
    if ord == -1 or ord == 2 or ord == -2 or ord == "nuc":
        if rt.matrix_axes(x, ord, axis) is not None:
            if ord != -1:
                rt.refuse("the derivative of rt.norm_adjoint for this matrix norm (write "
                          "np.linalg.norm, whose rule differentiates it)", ord)
            return None, np.zeros_like(ans), np.zeros_like(ans)
    if ord is None or ord == "fro":
        p = 2
    else:
        p = ord
    if axis is None or keepdims:
        spread, norm = g_in, out
    else:
        spread, norm = np.expand_dims(rt.broadcast_to(g_in, out), axis), np.expand_dims(out, axis)
    safe = np.where(norm == 0, 1.0, norm)
    return None, np.where(norm == 0, 0.0, (1 - p) * ans * np.reshape(t, np.shape(norm)) / safe), \
        np.where(norm == 0, 0.0, (p - 1) * t * spread * np.abs(x) ** (p - 2) / safe ** (p - 1))


# ------------------------------------------------------------ reductions and scans

@custom(rt.prod_adjoint, diff=("g_in", "x"), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1,), linear=("g_in",))
def prod_adjoint(g, ans, g_in, out, x, axis=None, keepdims=False):
    # ans = g_in (spread over the reduced axes) times the product of the other elements
    others = rt.prod_adjoint(1.0, out, x, axis, keepdims)
    d_g = rt.unbroadcast(np.sum(g * others, axis=axis, keepdims=keepdims), g_in, out)
    if axis is None or keepdims:
        spread = g_in
    else:
        spread = np.expand_dims(rt.broadcast_to(g_in, out), axis)
    # x: the product's second derivative, with the reduced axes moved last and flattened
    if axis is None:
        axes = tuple(range(np.ndim(x)))
    elif isinstance(axis, tuple):
        axes = axis
    else:
        axes = (axis,)
    last = tuple(range(-len(axes), 0))
    moved = np.moveaxis(x, axes, last)
    rows = np.shape(moved)[:np.ndim(moved) - len(axes)] + (-1,)
    weights = np.moveaxis(rt.broadcast_to(g, x) * spread, axes, last)
    pairs = rt.prod_pairs(np.reshape(weights, rows), np.reshape(moved, rows))
    return d_g, np.moveaxis(np.reshape(pairs, np.shape(moved)), last, axes)


@jvp_rule(rt.prod_adjoint)
def prod_adjoint(t, ans, g_in, out, x, axis=None, keepdims=False):
    # x: the product's second derivative is symmetric, so the tangent is the vjp's sum
    # with t for g
    if axis is None or keepdims:
        spread = g_in
    else:
        spread = np.expand_dims(rt.broadcast_to(g_in, out), axis)
    if axis is None:
        axes = tuple(range(np.ndim(x)))
    elif isinstance(axis, tuple):
        axes = axis
    else:
        axes = (axis,)
    last = tuple(range(-len(axes), 0))
    moved = np.moveaxis(x, axes, last)
    rows = np.shape(moved)[:np.ndim(moved) - len(axes)] + (-1,)
    weights = np.moveaxis(t * spread, axes, last)
    pairs = rt.prod_pairs(np.reshape(weights, rows), np.reshape(moved, rows))
    return None, np.moveaxis(np.reshape(pairs, np.shape(moved)), last, axes)


@custom(rt.prod_pairs, diff=("w", "x"), abstract_eval=E.computed_adjoint(1), linear=("w",))
def prod_pairs(g, ans, w, x):
    # symmetric in w; in x, the same sums with one more factor left out: row m of the
    # stacks sets x_m to 1 and w_m to 0
    h = rt.broadcast_to(g, x)
    eye = np.eye(np.shape(x)[-1], dtype=bool)
    more = rt.prod_pairs(np.where(eye, 0.0, rt.broadcast_to(w, x)[..., None, :]),
                         np.where(eye, 1.0, x[..., None, :]))
    return rt.unbroadcast(rt.prod_pairs(h, x), w, x), \
        np.sum(np.where(eye, 0.0, h[..., None, :] * more), axis=-1)


@jvp_rule(rt.prod_pairs)
def prod_pairs(t, ans, w, x):
    # x: the product's third derivative is symmetric, so the tangent is the vjp's sum with
    # t for g
    eye = np.eye(np.shape(x)[-1], dtype=bool)
    more = rt.prod_pairs(np.where(eye, 0.0, rt.broadcast_to(w, x)[..., None, :]),
                         np.where(eye, 1.0, x[..., None, :]))
    return None, np.sum(np.where(eye, 0.0, t[..., None, :] * more), axis=-1)


@custom(rt.cumsum_adjoint, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1, 2), linear=True)
def cumsum_adjoint(g, ans, g_in, out, x, axis=None):
    # ans sums g_in from the end: its transpose sums from the start
    return rt.unbroadcast(np.cumsum(rt.broadcast_to(g, x), axis), g_in, out)


@custom(rt.cumprod_adjoint, diff=("g_in", "out", "x"), effects=view(0),
        abstract_eval=_ADJOINT_OF_THIRD, linear=("g_in",))
def cumprod_adjoint(g, ans, g_in, out, x, axis=None):
    full = rt.broadcast_to(g_in, out)
    h = rt.broadcast_to(g, x)
    if np.all(x != 0):
        # ans = (g_in * out summed from the end) / x
        c = np.cumsum(h / x, axis)
        return rt.unbroadcast(c * out, g_in, out), c * full, -h * ans / x
    # a zero in x: ans[j] = sum(g_in[i] * prod(x[l] for l <= i, l != j) for i >= j), the
    # exclusive products of the rows of `lower`, x's leading parts padded with ones
    if axis is None:
        xs, hs, fs = np.ravel(x), np.ravel(h), full
    else:
        xs, hs, fs = np.moveaxis(x, axis, -1), np.moveaxis(h, axis, -1), np.moveaxis(full, axis, -1)
    mask = np.tri(np.shape(xs)[-1], dtype=bool)
    lower = np.where(mask, xs[..., None, :], 1.0)
    others = rt.prod_adjoint(1.0, 1.0, lower, -1, True)
    d_g = np.sum(np.where(mask, others * hs[..., None, :], 0.0), axis=-1)
    pairs = rt.prod_pairs(np.where(mask, fs[..., :, None] * hs[..., None, :], 0.0), lower)
    d_x = np.sum(np.where(mask, pairs, 0.0), axis=-2)
    if axis is None:
        return rt.unbroadcast(d_g, g_in, out), 0.0, np.reshape(d_x, np.shape(x))
    return rt.unbroadcast(np.moveaxis(d_g, -1, axis), g_in, out), 0.0, np.moveaxis(d_x, -1, axis)


@jvp_rule(rt.cumprod_adjoint)
def cumprod_adjoint(t, ans, g_in, out, x, axis=None):
    full = rt.broadcast_to(g_in, out)
    if np.all(x != 0):
        # ans = (g_in * out summed from the end) / x: linear in out, and x divides it
        return None, rt.cumprod_adjoint(g_in, t, x, axis), -t * ans / x
    # a zero in x: ans does not read out, and x's tangent is the vjp's sum with t for g
    # (the second derivative of <g_in, cumprod(x)> is symmetric)
    if axis is None:
        xs, ts, fs = np.ravel(x), np.ravel(t), full
    else:
        xs, ts, fs = np.moveaxis(x, axis, -1), np.moveaxis(t, axis, -1), np.moveaxis(full, axis, -1)
    mask = np.tri(np.shape(xs)[-1], dtype=bool)
    lower = np.where(mask, xs[..., None, :], 1.0)
    pairs = rt.prod_pairs(np.where(mask, fs[..., :, None] * ts[..., None, :], 0.0), lower)
    d_x = np.sum(np.where(mask, pairs, 0.0), axis=-2)
    if axis is None:
        return None, np.zeros_like(ans), np.reshape(d_x, np.shape(x))
    return None, np.zeros_like(ans), np.moveaxis(d_x, -1, axis)


@custom(rt.sort_adjoint, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1,), linear=True)
def sort_adjoint(g, ans, g_in, out, a, axis=-1):
    # a only orders where g_in goes: g comes back in that order
    return rt.unbroadcast(rt.take_sorted(g, a, axis), g_in, out)


@custom(rt.take_sorted, diff=("c",), abstract_eval=E.take_sorted, linear=True)
def take_sorted(g, ans, c, a, axis=-1):
    return rt.unbroadcast(rt.sort_adjoint(g, ans, a, axis), c, a)


# ------------------------------------------------------------ assembly of arrays

@custom(rt.untile, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1, 2), linear=True)
def untile(g, ans, g_in, out, a, reps):
    return rt.unbroadcast(np.tile(rt.broadcast_to(g, a), reps), g_in, out)


@custom(rt.unrepeat, diff=("g_in",), effects=view(0), abstract_eval=_ADJOINT_OF_THIRD,
        shape_only=(1, 2), linear=True)
def unrepeat(g, ans, g_in, out, a, repeats, axis=None):
    return rt.unbroadcast(np.repeat(rt.broadcast_to(g, a), repeats, axis), g_in, out)


@custom(rt.linspace_adjoint, diff=("g_in",), effects=view(0),
        abstract_eval=E.computed_adjoint_argnum((2, 3), 6), shape_only=(1, 2, 3), linear=True)
def linspace_adjoint(g, ans, g_in, out, start, stop, num=50, endpoint=True, argnum=0):
    # ans sums g_in weighted by the samples' weights: the transpose spreads g with them
    h = np.broadcast_to(g, np.shape(out)[1:])
    if argnum == 0:
        return rt.unbroadcast(np.linspace(h, 0.0, num, endpoint), g_in, out)
    return rt.unbroadcast(np.linspace(0.0, h, num, endpoint), g_in, out)


@custom(rt.unstack, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown, shape_only=(1,),
        linear=True)
def unstack(g, ans, g_in, out, parts, axis=0):
    return rt.unbroadcast(np.stack([rt.broadcast_to(rt.part(g, k), p) for k, p in enumerate(parts)],
                                   axis), g_in, out)


@custom(rt.unconcatenate, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(1,), linear=True)
def unconcatenate(g, ans, g_in, out, parts, axis=0, like=None, ndmin=0):
    if like is None:
        shaped = parts
    else:
        shaped = like
    # the pieces go back together in the shapes they were cut from
    return rt.unbroadcast(np.concatenate([np.reshape(rt.broadcast_to(rt.part(g, k), shaped[k]),
                                                     rt.promoted_shape(parts[k], ndmin))
                                          for k in range(len(parts))], axis), g_in, out)


@custom(rt.array_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(1,), linear=True)
def array_adjoint(g, ans, g_in, out, obj, ndmin=0):
    if not isinstance(obj, (list, tuple)):
        return g                                     # g_in returned as it is
    return rt.unbroadcast(rt.stack_parts(g, obj, out), g_in, out)


@custom(rt.stack_parts, diff=("d",), effects=view(0), abstract_eval=E.stack_parts,
        shape_only=(2,), linear=True)
def stack_parts(g, ans, d, obj, like):
    return rt.split_parts(g, d, obj, like)


@custom(rt.split_parts, diff=("g_in",), effects=view(0), abstract_eval=E.unknown,
        shape_only=(3,), linear=True)
def split_parts(g, ans, g_in, d, obj, like):
    if not isinstance(obj, (list, tuple)):
        return g                                     # g_in returned as it is
    return rt.unbroadcast(rt.stack_parts(g, obj, like), g_in, like)


@custom(rt.astype_adjoint, diff=("g_in",), effects=view(0), abstract_eval=E.astype_adjoint,
        shape_only=(1, 2), linear=True)
def astype_adjoint(g, ans, g_in, x, out):
    if not np.issubdtype(np.result_type(out), np.inexact):
        return 0.0                                   # a cast to integers: ans is 0.0
    return rt.astype_adjoint(g, g_in, ans)           # a cast transposes to the cast back


# ------------------------------------------------------------ functional updates .at[]
# g_in is materialised to the updated array's shape; `index` picks the slot the values
# went to, x[index].

_AT_EVAL = E.computed_adjoint_argnum((2, 4), 5)


@custom(rt.at_gather, diff=("g_in",), effects=view(0), abstract_eval=E.computed_adjoint(3),
        shape_only=(1, 3), linear=True)
def at_gather(g, ans, g_in, out, index, values):
    # ans reads g_in at index: g goes back there, summed over repeated indices
    return rt.unbroadcast(rt.at_add(rt.zeros_like(out), index, g), g_in, out)


@custom(rt.at_set_adjoint, diff=("g_in",), effects=view(0), abstract_eval=_AT_EVAL,
        shape_only=(1, 2, 4), linear=True)
def at_set_adjoint(g, ans, g_in, out, x, index, values, argnum):
    if argnum == 0:                                  # clearing the slot is its own transpose
        return rt.unbroadcast(rt.at_set_adjoint(g, out, x, index, values, 0), g_in, out)
    # ans reads g_in where each value survived: g goes back there
    return rt.unbroadcast(rt.at_set(rt.zeros_like(out), index, g), g_in, out)


@custom(rt.at_minmax_adjoint, diff=("g_in",), effects=view(0), abstract_eval=_AT_EVAL, linear=True)
def at_minmax_adjoint(g, ans, g_in, out, x, index, values, argnum):
    # x, values and out only choose the elements g_in goes to
    if argnum == 0:
        return rt.unbroadcast(g * (x == out), g_in, out)
    kept = rt.at_minmax_kept(out, x, index, values)
    return rt.unbroadcast(rt.at_add(rt.zeros_like(out), index, g * kept), g_in, out)


@custom(rt.at_divide_adjoint, diff=("g_in", "out", "values"), effects=view(0),
        abstract_eval=_AT_EVAL, shape_only=(2,), linear=("g_in",))
def at_divide_adjoint(g, ans, g_in, out, x, index, values, argnum):
    full = rt.broadcast_to(g_in, out)
    zeros = rt.zeros_like(out)
    if argnum == 0:
        # ans = g_in / factor, factor the product of the values each element was divided by
        ones = np.ones(np.shape(out))
        factor = rt.at_multiply(ones, index, values)
        return rt.unbroadcast(g / factor, g_in, out), 0.0, \
            rt.at_multiply_adjoint(-g * full / factor ** 2, factor, ones, index, values, 1)
    # ans = -g_in * out / values at index, summed to values' shape
    return rt.unbroadcast(rt.at_add(zeros, index, -g * out[index] / values), g_in, out), \
        rt.at_add(zeros, index, -g * full[index] / values), \
        rt.unbroadcast(g * full[index] * out[index] / values ** 2, values, out[index])


@jvp_rule(rt.at_divide_adjoint)
def at_divide_adjoint_tangent(t, ans, g_in, out, x, index, values, argnum):
    full = rt.broadcast_to(g_in, out)
    if argnum == 0:
        # ans = g_in / factor: out is not read; the factor moves with the values, as the
        # product x.at[index].multiply(values) of ones does
        ones = np.ones(np.shape(out))
        factor = rt.at_multiply(ones, index, values)
        slope = rt.at_multiply_adjoint(1.0, factor, ones, index,
                                       np.broadcast_to(values, np.shape(factor[index])), 1)
        return None, rt.zeros_like(ans), \
            -full * rt.at_add(rt.zeros_like(out), index, slope * t) / factor ** 2
    # ans = -g_in * out / values at index, summed to values' shape: linear in out
    return None, rt.at_divide_adjoint(g_in, t, x, index, values, 1), \
        rt.unbroadcast(t * full[index] * out[index] / values ** 2, values, out[index])


@custom(rt.at_power_adjoint, diff=("g_in", "out", "x", "values"), effects=view(0),
        abstract_eval=_AT_EVAL, linear=("g_in",))
def at_power_adjoint(g, ans, g_in, out, x, index, values, argnum):
    full = rt.broadcast_to(g_in, out)
    zeros = rt.zeros_like(out)
    base = x[index]
    safe = np.where(base == 0, 1.0, base)
    if argnum == 0:
        # ans = g_in, times values * x ** (values - 1) at index (indices are unique)
        slope = rt.at_power_adjoint(1.0, out, x, index, values, 0)
        weighed = (g * full)[index]
        d_x = weighed * values * (values - 1) * base ** (values - 2)
        d_v = weighed * base ** (values - 1) * (1.0 + values * np.log(safe))
        return rt.unbroadcast(g * slope, g_in, out), 0.0, rt.at_add(zeros, index, d_x), \
            rt.unbroadcast(d_v, values, base)
    # ans = g_in * out * log(x) at index (0 where x is 0), summed to values' shape
    d_x = np.where(base == 0, 0.0, g * full[index] * out[index] / safe)
    return rt.unbroadcast(rt.at_add(zeros, index, g * out[index] * np.log(safe)), g_in, out), \
        rt.at_add(zeros, index, g * full[index] * np.log(safe)), rt.at_add(zeros, index, d_x), 0.0


@jvp_rule(rt.at_power_adjoint)
def at_power_adjoint_tangent(t, ans, g_in, out, x, index, values, argnum):
    full = rt.broadcast_to(g_in, out)
    zeros = rt.zeros_like(out)
    base = x[index]
    safe = np.where(base == 0, 1.0, base)
    if argnum == 0:
        # ans = g_in, times values * x ** (values - 1) at index (indices are unique); out
        # is not read
        return None, rt.zeros_like(ans), rt.at_add(
            zeros, index, full[index] * values * (values - 1) * base ** (values - 2) * t[index]), \
            rt.at_add(zeros, index,
                      full[index] * base ** (values - 1) * (1.0 + values * np.log(safe)) * t)
    # ans = g_in * out * log(x) at index (0 where x is 0), summed to values' shape: linear
    # in out, and values lend only their shape
    return None, rt.at_power_adjoint(g_in, t, x, index, values, 1), rt.unbroadcast(
        np.where(base == 0, 0.0, full[index] * out[index] * t[index] / safe), values, base), \
        rt.zeros_like(ans)


@custom(rt.at_multiply_adjoint, diff=("g_in", "out", "x", "values"), effects=view(0),
        abstract_eval=_AT_EVAL, linear=("g_in",))
def at_multiply_adjoint(g, ans, g_in, out, x, index, values, argnum):
    full = rt.broadcast_to(g_in, out)
    zeros = rt.zeros_like(out)
    ones = np.ones(np.shape(out))
    if argnum == 0:
        # ans = g_in * factor, factor the product of the values written to each element
        factor = rt.at_multiply(ones, index, values)
        return rt.unbroadcast(g * factor, g_in, out), 0.0, 0.0, \
            rt.at_multiply_adjoint(g * full, factor, ones, index, values, 1)
    base = x[index]
    if rt.at_unique(np.shape(out), index):
        # ans = g_in * x at index, summed to values' shape
        return rt.unbroadcast(rt.at_add(zeros, index, g * base), g_in, out), 0.0, \
            rt.at_add(zeros, index, g * full[index]), 0.0
    scale = np.broadcast_to(values, np.shape(base))
    if np.all(scale != 0):
        # ans = g_in * out / values at index
        return rt.unbroadcast(rt.at_add(zeros, index, g * out[index] / scale), g_in, out), \
            rt.at_add(zeros, index, g * full[index] / scale), 0.0, \
            rt.unbroadcast(-g * full[index] * out[index] / scale ** 2, values, scale)
    # repeated indices and a zero: ans = g_in * x * the other values written to the same
    # element; their derivative leaves one more of those values out
    others = rt.at_multiply_adjoint(1.0, out, ones, index, scale, 1)
    ids = np.ravel(np.reshape(np.arange(np.size(out)), np.shape(out))[index])
    same = ids[:, None] == ids
    weights = np.where(same, np.ravel(g * full[index] * base), 0.0)
    pairs = np.diag(rt.prod_pairs(weights, np.where(same, np.ravel(scale), 1.0)))
    return rt.unbroadcast(rt.at_add(zeros, index, g * base * others), g_in, out), 0.0, \
        rt.at_add(zeros, index, g * full[index] * others), \
        rt.unbroadcast(np.reshape(pairs, np.shape(scale)), values, scale)


@jvp_rule(rt.at_multiply_adjoint)
def at_multiply_adjoint_tangent(t, ans, g_in, out, x, index, values, argnum):
    full = rt.broadcast_to(g_in, out)
    zeros = rt.zeros_like(out)
    ones = np.ones(np.shape(out))
    if argnum == 0:
        # ans = g_in * factor: out and x are not read; the factor moves with the values, as
        # the product x.at[index].multiply(values) of ones does
        factor = rt.at_multiply(ones, index, values)
        slope = rt.at_multiply_adjoint(1.0, factor, ones, index,
                                       np.broadcast_to(values, np.shape(factor[index])), 1)
        return None, rt.zeros_like(ans), rt.zeros_like(ans), \
            full * rt.at_add(zeros, index, slope * t)
    base = x[index]
    if rt.at_unique(np.shape(out), index):
        # ans = g_in * x at index, summed to values' shape
        return None, rt.zeros_like(ans), rt.unbroadcast(full[index] * t[index], values, base), \
            rt.zeros_like(ans)
    scale = np.broadcast_to(values, np.shape(base))
    if np.all(scale != 0):
        # ans = g_in * out / values at index
        return None, rt.unbroadcast(full[index] * t[index] / scale, values, scale), \
            rt.zeros_like(ans), \
            rt.unbroadcast(-full[index] * out[index] * t / scale ** 2, values, scale)
    # repeated indices and a zero: ans = g_in * x * the other values written to the same
    # element; a value's tangent moves the others' products that leave out one more of them
    # (to each value written there, the sum over the other values' tangents of the product
    # without both)
    others = rt.at_multiply_adjoint(1.0, out, ones, index, scale, 1)
    ids = np.ravel(np.reshape(np.arange(np.size(out)), np.shape(out))[index])
    same = ids[:, None] == ids
    return None, rt.zeros_like(ans), \
        rt.unbroadcast(full[index] * t[index] * others, values, scale), \
        rt.unbroadcast(full[index] * base * np.reshape(np.diag(rt.prod_pairs(
            np.where(same, np.ravel(np.broadcast_to(t, np.shape(scale))), 0.0),
            np.where(same, np.ravel(scale), 1.0))), np.shape(scale)), values, scale)


nondiff(rt.at_minmax_kept, rt.at_unique, abstract_eval=E.unknown)


# ------------------------------------------------------------ builtins and containers

@custom(rt.sum_builtin_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(2,), linear=True)
def sum_builtin_adjoint(g, ans, g_in, iterable, out=None):
    if not isinstance(iterable, (list, tuple)):
        return g                                     # g_in returned as it is
    if out is None:
        return sum([rt.part(g, k) for k in range(len(iterable))])
    # item k's adjoint is g_in summed to the item's shape (g_in itself for a full-size item)
    return sum([rt.part(g, k) if np.shape(item) == np.shape(out)
                else rt.unbroadcast(rt.part(g, k), g_in, out) for k, item in enumerate(iterable)])


@custom(rt.minmax_builtin_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        linear=True)
def minmax_builtin_adjoint(g, ans, g_in, out, args, argnum, pick, key=None):
    # the arguments only choose the element g_in goes to
    if len(args) == 1 and isinstance(args[0], np.ndarray):
        return rt.broadcast_to(g, args[0])[pick(list(args[0]), key)]
    if len(args) == 1:
        return rt.part(g, pick(list(args[0]), key))
    if pick(list(args), key) == argnum:
        return g
    return 0.0


@custom(rt.sequence_adjoint, diff=("g_in",), effects=view(0), abstract_eval=E.unknown, linear=True)
def sequence_adjoint(g, ans, g_in, iterable):
    if isinstance(iterable, dict):
        return rt.zeros_like(g_in)                   # a dict's keys: no derivative
    if isinstance(iterable, (list, tuple)) or not isinstance(g_in, (list, tuple)):
        return g                                     # g_in returned as it is
    # an array's rows: the parts of g_in stacked, each broadcast to a row
    return list([rt.unbroadcast(row, p, row) for row, p in zip(rt.unstack(g, ans, g_in, 0), g_in)])


@custom(rt.dict_values_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        linear=True)
def dict_values_adjoint(g, ans, g_in, d):
    if isinstance(g_in, list):
        return list([rt.part(g, key) for key in list(d)])
    return sum([rt.part(g, key) for key in list(d)])    # g_in stood for every value


@custom(rt.field_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown, linear=True)
def field_adjoint(g, ans, g_in, obj, name):
    return rt.part(g, rt.field_index(obj, name))


nondiff(rt.field_index, abstract_eval=E.python_int)


@custom(rt.sorted_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown, linear=True)
def sorted_adjoint(g, ans, g_in, out, iterable, reverse=False, key=None):
    if isinstance(iterable, dict):
        return rt.zeros_like(g_in)                   # a dict's keys: no derivative
    if isinstance(iterable, np.ndarray):
        parts = rt.broadcast_to(g, iterable)         # ans is an array like iterable
    else:
        parts = g
    if not (isinstance(g_in, (list, tuple)) or isinstance(g_in, np.ndarray) and np.ndim(g_in)):
        return sum([rt.part(parts, k) for k in range(len(ans))])     # g_in stood for every item
    gathered = rt.sorted_gather(parts, iterable, reverse, key)
    if isinstance(g_in, np.ndarray):
        return np.array(gathered)
    return gathered


@custom(rt.sorted_gather, diff=("c",), effects=holds(0), abstract_eval=E.unknown, linear=True)
def sorted_gather(g, ans, c, iterable, reverse=False, key=None):
    if not (isinstance(c, (list, tuple)) or isinstance(c, np.ndarray) and np.ndim(c)):
        return sum([rt.part(g, k) for k in range(len(ans))])     # c stood for every part
    return rt.sorted_adjoint(g, ans, iterable, reverse, key)


@custom(rt.concat_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown, linear=True)
def concat_adjoint(g, ans, g_in, a, b, argnum):
    n = len(a)
    if not isinstance(g_in, (list, tuple)):
        return sum([rt.part(g, k) for k in range(len(ans))])     # g_in stood for every item
    if argnum == 0:
        return list([rt.part(g, k) if k < n else 0.0 for k in range(len(g_in))])
    return list([0.0 if k < n else rt.part(g, k - n) for k in range(len(g_in))])


@custom(rt.unrepeat_sequence, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        linear=True)
def unrepeat_sequence(g, ans, g_in, seq, n):
    if isinstance(g_in, (list, tuple)):
        return list([rt.part(g, k % len(seq)) for k in range(len(g_in))])
    return sum([rt.part(g, k) for k in range(len(seq))]) * n    # g_in stood for every item


__all__ = ["FRESH"]
