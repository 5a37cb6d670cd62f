"""Splitting, padding, triangles, selection and indexing functions.

Each moves or copies elements without changing them (``np.deg2rad`` and the NaN-aware
reductions aside), so each adjoint sends the output adjoint back where the elements
came from; the runtime helpers doing it (``runtime/assembly.py``) are linear in the
cotangent, and their own rules are the primal functions again.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from .registry import RuleError, custom, elementwise, holds, jvp_rule, reduction, shape, view


def internal(*primals, **options):
    return registry.custom(*primals, internal=True, **options)


# ------------------------------------------------------------ splitting
# The result is a list of views of ``ary``; its cotangent a list with one adjoint per
# piece (a scalar standing for every piece, 0.0 for a piece not used).

@custom(np.split, np.array_split, diff=("ary",), effects=holds(0), abstract_eval=E.split())
def split(g, ans, ary, indices_or_sections, axis=0):
    return rt.unsplit(g, ans, ary, indices_or_sections, axis)


@jvp_rule(np.split, np.array_split)
def split(t, ans, ary, indices_or_sections, axis=0):
    # linear: t cut as ary was (np.split cuts as np.array_split does where it cuts at all)
    return np.array_split(t, indices_or_sections, axis)


@custom(np.hsplit, diff=("ary",), effects=holds(0), abstract_eval=E.split("h"), linear=True)
def hsplit(g, ans, ary, indices_or_sections):
    # along the columns; a 1-d array along its only axis
    return rt.unsplit(g, ans, ary, indices_or_sections, 1 if np.ndim(ary) > 1 else 0)


@custom(np.vsplit, diff=("ary",), effects=holds(0), abstract_eval=E.split(0), linear=True)
def vsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, ary, indices_or_sections, 0)


@custom(np.dsplit, diff=("ary",), effects=holds(0), abstract_eval=E.split(2), linear=True)
def dsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, ary, indices_or_sections, 2)


@internal(rt.unsplit, diff=("g_in",), abstract_eval=E.computed_adjoint(2), shape_only=(1, 2),
          linear=True)
def unsplit(g, ans, g_in, out, ary, indices_or_sections, axis=0):
    # the transpose cuts g as ary was cut, each piece summed to its cotangent's shape
    return rt.unbroadcast(np.array_split(rt.broadcast_to(g, ary), indices_or_sections, axis),
                          g_in, out)


# ------------------------------------------------------------ triangles

@custom(np.tril, diff=("m",), abstract_eval=E.triangle, linear=True)
def tril(g, ans, m, k=0):
    # the kept triangle of g; a 1-d m stood for every row of the result
    return rt.unbroadcast(np.tril(rt.broadcast_to(g, ans), k), m, ans)


@custom(np.triu, diff=("m",), abstract_eval=E.triangle, linear=True)
def triu(g, ans, m, k=0):
    return rt.unbroadcast(np.triu(rt.broadcast_to(g, ans), k), m, ans)


# ------------------------------------------------------------ axes and stacking

@shape(np.rollaxis, diff=("a",), abstract_eval=E.rollaxis, linear=True)
def rollaxis(g, ans, a, axis, start=0):
    # np.moveaxis(a, axis, destination), destination start (counted from the end when
    # negative) less one when axis is before it: moved back
    begin = start + np.ndim(a) * (start < 0)
    destination = begin - (np.mod(axis, np.ndim(a)) < begin)
    return np.moveaxis(rt.broadcast_to(g, ans), destination, axis)


@custom(np.column_stack, abstract_eval=E.column_stack, linear=True)
def column_stack(g, ans, tup):
    # 1-d (and 0-d) arrays went in as columns
    return rt.unconcatenate(g, ans, [np.reshape(t, (-1, 1)) if np.ndim(t) < 2 else t
                                     for t in tup], 1, tup)


@custom(np.dstack, abstract_eval=E.dstack, linear=True)
def dstack(g, ans, tup):
    return rt.unconcatenate(g, ans, [np.atleast_3d(t) for t in tup], 2, tup)


@custom(np.append, abstract_eval=E.append)
def append(g, ans, arr, values, axis=None):
    # np.concatenate((arr, values), axis), both flattened for axis=None
    pieces = rt.unconcatenate(g, ans, [arr, values], axis)
    return rt.part(pieces, 0), rt.part(pieces, 1)


@jvp_rule(np.append)
def append(t, ans, arr, values, axis=None):
    # linear in both together (not in one alone): a tangent joined to zeros in the
    # other's place
    return np.append(t, np.zeros_like(ans, shape=np.shape(values)), axis), \
        np.append(np.zeros_like(ans, shape=np.shape(arr)), t, axis)


# ------------------------------------------------------------ padding

def _pad_check(constants):
    mode = constants.get("mode", "constant")
    if isinstance(mode, str) and mode not in rt.assembly.PAD_MODES:
        raise RuleError("the derivative of np.pad is written for the modes %s, not %r"
                        % (", ".join(repr(m) for m in rt.assembly.PAD_MODES), mode),
                        "compute the padding values yourself and join them with "
                        "np.concatenate (e.g. the mean of x along the axis for 'mean')")
    if constants.get("reflect_type", "even") != "even":
        raise RuleError("np.pad with reflect_type='odd' is not differentiated",
                        "pad with reflect_type='even' and add 2 * edge - reflection "
                        "yourself, or give the derivative with @transpiler.custom_vjp")


@custom(np.pad, diff=("array", "constant_values"), check=_pad_check, abstract_eval=E.pad)
def pad(g, ans, array, pad_width, mode="constant", *, constant_values=0, reflect_type="even"):
    # each mode copies elements (or writes constants): a linear map of both
    return rt.unpad(g, ans, array, pad_width, mode), \
        rt.pad_fill_adjoint(g, ans, array, pad_width, constant_values)


@jvp_rule(np.pad)
def pad(t, ans, array, pad_width, mode="constant", *, constant_values=0, reflect_type="even"):
    # linear in both together: the tangent padded as the mode pads (zeros for the
    # constants), and zeros padded with the constants' tangent (given in 'constant'
    # mode alone)
    return np.pad(t, pad_width, mode), \
        np.pad(np.zeros_like(ans, shape=np.shape(array)), pad_width, "constant", constant_values=t)


@internal(rt.unpad, diff=("g_in",), abstract_eval=E.computed_adjoint(2), shape_only=(1, 2),
          linear=True)
def unpad(g, ans, g_in, out, array, pad_width, mode="constant"):
    # the transpose copies g out the way np.pad copied array (zeros for the constants)
    return rt.unbroadcast(np.pad(rt.broadcast_to(g, array), pad_width, mode), g_in, out)


@internal(rt.pad_fill_adjoint, diff=("g_in",), abstract_eval=E.pad_fill_adjoint,
          shape_only=(1, 2), linear=True)
def pad_fill_adjoint(g, ans, g_in, out, array, pad_width, constant_values=0):
    # the transpose pads zeros with g as the constants
    return rt.unbroadcast(np.pad(np.zeros(np.shape(array)), pad_width, "constant",
                                 constant_values=g), g_in, out)


# ------------------------------------------------------------ ordering and degrees

@custom(np.partition, diff=("a",), only={"kind": ("introselect",), "order": (None,)},
        abstract_eval=E.partition)
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    # ans holds a's values in another order: g put in the order np.sort puts ans's
    # values, then back where np.sort took a's from (ties share as np.sort's rule does)
    return rt.sort_adjoint(rt.take_sorted(g, ans, axis), ans, a, axis)


@jvp_rule(np.partition)
def partition(t, ans, a, kth, axis=-1, kind="introselect", order=None):
    # the vjp transposed: t in the order np.sort puts a's values, then back where np.sort
    # took ans's from (ties as there)
    return rt.sort_adjoint(rt.take_sorted(t, a, axis), ans, ans, axis)


@elementwise(np.deg2rad, np.radians)
def deg2rad(g, ans, x):
    return g * 0.017453292519943295                   # pi / 180


@elementwise(np.rad2deg, np.degrees)
def rad2deg(g, ans, x):
    return g * 57.29577951308232                      # 180 / pi


# ------------------------------------------------------------ selection and indexing

@custom(np.select, diff=("choicelist", "default"), abstract_eval=E.select)
def select(g, ans, condlist, choicelist, default=0):
    # each element's g goes to the choice of the first condition that holds there
    which = np.select(condlist, list(range(len(condlist))), -1)
    return list([rt.unbroadcast(np.where(which == k, g, 0.0), choice, ans)
                 for k, choice in enumerate(choicelist)]), \
        rt.unbroadcast(np.where(which == -1, g, 0.0), default, ans)


@jvp_rule(np.select)
def select(t, ans, condlist, choicelist, default=0):
    # linear in the choices and the default together: a tangent where its value was chosen
    zeros = np.zeros_like(ans)
    return np.select(condlist, t, zeros), \
        np.where(np.select(condlist, list(range(len(condlist))), -1) == -1, t, zeros)


@custom(np.real_if_close, diff=("a",), effects=view(0), abstract_eval=E.real_if_close,
        linear=("a",))
def real_if_close(g, ans, a, tol=100):
    return g                                          # a real array as it is


@custom(np.take, diff=("a",), only={"out": (None,)}, abstract_eval=E.take, linear=("a",))
def take(g, ans, a, indices, axis=None, out=None, mode="raise"):
    return rt.untake(g, ans, a, indices, axis, mode)


@custom(np.compress, diff=("a",), only={"out": (None,)}, abstract_eval=E.compress,
        linear=("a",))
def compress(g, ans, condition, a, axis=None, out=None):
    return rt.untake(g, ans, a, np.flatnonzero(condition), axis)


@custom(np.extract, diff=("arr",), abstract_eval=E.compress, linear=("arr",))
def extract(g, ans, condition, arr):
    return rt.untake(g, ans, arr, np.flatnonzero(condition))


@internal(rt.untake, diff=("g_in",), abstract_eval=E.computed_adjoint(2), shape_only=(1, 2),
          linear=True)
def untake(g, ans, g_in, out, a, indices, axis=None, mode="raise"):
    return rt.unbroadcast(np.take(rt.broadcast_to(g, a), indices, axis, mode=mode), g_in, out)


@custom(np.take_along_axis, diff=("arr",), abstract_eval=E.take_along_axis, linear=("arr",))
def take_along_axis(g, ans, arr, indices, axis=-1):
    return rt.untake_along(g, ans, arr, indices, axis)


@internal(rt.untake_along, diff=("g_in",), abstract_eval=E.computed_adjoint(2),
          shape_only=(1, 2), linear=True)
def untake_along(g, ans, g_in, out, arr, indices, axis=-1):
    return rt.unbroadcast(np.take_along_axis(rt.broadcast_to(g, arr), indices, axis), g_in, out)


# ------------------------------------------------------------ NaN-aware reductions
# The NaN entries are left out (counted as 0 in a sum, 1 in a product): their adjoint
# is zero; the others' is the plain reduction's over the entries kept.

NO_OUT = {"out": (None,)}


@reduction(np.nansum, only=NO_OUT,
           abstract_eval=E.reduction("sum", keepdims_position=4, dtype_position=2))
def nansum(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    kept = np.logical_not(np.isnan(a))
    if axis is None or keepdims:
        return rt.masked(g, kept)
    return rt.masked(np.expand_dims(rt.broadcast_to(g, ans), axis), kept)


@jvp_rule(np.nansum)
def nansum(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return np.sum(rt.masked(t, np.logical_not(np.isnan(a))), axis=axis, keepdims=keepdims)


@reduction(np.nanmean, only=NO_OUT, abstract_eval=E.reduction(keepdims_position=4,
                                                              dtype_position=2))
def nanmean(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    # g shared by the entries kept; a slice of NaNs alone has no adjoint
    kept = np.logical_not(np.isnan(a))
    count = np.maximum(np.sum(kept, axis=axis, keepdims=True), 1)
    if axis is None or keepdims:
        return rt.masked(np.divide(g, count), kept)
    return rt.masked(np.divide(np.expand_dims(rt.broadcast_to(g, ans), axis), count), kept)


@jvp_rule(np.nanmean)
def nanmean(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    # (counted in the result's dtype, which the tangent then keeps)
    kept = np.logical_not(np.isnan(a))
    return np.sum(rt.masked(t, kept), axis=axis, keepdims=keepdims) / \
        np.maximum(np.sum(kept, axis=axis, keepdims=keepdims, dtype=np.result_type(ans)), 1)


@reduction(np.nanmax, np.nanmin, only=NO_OUT,
           abstract_eval=E.reduction("same", keepdims_position=3))
def nanextremum(g, ans, a, axis=None, out=None, keepdims=False):
    # the entries equal to the result share g (a NaN equals nothing)
    if axis is None or keepdims:
        winners = a == ans
        return g * winners / np.maximum(np.sum(winners, axis=axis, keepdims=True), 1)
    winners = a == np.expand_dims(ans, axis)
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * winners / \
        np.maximum(np.sum(winners, axis=axis, keepdims=True), 1)


@jvp_rule(np.nanmax, np.nanmin)
def nanextremum(t, ans, a, axis=None, out=None, keepdims=False):
    # the mean of the tangents of the entries equal to the result
    if axis is None or keepdims:
        winners = a == ans
    else:
        winners = a == np.expand_dims(ans, axis)
    return np.sum(np.where(winners, t, 0.0), axis=axis, keepdims=keepdims) / \
        np.maximum(np.sum(winners, axis=axis, keepdims=keepdims, dtype=np.result_type(ans)), 1)


@reduction(np.nanprod, only=NO_OUT,
           abstract_eval=E.reduction("sum", keepdims_position=4, dtype_position=2))
def nanprod(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    kept = np.logical_not(np.isnan(a))
    return rt.masked(rt.prod_adjoint(g, ans, np.where(kept, a, 1.0), axis, keepdims), kept)


@jvp_rule(np.nanprod)
def nanprod(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    # each tangent times the product of the others (exact with zeros)
    kept = np.logical_not(np.isnan(a))
    others = rt.prod_adjoint(np.ones_like(ans), ans, np.where(kept, a, 1.0), axis, keepdims)
    return np.sum(others * rt.masked(t, kept), axis=axis, keepdims=keepdims)


@custom(np.nancumsum, only=NO_OUT, abstract_eval=E.cumulative)
def nancumsum(g, ans, a, axis=None, dtype=None, out=None):
    return rt.masked(rt.cumsum_adjoint(g, ans, a, axis), np.logical_not(np.isnan(a)))


@jvp_rule(np.nancumsum)
def nancumsum(t, ans, a, axis=None, dtype=None, out=None):
    return np.cumsum(rt.masked(t, np.logical_not(np.isnan(a))), axis)


@custom(np.nancumprod, only=NO_OUT, abstract_eval=E.cumulative)
def nancumprod(g, ans, a, axis=None, dtype=None, out=None):
    kept = np.logical_not(np.isnan(a))
    return rt.masked(rt.cumprod_adjoint(g, ans, np.where(kept, a, 1.0), axis), kept)


@jvp_rule(np.nancumprod)
def nancumprod(t, ans, a, axis=None, dtype=None, out=None):
    # d ans_j sums, over i <= j, t_i times the product of the other x_k, k <= j (x: a with
    # NaNs as 1 and zero tangents there).  Before x's first zero that is ans_j times the
    # running sum of t / x; from it on only the first zero's term is left: the running
    # product with that zero replaced by its tangent
    kept = np.logical_not(np.isnan(a))
    x = np.where(kept, a, 1.0)
    dx = rt.masked(t, kept)
    along = axis
    if axis is None:
        x = np.ravel(x)
        dx = np.ravel(dx)
        along = 0
    zeros = np.cumsum(x == 0, axis=along)
    before = zeros == 0
    first = np.logical_and(x == 0, zeros == 1)
    return np.where(before, ans * np.cumsum(dx / np.where(before, x, 1.0), axis=along),
                    np.cumprod(np.where(first, dx, x), axis=along))


_NAN_SPREAD = E.reduction(keepdims_position=5, dtype_position=2)


@reduction(np.nanvar, only=NO_OUT, abstract_eval=_NAN_SPREAD)
def nanvar(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    # 2 (a - mean) / (count - ddof) over the entries kept
    kept = np.logical_not(np.isnan(a))
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    slope = 2.0 * centered / (np.sum(kept, axis=axis, keepdims=True) - ddof)
    if axis is None or keepdims:
        return g * slope
    return np.expand_dims(rt.broadcast_to(g, ans), axis) * slope


@jvp_rule(np.nanvar)
def nanvar(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    kept = np.logical_not(np.isnan(a))
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    return np.sum(2.0 * centered * rt.masked(t, kept), axis=axis, keepdims=keepdims) / \
        (np.sum(kept, axis=axis, keepdims=keepdims, dtype=np.result_type(ans)) - ddof)


@reduction(np.nanstd, only=NO_OUT, abstract_eval=_NAN_SPREAD)
def nanstd(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    # the variance's slope over 2 std
    kept = np.logical_not(np.isnan(a))
    slope = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0) / \
        (np.sum(kept, axis=axis, keepdims=True) - ddof)
    if axis is None or keepdims:
        return g / ans * slope
    return np.expand_dims(rt.broadcast_to(g, ans) / ans, axis) * slope


@jvp_rule(np.nanstd)
def nanstd(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    # the variance's tangent over 2 std
    kept = np.logical_not(np.isnan(a))
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    return np.sum(centered * rt.masked(t, kept), axis=axis, keepdims=keepdims) / \
        (np.sum(kept, axis=axis, keepdims=keepdims, dtype=np.result_type(ans)) - ddof) / ans
