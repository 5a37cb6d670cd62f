"""Constant folding and the algebra that is exact for every shape and dtype.

    g * 2 * x ** (2 - 1)      ->      g * 2 * x
    (x + 0) * 1               ->      x

Only identities that keep value, shape and dtype are used: integer ``0`` and ``1``
(``x * 1.0`` would turn an integer array into floats, so it stays).  An identity turns
a whole right-hand side into a bare name only where the memory model says neither name
is ever written in place: ``a = x + 0`` makes a new array that the code may write into
(``a[0] = 5.``), while ``a = x`` would alias the argument -- the optimiser-made alias
Tangent fell for.
"""
import operator

import gast

from ..ir import build
from .effects import _FIELDS

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Pow: operator.pow, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod}


def _int(node, value):
    return (isinstance(node, gast.Constant) and type(node.value) is int and node.value == value)


def _number(node):
    return (isinstance(node, gast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


class _Folder:
    def __init__(self, fn, env):
        self.changed = False
        self.fn, self.env = fn, env
        self._mutated = None

    def may_alias(self, target, source):
        """May ``target = source`` replace a new value?  Not if either is written in place."""
        if self._mutated is None:
            from ..analysis.memory import Memory
            self._mutated = Memory(self.fn, self.env).mutated()
        return target not in self._mutated and source not in self._mutated

    def expr(self, node):
        """Fold an expression bottom-up; returns the (possibly new) node."""
        kind = type(node)
        fields = _FIELDS.get(kind)
        if fields is None:
            return node
        for name in fields:
            value = getattr(node, name)
            if type(value) is list:
                setattr(node, name, [self.expr(v) if v is not None else None for v in value])
            elif value is not None:
                setattr(node, name, self.expr(value))
        if kind is gast.BinOp:
            return self._binop(node)
        if kind is gast.UnaryOp:
            return self._unop(node)
        return node

    def _binop(self, node):
        left, right, op = node.left, node.right, type(node.op)
        if _number(left) and _number(right) and op in _FOLD:
            try:
                value = _FOLD[op](left.value, right.value)
            except (ZeroDivisionError, OverflowError, ValueError):
                return node
            if isinstance(value, (int, float)) and abs(value) < 1e15:
                self.changed = True
                return build.const(value, at=node)
        if (op is gast.Pow and _int(right, 1)) or (op is gast.Mult and _int(right, 1)) \
                or (op in (gast.Add, gast.Sub) and _int(right, 0)):
            self.changed = True
            return left
        if (op is gast.Mult and _int(left, 1)) or (op is gast.Add and _int(left, 0)):
            self.changed = True
            return right
        return node

    def _unop(self, node):
        if isinstance(node.op, gast.USub) and _number(node.operand):
            self.changed = True
            return build.const(-node.operand.value, at=node)
        if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.UnaryOp) \
                and isinstance(node.operand.op, gast.USub):
            self.changed = True
            return node.operand.operand
        return node

    def block(self, stmts):
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                value = self.expr(stmt.value)
                # keep `a = x + 0` a fresh array (see the module docstring)
                if not (isinstance(value, gast.Name) and not isinstance(stmt.value, gast.Name)) \
                        or (isinstance(stmt.targets[0], gast.Name)
                            and self.may_alias(stmt.targets[0].id, value.id)):
                    stmt.value = value
                for target in stmt.targets:
                    if isinstance(target, gast.Subscript):
                        target.slice = self.expr(target.slice)
            elif isinstance(stmt, gast.AugAssign):
                stmt.value = self.expr(stmt.value)
            elif isinstance(stmt, (gast.Expr, gast.Return)) and stmt.value is not None:
                stmt.value = self.expr(stmt.value)
            elif isinstance(stmt, (gast.If, gast.While)):
                stmt.test = self.expr(stmt.test)
                self.block(stmt.body)
                self.block(stmt.orelse)
            elif isinstance(stmt, gast.For):
                stmt.iter = self.expr(stmt.iter)
                self.block(stmt.body)


def fold_constants(fn, env):
    folder = _Folder(fn, env)
    folder.block(fn.body)
    return folder.changed
