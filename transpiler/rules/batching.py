"""The ``batch`` slot of the primitive table: how a call runs on batched operands.

Batched code (``tp.vmap``) keeps the batch axis first on every batched value; values
the same for every example have none.  A batching rule gets the call site
(``transpiler/batch/transform.py``'s ``Site``: the arguments, which are batched, the
per-example ranks, the static values it can read) and returns the batched call -- what a
person vectorising the code by hand writes: ``np.sum(x, axis=1)`` for a per-example
``np.sum(x, axis=0)``, ``x[:, None] * y`` where a per-example scalar meets a vector.

Families fill the slot from one line: elementwise and broadcasting primitives align the
batched operands' ranks (the batch axis stays first, NumPy broadcasts the rest);
reductions and shape operations shift their ``axis`` arguments past the batch axis.
A primitive no rule covers has ``LOOP``: the call runs once per example, in a loop the
generated code shows, and the results are stacked -- correct for every pure call, and
listed by ``transpiler rules``.  A rule that cannot batch one call (an axis that is not
a constant, a batched static argument) raises ``NoRule``: that call gets the loop.
"""
import builtins
import math
import operator

import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from ..analysis.avals import Array, NDARRAY, is_size


class NoRule(Exception):
    """This call cannot be batched by its rule: it runs per example."""


def LOOP(site):
    """The per-example loop (the fallback every primitive has)."""
    raise NoRule("no batching rule")


LOOP.loop = True


def batching(*primals):
    def decorator(fn):
        for primal in primals:
            rule = registry.lookup(primal)
            if rule is None:
                raise registry.RuleError("batching rule for %r, which has no record" % (primal,))
            rule.batch = fn
        return fn
    return decorator


# ------------------------------------------------------------ the helper batched code calls

def _broadcast_batch_eval(args, kwargs):
    value, size = args[0], args[1]
    if not isinstance(value, Array) or value.shape is None:
        return Array(None, None, NDARRAY)
    n = size.value if isinstance(size, Array) and (is_size(size.value) or
                                                  isinstance(size.value, int)) else None
    return Array(value.dtype, (n,) + value.shape, NDARRAY)


@registry.custom(rt.broadcast_batch, diff=("value",), abstract_eval=_broadcast_batch_eval,
                 internal=True, linear=True)
def broadcast_batch(g, ans, value, size):
    # every example's copy of the value contributes to it (g may stand for its broadcast)
    return np.sum(rt.broadcast_to(g, ans), axis=0)


@registry.custom(rt.example_of, diff=("tree",), effects=registry.view(0),
                 abstract_eval=E.unknown, internal=True, linear=True)
def example_of(g, ans, tree, index):
    return rt.example_adjoint(g, tree, index)


@registry.custom(rt.example_adjoint, diff=("g_in",), abstract_eval=E.adjoint_like(1),
                 shape_only=(1,), internal=True, linear=True)
def example_adjoint(g, ans, g_in, tree, index):
    # (g full-size first: it may stand for its broadcast over the examples)
    return rt.example_of(rt.as_gradient(g, ans), index)


@registry.custom(rt.stack_examples, diff=("results",), abstract_eval=E.unknown,
                 internal=True, linear=True)
def stack_examples(g, ans, results):
    return rt.unstack_examples(rt.as_gradient(g, ans), results)


@registry.custom(rt.unstack_examples, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1,), internal=True, linear=True)
def unstack_examples(g, ans, g_in, results):
    # each example's cotangent full-size, stacked, summed back to g_in where it stood
    # for its broadcast
    full = rt.stack_examples(rt.as_gradient(g, results))
    return rt.unbroadcast(full, g_in, full)


registry.nondiff(rt.batch_size_of, abstract_eval=E.python_int, shape_only=(0,), internal=True)


# ------------------------------------------------------------ families

# Python's scalar functions on a batched value: NumPy's array functions
_ARRAY_FORM = {
    math.sin: "np.sin", math.cos: "np.cos", math.tan: "np.tan", math.exp: "np.exp",
    math.log: "np.log", math.sqrt: "np.sqrt", math.tanh: "np.tanh", math.sinh: "np.sinh",
    math.cosh: "np.cosh", math.asin: "np.arcsin", math.acos: "np.arccos",
    math.atan: "np.arctan", math.atan2: "np.arctan2", math.log1p: "np.log1p",
    math.expm1: "np.expm1", math.log10: "np.log10", math.log2: "np.log2",
    math.fabs: "np.abs", math.pow: "np.power", math.hypot: "np.hypot",
    math.erf: None, math.isnan: "np.isnan", math.isinf: "np.isinf",
    math.isfinite: "np.isfinite", math.copysign: "np.copysign", math.degrees: "np.degrees",
    math.radians: "np.radians", math.asinh: "np.arcsinh", math.acosh: "np.arccosh",
    math.atanh: "np.arctanh",
    builtins.abs: "np.abs", builtins.pow: "np.power", builtins.max: "np.maximum",
    builtins.min: "np.minimum", operator.not_: "np.logical_not",
}


