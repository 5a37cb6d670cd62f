"""Constant folding and the algebra that is exact for every shape and dtype.

    g * 2 * x ** (2 - 1)      ->      g * 2 * x
    (x + 0) * 1               ->      x

Only identities that keep value, shape and dtype are used: integer ``0`` and ``1``
(``x * 1.0`` would turn an integer array into floats, so it stays).  An identity never
turns a whole right-hand side into a bare name: ``a = x + 0`` makes a new array that
the code may write into (``a[0] = 5.``), while ``a = x`` would alias the argument --
the optimiser-made alias Tangent fell for.
"""
import operator

import gast

from ..ir import build

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Pow: operator.pow, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod}


def _int(node, value):
    return (isinstance(node, gast.Constant) and type(node.value) is int and node.value == value)


def _number(node):
    return (isinstance(node, gast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


class _Fold(gast.NodeTransformer):
    def __init__(self):
        self.changed = False

    def visit_Assign(self, node):
        value = node.value
        node.value = self.visit(value)
        if isinstance(node.value, gast.Name) and not isinstance(value, gast.Name):
            node.value = value                     # keep `a = x + 0` a fresh array
        for target in node.targets:
            self.visit(target)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, type(node.op)
        if _number(left) and _number(right) and op in _FOLD:
            try:
                value = _FOLD[op](left.value, right.value)
            except (ZeroDivisionError, OverflowError, ValueError):
                return node
            if isinstance(value, (int, float)) and abs(value) < 1e15:
                self.changed = True
                return build.const(value, at=node)
        if op is gast.Pow and _int(right, 1):
            self.changed = True
            return left
        if op is gast.Mult and _int(right, 1):
            self.changed = True
            return left
        if op is gast.Mult and _int(left, 1):
            self.changed = True
            return right
        if op in (gast.Add, gast.Sub) and _int(right, 0):
            self.changed = True
            return left
        if op is gast.Add and _int(left, 0):
            self.changed = True
            return right
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and _number(node.operand):
            self.changed = True
            return build.const(-node.operand.value, at=node)
        if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.UnaryOp) \
                and isinstance(node.operand.op, gast.USub):
            self.changed = True
            return node.operand.operand
        return node


def fold_constants(fn):
    folder = _Fold()
    fn.body = [folder.visit(s) for s in fn.body]
    return folder.changed
