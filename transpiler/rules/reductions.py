"""Reductions with ``axis``/``keepdims``: sum, mean, prod, max, min, var, std, cumsum.

The adjoint of a reduction re-inserts the reduced axes (``np.expand_dims``) so that it
broadcasts against the input; with ``keepdims=True`` or ``axis=None`` it already does.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import custom, nondiff, reduction

_SAME = E.reduction("same")


@reduction(np.sum, abstract_eval=E.reduction("sum"))
def sum(g, ans, a, axis=None, dtype=None, keepdims=False):
    if axis is None or keepdims:
        return g
    return np.expand_dims(rt.broadcast_to(g, ans), axis)


@reduction(np.mean)
def mean(g, ans, a, axis=None, dtype=None, keepdims=False):
    if axis is None or keepdims:
        return g * (np.size(ans) / np.size(a))
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * (np.size(ans) / np.size(a))


@reduction(np.max, np.amax, np.min, np.amin, abstract_eval=_SAME)
def extremum(g, ans, a, axis=None, keepdims=False):
    # the adjoint goes to the elements equal to the result; ties share it equally
    if axis is None or keepdims:
        mask = a == ans
        return g * mask / np.sum(mask, axis=axis, keepdims=True)
    mask = a == np.expand_dims(ans, axis)
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * mask / np.sum(mask, axis=axis,
                                                                        keepdims=True)


@reduction(np.prod, abstract_eval=E.reduction("sum"))
def prod(g, ans, a, axis=None, dtype=None, keepdims=False):
    return rt.prod_adjoint(g, ans, a, axis, keepdims)


@reduction(np.var)
def var(g, ans, a, axis=None, dtype=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    count = np.size(a) / np.size(ans) - ddof
    if axis is None or keepdims:
        return g * 2.0 * centered / count
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * 2.0 * centered / count


@reduction(np.std)
def std(g, ans, a, axis=None, dtype=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    count = np.size(a) / np.size(ans) - ddof
    if axis is None or keepdims:
        return g * centered / (count * ans)
    return np.expand_dims(rt.broadcast_to(g, ans) / ans, axis) * centered / count


@custom(np.cumsum, abstract_eval=E.cumulative)
def cumsum(g, ans, a, axis=None):
    return rt.cumsum_adjoint(g, ans, a, axis)


@custom(np.cumprod, abstract_eval=E.cumulative)
def cumprod(g, ans, a, axis=None):
    return rt.cumprod_adjoint(g, ans, a, axis)


nondiff(np.argmax, np.argmin, abstract_eval=E.reduction("int"))
nondiff(np.any, np.all, abstract_eval=E.reduction("bool"))
nondiff(np.count_nonzero, abstract_eval=E.reduction("int"))
nondiff(np.argsort, abstract_eval=E.same_as_first("int"))
nondiff(np.searchsorted, abstract_eval=E.searchsorted)
nondiff(np.nonzero, np.flatnonzero, np.argwhere, np.result_type, abstract_eval=E.unknown)
nondiff(np.shape, abstract_eval=E.np_shape, shape_only=(0,))
nondiff(np.ndim, abstract_eval=E.np_ndim, shape_only=(0,))
nondiff(np.size, abstract_eval=E.np_size, shape_only=(0,))


@custom(np.sort, abstract_eval=E.sort)
def sort(g, ans, a, axis=-1):
    return rt.sort_adjoint(g, ans, a, axis)
