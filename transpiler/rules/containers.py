"""Containers: list(), tuple(), dict values, the functional ``.at[]`` updates."""
import builtins

import runtime as rt

from ..analysis import avals as A
from . import evaluation as E
from .registry import Effects, RuleError, custom, element, holds, nondiff, view


# the auxiliary data of has_aux (no derivative), checked to be a pair: kept even if unused
nondiff(rt.aux_of, abstract_eval=E.aux_of, effects=Effects("element", (0,), (), False))


@custom(builtins.list, builtins.tuple, diff=("iterable",), effects=holds(0),
        abstract_eval=E.sequence)
def sequence(g, ans, iterable=()):
    return rt.sequence_adjoint(g, iterable)


@custom(rt.concat, effects=holds(0, 1), abstract_eval=E.concat)
def concat(g, ans, a, b):
    return rt.concat_adjoint(g, a, b, 0), rt.concat_adjoint(g, a, b, 1)


@custom(rt.repeat_sequence, diff=("seq",), effects=holds(0), abstract_eval=E.repeat_sequence)
def repeat_sequence(g, ans, seq, n):
    return rt.unrepeat_sequence(g, seq, n)


@custom(rt.as_sequence, effects=view(0), abstract_eval=E.as_sequence)
def as_sequence(g, ans, iterable):
    return rt.sequence_adjoint(g, iterable)


@custom(builtins.sorted, effects=holds(0), abstract_eval=E.sorted_)
def sorted(g, ans, iterable, *, key=None, reverse=False):
    # the order (by key) only says where each item's adjoint goes
    return rt.sorted_adjoint(g, ans, iterable, reverse, key)


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


@custom(rt.dict_values, effects=holds(0), abstract_eval=E.dict_values)
def dict_values(g, ans, d):
    return rt.dict_values_adjoint(g, d)


@custom(rt.dict_get, diff=("d", "default"), effects=element(0, 2), abstract_eval=E.dict_get)
def dict_get(g, ans, d, key, default=None):
    if key in d:
        return rt.scatter(g, d, key), 0.0
    return rt.zeros_like(d), g


@custom(rt.dict_of, effects=holds(0), abstract_eval=E.dict_of)
def dict_of(g, ans, obj):
    return rt.dict_of_adjoint(g, obj)


@custom(rt.dict_of_adjoint, diff=("g_in",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(1,))
def dict_of_adjoint(g, ans, g_in, obj):
    if isinstance(g_in, dict):
        return rt.dict_of_gather(g, obj)
    gathered = rt.dict_of_gather(g, obj)
    return sum([rt.part(gathered, key) for key in list(gathered)])   # g_in stood for all


@custom(rt.dict_of_gather, diff=("c",), effects=holds(0), abstract_eval=E.unknown,
        shape_only=(1,))
def dict_of_gather(g, ans, c, obj):
    if isinstance(c, (list, tuple, dict)):
        return rt.dict_of_adjoint(g, obj)
    return sum([rt.part(g, key) for key in list(ans)])              # c stood for all


@custom(rt.dict_items, effects=holds(0), abstract_eval=E.dict_items)
def dict_items(g, ans, d):
    # each pair's second part is a value's adjoint
    return rt.dict_values_adjoint(list([rt.part(rt.part(g, n), 1) for n in range(len(d))]), d)


@custom(rt.at_set, diff=("x", "values"), abstract_eval=E.at_update)
def at_set(g, ans, x, index, values):
    return rt.at_set_adjoint(g, ans, x, index, values, 0), \
        rt.at_set_adjoint(g, ans, x, index, values, 1)


@custom(rt.at_add, diff=("x", "values"), abstract_eval=E.at_update)
def at_add(g, ans, x, index, values):
    return g, rt.at_gather(g, ans, index, values)


@custom(rt.at_multiply, diff=("x", "values"), abstract_eval=E.at_update)
def at_multiply(g, ans, x, index, values):
    return rt.at_multiply_adjoint(g, ans, x, index, values, 0), \
        rt.at_multiply_adjoint(g, ans, x, index, values, 1)


@custom(rt.at_divide, diff=("x", "values"), abstract_eval=E.at_update)
def at_divide(g, ans, x, index, values):
    return rt.at_divide_adjoint(g, ans, x, index, values, 0), \
        rt.at_divide_adjoint(g, ans, x, index, values, 1)


@custom(rt.at_power, diff=("x", "values"), abstract_eval=E.at_update)
def at_power(g, ans, x, index, values):
    return rt.at_power_adjoint(g, ans, x, index, values, 0), \
        rt.at_power_adjoint(g, ans, x, index, values, 1)


@custom(rt.at_min, diff=("x", "values"), abstract_eval=E.at_update)
def at_min(g, ans, x, index, values):
    return rt.at_minmax_adjoint(g, ans, x, index, values, 0), \
        rt.at_minmax_adjoint(g, ans, x, index, values, 1)


@custom(rt.at_max, diff=("x", "values"), abstract_eval=E.at_update)
def at_max(g, ans, x, index, values):
    return rt.at_minmax_adjoint(g, ans, x, index, values, 0), \
        rt.at_minmax_adjoint(g, ans, x, index, values, 1)
