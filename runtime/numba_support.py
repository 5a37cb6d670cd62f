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

from . import adjoint, batching, linalg, values


def _is_scalar(t):
    return isinstance(t, (types.Float, types.Integer, types.Boolean))


def _filled(value, like):
    """A new float64 array shaped like the array ``like``, holding ``value`` (a number or
    an array that broadcasts to it): a dense adjoint, a gradient, a tangent of its own."""


@overload(_filled)
def _filled_impl(value, like):
    if isinstance(like, types.Array) and (_is_scalar(value) or isinstance(value, types.Array)):
        def impl(value, like):
            out = np.empty(like.shape, np.float64)
            out[...] = value
            return out
        return impl
    return None


@overload(adjoint.as_gradient)
def _as_gradient(d, x):
    if _is_scalar(x):
        def scalar_impl(d, x):
            return np.float64(d)
        return scalar_impl
    if isinstance(x, types.Array):
        return lambda d, x: _filled(d, x)
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


def _zeros(x, keep_float_dtype):
    """Nopython zeros shaped like ``x`` (an array: float64, or its own float dtype with
    ``keep_float_dtype``; a number: 0.0; a list of arrays or numbers: a list of those)."""
    if isinstance(x, types.Array):
        dtype = x.dtype if keep_float_dtype and isinstance(x.dtype, types.Float) \
            else types.float64
        return lambda x: np.zeros(x.shape, dtype)
    if _is_scalar(x):
        return lambda x: 0.0
    if isinstance(x, types.List) and isinstance(x.dtype, types.Array):
        return lambda x: [np.zeros(item.shape, np.float64) for item in x]
    if isinstance(x, types.List) and _is_scalar(x.dtype):
        return lambda x: [0.0 for _ in x]
    return None


@overload(adjoint.zeros_like)
def _zeros_like(x):
    if isinstance(x, types.BaseTuple) and all(_is_scalar(t) for t in x.types):
        n = len(x.types)
        return lambda x: [0.0] * n
    return _zeros(x, keep_float_dtype=False)


@overload(adjoint.zero_tangent)
def _zero_tangent(x):
    """Zeros shaped like an array (its float dtype), 0.0 for a number, None for None."""
    if isinstance(x, types.NoneType):
        return lambda x: None
    return _zeros(x, keep_float_dtype=True)


@overload(adjoint.broadcast_tangent)
def _broadcast_tangent(t, like):
    """``t`` made the tangent of a result shaped like ``like``: its own array."""
    if isinstance(like, types.Array):
        return lambda t, like: _filled(t, like)
    if _is_scalar(like) and _is_scalar(t):
        return lambda t, like: t
    return None


@overload(np.ndim)
def _ndim(x):
    if isinstance(x, types.Array):
        rank = x.ndim
        return lambda x: rank
    if _is_scalar(x):
        return lambda x: 0
    return None


@overload(adjoint.dense)
def _dense(d, x):
    if isinstance(x, types.Array):
        return lambda d, x: _filled(d, x)
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
    if isinstance(x, types.Array) and isinstance(out, types.Array) \
            and (_is_scalar(c) or isinstance(c, types.Array) and c.ndim <= out.ndim):
        # summed down to x's shape by loops over out's (sum_to's nopython version)
        def array_impl(c, x, out, to=None):
            return adjoint.sum_to(c, x.shape, out.shape)
        return array_impl
    return None


@overload(adjoint.add_at)
def _add_at(d, index, g):
    if isinstance(d, (types.Array, types.List)) and isinstance(index, types.Integer):
        def impl(d, index, g):
            d[index] += g
        return impl
    # integer-array indices, one per axis (np.add.at: repeated indices accumulate)
    if isinstance(index, types.Array) and isinstance(index.dtype, types.Integer):
        index = types.UniTuple(index, 1)
        wrap = True
    else:
        wrap = False
    if isinstance(d, types.Array) and isinstance(index, types.BaseTuple) and len(index) == d.ndim \
            and all(isinstance(t, types.Array) and t.ndim == 1
                    and isinstance(t.dtype, types.Integer) for t in index.types) \
            and (_is_scalar(g) or isinstance(g, types.Array) and g.ndim == 1):
        at = ", ".join("index[%d][k]" % a for a in range(d.ndim))
        value = "g" if _is_scalar(g) else "g[k]"
        source = ("def impl(d, index, g):\n"
                  "    index = %s\n"
                  "    for k in range(index[0].shape[0]):\n"
                  "        d[%s] += %s\n" % ("(index,)" if wrap else "index", at, value))
        namespace = {}
        exec(source, namespace)                               # noqa: S102 (fixed template)
        return namespace["impl"]
    return None


