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
from .ops import APPEND_KINDS, classify


def core_statements(fn):
    return list(iter_statements(fn.body))


class Activity:

    def __init__(self, fn, env, wrt, outputs):
        self.fn = fn
        self.env = env
        self.ops = {}                     # id(stmt) -> Op for assignments and calls
        self.varied = set(wrt)
        self.useful = set(outputs)
        stmts = core_statements(fn)
        for stmt in stmts:
            op = self._op(stmt)
            if op is not None:
                self.ops[id(stmt)] = op
        flows = [flow for stmt in stmts for flow in self._flows(stmt)]
        self._propagate_varied(flows)
        self._propagate_useful(flows)
        self.active = self.varied & self.useful

    def _op(self, stmt):
        if isinstance(stmt, gast.Assign):
            return classify(stmt.value, self.env)
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            return classify(stmt.value, self.env)
        return None

    def op(self, stmt):
        return self.ops.get(id(stmt))

    def _flows(self, stmt):
        """(target, differentiable source names) pairs for one statement."""
        op = self.ops.get(id(stmt))
        if op is None:
            return []
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                return [(target.id, op.diff_operands())]
            # x[i] = v: the buffer's value depends on v and on its old value
            return [(target.value.id, op.diff_operands() + [target.value.id])]
        if op.kind in APPEND_KINDS:
            owner = stmt.value.func.value.id
            return [(owner, op.diff_operands() + [owner])]
        return []

    def _propagate_varied(self, flows):
        changed = True
        while changed:
            changed = False
            for target, sources in flows:
                if target not in self.varied and any(s in self.varied for s in sources):
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
