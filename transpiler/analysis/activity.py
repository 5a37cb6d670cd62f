"""Activity: which variables need derivative code.

A variable is *varied* if its value depends differentiably on an input being
differentiated, and *useful* if the output depends differentiably on it.  Only variables
that are both (*active*) get adjoints; everything else is left to the primal code.

The analysis is flow-insensitive (a variable is active if any of its definitions is),
which over-approximates safely, and iterates to a fixed point over loops.

    def f(x, n):              varied: x, t, s     useful: s, t, x, (s0)
        k = n * 2             active: x, t, s
        t = np.sin(x) * k     `k` depends on `n` only: it gets no adjoint
        s = t + 1.0
        return s
"""
import gast

from ..ir.walk import iter_statements
from . import avals as A
from .ops import APPEND_KINDS, POP, RULE, classify_function


def core_statements(fn):
    return list(iter_statements(fn.body))


class Activity:
    """Args:
      fn, env: the function and its environment.
      wrt, outputs: the names differentiated with respect to, and the outputs.
      ops: ``ops.classify_function(fn, env)`` (computed if not given).
      shapes: abstract values; a value known to be of an integer or boolean dtype
        carries no derivative (writing a float into an int array truncates it).
      memory: the memory model (``analysis/memory.py``): a write into a buffer changes
        every name that may share its memory (``row = out[0]; row[1] = x`` changes
        ``out``), so their values depend on what is written too.
    """

    def __init__(self, fn, env, wrt, outputs, ops=None, shapes=None, memory=None):
        self.fn = fn
        self.env = env
        self.ops = ops if ops is not None else classify_function(fn, env)
        self.shapes = shapes
        self.memory = memory
        self.varied = set(wrt)
        self.useful = set(outputs)
        stmts = core_statements(fn)
        flows = [flow for stmt in stmts for flow in self._shared(stmt, self._flows(stmt))]
        self._propagate_varied(flows)
        self._propagate_useful(flows)
        self.active = self.varied & self.useful

    def _can_vary(self, name):
        """False for values of a known integer or boolean dtype (no derivative)."""
        if self.shapes is None:
            return True
        aval = self.shapes.aval(name)
        return not (isinstance(aval, A.Array) and aval.dtype is not None
                    and aval.dtype.kind in "biu")

    def op(self, stmt):
        return self.ops.get(stmt)

    def _flows(self, stmt):
        """(target, differentiable source names) pairs for one statement."""
        op = self.ops.get(stmt)
        if op is None:
            return []
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                return [(target.id, op.diff_operands())] + self._written(op)
            # x[i] = v: the buffer's value depends on v and on its old value
            return [(target.value.id, op.diff_operands() + [target.value.id])]
        if op.kind in APPEND_KINDS:
            owner = stmt.value.func.value.id
            return [(owner, op.diff_operands() + [owner])]
        if op.kind == POP:
            owner = stmt.value.func.value.id
            return [(owner, [owner])]            # what is left on the list
        return self._written(op)

    def _shared(self, stmt, flows):
        """A write's flows, and the same for every name sharing the written memory."""
        if self.memory is None:
            return flows
        written = self.memory.written_name(stmt)
        out = list(flows)
        for target, sources in flows:
            if target == written:
                out += [(other, sources + [other]) for other in
                        sorted(self.memory.sharers(stmt, target))]
        return out

    @staticmethod
    def _written(op):
        """A call writing into an operand (``rt.add_at(d, i, v)``): d's value now depends
        on every operand."""
        if op.kind != RULE or not op.rule.effects.writes:
            return []
        sources = [a.id for a in op.args if isinstance(a, gast.Name)]
        return [(op.args[k].id, sources) for k in op.rule.effects.writes
                if k < len(op.args) and isinstance(op.args[k], gast.Name)]

    def _propagate_varied(self, flows):
        changed = True
        while changed:
            changed = False
            for target, sources in flows:
                if target not in self.varied and any(s in self.varied for s in sources) \
                        and self._can_vary(target):
                    self.varied.add(target)
                    changed = True

    def _propagate_useful(self, flows):
        changed = True
        while changed:
            changed = False
            for target, sources in flows:
                if target in self.useful:
                    for s in sources:
                        if s not in self.useful:
                            self.useful.add(s)
                            changed = True

    def is_active(self, name):
        return name in self.active
