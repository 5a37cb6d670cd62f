"""Array methods and attributes -> function form, so that every op is a call to a rule.

Requires: names resolved (frontend.resolve).  Ensures: no attribute access on values
remains except ``lst.append(v)`` on local lists.

    s = x.sum(axis=0)                 s = np.sum(x, axis=0)
    y = x.T @ W.reshape(3, -1)   ->   y = np.transpose(x) @ np.reshape(W, (3, -1))
    n = x.shape[0]                    n = np.shape(x)[0]
    z = x.at[i].set(v)                z = rt.at_set(x, i, v)
    z = x.at[i].get()                 z = np.copy(x[i])
    w = params.w                      w = rt.field(params, 'w')     (namedtuple fields)
    r = np.r_[x, 0.0]                 r = np.concatenate([np.atleast_1d(x), np.atleast_1d(0.0)])

Indexing an object of the environment that computes its result from the index (np.r_ with
a directive, np.c_, a user's class with ``__getitem__``) becomes a call of its
``__getitem__``, which reverse mode refuses if a derivative flows into it: the result is
never taken for a constant.
"""
import numbers

import gast
import numpy as np

from ..frontend.resolve import function_locals
from ..ir import build
from ..ir.walk import is_static_ref, subnodes
from ..pipeline import Pass

ATTRIBUTES = {
    "T": "np.transpose", "shape": "np.shape", "ndim": "np.ndim", "size": "np.size",
    "real": "np.real", "imag": "np.imag", "dtype": "np.result_type",
    "mT": "np.matrix_transpose", "itemsize": "rt.itemsize", "nbytes": "rt.nbytes",
}
# method -> (function, how positional arguments after self are packed)
#   "plain": f(x, *args, **kw); "shape": f(x, args_as_tuple) when more than one
METHODS = {
    "sum": ("np.sum", "plain"), "mean": ("np.mean", "plain"), "prod": ("np.prod", "plain"),
    "max": ("np.max", "plain"), "min": ("np.min", "plain"), "std": ("np.std", "plain"),
    "var": ("np.var", "plain"), "any": ("np.any", "plain"), "all": ("np.all", "plain"),
    "argmax": ("np.argmax", "plain"), "argmin": ("np.argmin", "plain"),
    "cumsum": ("np.cumsum", "plain"), "cumprod": ("np.cumprod", "plain"),
    "dot": ("np.dot", "plain"), "clip": ("np.clip", "plain"), "ravel": ("np.ravel", "plain"),
    "squeeze": ("np.squeeze", "plain"), "swapaxes": ("np.swapaxes", "plain"),
    "copy": ("np.copy", "plain"), "round": ("np.round", "plain"),
    "nonzero": ("np.nonzero", "plain"), "conj": ("np.conj", "plain"),
    "reshape": ("np.reshape", "shape"), "transpose": ("np.transpose", "shape"),
    "astype": ("rt.astype", "plain"), "item": ("rt.item", "plain"),
    "flatten": ("rt.flatten", "plain"), "trace": ("np.trace", "plain"),
    "repeat": ("np.repeat", "plain"), "take": ("np.take", "plain"),
    "diagonal": ("np.diagonal", "plain"), "argsort": ("np.argsort", "plain"),
}
# objects whose items are data: indexing them computes nothing from the index
PLAIN_DATA = (np.ndarray, np.generic, list, tuple, dict, str, bytes, range, numbers.Number,
              type)
AT_OPS = {"set", "add", "multiply", "mul", "divide", "power", "min", "max", "get"}
LIST_METHODS = {"append", "pop"}
DICT_METHODS = {"keys": "rt.dict_keys", "values": "rt.dict_values", "items": "rt.dict_items"}


