"""Reductions with ``axis``/``keepdims``: sum, mean, prod, max, min, var, std, cumsum.

The adjoint of a reduction re-inserts the reduced axes (``np.expand_dims``) so that it
broadcasts against the input; with ``keepdims=True`` or ``axis=None`` it already does.
"""
import numpy as np

import runtime as rt

from .registry import custom, nondiff, reduction


@reduction(np.sum)
def sum(g, ans, a, axis=None, dtype=None, keepdims=False):
    if axis is None or keepdims:
        return g
    return np.expand_dims(rt.broadcast_to(g, ans), axis)


@reduction(np.mean)
def mean(g, ans, a, axis=None, dtype=None, keepdims=False):
    # np.divide: the mean of an empty array is nan, its adjoint empty (no ZeroDivisionError)
    if axis is None or keepdims:
        return g * np.divide(np.size(ans), np.size(a))
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * np.divide(np.size(ans), np.size(a))


@reduction(np.max, np.amax, np.min, np.amin)
def extremum(g, ans, a, axis=None, keepdims=False):
    # the adjoint goes to the elements equal to the result; ties share it equally
    if axis is None or keepdims:
        mask = a == ans
        return g * mask / np.sum(mask, axis=axis, keepdims=True)
    mask = a == np.expand_dims(ans, axis)
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * mask / np.sum(mask, axis=axis,
                                                                        keepdims=True)


@reduction(np.prod)
def prod(g, ans, a, axis=None, dtype=None, keepdims=False):
    return rt.prod_adjoint(g, ans, a, axis, keepdims)


@reduction(np.var)
def var(g, ans, a, axis=None, dtype=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    count = np.divide(np.size(a), np.size(ans)) - ddof
    if axis is None or keepdims:
        return g * 2.0 * centered / count
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * 2.0 * centered / count


@reduction(np.std)
def std(g, ans, a, axis=None, dtype=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    count = np.divide(np.size(a), np.size(ans)) - ddof
    if axis is None or keepdims:
        return g * centered / (count * ans)
    return np.expand_dims(rt.broadcast_to(g, ans) / ans, axis) * centered / count


@custom(np.cumsum)
def cumsum(g, ans, a, axis=None):
    return rt.cumsum_adjoint(g, ans, a, axis)


@custom(np.cumprod)
def cumprod(g, ans, a, axis=None):
    return rt.cumprod_adjoint(g, ans, a, axis)


nondiff(np.argmax, np.argmin, np.any, np.all, np.count_nonzero, np.argsort, np.nonzero,
        np.flatnonzero, np.argwhere, np.searchsorted, np.shape, np.ndim, np.size,
        np.result_type)


@custom(np.sort)
def sort(g, ans, a, axis=-1):
    return rt.sort_adjoint(g, ans, a, axis)
