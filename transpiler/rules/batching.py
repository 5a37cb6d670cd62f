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

import gast
import numpy as np

import runtime as rt

from . import evaluation as E
from . import registry
from .table import spelling
from ..analysis import avals as A
from ..analysis.avals import Array, NDARRAY, is_size
from ..ir import build


class NoRule(Exception):
    """This call cannot be batched by its rule: it runs per example."""


def LOOP(site):
    """The per-example loop (the fallback every primitive has)."""
    raise NoRule("no batching rule")


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
def stack_examples(g, ans, results, axis=0):
    return rt.unstack_examples(rt.as_gradient(g, ans), results, axis)


@registry.custom(rt.unstack_examples, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1,), internal=True, linear=True)
def unstack_examples(g, ans, g_in, results, axis=0):
    # each example's cotangent full-size, stacked, summed back to g_in where it stood
    # for its broadcast
    full = rt.stack_examples(rt.as_gradient(g, results), axis)
    return rt.unbroadcast(full, g_in, full)


@registry.custom(rt.move_batch_axes, diff=("tree",), abstract_eval=E.unknown, internal=True,
                 linear=True)
def move_batch_axes(g, ans, tree, axes, size):
    return rt.move_batch_axes_adjoint(rt.as_gradient(g, ans), tree, axes)


@registry.custom(rt.move_batch_axes_adjoint, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1,), internal=True, linear=True)
def move_batch_axes_adjoint(g, ans, g_in, tree, axes):
    # (g full-size first: it may stand for its broadcast over the leaves)
    moved = rt.move_batch_axes(rt.as_gradient(g, ans), axes, rt.batch_size_along(tree, axes))
    return rt.unbroadcast(moved, g_in, moved)


@registry.custom(rt.place_batch_axes, diff=("tree",), abstract_eval=E.unknown, internal=True,
                 linear=True)
def place_batch_axes(g, ans, tree, axes):
    return rt.place_batch_axes_adjoint(rt.as_gradient(g, ans), tree, axes)


@registry.custom(rt.place_batch_axes_adjoint, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1,), internal=True, linear=True)
def place_batch_axes_adjoint(g, ans, g_in, tree, axes):
    moved = rt.place_batch_axes(rt.as_gradient(g, ans), axes)
    return rt.unbroadcast(moved, g_in, moved)


@registry.custom(rt.as_batch_gradient, diff=("d",), abstract_eval=E.unknown, shape_only=(1,),
                 internal=True, linear=True)
def as_batch_gradient(g, ans, d, x, size, x_batched):
    return rt.as_batch_gradient_adjoint(g, d, x, x_batched)


@registry.custom(rt.as_batch_gradient_adjoint, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1, 2), internal=True, linear=True)
def as_batch_gradient_adjoint(g, ans, g_in, d, x, x_batched):
    # spread back over the broadcast axes: the gradient made again, batch size from d
    full = rt.as_batch_gradient(g, x, rt.batch_size_of(d), x_batched)
    return rt.unbroadcast(full, g_in, full)


@registry.custom(rt.as_batch_gradients, diff=("ds",), abstract_eval=E.unknown,
                 shape_only=(1,), internal=True, linear=True)
def as_batch_gradients(g, ans, ds, xs, size, xs_batched):
    # the arguments' gradients are the leaves of one structure
    return rt.as_batch_gradient_adjoint(g, ds, xs, xs_batched)


registry.nondiff(rt.batch_size_of, abstract_eval=E.python_int, shape_only=(0,), internal=True)
registry.nondiff(rt.batch_buffer, abstract_eval=E.unknown, shape_only=(0,), internal=True)
registry.nondiff(rt.example_like, abstract_eval=E.unknown, shape_only=(0,), internal=True)
registry.nondiff(rt.batch_size_along, abstract_eval=E.python_int, shape_only=(0,),
                 internal=True)


# ------------------------------------------------------------ families

