"""Copy and constant propagation: after ``a = b`` (or ``a = 2``), read ``b`` (``2``)
where the code reads ``a``.

    dplus = dout                          dexp = dout * 2
    dexp = dplus * 2          ->          (dplus = dout is then dead)

Only while neither name is rebound; a loop or branch that rebinds either ends the copy
(a loop also at its start, because of its back edge).  Substituting one name for another
bound to the same object never changes what Python computes, so this cannot introduce
an alias that was not there.  Copies into or out of protected names (parameters the
caller sees, names the reverse sweep pops into) are left alone.
"""
import gast

from ..ir import build
from .effects import effect
from ..ir.walk import subnodes


class _Substitute(gast.NodeTransformer):
    """Reads of copies become reads of their sources; reads of numbers become the numbers
    where folding then simplifies (``2 * 3``, ``x ** 1``), and keep their names
    elsewhere (``dout = 1.0`` then ``dout * w`` reads better than ``1.0 * w``)."""

    def __init__(self, copies):
        self.copies = copies
        self.changed = False

    def visit_BinOp(self, node):
        for side, other in (("left", node.right), ("right", node.left)):
            operand = getattr(node, side)
            if isinstance(operand, gast.Name) and isinstance(operand.ctx, gast.Load) \
                    and isinstance(self.copies.get(operand.id), gast.Constant):
                value = self.copies[operand.id]
                if _folds(node, side, value.value, other):
                    setattr(node, side, build.const(value.value, at=operand))
                    self.changed = True
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and isinstance(self.copies.get(node.id), str):
            node.id = self.copies[node.id]
            self.changed = True
        return node


def _folds(node, side, value, other):
    """Does putting ``value`` on ``side`` of ``node`` let constant folding simplify it?"""
    if isinstance(other, gast.Constant):
        return True                                     # 2 * 3
    op = type(node.op)
    if type(value) is not int:
        return False
    if side == "right":
        return (op is gast.Pow and value == 1) or (op is gast.Mult and value == 1) or \
            (op in (gast.Add, gast.Sub) and value == 0)
    return (op is gast.Mult and value == 1) or (op is gast.Add and value == 0)


def _bound_anywhere(stmts, env):
    from ..ir.walk import iter_statements
    names = set()
    for stmt in iter_statements(stmts):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                if isinstance(target, gast.Name):
                    names.add(target.id)
                elif isinstance(target, gast.Tuple):
                    names |= {e.id for e in target.elts if isinstance(e, gast.Name)}
        elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            names.add(stmt.target.id)
        elif isinstance(stmt, gast.For):
            names |= {n.id for n in subnodes(stmt.target) if isinstance(n, gast.Name)}
    return names


def _kill(copies, names):
    for a in list(copies):
        if a in names or (isinstance(copies[a], str) and copies[a] in names):
            del copies[a]


def _number(node):
    """A literal int, float or bool: immutable, safe to read in place of its name."""
    return isinstance(node, gast.Constant) and type(node.value) in (int, float, bool)


def propagate_copies(fn, env, protected=()):
    changed = [False]
    _block(fn.body, {}, env, set(protected), changed)
    return changed[0]


def _substitute(node, copies, changed):
    sub = _Substitute(copies)
    sub.visit(node)
    if sub.changed:
        changed[0] = True


def _block(stmts, copies, env, protected, changed):
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            _substitute(stmt.test, copies, changed)
            bound = _bound_anywhere(stmt.body + stmt.orelse, env)
            _block(stmt.body, dict(copies), env, protected, changed)
            _block(stmt.orelse, dict(copies), env, protected, changed)
            _kill(copies, bound)
            continue
        if isinstance(stmt, (gast.For, gast.While)):
            bound = _bound_anywhere(stmt.body, env)
            if isinstance(stmt, gast.For):
                bound |= {n.id for n in subnodes(stmt.target) if isinstance(n, gast.Name)}
                _substitute(stmt.iter, copies, changed)
            _kill(copies, bound)
            if isinstance(stmt, gast.While):
                _substitute(stmt.test, copies, changed)
            _block(stmt.body, dict(copies), env, protected, changed)
            continue
        if isinstance(stmt, gast.Assign):
            _substitute(stmt.value, copies, changed)
            for target in stmt.targets:
                if isinstance(target, gast.Subscript):
                    _substitute(target.slice, copies, changed)
                    _substitute(target.value, copies, changed)
        elif isinstance(stmt, gast.AugAssign):
            _substitute(stmt.value, copies, changed)
            if isinstance(stmt.target, gast.Subscript):
                _substitute(stmt.target.slice, copies, changed)
                _substitute(stmt.target.value, copies, changed)
        elif not build.is_comment(stmt):
            _substitute(stmt, copies, changed)
        e = effect(stmt, env)
        _kill(copies, e.defs)
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Name) and stmt.targets[0].id != stmt.value.id
                and stmt.targets[0].id not in protected and stmt.value.id not in protected):
            copies[stmt.targets[0].id] = stmt.value.id
        elif (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
              and _number(stmt.value) and stmt.targets[0].id not in protected):
            copies[stmt.targets[0].id] = stmt.value
