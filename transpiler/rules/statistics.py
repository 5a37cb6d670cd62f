"""Interpolation, order statistics, covariance, integration and grids.

``np.interp`` is linear in ``fp`` (and in ``left``/``right``) and piecewise linear in
``x``: its rule is written with ``np.take``, ``rt.untake`` and ``np.where``, whose own
rules give the second derivative; ``rt.interp_segment`` only locates.  A quantile is a
linear interpolation between one or two order statistics: ``rt.quantile_adjoint`` and
``rt.quantile_gather`` (``runtime/statistics.py``) are each other's transpose, the data
only choosing which elements are read, as for ``np.sort``.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from .registry import custom, jvp_rule


def internal(*primals, **options):
    return registry.custom(*primals, internal=True, **options)


# ------------------------------------------------------------ interpolation

@custom(np.interp, diff=("x", "fp", "left", "right"), refuse=("xp",), only={"period": (None,)},
        abstract_eval=E.by_example(np.interp, view=False))
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    # inside [xp[0], xp[-1]]: fp[lo] (1 - t) + fp[hi] t; outside: left or fp[0], right
    # or fp[-1], which do not move with x
    full = rt.broadcast_to(g, ans)
    lo = rt.interp_segment(x, xp)
    hi = np.minimum(lo + 1, np.size(xp) - 1)
    span = np.take(xp, hi) - np.take(xp, lo)
    span = np.where(span == 0, 1.0, span)             # a single point: no segment
    t = np.clip((x - np.take(xp, lo)) / span, 0.0, 1.0)
    below = x < np.take(xp, 0)
    above = x > np.take(xp, -1)
    inside = np.logical_not(np.logical_or(below, above))
    slope = (np.take(fp, hi) - np.take(fp, lo)) / span
    to_fp = full
    if left is not None:
        to_fp = np.where(below, 0.0, to_fp)
    if right is not None:
        to_fp = np.where(above, 0.0, to_fp)
    return np.where(inside, full * slope, 0.0), \
        rt.untake(to_fp * (1.0 - t), to_fp, fp, lo) + rt.untake(to_fp * t, to_fp, fp, hi), \
        np.sum(np.where(below, full, 0.0)), np.sum(np.where(above, full, 0.0))


@jvp_rule(np.interp)
def interp(t, ans, x, xp, fp, left=None, right=None, period=None):
    # x: its segment's slope inside [xp[0], xp[-1]], none outside; fp: its tangent
    # interpolated as fp is (zero where left or right stand in); left, right: where used
    lo = rt.interp_segment(x, xp)
    hi = np.minimum(lo + 1, np.size(xp) - 1)
    span = np.take(xp, hi) - np.take(xp, lo)
    span = np.where(span == 0, 1.0, span)             # a single point: no segment
    below = x < np.take(xp, 0)
    above = x > np.take(xp, -1)
    inside = np.logical_not(np.logical_or(below, above))
    replaced = np.zeros(np.shape(x), bool)           # where left or right stand in for fp
    if left is not None:
        replaced = below
    if right is not None:
        replaced = np.logical_or(replaced, above)
    weight = np.clip((x - np.take(xp, lo)) / span, 0.0, 1.0)
    # (everything that reads t stays in its entry: only the entry asked for is computed)
    return np.where(inside, t * (np.take(fp, hi) - np.take(fp, lo)) / span, 0.0), \
        np.where(replaced, 0.0, np.take(t, lo) * (1.0 - weight) + np.take(t, hi) * weight), \
        np.where(below, t, 0.0), np.where(above, t, 0.0)


registry.nondiff(rt.interp_segment, abstract_eval=E.by_example(rt.interp_segment, view=False),
                 internal=True)


# ------------------------------------------------------------ order statistics

ORDER_ONLY = {"out": (None,), "overwrite_input": (False,)}
QUANTILE_ONLY = dict(ORDER_ONLY, method=("linear",), weights=(None,), interpolation=(None,))


@custom(np.median, diff=("a",), only=ORDER_ONLY, abstract_eval=E.by_example(np.median, view=False))
def median(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return rt.quantile_adjoint(g, ans, a, 0.5, axis, keepdims)


@jvp_rule(np.median)
def median(t, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    # t read as the median reads a (the vjp's transpose: ties as np.sort's)
    return rt.quantile_gather(t, a, 0.5, axis, keepdims)


@custom(np.nanmedian, diff=("a",), only=ORDER_ONLY,
        abstract_eval=E.by_example(np.nanmedian, view=False))
def nanmedian(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return rt.quantile_adjoint(g, ans, a, 0.5, axis, keepdims, True)


@jvp_rule(np.nanmedian)
def nanmedian(t, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return rt.quantile_gather(t, a, 0.5, axis, keepdims, True)


@custom(np.quantile, diff=("a",), refuse=("q",), only=QUANTILE_ONLY,
        abstract_eval=E.by_example(np.quantile, view=False))
def quantile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_adjoint(g, ans, a, q, axis, keepdims)


@jvp_rule(np.quantile)
def quantile(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_gather(t, a, q, axis, keepdims)


@custom(np.nanquantile, diff=("a",), refuse=("q",), only=QUANTILE_ONLY,
        abstract_eval=E.by_example(np.nanquantile, view=False))
def nanquantile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_adjoint(g, ans, a, q, axis, keepdims, True)


@jvp_rule(np.nanquantile)
def nanquantile(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_gather(t, a, q, axis, keepdims, True)


@custom(np.percentile, diff=("a",), refuse=("q",), only=QUANTILE_ONLY,
        abstract_eval=E.by_example(np.percentile, view=False))
def percentile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_adjoint(g, ans, a, np.true_divide(q, 100), axis, keepdims)


@jvp_rule(np.percentile)
def percentile(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_gather(t, a, np.true_divide(q, 100), axis, keepdims)


@custom(np.nanpercentile, diff=("a",), refuse=("q",), only=QUANTILE_ONLY,
        abstract_eval=E.by_example(np.nanpercentile, view=False))
def nanpercentile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_adjoint(g, ans, a, np.true_divide(q, 100), axis, keepdims, True)


@jvp_rule(np.nanpercentile)
def nanpercentile(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
    return rt.quantile_gather(t, a, np.true_divide(q, 100), axis, keepdims, True)


@internal(rt.quantile_adjoint, diff=("g_in",), abstract_eval=E.computed_adjoint(2),
          shape_only=(1,), linear=True)
def quantile_adjoint(g, ans, g_in, out, a, q, axis=None, keepdims=False, nan=False):
    # a only chooses the elements and weights: g read back the same way
    return rt.unbroadcast(rt.quantile_gather(g, a, q, axis, keepdims, nan), g_in, out)


@internal(rt.quantile_gather, diff=("c",),
          abstract_eval=E.by_example(rt.quantile_gather, view=False), linear=True)
def quantile_gather(g, ans, c, a, q, axis=None, keepdims=False, nan=False):
    return rt.unbroadcast(rt.quantile_adjoint(g, ans, a, q, axis, keepdims, nan), c, a)


# ------------------------------------------------------------ covariance
# Both are written on the variables in rows (rt.variables, linear in m and y, and its
# transpose rt.unvariables) with primitives whose rules give the second derivative.

@custom(np.cov, diff=("m", "y"), only={"fweights": (None,), "aweights": (None,)},
        abstract_eval=E.by_example(np.cov, view=False))
def cov(g, ans, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        *, dtype=None):
    # C = Xc Xc^T / (n - ddof), Xc the centred rows; (G + G^T) Xc has centred rows already
    x = rt.variables(m, y, rowvar)
    centred = x - np.mean(x, axis=1, keepdims=True)
    dropped = ddof
    if ddof is None:
        dropped = 1 - bias
    count = np.shape(x)[1] - dropped
    square = np.reshape(rt.broadcast_to(g, ans), (np.shape(x)[0], np.shape(x)[0]))
    d_x = np.matmul(square + np.transpose(square), centred) / count
    return rt.unvariables(d_x, m, y, rowvar, 0), rt.unvariables(d_x, m, y, rowvar, 1)


@jvp_rule(np.cov)
def cov(t, ans, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        *, dtype=None):
    # dC = (P Xc^T + Xc P^T) / (n - ddof), P the tangent placed in its argument's rows
    # (Xc's rows are centred, so P needs no centring); each entry names P Xc^T in a
    # comprehension, computing only what the entry asked for needs
    x = rt.variables(m, y, rowvar)
    centred = np.transpose(x - np.mean(x, axis=1, keepdims=True))
    dropped = ddof
    if ddof is None:
        dropped = 1 - bias
    count = np.shape(x)[1] - dropped
    return [np.reshape(e + np.transpose(e), np.shape(ans)) / count for e in [np.matmul(
        rt.variables(t, None if y is None else np.zeros(np.shape(y)), rowvar), centred)]][0], \
        [np.reshape(e + np.transpose(e), np.shape(ans)) / count for e in [np.matmul(
            rt.variables(np.zeros(np.shape(m)), t, rowvar), centred)]][0]


@custom(np.corrcoef, diff=("x", "y"), abstract_eval=E.by_example(np.corrcoef, view=False))
def corrcoef(g, ans, x, y=None, rowvar=True, *, dtype=None):
    # R = U U^T, U the centred rows scaled to unit length (the count cancels); a unit row
    # moves only across itself
    rows = rt.variables(x, y, rowvar)
    centred = rows - np.mean(rows, axis=1, keepdims=True)
    length = np.sqrt(np.sum(centred * centred, axis=1, keepdims=True))
    unit = centred / length
    square = np.reshape(rt.broadcast_to(g, ans), (np.shape(rows)[0], np.shape(rows)[0]))
    d_unit = np.matmul(square + np.transpose(square), unit)
    d_rows = (d_unit - np.sum(d_unit * unit, axis=1, keepdims=True) * unit) / length
    return rt.unvariables(d_rows, x, y, rowvar, 0), rt.unvariables(d_rows, x, y, rowvar, 1)


@jvp_rule(np.corrcoef)
def corrcoef(t, ans, x, y=None, rowvar=True, *, dtype=None):
    # dR = E + E^T, E = (Q - (Q . U) U) U^T: Q the tangent placed in its argument's rows
    # over their lengths, its part across each unit row U removed; a comprehension names
    # E within each entry (computing only what the entry asked for needs)
    rows = rt.variables(x, y, rowvar)
    centred = rows - np.mean(rows, axis=1, keepdims=True)
    length = np.sqrt(np.sum(centred * centred, axis=1, keepdims=True))
    unit = centred / length
    return [np.reshape(e + np.transpose(e), np.shape(ans))
            for q in [rt.variables(t, None if y is None else np.zeros(np.shape(y)), rowvar) / length]
            for e in [np.matmul(q - np.sum(q * unit, axis=1, keepdims=True) * unit,
                                np.transpose(unit))]][0], \
        [np.reshape(e + np.transpose(e), np.shape(ans))
         for q in [rt.variables(np.zeros(np.shape(x)), t, rowvar) / length]
         for e in [np.matmul(q - np.sum(q * unit, axis=1, keepdims=True) * unit,
                             np.transpose(unit))]][0]


@internal(rt.variables, diff=("m", "y"), abstract_eval=E.by_example(rt.variables, view=False))
def variables(g, ans, m, y=None, rowvar=True):
    return rt.unvariables(g, m, y, rowvar, 0), rt.unvariables(g, m, y, rowvar, 1)


@jvp_rule(rt.variables)
def variables(t, ans, m, y=None, rowvar=True):
    # linear in m and y together: a tangent in its rows, zeros in the other's
    return rt.variables(t, None if y is None else np.zeros_like(ans, shape=np.shape(y)), rowvar), \
        rt.variables(np.zeros_like(ans, shape=np.shape(m)), t, rowvar)


@internal(rt.unvariables, diff=("c",), abstract_eval=E.by_example(rt.unvariables, view=False),
          shape_only=(1, 2), linear=True)
def unvariables(g, ans, c, m, y=None, rowvar=True, part=0):
    # g placed in part's rows, zeros in the other's
    if part == 0:
        placed = rt.variables(rt.broadcast_to(g, ans), None if y is None else np.zeros(np.shape(y)),
                              rowvar)
    else:
        placed = rt.variables(np.zeros(np.shape(m)), rt.broadcast_to(g, ans), rowvar)
    return rt.unbroadcast(placed, c, placed)


# ------------------------------------------------------------ integration

@custom(np.trapezoid, diff=("y", "x", "dx"), abstract_eval=E.by_example(np.trapezoid, view=False),
        linear=("y", "x"))
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    # the sum along axis of steps * (y[i] + y[i+1]) / 2, worked with axis last: each
    # pair's share goes to both its ends, each step's to the two x it is the difference of
    ys = np.moveaxis(y, axis, -1)
    steps = dx
    if x is not None:
        steps = np.diff(x) if np.ndim(x) == 1 else np.diff(np.moveaxis(x, axis, -1), axis=-1)
    half = np.expand_dims(rt.broadcast_to(g, ans), -1) * 0.5
    pairs = half * steps + np.zeros(np.shape(ys[..., 1:]))
    last = [(0, 0)] * (np.ndim(pairs) - 1)
    d_ys = np.pad(pairs, last + [(0, 1)]) + np.pad(pairs, last + [(1, 0)])
    d_y = np.moveaxis(rt.unbroadcast(d_ys, ys, d_ys), -1, axis)
    d_steps = half * (ys[..., 1:] + ys[..., :-1])
    if x is None:
        return d_y, 0.0, rt.unbroadcast(d_steps, dx, d_steps)
    d_diff = rt.unbroadcast(d_steps, steps, d_steps)
    edges = [(0, 0)] * (np.ndim(d_diff) - 1)
    d_xs = np.pad(d_diff, edges + [(1, 0)]) - np.pad(d_diff, edges + [(0, 1)])
    if np.ndim(x) == 1:
        return d_y, d_xs, 0.0
    return d_y, np.moveaxis(d_xs, -1, axis), 0.0


@jvp_rule(np.trapezoid)
def trapezoid(t, ans, y, x=None, dx=1.0, axis=-1):
    # linear in y, and in the steps (x's differences, or dx); dx is not read when x is given
    if x is None:
        return None, None, np.trapezoid(y, None, t, axis)
    return None, None, np.zeros_like(ans)


# ------------------------------------------------------------ grids

@custom(np.meshgrid, only={"copy": (True,)}, abstract_eval=E.by_example(np.meshgrid, view=False))
def meshgrid(g, ans, *xi, argnum, copy=True, sparse=False, indexing="xy"):
    # output k holds xi[k] (flattened) along axis k, repeated along the others; 'xy'
    # swaps the first two axes
    axis = argnum
    if indexing == "xy" and len(xi) > 1 and argnum < 2:
        axis = 1 - argnum
    part = rt.broadcast_to(rt.part(g, argnum), ans[argnum])
    return np.reshape(np.sum(part, axis=tuple([k for k in range(len(xi)) if k != axis])),
                      np.shape(xi[argnum]))


@jvp_rule(np.meshgrid)
def meshgrid(t, ans, *xi, argnum, copy=True, sparse=False, indexing="xy"):
    # output argnum holds t (flattened) along its axis, repeated along the others; the
    # other outputs do not move
    axis = argnum
    if indexing == "xy" and len(xi) > 1 and argnum < 2:
        axis = 1 - argnum
    line = np.reshape(t, tuple([-1 if k == axis else 1 for k in range(len(xi))]))
    return tuple([rt.broadcast_tangent(line, part) if k == argnum else np.zeros_like(part)
                  for k, part in enumerate(ans)])


# ------------------------------------------------------------ the NumPy 2 norms

@custom(np.linalg.vector_norm, diff=("x",),
        abstract_eval=E.by_example(np.linalg.vector_norm, view=False))
def vector_norm(g, ans, x, *, axis=None, keepdims=False, ord=2):
    # the norm of the entries along axis (all of them for None) as one vector: those
    # axes moved last and merged, the vector norm's adjoint taken along it
    axes = axis
    if axis is None:
        axes = tuple(range(np.ndim(x)))
    last = tuple(range(-np.size(axes), 0))
    moved = np.moveaxis(x, axes, last)
    batch = np.shape(moved)[:np.ndim(x) - np.size(axes)]
    d_flat = rt.norm_adjoint(np.reshape(rt.broadcast_to(g, ans), batch + (1,)),
                             np.reshape(ans, batch + (1,)), np.reshape(moved, batch + (-1,)),
                             ord, -1, True)
    return np.moveaxis(np.reshape(d_flat, np.shape(moved)), last, axes)


@jvp_rule(np.linalg.vector_norm)
def vector_norm(t, ans, x, *, axis=None, keepdims=False, ord=2):
    # the slope (the adjoint of a unit cotangent, ties shared as there) times t, summed
    # over the entries of each vector
    # (the vectors made as the vjp makes them)
    axes = tuple(range(np.ndim(x))) if axis is None else axis
    last = tuple(range(-np.size(axes), 0))
    batch = np.shape(np.moveaxis(x, axes, last))[:np.ndim(x) - np.size(axes)]
    norms = np.reshape(ans, batch + (1,))
    slope = rt.norm_adjoint(np.ones_like(norms), norms,
                            np.reshape(np.moveaxis(x, axes, last), batch + (-1,)), ord, -1, True)
    return np.reshape(np.sum(slope * np.reshape(np.moveaxis(t, axes, last), batch + (-1,)), axis=-1),
                      np.shape(ans))


@custom(np.linalg.matrix_norm, diff=("x",),
        abstract_eval=E.by_example(np.linalg.matrix_norm, view=False))
def matrix_norm(g, ans, x, *, keepdims=False, ord="fro"):
    # np.linalg.norm(x, ord, (-2, -1), keepdims); the spectral norms through
    # np.linalg.svd (whose rule gives the second derivative): the singular values' slopes
    # are u_i v_i^T
    if ord == 2 or ord == -2 or ord == "nuc":
        spread = rt.broadcast_to(g, ans)
        if not keepdims:
            spread = np.expand_dims(spread, (-2, -1))
        usv = np.linalg.svd(x, full_matrices=False)
        return spread * np.matmul(usv[0] * np.expand_dims(rt.spectral_weights(usv[1], ord), -2),
                                  usv[2])
    return rt.norm_adjoint(g, ans, x, ord, (-2, -1), keepdims)


@jvp_rule(np.linalg.matrix_norm)
def matrix_norm(t, ans, x, *, keepdims=False, ord="fro"):
    # the slope (the adjoint of a unit cotangent; u_i v_i^T weighted for the spectral
    # norms) times t, summed over each matrix
    if ord == 2 or ord == -2 or ord == "nuc":
        usv = np.linalg.svd(x, full_matrices=False)
        slope = np.matmul(usv[0] * np.expand_dims(rt.spectral_weights(usv[1], ord), -2), usv[2])
    else:
        slope = rt.norm_adjoint(np.ones_like(ans), ans, x, ord, (-2, -1), keepdims)
    return np.sum(slope * t, axis=(-2, -1), keepdims=keepdims)


# ------------------------------------------------------------ np.block
# rt.unblock cuts g into the blocks' parts (nested as the blocks are), rt.block_of
# joins cotangents back: each other's transpose.

@custom(np.block, diff=("arrays",), abstract_eval=E.block, linear=True)
def block(g, ans, arrays):
    return rt.unblock(g, ans, arrays)


@internal(rt.unblock, diff=("g_in",), abstract_eval=E.unknown, shape_only=(1, 2), linear=True)
def unblock(g, ans, g_in, out, arrays):
    return rt.unbroadcast(rt.block_of(g, arrays), g_in, out)


@internal(rt.block_of, diff=("c",), abstract_eval=E.block_of, shape_only=(1,), linear=True)
def block_of(g, ans, c, arrays):
    # each part summed to its cotangent's shape (all of them to a scalar standing for all)
    return rt.unbroadcast(rt.unblock(g, ans, arrays), c, arrays)
