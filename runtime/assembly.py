"""Adjoints of splitting, padding and selecting functions (``np.split``, ``np.pad``,
``np.take``...).

Each is linear in the cotangent ``g`` (possibly lazily broadcast): the transpose of a
function that copies elements of its argument to some places of its result adds each
place's cotangent back to the element it came from.
"""
import numpy as np

from .adjoint import _float_dtype, part, sum_to


# ------------------------------------------------------------ splitting

def _pieces(n, indices_or_sections):
    """The slices along the axis of the pieces ``np.array_split`` (and ``np.split``,
    which only refuses uneven sections) cuts from a length ``n``: unsorted indices give
    empty or overlapping pieces, negative ones count from the end."""
    cuts = np.array_split(np.arange(n), indices_or_sections)
    return [slice(int(c[0]), int(c[-1]) + 1) if len(c) else None for c in cuts]


def unsplit(g, ans, ary, indices_or_sections, axis=0):
    """Adjoint of ``np.split(ary, indices_or_sections, axis)`` (and of ``np.array_split``):
    each piece's cotangent (``part(g, k)``, a scalar standing for all of it) is added back
    where the piece was cut."""
    shape = np.shape(ary)
    out = np.zeros(shape, _float_dtype(ary))
    moved = np.moveaxis(out, axis, 0)
    for k, cut in enumerate(_pieces(shape[axis], indices_or_sections)):
        if cut is not None:
            piece = np.broadcast_to(part(g, k), np.shape(ans[k]))
            moved[cut] += np.moveaxis(piece, axis, 0)
    return out



# ------------------------------------------------------------ padding

# The modes of np.pad that copy elements of the array (or write a constant): linear maps
PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _padded_sources(shape, pad_width, mode):
    """For each element of ``np.pad(a, pad_width, mode)`` (``a`` of ``shape``), the flat
    index of the element of ``a`` it copies, ``size(a)`` for a constant: the positions
    padded the way the values are."""
    if mode not in PAD_MODES:
        raise ValueError("the derivative of np.pad is written for the modes %s, not %r"
                         % (", ".join(PAD_MODES), mode))
    n = int(np.prod(shape))
    ids = np.reshape(np.arange(n), shape)
    if mode == "constant":
        return np.pad(ids, pad_width, "constant", constant_values=n), n
    return np.pad(ids, pad_width, mode), n


def unpad(g, ans, array, pad_width, mode="constant"):
    """Adjoint of ``np.pad(array, pad_width, mode)`` with respect to ``array``: each
    element's cotangent added to the element it copies (edges and reflections are
    copied several times; a constant is no element's)."""
    sources, n = _padded_sources(np.shape(array), pad_width, mode)
    weights = np.ravel(np.broadcast_to(g, np.shape(ans)))
    total = np.bincount(np.ravel(sources), weights=weights, minlength=n + 1)[:n]
    return np.reshape(total, np.shape(array)).astype(_float_dtype(array), copy=False)


def pad_fill_adjoint(g, ans, array, pad_width, constant_values=0):
    """Adjoint of ``np.pad(array, pad_width, constant_values=constant_values)`` with
    respect to the constants: NumPy broadcasts them to a (before, after) pair per axis,
    and where pads cross, a later axis's constant wins; padding zeros with each pair in
    turn set to 1 reads off where each one landed."""
    zeros = np.zeros(np.shape(array))
    full = np.broadcast_to(g, np.shape(ans))
    pairs = np.zeros((np.ndim(array), 2))
    for index in np.ndindex(pairs.shape):
        basis = np.zeros(pairs.shape)
        basis[index] = 1.0
        pairs[index] = np.sum(full * np.pad(zeros, pad_width, "constant", constant_values=basis))
    return sum_to(pairs, np.shape(constant_values), pairs.shape)


# ------------------------------------------------------------ selection

def _wrapped(indices, n, mode):
    """The positions ``np.take(..., mode=mode)`` reads along an axis of length ``n``."""
    indices = np.asarray(indices)
    if mode == "wrap":
        return np.mod(indices, n)
    if mode == "clip":
        return np.clip(indices, 0, n - 1)
    return np.where(indices < 0, indices + n, indices)


def untake(g, ans, a, indices, axis=None, mode="raise"):
    """Adjoint of ``np.take(a, indices, axis, mode=mode)``: each cotangent added to the
    element it was read from (repeated indices add up)."""
    full = np.broadcast_to(g, np.shape(ans))
    if axis is None:
        out = np.zeros(np.size(a), _float_dtype(a))
        np.add.at(out, _wrapped(indices, np.size(a), mode), full)
        return np.reshape(out, np.shape(a))
    axis %= np.ndim(a)
    out = np.zeros(np.shape(a), _float_dtype(a))
    np.add.at(out, (slice(None),) * axis + (_wrapped(indices, np.shape(a)[axis], mode),), full)
    return out


def untake_along(g, ans, arr, indices, axis=-1):
    """Adjoint of ``np.take_along_axis(arr, indices, axis)``: each cotangent added to the
    element it was read from; ``arr`` may have been broadcast against ``indices``."""
    full = np.broadcast_to(g, np.shape(ans))
    if axis is None:
        out = np.zeros(np.size(arr), _float_dtype(arr))
        np.add.at(out, indices, full)
        return np.reshape(out, np.shape(arr))
    ndim = np.ndim(arr)
    axis %= ndim
    shape = np.shape(arr)
    where = tuple(indices if d == axis else
                  np.reshape(np.arange(np.shape(ans)[d]) % shape[d],
                             [-1 if e == d else 1 for e in range(ndim)])
                  for d in range(ndim))
    out = np.zeros(shape, _float_dtype(arr))
    np.add.at(out, where, full)
    return out
