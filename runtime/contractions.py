"""Adjoints of contractions and products: np.einsum (both forms, with ellipses),
np.tensordot, np.cross, np.kron, np.convolve and np.correlate; and of the differences
np.diff and np.gradient (linear: each adjoint helper has its transpose beside it).

The products other than einsum are bilinear: ``bilinear(product, a, b, options)``
computes ``product`` (a name: "cross", "kron", "tensordot", "convolve", "correlate") of
``a`` and ``b`` with its further arguments ``options`` (a tuple, in NumPy's order), and
``bilinear_adjoint(product, g, ans, a, b, options, argnum)`` the adjoint of operand
``argnum``.  That adjoint is linear in ``g`` and in the other operand, so its own
derivative is the product (or the adjoint) again: two helpers close every product under
differentiation.
"""
import string

import numpy as np

from .linalg import _full, _sum_to, dot_adjoint

# the labels of np.einsum's sublist form: 0-25 are 'A'-'Z', 26-51 'a'-'z'
_LABELS = string.ascii_uppercase + string.ascii_lowercase


# ------------------------------------------------------------ einsum

def einsum_form(operands):
    """``(inputs, output, positions)`` of np.einsum's positional arguments ``operands``,
    in either form: the subscripts of each array operand (``'...'`` for an ellipsis), the
    output's (None when implicit), and the positions of the array operands.

    ``einsum('ij,jk', x, y)`` and ``einsum(x, [0, 1], y, [1, 2])`` both give
    ``(['ij', 'jk'], None, ...)`` up to the letters; only the subscripts (or lists) are
    read, so the array operands may be anything.
    """
    if isinstance(operands[0], str):
        inputs, arrow, output = operands[0].replace(" ", "").partition("->")
        return inputs.split(","), (output if arrow else None), list(range(1, len(operands)))
    positions = list(range(0, len(operands) - 1, 2))
    inputs = [_sublist(operands[k + 1]) for k in positions]
    output = _sublist(operands[-1]) if len(operands) % 2 else None
    return inputs, output, positions


def _sublist(labels):
    return "".join("..." if label is Ellipsis else _LABELS[label] for label in labels)


def einsum_explicit(inputs, output, ndims):
    """The subscripts with every ellipsis spelled out in letters no subscript uses (the
    broadcast dimensions, aligned on the right) and the implicit output made explicit
    (the ellipsis' dimensions, then the letters used once, in order)."""
    used = set("".join(inputs) + (output or ""))
    spare = [c for c in _LABELS if c not in used]
    counts = [ndim - len(s) + 3 if "..." in s else 0 for s, ndim in zip(inputs, ndims)]
    width = max(counts, default=0)
    dots = "".join(spare[:width])
    explicit = [s.replace("...", dots[width - n:]) for s, n in zip(inputs, counts)]
    if output is None:
        letters = "".join(s.replace("...", "") for s in inputs)
        output = dots + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return explicit, output.replace("...", dots)


def einsum_of(operands):
    """``np.einsum(*operands)``: np.einsum's positional arguments in one sequence
    (adjoint code builds them as a list; generated code passes no ``*args``)."""
    return np.einsum(*operands)


def einsum_adjoint(g, ans, operands, argnum):
    """Adjoint of ``np.einsum(*operands)`` for ``operands[argnum]`` (either form); 0.0 for
    the position of a subscripts string or list."""
    inputs, output, positions = einsum_form(operands)
    if argnum not in positions:
        return 0.0
    arrays = [operands[p] for p in positions]
    inputs, output = einsum_explicit(inputs, output, [np.ndim(a) for a in arrays])
    return contraction_adjoint(inputs, output, _full(g, ans), arrays, positions.index(argnum))


