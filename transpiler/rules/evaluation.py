"""Abstract evaluation: the dtype, shape and kind of a primitive's result from its
arguments' abstract values (``transpiler.analysis.avals``), without running NumPy.

Each function here takes ``(args, kwargs)`` -- the abstract values of the positional
arguments and a dict of those of the keywords -- and returns the result's abstract value,
or None when it cannot be known.  Families build them from one line:

    elementwise("float")       same shape as the argument, a float dtype
    broadcasting("bool")       the broadcast of the operands' shapes, bool
    reduction("same", axis=1)  ``axis``/``keepdims`` arithmetic

A rule never guesses: anything data-dependent (a mask's true count, ``np.nonzero``) is an
unknown dimension (None) or an unknown value.
"""
import numbers

import numpy as np

from runtime.contractions import einsum_explicit, einsum_form, tensordot_axes

from ..analysis.avals import (Array, Const, Dict, NDARRAY, PYTHON, SCALAR, Seq, ShapeError,
                              assume, broadcast_shapes, float_dtype, is_size, may_be_one,
                              not_one, python_scalar, result_dtype, same_shape, size,
                              static_value)

_MISSING = object()


class Unknown(Exception):
    """Raised inside a rule for 'cannot be known'; ``evaluate`` turns it into None."""


def evaluate(rule, args, kwargs):
    """Run an abstract evaluation rule; None when it cannot tell (or shapes clash)."""
    if rule is None:
        return None
    try:
        return rule(args, kwargs)
    except (Unknown, ShapeError, LookupError, TypeError, ValueError, IndexError):
        return None


# ------------------------------------------------------------ argument access

def arg(args, kwargs, position, name, default=_MISSING):
    """The abstract value of one argument, given by position or keyword."""
    if position is not None and len(args) > position:
        return args[position]
    if name in kwargs:
        return kwargs[name]
    if default is _MISSING:
        raise Unknown
    return Const(default)


def static(aval):
    """The Python value of a static argument (axis, shape, a literal), else Unknown
    (a shape may hold symbolic sizes: arithmetic on them fails, read as Unknown)."""
    try:
        return static_value(aval, sizes=True)
    except LookupError:
        raise Unknown from None


def array(aval):
    """An abstract value as an Array (Python scalars and NumPy scalars are 0-d)."""
    if isinstance(aval, Array):
        return aval
    raise Unknown


def shape_of(aval):
    a = array(aval)
    if a.shape is None:
        raise Unknown
    return a.shape


def result(dtype, shape, operands=(), always_array=False):
    """An Array result: an ndarray of rank >= 1, a NumPy scalar at rank 0 (the registry
    makes that a Python scalar where the primal returns one); ``always_array`` for
    functions that return an ndarray even at rank 0 (np.zeros, np.array, ...)."""
    if always_array:
        kind = NDARRAY
    elif shape is None:
        kind = None
    elif shape:
        kind = NDARRAY
    elif any(isinstance(a, Array) and a.kind is None for a in operands):
        kind = None
    else:
        kind = SCALAR
    return Array(dtype, shape, kind)


def _dtype(rule, operands):
    if rule == "sum":                    # np.sum and np.prod: bools and small ints -> int
        known = result_dtype(*operands)
        if known is not None and (known.kind == "b" or known.kind in "iu"
                                  and known.itemsize < np.dtype(int).itemsize):
            return np.dtype(int) if known.kind in "bi" else np.dtype(np.uint)
        return known
    if rule == "bool":
        return np.dtype(bool)
    if rule == "int":
        return np.dtype(np.intp)
    known = result_dtype(*operands)
    if rule == "float":
        return float_dtype(known)
    if rule == "true_divide":
        if known is None:
            return None
        return known if np.issubdtype(known, np.inexact) else np.dtype(np.float64)
    return known                                       # "same": promotion


def _dtype_keyword(kwargs, default):
    """The dtype a ``dtype=`` keyword asks for, or ``default``."""
    if "dtype" not in kwargs:
        return default
    value = static(kwargs["dtype"])
    if value is None:
        return default
    return np.dtype(value)


# ------------------------------------------------------------ families

def elementwise(dtype="float"):
    """One array argument; the result has its shape."""
    def rule(args, kwargs):
        x = array(arg(args, kwargs, 0, "x"))
        return result(_dtype_keyword(kwargs, _dtype(dtype, [x])), x.shape, [x])
    return rule


def broadcasting(dtype="same", operands=None):
    """The broadcast of the operands (positions ``operands``, default all positional)."""
    def rule(args, kwargs):
        chosen = args if operands is None else [args[k] for k in operands if k < len(args)]
        values = [array(a) for a in chosen]
        shape = broadcast_shapes(*[v.shape for v in values])
        return result(_dtype(dtype, values), shape, values)
    return rule


def operator_rule(dtype="same", sequences=None, operands=None):
    """A Python operator: NumPy's broadcasting and promotion (its result on Python
    scalars, a Python scalar with the value when known, is settled by the registry);
    ``sequences``: what it does to lists and tuples ("concat" for +, "repeat" for *)."""
    numeric = broadcasting(dtype, operands)

    def rule(args, kwargs):
        if any(isinstance(a, Seq) for a in args):
            if sequences == "concat":
                return concat(args, kwargs)
            if sequences == "repeat":
                seq, n = (args[0], args[1]) if isinstance(args[0], Seq) else (args[1], args[0])
                return repeat_sequence([seq, n], {})
            raise Unknown
        return numeric(args, kwargs)
    return rule


def _axes(axis, rank):
    if axis is None:
        return tuple(range(rank))
    axes = axis if isinstance(axis, tuple) else (axis,)
    if any(not isinstance(a, numbers.Integral) for a in axes):
        raise Unknown
    out = tuple(sorted({int(a) % rank if rank else 0 for a in axes}))
    return out


def reduction(dtype="float", keepdims_position=None, dtype_position=None):
    """``axis``/``keepdims`` arithmetic over the first argument (``axis`` second, as in
    every NumPy reduction; ``keepdims`` and ``dtype`` where the function has them)."""
    def rule(args, kwargs):
        x = array(arg(args, kwargs, 0, "a"))
        axis = static(arg(args, kwargs, 1, "axis", None))
        keepdims = static(arg(args, kwargs, keepdims_position, "keepdims", False))
        dt = _dtype(dtype, [x])
        asked = static(arg(args, kwargs, dtype_position, "dtype", None))
        if asked is not None:
            dt = np.dtype(asked)
        if x.shape is None:
            return result(dt, None)
        axes = _axes(axis, len(x.shape))
        shape = tuple((1 if k in axes else d) for k, d in enumerate(x.shape)
                      if keepdims or k not in axes)
        return result(dt, shape)
    return rule


def same_as_first(dtype="same"):
    """Same shape as the first argument (``zeros_like``, ``copy``, ``sort``, ``cumsum``
    along an axis...)."""
    def rule(args, kwargs):
        x = array(args[0])
        return result(_dtype_keyword(kwargs, _dtype(dtype, [x])), x.shape)
    return rule


def creation(dtype_position=1, fill_position=None):
    """``np.zeros(shape, dtype=float)`` and friends; ``np.full(shape, fill_value,
    dtype=None)`` takes its dtype from the fill value unless given.  Sizes not known
    statically are unknown dims."""
    def rule(args, kwargs):
        shape = arg(args, kwargs, 0, "shape")
        dtype = np.dtype(float)
        if fill_position is not None:
            fill = arg(args, kwargs, fill_position, "fill_value")
            dtype = result_dtype(fill) or dtype
        try:
            asked = static(arg(args, kwargs, dtype_position, "dtype", None))
            dtype = np.dtype(asked) if asked is not None else dtype
        except Unknown:
            dtype = None
        return result(dtype, _dims(shape), always_array=True)
    return rule


def _dims(shape):
    """The dims a shape argument gives (an int, or a tuple of them), unknown ones None."""
    if isinstance(shape, Array):
        if shape.shape != ():
            return None
        return (_dim(shape.value),)
    if isinstance(shape, Seq) and shape.items is not None:
        dims = []
        for item in shape.items:
            dims.append(_dim(item.value if isinstance(item, Array) else None))
        return tuple(dims)
    return None


def _dim(value):
    """A dimension given as a Python value: an int, a symbolic size read from a shape,
    or None (not known)."""
    if value is None or is_size(value):
        return value
    return int(value)