# Python's scalar functions on a batched value whose record names no NumPy ufunc of the
# same meaning (math.pow is a float power; max/min of two values are elementwise)
_ARRAY_FORM = {
    math.log: "np.log", math.pow: "np.float_power", math.hypot: "np.hypot",
    math.isnan: "np.isnan", math.isinf: "np.isinf", math.isfinite: "np.isfinite",
    builtins.pow: "np.power", builtins.max: "np.maximum", builtins.min: "np.minimum",
    operator.not_: "np.logical_not",
}


def _array_form(site):
    """A function of Python numbers (``math.*``, builtins, ``not``) called on a batched
    value: call its NumPy form instead -- the ufunc its record shares, else the one
    ``_ARRAY_FORM`` names; NoRule where there is none (``math.erf``: per example)."""
    callee = site.callee
    if callee in _ARRAY_FORM:
        path = _ARRAY_FORM[callee]
    elif getattr(callee, "__module__", None) in ("math", "builtins"):
        ufuncs = [p for p in site.rule.primals if isinstance(p, np.ufunc)]
        if not ufuncs:
            raise NoRule("no NumPy form of %s" % callee.__name__)
        path = spelling(ufuncs[0])
    else:
        return                                 # an operator: arrays take it as it is
    if site.keywords or (callee is math.log and len(site.args) != 1):
        raise NoRule("options of a Python scalar function (math.log's base)")
    if callee in (builtins.max, builtins.min) and len(site.args) != 2:
        raise NoRule("max/min of one sequence")
    site.rename(path)


def broadcast(site, check_static=True):
    """Elementwise and broadcasting primitives: each batched operand gets the axes it
    lacks after the batch axis (``x[:, None]``), so NumPy broadcasts the rest as it
    does per example."""
    rank = site.result_rank
    if rank is None:
        raise NoRule("the result's rank is not known")
    _array_form(site)
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


def reduction(site):
    """Reductions along ``axis``: the batch axis is never reduced (``axis=None``, every
    axis of an example, is all axes but the first)."""
    _only_first_batched(site)
    rank = site.rank(site.args[0])
    if rank is None:
        raise NoRule("rank not known")
    site.set_param("axis", _map_axis(site.option("axis"), rank))
    return site.rebuilt()


def _arg_reduction(site):
    """``np.argmax``/``np.argmin``: an index along one axis (``axis=None`` indexes the
    flattened example: batched only for vectors, where it is axis 1)."""
    if site.option("axis") is None:
        if site.rank(site.args[0]) != 1:
            raise NoRule("an index into the flattened value")
        _only_first_batched(site)
        site.set_param("axis", 1)
        return site.rebuilt()
    return reduction(site)


def _axis_argument(site):
    """Operations with one ``axis`` (``np.stack``, ``np.concatenate``,
    ``np.expand_dims``): shifted past the batch axis."""
    axis = site.option("axis", 0)
    if axis is None:
        raise NoRule("axis=None")
    site.set_param("axis", _map_axis(axis, 0))
    return site.rebuilt()


def _like(site):
    """``np.zeros_like(x)``: the batched x gives batched zeros (unless a shape is given,
    which is an example's)."""
    _only_first_batched(site)
    if site.param_key("shape") is not None:
        raise NoRule("zeros_like with a shape")
    return site.rebuilt()


def _transpose(site):
    _only_first_batched(site)
    rank = site.rank(site.args[0])
    if rank is None:
        raise NoRule("rank not known")
    axes = site.option("axes")
    if axes is None:
        axes = tuple(range(rank))[::-1]
    site.set_param("axes", (0,) + tuple(a % rank + 1 for a in axes))
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
    axis = site.option("axis")
    if axis is None:
        shape = site.shape(x)
        if shape is None or any(d is None for d in shape):
            raise NoRule("which dimensions are 1 is not known")
        axis = tuple(k for k, d in enumerate(shape) if d == 1)
    site.set_param("axis", _map_axis(axis, 0))
    return site.rebuilt()


