"""A coarse, shape-free type for each variable: 'int', 'array', 'container' or 'unknown'.

Reverse mode uses it only to write more natural code where it is safe: ``dx[i] += g``
instead of ``rt.add_at(dx, i, g)`` when ``x`` is an array and ``i`` an integer, and
``dx = dx + c`` instead of ``dx = rt.add(dx, c)`` for arrays.  'unknown' always falls
back to the generic runtime helpers, which handle every case.
"""
import gast

from ..ir.walk import iter_statements
from . import avals as A
from . import ops as O

INT, ARRAY, CONTAINER, UNKNOWN = "int", "array", "container", "unknown"
_INT_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)


def _join(a, b):
    if a is None:
        return b
    if a == b:
        return a
    if {a, b} == {INT, ARRAY}:
        return ARRAY
    return UNKNOWN


def of_aval(aval):
    """The kind of an abstract value (None when it says nothing)."""
    if isinstance(aval, A.Array):
        if aval.kind == A.PYTHON and aval.dtype is not None and aval.dtype.kind in "iu":
            return INT
        if aval.dtype is None and aval.shape is None and aval.kind is None:
            return None
        return ARRAY
    if isinstance(aval, (A.Seq, A.Dict)):
        return CONTAINER
    return None


def infer(fn, env, activity, shapes=None):
    kinds = _infer_syntactic(fn, env, activity)
    if shapes is not None:
        for name in list(kinds) + list(shapes.avals):
            kind = of_aval(shapes.aval(name))
            if kind is not None:
                kinds[name] = kind
    return kinds


def _infer_syntactic(fn, env, activity):
    kinds = {}
    params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
    used_as_array = set()
    stmts = list(iter_statements(fn.body))
    for stmt in stmts:
        op = activity.op(stmt)
        if op is None or not isinstance(stmt, gast.Assign):
            continue
        if op.kind == O.RULE and op.rule.family in ("elementwise", "broadcasting", "reduction"):
            used_as_array.update(op.diff_operands())

    def kind_of_atom(node):
        if isinstance(node, gast.Constant):
            value = node.value
            if isinstance(value, bool):
                return UNKNOWN
            if isinstance(value, int):
                return INT
            if isinstance(value, float):
                return ARRAY
            return UNKNOWN
        if isinstance(node, gast.Name):
            return kinds.get(node.id)            # None: not known yet
        return UNKNOWN

    def kind_of(op, rhs):
        if op.kind == O.CONST:
            return kind_of_atom(rhs)
        if op.kind == O.COPY:
            return kinds.get(rhs.id)
        if op.kind == O.CONTAINER:
            return CONTAINER
        if op.kind != O.RULE:
            return UNKNOWN
        if isinstance(rhs, gast.BinOp):
            left, right = kind_of_atom(rhs.left), kind_of_atom(rhs.right)
            if left is None or right is None:
                return None
            if isinstance(rhs.op, gast.Add) and left == CONTAINER and right == CONTAINER:
                return CONTAINER                 # list or tuple concatenation
            if isinstance(rhs.op, _INT_OPS) and left == INT and right == INT:
                return INT
        if op.callee is len:
            return INT
        if op.rule.family in ("elementwise", "broadcasting", "reduction", "shape"):
            return ARRAY
        return UNKNOWN                           # custom rules may return containers

    for p in params:
        kinds[p] = ARRAY if p in used_as_array else UNKNOWN
    for _ in range(20):                          # kinds only rise: this settles
        changed = False
        for stmt in stmts:
            if isinstance(stmt, gast.For):
                target, k = stmt.target.id, INT
            elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                target = stmt.targets[0].id
                k = kind_of(activity.op(stmt), stmt.value)
                if k is None:
                    continue
            else:
                continue
            joined = _join(kinds.get(target), k)
            if joined != kinds.get(target):
                kinds[target] = joined
                changed = True
        if not changed:
            break
    return kinds


def is_basic_index(index, kinds):
    """True if ``index`` is made of ints, slices of ints, None and Ellipsis only."""
    if isinstance(index, gast.Tuple):
        return all(is_basic_index(e, kinds) for e in index.elts)
    if isinstance(index, gast.Slice):
        return all(part is None or is_basic_index(part, kinds)
                   for part in (index.lower, index.upper, index.step))
    if isinstance(index, gast.Constant):
        v = index.value
        return v is None or v is Ellipsis or (isinstance(v, int) and not isinstance(v, bool))
    if isinstance(index, gast.Name):
        return kinds.get(index.id) == INT
    return False
