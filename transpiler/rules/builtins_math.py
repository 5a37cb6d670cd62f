"""Python builtins: len, range, int, float, min, max, sum, round, print, isinstance..."""
import builtins

import runtime as rt

from .registry import custom, nondiff


nondiff(builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round,
        builtins.isinstance, builtins.print, builtins.str, builtins.slice, builtins.id,
        rt.dict_keys)


@custom(builtins.sum, diff=("iterable", "start"))
def sum(g, ans, iterable, start=0):
    return rt.sum_builtin_adjoint(g, iterable, ans), rt.unbroadcast(g, start, ans)


@custom(builtins.max)
def max(g, ans, *args, argnum):
    return rt.minmax_builtin_adjoint(g, ans, args, argnum, rt.first_max)


@custom(builtins.min)
def min(g, ans, *args, argnum):
    return rt.minmax_builtin_adjoint(g, ans, args, argnum, rt.first_min)


@custom(rt.astype, diff=("x",), casts=False, only={"copy": (True,)})
def astype(g, ans, x, dtype, copy=True):
    return rt.astype_adjoint(g, x, ans)


@custom(rt.item)
def item(g, ans, x):
    return g