def _shape_argument(site, *names):
    """The key and the value (a tuple) of a shape argument known when the code is made."""
    key = next((k for k in map(site.param_key, names) if k is not None), None)
    if key is None:
        raise NoRule("no shape")
    shape = site.value(key)
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, tuple):
        raise NoRule("a shape not known when the code is made")
    return key, shape


def _reshape(site):
    """``np.reshape(x, shape)``: the batch size first."""
    _only_first_batched(site)
    key, shape = _shape_argument(site, "newshape", "shape")
    site.set_param(site.param_name(key), site.with_batch_size(shape))
    return site.rebuilt()


def _ravel(site):
    _only_first_batched(site)
    x = site.args[0]
    return site.call("np.reshape", [x, site.with_batch_size((-1,))])


def _broadcast_to(site):
    """``np.broadcast_to(x, shape)``: the batch size in front of the shape -- a tuple
    known when the code is made, or one held in a variable (``(batch_size,) + shape``)."""
    _only_first_batched(site)
    try:
        key, shape = _shape_argument(site, "shape")
        rank, batched_shape = len(shape), site.with_batch_size(shape)
    except NoRule:
        key = site.param_key("shape")
        atom = site._atom(key) if key is not None else None
        aval = site.mode.aval(atom) if isinstance(atom, gast.Name) else None
        if not (isinstance(aval, A.Seq) and aval.kind == "tuple" and aval.items is not None):
            raise
        rank = len(aval.items)
        batched_shape = build.binop(build.tuple_([site.mode.batch_size()]), "+",
                                    build.clone(atom))
    site.replace(0, site.expand(site.args[0], rank))
    site.set_param(site.param_name(key), batched_shape)
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
    if (ba and (not bb or ra == rb == 2)) or (bb and not ba and ra == rb == 2):
        # (B, n) @ W or @ v, (B, m, n) @ W or @ v, A @ (B, n, k), (B, m, n) @ (B, n, k):
        # matmul broadcasts over the batch by itself (np.dot of a 3-d array does not)
        return site.call("np.matmul" if site.callee is np.dot else None, [a, b])
    if bb and not ba and ra == 2 and rb == 1:
        # A @ v for a batch of v: the rows of (B, n) @ A.T (one matrix product)
        return site.call("np.matmul", [b, site.call("np.transpose", [a])])
    if bb and not ba and ra == 1 and rb == 2:
        return site.call("np.matmul", [a, b])          # v @ (B, n, k): matmul broadcasts
    letters_a = "ij" if ra == 2 else "j"
    letters_b = "jk" if rb == 2 else "j"
    out = ("i" if ra == 2 else "") + ("k" if rb == 2 else "")
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


# ------------------------------------------------------------ reverse mode's helpers
# (a batched gradient: vmap(grad(f)).  The operands the table marks shape_only are read
# for an example's shape; where only those are batched the call is the same for every
# example and is not batched at all: ``BatchMode._example_shaped``.)

def _as_gradient(site):
    """``rt.as_gradient(d, x)`` / ``rt.as_gradients(ds, xs)`` of a batched adjoint:
    ``rt.as_batch_gradient``, which gives each leaf of ``d`` the axes it lacks after
    the batch axis (a lazily broadcast adjoint) and makes it the shape of ``x``'s (whose
    batch axis it has, or is given)."""
    if site.keywords or len(site.args) != 2:
        raise NoRule("options")
    d, x = site.args
    if not site.is_batched(d):
        raise NoRule("an adjoint the same for every example")
    helper = "rt.as_batch_gradient" if site.callee is rt.as_gradient else \
        "rt.as_batch_gradients"
    return site.call(helper, [d, x, site.mode.batch_size(), site.is_batched(x)])


