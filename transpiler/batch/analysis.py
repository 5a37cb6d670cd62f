"""Which variables of a function hold batched values.

A variable is *batched* when its value may differ from one example to the next: it
depends on a batched parameter through data (any operand, differentiable or not) or
through control -- an assignment under an ``if`` or a ``while`` whose test is batched,
or in a loop whose trip count or a ``break`` is, differs per example even when what it
assigns does not.  A write into a buffer batches the buffer and every name sharing its
memory (the memory model).  Reads of a value's shape alone (``len``, ``np.shape``,
``np.ndim``, ``np.size``) are the same for every example: they do not batch.

Flow-insensitive, like activity: a name is batched if any of its definitions is (the
normaliser's renaming of straight-line redefinitions keeps this precise), to a fixed
point.
"""
import builtins

import gast
import numpy as np

import runtime as rt

from ..analysis import avals as A
from ..analysis import ops as O
from ..ir.walk import subnodes
from ..ad.common import is_break_check


class Batched:
    def __init__(self, fn, env, ops, params, shapes, memory=None):
        self.fn, self.env, self.ops, self.memory = fn, env, ops, memory
        self.shapes = shapes
        self.names = set(params)
        self.flows = []
        self._block(fn.body, ())
        changed = True
        while changed:
            changed = False
            for target, sources in self.flows:
                if target not in self.names and any(s in self.names for s in sources):
                    self.names.add(target)
                    changed = True

    def __contains__(self, name):
        return name in self.names

    def is_batched(self, atom):
        return isinstance(atom, gast.Name) and atom.id in self.names

    # ------------------------------------------------------------ flows
    def _block(self, stmts, control):
        for stmt in stmts:
            self._stmt(stmt, control)

    def _stmt(self, stmt, control):
        if isinstance(stmt, gast.If):
            inner = control + (_test_name(stmt.test),)
            self._block(stmt.body, inner)
            self._block(stmt.orelse, inner)
            return
        if isinstance(stmt, gast.While):
            inner = control + (_test_name(stmt.test),) + _break_flags(stmt)
            self._block(stmt.body, inner)
            return
        if isinstance(stmt, gast.For):
            bounds = tuple(n.id for n in subnodes(stmt.iter) if isinstance(n, gast.Name))
            inner = control + bounds + _break_flags(stmt)
            self.flows.append((stmt.target.id, list(inner)))
            self._block(stmt.body, inner)
            return
        op = self.ops.get(stmt)
        if op is None:
            return
        sources = ([] if is_shape_query(op, self.shapes) else value_operands(op)) + \
            list(control)
        targets = []
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                targets.append(target.id)
            else:
                buffer = target.value.id
                sources += [n.id for n in subnodes(target.slice) if isinstance(n, gast.Name)]
                targets.append(buffer)
        elif op.kind in (O.APPEND, O.POP):
            targets.append(stmt.value.func.value.id)
        elif op.kind == O.RULE and op.rule.effects.writes:
            targets += [op.args[k].id for k in op.rule.effects.writes
                        if k < len(op.args) and isinstance(op.args[k], gast.Name)]
        for target in list(targets):
            if self.memory is not None and self.memory.written_name(stmt) == target:
                targets += sorted(self.memory.sharers(stmt, target))
        for target in targets:
            self.flows.append((target, sources))


# what an example's shape gives, read off the batch's (``BatchMode._shape_query``)
SHAPE_QUERIES = (builtins.len, np.shape, np.ndim, np.size, rt.itemsize)


def is_shape_query(op, shapes):
    """A read of its one operand's shape alone (the same for every example): ``len(x)``,
    ``np.shape(x)``, ``np.ndim(x)``, ``np.size(x)`` of an array of known rank, ``len`` of
    a list or dict -- not ``np.size(x, axis)``, nor ``x.nbytes``, which counts the
    examples, nor the length of a value whose kind is not known (an array's counts
    examples, a list's does not)."""
    if not (op.kind == O.RULE and any(op.callee is q for q in SHAPE_QUERIES)
            and len(op.args) == 1 and not op.keywords):
        return False
    aval = shapes.atom(op.args[0])
    if isinstance(aval, A.Array):
        return aval.rank is not None
    return op.callee is builtins.len and isinstance(aval, (A.Seq, A.Dict))


def shape_only_operands(op):
    """The positional operands of a call that the primitive reads for their shape and
    dtype alone (the table's ``shape_only``: ``x`` in ``rt.unbroadcast(c, x, out)``)."""
    if op.kind != O.RULE or not op.rule.shape_only:
        return []
    return [op.args[k] for k in op.rule.shape_only if k < len(op.args)]


def value_operands(op):
    """Names whose values flow into the result: every operand but those read for their
    shape alone -- an example's shape is the same for every example."""
    shape_only = {id(a) for a in shape_only_operands(op)}
    return [n.id for n in subnodes(op.node) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load) and id(n) not in shape_only]


def _test_name(test):
    node = test.operand if isinstance(test, gast.UnaryOp) else test
    return node.id if isinstance(node, gast.Name) else "<const>"


def _break_flags(loop):
    return tuple(_test_name(s.test) for s in loop.body if is_break_check(s))
