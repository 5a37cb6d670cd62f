"""Run-time helpers of the rules for interpolation and order statistics
(``transpiler/rules/statistics.py``).

``interp_segment`` only locates (no derivative); ``quantile_adjoint`` and
``quantile_gather`` are linear in their first argument and each other's transpose, the
data ``a`` only choosing which elements are read (as for ``sort_adjoint`` and
``take_sorted``).
"""
import numbers

import numpy as np

from .adjoint import _float_dtype


def interp_segment(x, xp):
    """The start ``lo`` of the segment of ``xp`` each ``x`` falls in, as
    ``np.interp(x, xp, fp)`` reads it: the last ``lo`` with ``xp[lo] <= x``, clipped to
    the first and last segments outside (0 when ``xp`` has one point)."""
    return np.clip(np.searchsorted(xp, x, side="right") - 1, 0, max(np.size(xp) - 2, 0))


def _reduced(a, axis):
    """``a`` with the axes reduced moved last and merged into one, and how to undo it."""
    a = np.asarray(a)
    if axis is None:
        axes = tuple(range(a.ndim))
    else:
        axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
        axes = tuple(k % a.ndim for k in axes)
    moved = np.moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    batch = moved.shape[:a.ndim - len(axes)]
    return np.reshape(moved, batch + (-1,)), axes, moved.shape


def _weights(q, kept):
    """The interpolation weights of the 'linear' method: for each quantile ``q`` (in
    [0, 1]) and each slice of ``kept`` values, the weight of each order statistic
    (shape ``q.shape + kept.shape + (n,)``)."""
    q = np.asarray(q, float)
    count = np.sum(kept, axis=-1)
    virtual = np.expand_dims(q, tuple(range(q.ndim, q.ndim + np.ndim(count)))) * (count - 1)
    lo = np.floor(virtual)
    frac = virtual - lo
    hi = np.minimum(lo + 1, count - 1)
    ranks = np.arange(np.shape(kept)[-1])
    out = (ranks == lo[..., None]) * (1.0 - frac)[..., None] \
        + (ranks == hi[..., None]) * frac[..., None]
    return np.where(count[..., None] > 0, out, 0.0)


def _order(a, axis, nan):
    flat, axes, moved = _reduced(a, axis)
    kept = ~np.isnan(flat) if nan else np.ones(flat.shape, bool)
    return flat, axes, moved, np.argsort(flat, axis=-1, kind="stable"), kept


def quantile_gather(c, a, q, axis=None, keepdims=False, nan=False):
    """``c`` (broadcast to ``a``'s shape) read as ``np.quantile(a, q, axis)`` reads ``a``:
    the same order statistics of ``a`` with the same weights, taken from ``c`` (NaNs of
    ``a`` left out with ``nan``)."""
    flat, axes, moved, order, kept = _order(a, axis, nan)
    dtype = _float_dtype(c)                 # a float32 c (a tangent) gives float32
    c = _reduced(np.broadcast_to(c, np.shape(a)), axis)[0]
    ordered = np.where(np.take_along_axis(kept, order, axis=-1),
                       np.take_along_axis(c, order, axis=-1), 0.0)
    out = np.sum(_weights(q, kept) * ordered, axis=-1).astype(dtype, copy=False)
    if keepdims:
        kept_shape = tuple(1 if k in axes else n for k, n in enumerate(np.shape(a)))
        out = np.reshape(out, np.shape(q) + kept_shape)
    return out


def quantile_adjoint(g, ans, a, q, axis=None, keepdims=False, nan=False):
    """Adjoint of ``np.quantile(a, q, axis, keepdims=keepdims)`` (method 'linear'):
    each result's cotangent goes to the one or two order statistics it interpolates,
    with their weights; equal values take their places as ``np.sort``'s rule gives them
    (a stable sort)."""
    flat, axes, moved, order, kept = _order(a, axis, nan)
    g = np.reshape(np.broadcast_to(g, np.shape(ans)), np.shape(q) + flat.shape[:-1])
    weights = _weights(q, kept)
    spread = np.sum(weights * g[..., None], axis=tuple(range(np.ndim(q))))
    out = np.zeros(flat.shape, float)
    np.put_along_axis(out, order, spread, axis=-1)
    ndim = np.ndim(a)
    return np.moveaxis(np.reshape(out, moved), tuple(range(ndim - len(axes), ndim)), axes)


