"""Linear algebra: @ / matmul, dot, outer, linalg.norm, inv, det, solve, trace
(einsum: ``rules/contractions.py``)."""
import operator

import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import IN_PLACE, custom


@custom(operator.matmul, np.matmul, abstract_eval=E.matmul)
def matmul(g, ans, x, y):
    return rt.matmul_adjoint(g, ans, x, y, 0), rt.matmul_adjoint(g, ans, x, y, 1)


custom(operator.imatmul, effects=IN_PLACE, abstract_eval=E.in_place(E.matmul))(matmul)
custom(np.linalg.matmul, abstract_eval=E.matmul)(matmul)


@custom(np.dot, only={"out": (None,)}, abstract_eval=E.dot)
def dot(g, ans, a, b, out=None):
    return rt.dot_adjoint(g, ans, a, b, 0), rt.dot_adjoint(g, ans, a, b, 1)


@custom(np.inner, abstract_eval=E.inner)
def inner(g, ans, a, b):
    return rt.inner_adjoint(g, ans, a, b, 0), rt.inner_adjoint(g, ans, a, b, 1)


@custom(np.vdot, abstract_eval=E.vdot)
def vdot(g, ans, a, b):
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@custom(np.outer, only={"out": (None,)}, abstract_eval=E.outer)
def outer(g, ans, a, b, out=None):
    return rt.outer_adjoint(g, ans, a, b, 0), rt.outer_adjoint(g, ans, a, b, 1)


custom(np.linalg.outer, abstract_eval=E.outer)(outer)       # of vectors only


@custom(np.linalg.norm, abstract_eval=E.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    if ord == 2 or ord == -2 or ord == "nuc":
        axes = rt.matrix_axes(x, ord, axis)
        if axes is not None:
            # a norm of the singular values, u_i v_i^T their slopes: written with
            # np.linalg.svd, whose rule gives the second derivative
            full = rt.broadcast_to(g, ans)
            if not keepdims:
                full = np.expand_dims(full, axes)
            factors = np.linalg.svd(np.moveaxis(x, axes, (-2, -1)), full_matrices=False)
            weights = np.expand_dims(rt.spectral_weights(factors[1], ord), -2)
            slope = np.matmul(factors[0] * weights, factors[2])
            return full * np.moveaxis(slope, (-2, -1), axes)
    return rt.norm_adjoint(g, ans, x, ord, axis, keepdims)


@custom(np.linalg.inv, abstract_eval=E.same_as_first("float"))
def inv(g, ans, a):
    inv_t = np.swapaxes(ans, -1, -2)
    return -np.matmul(inv_t, np.matmul(rt.broadcast_to(g, ans), inv_t))


@custom(np.linalg.det, abstract_eval=E.matrix_reduce)
def det(g, ans, a):
    return rt.det_adjoint(g, ans, a)


@custom(np.linalg.solve, abstract_eval=E.solve)
def solve(g, ans, a, b):
    return rt.solve_adjoint(g, ans, a, b, 0), rt.solve_adjoint(g, ans, a, b, 1)


@custom(np.vecdot, np.linalg.vecdot, abstract_eval=E.by_example(np.vecdot, view=False))
def vecdot(g, ans, x1, x2, *, axis=-1):
    # the sum over `axis` of x1 * x2 (real values), batch axes broadcasting
    spread = np.expand_dims(rt.broadcast_to(g, ans), axis)
    return rt.unbroadcast(spread * x2, x1, spread * x2), rt.unbroadcast(spread * x1, x2, spread * x1)


@custom(np.linalg.trace, abstract_eval=E.by_example(np.linalg.trace, view=False))
def matrix_trace(g, ans, x, *, offset=0, dtype=None):
    return rt.trace_adjoint(g, ans, x, offset, -2, -1)


@custom(np.trace, only={"out": (None,)}, abstract_eval=E.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return rt.trace_adjoint(g, ans, a, offset, axis1, axis2)
