"""Adjoints of containers with a static structure: one adjoint variable per item.

A tuple, list or dict whose keys the abstract values know (``params`` with keys ``w`` and
``b``, the pair a helper returns) and that the function only reads with constant keys,
builds as a literal, or passes around whole, gets its adjoint *split*: ``dparams_w`` and
``dparams_b`` instead of one dict filled in place with ``rt.add_at``.  So generated code
reads leaves and builds containers as literals; it never updates a container in place:

    params_w = params['w']               # reverse:  dparams_w = dparams_w + g
    result = helper_bwd(saved, [dh, dc]) # a whole adjoint is built where one is needed
    dparams_w += rt.part(result, 0)      # ... and taken apart where one arrives

Containers written (``c[k] = v``), grown (``append``) or read with an index only known
at run time keep one adjoint value (``rt.zeros_like``, ``rt.add_at``).
"""
import gast

from ..analysis import avals as A
from ..analysis import ops as O
from ..ir import build
from ..ir.walk import iter_statements


class SplitContainers:
    """Which containers of a function get one adjoint per item, and their keys."""

    def __init__(self, fn, activity, shapes):
        self.keys = {}                                  # name -> [keys]
        candidates = {}
        for name, aval in shapes.avals.items():
            if isinstance(aval, A.Seq) and aval.items is not None:
                candidates[name] = list(range(len(aval.items)))
            elif isinstance(aval, A.Dict):
                candidates[name] = aval.keys()
        self.shapes = shapes
        excluded = _whole_only_uses(fn, activity, shapes)
        opened = _taken_apart(fn, activity)
        self.keys = {name: keys for name, keys in candidates.items()
                     if name not in excluded and name in opened and activity.is_active(name)}

    def split(self, name):
        return name in self.keys

    def leaves(self, name):
        """The pseudo-variables standing for the items of ``name``."""
        return [leaf(name, key) for key in self.keys[name]]

    def static_key(self, index):
        """The constant key an index reads, or raise LookupError."""
        if isinstance(index, gast.Constant) and not isinstance(index.value, slice):
            return index.value
        if isinstance(index, gast.Name):
            return A.static_value(self.shapes.aval(index.id))
        raise LookupError(index)

    def literal(self, name, adjoint_of, nonzero):
        """The whole adjoint of ``name`` built from its items' (zero items are 0.0)."""
        aval = self.shapes.aval(name)
        parts = [build.name(adjoint_of(leaf(name, key))) if nonzero(leaf(name, key))
                 else build.const(0.0) for key in self.keys[name]]
        if isinstance(aval, A.Dict):
            return build.dict_([build.const(k) for k in self.keys[name]], parts)
        return build.list_(parts)


def leaf(name, key):
    """The pseudo-variable of one item's adjoint."""
    return ("item", name, key)


def leaf_base_name(var):
    """What the adjoint variable of an item is named after: ``params_w``."""
    _, name, key = var
    text = str(key)
    text = text if text.isidentifier() or text.isdigit() else "item"
    return "%s_%s" % (name, text)


def _whole_only_uses(fn, activity, shapes):
    """Names used in a way an item-wise adjoint cannot follow: written into, grown,
    emptied, or indexed by something only known at run time."""
    out = set()
    for stmt in iter_statements(fn.body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            base = stmt.targets[0].value
            if isinstance(base, gast.Name):
                out.add(base.id)
        op = activity.op(stmt)
        if op is None:
            continue
        if op.kind in (O.APPEND, O.POP):
            out.add(op.node.func.value.id)
        if op.kind == O.GETITEM and isinstance(op.node.value, gast.Name):
            index = op.node.slice
            static = isinstance(index, gast.Constant) or (
                isinstance(index, gast.Name) and _static(shapes.aval(index.id)))
            if not static or isinstance(index, (gast.Slice, gast.Tuple)):
                out.add(op.node.value.id)
        if op.kind == O.RULE and op.rule.effects.writes:
            for k in op.rule.effects.writes:
                if k < len(op.args) and isinstance(op.args[k], gast.Name):
                    out.add(op.args[k].id)
    return out


def _taken_apart(fn, activity):
    """Names built as a literal or read item by item: what splitting their adjoint saves
    (a container only passed around whole keeps one adjoint)."""
    out = set()
    for stmt in iter_statements(fn.body):
        op = activity.op(stmt)
        if op is None:
            continue
        if op.kind == O.GETITEM and isinstance(op.node.value, gast.Name):
            out.add(op.node.value.id)
        if op.kind == O.CONTAINER and isinstance(stmt, gast.Assign):
            out.add(stmt.targets[0].id)
    return out


def _static(aval):
    try:
        A.static_value(aval)
        return True
    except LookupError:
        return False