def contraction_adjoint(inputs, output, g, arrays, k):
    """The adjoint of ``arrays[k]`` in ``np.einsum(','.join(inputs) + '->' + output,
    *arrays)``, explicit subscripts (no ellipsis), ``g`` full-size.

    The product of ``g`` with the other operands, over the letters of operand ``k``;
    letters summed away that appear nowhere else make it constant along them, a letter
    of size 1 in operand ``k`` that the others broadcast is summed back to 1, and a
    repeated letter (a diagonal) puts it on that diagonal.
    """
    target = inputs[k]
    x = np.asarray(arrays[k])
    others = [s for j, s in enumerate(inputs) if j != k]
    other_arrays = [a for j, a in enumerate(arrays) if j != k]
    available = set(output).union(*[set(s) for s in others])
    unique = "".join(dict.fromkeys(target))           # "ii" (a diagonal) -> "i"
    kept = "".join(c for c in unique if c in available)
    result = np.einsum(",".join([output] + others) + "->" + kept, g, *other_arrays)
    sizes = tuple(x.shape[target.index(c)] for c in unique)
    wide = tuple(j for j, c in enumerate(kept) if sizes[unique.index(c)] == 1
                 and result.shape[j] != 1)
    if wide:
        result = np.sum(result, axis=wide, keepdims=True)
    result = np.expand_dims(result, tuple(j for j, c in enumerate(unique) if c not in kept))
    result = np.broadcast_to(result, sizes)
    if unique == target:
        return result
    out = np.zeros(x.shape, np.result_type(result, float))
    diagonal = np.einsum(target + "->" + unique, out)      # a writable view
    diagonal[...] = result
    return out


