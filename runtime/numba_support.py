"""Numba implementations of the runtime helpers, so generated code compiles in nopython mode.

Importing this module registers, with ``numba.extending.overload``, a nopython version
of each helper that reverse-mode code for loops calls.  The tape needs nothing here:
its stacks are plain local lists (``x_stack = []``, ``.append``, ``.pop()``), which
Numba types from their use.

    import numba, runtime.numba_support
    fast = numba.njit(tp.grad(f).specialised(x, n))

Covered: scalars and arrays of floats, integer indices.  (The jit transform, with its
own backend, builds on this.)
"""
import types as pytypes

import numba
import numpy as np
from numba import types
from numba.extending import overload

from . import adjoint


def _is_scalar(t):
    return isinstance(t, (types.Float, types.Integer, types.Boolean))


@overload(adjoint.as_gradient)
def _as_gradient(d, x):
    if _is_scalar(x):
        def scalar_impl(d, x):
            return np.float64(d)
        return scalar_impl
    if isinstance(x, types.Array):
        if isinstance(d, types.Array):
            def array_impl(d, x):
                out = np.empty(x.shape, np.float64)
                out[...] = d
                return out
            return array_impl

        def fill_impl(d, x):
            return np.full(x.shape, np.float64(d))
        return fill_impl
    return None


def _make_as_gradients(n):
    names = ", ".join("adjoint_as_gradient(ds[%d], xs[%d])" % (k, k) for k in range(n))
    source = "def impl(ds, xs):\n    return (%s%s)\n" % (names, "," if n == 1 else "")
    namespace = {"adjoint_as_gradient": adjoint.as_gradient}
    exec(source, namespace)                                   # noqa: S102 (fixed template)
    return namespace["impl"]


@overload(adjoint.as_gradients)
def _as_gradients(ds, xs):
    if isinstance(ds, types.BaseTuple) and isinstance(xs, types.BaseTuple) \
            and len(ds) == len(xs):
        return _make_as_gradients(len(xs))
    return None


@overload(adjoint.as_value)
def _as_value(out):
    if _is_scalar(out):
        def impl(out):
            return np.float64(out)
        return impl
    return None


@overload(adjoint.seed)
def _seed(out):
    if _is_scalar(out):
        def impl(out):
            return 1.0
        return impl
    return None


@overload(adjoint.zeros_like)
def _zeros_like(x):
    if isinstance(x, types.BaseTuple) and all(_is_scalar(t) for t in x.types):
        n = len(x.types)

        def tuple_impl(x):
            return [0.0] * n
        return tuple_impl
    if isinstance(x, types.Array):
        def array_impl(x):
            return np.zeros(x.shape, np.float64)
        return array_impl
    if _is_scalar(x):
        def scalar_impl(x):
            return 0.0
        return scalar_impl
    return None


@overload(adjoint.dense)
def _dense(d, x):
    if isinstance(x, types.Array):
        def impl(d, x):
            out = np.empty(x.shape, np.float64)
            out[...] = d
            return out
        return impl
    if _is_scalar(x):
        def scalar_impl(d, x):
            return d
        return scalar_impl
    return None


@overload(adjoint.unbroadcast)
def _unbroadcast(c, x, out, to=None):
    if not (to is None or isinstance(to, (types.NoneType, types.Omitted))):
        return None                     # the transposed form is not compiled
    if _is_scalar(x) and _is_scalar(out):
        def scalar_impl(c, x, out, to=None):
            return c
        return scalar_impl
    if _is_scalar(x) and isinstance(out, types.Array):
        if isinstance(c, types.Array):
            def sum_impl(c, x, out, to=None):
                return np.sum(c)
            return sum_impl

        def scale_impl(c, x, out, to=None):
            return c * out.size
        return scale_impl
    if isinstance(x, types.Array) and isinstance(out, types.Array):
        def same_impl(c, x, out, to=None):
            if x.shape != out.shape:
                raise ValueError("unbroadcasting between different shapes is not "
                                 "supported in nopython mode")
            return c
        return same_impl
    return None


@overload(adjoint.add_at)
def _add_at(d, index, g):
    if isinstance(d, (types.Array, types.List)) and isinstance(index, types.Integer):
        def impl(d, index, g):
            d[index] += g
        return impl
    return None


@overload(adjoint.part)
def _part(d, key):
    if isinstance(d, (types.List, types.BaseTuple, types.Array)):
        def impl(d, key):
            return d[key]
        return impl
    if _is_scalar(d):
        def scalar_impl(d, key):
            return d
        return scalar_impl
    return None


def njit(function):
    """``numba.njit`` a generated function and the generated functions it calls.

    A gradient that calls user functions calls their generated forward/backward pairs;
    each is compiled too, and bound in place of the Python one.
    """
    compiled = {}

    def compile_one(fn):
        if fn in compiled:
            return compiled[fn]
        namespace = dict(fn.__globals__)
        for name in fn.__code__.co_names:                  # only what it calls
            value = fn.__globals__.get(name)
            if isinstance(value, pytypes.FunctionType) and value is not fn and \
                    value.__code__.co_filename.startswith("<transpiler"):
                namespace[name] = compile_one(value)
        copy = pytypes.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                                    fn.__closure__)
        compiled[fn] = numba.njit(copy)
        return compiled[fn]
    return compile_one(function)
