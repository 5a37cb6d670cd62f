"""Adjoints of NumPy's linear algebra, reductions and array assembly.

Each function takes the output adjoint ``g`` (possibly lazily broadcast), the output
``ans`` where needed, and the primal arguments, and returns one argument's adjoint.
"""
import numbers

import numpy as np

from .adjoint import _float_dtype, add, part, unbroadcast, zeros_like


def _full(g, ans):
    shape = np.shape(ans)
    return g if np.shape(g) == shape else np.broadcast_to(g, shape)


def _sum_to(c, shape):
    """Sum leading broadcast dimensions of ``c`` away to reach ``shape``."""
    lead = np.ndim(c) - len(shape)
    if lead > 0:
        c = np.sum(c, axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and np.shape(c)[i] != 1)
    if axes:
        c = np.sum(c, axis=axes, keepdims=True)
    return c


# ------------------------------------------------------------ matmul and dot

def matmul_adjoint(g, ans, x, y, argnum):
    """Adjoint of ``x @ y`` for argument 0 (x) or 1 (y), NumPy's matmul semantics."""
    g = _full(g, ans)
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 1 and y.ndim == 1:
        return g * y if argnum == 0 else g * x
    if x.ndim == 1:                                   # (n,) @ (..., n, m) -> (..., m)
        if argnum == 0:
            return _sum_to(np.matmul(y, g[..., None])[..., 0], x.shape)
        return _sum_to(x[:, None] * g[..., None, :], y.shape)
    if y.ndim == 1:                                   # (..., k, n) @ (n,) -> (..., k)
        if argnum == 0:
            return _sum_to(g[..., :, None] * y, x.shape)
        return _sum_to(np.matmul(np.swapaxes(x, -1, -2), g[..., None])[..., 0], y.shape)
    if argnum == 0:
        return _sum_to(np.matmul(g, np.swapaxes(y, -1, -2)), x.shape)
    return _sum_to(np.matmul(np.swapaxes(x, -1, -2), g), y.shape)


def dot_adjoint(g, ans, x, y, argnum):
    """Adjoint of ``np.dot(x, y)``."""
    x = np.asarray(x)
    y = np.asarray(y)
    g = _full(g, ans)
    if x.ndim == 0 or y.ndim == 0:
        if argnum == 0:
            return np.sum(g * y) if x.ndim == 0 else g * y
        return np.sum(g * x) if y.ndim == 0 else g * x
    if x.ndim <= 2 and y.ndim <= 2:
        return matmul_adjoint(g, ans, x, y, argnum)
    # general N-d dot: contraction of x's last axis with y's second-to-last (its only
    # axis when y is 1-d)
    k = max(y.ndim - 2, 0)
    if argnum == 0:
        axes_g = list(range(x.ndim - 1, g.ndim))
        y_axes = [i for i in range(y.ndim) if i != k]
        return np.tensordot(g, y, (axes_g, y_axes))
    axes_g = list(range(x.ndim - 1))
    xg = np.tensordot(x, g, (list(range(x.ndim - 1)), axes_g))   # (n, y-shape w/o n)
    return np.moveaxis(xg, 0, k)


def outer_adjoint(g, ans, a, b, argnum):
    g = _full(g, ans)
    if argnum == 0:
        return np.reshape(g @ np.ravel(b), np.shape(a))
    return np.reshape(np.ravel(a) @ g, np.shape(b))


# ------------------------------------------------------------ norms and products

