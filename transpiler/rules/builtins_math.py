"""Python builtins: len, range, int, float, min, max, sum, round, print, isinstance..."""
import builtins

import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import IMPURE, custom, jvp_rule, nondiff


nondiff(builtins.len, abstract_eval=E.len_, shape_only=(0,))
nondiff(builtins.int, builtins.id, abstract_eval=E.python_int)
nondiff(builtins.bool, builtins.isinstance, abstract_eval=E.python_bool)
nondiff(builtins.range, builtins.round, builtins.slice, rt.dict_keys, abstract_eval=E.unknown)
# text made of a value: it carries no derivative, and one that flows on (float(str(x)))
# is refused, not dropped; f-strings and "%f" % x are classified as these calls
nondiff(builtins.str, builtins.repr, builtins.format, builtins.ascii, abstract_eval=E.unknown,
        opaque=True)
nondiff(builtins.print, abstract_eval=E.const(None), effects=IMPURE)
nondiff(rt.itemsize, rt.nbytes, abstract_eval=E.python_int, shape_only=(0,))


@custom(builtins.sum, diff=("iterable", "start"))
def sum(g, ans, iterable, start=0):
    return rt.sum_builtin_adjoint(g, iterable, ans), rt.unbroadcast(g, start, ans)


@jvp_rule(builtins.sum)
def sum(t, ans, iterable, start=0):
    # the items' tangents added up (np.sum: this module's `sum` is the rule), each spread
    # over the result first since items may broadcast against each other; an array's rows
    # (each entry computed in its own return: only the one asked for runs)
    if isinstance(iterable, (list, tuple)):
        return rt.broadcast_tangent(np.sum([rt.broadcast_tangent(item, ans) for item in t],
                                           axis=0), ans), rt.broadcast_tangent(t, ans)
    return rt.broadcast_tangent(np.sum(t, axis=0), ans), rt.broadcast_tangent(t, ans)


@custom(builtins.max)
def max(g, ans, *args, argnum, key=None):
    return rt.minmax_builtin_adjoint(g, ans, args, argnum, rt.first_max, key)


@jvp_rule(builtins.max)
def max(t, ans, *args, argnum, key=None):
    # the chosen element's tangent (the first of equal ones, as builtin max and the vjp)
    if len(args) == 1:
        return rt.part(t, rt.first_max(list(args[0]), key))
    if rt.first_max(list(args), key) == argnum:
        return t
    return rt.zeros_like(ans)


@custom(builtins.min)
def min(g, ans, *args, argnum, key=None):
    return rt.minmax_builtin_adjoint(g, ans, args, argnum, rt.first_min, key)


@jvp_rule(builtins.min)
def min(t, ans, *args, argnum, key=None):
    if len(args) == 1:
        return rt.part(t, rt.first_min(list(args[0]), key))
    if rt.first_min(list(args), key) == argnum:
        return t
    return rt.zeros_like(ans)


@custom(rt.astype, np.astype, diff=("x",), casts=False, only={"copy": (True,)},
        abstract_eval=E.astype)
def astype(g, ans, x, dtype, copy=True):
    return rt.astype_adjoint(g, x, ans)


@jvp_rule(rt.astype, np.astype)
def astype(t, ans, x, dtype, copy=True):
    # t cast to the result's dtype: zero for an integer one
    return rt.cast_tangent(t, ans)


@custom(rt.item, abstract_eval=E.item, linear=True)
def item(g, ans, x):
    return g
