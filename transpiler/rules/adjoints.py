"""The runtime helpers that generated code calls (``rt.*``), as primitives.

Every callable generated code may call has a record: what its result is made of
(``abstract_eval``), what it does to memory (``effects``: ``rt.add_at`` writes its first
argument; ``rt.unbroadcast`` may return its first argument itself), and, so that the
compiler's output is valid input again, its own derivative rule.  Helpers whose result
carries no derivative (``rt.zeros_like``, ``rt.seed``) are ``nondiff``.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from .registry import FRESH, IMPURE, element, holds, view, writes


def custom(*primals, **options):
    return registry.custom(*primals, internal=True, **options)


def nondiff(*primals, **options):
    return registry.nondiff(*primals, internal=True, **options)

_ADJOINT_OF_THIRD = E.adjoint_like(2)
_BY_ARGNUM = E.adjoint_like_argnum((2, 3), 4)


# ------------------------------------------------------------ adjoint bookkeeping

nondiff(rt.zeros_like, abstract_eval=E.adjoint_like(0), shape_only=(0,),
        numba="runtime.numba_support._zeros_like")
# the seed checks the output is a real scalar (a TypeError otherwise): kept even if unused
nondiff(rt.seed, abstract_eval=E.python_float, shape_only=(0,), effects=IMPURE,
        numba="runtime.numba_support._seed")
nondiff(rt.first_max, rt.first_min, abstract_eval=E.python_int)
# checks that raise a TypeError: kept even when their result is not used
nondiff(rt.check_real, abstract_eval=E.const(None), effects=IMPURE)


@custom(rt.snapshot, abstract_eval=E.first_argument)
def snapshot(g, ans, value):
    # a copy of the value (and of what it holds)
    return g


@custom(rt.cast_adjoint, diff=("d",), effects=view(0), abstract_eval=E.adjoint_like(1),
        shape_only=(1, 2))
def cast_adjoint(g, ans, d, x, ans_in):
    # d itself (a float result) or zeros (an integer one): the same choice for g
    return rt.cast_adjoint(g, d, ans_in)


@custom(rt.as_value, abstract_eval=E.scalar_of_first, numba="runtime.numba_support._as_value")
def as_value(g, ans, out):
    return g


@custom(rt.unbroadcast, diff=("c",), effects=view(0), abstract_eval=E.adjoint_like(1),
        shape_only=(1, 2),
        numba="runtime.numba_support._unbroadcast")
def unbroadcast(g, ans, c, x, out):
    if np.shape(x) == np.shape(out):
        return g                           # c was returned as it is
    # the sum over the broadcast axes, transposed: g spread back over them
    return rt.unbroadcast(rt.broadcast_to(g, out), c, out)


@custom(rt.sum_to, diff=("c",), effects=view(0), abstract_eval=E.shape_argument(1))
def sum_to(g, ans, c, shape, out_shape):
    if shape == out_shape:
        return g                           # c was returned as it is
    return rt.sum_to(np.broadcast_to(g, out_shape), np.shape(c), out_shape)


@custom(rt.broadcast_to, diff=("g_in",), effects=view(0), abstract_eval=E.adjoint_like(1),
        shape_only=(1,))
def broadcast_to(g, ans, g_in, like):
    if np.shape(g_in) == np.shape(like):
        return g                           # returned as it is
    return rt.unbroadcast(g, g_in, like)


@custom(rt.dense, diff=("d",), abstract_eval=E.adjoint_like(1), shape_only=(1,),
        numba="runtime.numba_support._dense")
def dense(g, ans, d, x):
    return rt.unbroadcast(g, d, x)


@custom(rt.masked, diff=("g_in",), abstract_eval=E.broadcasting("float"))
def masked(g, ans, g_in, mask):
    return rt.unbroadcast(rt.masked(g, mask), g_in, ans)


@custom(rt.as_gradient, diff=("d",), effects=view(0), abstract_eval=E.adjoint_like(1),
        shape_only=(1,),
        numba="runtime.numba_support._as_gradient")
def as_gradient(g, ans, d, x):
    return rt.unbroadcast(g, d, x)


custom(rt.add, abstract_eval=E.broadcasting("float"))(None)
custom(rt.part, effects=element(0), abstract_eval=E.part,
       numba="runtime.numba_support._part")(None)
custom(rt.add_at, effects=writes(0), abstract_eval=E.const(None),
       numba="runtime.numba_support._add_at")(None)
custom(rt.pop_slot, effects=writes(0), abstract_eval=E.pop_slot, shape_only=(2,),
       numba="runtime.numba_support._pop_slot")(None)
custom(rt.as_gradients, effects=holds(0), abstract_eval=E.unknown,
       numba="runtime.numba_support._as_gradients")(None)
custom(rt.save_slot, effects=element(0), abstract_eval=E.unknown)(None)
custom(rt.restore_slot, effects=writes(0), abstract_eval=E.const(None))(None)
custom(rt.dict_items, effects=holds(0), abstract_eval=E.unknown)(None)

# ------------------------------------------------------------ adjoints of primitives
# (each returns one argument's adjoint; it may be a view of the cotangent g)

for _helper in (rt.norm_adjoint, rt.prod_adjoint, rt.cumsum_adjoint, rt.cumprod_adjoint,
                rt.det_adjoint, rt.diag_adjoint, rt.trace_adjoint, rt.sort_adjoint,
                rt.untile, rt.unrepeat, rt.sum_where_adjoint, rt.mean_where_adjoint):
    custom(_helper, effects=view(0), abstract_eval=_ADJOINT_OF_THIRD)(None)
for _helper in (rt.matmul_adjoint, rt.dot_adjoint, rt.inner_adjoint, rt.outer_adjoint,
                rt.solve_adjoint):
    custom(_helper, effects=view(0), abstract_eval=_BY_ARGNUM)(None)
for _helper in (rt.at_set_adjoint, rt.at_multiply_adjoint, rt.at_divide_adjoint,
                rt.at_power_adjoint, rt.at_minmax_adjoint):
    custom(_helper, effects=view(0), abstract_eval=E.adjoint_like_argnum((2, 4), 5))(None)
custom(rt.at_gather, effects=view(0), abstract_eval=E.adjoint_like(3))(None)
for _helper in (rt.prod_where_adjoint, rt.extremum_adjoint):
    custom(_helper, effects=view(0), abstract_eval=E.adjoint_like_argnum((2, 5), 7))(None)
custom(rt.einsum_adjoint, effects=view(1), abstract_eval=E.einsum_adjoint)(None)
custom(rt.astype_adjoint, effects=view(0), abstract_eval=E.adjoint_like(1))(None)
custom(rt.linspace_adjoint, effects=view(0),
       abstract_eval=E.adjoint_like_argnum((2, 3), 6))(None)
for _helper in (rt.unstack, rt.unconcatenate, rt.array_adjoint, rt.sum_builtin_adjoint,
                rt.minmax_builtin_adjoint, rt.sequence_adjoint, rt.dict_values_adjoint,
                rt.field_adjoint, rt.sorted_adjoint, rt.concat_adjoint, rt.unrepeat_sequence):
    custom(_helper, effects=holds(0), abstract_eval=E.unknown)(None)

__all__ = ["FRESH"]