def _as_gradient_of_tuple(n):
    items = ", ".join("np.float64(d[%d])" % k for k in range(n))
    namespace = {"np": np}
    exec("def impl(d, x):\n    return (%s%s)\n" % (items, "," if n == 1 else ""),
         namespace)                                           # noqa: S102 (fixed template)
    return namespace["impl"]


@overload(adjoint.as_gradient)
def _as_gradient_tuple(d, x):
    """A tuple of numbers' gradient from a list (or tuple) of their adjoints."""
    if isinstance(x, types.BaseTuple) and all(_is_scalar(t) for t in x.types) \
            and (isinstance(d, types.List) and _is_scalar(d.dtype)
                 or isinstance(d, types.BaseTuple) and all(_is_scalar(t) for t in d.types)):
        return _as_gradient_of_tuple(len(x))
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


def _sum_to_source(rank_c, rank, rank_out):
    """Nopython ``sum_to`` for a ``c`` of rank ``rank_c`` (None: a number) summed from
    ``out_shape`` (rank ``rank_out``) down to ``shape`` (rank ``rank``): a loop over the
    elements of ``out_shape``, each added to the element of the result it lands on."""
    lead = rank_out - rank
    lines = ["def impl(c, shape, out_shape):"]
    if rank:
        lines.append("    out = np.zeros(shape)")
    else:
        lines.append("    out = 0.0")
    indent = "    "
    for k in range(rank_out):
        lines.append("%sfor i%d in range(out_shape[%d]):" % (indent, k, k))
        indent += "    "
    if rank_c is None:
        source = "c"
    else:
        lead_c = rank_out - rank_c
        parts = ["(i%d if c.shape[%d] != 1 else 0)" % (lead_c + k, k) for k in range(rank_c)]
        source = "c[%s]" % ", ".join(parts) if parts else "c[()]"
    if rank:
        target = ", ".join("(i%d if shape[%d] != 1 else 0)" % (lead + k, k) for k in range(rank))
        lines.append("%sout[%s] += %s" % (indent, target, source))
    else:
        lines.append("%sout += %s" % (indent, source))
    lines.append("    return out")
    namespace = {"np": np}
    exec("\n".join(lines) + "\n", namespace)                 # noqa: S102 (fixed template)
    return namespace["impl"]


@overload(adjoint.sum_to)
def _sum_to(c, shape, out_shape):
    if not (isinstance(shape, types.BaseTuple) and isinstance(out_shape, types.BaseTuple)):
        return None
    if isinstance(c, types.Array):
        if c.ndim > len(out_shape):
            return None
        return _sum_to_source(c.ndim, len(shape), len(out_shape))
    if _is_scalar(c):
        return _sum_to_source(None, len(shape), len(out_shape))
    return None


@overload(adjoint.masked)
def _masked(g, mask):
    if isinstance(mask, types.Array) or isinstance(g, types.Array):
        def array_impl(g, mask):
            return np.where(mask, g, 0.0)
        return array_impl
    if _is_scalar(g) and _is_scalar(mask):
        def scalar_impl(g, mask):
            return g if mask else 0.0 * g
        return scalar_impl
    return None


def _full(g, ans):
    """``g`` (an adjoint that may be a number standing for its broadcast) as an array
    shaped like ``ans``."""


@overload(_full)
def _full_impl(g, ans):
    if isinstance(g, types.Array) and isinstance(ans, types.Array):
        # a lazily broadcast adjoint (shape (1, n) for an (m, n) result) made full-size
        def array_impl(g, ans):
            if g.shape == ans.shape:
                return np.ascontiguousarray(g)
            return _filled(g, ans)
        return array_impl
    if _is_scalar(g) and isinstance(ans, types.Array):
        return lambda g, ans: _filled(g, ans)
    return None