class _Lowerer(gast.NodeTransformer):

    def __init__(self, unit, local_names):
        self.unit = unit
        self.locals = local_names

    def _static(self, node):
        return is_static_ref(node, self.unit.env, self.locals)

    def visit_FunctionDef(self, node):
        saved = self.locals
        self.locals = saved | function_locals(node)
        node.body = [self.visit(s) for s in node.body]
        self.locals = saved
        return node

    def visit_Call(self, node):
        func = node.func
        if self._static(func) and self.unit.env.lookup(func) is dict:
            return self._dict_call(node)
        if isinstance(func, gast.Attribute) and not self._static(func):
            at_call = self._at_call(node)
            if at_call is not None:
                return at_call
            node.args = [self.visit(a) for a in node.args]
            for kw in node.keywords:
                kw.value = self.visit(kw.value)
            receiver = self.visit(func.value)
            return self._method(node, receiver, func.attr)
        self.generic_visit(node)
        return node

    def _dict_call(self, node):
        """``dict(a=x)`` as the literal ``{'a': x}``; ``dict(obj)`` of a mapping or of
        pairs as ``rt.dict_of(obj)``."""
        self.generic_visit(node)
        if any(kw.arg is None for kw in node.keywords) or len(node.args) > 1 or \
                node.args and node.keywords:
            return node               # dict(**d), dict(obj, k=v): no rule, refused if varied
        if node.args:
            return build.call("rt.dict_of", node.args, at=node)
        return build.dict_([build.const(kw.arg) for kw in node.keywords],
                           [kw.value for kw in node.keywords], at=node)

    def _at_call(self, node):
        func = node.func
        sub = func.value
        if not (isinstance(sub, gast.Subscript) and isinstance(sub.value, gast.Attribute)
                and sub.value.attr == "at" and not self._static(sub.value)):
            return None
        op = func.attr
        if op not in AT_OPS:
            raise self.unit.error(node, "`.at[...].%s` is not a supported update" % op,
                                  "use one of .set, .add, .multiply, .divide, .power, .min, "
                                  ".max, .get.")
        array = self.visit(sub.value.value)
        index = self.visit(sub.slice)
        args = [self.visit(a) for a in node.args]
        if op == "get":
            # a new array, as in JAX (x[index] may be a view of x)
            return build.call("np.copy", [build.subscript(array, index, at=node)], at=node)
        if len(args) != 1 or node.keywords:
            raise self.unit.error(node, "`.at[...].%s` takes exactly one value" % op)
        op = {"mul": "multiply"}.get(op, op)
        return build.call("rt.at_" + op, [array, build.index_as_value(index), args[0]], at=node)

    def _method(self, node, receiver, method):
        if method in METHODS:
            fname, packing = METHODS[method]
            args = list(node.args)
            if packing == "shape" and len(args) > 1:
                args = [build.tuple_(args, at=node)]
            call = build.call(fname, [receiver] + args, at=node)
            call.keywords = node.keywords
            return call
        if method in DICT_METHODS and not node.args:
            return build.call(DICT_METHODS[method], [receiver], at=node)
        if method == "get" and 1 <= len(node.args) <= 2 and not node.keywords:
            return build.call("rt.dict_get", [receiver] + list(node.args), at=node)
        if method in LIST_METHODS:
            if method == "pop" and (node.args or node.keywords):
                raise self.unit.error(node, "`.pop()` with an index is not supported",
                                      "pop the last item with `.pop()`, or read the item "
                                      "(`x = lst[i]`) and build a new list.")
            node.func = build.attr(receiver, method, at=node)
            return node
        import numpy
        if hasattr(numpy, method):
            hint = ("call the NumPy function instead (np.%s(x, ...)), or compute the value "
                    "outside the transformed function." % method)
        else:
            hint = ("compute the value outside the transformed function and pass it in, or "
                    "write the computation with NumPy functions.")
        raise self.unit.error(node, "the method `.%s()` is not supported" % method, hint)

    def visit_Subscript(self, node):
        if not (isinstance(node.ctx, gast.Load) and self._static(node.value)):
            self.generic_visit(node)
            return node
        obj = self.unit.env.lookup(node.value)
        node.slice = self.visit(node.slice)
        if isinstance(obj, PLAIN_DATA) or not any(
                isinstance(n, gast.Name) for n in subnodes(node.slice)):
            return node          # indexing data, or a constant index: nothing varies
        if obj is np.r_ or obj is np.c_:
            lowered = self._concatenator(node, obj is np.c_)
            if lowered is not None:
                return lowered
        return build.call(build.attr(node.value, "__getitem__", at=node),
                          [build.index_as_value(node.slice)], at=node)

    def _concatenator(self, node, columns):
        """``np.r_[a, b, 0:3]`` as np.concatenate (a ``start:stop:step`` item is an arange);
        ``np.c_[a, b]`` joins the items made columns along the last axis.  None for what
        else the index tricks accept (a directive string, a complex step)."""
        items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        parts = []
        for item in items:
            if isinstance(item, gast.Slice):
                step = item.step
                if item.upper is None or isinstance(step, gast.Constant) and not isinstance(
                        step.value, (numbers.Real, type(None))):
                    return None
                bounds = [item.lower or build.const(0), item.upper, step or build.const(1)]
                item = build.call("np.arange", bounds, at=item)
            elif isinstance(item, gast.Constant) and isinstance(item.value, str):
                return None
            parts.append(build.call("rt.column" if columns else "np.atleast_1d", [item], at=node))
        return build.call("np.concatenate", [build.list_(parts, at=node),
                                             build.const(-1 if columns else 0)], at=node)

    def visit_Attribute(self, node):
        if self._static(node):
            return node
        receiver = self.visit(node.value)
        if node.attr in ATTRIBUTES:
            return build.call(ATTRIBUTES[node.attr], [receiver], at=node)
        if node.attr == "at":
            raise self.unit.error(node, "`.at` must be followed by `[index].set(value)` (or "
                                  ".add, .multiply, ...)")
        # a field of a namedtuple (or of some other object passed in)
        return build.call("rt.field", [receiver, build.const(node.attr)], at=node)


class LowerMethods(Pass):
    name = "lower_methods"

    def run(self, unit):
        lowerer = _Lowerer(unit, function_locals(unit.fn))
        unit.fn.body = [lowerer.visit(s) for s in unit.fn.body]
