"""List comprehensions -> loops appending to a fresh local list.

Requires: methods lowered.  Ensures: no ListComp remains.

    ys = [np.sin(x) * w for x in xs if x > 0]
->
    sin_list = []
    for x_2 in xs:
        if x_2 > 0:
            sin_list.append(np.sin(x_2) * w)
    ys = sin_list

Comprehension variables get fresh names (they do not leak in Python 3).  A comprehension
inside a conditional expression, a short-circuit `and`/`or`, or a `while` test would be
evaluated at a different time once hoisted, so those are refused with a fix.
"""
import gast

from ..ir import build
from ..ir.naming import describe
from ..ir.walk import Renamer, map_statements, subnodes
from ..pipeline import Pass


class _Hoist(gast.NodeTransformer):
    """Replace each ListComp in an expression by a name; collect the loops computing them."""

    def __init__(self, unit):
        self.unit = unit
        self.hoisted = []
        self.guarded = 0

    def _guarded(self, node):
        self.guarded += 1
        self.generic_visit(node)
        self.guarded -= 1
        return node

    visit_IfExp = visit_BoolOp = visit_Lambda = _guarded

    def visit_FunctionDef(self, node):
        return node

    def visit_ListComp(self, node):
        if self.guarded:
            raise self.unit.error(node, "a list comprehension inside a conditional expression "
                                  "or `and`/`or` is not supported",
                                  "compute the list on its own line before it is used.")
        result = self.unit.fresh(describe(node.elt) + "_list" if describe(node.elt) != "t"
                                 else "items")
        mapping = {}
        for gen in node.generators:
            for target in subnodes(gen.target):
                if isinstance(target, gast.Name):
                    mapping[target.id] = self.unit.fresh(target.id)
        rename = Renamer(mapping)
        for k, gen in enumerate(node.generators):
            if k:     # an inner iterable may use the variables of the outer generators
                gen.iter = rename.visit(gen.iter)
            gen.ifs = [rename.visit(cond) for cond in gen.ifs]
            gen.target = rename.visit(gen.target)
        body = [build.expr(build.call(build.attr(build.name(result), "append"),
                                      [rename.visit(node.elt)], at=node), at=node)]
        for gen in reversed(node.generators):
            for cond in reversed(gen.ifs):
                body = [build.if_(cond, body, at=cond)]
            body = [build.for_(gen.target, gen.iter, body, at=node)]
        self.hoisted.append(build.assign(result, build.list_([], at=node), at=node))
        self.hoisted.extend(body)
        return build.name(result, at=node)


class LowerComprehensions(Pass):
    name = "lower_comprehensions"

    def run(self, unit):
        unit.fn.body = self._lower(unit, unit.fn.body)

    def _lower(self, unit, stmts):
        def visit(stmt):
            if isinstance(stmt, gast.FunctionDef):
                stmt.body = self._lower(unit, stmt.body)
                return [stmt]
            if isinstance(stmt, gast.While):
                for node in subnodes(stmt.test):
                    if isinstance(node, gast.ListComp):
                        raise unit.error(node, "a list comprehension in a `while` condition "
                                         "is not supported", "compute it in the loop body "
                                         "and test a variable.")
            hoist = _Hoist(unit)
            for field in ("value", "test", "iter", "targets", "target", "msg", "exc"):
                if isinstance(stmt, (gast.If, gast.While)) and field != "test":
                    continue
                if isinstance(stmt, gast.For) and field != "iter":
                    continue
                value = getattr(stmt, field, None)
                if isinstance(value, list):
                    setattr(stmt, field, [hoist.visit(v) for v in value])
                elif isinstance(value, gast.AST):
                    setattr(stmt, field, hoist.visit(value))
            if not hoist.hoisted:
                return [stmt]
            # the hoisted loops may hold comprehensions of their own (nested ones)
            return self._lower(unit, hoist.hoisted) + [stmt]
        return map_statements(stmts, visit)