@overload(linalg.matmul_adjoint)
def _matmul_adjoint(g, ans, x, y, argnum):
    """``x @ y``'s adjoint for 1-d and 2-d operands (others: not compiled)."""
    if not (isinstance(x, types.Array) and isinstance(y, types.Array)
            and isinstance(argnum, types.IntegerLiteral)):
        return None
    first = argnum.literal_value == 0
    if x.ndim == 1 and y.ndim == 1:
        if first:
            return lambda g, ans, x, y, argnum: g * y
        return lambda g, ans, x, y, argnum: g * x
    if x.ndim == 2 and y.ndim == 2:
        if first:
            return lambda g, ans, x, y, argnum: _full(g, ans) @ y.T
        return lambda g, ans, x, y, argnum: x.T @ _full(g, ans)
    if x.ndim == 2 and y.ndim == 1:
        if first:
            return lambda g, ans, x, y, argnum: np.outer(_full(g, ans), y)
        return lambda g, ans, x, y, argnum: x.T @ _full(g, ans)
    if x.ndim == 1 and y.ndim == 2:
        if first:
            return lambda g, ans, x, y, argnum: y @ _full(g, ans)
        return lambda g, ans, x, y, argnum: np.outer(x, _full(g, ans))
    return None


@overload(values.snapshot)
def _snapshot(value, memo=None):
    """A copy of a list of numbers (lists holding arrays keep NumPy's version, which
    keeps views views: not compiled)."""
    if isinstance(value, types.List) and _is_scalar(value.dtype):
        def impl(value, memo=None):
            return list(value)
        return impl
    return None


# ------------------------------------------------------------ reductions along axes
# NumPy's reductions with ``axis`` (and ``keepdims``), which Numba has only in part:
# loops over the array, generated for each rank, axes and keepdims, as overloads of
# NumPy's own functions (the generated source keeps reading ``np.max(x, axis=1)``).

_IDENTITY = {"sum": "0", "prod": "1", "max": "-np.inf", "min": "np.inf", "mean": "0"}
_COMBINE = {"sum": "{o} + {v}", "prod": "{o} * {v}", "mean": "{o} + {v}",
            # NaN wins, as in NumPy
            "max": "{o} if {o} != {o} else ({v} if {v} != {v} or {v} > {o} else {o})",
            "min": "{o} if {o} != {o} else ({v} if {v} != {v} or {v} < {o} else {o})"}


def _literal_axes(axis, ndim):
    """The axes a literal ``axis`` (an int or a tuple of ints) names, or None."""
    if axis is None or isinstance(axis, (types.NoneType, types.Omitted)):
        values = tuple(range(ndim))                 # every axis (with keepdims, say)
    elif isinstance(axis, types.IntegerLiteral):
        values = (axis.literal_value,)
    elif isinstance(axis, types.BaseTuple) and all(isinstance(t, types.IntegerLiteral)
                                                   for t in axis.types):
        values = tuple(t.literal_value for t in axis.types)
    else:
        return None
    axes = []
    for value in values:
        if not -ndim <= value < ndim:
            return None
        axes.append(value % ndim)
    return tuple(sorted(set(axes)))


def _reduce_source(op, ndim, axes, keepdims, integer):
    """``impl(a, axis, keepdims)`` reducing ``a`` (rank ``ndim``) with ``op`` over ``axes``."""
    kept = [d for d in range(ndim) if d not in axes]
    shape = ", ".join("1" if d in axes else "a.shape[%d]" % d
                      for d in range(ndim) if keepdims or d not in axes)
    index_out = ", ".join("0" if d in axes else "i%d" % d
                          for d in range(ndim) if keepdims or d not in axes)
    dtype = "np.int64" if integer and op in ("sum", "prod") else "np.float64"
    lines = ["def impl(a, axis, keepdims):"]
    count = " * ".join("a.shape[%d]" % d for d in axes)
    if op in ("max", "min"):
        lines.append("    if %s == 0:" % count)
        lines.append("        raise ValueError('zero-size array to reduction operation %s "
                     "which has no identity')" % {"max": "maximum", "min": "minimum"}[op])
    lines.append("    out = np.full((%s%s), %s, %s)" % (shape, "," if shape and "," not in shape
                                                         else "", _IDENTITY[op], dtype))
    indent = "    "
    for d in range(ndim):
        lines.append("%sfor i%d in range(a.shape[%d]):" % (indent, d, d))
        indent += "    "
    element = "a[%s]" % ", ".join("i%d" % d for d in range(ndim))
    target = "out[%s]" % index_out if index_out else "out[()]"
    lines.append("%sv = %s" % (indent, element))
    lines.append("%so = %s" % (indent, target))
    lines.append("%s%s = %s" % (indent, target, _COMBINE[op].format(o="o", v="v")))
    if op == "mean":
        lines.append("    out /= %s" % count)
    if not kept and not keepdims:
        lines.append("    return out[()]")
    else:
        lines.append("    return out")
    namespace = {"np": np}
    exec("\n".join(lines) + "\n", namespace)                 # noqa: S102 (fixed template)
    return namespace["impl"]