def like(dtype_position=1):
    """``np.zeros_like(a, dtype=None, order, subok, shape=None)`` (``np.full_like`` has its
    fill value before the dtype): ``a``'s shape and dtype unless given."""
    def rule(args, kwargs):
        a = args[0]
        if not isinstance(a, Array):
            return Array(None, None, NDARRAY)
        dtype, shape = a.dtype, a.shape
        try:
            asked = static(arg(args, kwargs, dtype_position, "dtype", None))
            dtype = np.dtype(asked) if asked is not None else dtype
        except Unknown:
            dtype = None
        if "shape" in kwargs:
            shape = _dims(kwargs["shape"])
        return result(dtype, shape, always_array=True)
    return rule


def unknown(args, kwargs):
    return None


def python_int(args, kwargs):
    return Array(np.dtype(int), (), PYTHON)


def python_float(args, kwargs):
    return Array(np.dtype(float), (), PYTHON)


def python_bool(args, kwargs):
    return Array(np.dtype(bool), (), PYTHON)


def const(value):
    return lambda args, kwargs: Const(value)


def first_argument(args, kwargs):
    """The result is the first argument as it is (``np.asarray`` of an array)."""
    return args[0]


# ------------------------------------------------------------ shape queries

def len_(args, kwargs):
    x = args[0]
    if isinstance(x, Seq) and x.items is not None:
        return python_scalar(len(x.items))
    if isinstance(x, Dict):
        return python_scalar(len(x.items))
    if isinstance(x, Array) and x.shape:
        n = x.shape[0]
        return python_scalar(n) if n is not None else Array(np.dtype(int), (), PYTHON)
    return Array(np.dtype(int), (), PYTHON)


def np_shape(args, kwargs):
    shape = shape_of(args[0])
    return Seq("tuple", tuple(python_scalar(d) if d is not None
                              else Array(np.dtype(int), (), PYTHON) for d in shape))


def np_ndim(args, kwargs):
    x = array(args[0])
    if x.shape is None:
        return Array(np.dtype(int), (), PYTHON)
    return python_scalar(len(x.shape))


def np_size(args, kwargs):
    n = size(shape_of(args[0]))
    return python_scalar(n) if n is not None else Array(np.dtype(int), (), PYTHON)


# ------------------------------------------------------------ shape manipulation

def by_example(fn, view=True):
    """The result of a shape function (np.rot90, np.diagonal, np.unstack...) read off
    ``fn`` run on stand-ins: arrays of the arguments' static shapes that take no memory
    (a broadcast one), and the static values of the other arguments.  A view (or a
    tuple of views) of the first argument with ``view``."""
    def stand_in(aval):
        if isinstance(aval, Array) and aval.kind == PYTHON:
            if aval.value is not None:
                return aval.value
            return aval.dtype.type(1).item() if aval.dtype is not None else 1.0
        if isinstance(aval, Array):
            shape = shape_of(aval)
            if any(d is None for d in shape):
                raise Unknown
            return np.broadcast_to(np.ones((), aval.dtype or float), shape)
        return static(aval)

    def rule(args, kwargs):
        x = array(args[0])
        try:
            out = fn(*[stand_in(a) for a in args],
                     **{k: stand_in(v) for k, v in kwargs.items()})
        except ArithmeticError:
            raise Unknown from None
        typed = all(a.dtype is not None for a in list(args) + list(kwargs.values())
                    if isinstance(a, Array))

        def made(o):
            if type(o) in (bool, int, float):               # builtins on Python numbers
                return python_scalar(o, static=False)
            dtype = np.result_type(o) if typed else None
            if view:
                return _view_of(x, np.shape(o), dtype)
            # a 0-d array stays one (np.cov of a single variable)
            return result(dtype, np.shape(o), [x], always_array=isinstance(o, np.ndarray))
        if isinstance(out, (tuple, list)):
            return Seq("tuple" if isinstance(out, tuple) else "list", tuple(made(o) for o in out))
        return made(out)
    return rule


def _view_of(x, shape, dtype=None):
    return Array(dtype or x.dtype, shape, NDARRAY if shape else
                 (NDARRAY if x.kind == NDARRAY else None))


def reshape(args, kwargs):
    x = array(arg(args, kwargs, 0, "a"))
    new = static(arg(args, kwargs, 1, "shape", None) if "newshape" not in kwargs
                 else kwargs["newshape"])
    new = (new,) if isinstance(new, numbers.Integral) else tuple(new)
    total = size(x.shape) if x.shape is not None else None
    if -1 in new:
        rest = size(tuple(d for d in new if d != -1))
        fill = None if total is None or not rest else total // rest
        new = tuple(fill if d == -1 else d for d in new)
    return _view_of(x, tuple(new))


def ravel(args, kwargs):
    x = array(args[0])
    return _view_of(x, (size(x.shape) if x.shape is not None else None,))


def transpose(args, kwargs):
    x = array(arg(args, kwargs, 0, "a"))
    axes = static(arg(args, kwargs, 1, "axes", None))
    shape = shape_of(x)
    if axes is None:
        return _view_of(x, tuple(reversed(shape)))
    return _view_of(x, tuple(shape[a] for a in axes))


def swapaxes(args, kwargs):
    shape = list(shape_of(args[0]))
    a, b = static(args[1]), static(args[2])
    shape[a], shape[b] = shape[b], shape[a]
    return _view_of(array(args[0]), tuple(shape))


def moveaxis(args, kwargs):
    shape = shape_of(args[0])
    rank = len(shape)
    source, dest = static(args[1]), static(args[2])
    source = [s % rank for s in (source if isinstance(source, tuple) else (source,))]
    dest = [d % rank for d in (dest if isinstance(dest, tuple) else (dest,))]
    order = [k for k in range(rank) if k not in source]
    for d, s in sorted(zip(dest, source)):
        order.insert(d, s)
    return _view_of(array(args[0]), tuple(shape[k] for k in order))


def expand_dims(args, kwargs):
    shape = list(shape_of(args[0]))
    axis = static(arg(args, kwargs, 1, "axis"))
    axes = axis if isinstance(axis, tuple) else (axis,)
    rank = len(shape) + len(axes)
    for a in sorted(a % rank for a in axes):
        shape.insert(a, 1)
    return _view_of(array(args[0]), tuple(shape))


def squeeze(args, kwargs):
    shape = shape_of(args[0])
    axis = static(arg(args, kwargs, 1, "axis", None))
    if axis is None:
        if any(may_be_one(d) for d in shape):
            raise Unknown
        return _view_of(array(args[0]), tuple(d for d in shape if d != 1))
    axes = _axes(axis, len(shape))
    return _view_of(array(args[0]), tuple(d for k, d in enumerate(shape) if k not in axes))


def broadcast_to(args, kwargs):
    shape = static(arg(args, kwargs, 1, "shape"))
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    return _view_of(array(args[0]), shape)


