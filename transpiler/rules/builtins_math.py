"""Python builtins: len, range, int, float, min, max, sum, round, print, isinstance..."""
import builtins

import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import IMPURE, custom, nondiff


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


@custom(builtins.max)
def max(g, ans, *args, argnum, key=None):
    return rt.minmax_builtin_adjoint(g, ans, args, argnum, rt.first_max, key)


@custom(builtins.min)
def min(g, ans, *args, argnum, key=None):
    return rt.minmax_builtin_adjoint(g, ans, args, argnum, rt.first_min, key)


@custom(rt.astype, np.astype, diff=("x",), casts=False, only={"copy": (True,)},
        abstract_eval=E.astype)
def astype(g, ans, x, dtype, copy=True):
    return rt.astype_adjoint(g, x, ans)


@custom(rt.item, abstract_eval=E.item)
def item(g, ans, x):
    return g
