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
        return rt.sum_where_adjoint(g, ans, a, axis, keepdims, where), \
            rt.unbroadcast(g, initial, ans)
    if axis is None or keepdims:
        return g, rt.unbroadcast(g, initial, ans)
    return np.expand_dims(rt.broadcast_to(g, ans), axis), rt.unbroadcast(g, initial, ans)


@reduction(np.mean, only=NO_OUT, abstract_eval=E.reduction(keepdims_position=4, dtype_position=2))
def mean(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if where is not True:
        return rt.mean_where_adjoint(g, ans, a, axis, keepdims, where)
    # np.divide: the mean of an empty array is nan, its adjoint empty (no ZeroDivisionError)
    if axis is None or keepdims:
        return g * np.divide(np.size(ans), np.size(a))
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * np.divide(np.size(ans), np.size(a))


@reduction(np.max, np.amax, np.min, np.amin, diff=("a", "initial"), only=NO_OUT,
           abstract_eval=E.reduction("same", keepdims_position=3))
def extremum(g, ans, a, axis=None, out=None, keepdims=False, initial=None, where=True):
    # the adjoint goes to the elements equal to the result; ties share it equally
    if initial is not None or where is not True:
        return rt.extremum_adjoint(g, ans, a, axis, keepdims, initial, where, 0), \
            rt.extremum_adjoint(g, ans, a, axis, keepdims, initial, where, 1)
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
        return rt.prod_where_adjoint(g, ans, a, axis, keepdims, initial, where, 0), \
            rt.prod_where_adjoint(g, ans, a, axis, keepdims, initial, where, 1)
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
    if axis is None or keepdims:
        return g * centered / (count * ans)
    return np.expand_dims(rt.broadcast_to(g, ans) / ans, axis) * centered / count


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
