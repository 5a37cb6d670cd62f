"""Drop run-time type dispatch that the argument signature settles.

Normalised code iterates through ``rt.as_sequence(xs)`` because ``for k in d`` over a
dict walks its keys; when the shapes analysis knows ``xs`` is an array, list or tuple
the call is the identity: the loop reads ``xs`` itself (so that a row updated in place
is plainly a row of ``xs``):

    xs_seq = rt.as_sequence(xs)               (removed)
    for i in range(len(xs_seq)):       ->     for i in range(len(xs)):
        x = xs_seq[i]                             x = xs[i]

When ``xs`` is reassigned somewhere, ``xs_seq = xs`` stays as a copy instead.
"""
import gast

from ..analysis import avals as A
from ..analysis.shapes import analyse
from ..ir import build
from ..ir.walk import Renamer, dotted_name, iter_statements, subnodes


def drop_type_dispatch(unit, arg_avals, callees=None):
    fn = unit.fn
    calls = [stmt for stmt in iter_statements(fn.body) if isinstance(stmt, gast.Assign)
             and isinstance(stmt.value, gast.Call)
             and dotted_name(stmt.value.func) == "rt.as_sequence"]
    if not calls:
        return
    shapes = analyse(unit, arg_avals, callees=callees)
    assigned = _assignment_counts(fn)
    renames = {}
    for stmt in iter_statements(fn.body):
        if not isinstance(stmt, gast.Assign):
            continue
        value = stmt.value
        if (isinstance(value, gast.Call) and dotted_name(value.func) == "rt.as_sequence"
                and len(value.args) == 1 and isinstance(value.args[0], gast.Name)):
            aval = shapes.aval(value.args[0].id)
            if isinstance(aval, A.Seq) or (isinstance(aval, A.Array) and aval.shape):
                source, alias = value.args[0].id, stmt.targets[0].id
                if assigned.get(source, 0) <= 1 and assigned.get(alias, 0) == 1:
                    renames[alias] = source
                stmt.value = build.name(source, at=value)
    if renames:
        fn.body = _drop_copies(fn.body, renames)
        renamer = Renamer(renames)
        fn.body = [renamer.visit(s) for s in fn.body]


def _assignment_counts(fn):
    """name -> how many times it may be assigned (an assignment in a loop counts twice)."""
    counts = {}

    def walk(stmts, weight):
        for stmt in stmts:
            inner = 2 if isinstance(stmt, (gast.For, gast.While)) else weight
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                if isinstance(stmt, gast.For):
                    counts[stmt.target.id] = counts.get(stmt.target.id, 0) + 2
                walk(stmt.body, inner)
                walk(stmt.orelse, inner)
                continue
            for node in subnodes(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    counts[node.id] = counts.get(node.id, 0) + weight
    walk(fn.body, 1)
    return counts


def _drop_copies(stmts, renames):
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and stmt.targets[0].id in renames:
            continue
        for block in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                setattr(stmt, block, _drop_copies(getattr(stmt, block), renames))
        out.append(stmt)
    return out