def broadcast(site, check_static=True):
    """Elementwise and broadcasting primitives: each batched operand gets the axes it
    lacks after the batch axis (``x[:, None]``), so NumPy broadcasts the rest as it
    does per example."""
    rank = site.result_rank
    if rank is None:
        raise NoRule("the result's rank is not known")
    callee = site.callee
    if callee in _ARRAY_FORM:
        if _ARRAY_FORM[callee] is None or site.keywords:
            raise NoRule("no array form")
        if callee in (builtins.max, builtins.min) and len(site.args) != 2:
            raise NoRule("max/min of one sequence")
        site.rename(_ARRAY_FORM[callee])
    for key, atom in site.operands():
        if not site.is_batched(atom):
            continue
        if check_static and key in site.static_params():
            raise NoRule("a batched static argument")
        site.replace(key, site.expand(atom, rank))
    return site.rebuilt()


def _map_axis(axis, rank):
    """A per-example axis (of a value of per-example ``rank``) in the batched value."""
    if axis is None:
        return tuple(range(1, rank + 1))
    if isinstance(axis, tuple):
        return tuple(_map_axis(a, rank) for a in axis)
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise NoRule("an axis that is not an int")
    return int(axis) + 1 if axis >= 0 else int(axis)


def _only_first_batched(site):
    for key, atom in site.operands():
        if key not in (0, site.first_param) and site.is_batched(atom):
            raise NoRule("a batched argument other than the array")


def reduction(site, flatten_none=False):
    """Reductions along ``axis``: the batch axis is never reduced."""
    _only_first_batched(site)
    x = site.args[0]
    rank = site.rank(x)
    if rank is None:
        raise NoRule("rank not known")
    key = site.param_key("axis")
    axis = site.value(key) if key is not None else None
    if axis is None and flatten_none and rank != 1:
        raise NoRule("a reduction over the flattened value")
    site.set_param("axis", _map_axis(axis, rank) if not (axis is None and flatten_none)
                   else 1)
    return site.rebuilt()


def _with_axis(position, name="axis", default=0, none_ok=False):
    """Shape operations with one ``axis`` argument counted in the result's rank
    (``np.stack``, ``np.expand_dims``) or the operand's: shifted past the batch axis."""
    def rule(site):
        key = site.param_key(name)
        axis = site.value(key) if key is not None else default
        if axis is None and not none_ok:
            raise NoRule("axis=None")
        site.set_param(name, _map_axis(axis, 0) if axis is not None else None)
        return site.rebuilt()
    return rule


def _like(site):
    """``np.zeros_like(x)``: the batched x gives batched zeros."""
    _only_first_batched(site)
    return site.rebuilt()


def _transpose(site):
    _only_first_batched(site)
    rank = site.rank(site.args[0])
    key = site.param_key("axes")
    axes = site.value(key) if key is not None else None
    if rank is None:
        raise NoRule("rank not known")
    if axes is None:
        axes = tuple(range(rank))[::-1]
    site.set_param("axes", (0,) + tuple(_map_axis(a % rank if rank else a, rank)
                                        for a in axes))
    return site.rebuilt()


def _shifted(*names):
    """Operations whose ``names`` arguments are axes of the operand: each shifted past
    the batch axis (``np.swapaxes``, ``np.moveaxis``)."""
    def rule(site):
        _only_first_batched(site)
        for name in names:
            key = site.param_key(name)
            site.set_param(name, _map_axis(site.value(key), 0))
        return site.rebuilt()
    return rule


def _squeeze(site):
    _only_first_batched(site)
    x = site.args[0]
    key = site.param_key("axis")
    axis = site.value(key) if key is not None else None
    if axis is None:
        shape = site.shape(x)
        if shape is None or any(d is None for d in shape):
            raise NoRule("which dimensions are 1 is not known")
        axis = tuple(k for k, d in enumerate(shape) if d == 1)
    site.set_param("axis", _map_axis(axis, 0))
    return site.rebuilt()


def _reshape(site):
    """``np.reshape(x, shape)``: the batch size first (``x.shape[0]``)."""
    _only_first_batched(site)
    key = site.param_key("newshape") or site.param_key("shape")
    if key is None:
        raise NoRule("no shape")
    shape = site.value(key)
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, tuple):
        raise NoRule("a shape not known when the code is made")
    site.set_param(site.param_name(key), site.with_batch_size(shape))
    return site.rebuilt()


def _ravel(site):
    _only_first_batched(site)
    x = site.args[0]
    return site.call("np.reshape", [x, site.with_batch_size((-1,))])


def _broadcast_to(site):
    _only_first_batched(site)
    x = site.args[0]
    key = site.param_key("shape")
    shape = site.value(key)
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, tuple):
        raise NoRule("a shape not known when the code is made")
    site.replace(0, site.expand(x, len(shape)))
    site.set_param(site.param_name(key), site.with_batch_size(shape))
    return site.rebuilt()


def _stack(site):
    """``np.stack(xs, axis)`` over a list of batched values: the axis shifts."""
    return _with_axis(1)(site)


