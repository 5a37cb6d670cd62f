"""Adjoint bookkeeping that reverse-mode code calls.

Conventions (see docs/architecture.md, "adjoint values"):

* An adjoint may be *lazily broadcast*: any value that broadcasts to the primal's shape
  stands for its broadcast (the seed ``1.0`` for a sum over a million elements stays a
  scalar until something needs the full array).
* Adjoints of containers (tuples, lists, dicts) are mutable containers of the same
  shape: lists for tuples and lists, dicts for dicts; a zero leaf is ``0.0``.
* A *dense* adjoint is a full-shape float array (or container) the generated code owns
  and may update in place; ``zeros_like`` and ``dense`` make one.
"""
import numbers

import numpy as np


def _is_container(x):
    return isinstance(x, (list, tuple, dict))


def _float_dtype(x):
    dtype = np.result_type(x)
    if np.issubdtype(dtype, np.inexact):
        return dtype
    return np.dtype(np.float64)


# ------------------------------------------------------------ shapes

def unbroadcast(c, x, out, to=None):
    """The part of contribution ``c`` (to an output shaped like ``out``) that belongs to ``x``.

    Sums over the axes along which ``x`` was broadcast to make ``out``.  When ``x`` already
    has the output's shape, ``c`` is returned unchanged (it may stay lazily broadcast).
    Containers go leaf by leaf (``x`` may be one value standing for all of ``out``'s
    leaves: their parts are summed); a ``None`` leaf of ``out`` contributes nothing.

    With ``to``, the sum goes to ``to``'s shape instead of ``x``'s (``x`` still decides
    whether ``c`` passes unchanged): ``unbroadcast(g, x, out, c)`` is the transpose of
    ``unbroadcast(c, x, out)``, so one helper closes under differentiation.
    """
    to = x if to is None else to
    if out is None:
        return 0.0
    if _is_container(out):
        if _is_container(to):              # structured like `to` (a key out lacks: 0.0)
            keys = list(to.keys()) if isinstance(to, dict) else range(len(to))
            parts = [unbroadcast(part(c, k), part(x, k), out.get(k) if isinstance(out, dict)
                                 else out[k], part(to, k)) for k in keys]
            return dict(zip(keys, parts)) if isinstance(to, dict) else parts
        keys = list(out.keys()) if isinstance(out, dict) else range(len(out))
        total = 0.0
        for k in keys:
            total = total + unbroadcast(part(c, k), part(x, k), out[k], to)
        return total
    if np.shape(x) == np.shape(out):
        return c
    return sum_to(c, np.shape(to), np.shape(out))


def sum_to(c, shape, out_shape):
    """``unbroadcast`` with the shapes given: sum ``c`` (for ``out_shape``) down to ``shape``."""
    if shape == out_shape:
        return c
    c = np.broadcast_to(c, out_shape)
    lead = len(out_shape) - len(shape)
    if lead > 0:
        c = np.sum(c, axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and c.shape[i] != 1)
    if axes:
        c = np.sum(c, axis=axes, keepdims=True)
    if not shape:
        return c[()] if isinstance(c, np.ndarray) else c
    return c


def broadcast_to(g, like):
    """``g`` materialised to the shape of ``like`` (a read-only view when it broadcasts)."""
    shape = np.shape(like)
    if np.shape(g) == shape:
        return g
    return np.broadcast_to(g, shape)


def broadcast_tangent(t, like):
    """The tangent ``t`` of one operand, made the tangent of a result shaped like ``like``
    (an array of its own where it broadcasts: a tangent may be written into in place)."""
    shape = np.shape(like)
    if np.shape(t) == shape:
        return t
    return np.array(np.broadcast_to(t, shape))


def cast_tangent(t, ans):
    """The tangent ``t`` of a result computed in a given dtype: zero when ``ans`` is
    integer or boolean (a step function), else ``t`` in ``ans``'s dtype."""
    dtype = np.result_type(ans)
    if not np.issubdtype(dtype, np.inexact):
        return np.zeros(np.shape(ans)) if np.ndim(ans) else 0.0
    if isinstance(t, (np.ndarray, np.generic)) and t.dtype != dtype:
        return t.astype(dtype)
    return t


# ------------------------------------------------------------ zeros and accumulation

def zeros_like(x):
    """A dense zero adjoint for ``x``: float zeros, or a container of ``0.0`` leaves."""
    if isinstance(x, dict):
        return {k: 0.0 for k in x}
    if isinstance(x, (list, tuple)):
        return [0.0] * len(x)
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, _float_dtype(x))
    return 0.0


