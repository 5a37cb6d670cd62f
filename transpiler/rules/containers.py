"""Containers: list(), tuple(), dict values, the functional ``.at[]`` updates.

A container's tangent is a container of the same structure, each item a full-shaped
tangent; ``rt.zero_tangent`` fills the parts that do not change (a dict's keys).
"""
import builtins

import numpy as np

import runtime as rt

from ..analysis import avals as A
from . import evaluation as E
from .registry import (Effects, RuleError, custom, element, holds, jvp_rule, nondiff,
                       view)


# the auxiliary data of has_aux (no derivative), checked to be a pair: kept even if unused
nondiff(rt.aux_of, abstract_eval=E.aux_of, effects=Effects("element", (0,), (), False))
# the tangent of what does not change (forward-mode rules below)
nondiff(rt.zero_tangent, abstract_eval=E.zero_tangent, shape_only=(0,), internal=True)


@custom(builtins.list, builtins.tuple, diff=("iterable",), effects=holds(0),
        abstract_eval=E.sequence)
def sequence(g, ans, iterable=()):
    return rt.sequence_adjoint(g, iterable)


@jvp_rule(builtins.list, builtins.tuple)
def sequence(t, ans, iterable=()):
    if isinstance(iterable, dict):
        return rt.zero_tangent(ans)         # list(d) is d's keys: no derivative
    if isinstance(ans, list):               # linear otherwise: the call itself on t
        return list(t)
    return tuple(t)


@custom(rt.concat, effects=holds(0, 1), abstract_eval=E.concat)
def concat(g, ans, a, b):
    return rt.concat_adjoint(g, a, b, 0), rt.concat_adjoint(g, a, b, 1)


@jvp_rule(rt.concat)
def concat(t, ans, a, b):
    # not linear in a alone: b's items are there too, unchanged
    return rt.concat(t, rt.zero_tangent(b)), rt.concat(rt.zero_tangent(a), t)


@custom(rt.repeat_sequence, diff=("seq",), effects=holds(0), abstract_eval=E.repeat_sequence,
        linear=True)
def repeat_sequence(g, ans, seq, n):
    return rt.unrepeat_sequence(g, seq, n)


@custom(rt.as_sequence, effects=view(0), abstract_eval=E.as_sequence, mirrors=True)
def as_sequence(g, ans, iterable):
    return rt.sequence_adjoint(g, iterable)


@jvp_rule(rt.as_sequence)
def as_sequence(t, ans, iterable):
    if isinstance(iterable, dict):
        return rt.zero_tangent(ans)         # a dict is walked by its keys
    return rt.as_sequence(t)


@custom(builtins.sorted, effects=holds(0), abstract_eval=E.sorted_)
def sorted(g, ans, iterable, *, key=None, reverse=False):
    # the order (by key) only says where each item's adjoint goes
    return rt.sorted_adjoint(g, ans, iterable, reverse, key)


@jvp_rule(builtins.sorted)
def sorted(t, ans, iterable, *, key=None, reverse=False):
    if isinstance(iterable, dict):
        return rt.zero_tangent(ans)         # sorted(d) sorts d's keys
    # each item's tangent goes where the (stable) sort puts the item, as the adjoint
    # comes back from there
    return rt.sorted_gather(t, iterable, reverse, key)


def _fields_only(avals):
    """Only a namedtuple's fields carry derivatives: an array's other attributes (x.flat,
    x.base, x.data) are refused when a derivative would flow through them."""
    if isinstance(avals.get("obj"), A.Array):
        raise RuleError("the attribute `.%s` of an array is not differentiated"
                        % avals.get("name"),
                        "write it with NumPy functions: np.ravel(x) for x.flat, x itself for "
                        "x.base or x.data")


@custom(rt.field, diff=("obj",), effects=element(0), abstract_eval=E.unknown,
        check_avals=_fields_only)
def field(g, ans, obj, name):
    return rt.field_adjoint(g, obj, name)


@jvp_rule(rt.field)
def field(t, ans, obj, name):
    # by position: the tangent of a namedtuple may be a list
    return rt.part(t, rt.field_index(obj, name))


@custom(rt.dict_values, effects=holds(0), abstract_eval=E.dict_values)
def dict_values(g, ans, d):
    return rt.dict_values_adjoint(g, d)


@jvp_rule(rt.dict_values)
def dict_values(t, ans, d):
    # in d's order of keys, whatever the tangent's
    return list([rt.part(t, k) for k in list(d)])


@custom(rt.dict_get, diff=("d", "default"), effects=element(0, 2), abstract_eval=E.dict_get)
def dict_get(g, ans, d, key, default=None):
    if key in d:
        return rt.scatter(g, d, key), 0.0
    return rt.zeros_like(d), g


@jvp_rule(rt.dict_get)
def dict_get(t, ans, d, key, default=None):
    if key in d:
        return rt.part(t, key), rt.zero_tangent(ans)
    return rt.zero_tangent(ans), t


@custom(rt.dict_of, effects=holds(0), abstract_eval=E.dict_of)
def dict_of(g, ans, obj):
    return rt.dict_of_adjoint(g, obj)


@jvp_rule(rt.dict_of)
def dict_of(t, ans, obj):
    # the value tangent of the pair kept under each key (a mapping's own)
    return rt.dict_of_gather(t, obj)


