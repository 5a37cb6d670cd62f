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
allocation sites.
"""
import gast

from .memory import Memory


class Hazard:
    def __init__(self, stmt, reason, hint):
        self.stmt = stmt
        self.reason = reason
        self.hint = hint


def check_writes(unit, activity, memory, liveness):
    """Raise for writes into arguments; return the sharing hazards (see the docstring)."""
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
        live = liveness.after.get(id(stmt), set())
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
                "use the functional update `%s.at[...].set(...)`" % (other, other, written)))
    return hazards


def _statements(stmts):
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)


__all__ = ["Hazard", "Memory", "check_writes"]
