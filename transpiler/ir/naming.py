"""One naming scheme for everything the compiler invents.

* temporaries are named after the expression they hold: ``np.sin(x)`` -> ``sin_x``,
  ``a * b`` -> ``a_times_b``, ``x[i]`` -> ``x_i``;
* the adjoint of ``x`` is ``dx`` (``d_x`` if the user already has a ``dx``);
* tape stacks are ``x_stack``;
* clashes get a numeric suffix: ``sin_x``, ``sin_x_2``, ...

Names are handed out deterministically (same input, same names), which keeps generated
source byte-identical from run to run.
"""
import keyword
import re

import gast

from . import build

_OPWORDS = {
    gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
    gast.FloorDiv: "floordiv", gast.Mod: "mod", gast.Pow: "pow", gast.MatMult: "matmul",
    gast.BitAnd: "and", gast.BitOr: "or", gast.BitXor: "xor",
}
_CMPWORDS = {
    gast.Lt: "lt", gast.LtE: "le", gast.Gt: "gt", gast.GtE: "ge", gast.Eq: "eq",
    gast.NotEq: "ne", gast.Is: "is", gast.IsNot: "is_not", gast.In: "in",
    gast.NotIn: "not_in",
}
_MAX = 24
# products named like operators: np.dot(A, x) is `A_dot_x` (not `dot_A`, which reads as
# the tangent of A)
_PRODUCTS = {"dot", "inner", "outer", "vdot", "cross", "kron", "tensordot", "matmul"}


class Namer:
    """Hands out fresh names that collide with nothing already in use.

    ``bound``: a live mapping of module-level names (an ``Environment``'s bindings),
    also never handed out, including those bound after the namer was made: a local
    named like a binding (a temporary ``iadd`` beside ``operator.iadd`` bound as
    ``iadd``) would hide it, or be taken for it when a backward function reads it.
    """

    def __init__(self, taken=(), bound=None):
        self.taken = set(taken)
        self.bound = bound if bound is not None else {}

    def reserve(self, *names):
        self.taken.update(names)

    def in_use(self, name):
        return name in self.taken or name in self.bound

    def fresh(self, base):
        base = "_" if base == "_" else (_clean(base) or "t")
        if not self.in_use(base):
            self.taken.add(base)
            return base
        k = 2
        while self.in_use("%s_%d" % (base, k)):
            k += 1
        result = "%s_%d" % (base, k)
        self.taken.add(result)
        return result

    def temp_for(self, expr):
        return self.fresh(describe(expr))


def _clean(text):
    text = re.sub(r"[^0-9a-zA-Z_]", "_", text)
    text = re.sub(r"_+", "_", text).strip("_")
    if not text:
        return ""
    if text[0].isdigit():
        text = "v" + text
    if keyword.iskeyword(text):
        text += "_"
    return text


def _atom(node):
    """A short word for an operand, or None when it has no good short name."""
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Constant):
        value = node.value
        if isinstance(value, bool) or value is None:
            return str(value).lower()
        if isinstance(value, int):
            return str(value) if value >= 0 else "neg%d" % -value
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return None
            if value == int(value) and abs(value) < 1000:
                return str(int(value)) if value >= 0 else "neg%d" % -int(value)
            return None
        if isinstance(value, str) and value.isidentifier():
            return value
    if isinstance(node, gast.Attribute):
        return node.attr
    return None


def describe(node):
    """A readable base name for the value of ``node``."""
    word = _describe(node)
    if not word or len(word) > _MAX:
        word = _short(node)
    return _clean(word) or "t"


def _short(node):
    if isinstance(node, gast.BinOp):
        return _OPWORDS.get(type(node.op), "t")
    if isinstance(node, gast.Call):
        return _callee_word(node.func) or "t"
    if isinstance(node, gast.Subscript):
        return (_atom(node.value) or "item")[:_MAX]
    return "t"


def _callee_word(func):
    if isinstance(func, gast.Name):
        return func.id
    if isinstance(func, gast.Attribute):
        return func.attr
    return None


def _describe(node):
    if isinstance(node, (gast.Name, gast.Constant)):
        return _atom(node)
    if isinstance(node, gast.BinOp):
        left, right = _atom(node.left), _atom(node.right)
        if isinstance(node.op, gast.Pow) and right == "2" and left:
            return left + "_squared"
        word = _OPWORDS.get(type(node.op), "op")
        if left and right:
            return "%s_%s_%s" % (left, word, right)
        return word
    if isinstance(node, gast.UnaryOp):
        inner = _atom(node.operand)
        prefix = {gast.USub: "neg", gast.UAdd: "pos", gast.Not: "not", gast.Invert: "inv"}
        return "%s_%s" % (prefix[type(node.op)], inner) if inner else prefix[type(node.op)]
    if isinstance(node, gast.Compare):
        left, right = _atom(node.left), _atom(node.comparators[0])
        word = _CMPWORDS.get(type(node.ops[0]), "cmp")
        if left and right:
            return "%s_%s_%s" % (left, word, right)
        return "cond"
    if isinstance(node, gast.Call):
        fname = _callee_word(node.func) or "call"
        args = [_atom(a) for a in node.args]
        if fname in _PRODUCTS and len(args) == 2 and all(args) and not node.keywords:
            return "%s_%s_%s" % (args[0], fname, args[1])      # A_dot_x, as A @ x reads
        if args and args[0]:
            return "%s_%s" % (fname, args[0])
        return fname
    if isinstance(node, gast.Subscript):
        base = _atom(node.value)
        index = node.slice
        if base is None:
            return "item"
        if isinstance(index, (gast.Name, gast.Constant)):
            word = _atom(index)
            if word:
                return "%s_%s" % (base, word)
        return base + "_item"
    if isinstance(node, gast.Tuple):
        return "tup"
    if isinstance(node, gast.List):
        return "lst"
    if isinstance(node, gast.Dict):
        return "dct"
    if isinstance(node, gast.IfExp):
        return "choice"
    if isinstance(node, gast.BoolOp):
        return "cond"
    return None


def adjoint_name(namer, var, primal_names):
    """The name for the adjoint of ``var``: ``dx``, or ``d_x`` if the user owns ``dx``."""
    for candidate in ("d" + var, "d_" + var):
        if candidate not in primal_names and not namer.in_use(candidate) \
                and not keyword.iskeyword(candidate):          # `el` -> `d_el`, not `del`
            namer.reserve(candidate)
            return candidate
    return namer.fresh("d_" + var)


def tangent_name(namer, var, primal_names):
    """The name for the tangent of ``var``: ``dot_x`` (``dot_x_2`` if taken)."""
    candidate = "dot_" + var
    if candidate not in primal_names and not namer.in_use(candidate):
        namer.reserve(candidate)
        return candidate
    return namer.fresh(candidate)


__all__ = ["Namer", "describe", "adjoint_name", "tangent_name", "build"]
