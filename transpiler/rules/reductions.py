"""Reductions with ``axis``/``keepdims``: sum, mean, prod, max, min, var, std, cumsum.

The adjoint of a reduction re-inserts the reduced axes (``np.expand_dims``) so that it
broadcasts against the input; with ``keepdims=True`` or ``axis=None`` it already does.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import custom, jvp_rule, nondiff, reduction


# The parameters mirror NumPy's, in its order: ``out=`` must be None (a write into an
# existing array), ``dtype=`` casts (an integer result has a zero adjoint: Primitive._wrap).
NO_OUT = {"out": (None,)}


@reduction(np.sum, diff=("a", "initial"), only=NO_OUT,
           abstract_eval=E.reduction("sum", keepdims_position=4, dtype_position=2))
def sum(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    if where is not True:
        # g where the mask holds (a broadcasting mask gives a lazily broadcast adjoint)
        if axis is None or keepdims:
            return np.where(where, g, 0.0), rt.unbroadcast(g, initial, ans)
        return np.where(where, np.expand_dims(rt.broadcast_to(g, ans), axis), 0.0), \
            rt.unbroadcast(g, initial, ans)
    if axis is None or keepdims:
        return g, rt.unbroadcast(g, initial, ans)
    return np.expand_dims(rt.broadcast_to(g, ans), axis), rt.unbroadcast(g, initial, ans)


@jvp_rule(np.sum)
def sum(t, ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    # linear in a (the masked entries left out), plus initial's tangent at every result;
    # a dtype= casts the tangent (Primitive.tangent)
    # (the options spelled only where given, so that the generated code reads as written)
    if where is not True:
        return np.sum(t, axis=axis, keepdims=keepdims, where=where), rt.broadcast_tangent(t, ans)
    if keepdims:
        return np.sum(t, axis=axis, keepdims=True), rt.broadcast_tangent(t, ans)
    if axis is None:
        return np.sum(t), rt.broadcast_tangent(t, ans)
    return np.sum(t, axis=axis), rt.broadcast_tangent(t, ans)


@reduction(np.mean, only=NO_OUT, abstract_eval=E.reduction(keepdims_position=4, dtype_position=2))
def mean(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if where is not True:
        # g shared by the elements the mask keeps; a slice with none has no adjoint
        mask = np.broadcast_to(where, np.shape(a))
        count = np.maximum(np.sum(mask, axis=axis, keepdims=True), 1)
        if axis is None or keepdims:
            return np.where(mask, g / count, 0.0)
        return np.where(mask, np.expand_dims(rt.broadcast_to(g, ans), axis) / count, 0.0)
    # np.divide: the mean of an empty array is nan, its adjoint empty (no ZeroDivisionError)
    if axis is None or keepdims:
        return g * np.divide(np.size(ans), np.size(a))
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * np.divide(np.size(ans), np.size(a))


@jvp_rule(np.mean)
def mean(t, ans, a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if where is not True:
        # as the vjp rule: a slice the mask keeps nothing of has a zero tangent (not nan)
        count = np.sum(np.broadcast_to(where, np.shape(a)), axis=axis, keepdims=keepdims)
        return np.sum(t, axis=axis, keepdims=keepdims, where=where) / np.maximum(count, 1)
    # the call itself on t, the options spelled only where given
    if keepdims:
        return np.mean(t, axis=axis, keepdims=True)
    if axis is None:
        return np.mean(t)
    return np.mean(t, axis=axis)


@reduction(np.max, np.amax, np.min, np.amin, diff=("a", "initial"), only=NO_OUT,
           abstract_eval=E.reduction("same", keepdims_position=3))
def extremum(g, ans, a, axis=None, out=None, keepdims=False, initial=None, where=True):
    # the adjoint goes to the elements equal to the result; ties share it equally
    if initial is not None or where is not True:
        # the kept elements equal to the result share g; initial, when it ties with
        # them, takes half (as np.maximum splits a tie)
        if axis is None or keepdims:
            spread, result = g, ans
        else:
            spread = np.expand_dims(rt.broadcast_to(g, ans), axis)
            result = np.expand_dims(ans, axis)
        winners = (a == result) & np.broadcast_to(where, np.shape(a))
        count = np.sum(winners, axis=axis, keepdims=True)
        if initial is None:
            return np.where(winners, spread / np.maximum(count, 1), 0.0), None
        initial_wins = initial == result
        half = np.where((count > 0) & initial_wins, 0.5, 1.0)
        taken = np.where(initial_wins, spread * half, 0.0)
        return np.where(winners, spread * half / np.maximum(count, 1), 0.0), \
            rt.unbroadcast(taken, initial, taken)
    if axis is None or keepdims:
        mask = a == ans
        return g * mask / np.sum(mask, axis=axis, keepdims=True), None
    mask = a == np.expand_dims(ans, axis)
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * mask / np.sum(mask, axis=axis,
                                                                        keepdims=True), None


@jvp_rule(np.max, np.amax, np.min, np.amin)
def extremum(t, ans, a, axis=None, out=None, keepdims=False, initial=None, where=True):
    # the mean tangent of the elements equal to the result (ties share, as in the vjp)
    if axis is None or keepdims:
        result = ans
    else:
        result = np.expand_dims(ans, axis)
    if initial is not None or where is not True:
        winners = (a == result) & np.broadcast_to(where, np.shape(a))
        count = np.sum(winners, axis=axis, keepdims=keepdims)
        shared = np.sum(np.where(winners, t, 0.0), axis=axis, keepdims=keepdims) / \
            np.maximum(count, 1)
        if initial is None:
            return shared, None
        # initial tying with kept elements takes half, they share the other half
        initial_wins = initial == ans
        half = np.where((count > 0) & initial_wins, 0.5, 1.0)
        return shared * half, np.where(initial_wins, t * half, 0.0)
    winners = a == result
    return np.sum(np.where(winners, t, 0.0), axis=axis, keepdims=keepdims) / \
        np.sum(winners, axis=axis, keepdims=keepdims), None


@reduction(np.prod, diff=("a", "initial"), only=NO_OUT,
           abstract_eval=E.reduction("sum", keepdims_position=4, dtype_position=2))
def prod(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    if initial is not None or where is not True:
        # ans = initial times the product of the kept elements (the others count as 1)
        factors = np.where(where, a, 1.0)
        if initial is None:
            return np.where(where, rt.prod_adjoint(g, ans, factors, axis, keepdims), 0.0), None
        return np.where(where, rt.prod_adjoint(g * initial, ans, factors, axis, keepdims), 0.0), \
            rt.unbroadcast(g * np.prod(factors, axis=axis, keepdims=keepdims), initial, ans)
    return rt.prod_adjoint(g, ans, a, axis, keepdims), None


@jvp_rule(np.prod)
def prod(t, ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    # each element's tangent times the product of the others (rt.prod_adjoint: exact at
    # zeros, as the vjp rule)
    if initial is not None or where is not True:
        factors = np.where(where, a, 1.0)
        kept = np.where(where, t, 0.0)
        if initial is None:
            return np.sum(kept * rt.prod_adjoint(1.0, ans, factors, axis, keepdims), axis=axis,
                          keepdims=keepdims), None
        return np.sum(kept * rt.prod_adjoint(initial, ans, factors, axis, keepdims), axis=axis,
                      keepdims=keepdims), t * np.prod(factors, axis=axis, keepdims=keepdims)
    return np.sum(t * rt.prod_adjoint(1.0, ans, a, axis, keepdims), axis=axis,
                  keepdims=keepdims), None


@reduction(np.var, only=dict(NO_OUT, where=(True,), mean=(None,)),
           abstract_eval=E.reduction(keepdims_position=5, dtype_position=2))
def var(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True,
        mean=None, correction=None):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    if correction is None:
        count = np.divide(np.size(a), np.size(ans)) - ddof
    else:
        count = np.divide(np.size(a), np.size(ans)) - correction
    if axis is None or keepdims:
        return g * 2.0 * centered / count
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * 2.0 * centered / count


@jvp_rule(np.var)
def var(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True,
        mean=None, correction=None):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    if correction is None:
        count = np.divide(np.size(a), np.size(ans)) - ddof
    else:
        count = np.divide(np.size(a), np.size(ans)) - correction
    return np.sum(centered * t, axis=axis, keepdims=keepdims) * (2.0 / count)


@reduction(np.std, only=dict(NO_OUT, where=(True,), mean=(None,)),
           abstract_eval=E.reduction(keepdims_position=5, dtype_position=2))
def std(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True,
        mean=None, correction=None):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    if correction is None:
        count = np.divide(np.size(a), np.size(ans)) - ddof
    else:
        count = np.divide(np.size(a), np.size(ans)) - correction
    if np.size(a) == np.size(ans):
        # one value per result: the function is the constant 0 (as in JAX and autograd,
        # not the 0/0 of the formula below)
        return np.zeros(np.shape(a))
    if axis is None or keepdims:
        return g * centered / (count * ans)
    return np.expand_dims(rt.broadcast_to(g, ans) / ans, axis) * centered / count


@jvp_rule(np.std)
def std(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True,
        mean=None, correction=None):
    if np.size(a) == np.size(ans):
        return rt.zeros_like(ans)        # the constant 0, as in the vjp rule
    # var's tangent over 2 std: sum(centered t) / (count std), where count = the sum of
    # squares over std**2 (whatever ddof= or correction= made it)
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return np.sum(centered * t, axis=axis, keepdims=keepdims) * ans / \
        np.sum(centered * centered, axis=axis, keepdims=keepdims)


@reduction(np.average, diff=("a", "weights"), only={"returned": (False,)},
           abstract_eval=E.by_example(np.average, view=False), linear=("a",))
def average(g, ans, a, axis=None, weights=None, returned=False, *, keepdims=False):
    if axis is None or keepdims:
        spread, mean = g, ans
    else:
        spread = np.expand_dims(rt.broadcast_to(g, ans), axis)
        mean = np.expand_dims(ans, axis)
    if weights is None:
        return spread * np.divide(np.size(ans), np.size(a)), None
    # sum(a w) / sum(w), the weights shaped like a or a vector along the (one) axis
    if np.shape(weights) == np.shape(a):
        w = weights
    else:
        w = np.moveaxis(np.broadcast_to(weights, np.shape(np.moveaxis(a, axis, -1))), -1, axis)
    total = np.sum(w, axis=axis, keepdims=True)
    along = spread * (a - mean) / total
    if np.shape(weights) == np.shape(a):
        return spread * w / total, along
    moved = np.moveaxis(along, axis, -1)
    return spread * w / total, rt.unbroadcast(moved, weights, moved)


@jvp_rule(np.average)
def average(t, ans, a, axis=None, weights=None, returned=False, *, keepdims=False):
    # a: linear (the call itself); weights: sum(t (a - ans)) / sum(w), t and the weights
    # spread as the vjp rule spreads them (shaped like a, or a vector along the axis)
    if axis is None or keepdims:
        mean = ans
    else:
        mean = np.expand_dims(ans, axis)
    if np.shape(weights) == np.shape(a):
        w, tw = weights, t
    else:
        along = np.shape(np.moveaxis(a, axis, -1))
        w = np.moveaxis(np.broadcast_to(weights, along), -1, axis)
        tw = np.moveaxis(np.broadcast_to(t, along), -1, axis)
    return None, np.sum(tw * (a - mean), axis=axis, keepdims=keepdims) / \
        np.sum(w, axis=axis, keepdims=keepdims)


@reduction(np.ptp, only=NO_OUT, abstract_eval=E.reduction("same", keepdims_position=3))
def ptp(g, ans, a, axis=None, out=None, keepdims=False):
    # max - min: the adjoint to the largest elements, minus to the smallest; ties share
    top = a == np.max(a, axis=axis, keepdims=True)
    bottom = a == np.min(a, axis=axis, keepdims=True)
    if axis is None or keepdims:
        spread = g
    else:
        spread = np.expand_dims(rt.broadcast_to(g, ans), axis)
    return spread * (top / np.sum(top, axis=axis, keepdims=True)
                     - bottom / np.sum(bottom, axis=axis, keepdims=True))


@jvp_rule(np.ptp)
def ptp(t, ans, a, axis=None, out=None, keepdims=False):
    # the mean tangent of the largest elements minus that of the smallest
    top = a == np.max(a, axis=axis, keepdims=True)
    bottom = a == np.min(a, axis=axis, keepdims=True)
    return np.sum(np.where(top, t, 0.0), axis=axis, keepdims=keepdims) / \
        np.sum(top, axis=axis, keepdims=keepdims) - \
        np.sum(np.where(bottom, t, 0.0), axis=axis, keepdims=keepdims) / \
        np.sum(bottom, axis=axis, keepdims=keepdims)


@custom(np.cumulative_sum, only=dict(NO_OUT, include_initial=(False,)),
        abstract_eval=E.cumulative, linear=True)
def cumulative_sum(g, ans, x, *, axis=None, dtype=None, out=None, include_initial=False):
    return rt.cumsum_adjoint(g, ans, x, axis)


@custom(np.cumsum, only=NO_OUT, abstract_eval=E.cumulative, linear=True)
def cumsum(g, ans, a, axis=None, dtype=None, out=None):
    return rt.cumsum_adjoint(g, ans, a, axis)


@custom(np.cumprod, only=NO_OUT, abstract_eval=E.cumulative)
def cumprod(g, ans, a, axis=None, dtype=None, out=None):
    return rt.cumprod_adjoint(g, ans, a, axis)


@jvp_rule(np.cumprod)
def cumprod(t, ans, a, axis=None, dtype=None, out=None):
    # ans[k] sums t[j] times the product of a[:k+1] but a[j], exact at zeros as the vjp
    if axis is None:
        x, s, along = np.ravel(a), np.ravel(t), 0      # the flattened array's
    else:
        x, s, along = a, t, axis
    if np.all(x != 0):
        return ans * np.cumsum(s / x, along)
    # before a slice's first zero as above; from it on only the first zero's tangent
    # counts, times the product of the others (a second zero makes it 0)
    zeros = np.cumsum(x == 0, along)
    before = zeros == 0
    first = (x == 0) & (zeros == 1)
    others = np.cumprod(np.where(first, 1.0, x), along)
    ratios = np.cumsum(np.where(before, s / np.where(before, x, 1.0), 0.0), along)
    return others * np.where(before, ratios, np.sum(np.where(first, s, 0.0), axis=along,
                                                       keepdims=True))


nondiff(np.argmax, np.argmin, abstract_eval=E.reduction("int", keepdims_position=3))
nondiff(np.any, np.all, abstract_eval=E.reduction("bool", keepdims_position=3))
nondiff(np.count_nonzero, abstract_eval=E.reduction("int"))
nondiff(np.argsort, abstract_eval=E.same_as_first("int"))
nondiff(np.searchsorted, abstract_eval=E.searchsorted)
nondiff(np.nonzero, np.flatnonzero, np.argwhere, np.result_type, abstract_eval=E.unknown)
nondiff(np.shape, abstract_eval=E.np_shape, shape_only=(0,))
nondiff(np.ndim, abstract_eval=E.np_ndim, shape_only=(0,))
nondiff(np.size, abstract_eval=E.np_size, shape_only=(0,))


@custom(np.sort, only={"order": (None,)}, abstract_eval=E.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None):
    return rt.sort_adjoint(g, ans, a, axis)


@jvp_rule(np.sort)
def sort(t, ans, a, axis=-1, kind=None, order=None):
    # t in the order the values were sorted (ties: the vjp rule's stable order)
    return rt.take_sorted(t, a, axis)
