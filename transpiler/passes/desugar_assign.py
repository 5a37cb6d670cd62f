"""Every assignment -> single-target plain assignments.

Requires: comprehensions lowered.  Ensures: only ``Assign`` with one Name or Subscript
target remains (plus loop targets, handled by ``lower_for``).

    x += 1                    x = iadd(x, 1)
    y[i] *= 2                 y[i] = imul(y[i], 2)
    a = b = f(x)        ->    a = f(x); b = a
    h, c = step(h, c)         step_result = step(h, c); h = step_result[0]; c = step_result[1]
    a, b = b, a               a_2 = b; b_2 = a; a = a_2; b = b_2   (swap: via temporaries)
    s: float = 0.0            s = 0.0

Augmented assignment keeps Python's meaning through ``operator.iadd`` and friends: a
new value for a number, an update in place for an array (which every name sharing its
memory sees).  Which it is depends on the value, so ``specialize/inplace.py`` settles
it once the abstract values are known.
"""
import operator

import gast

from ..ir import build
from ..ir.naming import describe
from ..ir.walk import loaded_names, map_statements, subnodes
from ..pipeline import Pass


_INPLACE = {gast.Add: operator.iadd, gast.Sub: operator.isub, gast.Mult: operator.imul,
            gast.Div: operator.itruediv, gast.FloorDiv: operator.ifloordiv,
            gast.Mod: operator.imod, gast.Pow: operator.ipow, gast.MatMult: operator.imatmul,
            gast.BitAnd: operator.iand, gast.BitOr: operator.ior, gast.BitXor: operator.ixor,
            gast.LShift: operator.ilshift, gast.RShift: operator.irshift}


class DesugarAssign(Pass):
    name = "desugar_assign"

    def run(self, unit):
        params = set(build.param_names(unit.fn))
        self.rebound = set()
        unit.fn.body = self._block(unit, unit.fn.body, params)

    def _block(self, unit, stmts, params):
        def visit(stmt):
            if isinstance(stmt, gast.FunctionDef):
                saved = self.rebound
                self.rebound = set()
                stmt.body = self._block(unit, stmt.body, set(build.param_names(stmt)))
                self.rebound = saved
                return [stmt]
            if isinstance(stmt, gast.AugAssign):
                return self._augassign(unit, stmt, params)
            if isinstance(stmt, gast.AnnAssign):
                stmt = build.assign(stmt.target, stmt.value, at=stmt)
            if isinstance(stmt, gast.Assign):
                return self._assign(unit, stmt)
            if isinstance(stmt, gast.For):
                for node in subnodes(stmt.target):
                    if isinstance(node, gast.Name):
                        self.rebound.add(node.id)
            return [stmt]
        return map_statements(stmts, visit)

    def _augassign(self, unit, stmt, params):
        target = stmt.target
        function = _INPLACE[type(stmt.op)]
        func = build.name(unit.env.bind(function.__name__, function), at=stmt)
        if isinstance(target, gast.Name):
            self.rebound.add(target.id)
            value = build.call(func, [build.name(target.id, at=target), stmt.value], at=stmt)
            return [build.assign(build.name(target.id, store=True, at=target), value, at=stmt)]
        if isinstance(target, gast.Subscript):
            # the index is computed once, as Python does, and read and written as one
            pre, target.slice = self._hoist_index(unit, target.slice, stmt)
            read = build.clone(target)
            read.ctx = gast.Load()
            value = build.call(func, [read, stmt.value], at=stmt)
            return pre + [build.assign(target, value, at=stmt)]
        raise unit.error(stmt, "this augmented assignment target is not supported",
                         "assign to a plain name or an element: x = x + 1, y[i] = y[i] + 1.")

    def _hoist_index(self, unit, index, at):
        """``(statements, index)``: each part of ``index`` that is not a name or a
        constant is computed once, before, into a temporary."""
        pre = []

        def part(node):
            if node is None or isinstance(node, (gast.Name, gast.Constant)):
                return node
            name = unit.fresh(describe(node))
            pre.append(build.assign(name, node, at=at))
            return build.name(name, at=at)

        def component(node):
            if isinstance(node, gast.Slice):
                return build.slice_(part(node.lower), part(node.upper), part(node.step),
                                    at=node)
            return part(node)

        if isinstance(index, gast.Tuple):
            new = build.tuple_([component(e) for e in index.elts], at=index)
        else:
            new = component(index)
        return pre, new

    def _assign(self, unit, stmt):
        targets = stmt.targets
        out = []
        first = targets[0]
        out.extend(self._unpack(unit, first, stmt.value, stmt))
        for other in targets[1:]:
            source = build.clone(first)
            for node in subnodes(source):
                if hasattr(node, "ctx"):
                    node.ctx = gast.Load()
            out.extend(self._unpack(unit, other, source, stmt))
        return out

    def _unpack(self, unit, target, value, at):
        if isinstance(target, gast.Name):
            self.rebound.add(target.id)
            return [build.assign(target, value, at=at)]
        if isinstance(target, gast.Subscript):
            return [build.assign(target, value, at=at)]
        if not isinstance(target, (gast.Tuple, gast.List)):
            raise unit.error(at, "this assignment target is not supported",
                             "assign to names, elements (x[i]) or tuples of them.")
        elts = target.elts
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(elts):
            written = {n.id for e in elts for n in subnodes(e) if isinstance(n, gast.Name)}
            read = set(loaded_names(value))
            if not written & read:
                out = []
                for t, v in zip(elts, value.elts):
                    out.extend(self._unpack(unit, t, v, at))
                return out
            temps = [unit.fresh(describe(v)) for v in value.elts]
            out = [build.assign(t, v, at=at) for t, v in zip(temps, value.elts)]
            for t, tmp in zip(elts, temps):
                out.extend(self._unpack(unit, t, build.name(tmp, at=at), at))
            return out
        if isinstance(value, gast.Name):
            holder, out = value.id, []
        else:
            base = describe(value.func) if isinstance(value, gast.Call) else "values"
            holder = unit.fresh(base + "_result" if isinstance(value, gast.Call) else base)
            out = [build.assign(holder, value, at=at)]
        for k, t in enumerate(elts):
            item = build.subscript(build.name(holder, at=at), build.const(k), at=at)
            out.extend(self._unpack(unit, t, item, at))
        return out
