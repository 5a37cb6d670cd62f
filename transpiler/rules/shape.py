"""Shape manipulation: reshape, transpose, axes, squeezing, stacking, concatenation.

These move elements without changing them, so each adjoint moves the output adjoint
back: the inverse permutation, the original shape, the pieces of a concatenation.
``rt.broadcast_to(g, ans)`` first materialises an adjoint that is lazily broadcast.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import custom, holds, shape, view


@shape(np.reshape, aliases={"newshape": "shape"}, abstract_eval=E.reshape, linear=True)
def reshape(g, ans, a, shape=None, order="C", *, copy=None):
    if order == "C":
        return np.reshape(rt.broadcast_to(g, ans), np.shape(a))
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a), order=order)


@shape(np.ravel, abstract_eval=E.ravel, linear=True)
def ravel(g, ans, a, order="C"):
    if order == "C":
        return np.reshape(rt.broadcast_to(g, ans), np.shape(a))
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a), order=order)


@custom(rt.flatten, abstract_eval=E.ravel, linear=True)
def flatten(g, ans, x):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(x))


@shape(np.squeeze, abstract_eval=E.squeeze, linear=True)
def squeeze(g, ans, a, axis=None):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.expand_dims, diff=("a",), abstract_eval=E.expand_dims, linear=True)
def expand_dims(g, ans, a, axis):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.atleast_1d, abstract_eval=E.atleast(1), linear=True)
def atleast_nd(g, ans, a):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.ascontiguousarray, only={"like": (None,)}, abstract_eval=E.ascontiguousarray,
       linear=True)
def ascontiguousarray(g, ans, a, dtype=None, *, like=None):
    # it also makes a scalar 1-d; a dtype= casts (Rule._wrap)
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


shape(np.atleast_2d, abstract_eval=E.atleast(2), linear=True)(atleast_nd)
# an item of np.c_[...] (passes.lower_methods), made a column
shape(rt.column, abstract_eval=E.column, internal=True, linear=True)(atleast_nd)
shape(np.atleast_3d, abstract_eval=E.atleast(3), linear=True)(atleast_nd)


@shape(np.rot90, diff=("m",), abstract_eval=E.by_example(np.rot90), linear=True)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return np.rot90(rt.broadcast_to(g, ans), -k, axes)


@shape(np.fliplr, abstract_eval=E.by_example(np.fliplr), linear=True)
def fliplr(g, ans, m):
    return np.fliplr(rt.broadcast_to(g, ans))


@shape(np.flipud, abstract_eval=E.by_example(np.flipud), linear=True)
def flipud(g, ans, m):
    return np.flipud(rt.broadcast_to(g, ans))


@shape(np.diagonal, abstract_eval=E.by_example(np.diagonal), linear=True)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    return rt.undiagonal(g, ans, a, offset, axis1, axis2)


@shape(np.linalg.diagonal, abstract_eval=E.by_example(np.linalg.diagonal), linear=True)
def matrix_diagonal(g, ans, x, *, offset=0):
    return rt.undiagonal(g, ans, x, offset, -2, -1)


@shape(np.matrix_transpose, np.linalg.matrix_transpose,
       abstract_eval=E.by_example(np.matrix_transpose), linear=True)
def matrix_transpose(g, ans, x):
    return np.swapaxes(rt.broadcast_to(g, ans), -1, -2)


@shape(np.unstack, effects=holds(0), abstract_eval=E.by_example(np.unstack), linear=True)
def unstack(g, ans, x, *, axis=0):
    # each part's cotangent (a scalar stands for a whole part) stacked back
    return np.stack(list([rt.broadcast_to(rt.part(g, k), part) for k, part in enumerate(ans)]),
                    axis)


@shape(np.transpose, abstract_eval=E.transpose, linear=True)
def transpose(g, ans, a, axes=None):
    if axes is None:
        return np.transpose(rt.broadcast_to(g, ans))
    return np.transpose(rt.broadcast_to(g, ans), np.argsort(np.mod(axes, np.ndim(a))))


@shape(np.swapaxes, diff=("a",), abstract_eval=E.swapaxes, linear=True)
def swapaxes(g, ans, a, axis1, axis2):
    return np.swapaxes(rt.broadcast_to(g, ans), axis1, axis2)


@shape(np.moveaxis, diff=("a",), abstract_eval=E.moveaxis, linear=True)
def moveaxis(g, ans, a, source, destination):
    return np.moveaxis(rt.broadcast_to(g, ans), destination, source)


@shape(np.flip, abstract_eval=E.same_as_first(), linear=True)
def flip(g, ans, m, axis=None):
    return np.flip(rt.broadcast_to(g, ans), axis)


@custom(np.roll, diff=("a",), abstract_eval=E.same_as_first(), linear=True)
def roll(g, ans, a, shift, axis=None):
    return np.roll(rt.broadcast_to(g, ans), -np.asarray(shift), axis)


@shape(np.broadcast_to, diff=("array",), abstract_eval=E.broadcast_to, linear=True)
def broadcast_to(g, ans, array, shape, subok=False):
    return rt.unbroadcast(g, array, ans)


@custom(np.copy, abstract_eval=E.new_array, linear=True)
def copy(g, ans, a, order="K", subok=False):
    return g


@custom(np.array, only={"copy": (True,), "like": (None,), "ndmax": (0,)}, abstract_eval=E.array_of,
        linear=True)
def array(g, ans, object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0,
          ndmax=0, like=None):
    # copy=False (or None) may return ``object`` itself: refused (np.asarray's aliasing
    # is followed); a dtype= casts (Primitive._wrap)
    return rt.array_adjoint(g, ans, object, ndmin)


@custom(np.stack, only={"out": (None,)}, abstract_eval=E.stack, linear=True)
def stack(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return rt.unstack(g, ans, arrays, axis)


@custom(np.concatenate, only={"out": (None,)}, abstract_eval=E.concatenate, linear=True)
def concatenate(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return rt.unconcatenate(g, ans, arrays, axis)


@custom(np.vstack, np.row_stack, abstract_eval=E.vstack, linear=True)
def vstack(g, ans, tup, *, dtype=None, casting="same_kind"):
    return rt.unconcatenate(g, ans, tup, 0, tup, 2)


@custom(np.hstack, abstract_eval=E.hstack, linear=True)
def hstack(g, ans, tup, *, dtype=None, casting="same_kind"):
    return rt.unconcatenate(g, ans, tup, 0 if np.ndim(tup[0]) <= 1 else 1, tup, 1)


@custom(np.diag, abstract_eval=E.diag, effects=view(0), linear=True)
def diag(g, ans, v, k=0):
    return rt.diag_adjoint(g, ans, v, k)


@custom(np.tile, diff=("A",), abstract_eval=E.tile, linear=True)
def tile(g, ans, A, reps):
    return rt.untile(g, ans, A, reps)


@custom(np.repeat, diff=("a",), abstract_eval=E.repeat, linear=True)
def repeat(g, ans, a, repeats, axis=None):
    return rt.unrepeat(g, ans, a, repeats, axis)