def norm_adjoint(g, ans, x, ord=None, axis=None, keepdims=False):
    """Adjoint of ``np.linalg.norm``: every vector norm and every matrix norm.

    Where the norm is not differentiable the adjoint is a subgradient chosen as for
    ``max`` and ``abs``: ties (equal singular values, equal row or column sums) share it
    equally, and entries equal to 0 get ``sign(0) = 0``.
    """
    x = np.asarray(x)
    g = _full(g, ans)
    axes = tuple(range(x.ndim)) if axis is None else \
        (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    axes = tuple(a % x.ndim for a in axes) if x.ndim else ()
    if not keepdims:
        g = np.expand_dims(g, axes)
        ans = np.expand_dims(ans, axes)
    matrix = len(axes) == 2 and not (axis is None and ord is None)
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        safe = np.where(ans == 0, 1.0, ans)
        return np.where(ans == 0, 0.0, g * x / safe)
    if matrix:
        return _matrix_norm_adjoint(g, x, ord, axes)
    if ord in (np.inf, -np.inf):
        # ties share the adjoint equally
        mask = np.abs(x) == ans
        return g * np.sign(x) * mask / np.sum(mask, axis=axes, keepdims=True)
    if ord == 0:
        return np.zeros(x.shape)                  # the number of nonzero entries
    if isinstance(ord, numbers.Real):
        # d/dx (sum |x|^p)^(1/p) = sign(x) |x|^(p-1) / norm^(p-1)
        safe = np.where(ans == 0, 1.0, ans)
        return g * np.sign(x) * (np.abs(x) / safe) ** (ord - 1)
    raise ValueError("invalid norm order %r" % (ord,))


def _matrix_norm_adjoint(g, x, ord, axes):
    """Adjoint of a matrix norm over ``axes`` (rows, columns); ``g`` keeps their dims."""
    m = np.moveaxis(x, axes, (-2, -1))
    g = np.moveaxis(g, axes, (-2, -1))[..., 0, 0]
    pick = np.min if ord in (-1, -2, -np.inf) else np.max
    if ord in ("nuc", 2, -2):
        u, s, vt = np.linalg.svd(m, full_matrices=False)
        if ord == "nuc":
            weights = np.ones_like(s)             # d sum(s) = U V^T
        else:
            # the largest (2) or smallest (-2) singular value: u v^T, ties sharing
            weights = _shares(s == pick(s, axis=-1, keepdims=True))
        adjoint = np.matmul(u * weights[..., None, :], vt)
    elif ord in (1, -1):
        # the largest or smallest absolute column sum: sign(x) in that column
        sums = np.sum(np.abs(m), axis=-2)
        adjoint = np.sign(m) * _shares(sums == pick(sums, axis=-1, keepdims=True))[..., None, :]
    elif ord in (np.inf, -np.inf):
        # the largest or smallest absolute row sum: sign(x) in that row
        sums = np.sum(np.abs(m), axis=-1)
        adjoint = np.sign(m) * _shares(sums == pick(sums, axis=-1, keepdims=True))[..., :, None]
    else:
        raise ValueError("invalid norm order %r for matrices" % (ord,))
    return np.moveaxis(g[..., None, None] * adjoint, (-2, -1), axes)


def _shares(mask):
    """Equal shares of 1 among the True entries of ``mask`` along its last axis."""
    return mask / np.sum(mask, axis=-1, keepdims=True)


def prod_adjoint(g, ans, x, axis=None, keepdims=False):
    """Adjoint of ``np.prod``, exact when some entries are zero."""
    x = np.asarray(x, dtype=float)
    g = _full(g, ans)
    if axis is None:
        flat = x.reshape(-1)
        others = _exclusive_products(flat, 0)
        g = np.reshape(g, ()) if np.ndim(g) else g
        return (g * others).reshape(x.shape)
    if not keepdims:
        g = np.expand_dims(g, axis)
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(a % x.ndim for a in axes)
    if len(axes) == 1:
        return g * _exclusive_products(x, axes[0])
    moved = np.moveaxis(x, axes, range(len(axes)))
    shape = moved.shape
    flat = moved.reshape((-1,) + shape[len(axes):])
    others = _exclusive_products(flat, 0).reshape(shape)
    return g * np.moveaxis(others, range(len(axes)), axes)


def _exclusive_products(x, axis):
    """For each element, the product of all others along ``axis``."""
    x = np.moveaxis(x, axis, 0)
    n = x.shape[0]
    left = np.ones_like(x)
    right = np.ones_like(x)
    if n > 1:
        left[1:] = np.cumprod(x[:-1], axis=0)
        right[:-1] = np.cumprod(x[::-1][:-1], axis=0)[::-1]
    return np.moveaxis(left * right, 0, axis)


def cast_adjoint(d, x, ans):
    """The adjoint ``d`` of ``x`` through a call computing ``ans`` in a given dtype: zero
    when ``ans`` is integer or boolean (a step function of ``x``), else ``d``."""
    if np.issubdtype(np.result_type(ans), np.inexact):
        return d
    return zeros_like(x)


def prod_pairs(w, x):
    """Along the last axis, ``out[..., m] = sum(w[..., j] * prod(x[..., l] for l not in
    (j, m)) for j != m)``: the product's second derivative applied to ``w``, exact when
    ``x`` holds zeros."""
    x = np.asarray(x, dtype=float)
    w = np.broadcast_to(w, x.shape)
    if np.all(x != 0):
        # the product without x_j and x_m is the product without x_m, divided by x_j; the
        # sums over j != m run from both ends (subtracting term m would cancel badly when
        # x_m is small)
        ratios = w / x
        before = np.zeros_like(ratios)
        before[..., 1:] = np.cumsum(ratios[..., :-1], axis=-1)
        after = np.zeros_like(ratios)
        after[..., :-1] = np.cumsum(ratios[..., :0:-1], axis=-1)[..., ::-1]
        return _exclusive_products(x, -1) * (before + after)
    # row m of `rows` is x with its m-th entry set to 1: its exclusive products leave
    # x_m out as well
    eye = np.eye(x.shape[-1], dtype=bool)
    rows = np.where(eye, 1.0, x[..., None, :])
    return np.sum(np.where(eye, 0.0, w[..., None, :] * _exclusive_products(rows, -1)), axis=-1)


def cumsum_adjoint(g, ans, x, axis=None):
    g = _full(g, ans)
    if axis is None:
        return np.reshape(np.cumsum(g[::-1])[::-1], np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_adjoint(g, ans, x, axis=None):
    """Adjoint of ``np.cumprod``, exact when some entries are zero."""
    g = _full(g, ans)
    if axis is None:
        flat = cumprod_adjoint(np.ravel(g), np.ravel(ans), np.ravel(x), 0)
        return np.reshape(flat, np.shape(x))
    x = np.asarray(x, dtype=float)
    if np.all(x != 0):
        return np.flip(np.cumsum(np.flip(g * ans, axis), axis), axis) / x
    # adjoint_j = prod(x[:j]) * r_j, where r_j = g_j + x_{j+1} r_{j+1}: no division
    x = np.moveaxis(x, axis, 0)
    r = np.array(np.moveaxis(g, axis, 0), dtype=float)
    for j in range(len(r) - 2, -1, -1):
        r[j] += x[j + 1] * r[j + 1]
    before = np.ones_like(x)
    before[1:] = np.cumprod(x[:-1], axis=0)
    return np.moveaxis(before * r, 0, axis)


# ------------------------------------------------------------ assembly of arrays

def unstack(g, ans, parts, axis=0):
    """Adjoint of ``np.stack(parts, axis)``: one slice per part."""
    g = _full(g, ans)
    if isinstance(parts, np.ndarray):
        # np.stack(a) of one array stacks its rows: a moved axis
        return np.array(np.moveaxis(g, axis, 0))
    return [np.take(g, k, axis=axis) for k in range(len(parts))]


def promoted_shape(part, ndmin):
    """The shape of ``part`` made at least ``ndmin``-d as np.vstack (2) and np.hstack (1)
    do (leading axes of size 1)."""
    shape = tuple(np.shape(part))
    return (1,) * max(0, ndmin - len(shape)) + shape


def unconcatenate(g, ans, parts, axis=0, like=None, ndmin=0):
    """Adjoint of ``np.concatenate(parts, axis)``.

    Each piece is shaped like the matching entry of ``like`` (by default ``parts``): the
    arguments of ``np.vstack``/``np.hstack`` before they were made ``ndmin``-d.
    """
    g = _full(g, ans)
    sizes = [promoted_shape(p, ndmin)[axis] if axis is not None else np.size(p) for p in parts]
    if axis is None:
        g = np.ravel(g)
        axis = 0
    cuts = np.cumsum(sizes)[:-1]
    pieces = np.split(g, cuts, axis=axis)
    like = like if like is not None else parts
    adjoints = [np.reshape(piece, np.shape(p)) for piece, p in zip(pieces, like)]
    if isinstance(like, np.ndarray):
        # np.vstack(a) of one array stacks its rows: the adjoint is one array again
        return np.reshape(np.array(adjoints), np.shape(like))
    return adjoints


def array_adjoint(g, ans, obj, ndmin=0):
    """Adjoint of ``np.array(obj, ndmin=ndmin)``: the same nesting of lists as ``obj``."""
    extra = np.ndim(ans) - np.ndim(obj)
    if ndmin and extra > 0:                       # leading axes ndmin added
        g = np.reshape(_full(g, ans), np.shape(ans)[extra:])
        ans = np.reshape(ans, np.shape(ans)[extra:])
    if isinstance(obj, (list, tuple)):
        g = _full(g, ans)
        return [array_adjoint(g[k], g[k], item) for k, item in enumerate(obj)]
    return g


def stack_parts(d, obj, like):
    """The array shaped like ``like`` holding the parts of the adjoint ``d`` of lists nested
    as ``obj``, each broadcast to its place (``array_adjoint`` transposed); ``d`` itself
    when ``obj`` is not a list, and a ``d`` that is not a list stands for every part."""
    if not isinstance(obj, (list, tuple)):
        return d
    if not isinstance(d, (list, tuple)):
        return np.array(np.broadcast_to(d, np.shape(like)), dtype=_float_dtype(like))
    out = np.zeros(np.shape(like), _float_dtype(like))
    for k, item in enumerate(obj):
        out[k] = stack_parts(d[k], item, out[k])
    return out


def split_parts(g, d, obj, like):
    """The adjoint of ``d`` in ``stack_parts(d, obj, like)``: the blocks of ``g`` nested as
    ``d``, each summed to the shape of the part of ``d`` that filled it."""
    if not isinstance(obj, (list, tuple)):
        return g
    return _split(np.broadcast_to(g, np.shape(like)), d)


def _split(g, d):
    if not isinstance(d, (list, tuple)):
        return unbroadcast(g, d, g)
    return [_split(g[k], item) for k, item in enumerate(d)]


def sum_builtin_adjoint(g, iterable, ans=None):
    """Adjoint of builtin ``sum(iterable)``: every element gets ``g``, summed over the
    axes along which that element was broadcast (every row of an array gets ``g``)."""
    if isinstance(iterable, (list, tuple)):
        if ans is None:
            return [g] * len(iterable)
        return [unbroadcast(g, item, ans) for item in iterable]
    return g


def minmax_builtin_adjoint(g, ans, args, argnum, pick, key=None):
    """Adjoint of builtin ``max(a, b, ...)``/``min`` (by ``key``): ``g`` goes to the
    element chosen."""
    if len(args) == 1:
        items = list(args[0])
        index = pick(items, key)
        out = [0.0] * len(items)
        out[index] = g
        if isinstance(args[0], np.ndarray):
            out = np.zeros(np.shape(args[0]), float)
            out[index] = g
        return out
    return g if pick(list(args), key) == argnum else 0.0 * g


def first_max(items, key=None):
    """The position builtin ``max(items, key=key)`` takes its result from (the first of
    equal ones)."""
    values = items if key is None else [key(item) for item in items]
    best = 0
    for k in range(1, len(values)):
        if values[k] > values[best]:
            best = k
    return best


def first_min(items, key=None):
    values = items if key is None else [key(item) for item in items]
    best = 0
    for k in range(1, len(values)):
        if values[k] < values[best]:
            best = k
    return best


def astype_adjoint(g, x, ans):
    """Adjoint of a cast: passes through float-to-float casts, zero into integers."""
    if not np.issubdtype(np.result_type(ans), np.inexact):
        return 0.0
    dtype = np.result_type(x)
    if np.issubdtype(dtype, np.inexact):
        return np.asarray(g).astype(dtype)[()] if np.ndim(g) == 0 else np.asarray(g, dtype)
    return g


def det_adjoint(g, ans, a):
    """Adjoint of ``np.linalg.det``: ``g`` times the cofactor matrix of ``a``.

    The cofactor matrix (the adjugate's transpose) is ``det(a) inv(a).T`` for invertible
    matrices, and exists for singular ones too.  From the SVD ``a = U diag(s) V^T`` it is
    ``det(U) det(V) U diag(prod_{j != i} s_j) V^T``, which divides by nothing: exact for
    singular matrices, accurate for nearly singular ones, batched over leading axes.
    """
    a = np.asarray(a, dtype=np.result_type(a, float))
    g = _full(g, ans)
    if a.shape[-1] == 0:
        return np.zeros(a.shape)
    u, s, vt = np.linalg.svd(a)
    sign = np.linalg.det(u) * np.linalg.det(vt)        # each is 1 or -1
    cofactor = np.matmul(u * _exclusive_products(s, -1)[..., None, :], vt)
    return (g * sign)[..., None, None] * cofactor


def solve_adjoint(g, ans, a, b, argnum):
    """Adjoint of ``np.linalg.solve(a, b)``: ``b`` is a vector only when it is 1-d (as in
    NumPy 2), otherwise a (stack of) matrices; stacks broadcast."""
    g = _full(g, ans)
    a_t = np.swapaxes(a, -1, -2)
    if np.ndim(b) == 1:
        gb = np.linalg.solve(a_t, g[..., None])[..., 0]
        if argnum == 1:
            return _sum_to(gb, np.shape(b))
        return _sum_to(-gb[..., :, None] * ans[..., None, :], np.shape(a))
    gb = np.linalg.solve(a_t, g)
    if argnum == 1:
        return _sum_to(gb, np.shape(b))
    return _sum_to(-np.matmul(gb, np.swapaxes(ans, -1, -2)), np.shape(a))


def diag_adjoint(g, ans, v, k=0):
    g = _full(g, ans)
    if np.ndim(v) == 1:
        return np.diagonal(g, k)
    out = np.zeros(np.shape(v), float)
    n = np.shape(ans)[0]
    rows = np.arange(n) + max(-k, 0)
    cols = np.arange(n) + max(k, 0)
    out[rows, cols] = g
    return out


def undiagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    """Adjoint of ``np.diagonal(a, offset, axis1, axis2)``: zeros shaped like ``a`` with
    ``g`` written along that diagonal (the diagonal is ``g``'s last axis)."""
    out = np.zeros(np.shape(a), _float_dtype(a))
    n = np.shape(ans)[-1]
    rows = np.arange(n) + max(-offset, 0)
    cols = np.arange(n) + max(offset, 0)
    # a view with the diagonal's two axes last, written through
    np.moveaxis(out, (axis1, axis2), (-2, -1))[..., rows, cols] = _full(g, ans)
    return out


def trace_adjoint(g, ans, a, offset=0, axis1=0, axis2=1):
    """Adjoint of ``np.trace(a, offset, axis1, axis2)``: ``g`` along that diagonal."""
    a = np.asarray(a)
    axis1, axis2 = axis1 % a.ndim, axis2 % a.ndim
    eye = np.eye(a.shape[axis1], a.shape[axis2], k=offset)
    if a.ndim == 2:
        return g * (eye if axis1 < axis2 else eye.T)
    # the trace's axes are a's others, in order: put the diagonal's two axes back
    spread = _full(g, ans)[..., None, None] * eye
    return np.moveaxis(spread, (-2, -1), (axis1, axis2))


def sort_adjoint(g, ans, a, axis=-1):
    """Adjoint of ``np.sort``: each output adjoint goes back to where its value came from."""
    g = _full(g, ans)
    if axis is None:
        order = np.argsort(np.ravel(a), kind="stable")
        out = np.zeros(np.size(a), float)
        out[order] = np.ravel(g)
        return out.reshape(np.shape(a))
    order = np.argsort(a, axis=axis, kind="stable")
    out = np.zeros(np.shape(a), float)
    np.put_along_axis(out, order, g, axis=axis)
    return out


def take_sorted(c, a, axis=-1):
    """The entries of ``c`` (broadcast to ``a``'s shape) in the order ``np.sort(a, axis)``
    puts ``a``'s, flattened for ``axis=None``: ``sort_adjoint`` transposed."""
    c = np.broadcast_to(c, np.shape(a))
    if axis is None:
        return np.ravel(c)[np.argsort(np.ravel(a), kind="stable")]
    return np.take_along_axis(c, np.argsort(a, axis=axis, kind="stable"), axis=axis)


def untile(g, ans, a, reps):
    """Adjoint of ``np.tile(a, reps)``: sum the tiles."""
    g = _full(g, ans)
    shape = np.shape(a)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    ndim = max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + tuple(shape)
    reps = (1,) * (ndim - len(reps)) + reps
    split = []
    for r, n in zip(reps, shape):
        split += [r, n]
    summed = np.reshape(g, split).sum(axis=tuple(range(0, 2 * ndim, 2)))
    return np.reshape(summed, np.shape(a))


def unrepeat(g, ans, a, repeats, axis=None):
    """Adjoint of ``np.repeat(a, repeats, axis)``."""
    g = _full(g, ans)
    if axis is None:
        flat = np.ravel(a)
        index = np.repeat(np.arange(flat.size), repeats)
        out = np.zeros(flat.size, float)
        np.add.at(out, index, np.ravel(g))
        return out.reshape(np.shape(a))
    n = np.shape(a)[axis]
    index = np.repeat(np.arange(n), repeats)
    moved = np.moveaxis(g, axis, 0)
    out = np.zeros((n,) + moved.shape[1:], float)
    np.add.at(out, index, moved)
    return np.moveaxis(out, 0, axis)


def linspace_adjoint(g, ans, start, stop, num=50, endpoint=True, argnum=0):
    """Adjoint of ``np.linspace(start, stop, num)`` for start (0) or stop (1)."""
    g = _full(g, ans)
    steps = (num - 1) if endpoint else num
    t = np.arange(num) / steps if steps > 0 else np.zeros(num)
    weight = (1.0 - t) if argnum == 0 else t
    if np.ndim(g) > 1:
        weight = np.reshape(weight, (-1,) + (1,) * (np.ndim(g) - 1))
    return _sum_to(np.sum(g * weight, axis=0), np.shape(start if argnum == 0 else stop))


def sequence_adjoint(g, iterable):
    """Adjoint of ``list(x)``/``tuple(x)``: list parts, or the array of rows."""
    if isinstance(iterable, dict):
        return {k: 0.0 for k in iterable}           # list(d) is d's keys: no derivative
    if isinstance(iterable, (list, tuple)):
        return g
    if isinstance(g, (list, tuple)):
        return np.stack([np.broadcast_to(p, np.shape(iterable)[1:]) for p in g])
    return g


def dict_values_adjoint(g, d):
    """Adjoint of ``list(d.values())``: a dict with the same keys."""
    keys = list(d)
    if isinstance(g, list):
        return dict(zip(keys, g))
    return {k: g for k in keys}


def _last_pairs(obj):
    """{key: position of the last (key, value) pair with that key} of ``dict(obj)``'s
    argument: an earlier pair with the same key is overwritten."""
    return {pair[0]: n for n, pair in enumerate(obj)}


def dict_of_adjoint(g, obj):
    """Adjoint of ``dict(obj)``: a dict adjoint for a mapping; for pairs, ``(0.0, g's
    part at the key)`` in each pair that was kept (keys carry no derivative)."""
    if isinstance(obj, dict):
        return {k: part(g, k) for k in obj}
    last = _last_pairs(obj)
    return [(0.0, part(g, pair[0]) if last[pair[0]] == n else 0.0)
            for n, pair in enumerate(obj)]


def dict_of_gather(c, obj):
    """``dict_of_adjoint`` transposed: the dict adjoint holding, at each key, the value
    part of ``c``'s entry for the pair that was kept."""
    if isinstance(obj, dict):
        return {k: part(c, k) for k in obj}
    return {k: part(part(c, n), 1) for k, n in _last_pairs(obj).items()}


def field_index(obj, name):
    """The position of the field ``name`` in the namedtuple ``obj``."""
    if not hasattr(obj, "_fields"):
        raise TypeError("cannot differentiate the attribute `.%s` of a %s; only fields of "
                        "namedtuples carry derivatives" % (name, type(obj).__name__))
    return obj._fields.index(name)


def field_adjoint(g, obj, name):
    """Adjoint of ``obj.name`` for a namedtuple ``obj``: ``g`` in that field's place."""
    parts = [0.0] * len(obj)
    parts[field_index(obj, name)] = g
    return parts


def _sorted_order(iterable, reverse, key=None):
    """Where each item of ``sorted(iterable, key=key, reverse=reverse)`` comes from (the
    sort is stable, as Python's)."""
    items = list(iterable) if key is None else [key(item) for item in iterable]
    return sorted(range(len(items)), key=lambda k: items[k], reverse=reverse)


def sorted_adjoint(g, ans, iterable, reverse=False, key=None):
    """Adjoint of builtin ``sorted``: each element's adjoint goes back to its position."""
    if isinstance(iterable, dict):
        return {k: 0.0 for k in iterable}           # sorted(d) sorts d's keys
    order = _sorted_order(iterable, reverse, key)
    out = [0.0] * len(order)
    for position, k in enumerate(order):
        # (np.ndim of a list of tuples of adjoints would make it a ragged array)
        whole = isinstance(g, (list, tuple)) or isinstance(g, np.ndarray) and g.ndim
        out[k] = g[position] if whole else g
    if isinstance(iterable, np.ndarray):
        return np.array(out, dtype=float).reshape(np.shape(iterable))
    return out


def sorted_gather(c, iterable, reverse=False, key=None):
    """The parts of the adjoint ``c`` of ``iterable``'s items, in the order ``sorted(iterable,
    key=key, reverse=reverse)`` puts them: ``sorted_adjoint`` transposed."""
    return [part(c, k) for k in _sorted_order(iterable, reverse, key)]


def concat_adjoint(g, a, b, argnum):
    """Adjoint of list/tuple concatenation ``a + b``: the matching part of ``g``."""
    n = len(a)
    parts = list(g) if isinstance(g, (list, tuple)) else [g] * (n + len(b))
    return parts[:n] if argnum == 0 else parts[n:]


def unrepeat_sequence(g, seq, n):
    """Adjoint of ``seq * n``: each item's adjoint is the sum over its ``n`` copies."""
    size = len(seq)
    parts = list(g) if isinstance(g, (list, tuple)) else [g] * (size * n)
    out = []
    for k in range(size):
        total = 0.0
        for copy in range(n):
            part = parts[k + copy * size]
            # (rt.add: an item may be a container, whose adjoints add item by item)
            total = part if copy == 0 else add(total, part)
        out.append(total)
    return out