def dense(d, x):
    """A fresh dense adjoint for ``x`` holding the value of adjoint ``d`` (a container's
    array items full-size too, so that accumulating into one never changes its shape;
    items that are containers are kept as they are)."""
    if isinstance(x, dict):
        return {k: _dense_item(part(d, k), v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_dense_item(part(d, k), v) for k, v in enumerate(x)]
    if isinstance(x, np.ndarray) or np.ndim(d) > 0:
        return np.array(np.broadcast_to(d, np.shape(x)), dtype=_float_dtype(x))
    return d


def _dense_item(d, x):
    return dense(d, x) if isinstance(x, np.ndarray) else d


def _is_basic(index):
    if isinstance(index, tuple):
        return all(_is_basic(i) for i in index)
    return (index is None or index is Ellipsis or isinstance(index, (slice, numbers.Integral))
            and not isinstance(index, bool))


def add_at(d, index, g):
    """In place: ``d[index] += g`` on a dense adjoint, accumulating repeated indices."""
    if isinstance(d, (list, dict)):
        current = d.get(index, 0.0) if isinstance(d, dict) else d[index]
        # a container's leaf is never updated in place, so it may hold g itself
        d[index] = g if _is_zero(current) else add(current, g)
    elif _is_basic(index):
        d[index] += g
    else:
        np.add.at(d, index, g)


def _is_zero(value):
    return type(value) is float and value == 0.0


def written_slot(d, index):
    """What ``d[index]`` holds where ``x[index] = v`` left its values: with repeated
    integer indices NumPy keeps the last write to each element, the others read 0."""
    value = np.array(d[index])
    winners = _last_writers(np.shape(d), index, value.shape)
    return np.where(winners, value, 0.0)


def _last_writers(shape, index, slot_shape):
    """Mask over ``x[index]`` marking the elements that survive ``x[index] = v``."""
    ids = np.arange(int(np.prod(slot_shape))).reshape(slot_shape)
    board = np.full(shape, -1, dtype=np.int64)
    board[index] = ids
    return board[index] == ids


def part(d, key):
    """Component ``key`` of a container adjoint (a scalar adjoint broadcasts to all parts;
    a key a dict adjoint lacks is a zero)."""
    if isinstance(d, dict):
        return d.get(key, 0.0)
    if isinstance(d, (list, tuple)):
        return d[key]
    if np.ndim(d) == 0:
        return d
    return d[key]


def scatter(g, d, index):
    """Zeros shaped like adjoint ``d`` with ``g`` added at ``index`` (repeated indices
    add up): the adjoint of ``part(d, index)`` and of ``d[index]``.  A scalar ``d``
    stands for all its parts, so ``g`` is its adjoint whole."""
    if not _is_container(d) and np.ndim(d) == 0:
        return g
    full = zeros_like(d)
    add_at(full, index, g)
    return full


def gather(g, d, index, v):
    """``g``'s part at ``index`` (``g`` standing for an adjoint shaped like ``d``), summed
    to the shape of ``v``: the adjoint of ``v`` in ``add_at(d, index, v)``, each
    repeated index giving its own copy."""
    if _is_container(d):
        # the item may have grown since (a lazily broadcast value added to): the sum
        # down to v's shape is the same
        return unbroadcast(part(g, index), v, d[index])
    if np.ndim(d) == 0:
        return unbroadcast(g, v, d)
    slot = np.broadcast_to(g, np.shape(d))[index]
    return unbroadcast(slot, v, slot)


def cleared(g, d, key):
    """A copy of container adjoint ``g`` (for the container ``d``) whose item ``key`` is
    zero: the adjoint of a container before its item ``key`` was overwritten."""
    if _is_container(g):
        out = dict(g) if isinstance(g, dict) else list(g)
    else:                                  # g stood for every item
        out = {k: g for k in d} if isinstance(d, dict) else [g] * len(d)
    out[key] = 0.0
    return out


def add(a, b):
    """Generic adjoint sum: arrays, scalars and containers (structure of the containers)."""
    if isinstance(a, dict) or isinstance(b, dict):
        keys = list(a) if isinstance(a, dict) else list(b)
        if isinstance(a, dict) and isinstance(b, dict):
            keys += [k for k in b if k not in a]
        return {k: add(part(a, k), part(b, k)) for k in keys}
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        n = len(a) if isinstance(a, (list, tuple)) else len(b)
        return [add(part(a, k), part(b, k)) for k in range(n)]
    return a + b


# ------------------------------------------------------------ seeds and results

def seed(out):
    """The cotangent 1.0 that starts a gradient; refuses non-scalar, None, boolean and
    complex outputs (as JAX does)."""
    if isinstance(out, (tuple, list, dict)):
        raise TypeError(
            "Gradient only defined for scalar-output functions. Output was a %s; if the "
            "function returns (value, auxiliary data), use has_aux=True."
            % type(out).__name__)
    if out is None:
        raise TypeError("Gradient only defined for scalar-output functions, but the "
                        "function returned None (is a `return` missing?)")
    shape = np.shape(out)
    if shape != ():
        raise TypeError("Gradient only defined for scalar-output functions. Output had "
                        "shape: %s." % (shape,))
    dtype = np.result_type(out)
    if dtype == np.bool_:
        raise TypeError("Gradient only defined for real-valued outputs, but the function "
                        "returned a boolean: a comparison has no derivative")
    check_real(dtype, "the function returned a complex value (%s)" % dtype.name)
    if not np.issubdtype(dtype, np.inexact):
        if np.issubdtype(dtype, np.number):
            return 1.0
        raise TypeError("Gradient only defined for numeric outputs; got %r." % (out,))
    return np.ones((), dtype)[()]


def check_real(dtype, what):
    """TypeError if ``dtype`` is complex: complex numbers are outside transpiler's scope."""
    if np.issubdtype(dtype, np.complexfloating):
        raise TypeError("complex numbers are not supported: %s; transpiler differentiates "
                        "real-valued functions of real arguments" % what)


def masked(g, mask):
    """``np.where(mask, g, 0.0)``, computed as ``g * mask`` (several times faster: no
    branches); where that product is not finite it falls back to ``np.where``, so that
    an infinite ``g`` where the mask is False still gives exactly 0."""
    product = np.multiply(g, mask)
    if np.ndim(g) == 0 and np.isfinite(g):
        return product                    # a finite scalar times 0/1 is exact
    if np.ndim(product) and not np.isfinite(product).all():
        return np.where(mask, g, 0.0)
    if not np.ndim(product) and not np.isfinite(product):
        return np.where(mask, g, 0.0)[()]
    return product


def as_value(out):
    """A scalar result as a NumPy scalar (``np.float64`` for Python floats)."""
    return np.asarray(out)[()]


def as_gradient(d, x):
    """Adjoint ``d`` as a gradient with the shape, dtype and structure of ``x``."""
    if x is None:
        return None
    if isinstance(x, dict):
        return type(x)((k, as_gradient(part(d, k), v)) for k, v in x.items()) \
            if type(x) is not dict else {k: as_gradient(part(d, k), v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[as_gradient(part(d, k), v) for k, v in enumerate(x)])
    if isinstance(x, (list, tuple)):
        parts = [as_gradient(part(d, k), v) for k, v in enumerate(x)]
        return parts if isinstance(x, list) else tuple(parts)
    shape = np.shape(x)
    dtype = _float_dtype(x)
    check_real(np.result_type(d), "a complex value met the derivative of a real argument")
    if (isinstance(d, np.ndarray) and d.shape == shape and d.dtype == dtype
            and d.base is None and d.flags.writeable and shape != ()):
        return d
    result = np.array(np.broadcast_to(d, shape), dtype=dtype)
    if shape == ():
        return result[()]
    return result


def as_gradients(ds, xs):
    """Gradients for several arguments; no two share memory, none is an input."""
    out = []
    seen = {id(x) for x in xs}
    for d, x in zip(ds, xs):
        g = as_gradient(d, x)
        if isinstance(g, np.ndarray) and id(g) in seen:
            g = g.copy()
        seen.add(id(g))
        out.append(g)
    return tuple(out)


# ------------------------------------------------------------ tangents

def zero_tangent(x):
    """The tangent of a value that does not change: float zeros with the structure and
    shapes of ``x`` (lists, tuples, namedtuples and dicts kept; an array or NumPy scalar
    of its float dtype; ``0.0`` for a Python number).  ``None`` and text (a dict key)
    carry no tangent and stand for themselves: a tangent is never a number there."""
    if x is None or isinstance(x, str):
        return x
    if isinstance(x, dict):
        return {k: zero_tangent(v) for k, v in x.items()} if type(x) is dict else \
            type(x)((k, zero_tangent(v)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[zero_tangent(v) for v in x])
    if isinstance(x, (list, tuple)):
        parts = [zero_tangent(v) for v in x]
        return parts if isinstance(x, list) else tuple(parts)
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, _float_dtype(x))
    if isinstance(x, np.generic):
        return _float_dtype(x).type(0)
    return 0.0