def _flipped(a, rowvar, part):
    """Whether ``np.cov`` transposes ``a`` (made at least 2-d) to have a variable per row:
    for ``rowvar=False``, ``m`` (part 0) unless it is 1-d, ``y`` unless it is one row."""
    if rowvar:
        return False
    return np.ndim(a) != 1 if part == 0 else np.shape(np.atleast_2d(a))[0] != 1


def _rows(a, rowvar, part):
    return np.atleast_2d(a).T if _flipped(a, rowvar, part) else np.atleast_2d(a)


def variables(m, y=None, rowvar=True):
    """The variables ``np.cov(m, y, rowvar)`` and ``np.corrcoef`` correlate, one per row
    (observations along the columns): ``m``'s, then ``y``'s."""
    x = _rows(m, rowvar, 0)
    return x if y is None else np.concatenate((x, _rows(y, rowvar, 1)), axis=0)


def unvariables(c, m, y=None, rowvar=True, part=0):
    """The rows of ``c`` (an adjoint shaped like ``variables(m, y, rowvar)``, or a scalar
    standing for it) that came from ``m`` (part 0) or ``y`` (part 1), in that argument's
    shape: ``variables`` transposed (nothing for an absent ``y``)."""
    if part == 1 and y is None:
        return 0.0
    shapes = [np.shape(np.atleast_2d(np.empty(np.shape(a), bool))) for a in (m, y)
              if a is not None]
    flipped = [_flipped(np.empty(np.shape(a), bool), rowvar, k) for k, a in enumerate((m, y))
               if a is not None]
    rows = [shape[1] if flip else shape[0] for shape, flip in zip(shapes, flipped)]
    columns = shapes[0][0] if flipped[0] else shapes[0][1]
    c = np.broadcast_to(c, (sum(rows), columns))
    piece = c[:rows[0]] if part == 0 else c[rows[0]:]
    return np.reshape(piece.T if flipped[part] else piece, np.shape(m if part == 0 else y))


# ------------------------------------------------------------ np.block

def _depth(arrays):
    return 1 + _depth(arrays[0]) if isinstance(arrays, list) and arrays else 0


def _leaves(arrays):
    if isinstance(arrays, list):
        return [leaf for item in arrays for leaf in _leaves(item)]
    return [arrays]


def _regions(arrays, ndim, depth):
    """The index of each block's part of ``np.block(arrays)`` (leaves in order): the
    lists at nesting level k are joined along axis ``ndim - depth + k``."""
    def size(item, axis):
        if not isinstance(item, list):
            return ((1,) * (ndim - np.ndim(item)) + np.shape(item))[axis]
        level = ndim - depth + _level[id(item)]
        return sum(size(i, axis) for i in item) if axis == level else size(item[0], axis)

    _level = {}

    def levels(item, k):
        if isinstance(item, list):
            _level[id(item)] = k
            for i in item:
                levels(i, k + 1)
    levels(arrays, 0)

    def walk(item, start):
        if not isinstance(item, list):
            shape = (1,) * (ndim - np.ndim(item)) + np.shape(item)
            return [tuple(slice(s, s + n) for s, n in zip(start, shape))]
        axis = ndim - depth + _level[id(item)]
        out, start = [], list(start)
        for i in item:
            out += walk(i, tuple(start))
            start[axis] += size(i, axis)
        return out
    return walk(arrays, (0,) * ndim)


def _rebuild(arrays, leaves):
    """``leaves`` (in order) nested as ``arrays`` is."""
    leaves = iter(leaves)

    def build(item):
        return [build(i) for i in item] if isinstance(item, list) else next(leaves)
    return build(arrays)


def unblock(g, ans, arrays):
    """Adjoint of ``np.block(arrays)``: each block's part of ``g``, in its shape, nested
    as ``arrays`` is."""
    g = np.broadcast_to(g, np.shape(ans))
    leaves = _leaves(arrays)
    regions = _regions(arrays, np.ndim(ans), _depth(arrays))
    return _rebuild(arrays, [np.reshape(g[r], np.shape(leaf)) for r, leaf in zip(regions, leaves)])


def block_of(c, arrays):
    """``np.block`` of the cotangents ``c`` of the blocks of ``arrays`` (nested as it
    is, each part possibly a scalar standing for its block; or one scalar standing for
    them all): ``unblock`` transposed."""
    leaves = _leaves(arrays)
    parts = _leaves(c) if isinstance(c, list) else [c] * len(leaves)
    return np.block(_rebuild(arrays, [np.broadcast_to(np.asarray(p, float), np.shape(leaf))
                                      for p, leaf in zip(parts, leaves)]))
