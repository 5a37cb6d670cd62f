"""Splitting, padding, triangles, selection and indexing functions.

Each moves or copies elements without changing them (``np.deg2rad`` and the NaN-aware
reductions aside), so each adjoint sends the output adjoint back where the elements
came from; the runtime helpers doing it (``runtime/assembly.py``) are linear in the
cotangent, and their own rules are the primal functions again.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from .registry import custom, holds


def internal(*primals, **options):
    return registry.custom(*primals, internal=True, **options)


# ------------------------------------------------------------ splitting
# The result is a list of views of ``ary``; its cotangent a list with one adjoint per
# piece (a scalar standing for every piece, 0.0 for a piece not used).

@custom(np.split, np.array_split, diff=("ary",), effects=holds(0), abstract_eval=E.split())
def split(g, ans, ary, indices_or_sections, axis=0):
    return rt.unsplit(g, ans, ary, indices_or_sections, axis)


@custom(np.hsplit, diff=("ary",), effects=holds(0), abstract_eval=E.split("h"))
def hsplit(g, ans, ary, indices_or_sections):
    # along the columns; a 1-d array along its only axis
    return rt.unsplit(g, ans, ary, indices_or_sections, 1 if np.ndim(ary) > 1 else 0)


@custom(np.vsplit, diff=("ary",), effects=holds(0), abstract_eval=E.split(0))
def vsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, ary, indices_or_sections, 0)


@custom(np.dsplit, diff=("ary",), effects=holds(0), abstract_eval=E.split(2))
def dsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, ary, indices_or_sections, 2)


@internal(rt.unsplit, diff=("g_in",), abstract_eval=E.computed_adjoint(2), shape_only=(1, 2))
def unsplit(g, ans, g_in, out, ary, indices_or_sections, axis=0):
    # the transpose cuts g as ary was cut, each piece summed to its cotangent's shape
    return rt.unbroadcast(np.array_split(rt.broadcast_to(g, ary), indices_or_sections, axis),
                          g_in, out)
