"""Linear algebra: @ / matmul, dot, outer, linalg.norm, inv, det, solve, trace
(einsum: ``rules/contractions.py``)."""
import operator

import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import IN_PLACE, custom, jvp_rule

# The products below are linear in each operand (the other fixed), and the traces in
# their matrix: ``linear=True`` makes the tangent the call itself with the tangent in that
# operand's place.


@custom(operator.matmul, np.matmul, abstract_eval=E.matmul, linear=True)
def matmul(g, ans, x, y):
    return rt.matmul_adjoint(g, ans, x, y, 0), rt.matmul_adjoint(g, ans, x, y, 1)


custom(operator.imatmul, effects=IN_PLACE, abstract_eval=E.in_place(E.matmul))(matmul)
custom(np.linalg.matmul, abstract_eval=E.matmul, linear=True)(matmul)


@jvp_rule(operator.imatmul)
def imatmul(t, ans, x, y):
    # x @= y with the tangent in x's (or y's) place would write into it: the product itself
    return np.matmul(t, y), np.matmul(x, t)


@custom(np.dot, only={"out": (None,)}, abstract_eval=E.dot, linear=True)
def dot(g, ans, a, b, out=None):
    return rt.dot_adjoint(g, ans, a, b, 0), rt.dot_adjoint(g, ans, a, b, 1)


@custom(np.inner, abstract_eval=E.inner, linear=True)
def inner(g, ans, a, b):
    return rt.inner_adjoint(g, ans, a, b, 0), rt.inner_adjoint(g, ans, a, b, 1)


@custom(np.vdot, abstract_eval=E.vdot, linear=True)
def vdot(g, ans, a, b):
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@custom(np.outer, only={"out": (None,)}, abstract_eval=E.outer, linear=True)
def outer(g, ans, a, b, out=None):
    return rt.outer_adjoint(g, ans, a, b, 0), rt.outer_adjoint(g, ans, a, b, 1)


custom(np.linalg.outer, abstract_eval=E.outer, linear=True)(outer)       # of vectors only


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


@jvp_rule(np.linalg.norm)
def norm(t, ans, x, ord=None, axis=None, keepdims=False):
    # the adjoint is g times the norm's slope (the same subgradient at ties and at 0): the
    # tangent is the slope's inner product with t over the reduced axes (in the result's
    # dtype: slopes and weights may be float64 for a float32 x)
    if ord == 2 or ord == -2 or ord == "nuc":
        axes = rt.matrix_axes(x, ord, axis)
        if axes is not None:
            # d s_i = u_i^T t v_i, weighed as the norm weighs s
            factors = np.linalg.svd(np.moveaxis(x, axes, (-2, -1)), full_matrices=False)
            turned = np.matmul(np.moveaxis(t, axes, (-2, -1)), np.swapaxes(factors[2], -1, -2))
            slopes = np.sum(factors[0] * turned, axis=-2)
            tangent = np.sum(rt.spectral_weights(factors[1], ord) * slopes, axis=-1)
            if keepdims:
                tangent = np.expand_dims(tangent, axes)
            return rt.astype(tangent, np.result_type(ans))
    slope = rt.norm_adjoint(np.ones_like(ans), ans, x, ord, axis, keepdims)
    return rt.astype(np.sum(slope * t, axis=axis, keepdims=keepdims), np.result_type(ans))


@custom(np.linalg.inv, abstract_eval=E.same_as_first("float"))
def inv(g, ans, a):
    inv_t = np.swapaxes(ans, -1, -2)
    return -np.matmul(inv_t, np.matmul(rt.broadcast_to(g, ans), inv_t))


@jvp_rule(np.linalg.inv)
def inv(t, ans, a):
    return -np.matmul(ans, np.matmul(t, ans))


@custom(np.linalg.det, abstract_eval=E.matrix_reduce)
def det(g, ans, a):
    return rt.det_adjoint(g, ans, a)


@jvp_rule(np.linalg.det)
def det(t, ans, a):
    # the cofactor matrix's inner product with t: det(a) tr(a^-1 t) where a is invertible,
    # and defined (as the adjoint is) where it is not
    # (the cofactors are computed in float64: the tangent takes the result's dtype)
    cofactor = rt.det_adjoint(np.ones(np.shape(ans)), ans, a)
    return rt.astype(np.sum(cofactor * t, axis=(-2, -1)), np.result_type(ans))


@custom(np.linalg.solve, abstract_eval=E.solve, linear=("b",))
def solve(g, ans, a, b):
    return rt.solve_adjoint(g, ans, a, b, 0), rt.solve_adjoint(g, ans, a, b, 1)


@jvp_rule(np.linalg.solve)
def solve(t, ans, a, b):
    # d(a^-1 b) = a^-1 (db - da a^-1 b); db's part is the call itself (linear in b)
    if np.ndim(b) == 1:
        return -np.linalg.solve(a, np.matmul(t, np.expand_dims(ans, -1)))[..., 0], None
    return -np.linalg.solve(a, np.matmul(t, ans)), None


@custom(np.vecdot, np.linalg.vecdot, abstract_eval=E.by_example(np.vecdot, view=False),
        linear=True)
def vecdot(g, ans, x1, x2, *, axis=-1):
    # the sum over `axis` of x1 * x2 (real values), batch axes broadcasting
    spread = np.expand_dims(rt.broadcast_to(g, ans), axis)
    return rt.unbroadcast(spread * x2, x1, spread * x2), rt.unbroadcast(spread * x1, x2, spread * x1)


@custom(np.linalg.trace, abstract_eval=E.by_example(np.linalg.trace, view=False),
        linear=True)
def matrix_trace(g, ans, x, *, offset=0, dtype=None):
    return rt.trace_adjoint(g, ans, x, offset, -2, -1)


@custom(np.trace, only={"out": (None,)}, abstract_eval=E.trace, linear=True)
def trace(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return rt.trace_adjoint(g, ans, a, offset, axis1, axis2)