def _concatenate(site):
    key = site.param_key("axis")
    axis = site.value(key) if key is not None else 0
    if axis is None:
        raise NoRule("axis=None")
    site.set_param("axis", _map_axis(axis, 0))
    return site.rebuilt()


def _array(site):
    """``np.array(xs)`` of a list of batched values stacks them along axis 1; of one
    batched array, copies it."""
    if site.keywords or len(site.args) != 1:
        raise NoRule("np.array with options")
    x = site.args[0]
    if site.is_list(x):
        if not site.same_shaped_items(x):
            raise NoRule("items of different shapes")
        return site.call("np.stack", [x], [("axis", 1)])
    return site.rebuilt()


def _where(site):
    if len(site.args) != 3:
        raise NoRule("np.where with one argument")
    return broadcast(site, check_static=False)


def _matmul(site):
    """``a @ b``, ``np.matmul``, ``np.dot`` (for the ranks where it is matmul):
    matmul's own broadcasting where it batches by itself, else ``np.einsum``."""
    if site.keywords or len(site.args) != 2:
        raise NoRule("options")
    a, b = site.args
    ra, rb = site.rank(a), site.rank(b)
    if ra is None or rb is None or ra == 0 or rb == 0 or ra > 2 or rb > 2:
        raise NoRule("ranks")
    ba, bb = site.is_batched(a), site.is_batched(b)
    letters_a = "ij"[2 - ra:] if ra == 2 else "j"
    letters_b = "jk"[:rb] if rb == 2 else "j"
    out = (letters_a[0] if ra == 2 else "") + (letters_b[1] if rb == 2 else "")
    if ba and not bb and (rb == 2 or ra == 2):
        # (B, n) @ W, (B, m, n) @ W or @ v: matmul treats the batch as rows
        return site.call(None, [a, b])
    if bb and not ba and ra == 2 and rb == 2:
        return site.call(None, [a, b])
    if ba and bb and ra == 2 and rb == 2:
        return site.call(None, [a, b])
    spec = "%s,%s->%s" % (("z" if ba else "") + letters_a, ("z" if bb else "") + letters_b,
                          "z" + out)
    return site.call("np.einsum", [site.const(spec), a, b])


def _outer(site):
    if site.keywords or len(site.args) != 2:
        raise NoRule("options")
    a, b = site.args
    if site.rank(a) != 1 or site.rank(b) != 1:
        raise NoRule("outer of arrays that are not vectors")
    spec = "%s,%s->zij" % ("zi" if site.is_batched(a) else "i",
                           "zj" if site.is_batched(b) else "j")
    return site.call("np.einsum", [site.const(spec), a, b])


def _einsum(site):
    if site.keywords or not site.args:
        raise NoRule("options")
    spec = site.value(0)
    if not isinstance(spec, str) or "->" not in spec or "." in spec:
        raise NoRule("einsum subscripts without '->', or with '...'")
    inputs, output = spec.replace(" ", "").split("->")
    inputs = inputs.split(",")
    if len(inputs) != len(site.args) - 1:
        raise NoRule("operands")
    used = set(spec)
    letter = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXW" if c not in used)
    inputs = [(letter + part) if site.is_batched(atom) else part
              for part, atom in zip(inputs, site.args[1:])]
    site.replace(0, site.const("%s->%s" % (",".join(inputs), letter + output)))
    return site.rebuilt()


def fill():
    """Give every primitive its batching rule: families from one line, the others as
    listed here, the rest the per-example loop."""
    for rule in registry.all_rules():
        if rule.batch is not None:
            continue
        if rule.family in ("elementwise", "broadcasting"):
            rule.batch = broadcast
        elif rule.family == "reduction":
            rule.batch = reduction
        else:
            rule.batch = LOOP


batching(operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
         np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal,
         operator.and_, operator.or_, operator.xor, operator.invert, operator.not_,
         operator.floordiv, np.floor_divide, np.logical_not, np.bitwise_and, np.bitwise_or,
         np.bitwise_xor, np.invert, np.isnan, np.isinf, np.isfinite, np.signbit,
         np.sign, np.floor, np.ceil, np.trunc, np.rint, np.fix,
         math.isnan, math.isinf, math.isfinite)(broadcast)
batching(np.where)(_where)
batching(np.argmax, np.argmin)(lambda site: reduction(site, flatten_none=True))
batching(np.any, np.all, np.count_nonzero)(reduction)
batching(np.zeros_like, np.ones_like, np.empty_like, rt.zeros_like)(_like)
batching(np.transpose)(_transpose)
batching(np.swapaxes)(_shifted("axis1", "axis2"))
batching(np.moveaxis)(_shifted("source", "destination"))
batching(np.expand_dims)(_with_axis(1))
batching(np.squeeze)(_squeeze)
batching(np.reshape)(_reshape)
batching(np.ravel)(_ravel)
batching(np.broadcast_to)(_broadcast_to)
batching(np.stack)(_stack)
batching(np.concatenate)(_concatenate)
batching(np.array)(_array)
batching(np.matmul, operator.matmul, np.dot)(_matmul)
batching(np.outer)(_outer)
batching(np.einsum)(_einsum)
batching(rt.snapshot, np.copy)(_like)
fill()