def _reduction(op):
    def typer(a, axis=None, dtype=None, out=None, keepdims=False):
        if not isinstance(a, types.Array) or a.ndim == 0 or not (
                isinstance(dtype, (types.NoneType, types.Omitted)) or dtype is None) or not (
                isinstance(out, (types.NoneType, types.Omitted)) or out is None):
            return None
        if isinstance(a.dtype, types.Complex):
            return None
        axes = _literal_axes(axis, a.ndim)
        if axes is None:
            return None
        keep = False
        if isinstance(keepdims, types.BooleanLiteral):
            keep = keepdims.literal_value
        elif not isinstance(keepdims, (types.Omitted, types.NoneType, bool)) and keepdims is not False:
            return None
        integer = isinstance(a.dtype, (types.Integer, types.Boolean))
        inner = numba.njit(_reduce_source(op, a.ndim, axes, keep, integer))

        def impl(a, axis=None, dtype=None, out=None, keepdims=False):
            return inner(a, axis, keepdims)
        return impl
    return typer


def _register_reductions():
    from numba import njit as _njit
    for op, functions in (("sum", (np.sum,)), ("prod", (np.prod,)), ("max", (np.max, np.amax)),
                          ("min", (np.min, np.amin)), ("mean", (np.mean,))):
        for function in functions:
            overload(function)(_reduction(op))


def _spread(square_root):
    def typer(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        if not isinstance(a, types.Array) or a.ndim == 0 or _literal_axes(axis, a.ndim) is None:
            return None
        if not (isinstance(ddof, (types.Omitted, types.NoneType)) or ddof == 0
                or isinstance(ddof, types.IntegerLiteral) and ddof.literal_value == 0):
            return None

        def impl(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
            centred = a - np.mean(a, axis=axis, keepdims=True)
            variance = np.mean(centred * centred, axis=axis, keepdims=keepdims)
            return np.sqrt(variance) if square_root else variance
        return impl
    return typer


_register_reductions()
overload(np.var)(_spread(False))
overload(np.std)(_spread(True))


def njit(function):
    """``numba.njit`` a generated function and the generated functions it calls.
    (Generated code runs from a pseudo-file, or from the disk cache's file.)

    A gradient that calls user functions calls their generated forward/backward pairs;
    each is compiled too, and bound in place of the Python one.
    """
    from transpiler.ir.emit import is_generated
    compiled = {}

    def compile_one(fn):
        if fn in compiled:
            return compiled[fn]
        namespace = dict(fn.__globals__)
        for name in fn.__code__.co_names:                  # only what it calls
            value = fn.__globals__.get(name)
            if isinstance(value, pytypes.FunctionType) and value is not fn and \
                    is_generated(value.__code__.co_filename):
                namespace[name] = compile_one(value)
        copy = pytypes.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                                    fn.__closure__)
        compiled[fn] = numba.njit(copy)
        return compiled[fn]
    return compile_one(function)


@overload(batching.batch_buffer)
def _batch_buffer(first, size):
    """vmap's loop form under jit: the array each example's result is written into."""
    if _is_scalar(first):
        dtype = first if isinstance(first, types.Number) else types.float64
        def scalar_impl(first, size):
            return np.empty(size, dtype)
        return scalar_impl
    if isinstance(first, types.Array):
        def array_impl(first, size):
            return np.empty((size,) + first.shape, first.dtype)
        return array_impl
    return None
