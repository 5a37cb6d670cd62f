"""Refuse complex numbers where they meet a derivative.

transpiler differentiates real-valued functions of real arguments (the contract leaves
complex numbers out).  A complex value on the way from an argument to the output
(``x * 1j``, ``np.sqrt(x + 0j)``, ``x.astype(complex)``) would be differentiated with
some convention for complex derivatives and give wrong signs, so it is refused where it
appears: a complex constant or dtype in an active statement (when the transform is
made), or an active variable the shapes analysis finds complex (at the first call).
The runtime refuses what neither sees (``rt.as_gradient`` of a complex adjoint).

    def f(x):
        z = x * 1j             <- TypeError: complex numbers are not supported
        return np.real(np.exp(z))
"""
import gast
import numpy as np

from ..errors import TranspileTypeError
from ..ir.walk import iter_statements, subnodes
from ..rules.registry import RuleError
from . import avals as A
from . import ops as O

HINT = ("compute with real numbers (a complex number is a pair of reals), or write the "
        "derivative yourself with @transpiler.custom_vjp")


def check_real_values(unit, activity, shapes):
    """Raise a located TypeError at the first active statement that makes a complex value."""
    for stmt in iter_statements(unit.fn.body):
        op = activity.op(stmt)
        if op is None or not _touches_active(stmt, op, activity):
            continue
        what = _complex_source(op, unit.env) or _complex_result(stmt, shapes, activity)
        if what is not None:
            raise TranspileTypeError.like(unit.error(
                stmt, "complex numbers are not supported: %s on the way from the "
                "differentiated arguments to the output" % what, HINT))


def _touches_active(stmt, op, activity):
    names = set(op.operand_names())
    if isinstance(stmt, gast.Assign):
        names |= {n.id for n in subnodes(stmt.targets[0]) if isinstance(n, gast.Name)}
    return any(activity.is_active(name) for name in names)


def _complex_source(op, env):
    """What in this right-hand side is complex: a constant, a global, a dtype."""
    for node in subnodes(op.node):
        if isinstance(node, gast.Constant) and isinstance(node.value, complex):
            return "the complex constant %r is used" % (node.value,)
        if isinstance(node, (gast.Name, gast.Attribute)) and isinstance(node.ctx, gast.Load):
            value = env.lookup(node)
            if value is not None and _is_complex(value):
                return "`%s` is complex" % _spelling(node)
    for atom in _dtype_atoms(op):
        value = atom.value if isinstance(atom, gast.Constant) else env.lookup(atom)
        if _is_complex_dtype(value):
            return "the dtype %s is complex" % (_spelling(atom),)
    return None


def _complex_result(stmt, shapes, activity):
    if not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
        return None
    target = stmt.targets[0].id
    aval = shapes.aval(target)
    if activity.is_active(target) and isinstance(aval, A.Array) and aval.dtype is not None \
            and np.issubdtype(aval.dtype, np.complexfloating):
        return "`%s` is complex (%s)" % (target, aval.dtype.name)
    return None


def _dtype_atoms(op):
    """The atoms a call passes as a dtype (``dtype=``, ``x.astype(t)``'s ``t``)."""
    if op.kind not in (O.RULE, O.UNKNOWN, O.USER):
        return []
    atoms = [value for key, value in op.keywords if key == "dtype"]
    if op.kind == O.RULE and op.rule.template is not None:
        try:
            bindings, _ = op.rule_binding()
        except RuleError:
            return atoms
        if "dtype" in bindings and bindings["dtype"] not in atoms:
            atoms.append(bindings["dtype"])
    return [a for a in atoms if isinstance(a, (gast.Name, gast.Attribute, gast.Constant))]


def _is_complex(value):
    """A complex number or array (a complex type is a dtype: see ``_dtype_atoms``)."""
    if isinstance(value, complex):
        return True
    return isinstance(value, (np.ndarray, np.generic)) and np.iscomplexobj(value)


def _is_complex_dtype(value):
    if value is None or isinstance(value, bool):
        return False
    try:
        return np.issubdtype(np.dtype(value), np.complexfloating)
    except (TypeError, ValueError):
        return False


def _spelling(node):
    if isinstance(node, gast.Constant):
        return repr(node.value)
    if isinstance(node, gast.Name):
        return node.id
    return "%s.%s" % (_spelling(node.value), node.attr)