def _part(site):
    """``rt.part(d, key)``: an item of a container adjoint, or a per-example array's
    entry ``d[:, key]``; a number per example stands for every item (itself)."""
    if site.keywords or len(site.args) != 2 or site.is_batched(site.args[1]):
        raise NoRule("a batched key")
    d, key = site.args
    aval = site.mode.aval(d)
    if isinstance(aval, A.Seq) or isinstance(aval, A.Dict):
        return site.rebuilt()
    if not isinstance(aval, Array) or aval.rank is None:
        raise NoRule("an adjoint of unknown kind")
    if aval.rank == 0:
        return build.clone(d)
    return build.subscript(build.clone(d), build.tuple_([build.slice_(), build.clone(key)]))


def _full_size(site, g, like):
    """The batched cotangent ``g`` for a result shaped like ``like`` (per example):
    itself where it has that rank, else broadcast to it (``like`` batched)."""
    rank = site.rank(like)
    own = site.rank(g)
    if rank is None or own is None:
        raise NoRule("ranks not known")
    shape = site.shape(g)
    if own == rank and shape == site.shape(like) and None not in shape:
        return g
    if not (site.is_batched(g) and site.is_batched(like)):
        raise NoRule("a cotangent that may be lazily broadcast")
    # rt.broadcast_to returns g itself where it has the shape already
    return site.call("rt.broadcast_to", [site.expand(g, rank), like])


def _product_adjoint(site):
    """``rt.matmul_adjoint(g, out, x, y, argnum)`` (and ``dot_adjoint``, where it is
    matmul): the contraction written out in ``np.einsum`` with the batch letter on the
    batched operands."""
    if site.keywords or len(site.args) != 5:
        raise NoRule("options")
    g, out, x, y = site.args[:4]
    argnum = site.value(4)
    rx, ry = site.rank(x), site.rank(y)
    if rx not in (1, 2) or ry not in (1, 2) or argnum not in (0, 1):
        raise NoRule("ranks")
    other = y if argnum == 0 else x
    batched = {"g": site.is_batched(g), "x": site.is_batched(x), "y": site.is_batched(y)}
    if not (batched["g"] or site.is_batched(other)):
        # the result is the same for every example, yet held by a batched name
        raise NoRule("only the operand lending its shape is batched")
    g = _full_size(site, g, out)
    if rx == ry == 1:
        # a dot product's adjoint: the cotangent (a number per example) times the other
        return build.binop(site.expand(g, 1) if batched["g"] else build.clone(g), "*",
                           build.clone(other))
    product = _adjoint_as_matmul(site, g, x, y, rx, ry, argnum)
    if product is not None:
        return product
    letters = {"x": "ij" if rx == 2 else "j", "y": "jk" if ry == 2 else "j",
               "g": ("i" if rx == 2 else "") + ("k" if ry == 2 else "")}
    target = "x" if argnum == 0 else "y"
    operands = [(g, "g"), (other, "y" if argnum == 0 else "x")]
    if argnum == 1:
        operands.reverse()
    spec = "%s->z%s" % (",".join(("z" if batched[k] else "") + letters[k]
                                 for _, k in operands), letters[target])
    return site.call("np.einsum", [site.const(spec)] + [a for a, _ in operands])


def _adjoint_as_matmul(site, g, x, y, rx, ry, argnum):
    """The adjoint of a matrix product that is itself one (``g @ y.T``, ``x.T @ g``:
    BLAS, where ``np.einsum`` would loop), batched by matmul's own broadcasting; None
    where it is an outer product or would need the batch in the middle."""
    def transposed(a):
        return site.call("np.swapaxes", [a, -1, -2])
    if rx == ry == 2:
        # (.., m, n) @ (.., n, k): each side's batch axis in front broadcasts
        if argnum == 0:
            return site.call("np.matmul", [g, transposed(y)])
        return site.call("np.matmul", [transposed(x), g])
    if argnum == 1 and rx == 2 and ry == 1 and not site.is_batched(x):
        return site.call("np.matmul", [g, x])            # per example x.T @ g, the rows g @ x
    if argnum == 0 and rx == 1 and ry == 2 and not site.is_batched(y):
        return site.call("np.matmul", [g, transposed(y)])   # per example y @ g
    return None