@custom(rt.dict_of_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(1,), linear=True)
def dict_of_adjoint(g, ans, g_in, obj):
    if isinstance(g_in, dict):
        return rt.dict_of_gather(g, obj)
    gathered = rt.dict_of_gather(g, obj)
    return sum([rt.part(gathered, key) for key in list(gathered)])   # g_in stood for all


@custom(rt.dict_of_gather, diff=("c",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(1,), linear=True)
def dict_of_gather(g, ans, c, obj):
    if isinstance(c, (list, tuple, dict)):
        return rt.dict_of_adjoint(g, obj)
    return sum([rt.part(g, key) for key in list(ans)])              # c stood for all


@custom(rt.dict_items, effects=holds(0), abstract_eval=E.dict_items)
def dict_items(g, ans, d):
    # each pair's second part is a value's adjoint
    return rt.dict_values_adjoint(list([rt.part(rt.part(g, n), 1) for n in range(len(d))]), d)


@jvp_rule(rt.dict_items)
def dict_items(t, ans, d):
    # (key, value) pairs: the keys do not change
    return list([(rt.zero_tangent(k), rt.part(t, k)) for k in list(d)])


# Functional updates.  Where x's elements are replaced (set, power, min, max) its tangent
# is replaced there too; the values' tangents land where the values do, summed over
# repeated indices as the update accumulates (a set keeps the last, as its vjp does).

@custom(rt.at_set, diff=("x", "values"), abstract_eval=E.at_update)
def at_set(g, ans, x, index, values):
    return rt.at_set_adjoint(g, ans, x, index, values, 0), \
        rt.at_set_adjoint(g, ans, x, index, values, 1)


@jvp_rule(rt.at_set)
def at_set(t, ans, x, index, values):
    return rt.at_set(t, index, 0.0), rt.at_set(rt.zero_tangent(ans), index, t)


@custom(rt.at_add, diff=("x", "values"), abstract_eval=E.at_update)
def at_add(g, ans, x, index, values):
    return g, rt.at_gather(g, ans, index, values)


@jvp_rule(rt.at_add)
def at_add(t, ans, x, index, values):
    return t, rt.at_add(rt.zero_tangent(ans), index, t)


@custom(rt.at_multiply, diff=("x", "values"), abstract_eval=E.at_update, linear=("x",))
def at_multiply(g, ans, x, index, values):
    return rt.at_multiply_adjoint(g, ans, x, index, values, 0), \
        rt.at_multiply_adjoint(g, ans, x, index, values, 1)


@jvp_rule(rt.at_multiply)
def at_multiply(t, ans, x, index, values):
    # a value written scales its element by x times the other values written there (no
    # division: a value may be 0): the vjp's weights for a unit cotangent, one per slot
    slots = np.broadcast_to(values, np.shape(np.asarray(ans)[index]))
    weights = rt.at_multiply_adjoint(np.ones(np.shape(ans)), ans, x, index, slots, 1)
    return None, rt.at_add(rt.zero_tangent(ans), index, weights * t)


@custom(rt.at_divide, diff=("x", "values"), abstract_eval=E.at_update, linear=("x",))
def at_divide(g, ans, x, index, values):
    return rt.at_divide_adjoint(g, ans, x, index, values, 0), \
        rt.at_divide_adjoint(g, ans, x, index, values, 1)


@jvp_rule(rt.at_divide)
def at_divide(t, ans, x, index, values):
    # d(x / v1 / v2 ...) = -(result / vk) dvk for each value vk divided by
    return None, rt.at_add(rt.zero_tangent(ans), index, -(np.asarray(ans)[index] / values) * t)


@custom(rt.at_power, diff=("x", "values"), abstract_eval=E.at_update)
def at_power(g, ans, x, index, values):
    return rt.at_power_adjoint(g, ans, x, index, values, 0), \
        rt.at_power_adjoint(g, ans, x, index, values, 1)


@jvp_rule(rt.at_power)
def at_power(t, ans, x, index, values):
    # (indices are unique here); log of a zero base is taken as 0, as the vjp does
    base = np.asarray(x)[index]
    vals = np.broadcast_to(values, np.shape(base))
    return rt.at_set(t, index, np.asarray(t)[index] * vals * base ** (vals - 1)), \
        rt.at_set(rt.zero_tangent(ans), index,
                  np.asarray(ans)[index] * np.log(np.where(base == 0, 1.0, base)) * t)


@custom(rt.at_min, diff=("x", "values"), abstract_eval=E.at_update)
def at_min(g, ans, x, index, values):
    return rt.at_minmax_adjoint(g, ans, x, index, values, 0), \
        rt.at_minmax_adjoint(g, ans, x, index, values, 1)


@jvp_rule(rt.at_min)
def at_min(t, ans, x, index, values):
    # from what was kept: x where it holds the result (on ties too), else the first of
    # the values equal to it, as the vjp chooses
    return t * (np.asarray(x) == ans), \
        rt.at_add(rt.zero_tangent(ans), index, rt.at_minmax_kept(ans, x, index, values) * t)


@custom(rt.at_max, diff=("x", "values"), abstract_eval=E.at_update)
def at_max(g, ans, x, index, values):
    return rt.at_minmax_adjoint(g, ans, x, index, values, 0), \
        rt.at_minmax_adjoint(g, ans, x, index, values, 1)


@jvp_rule(rt.at_max)
def at_max(t, ans, x, index, values):
    return t * (np.asarray(x) == ans), \
        rt.at_add(rt.zero_tangent(ans), index, rt.at_minmax_kept(ans, x, index, values) * t)
