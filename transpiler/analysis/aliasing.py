"""Which memory each variable may refer to, and the in-place writes that are unsafe.

Reverse mode treats every variable as a value.  An in-place write (``out[i] = v``,
``lst.append(v)``) breaks that view when another live variable shares the memory
written: ``z = y; z[0] = 0.`` changes ``y`` too, and ``row = out[1]`` sees later writes
to ``out``.  Tangent returned silently wrong gradients here; we refuse, loudly:

* a write into an argument (or anything that may share its memory) is a TranspileError
  with the ``.at[]`` form to use instead;
* a write while another variable that shares the buffer is still used afterwards is a
  TranspileError pointing at both lines, when either variable carries a derivative.

The analysis follows *origins*: every value comes from an argument, or from a fresh
allocation at one statement; copies, views, element reads (of arrays that are not
scalars), containers and calls propagate origins.  A container has two sets: what it
*is* (its own object: a fresh tuple/list/dict, or an argument) and what it *reaches*
(itself and its elements).  Replacing an entry of a local list or dict writes into the
container, not into the arrays it holds.
"""
import gast

from . import ops as O


def _fresh(name, stmt):
    return frozenset({("fresh", name, id(stmt))})


class Hazard:
    def __init__(self, stmt, reason, hint):
        self.stmt = stmt
        self.reason = reason
        self.hint = hint


def check_writes(unit, activity, shapes, liveness):
    """Raise for writes into arguments; return the alias hazards (see module docstring).

    ``shapes`` decides which element reads are scalar copies; where it does not know,
    the read is assumed to be a view, and the hazard is returned rather than raised so a
    shape-specialised compile can decide.
    """
    fn = unit.fn
    params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
    # var -> (what the value is, what it reaches); equal except for containers
    state = {p: (frozenset({("arg", p)}),) * 2 for p in params}
    definitions = {}
    hazards = []
    _block(fn.body, state, activity, shapes, liveness, unit, definitions, hazards, params)
    return hazards


def _origins_of(op, state, shapes, target, stmt):
    """(identity, reach) of the value an operation produces."""
    node = op.node
    empty = (frozenset(), frozenset())
    if op.kind == O.COPY:
        return state.get(node.id, empty)
    if op.kind == O.GETITEM:
        if shapes.shape(target) == ():
            fresh = _fresh(target, stmt)
            return fresh, fresh                          # one element: a copy
        base = node.value
        reach = state.get(base.id, empty)[1] if isinstance(base, gast.Name) else frozenset()
        return reach, reach                              # a view, or an element of a container
    if op.kind == O.CONTAINER:
        fresh = _fresh(target, stmt)
        reach = fresh
        for name in op.operand_names():
            reach |= state.get(name, empty)[1]
        return fresh, reach
    if op.kind in (O.USER, O.CUSTOM, O.UNKNOWN) or \
            (op.kind == O.RULE and op.rule is not None and op.rule.view):
        out = frozenset()
        for name in op.operand_names():
            out |= state.get(name, empty)[1]
        if not (op.kind == O.RULE and op.rule.view):
            out |= _fresh(target, stmt)
        return out, out
    fresh = _fresh(target, stmt)
    return fresh, fresh


def _block(stmts, state, activity, shapes, liveness, unit, definitions, hazards, params):
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            a, b = dict(state), dict(state)
            _block(stmt.body, a, activity, shapes, liveness, unit, definitions, hazards, params)
            _block(stmt.orelse, b, activity, shapes, liveness, unit, definitions, hazards, params)
            state.clear()
            state.update(_merge(a, b))
            continue
        if isinstance(stmt, (gast.For, gast.While)):
            if isinstance(stmt, gast.For):
                state[stmt.target.id] = (_fresh(stmt.target.id, stmt),) * 2
            for _ in range(20):
                before = dict(state)
                trial = dict(state)
                _block(stmt.body, trial, activity, shapes, liveness, unit, definitions, [],
                       params)
                merged = _merge(before, trial)
                state.clear()
                state.update(merged)
                if merged == before:
                    break
            _block(stmt.body, dict(state), activity, shapes, liveness, unit, definitions,
                   hazards, params)
            continue
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            op = activity.op(stmt)
            if op is not None:
                state[target] = _origins_of(op, state, shapes, target, stmt)
                definitions[target] = stmt
            continue
        written = None
        if isinstance(stmt, gast.Assign):                       # x[i] = v
            written = stmt.targets[0].value.id
        elif isinstance(stmt, gast.Expr):
            op = activity.op(stmt)
            if op is not None and op.kind == O.APPEND:
                written = stmt.value.func.value.id
        if written is not None:
            _check_write(stmt, written, state, activity, liveness, unit, definitions,
                         hazards, params)


def _merge(a, b):
    out = dict(a)
    for key, (identity, reach) in b.items():
        old = out.get(key, (frozenset(), frozenset()))
        out[key] = (old[0] | identity, old[1] | reach)
    return out


def _check_write(stmt, written, state, activity, liveness, unit, definitions, hazards,
                 params):
    origins = state.get(written, (frozenset(), frozenset()))[0]    # the object written
    for kind, name, *_ in sorted(origins, key=str):
        if kind == "arg":
            how = "" if name == written else " (`%s` shares its memory)" % written
            raise unit.error(
                stmt, "in-place write into the argument `%s`%s: the caller's array would "
                "change" % (name, how),
                "use the functional form, which returns a new array: "
                "%s = %s.at[...].set(value) (or .add, .multiply, ...), or copy first: "
                "%s = %s.copy()" % (written, written, written, written))
    live = liveness.after.get(id(stmt), set())
    for other in sorted(live):
        reach = state.get(other, (frozenset(), frozenset()))[1]
        if other == written or not (reach & origins):
            continue
        if not (activity.is_active(other) or activity.is_active(written)):
            continue
        where = definitions.get(other)
        line = getattr(where, "lineno", None)
        hazards.append(Hazard(
            stmt,
            "`%s` is modified in place here while `%s`, which shares its memory%s, is "
            "still used afterwards: the derivative would be computed from the wrong values"
            % (written, other, " (made at line %d)" % line if line else ""),
            "make an independent copy where `%s` is made (e.g. `%s = ....copy()`), or "
            "use the functional update `%s.at[...].set(...)`" % (other, other, written)))
