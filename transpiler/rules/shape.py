"""Shape manipulation: reshape, transpose, axes, squeezing, stacking, concatenation.

These move elements without changing them, so each adjoint moves the output adjoint
back: the inverse permutation, the original shape, the pieces of a concatenation.
``rt.broadcast_to(g, ans)`` first materialises an adjoint that is lazily broadcast.
"""
import numpy as np

import runtime as rt

from .registry import custom, shape


@shape(np.reshape, aliases={"newshape": "shape"})
def reshape(g, ans, a, shape=None, order="C", *, copy=None):
    if order == "C":
        return np.reshape(rt.broadcast_to(g, ans), np.shape(a))
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a), order=order)


@shape(np.ravel)
def ravel(g, ans, a, order="C"):
    if order == "C":
        return np.reshape(rt.broadcast_to(g, ans), np.shape(a))
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a), order=order)


@custom(rt.flatten)
def flatten(g, ans, x):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(x))


@shape(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.expand_dims, diff=("a",))
def expand_dims(g, ans, a, axis):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd(g, ans, a):
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.ascontiguousarray, only={"like": (None,)})
def ascontiguousarray(g, ans, a, dtype=None, *, like=None):
    # it also makes a scalar 1-d; a dtype= casts (Rule._wrap)
    return np.reshape(rt.broadcast_to(g, ans), np.shape(a))


@shape(np.transpose)
def transpose(g, ans, a, axes=None):
    if axes is None:
        return np.transpose(rt.broadcast_to(g, ans))
    return np.transpose(rt.broadcast_to(g, ans), np.argsort(np.mod(axes, np.ndim(a))))


@shape(np.swapaxes, diff=("a",))
def swapaxes(g, ans, a, axis1, axis2):
    return np.swapaxes(rt.broadcast_to(g, ans), axis1, axis2)


@shape(np.moveaxis, diff=("a",))
def moveaxis(g, ans, a, source, destination):
    return np.moveaxis(rt.broadcast_to(g, ans), destination, source)


@shape(np.flip)
def flip(g, ans, m, axis=None):
    return np.flip(rt.broadcast_to(g, ans), axis)


@custom(np.roll, diff=("a",))
def roll(g, ans, a, shift, axis=None):
    return np.roll(rt.broadcast_to(g, ans), -np.asarray(shift), axis)


@shape(np.broadcast_to, diff=("array",))
def broadcast_to(g, ans, array, shape, subok=False):
    return rt.unbroadcast(g, array, ans)


@custom(np.copy)
def copy(g, ans, a, order="K", subok=False):
    return g


@custom(np.array, only={"copy": (True,), "like": (None,), "ndmax": (0,)})
def array(g, ans, object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0,
          ndmax=0, like=None):
    # copy=False (or None) may return ``object`` itself: refused (np.asarray's aliasing
    # is followed); a dtype= casts (Rule._wrap)
    return rt.array_adjoint(g, ans, object, ndmin)


@custom(np.stack, only={"out": (None,)})
def stack(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return rt.unstack(g, ans, arrays, axis)


@custom(np.concatenate, only={"out": (None,)})
def concatenate(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return rt.unconcatenate(g, ans, arrays, axis)


@custom(np.vstack, np.row_stack)
def vstack(g, ans, tup, *, dtype=None, casting="same_kind"):
    return rt.unconcatenate(g, ans, [np.atleast_2d(t) for t in tup], 0, tup)


@custom(np.hstack)
def hstack(g, ans, tup, *, dtype=None, casting="same_kind"):
    return rt.unconcatenate(g, ans, [np.atleast_1d(t) for t in tup],
                            0 if np.ndim(tup[0]) <= 1 else 1, tup)


@custom(np.diag)
def diag(g, ans, v, k=0):
    return rt.diag_adjoint(g, ans, v, k)


@custom(np.tile, diff=("A",))
def tile(g, ans, A, reps):
    return rt.untile(g, ans, A, reps)


@custom(np.repeat, diff=("a",))
def repeat(g, ans, a, repeats, axis=None):
    return rt.unrepeat(g, ans, a, repeats, axis)
