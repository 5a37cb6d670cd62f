"""The in-place writes reverse mode refuses, found with the memory model.

Reverse mode treats every variable as a value.  An in-place write (``out[i] = v``,
``lst.append(v)``) breaks that view when another variable still in use shares the
memory written: ``z = y; z[0] = 0.`` changes ``y`` too, and ``row = out[1]`` sees later
writes to ``out``.  Tangent returned silently wrong gradients here; we refuse, loudly:

* a write into an argument (or anything that shares its memory) is a TranspileError
  with the ``.at[]`` form to use instead: the caller's array would change;
* a write while another name that shares the memory is used afterwards is a hazard
  (pointing at both lines) when a derivative flows through either.

Names never share memory at a write they reach separately -- ping-pong buffers
(``cur, nxt = nxt, cur``) are fine -- because the model follows pairs of names, not
allocation sites.  "Used afterwards" means its contents are read (``ContentLiveness``):
a view whose shape alone is read later (``np.shape(v)``, ``rt.zeros_like(v)``) sees
nothing a write changes.
"""
import gast

from ..optimize.effects import Liveness, effect
from ..rules import registry
from . import avals as A
from .memory import Memory
from ..ir.walk import subnodes


class ContentLiveness(Liveness):
    """Names whose *contents* may be read later, after each statement.

    Unlike plain liveness, an argument a primitive reads only for its shape
    (``shape_only`` in the table) is not a read of an array's contents, writing into an
    object is not a read of it, and ``x = stack.pop()`` reads the stack's contents only
    if ``x``'s are read later.
    """

    def __init__(self, env, shapes, arrays_only=False):
        super().__init__(env)
        self.shapes = shapes
        # after a write into an array no shape changes: shape-only reads never count
        self.arrays_only = arrays_only

    def stmt(self, stmt, live, exit_live):
        if isinstance(stmt, (gast.If, gast.For, gast.While, gast.Break)):
            return super().stmt(stmt, live, exit_live)
        e = effect(stmt, self.env, self.cache)
        uses = set(e.uses) - e.mods
        for name in e.mods:                     # still read elsewhere in the statement?
            if _reads_besides_writing(stmt, name):
                uses.add(name)
        uses -= self._shape_only(stmt)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and _is_pop(stmt.value) and self.env.lookup(stmt.value.func) is None:
            stack = stmt.value.func.value.id
            if stmt.targets[0].id not in live:
                uses.discard(stack)
            else:
                uses.add(stack)
        return (live - e.defs) | uses

    def _shape_only(self, stmt):
        """Array names ``stmt`` reads for their shape alone."""
        shape, other = set(), set()
        for node in subnodes(stmt):
            if isinstance(node, gast.Call):
                rule = registry.lookup(self.env.lookup(node.func))
                for k, arg in enumerate(node.args):
                    if isinstance(arg, gast.Name) and rule is not None and k in rule.shape_only \
                            and (self.arrays_only or self._is_array(arg.id)):
                        shape.add(id(arg))
        for node in subnodes(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) \
                    and id(node) not in shape:
                other.add(node.id)
        return {n.id for n in subnodes(stmt) if id(n) in shape} - other

    def _is_array(self, name):
        aval = self.shapes.aval(name) if self.shapes is not None else None
        return isinstance(aval, A.Array) and aval.kind == A.NDARRAY


def _is_pop(node):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
        and node.func.attr == "pop" and isinstance(node.func.value, gast.Name) \
        and not node.args


def _reads_besides_writing(stmt, name):
    """Does ``stmt`` read ``name``'s contents, besides writing into it?  (``y[i] = v``
    and ``lst.append(v)`` do not; ``y[i] = y[i - 1]`` and ``rt.add_at(d, i, d[j])`` do.)"""
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
        return any(isinstance(n, gast.Name) and n.id == name
                   for part in (stmt.value, stmt.targets[0].slice) for n in subnodes(part))
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        call = stmt.value
        if isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name) \
                and call.func.value.id == name and call.func.attr in ("append", "pop"):
            return any(isinstance(n, gast.Name) and n.id == name
                       for a in call.args for n in subnodes(a))
        return sum(isinstance(n, gast.Name) and n.id == name for n in subnodes(call)) > 1
    return True


class Hazard:
    """A write at ``stmt`` into memory that ``other`` shares and still reads after it."""

    def __init__(self, stmt, reason, hint, other=None):
        self.stmt = stmt
        self.reason = reason
        self.hint = hint
        self.other = other


def check_writes(unit, activity, memory, liveness, array_liveness=None, shapes=None):
    """Raise for writes into arguments; return the sharing hazards (see the docstring).

    ``array_liveness`` (with ``shapes``) decides after a write into a known array, which
    changes no shape."""
    definitions = {}
    for stmt in _statements(unit.fn.body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            definitions.setdefault(stmt.targets[0].id, stmt)
    hazards = []
    for stmt in _statements(unit.fn.body):
        written = memory.written_name(stmt)
        if written is None:
            continue
        arguments = memory.arguments(stmt, written)
        if arguments:
            name = sorted(arguments)[0]
            how = "" if name == written else " (`%s` shares its memory)" % written
            raise unit.error(
                stmt, "in-place write into the argument `%s`%s: the caller's array would "
                "change" % (name, how),
                "use the functional form, which returns a new array: "
                "%s = %s.at[...].set(value) (or .add, .multiply, ...), or copy first: "
                "%s = %s.copy()" % (written, written, written, written))
        into_array = shapes is not None and isinstance(shapes.aval(written), A.Array) \
            and shapes.aval(written).kind == A.NDARRAY
        live = (array_liveness if into_array and array_liveness is not None
                else liveness).after.get(stmt, set())
        for other in sorted(memory.sharers(stmt, written) & live):
            if not (activity.is_active(other) or activity.is_active(written)):
                continue
            where = definitions.get(other)
            line = getattr(where, "lineno", None)
            hazards.append(Hazard(
                stmt,
                "`%s` is modified in place here while `%s`, which shares its memory%s, is "
                "still used afterwards: the derivative would be computed from the wrong "
                "values" % (written, other, " (made at line %d)" % line if line else ""),
                "make an independent copy where `%s` is made (e.g. `%s = ....copy()`), or "
                "use the functional update `%s.at[...].set(...)`" % (other, other, written),
                other))
    return hazards


def _statements(stmts):
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)


__all__ = ["Hazard", "Memory", "check_writes"]