def _summed_axes(shape, out_shape):
    """(the leading axes, the axes kept as 1) ``sum_to`` sums ``out_shape`` over to give
    ``shape`` -- per example; NoRule where the shapes do not say."""
    if shape is None or out_shape is None or len(out_shape) < len(shape):
        raise NoRule("shapes not known")
    lead = len(out_shape) - len(shape)
    kept = []
    for k, (n, m) in enumerate(zip(shape, out_shape[lead:])):
        if n is not None and (n == m or n is m):
            continue
        if n == 1 and isinstance(m, int):
            kept.append(k)
            continue
        raise NoRule("which axes were broadcast is not known")
    return tuple(range(lead)), tuple(kept)


def _sum_batched(site, c, lead, kept):
    """``c`` (batched, full-size) summed over the per-example axes ``lead`` then
    ``kept`` (kept as 1), the batch axis left alone."""
    if lead:
        c = site.call("np.sum", [c], [("axis", tuple(k + 1 for k in lead))])
    if kept:
        c = site.call("np.sum", [c], [("axis", tuple(k + 1 for k in kept)),
                                      ("keepdims", True)])
    return c


def _unbroadcast(site):
    """``rt.unbroadcast(c, x, out)`` of a batched ``c``: the sum over the axes ``x``
    was broadcast along, per example (the shapes known when the code is made)."""
    if site.keywords or len(site.args) != 3:
        raise NoRule("options")
    c, x, out = site.args
    lead, kept = _summed_axes(site.shape(x), site.shape(out))
    if not lead and not kept:
        return build.clone(c)
    return _sum_batched(site, _full_size(site, c, out), lead, kept)


def _sum_to(site):
    """``rt.sum_to(c, shape, out_shape)`` with the shapes known when the code is made."""
    if site.keywords or len(site.args) != 3:
        raise NoRule("options")
    c = site.args[0]
    shape, out_shape = site.value(1), site.value(2)
    lead, kept = _summed_axes(shape, out_shape)
    if not lead and not kept:
        return build.clone(c)
    rank = site.rank(c)
    if rank is None:
        raise NoRule("rank not known")
    if rank != len(out_shape) or site.shape(c) != tuple(out_shape):
        c = site.call("np.broadcast_to", [site.expand(c, len(out_shape)),
                                          site.with_batch_size(out_shape)])
    return _sum_batched(site, c, lead, kept)


def _adjoint_sum(site):
    """``rt.add(a, b)`` of arrays: elementwise (containers: per example)."""
    if not all(isinstance(site.mode.aval(a), Array) for a in site.args):
        raise NoRule("a sum of container adjoints")
    return broadcast(site, check_static=False)


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
batching(np.argmax, np.argmin)(_arg_reduction)
batching(np.any, np.all, np.count_nonzero)(reduction)
batching(np.zeros_like, np.ones_like, np.empty_like, rt.zeros_like)(_like)
batching(np.transpose)(_transpose)
batching(np.swapaxes)(_shifted("axis1", "axis2"))
batching(np.moveaxis)(_shifted("source", "destination"))
batching(np.expand_dims, np.stack, np.concatenate)(_axis_argument)
batching(np.squeeze)(_squeeze)
batching(np.reshape)(_reshape)
batching(np.ravel)(_ravel)
batching(np.broadcast_to)(_broadcast_to)
batching(np.array)(_array)
batching(np.matmul, operator.matmul, np.dot)(_matmul)
batching(np.outer)(_outer)
batching(np.einsum)(_einsum)
batching(rt.snapshot, np.copy)(_like)
batching(rt.as_gradient, rt.as_gradients)(_as_gradient)
batching(rt.part)(_part)
batching(rt.matmul_adjoint)(_product_adjoint)
batching(rt.unbroadcast)(_unbroadcast)
batching(rt.sum_to)(_sum_to)
batching(rt.add)(_adjoint_sum)
fill()
