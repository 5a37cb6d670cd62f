"""Reductions with ``axis``/``keepdims``: sum, mean, prod, max, min, var, std, cumsum.

The adjoint of a reduction re-inserts the reduced axes (``np.expand_dims``) so that it
broadcasts against the input; with ``keepdims=True`` or ``axis=None`` it already does.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import custom, nondiff, reduction


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


@reduction(np.average, diff=("a", "weights"), only={"returned": (False,)},
           abstract_eval=E.by_example(np.average, view=False))
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


@custom(np.cumulative_sum, only=dict(NO_OUT, include_initial=(False,)),
        abstract_eval=E.cumulative)
def cumulative_sum(g, ans, x, *, axis=None, dtype=None, out=None, include_initial=False):
    return rt.cumsum_adjoint(g, ans, x, axis)


@custom(np.cumsum, only=NO_OUT, abstract_eval=E.cumulative)
def cumsum(g, ans, a, axis=None, dtype=None, out=None):
    return rt.cumsum_adjoint(g, ans, a, axis)


@custom(np.cumprod, only=NO_OUT, abstract_eval=E.cumulative)
def cumprod(g, ans, a, axis=None, dtype=None, out=None):
    return rt.cumprod_adjoint(g, ans, a, axis)


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
