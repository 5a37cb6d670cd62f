"""Adjoints of splitting, padding and selecting functions (``np.split``, ``np.pad``,
``np.take``...).

Each is linear in the cotangent ``g`` (possibly lazily broadcast): the transpose of a
function that copies elements of its argument to some places of its result adds each
place's cotangent back to the element it came from.
"""
import numpy as np

from .adjoint import _float_dtype, part


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

