"""Rematerialisation: recompute a value in the reverse sweep instead of taping it.

Cheap values (an element read of an array nobody writes, scalar or integer arithmetic,
a copy) whose operands are still available in the reverse sweep are recomputed there;
a loop over scalars then keeps only what it cannot recompute on its tape.
"""
import gast

from ..analysis import kinds as K
from ..analysis import ops as O
from ..ir import build
from .common import same_code, unique


class Rematerialisation:
    """Methods of ``ReverseMode`` (``ad/reverse.py``), which holds the analyses they read."""

    def _rematerialise(self, var, stmt, part, depth=0):
        """Recompute ``var`` in the reverse sweep instead of taping it, when that is cheap
        (an element read of an array nobody writes, integer or scalar arithmetic) and its
        operands are available there.  Appends the statements to ``part.remat``."""
        plan = self._remat_plan(var, stmt, depth)
        if plan is None:
            return False
        for statement in plan:
            if not any(same_code(statement, done) for done in part.remat):
                part.remat.append(statement)
        return True

    def _remat_plan(self, var, stmt, depth):
        definition = self.single_defs.get(var)
        if definition is None or depth > 4:
            return None
        op = self.activity.op(definition)
        if op is None:
            return None
        if op.kind == O.GETITEM:
            base = op.node.value
            if not isinstance(base, gast.Name) or base.id in self.written \
                    or base.id in self.memory.mutated():
                return None
        elif op.kind == O.RULE and isinstance(op.node, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            if not (self.shapes.shape(var) == () or self.kinds.get(var) == K.INT):
                return None
        elif op.kind != O.COPY:
            return None
        plan = []
        first = self.stability.position[definition][0]
        for name in unique(op.operand_names()):
            if name in self.loop_vars or name in self.params or name not in self.primals:
                continue
            defs = self.stability.defs.get(name, ())
            if self.stability.stable(stmt, name, "in") and all(d < first for d in defs):
                continue
            sub = self._remat_plan(name, stmt, depth + 1)
            if sub is None:
                return None
            plan += sub
        return plan + [build.clone(definition)]