def inner_adjoint(g, ans, a, b, argnum):
    """Adjoint of ``np.inner(a, b)``: a contraction of the last axes (a product with a
    scalar for a 0-d operand)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return dot_adjoint(g, ans, a, b, argnum)
    return _tensordot_adjoint(_full(g, ans), np.asarray(a), np.asarray(b), argnum, (-1, -1))


# ------------------------------------------------------------ bilinear products

def bilinear(product, a, b, options):
    """``product(a, b, *options)``; the cross product of 2-vectors without NumPy 2's
    deprecation warning (they are 3-vectors in the plane z = 0)."""
    if product == "cross":
        return _cross(a, b, *options)
    return _PRODUCTS[product](a, b, *options)


def bilinear_adjoint(product, g, ans, a, b, options, argnum):
    """The adjoint of operand ``argnum`` (0: ``a``, 1: ``b``) of ``bilinear(product, a,
    b, options)``, summed to its shape."""
    return _ADJOINTS[product](_full(g, ans), np.asarray(a), np.asarray(b), argnum, *options)


def _cross_axes(axisa=-1, axisb=-1, axisc=-1, axis=None):
    return (axisa, axisb, axisc) if axis is None else (axis, axis, axis)


def _in_space(v):
    """Vectors along the last axis as 3-vectors (a 2-vector gets z = 0)."""
    if v.shape[-1] == 3:
        return v
    return np.concatenate([v, np.zeros(v.shape[:-1] + (1,), v.dtype)], axis=-1)


def _cross(a, b, *options):
    axisa, axisb, axisc = _cross_axes(*options)
    a = np.moveaxis(np.asarray(a), axisa, -1)
    b = np.moveaxis(np.asarray(b), axisb, -1)
    out = np.cross(_in_space(a), _in_space(b))
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return out[..., 2]                            # the z component, one per pair
    return np.moveaxis(out, -1, axisc)


def _cross_adjoint(g, a, b, argnum, *options):
    # <g, a x b> = <a, b x g> = <b, g x a> (a 2-vector's z component is dropped)
    axisa, axisb, axisc = _cross_axes(*options)
    a = np.moveaxis(a, axisa, -1)
    b = np.moveaxis(b, axisb, -1)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        g = np.stack([np.zeros_like(g), np.zeros_like(g), g], axis=-1)
    else:
        g = np.moveaxis(g, axisc, -1)
    if argnum == 0:
        d, target, axis = np.cross(_in_space(b), g), a, axisa
    else:
        d, target, axis = np.cross(g, _in_space(a)), b, axisb
    return np.moveaxis(_sum_to(d[..., :target.shape[-1]], target.shape), -1, axis)


def _kron_adjoint(g, a, b, argnum):
    # kron(a, b) reshaped to (a0, b0, a1, b1, ...) is the product a[i] b[j]: the adjoint
    # of one sums g times the other over the other's axes
    rank = max(a.ndim, b.ndim)
    sa = (1,) * (rank - a.ndim) + a.shape
    sb = (1,) * (rank - b.ndim) + b.shape
    blocks = np.reshape(g, [n for pair in zip(sa, sb) for n in pair])
    if argnum == 0:
        other = np.reshape(b, [n for pair in zip((1,) * rank, sb) for n in pair])
        d = np.sum(blocks * other, axis=tuple(range(1, 2 * rank, 2)))
        return np.reshape(d, a.shape)
    other = np.reshape(a, [n for pair in zip(sa, (1,) * rank) for n in pair])
    d = np.sum(blocks * other, axis=tuple(range(0, 2 * rank, 2)))
    return np.reshape(d, b.shape)


def tensordot_axes(a_ndim, b_ndim, axes=2):
    """The contracted axes of ``a`` and of ``b`` (non-negative) for ``np.tensordot``."""
    if isinstance(axes, (int, np.integer)):
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, (int, np.integer)) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, (int, np.integer)) else list(b_axes)
    return [k % a_ndim for k in a_axes], [k % b_ndim for k in b_axes]


def _tensordot_adjoint(g, a, b, argnum, axes=2):
    # the contraction as einsum subscripts: a's letters, b's free ones after them
    a_axes, b_axes = tensordot_axes(a.ndim, b.ndim, axes)
    sa = _LABELS[:a.ndim]
    sb = "".join(sa[a_axes[b_axes.index(k)]] if k in b_axes else _LABELS[a.ndim + k]
                 for k in range(b.ndim))
    output = "".join(c for k, c in enumerate(sa) if k not in a_axes) + \
        "".join(c for k, c in enumerate(sb) if k not in b_axes)
    return contraction_adjoint([sa, sb], output, g, [a, b], argnum)


def _window(n, m, size, swapped):
    """Where a 'same' or 'valid' output of ``size`` starts in the full one (n + m - 1):
    centred, rounded down -- up for np.correlate when its second operand is longer
    (NumPy then correlates them the other way round and reverses)."""
    extra = n + m - 1 - size
    return (extra + 1) // 2 if swapped else extra // 2


def _full_cotangent(g, n, m, swapped):
    """``g`` of a 'same' or 'valid' output placed in a full-size zero cotangent."""
    full = np.zeros(n + m - 1, np.result_type(g, float))
    start = _window(n, m, np.size(g), swapped)
    full[start:start + np.size(g)] = g
    return full


def _convolve_adjoint(g, a, v, argnum, mode="full"):
    # full[k] = sum_i a[i] v[k - i]: each operand's adjoint correlates g with the other
    g = _full_cotangent(g, np.size(a), np.size(v), False)
    return np.correlate(g, v if argnum == 0 else a, "valid")


def _correlate_adjoint(g, a, v, argnum, mode="valid"):
    # np.correlate(a, v) is np.convolve(a, v[::-1]) where a is at least as long as v
    g = _full_cotangent(g, np.size(a), np.size(v), np.size(v) > np.size(a))
    if argnum == 0:
        return np.correlate(g, v[::-1], "valid")
    return np.correlate(g, a, "valid")[::-1]


_PRODUCTS = {"kron": np.kron, "tensordot": np.tensordot, "convolve": np.convolve,
             "correlate": np.correlate}
_ADJOINTS = {"cross": _cross_adjoint, "kron": _kron_adjoint, "tensordot": _tensordot_adjoint,
             "convolve": _convolve_adjoint, "correlate": _correlate_adjoint}


# ------------------------------------------------------------ differences

def _diff_parts(a, axis, prepend, append):
    """The sizes along ``axis`` of what np.diff joins: prepend (0 without), a, append."""
    sizes = []
    for part in (prepend, a, append):
        if part is None:
            sizes.append(0)
        else:
            sizes.append(np.shape(part)[axis] if np.ndim(part) else 1)
    return sizes


def diff_adjoint(g, ans, a, n=1, axis=-1, prepend=None, append=None, argnum=0):
    """Adjoint of ``np.diff(a, n, axis, prepend=..., append=...)`` for ``a`` (argnum 0),
    ``prepend`` (1) or ``append`` (2); None stands for an absent prepend or append.

    A difference's transpose is minus the difference of the cotangent padded with a
    zero at each end: n of them give the adjoint of the joined array, cut into its parts
    (a scalar prepend or append was broadcast along the axis: summed back).
    """
    g = _full(g, ans)
    if n == 0:                          # np.diff returns a itself, joining nothing
        return g if argnum == 0 else 0.0
    for _ in range(n):
        g = -np.diff(g, axis=axis, prepend=0.0, append=0.0)
    sizes = _diff_parts(a, axis, prepend, append)
    start = sum(sizes[:[1, 0, 2][argnum]])
    piece = np.take(g, np.arange(start, start + sizes[[1, 0, 2][argnum]]), axis=axis)
    return _sum_to(piece, np.shape((a, prepend, append)[argnum]))


def diff_join(c, a, n=1, axis=-1, prepend=None, append=None, argnum=0):
    """``np.diff`` of the joined array with ``c`` in the part of operand ``argnum``
    (broadcast to its shape there) and zeros elsewhere: ``diff_adjoint`` transposed."""
    if n == 0:
        return np.broadcast_to(c, np.shape(a)) if argnum == 0 else np.zeros(np.shape(a))
    sizes = _diff_parts(a, axis, prepend, append)
    shape = list(np.shape(a))
    shape[axis] = sum(sizes)
    joined = np.zeros(shape, np.result_type(c, float))
    k = [1, 0, 2][argnum]
    start = sum(sizes[:k])
    target = list(shape)
    target[axis] = sizes[k]
    window = [slice(None)] * len(shape)
    window[axis] = slice(start, start + sizes[k])
    joined[tuple(window)] = np.broadcast_to(c, target)
    return np.diff(joined, n, axis)


def _gradient_axes(f, axis):
    if axis is None:
        return list(range(np.ndim(f)))
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    return [a % np.ndim(f) for a in axes]


def _gradient_spacings(spacing, count):
    """np.gradient's ``*varargs`` per axis: none (1.0), one scalar for every axis, or
    one scalar or coordinate array per axis."""
    if len(spacing) == 0:
        return [1.0] * count
    if len(spacing) == 1 and np.ndim(spacing[0]) == 0:
        return [spacing[0]] * count
    return list(spacing)


def gradient_of(f, spacing=(), axis=None, edge_order=1):
    """``np.gradient(f, *spacing, axis=axis, edge_order=edge_order)``."""
    return np.gradient(f, *spacing, axis=axis, edge_order=edge_order)


def gradient_adjoint(g, ans, f, spacing=(), axis=None, edge_order=1):
    """Adjoint of ``np.gradient(f, *spacing, axis=axis, edge_order=edge_order)`` for
    ``f``: the transposed stencil along each axis, applied to that axis' cotangent (a part
    of ``g`` when the result is a tuple, ``g`` standing for every part when it is not a
    sequence)."""
    f = np.asarray(f)
    axes = _gradient_axes(f, axis)
    spacings = _gradient_spacings(spacing, len(axes))
    out = np.zeros(f.shape, np.result_type(f, float))
    for k, (ax, h) in enumerate(zip(axes, spacings)):
        part = g if len(axes) == 1 or not isinstance(g, (list, tuple)) else g[k]
        part = np.broadcast_to(part, f.shape)
        out += np.moveaxis(_stencil_transposed(np.moveaxis(part, ax, 0), h, edge_order), 0, ax)
    return out


def _stencil_transposed(g, h, edge_order):
    """The transpose of np.gradient along axis 0 (length n) applied to ``g``.

    Every row i of that operator reads three neighbouring entries starting at
    s_i = clip(i - 1, 0, n - 3) (two when n = 2), so its columns have distinct residues
    modulo 3: np.gradient of the comb of residue r gives, in row i, the coefficient of
    the column of residue r.  Those columns receive g[i] times it.
    """
    n = g.shape[0]
    rows = np.arange(n)
    start = np.clip(rows - 1, 0, max(n - 3, 0))
    out = np.zeros(g.shape, np.result_type(g, float))
    for r in range(3):
        coefficients = np.gradient((rows % 3 == r).astype(float), h, edge_order=edge_order)
        columns = start + (r - start) % 3
        kept = columns < n
        weights = np.reshape(coefficients[kept], (-1,) + (1,) * (g.ndim - 1))
        np.add.at(out, columns[kept], weights * g[kept])
    return out