def atleast(n):
    def rule(args, kwargs):
        x = array(args[0])
        shape = shape_of(x)
        if len(shape) >= n:
            return x if x.kind == NDARRAY else _view_of(x, shape)
        if n == 1:
            return _view_of(x, (1,))
        if n == 2:
            return _view_of(x, (1,) * (2 - len(shape)) + shape)
        padded = {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[len(shape)]
        return _view_of(x, padded)
    return rule


def ascontiguousarray(args, kwargs):
    """``np.ascontiguousarray(a, dtype=None)``: ``a`` made at least 1-d, in ``dtype``
    when one is given."""
    out = atleast(1)(args[:1], {})
    dtype = static(arg(args, kwargs, 1, "dtype", None))
    return out if dtype is None else out.with_(dtype=np.dtype(dtype))


def column(args, kwargs):
    """``rt.column``: a vector as a column, a scalar as 1x1."""
    x = array(args[0])
    shape = shape_of(x)
    if len(shape) >= 2:
        return x if x.kind == NDARRAY else _view_of(x, shape)
    return _view_of(x, (shape[0] if shape else 1, 1))


def _parts(aval):
    if not isinstance(aval, Seq) or aval.items is None:
        raise Unknown
    return [array(p) for p in aval.items]


def concatenate(args, kwargs):
    parts = _parts(arg(args, kwargs, 0, "arrays"))
    axis = static(arg(args, kwargs, 1, "axis", 0))
    shapes = [shape_of(p) for p in parts]
    dtype = _dtype_keyword(kwargs, result_dtype(*parts))
    if axis is None:
        return result(dtype, (_sum_dims([size(s) for s in shapes]),))
    rank = len(shapes[0])
    axis %= rank
    out = list(shapes[0])
    out[axis] = _sum_dims([s[axis] for s in shapes])
    for k in range(rank):
        if k != axis:
            known = {s[k] for s in shapes if s[k] is not None}
            out[k] = known.pop() if len(known) == 1 else None
    return result(dtype, tuple(out))


def _sum_dims(dims):
    return None if any(d is None for d in dims) else int(sum(dims))


def stack(args, kwargs):
    parts = _parts(arg(args, kwargs, 0, "arrays"))
    axis = static(arg(args, kwargs, 1, "axis", 0))
    shape = list(shape_of(parts[0]))
    for part in parts[1:]:                       # np.stack wants equal shapes
        if len(shape_of(part)) != len(shape):
            raise Unknown
        for d, first in zip(shape_of(part), shape):
            assume("equal", d, first)
    axis %= len(shape) + 1
    shape.insert(axis, len(parts))
    return result(_dtype_keyword(kwargs, result_dtype(*parts)), tuple(shape))


def vstack(args, kwargs):
    parts = [p if len(shape_of(p)) >= 2 else _view_of(p, (1,) * (2 - len(shape_of(p)))
                                                        + shape_of(p))
             for p in _parts(args[0])]
    return concatenate([Seq("tuple", tuple(parts)), python_scalar(0)], kwargs)


def hstack(args, kwargs):
    parts = _parts(args[0])
    if len(shape_of(parts[0])) <= 1:
        parts = [_view_of(p, (1,)) if shape_of(p) == () else p for p in parts]
        return concatenate([Seq("tuple", tuple(parts)), python_scalar(0)], kwargs)
    return concatenate([Seq("tuple", tuple(parts)), python_scalar(1)], kwargs)


def array_of(args, kwargs):
    """``np.array(obj)`` of an array, a scalar, or (nested) lists/tuples of them; with
    ``ndmin=``, leading axes of size 1 up to that rank."""
    obj = arg(args, kwargs, 0, "object")
    dtype = _dtype_keyword(kwargs, None)
    try:
        nested = _nested(obj)
        ndmin = static(arg(None, kwargs, None, "ndmin", 0))
    except Unknown:
        return Array(dtype, None, NDARRAY)
    shape = nested.shape
    if shape is not None:
        shape = (1,) * max(0, ndmin - len(shape)) + tuple(shape)
    return Array(dtype or nested.dtype, shape, NDARRAY)


def _nested(obj):
    """An Array describing what ``np.array`` makes of ``obj``."""
    if isinstance(obj, Array):
        return obj
    if isinstance(obj, Seq):
        if obj.items is None:
            raise Unknown
        parts = [_nested(p) for p in obj.items]
        if not parts:
            return Array(np.dtype(float), (0,))
        inner = [shape_of(p) for p in parts]
        if any(s != inner[0] for s in inner):
            raise Unknown
        return Array(result_dtype(*parts), (len(parts),) + inner[0])
    raise Unknown


# ------------------------------------------------------------ linear algebra

def matmul(args, kwargs):
    a, b = array(args[0]), array(args[1])
    x, y = shape_of(a), shape_of(b)
    dtype = result_dtype(a, b)
    if not x or not y:
        raise Unknown                                   # matmul refuses scalars
    if len(x) == 1 and len(y) == 1:
        return result(dtype, ())
    if len(x) == 1:
        return result(dtype, y[:-2] + y[-1:])
    if len(y) == 1:
        return result(dtype, x[:-1])
    batch = broadcast_shapes(x[:-2], y[:-2])
    return result(dtype, batch + (x[-2], y[-1]))


def dot(args, kwargs):
    a, b = array(args[0]), array(args[1])
    x, y = shape_of(a), shape_of(b)
    dtype = result_dtype(a, b)
    if not x or not y:
        return result(dtype, broadcast_shapes(x, y))
    if len(y) == 1:
        return result(dtype, x[:-1])
    return result(dtype, x[:-1] + y[:-2] + y[-1:])


def inner(args, kwargs):
    a, b = array(args[0]), array(args[1])
    x, y = shape_of(a), shape_of(b)
    if not x or not y:
        return result(result_dtype(a, b), broadcast_shapes(x, y))
    return result(result_dtype(a, b), x[:-1] + y[:-1])


def outer(args, kwargs):
    a, b = array(args[0]), array(args[1])
    return result(result_dtype(a, b), (size(shape_of(a)), size(shape_of(b))))


def einsum(args, kwargs):
    """``np.einsum`` in either form (subscripts string or sublists), with ellipses."""
    inputs, output, positions = einsum_form([_static_or_none(a) for a in args])
    operands = [array(args[p]) for p in positions]
    shapes = [shape_of(o) for o in operands]
    inputs, output = einsum_explicit(inputs, output, [len(s) for s in shapes])
    sizes = {}
    for spec, shape in zip(inputs, shapes):
        if len(spec) != len(shape):
            raise Unknown
        for letter, n in zip(spec, shape):
            if may_be_one(n):
                raise Unknown                           # stretched or not: not known
            if n != 1 and sizes.get(letter) not in (None, 1):
                assume("equal", n, sizes[letter])       # one letter, one size
            if n != 1 or letter not in sizes:
                sizes[letter] = n if sizes.get(letter) in (None, 1) else sizes[letter]
    return result(result_dtype(*operands), tuple(sizes[c] for c in output))


def _static_or_none(aval):
    try:
        return static(aval)
    except Unknown:
        return None


def norm(args, kwargs):
    x = array(arg(args, kwargs, 0, "x"))
    axis = static(arg(args, kwargs, 2, "axis", None))
    keepdims = static(arg(args, kwargs, 3, "keepdims", False))
    shape = shape_of(x)
    axes = _axes(axis, len(shape))
    out = tuple((1 if k in axes else d) for k, d in enumerate(shape) if keepdims or k not in axes)
    return result(float_dtype(x.dtype), out)


def matrix_reduce(args, kwargs):
    """``det``: the leading (batch) dimensions."""
    x = array(args[0])
    return result(float_dtype(x.dtype), shape_of(x)[:-2])


def solve(args, kwargs):
    """``solve(a, b)``: b is one vector (M,) or a stack of (M, K) matrices."""
    a, b = array(args[0]), array(args[1])
    x, y = shape_of(a), shape_of(b)
    dtype = float_dtype(result_dtype(a, b))
    if len(y) == 1:
        return result(dtype, x[:-1])
    return result(dtype, broadcast_shapes(x[:-2], y[:-2]) + y[-2:])


def trace(args, kwargs):
    x = array(args[0])
    return result(x.dtype, shape_of(x)[2:])


def diag(args, kwargs):
    v = array(args[0])
    k = static(arg(args, kwargs, 1, "k", 0))
    shape = shape_of(v)
    if len(shape) == 1:
        n = shape[0] + abs(k) if shape[0] is not None else None
        return result(v.dtype, (n, n))
    if len(shape) == 2:
        rows, cols = shape
        if rows is None or cols is None:
            return _view_of(v, (None,))
        n = max(0, min(rows, cols - k) if k >= 0 else min(rows + k, cols))
        return _view_of(v, (n,))
    raise Unknown


def cumulative(args, kwargs):
    x = array(arg(args, kwargs, 0, "a"))
    axis = static(arg(args, kwargs, 1, "axis", None))
    dtype = _dtype_keyword(kwargs, x.dtype if x.dtype is None or x.dtype.kind != "b"
                           else np.dtype(int))
    if axis is None:
        return result(dtype, (size(shape_of(x)),))
    return result(dtype, shape_of(x))


def linspace(args, kwargs):
    num = static(arg(args, kwargs, 2, "num", 50))
    start, stop = array(args[0]), array(arg(args, kwargs, 1, "stop"))
    lead = broadcast_shapes(shape_of(start), shape_of(stop))
    return result(_dtype_keyword(kwargs, np.dtype(float)), (int(num),) + lead)


def arange(args, kwargs):
    values = [static(a) for a in args]
    if len(values) == 1 and not kwargs and is_size(values[0]):
        return result(np.dtype(int), (values[0],))          # np.arange(x.shape[0])
    if "step" in kwargs:
        values.append(static(kwargs["step"]))
    n = len(range(*[int(v) for v in values])) if all(isinstance(v, numbers.Integral)
                                                     for v in values) else None
    if n is None:
        floats = [float(v) for v in values]
        start, stop = (0.0, floats[0]) if len(floats) == 1 else floats[:2]
        step = floats[2] if len(floats) > 2 else 1.0
        n = max(0, int(np.ceil((stop - start) / step)))
    ints = all(isinstance(v, numbers.Integral) for v in values)
    return result(_dtype_keyword(kwargs, np.dtype(int) if ints else np.dtype(float)), (n,))


def eye(args, kwargs):
    n = static(args[0])
    m = static(arg(args, kwargs, 1, "M", None))
    return result(_dtype_keyword(kwargs, np.dtype(float)), (int(n), int(m if m is not None else n)))


def tile(args, kwargs):
    x = array(args[0])
    reps = static(arg(args, kwargs, 1, "reps"))
    reps = (reps,) if isinstance(reps, numbers.Integral) else tuple(reps)
    shape = shape_of(x)
    rank = max(len(shape), len(reps))
    shape = (1,) * (rank - len(shape)) + shape
    reps = (1,) * (rank - len(reps)) + reps
    return result(x.dtype, tuple(None if d is None else d * r for d, r in zip(shape, reps)))


def repeat(args, kwargs):
    """``np.repeat``: a static count (or list of counts) gives the size; counts held in
    an array are data: that dimension is unknown."""
    x = array(args[0])
    try:
        repeats = static(arg(args, kwargs, 1, "repeats"))
    except Unknown:
        repeats = None
    axis = static(arg(args, kwargs, 2, "axis", None))
    shape = shape_of(x)
    if axis is None:
        return result(x.dtype, (_repeated(size(shape), repeats),))
    shape = list(shape)
    axis %= len(shape)
    shape[axis] = _repeated(shape[axis], repeats)
    return result(x.dtype, tuple(shape))


def _repeated(n, repeats):
    if n is None or repeats is None:
        return None
    if isinstance(repeats, numbers.Integral):
        return n * int(repeats)
    repeats = tuple(repeats)
    if len(repeats) == 1:
        return n * int(repeats[0])
    return int(sum(repeats)) if len(repeats) == n else None


def clip(args, kwargs):
    operands = [array(a) for a in args[:3] if not (isinstance(a, Const) and a.value is None)]
    return result(result_dtype(*operands), broadcast_shapes(*[o.shape for o in operands]))


def where(args, kwargs):
    if len(args) != 3:
        raise Unknown                                   # np.where(c): data-dependent
    operands = [array(a) for a in args]
    return result(result_dtype(operands[1], operands[2]),
                  broadcast_shapes(*[o.shape for o in operands]))


# ------------------------------------------------------------ indexing

def index(base, index_avals):
    """The abstract value of ``base[index]``.

    ``index_avals``: one abstract value per component of the index (a tuple index gives
    several), where a slice component is ``Const(slice(...))`` with static parts or
    ``Const("slice")`` when its bounds are not known, ``Const(None)`` a new axis and
    ``Const(Ellipsis)`` an ellipsis.
    """
    if isinstance(base, (Seq, Dict)):
        if len(index_avals) != 1:
            raise Unknown
        key = static(index_avals[0])
        if isinstance(base, Dict):
            return base.get(key)
        if base.items is None:
            raise Unknown
        if isinstance(key, slice):
            return Seq(base.kind, tuple(base.items[key]))
        return base.items[key]
    x = array(base)
    dims = list(shape_of(x))
    components = list(index_avals)
    if sum(_is_ellipsis(c) for c in components) > 1:
        raise Unknown
    if not any(_is_ellipsis(c) for c in components):
        components.append(Const(Ellipsis))
    # with an integer array (or mask) in the index, integers are advanced indices too
    arrays = any(_is_bool_array(c) or (isinstance(c, Array) and c.shape != ())
                 for c in components)
    consumed = sum(_consumes(c) for c in components)
    if consumed > len(dims):
        raise Unknown
    out, advanced, positions = [], [], []
    for c in components:
        if _is_newaxis(c):
            out.append(1)
        elif _is_ellipsis(c):
            take = len(dims) - _consumed_after(components, c)
            out.extend(dims[:take])
            dims = dims[take:]
        elif isinstance(c, Const) and (isinstance(c.value, slice) or c.value == "slice"):
            out.append(_slice_length(c.value, dims.pop(0)))
        elif _is_bool_array(c):
            del dims[:len(shape_of(c))]
            positions.append(len(out))
            advanced.append((None,))                      # the count of true values
        else:
            a = array(c)
            if a.dtype is None or not np.issubdtype(a.dtype, np.integer):
                raise Unknown
            dims.pop(0)
            if a.shape == () and not arrays:
                continue                                  # an integer: the axis goes
            positions.append(len(out))
            advanced.append(shape_of(a))
    if advanced:
        block = broadcast_shapes(*advanced)
        adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
        first = positions[0] if adjacent else 0
        # the positions counted the advanced components themselves: they take no dims
        out = out[:first] + list(block) + out[first:]
        return result(x.dtype, tuple(out))                # advanced indexing copies
    shape = tuple(out)
    if not shape and not any(_is_newaxis(c) for c in index_avals) and \
            not any(_is_ellipsis(c) for c in index_avals):
        return Array(x.dtype, (), SCALAR)                 # one element: a NumPy scalar
    return _view_of(x, shape)


def _consumes(c):
    """How many dimensions of the array one index component consumes."""
    if _is_newaxis(c) or _is_ellipsis(c):
        return 0
    if _is_bool_array(c):
        return len(shape_of(c))
    return 1


def _consumed_after(components, ellipsis):
    """The dimensions the components after ``ellipsis`` consume."""
    return sum(_consumes(c) for c in components[components.index(ellipsis) + 1:])


def _is_newaxis(c):
    return isinstance(c, Const) and c.value is None


def _is_ellipsis(c):
    return isinstance(c, Const) and c.value is Ellipsis


def _is_bool_array(c):
    return isinstance(c, Array) and c.dtype is not None and c.dtype == np.dtype(bool) \
        and c.shape != ()


def _slice_length(bounds, n):
    if n is None or not isinstance(bounds, slice):
        return None
    if is_size(n):
        return _symbolic_slice_length(bounds, n)
    return len(range(*bounds.indices(n)))


def _symbolic_slice_length(bounds, n):
    """The length of ``x[bounds]`` along a symbolic dimension ``n`` (at least 2, or
    derived from one): ``max(n - k, 0)`` for ``x[k:]``, ``x[:-k]`` and ``x[j:-(k - j)]``;
    a constant for ``x[:2]`` or ``x[-2:]`` where ``n`` is at least that; else not known."""
    start, stop, step = bounds.start, bounds.stop, bounds.step
    if step not in (None, 1) or any(b is not None and type(b) is not int
                                      for b in (start, stop)):
        return None
    start = start or 0
    if start >= 0 and (stop is None or stop < 0):
        cut = start - (stop or 0)
        return n.minus(cut)
    if start == 0 and stop is not None and 0 <= stop <= n.least:
        return stop
    if stop is None and -n.least <= start < 0:
        return -start
    return None


def scalar_conversion(dtype):
    """``np.float64(x)``: a NumPy scalar of that dtype (an array for an array)."""
    def rule(args, kwargs):
        x = array(args[0]) if args else Array(np.dtype(dtype), ())
        return result(np.dtype(dtype), x.shape)
    return rule


def new_array(args, kwargs):
    """``np.copy(x)``: a new ndarray (0-d for a scalar) like its argument."""
    x = args[0]
    if not isinstance(x, Array):
        return Array(None, None, NDARRAY)
    return Array(x.dtype, x.shape, NDARRAY)


def real(args, kwargs):
    """``np.real``: a view of an array; a Python scalar stays one."""
    x = array(args[0])
    return x if x.kind == PYTHON else result(x.dtype, x.shape, [x])


def as_array(args, kwargs):
    """``np.asarray(x)``: an ndarray (0-d for a scalar), the argument itself if it is one."""
    x = arg(args, kwargs, 0, "a")
    if isinstance(x, Array):
        return Array(_dtype_keyword(kwargs, x.dtype), x.shape, NDARRAY)
    return array_of(args, kwargs)


def sort(args, kwargs):
    """``np.sort(a, axis=-1)``; ``axis=None`` sorts the flattened array."""
    x = array(arg(args, kwargs, 0, "a"))
    if static(arg(args, kwargs, 1, "axis", -1)) is None:
        return result(x.dtype, (size(shape_of(x)),))
    return result(x.dtype, x.shape)


def searchsorted(args, kwargs):
    v = array(arg(args, kwargs, 1, "v"))
    return result(np.dtype(np.intp), v.shape)


def vdot(args, kwargs):
    return result(result_dtype(array(args[0]), array(args[1])), ())


def random_shape(args, kwargs):
    """``np.random.randn(d0, d1, ...)``: a float array of those dims (a float for none)."""
    dims = tuple(int(static(a)) for a in args)
    if not dims:
        return Array(np.dtype(float), (), PYTHON)
    return result(np.dtype(float), dims)


def random_size(args, kwargs):
    """``np.random.random(size=None)``."""
    size_ = static(arg(args, kwargs, 0, "size", None))
    if size_ is None:
        return Array(np.dtype(float), (), PYTHON)
    dims = (size_,) if isinstance(size_, numbers.Integral) else tuple(size_)
    return result(np.dtype(float), dims)


def astype(args, kwargs):
    x = array(args[0])
    dtype = np.dtype(static(arg(args, kwargs, 1, "dtype")))
    return result(dtype, x.shape)


def item(args, kwargs):
    x = array(args[0])
    if x.dtype is None:
        return Array(None, (), PYTHON)
    kind = {"b": bool, "i": int, "u": int, "f": float}.get(x.dtype.kind)
    if kind is None:
        raise Unknown
    return Array(np.dtype(kind), (), PYTHON)


def sequence(args, kwargs):
    """``list(xs)`` / ``tuple(xs)`` of a list or tuple (an array's rows are not known as
    a sequence of static length unless its first dimension is)."""
    if not args:
        return Seq("list", ())
    xs = args[0]
    if isinstance(xs, Seq) and xs.items is not None:
        return Seq("list", xs.items)                     # tuple(...) is fixed by the caller
    if isinstance(xs, Array) and xs.shape and xs.shape[0] is not None:
        row = index(xs, [python_scalar(0)])
        return Seq("list", (row,) * xs.shape[0])
    raise Unknown


def concat(args, kwargs):
    a, b = args
    if isinstance(a, Seq) and isinstance(b, Seq) and a.items is not None \
            and b.items is not None:
        return Seq(a.kind, a.items + b.items)
    if isinstance(a, Seq):
        return Seq(a.kind, None)
    raise Unknown


def as_sequence(args, kwargs):
    xs = args[0]
    if isinstance(xs, Dict):
        return Seq("list", tuple(Const(k) if not isinstance(k, (int, bool))
                                 else python_scalar(k) for k in xs.keys()))
    if isinstance(xs, (Seq, Array)):
        return xs
    raise Unknown


def sorted_(args, kwargs):
    xs = args[0]
    if isinstance(xs, Seq) and xs.items is not None:
        joined = xs.items[0] if xs.items else None
        for item_ in xs.items[1:]:
            from ..analysis.avals import join
            joined = join(joined, item_)
        return Seq("list", (joined,) * len(xs.items))
    raise Unknown


def dict_values(args, kwargs):
    d = args[0]
    if isinstance(d, Dict):
        return Seq("list", tuple(v for _, v in d.items))
    raise Unknown


def dict_items(args, kwargs):
    """``rt.dict_items(d)``: a list of (key, value) pairs."""
    d = args[0]
    if isinstance(d, Dict):
        return Seq("list", tuple(Seq("tuple", (Const(k), v)) for k, v in d.items))
    raise Unknown


def dict_get(args, kwargs):
    """``rt.dict_get(d, key, default)``: the item under a known key, else the default."""
    d, key = args[0], static(args[1])
    if not isinstance(d, Dict):
        raise Unknown
    if key in d.keys():
        return d.get(key)
    return arg(args, kwargs, 2, "default", None)


def dict_of(args, kwargs):
    """``rt.dict_of(obj)``: a copy of a dict, or the dict of (key, value) pairs."""
    obj = args[0]
    if isinstance(obj, Dict):
        return obj
    if not (isinstance(obj, Seq) and obj.items is not None):
        raise Unknown
    items = {}
    for pair in obj.items:
        if not (isinstance(pair, Seq) and pair.items is not None and len(pair.items) == 2):
            raise Unknown
        items[static(pair.items[0])] = pair.items[1]
    return Dict(tuple(items.items()))


def at_update(args, kwargs):
    """``rt.at_set(x, index, values)`` and friends: a new array shaped like ``x``."""
    x, values = array(args[0]), args[2]
    dtype = x.dtype
    if dtype is not None and dtype.kind in "biu" and isinstance(values, Array) \
            and values.dtype is not None and values.dtype.kind in "fc":
        dtype = result_dtype(x, values)
    return result(dtype, x.shape)


# ------------------------------------------------------------ runtime helpers

def adjoint_like(position, zeros=False):
    """An adjoint shaped like the argument at ``position``, of its float dtype (a float
    array or scalar); for a container, a list (a dict) with one item per item, ``0.0``
    with ``zeros`` (``rt.zeros_like``), else not known."""
    def rule(args, kwargs):
        x = args[position]
        item = Array(np.dtype(np.float64), (), PYTHON) if zeros else None
        if isinstance(x, Seq):
            return Seq("list", None if x.items is None else tuple(item for _ in x.items))
        if isinstance(x, Dict):
            return Dict(tuple((k, item) for k, _ in x.items))
        if not isinstance(x, Array):
            raise Unknown
        return result(float_dtype(x.dtype), x.shape)
    return rule


def _gradient_of(x):
    if isinstance(x, Seq):
        return Seq(x.kind, None if x.items is None else tuple(_gradient_of(v) for v in x.items))
    if isinstance(x, Dict):
        return Dict(tuple((k, _gradient_of(v)) for k, v in x.items))
    if isinstance(x, Const) and x.value is None:
        return x
    if isinstance(x, Array):
        return result(float_dtype(x.dtype), x.shape)
    return None


def gradient_like(position):
    """``rt.as_gradient(d, x)``: a gradient with the structure, shapes and float dtypes of
    ``x`` (tuples stay tuples)."""
    def rule(args, kwargs):
        out = _gradient_of(args[position])
        if out is None:
            raise Unknown
        return out
    return rule


def computed_adjoint(position):
    """What an adjoint helper (``rt.matmul_adjoint``...) returns for the argument at
    ``position``: shaped like it; float64 for a float64 or integer argument (narrower floats
    may be computed in float64: not known); at rank 0 a NumPy scalar or a 0-d array."""
    def rule(args, kwargs):
        x = array(args[position])
        dtype = float_dtype(x.dtype)
        out = result(dtype if dtype == np.dtype(np.float64) else None, x.shape)
        return out.with_(kind=None) if x.shape == () else out
    return rule


def broadcast_like(args, kwargs):
    """``rt.broadcast_to(g, like)``: ``g`` itself when it has ``like``'s shape, else a view
    of it with that shape."""
    g, shape = array(args[0]), shape_of(args[1])
    if g.shape == shape:
        return g
    return Array(g.dtype, shape, NDARRAY)


def unbroadcast(args, kwargs):
    """``rt.unbroadcast(c, x, out, to=None)``: ``c`` itself when ``x`` has ``out``'s shape
    (it may be lazily broadcast), else ``c`` summed to ``x``'s shape (or ``to``'s)."""
    to = arg(args, kwargs, 3, "to", None)
    if isinstance(to, Const) and to.value is None:
        to = args[1]
    if isinstance(to, (Seq, Dict)):
        return _adjoint_structure(to)
    if isinstance(args[2], (Seq, Dict)):            # every item's part summed
        return result(None, shape_of(to))
    x, out = shape_of(args[1]), shape_of(args[2])
    differ = _differ(x, out)
    if differ is None:
        raise Unknown                  # summed, or c itself (perhaps lazily broadcast)
    if differ:
        return result(array(args[0]).dtype, shape_of(to))
    return args[0]


def _differ(shape, out_shape):
    """Was ``shape`` (an operand's) certainly stretched to make ``out_shape``: True,
    certainly not: False, not known: None."""
    if len(shape) != len(out_shape):
        return True
    if same_shape(shape, out_shape):
        return False
    if any(a == 1 and not_one(b) or type(a) is int and type(b) is int and a != b
           for a, b in zip(shape, out_shape)):
        return True
    return None


def sum_to(args, kwargs):
    """``rt.sum_to(c, shape, out_shape)``: ``unbroadcast`` with the shapes given."""
    return _summed_to(args[0], tuple(static(args[1])), tuple(static(args[2])))


def _summed_to(c, shape, out_shape):
    differ = _differ(shape, out_shape)
    if differ is None:
        raise Unknown                               # stretched or not: not known
    if not differ:
        return c
    return result(array(c).dtype, shape)


def computed_adjoint_argnum(positions, argnum_position):
    """``computed_adjoint`` of the argument ``positions[argnum]`` (argnum a static
    argument)."""
    def rule(args, kwargs):
        argnum = static(arg(args, kwargs, argnum_position, "argnum"))
        return computed_adjoint(positions[argnum])(args, kwargs)
    return rule


def scalar_of_first(args, kwargs):
    x = array(args[0])
    return Array(x.dtype, (), SCALAR)


def part(args, kwargs):
    """``rt.part(d, key)``: an item of a container adjoint; a scalar stands for all."""
    d = args[0]
    if isinstance(d, (Seq, Dict)):
        return index(d, [args[1]])
    if isinstance(d, Array) and d.shape == ():
        return d
    if isinstance(d, Array):
        return index(d, [args[1]])
    raise Unknown


def _adjoint_structure(x):
    """An adjoint with the structure of the container ``x``: a list, or a dict with its
    keys; what the items are is not known."""
    if isinstance(x, Dict):
        return Dict(tuple((k, None) for k, _ in x.items))
    return Seq("list", None if x.items is None else tuple(None for _ in x.items))


def adjoint_sum(args, kwargs):
    """``rt.add(a, b)``: broadcasting for arrays, the structure of containers."""
    a, b = args[0], args[1]
    if isinstance(a, Dict) and isinstance(b, Dict):
        keys = a.keys() + [k for k in b.keys() if k not in a.keys()]
        return Dict(tuple((k, None) for k in keys))
    for c in (a, b):
        if isinstance(c, (Seq, Dict)):
            return _adjoint_structure(c)
    return broadcasting("float")(args, kwargs)


def save_slot(args, kwargs):
    """``rt.save_slot(container, key)``: a copy of the item (rt.MISSING for a new key)."""
    item = index(args[0], [args[1]])
    if isinstance(item, Array) and item.kind == NDARRAY:
        return item
    raise Unknown


def scatter(args, kwargs):
    """``rt.scatter(g, d, index)``: zeros shaped like the array ``d`` with ``g`` added at
    ``index``; ``g`` itself for a scalar ``d``."""
    g, d = args[0], args[1]
    if isinstance(d, Array) and d.shape == ():
        return g
    if isinstance(d, (Seq, Dict)):
        return _adjoint_structure(d)
    if isinstance(d, Array) and isinstance(g, Array):
        return result(float_dtype(d.dtype), d.shape)
    raise Unknown


def gather(args, kwargs):
    """``rt.gather(g, d, index, v)``: an adjoint shaped like ``v`` (possibly a view of
    ``g``)."""
    g, v = args[0], args[3]
    if isinstance(v, Array):
        return Array(g.dtype if isinstance(g, Array) else None, v.shape, None)
    raise Unknown


def gradients(args, kwargs):
    """``rt.as_gradients(ds, xs)``: a tuple of gradients like ``xs``'s items."""
    xs = args[1]
    if isinstance(xs, Seq) and xs.items is not None:
        return Seq("tuple", tuple(_gradient_of(x) for x in xs.items))
    raise Unknown


def einsum_adjoint(args, kwargs):
    """``rt.einsum_adjoint(g, ans, operands, argnum)``: shaped like ``operands[argnum]``
    (0.0 for the subscripts)."""
    operands = args[2]
    argnum = static(arg(args, kwargs, 3, "argnum"))
    if not isinstance(operands, Seq) or operands.items is None:
        raise Unknown
    if argnum not in einsum_form([_static_or_none(a) for a in operands.items])[2]:
        return Array(np.dtype(float), (), PYTHON)
    return computed_adjoint(0)([operands.items[argnum]], {})


def einsum_of(args, kwargs):
    """``rt.einsum_of(operands)``: ``np.einsum`` of a sequence of its arguments."""
    operands = args[0]
    if not isinstance(operands, Seq) or operands.items is None:
        raise Unknown
    return einsum(list(operands.items), {})


def take_sorted(args, kwargs):
    """``rt.take_sorted(c, a, axis=-1)``: ``c``'s dtype, ``np.sort(a, axis)``'s shape."""
    c = array(args[0])
    return sort(args[1:], kwargs).with_(dtype=c.dtype)


def stack_parts(args, kwargs):
    """``rt.stack_parts(d, obj, like)``: an array like ``like``, or ``d`` itself when
    ``obj`` is not a list."""
    if isinstance(args[1], Seq):
        return adjoint_like(2)(args, kwargs)
    return args[0]


def astype_adjoint(args, kwargs):
    """``rt.astype_adjoint(g, x, ans)``: ``g`` cast to ``x``'s float dtype (kept as it is
    for an integer ``x``); the Python float 0.0 for a cast to integers."""
    g, x, out = array(args[0]), array(args[1]), array(args[2])
    if out.dtype is None or x.dtype is None:
        raise Unknown
    if out.dtype.kind not in "fc":
        return Array(np.dtype(float), (), PYTHON)
    if x.dtype.kind not in "fc":
        return g
    return result(x.dtype, g.shape)


def in_place(binary):
    """``x op= y``: for an array, ``x`` itself with its dtype and shape (NumPy casts the
    result into it); for a number, the binary operation's result."""
    def rule(args, kwargs):
        x = array(args[0])
        if x.kind == NDARRAY:
            return x.with_(value=None)
        out = binary(args, kwargs)
        if x.kind is None and isinstance(out, Array):
            return out.with_(kind=None)
        return out
    return rule


def repeat_sequence(args, kwargs):
    """``seq * n``: the items ``n`` times (the length unknown when ``n`` is)."""
    seq, n = args[0], args[1]
    if not isinstance(seq, Seq):
        raise Unknown
    try:
        count = int(static(n))
    except (Unknown, TypeError):
        return Seq(seq.kind, None)
    if seq.items is None:
        return Seq(seq.kind, None)
    return Seq(seq.kind, seq.items * count)


def aux_of(args, kwargs):
    """``rt.aux_of(pair)``: the second item of an (output, aux) pair."""
    pair = args[0]
    if isinstance(pair, Seq) and pair.items is not None and len(pair.items) == 2:
        return pair.items[1]
    raise Unknown


def cast_adjoint(args, kwargs):
    """``rt.cast_adjoint(d, x, ans)``: ``d`` itself for a float ``ans``, else zeros like x."""
    d, x, ans = args[0], array(args[1]), array(args[2])
    if ans.dtype is None:
        raise Unknown
    if np.issubdtype(ans.dtype, np.inexact):
        return d
    return result(float_dtype(x.dtype), x.shape, always_array=x.shape != ())


def cast_tangent(args, kwargs):
    """``rt.cast_tangent(t, ans)``: ``t`` in ``ans``'s dtype, or float zeros of its shape."""
    t, ans = array(args[0]), array(args[1])
    if ans.dtype is None:
        raise Unknown
    if np.issubdtype(ans.dtype, np.inexact):
        if t.kind in (NDARRAY, SCALAR):            # cast when its dtype differs
            return t.with_(dtype=ans.dtype)
        return t if t.kind == PYTHON else t.with_(dtype=None)
    return result(np.dtype(float), ans.shape, always_array=ans.shape != ())


def written_slot(args, kwargs):
    """``rt.written_slot(d, index)``: ``d[index]`` (an array), the index given as a value."""
    d, where = array(args[0]), args[1]
    components = list(where.items) if isinstance(where, Seq) and where.kind == "tuple" \
        and where.items is not None else [where]
    slot = index(d, components)
    return result(float_dtype(d.dtype), slot.shape, always_array=True)


# ------------------------------------------------------------ contractions and products

def _product_result(dtype, shape):
    """A product's result: an ndarray, or at rank 0 a NumPy scalar or a 0-d array (which
    one depends on the function and the operands)."""
    out = result(dtype, shape)
    return out.with_(kind=None) if shape == () else out


def cross(args, kwargs):
    """``np.cross(a, b, axisa, axisb, axisc, axis)``: the operands' vectors along their
    axes, the batch dimensions broadcast; a 3-vector per pair along ``axisc``, or a
    scalar per pair of 2-vectors."""
    a, b = array(args[0]), array(args[1])
    axes = [static(arg(args, kwargs, k + 2, name, -1))
            for k, name in enumerate(("axisa", "axisb", "axisc"))]
    axis = static(arg(args, kwargs, 5, "axis", None))
    if axis is not None:
        axes = [axis] * 3
    x, y = list(shape_of(a)), list(shape_of(b))
    n, m = x.pop(axes[0] % len(x)), y.pop(axes[1] % len(y))
    batch = broadcast_shapes(tuple(x), tuple(y))
    if type(n) is not int or type(m) is not int:
        raise Unknown                               # 2 or 3: not known
    if n == 2 and m == 2:
        return result(result_dtype(a, b), batch, always_array=True)
    shape = list(batch)
    shape.insert(axes[2] % (len(batch) + 1), 3)
    return result(result_dtype(a, b), tuple(shape))


def kron(args, kwargs):
    a, b = array(args[0]), array(args[1])
    x, y = shape_of(a), shape_of(b)
    rank = max(len(x), len(y))
    x, y = (1,) * (rank - len(x)) + x, (1,) * (rank - len(y)) + y
    return _product_result(result_dtype(a, b), tuple(
        None if p is None or q is None else p * q for p, q in zip(x, y)))


def tensordot(args, kwargs):
    a, b = array(args[0]), array(args[1])
    x, y = shape_of(a), shape_of(b)
    a_axes, b_axes = tensordot_axes(len(x), len(y), static(arg(args, kwargs, 2, "axes", 2)))
    shape = tuple(d for k, d in enumerate(x) if k not in a_axes) + \
        tuple(d for k, d in enumerate(y) if k not in b_axes)
    return _product_result(result_dtype(a, b), shape)


def convolve(default_mode):
    """``np.convolve`` and ``np.correlate`` of two 1-d arrays: the length by mode."""
    def rule(args, kwargs):
        a, v = array(args[0]), array(args[1])
        (n,), (m,) = shape_of(a), shape_of(v)
        mode = static(arg(args, kwargs, 2, "mode", default_mode))
        if n is None or m is None or mode not in ("full", "same", "valid"):
            raise Unknown
        size = {"full": n + m - 1, "same": max(n, m), "valid": max(n, m) - min(n, m) + 1}
        return result(result_dtype(a, v), (size[mode],))
    return rule


_BILINEAR = {"cross": cross, "kron": kron, "tensordot": tensordot,
             "convolve": convolve("full"), "correlate": convolve("valid")}


def bilinear(args, kwargs):
    """``rt.bilinear(product, a, b, options)``: the product's own result."""
    options = args[3]
    if not isinstance(options, Seq) or options.items is None:
        raise Unknown
    return _BILINEAR[static(args[0])]([args[1], args[2]] + list(options.items), {})


def _joined_size(part, axis):
    """The size along ``axis`` np.diff joins for a prepend or append (0 when absent)."""
    if part is None or isinstance(part, Const) and part.value is None:
        return 0
    shape = shape_of(part)
    return shape[axis] if shape else 1


def diff(args, kwargs):
    """``np.diff(a, n=1, axis=-1, prepend, append)``: ``n`` fewer along ``axis`` than
    the joined array."""
    a = array(arg(args, kwargs, 0, "a"))
    n = static(arg(args, kwargs, 1, "n", 1))
    axis = static(arg(args, kwargs, 2, "axis", -1))
    shape = list(shape_of(a))
    if n == 0:
        return result(a.dtype, tuple(shape), always_array=True)
    parts = [arg(args, kwargs, k, name, None) for k, name in ((3, "prepend"), (4, "append"))]
    sizes = [shape[axis]] + [_joined_size(p, axis) for p in parts]
    shape[axis] = None if None in sizes else sum(sizes) - n
    dtypes = [a] + [p for p in parts if isinstance(p, Array)]
    dtype = result_dtype(*dtypes)
    if dtype is not None and dtype.kind == "b":
        dtype = np.dtype(bool)              # np.diff of booleans is their inequality
    return result(dtype, tuple(shape), always_array=True)


def diff_adjoint(args, kwargs):
    """``rt.diff_adjoint(g, ans, a, n, axis, prepend, append, argnum)``: shaped like the
    operand ``argnum``; 0.0 for a prepend or append ``n = 0`` ignores."""
    argnum = static(arg(args, kwargs, 7, "argnum", 0))
    if argnum and static(arg(args, kwargs, 3, "n", 1)) == 0:
        return Array(np.dtype(float), (), PYTHON)
    return computed_adjoint((2, 5, 6)[argnum])(args, kwargs)


def diff_join(args, kwargs):
    """``rt.diff_join(c, a, n, axis, prepend, append, argnum)``: np.diff's result, float."""
    out = diff(args[1:], {})
    dtype = float_dtype(result_dtype(array(args[0]), array(args[1])))
    return out.with_(dtype=dtype if dtype == np.dtype(np.float64) else None)


def gradient(args, kwargs):
    """``np.gradient(f, *varargs, axis=None, edge_order=1)``: one float array like ``f``
    per axis, a tuple of them for more than one."""
    f = array(args[0])
    shape = shape_of(f)
    axis = static(kwargs["axis"]) if "axis" in kwargs else None
    count = len(shape) if axis is None else 1 if isinstance(axis, numbers.Integral) else len(axis)
    item = result(float_dtype(f.dtype), shape, always_array=True)
    return item if count == 1 else Seq("tuple", (item,) * count)


def gradient_of(args, kwargs):
    """``rt.gradient_of(f, spacing, axis=None, edge_order=1)``."""
    return gradient(args[:1], {"axis": arg(args, kwargs, 2, "axis", None)})


def polyval(args, kwargs):
    """``np.polyval(p, x)``: x broadcast with one coefficient (a scalar for a 1-d p)."""
    p, x = args[0], array(args[1])
    coefficients = _nested(p)
    shape = broadcast_shapes(shape_of(x), shape_of(coefficients)[1:])
    return _product_result(result_dtype(coefficients, x), shape)
# ------------------------------------------------------------ assembly: splitting,
# padding, triangles, selection and indexing (rules/assembly.py)

def split(fixed_axis=None):
    """``np.split(ary, indices_or_sections, axis=0)`` and ``np.array_split``: a list of
    views of ``ary``, one per piece; ``np.hsplit`` ("h": the columns, the only axis of a
    1-d array), ``np.vsplit`` (0) and ``np.dsplit`` (2) have their axis fixed."""
    def rule(args, kwargs):
        x = array(arg(args, kwargs, 0, "ary"))
        sections = static(arg(args, kwargs, 1, "indices_or_sections"))
        shape = shape_of(x)
        if fixed_axis is None:
            axis = static(arg(args, kwargs, 2, "axis", 0))
        elif fixed_axis == "h":
            axis = 1 if len(shape) > 1 else 0
        else:
            axis = fixed_axis
        axis %= len(shape)
        n = shape[axis]
        if n is None:
            if not isinstance(sections, numbers.Integral):
                raise Unknown
            lengths = [None] * int(sections)
        else:
            lengths = [len(c) for c in np.array_split(np.arange(n), sections)]
        return Seq("list", tuple(_view_of(x, shape[:axis] + (m,) + shape[axis + 1:])
                                 for m in lengths))
    return rule


def triangle(args, kwargs):
    """``np.tril(m, k)`` / ``np.triu``: a new array like ``m``; a 1-d ``m`` of length n
    gives an (n, n) matrix."""
    x = array(arg(args, kwargs, 0, "m"))
    shape = shape_of(x)
    if len(shape) == 1:
        shape = (shape[0], shape[0])
    return result(x.dtype, shape, always_array=True)


def rollaxis(args, kwargs):
    """``np.rollaxis(a, axis, start=0)``: ``np.moveaxis`` to where ``start`` says."""
    shape = shape_of(args[0])
    axis = static(arg(args, kwargs, 1, "axis")) % len(shape)
    start = static(arg(args, kwargs, 2, "start", 0))
    start = start + len(shape) if start < 0 else start
    destination = start - 1 if axis < start else start
    return moveaxis([args[0], python_scalar(axis), python_scalar(destination)], {})


def _columns(parts):
    return [p if len(shape_of(p)) >= 2 else _view_of(p, (size(shape_of(p)), 1)) for p in parts]


def column_stack(args, kwargs):
    """``np.column_stack(tup)``: 1-d (and 0-d) arrays as columns, joined along axis 1."""
    parts = _columns(_parts(arg(args, kwargs, 0, "tup")))
    return concatenate([Seq("tuple", tuple(parts)), python_scalar(1)], {})


def dstack(args, kwargs):
    """``np.dstack(tup)``: the arrays made 3-d (``np.atleast_3d``), joined along axis 2."""
    parts = [atleast(3)([p], {}) for p in _parts(arg(args, kwargs, 0, "tup"))]
    return concatenate([Seq("tuple", tuple(parts)), python_scalar(2)], {})


def append(args, kwargs):
    """``np.append(arr, values, axis=None)``: both flattened and joined for axis=None."""
    arr, values = array(args[0]), array(arg(args, kwargs, 1, "values"))
    axis = arg(args, kwargs, 2, "axis", None)
    return concatenate([Seq("tuple", (arr, values)), axis], {})


def pad(args, kwargs):
    """``np.pad(array, pad_width, ...)``: each axis longer by its (before, after) pair."""
    x = array(arg(args, kwargs, 0, "array"))
    shape = shape_of(x)
    widths = np.broadcast_to(np.asarray(static(arg(args, kwargs, 1, "pad_width")), int),
                             (len(shape), 2))
    return result(x.dtype, tuple(None if d is None else d + int(w[0]) + int(w[1])
                                 for d, w in zip(shape, widths)), always_array=True)


def pad_fill_adjoint(args, kwargs):
    """``rt.pad_fill_adjoint(g, ans, array, pad_width, constant_values=0)``: float64,
    shaped like the constants (a NumPy scalar for a number)."""
    values = arg(args, kwargs, 4, "constant_values", 0)
    shape = () if isinstance(values, Const) else shape_of(values)
    return result(np.dtype(np.float64), shape)


def partition(args, kwargs):
    """``np.partition(a, kth, axis=-1)``: ``a``'s shape, flattened for ``axis=None``."""
    return sort([arg(args, kwargs, 0, "a"), arg(args, kwargs, 2, "axis", -1)], {})


def select(args, kwargs):
    """``np.select(condlist, choicelist, default=0)``: the broadcast of them all, the
    choices' and the default's dtype."""
    conds = _parts(arg(args, kwargs, 0, "condlist"))
    choices = _parts(arg(args, kwargs, 1, "choicelist")) + [
        array(arg(args, kwargs, 2, "default", 0)) if "default" in kwargs or len(args) > 2
        else python_scalar(0)]
    shape = broadcast_shapes(*[p.shape for p in conds + choices])
    return result(result_dtype(*choices), shape, always_array=True)


def real_if_close(args, kwargs):
    """``np.real_if_close(a)`` of a real ``a``: ``a`` as an ndarray."""
    x = array(arg(args, kwargs, 0, "a"))
    if x.dtype is None or x.dtype.kind == "c":
        raise Unknown
    return Array(x.dtype, x.shape, NDARRAY)


def take(args, kwargs):
    """``np.take(a, indices, axis=None)``: the indices' shape in place of the axis."""
    x = array(arg(args, kwargs, 0, "a"))
    picked = shape_of(_nested(arg(args, kwargs, 1, "indices")))
    axis = static(arg(args, kwargs, 2, "axis", None))
    if axis is None:
        return result(x.dtype, picked)
    shape = shape_of(x)
    axis %= len(shape)
    return result(x.dtype, shape[:axis] + picked + shape[axis + 1:])


def compress(args, kwargs):
    """``np.compress(condition, a, axis=None)`` and ``np.extract``: how many conditions
    hold is data."""
    x = array(args[1] if len(args) > 1 else kwargs.get("a", kwargs.get("arr")))
    axis = static(arg(args, kwargs, 2, "axis", None))
    if axis is None:
        return result(x.dtype, (None,))
    shape = shape_of(x)
    axis %= len(shape)
    return result(x.dtype, shape[:axis] + (None,) + shape[axis + 1:])


def take_along_axis(args, kwargs):
    """``np.take_along_axis(arr, indices, axis=-1)``: ``arr`` broadcast against the
    indices along the other axes, the indices' length along ``axis``."""
    x = array(arg(args, kwargs, 0, "arr"))
    indices = shape_of(_nested(arg(args, kwargs, 1, "indices")))
    axis = static(arg(args, kwargs, 2, "axis", -1))
    if axis is None:
        return result(x.dtype, indices)
    shape = shape_of(x)
    axis %= len(shape)
    others = broadcast_shapes(shape[:axis] + (1,) + shape[axis + 1:], indices)
    return result(x.dtype, others[:axis] + (indices[axis],) + others[axis + 1:])
# ------------------------------------------------------------ decompositions (i9-linalg)

def slogdet(args, kwargs):
    """``slogdet(a)``: (sign, logabsdet), each with ``a``'s batch dimensions."""
    x = array(args[0])
    part = result(float_dtype(x.dtype), shape_of(x)[:-2])
    return Seq("tuple", (part, part))


def _float_array(aval):
    x = array(aval)
    return float_dtype(x.dtype), shape_of(x)


def eigh(args, kwargs):
    """``eigh(a)``: (eigenvalues, eigenvectors)."""
    dtype, shape = _float_array(args[0])
    return Seq("tuple", (result(dtype, shape[:-1]), result(dtype, shape)))


def eigvalsh(args, kwargs):
    dtype, shape = _float_array(args[0])
    return result(dtype, shape[:-1])


def _min_dim(m, n):
    return None if m is None or n is None else min(m, n)


def svd(args, kwargs):
    """``svd(a, full_matrices=True, compute_uv=True)``: (U, S, Vh), or S alone."""
    dtype, shape = _float_array(args[0])
    full = static(arg(args, kwargs, 1, "full_matrices", True))
    compute_uv = static(arg(args, kwargs, 2, "compute_uv", True))
    batch, m, n = shape[:-2], shape[-2], shape[-1]
    k = _min_dim(m, n)
    s = result(dtype, batch + (k,))
    if not compute_uv:
        return s
    return Seq("tuple", (result(dtype, batch + (m, m if full else k)), s,
                         result(dtype, batch + (n if full else k, n))))


def svdvals(args, kwargs):
    dtype, shape = _float_array(args[0])
    return result(dtype, shape[:-2] + (_min_dim(shape[-2], shape[-1]),))


def qr(args, kwargs):
    """``qr(a, mode='reduced')``: (Q, R), or R alone for mode='r'."""
    dtype, shape = _float_array(args[0])
    mode = static(arg(args, kwargs, 1, "mode", "reduced"))
    batch, m, n = shape[:-2], shape[-2], shape[-1]
    k = m if mode == "complete" else _min_dim(m, n)
    r = result(dtype, batch + (k, n))
    if mode == "r":
        return r
    return Seq("tuple", (result(dtype, batch + (m, k)), r))


def pinv(args, kwargs):
    dtype, shape = _float_array(args[0])
    return result(dtype, shape[:-2] + (shape[-1], shape[-2]))


def lstsq(args, kwargs):
    """``lstsq(a, b)``: (x, residuals, rank, s); how many residuals depends on the rank
    (LAPACK's, a NumPy int32)."""
    a, b = array(args[0]), array(args[1])
    dtype = float_dtype(result_dtype(a, b))
    (m, n), rhs = shape_of(a), shape_of(b)
    return Seq("tuple", (result(dtype, (n,) + rhs[1:]), result(dtype, (None,)),
                         Array(np.dtype(np.int32), (), SCALAR),
                         result(dtype, (_min_dim(m, n),))))


def multi_dot(args, kwargs):
    """``multi_dot(arrays)``: the first's rows by the last's columns (vectors drop them)."""
    parts = _parts(arg(args, kwargs, 0, "arrays"))
    shapes = [shape_of(p) for p in parts]
    dims = shapes[0][:-1] + shapes[-1][1:]
    return result(result_dtype(*parts), dims)


def matrix_power(args, kwargs):
    """``matrix_power(a, n)``: a's shape; float for a negative power."""
    x = array(args[0])
    n = static(arg(args, kwargs, 1, "n"))
    return result(x.dtype if n >= 0 else float_dtype(x.dtype), shape_of(x))


# ------------------------------------------------------------ statistics and grids
# (rules/statistics.py)

def _block_stand_in(aval):
    """Zeros of a block's static shape and dtype, nested as the blocks are."""
    if isinstance(aval, Seq):
        if aval.items is None or aval.kind != "list":
            raise Unknown
        return [_block_stand_in(item) for item in aval.items]
    x = array(aval)
    shape = shape_of(x)
    if x.dtype is None or any(d is None for d in shape):
        raise Unknown
    return np.zeros(shape, x.dtype)


def block(args, kwargs):
    """``np.block(arrays)``: read off np.block run on zeros shaped like the blocks."""
    out = np.block(_block_stand_in(arg(args, kwargs, 0, "arrays")))
    return result(out.dtype, out.shape, always_array=True)


def block_of(args, kwargs):
    """``rt.block_of(c, arrays)``: a float64 array shaped like ``np.block(arrays)``."""
    return block([args[1]], {}).with_(dtype=np.dtype(np.float64))


# ------------------------------------------------------------ forward mode: containers
# (rules/containers.py)

def _zero_tangent_of(x):
    if isinstance(x, Const) and (x.value is None or isinstance(x.value, str)):
        return x
    if isinstance(x, Seq):
        if x.items is None:
            return Seq(x.kind, None)
        items = tuple(_zero_tangent_of(v) for v in x.items)
        return None if any(v is None for v in items) else Seq(x.kind, items)
    if isinstance(x, Dict):
        items = tuple((k, _zero_tangent_of(v)) for k, v in x.items)
        return None if any(v is None for _, v in items) else Dict(items)
    if isinstance(x, Array):
        if x.kind == PYTHON:
            return Array(np.dtype(np.float64), (), PYTHON)
        return Array(float_dtype(x.dtype), x.shape, x.kind)
    return None


def zero_tangent(args, kwargs):
    """``rt.zero_tangent(x)``: float zeros with ``x``'s structure and shapes (a Python
    number's ``0.0``); ``None`` and strings as they are."""
    out = _zero_tangent_of(args[0])
    if out is None:
        raise Unknown
    return out
