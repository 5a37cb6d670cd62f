"""Drop run-time type dispatch that the argument signature settles.

Normalised code iterates through ``rt.as_sequence(xs)`` because ``for k in d`` over a
dict walks its keys; when the shapes analysis knows ``xs`` is an array, list or tuple
the call is the identity and becomes a copy (which copy propagation then removes):

    xs_seq = rt.as_sequence(xs)     ->     xs_seq = xs
"""
import gast

from ..analysis import avals as A
from ..analysis.shapes import analyse
from ..ir import build
from ..ir.walk import dotted_name, iter_statements


def drop_type_dispatch(unit, arg_avals, callees=None):
    fn = unit.fn
    calls = [stmt for stmt in iter_statements(fn.body) if isinstance(stmt, gast.Assign)
             and isinstance(stmt.value, gast.Call)
             and dotted_name(stmt.value.func) == "rt.as_sequence"]
    if not calls:
        return
    shapes = analyse(unit, arg_avals, callees=callees)
    for stmt in iter_statements(fn.body):
        if not isinstance(stmt, gast.Assign):
            continue
        value = stmt.value
        if (isinstance(value, gast.Call) and dotted_name(value.func) == "rt.as_sequence"
                and len(value.args) == 1 and isinstance(value.args[0], gast.Name)):
            aval = shapes.aval(value.args[0].id)
            if isinstance(aval, A.Seq) or (isinstance(aval, A.Array) and aval.shape):
                stmt.value = build.name(value.args[0].id, at=value)
