"""Settle what each augmented assignment is, now that the values are known.

The core language writes ``x += y`` as ``x_2 = iadd(x, y)``: Python's meaning, a new
number for a number and an update in place for an array.  Reverse mode works on values,
so each one becomes a plain operation (``x_2 = x + y``) wherever that means the same:

* ``x`` is a number (or a tuple): it always was a new value;
* no other name that shares ``x``'s memory is used afterwards: nobody could tell;
* ``y[i] += v`` (``t = y[i]; t_2 = iadd(t, v); y[i] = t_2``) on an array ``y``: writing
  ``t_2`` back into ``y`` is exactly what the update in place did;
* ``row *= 2`` where ``row = M[i]`` is a view of an array (``for row in M``) and ``row``
  is not used afterwards: it becomes ``row_2 = row * 2; M[i] = row_2``.

Everything else would compute another function than Python does and is refused at the
line: an update of an argument's memory (the caller's array would change), or of an
array another name still used afterwards also refers to.  Without abstract values
(the shape-generic code) what cannot be settled stays as written and is reported as a
hazard, raised if that code is ever generated.
"""
import operator

import gast

from ..analysis import avals as A
from ..analysis import ops as O
from ..analysis.memory import Memory
from ..analysis.safety import Hazard
from ..analysis.shapes import analyse
from ..ir import build
from ..optimize.effects import Liveness

_BINARY = {operator.iadd: "+", operator.isub: "-", operator.imul: "*", operator.itruediv: "/",
           operator.ifloordiv: "//", operator.imod: "%", operator.ipow: "**",
           operator.imatmul: "@", operator.iand: "&", operator.ior: "|", operator.ixor: "^",
           operator.ilshift: "<<", operator.irshift: ">>"}
_SPELLING = {op: symbol + "=" for op, symbol in _BINARY.items()}


def lower_in_place(unit, arg_avals=None, callees=None, mirror=False):
    """Rewrite the unit's augmented assignments; raise for those that cannot be values.

    With ``mirror`` (forward mode, whose tangents share memory as the values do) an update
    of an array another name still uses stays an update in place, as written.  Returns
    the hazards left (generic analysis only)."""
    fn = unit.fn
    found = [(block, k) for block, k, stmt in _assignments(fn.body) if _in_place_op(stmt, unit)]
    if not found:
        return []
    shapes = analyse(unit, arg_avals, callees)
    memory = Memory(fn, unit.env, O.classify_function(fn, unit.env), shapes)
    liveness = Liveness(unit.env)
    liveness.block(fn.body, set())
    definitions = _definitions(fn)
    hazards, inserts = [], []
    for block, k in found:
        stmt = block[k]
        decision = _decide(unit, stmt, block, k, shapes, memory, liveness, definitions,
                           generic=arg_avals is None, mirror=mirror)
        if decision is _KEEP:
            continue                                    # stays an update in place
        if isinstance(decision, Hazard):
            hazards.append(decision)
            continue
        call = stmt.value
        stmt.value = build.binop(call.args[0], _BINARY[unit.env.lookup(call.func)],
                                 call.args[1], at=call)
        if decision is not None:
            inserts.append((block, stmt, decision))
    for block, stmt, write_back in inserts:
        block.insert(block.index(stmt) + 1, write_back)
    return hazards


def _in_place_op(stmt, unit):
    return (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call) and len(stmt.value.args) == 2
            and not stmt.value.keywords and unit.env.lookup(stmt.value.func) in _BINARY)


def _decide(unit, stmt, block, k, shapes, memory, liveness, definitions, generic,
            mirror=False):
    """None (a plain operation), a write-back statement to add after it, a Hazard
    (generic code only: specialised code raises), or ``_KEEP`` (with ``mirror``: an
    update of memory another name uses stays in place)."""
    target = stmt.targets[0].id
    x = stmt.value.args[0]
    if not isinstance(x, gast.Name):
        return None
    aval = shapes.aval(x.id)
    if isinstance(aval, A.Array) and not aval.mutable or isinstance(aval, A.Seq) \
            and aval.kind == "tuple":
        return None                                     # a number: a new value anyway
    known_array = isinstance(aval, A.Array) and aval.kind == A.NDARRAY or \
        isinstance(aval, (A.Seq, A.Dict))
    spelled = "`%s %s ...`" % (_user(unit, x.id), _SPELLING[unit.env.lookup(stmt.value.func)])
    arguments = memory.arguments(stmt, x.id)
    if arguments:
        if generic and not known_array:
            return None         # a number or an array: each specialisation settles it
        raise _refuse_argument(unit, stmt, spelled, arguments, x.id)
    live = liveness.after.get(stmt, set()) - {target, x.id}
    sharers = memory.sharers(stmt, x.id) - {target}
    if not sharers & live:
        return None
    base, index = _element_read(definitions.get(x.id))
    following = block[k + 1] if k + 1 < len(block) else None
    if base is not None and _writes_back(following, base, index, target):
        base_aval = shapes.aval(base)
        if isinstance(base_aval, A.Array):
            return None                                 # y[i] op= v on an array
        after = liveness.after.get(following, set()) - {base, target, x.id}
        others = memory.sharers(stmt, x.id) & after
        if not others:
            return None
        if mirror:
            return _KEEP
        return _refuse_shared(unit, stmt, spelled, sorted(others)[0], definitions, generic)
    base_aval = shapes.aval(base) if base is not None else None
    if base is not None and isinstance(base_aval, A.Array) and x.id not in live \
            and target not in live and _basic(definitions[x.id].value.slice, shapes):
        write = build.assign(build.subscript(build.name(base, at=stmt),
                                             build.clone(definitions[x.id].value.slice),
                                             store=True, at=stmt),
                             build.name(target, at=stmt), at=stmt)
        return write
    if mirror:
        return _KEEP
    return _refuse_shared(unit, stmt, spelled, sorted(sharers & live)[0], definitions, generic)


def _user(unit, name):
    """A parameter as the user spelled it (``np_`` was renamed from ``np``)."""
    return unit.param_renames.get(name, name)


def _refuse_argument(unit, stmt, spelled, arguments, name):
    param = sorted(arguments)[0]
    how = "" if param == name else " (`%s` shares its memory)" % _user(unit, name)
    name, param = _user(unit, name), _user(unit, param)
    return unit.error(
        stmt, "%s updates the argument `%s` in place%s: the caller's array would change"
        % (spelled, param, how),
        "write `%s = %s <op> ...` to make a new array, or use the functional form "
        "%s.at[...].set(...)" % (name, name, param))


def _refuse_shared(unit, stmt, spelled, other, definitions, generic):
    where = definitions.get(other)
    line = getattr(where, "lineno", None)
    reason = ("%s updates an array in place that `%s`%s also refers to and uses afterwards: "
              "the compiled function would see another value there than Python does"
              % (spelled, other, " (made at line %d)" % line if line else ""))
    hint = ("write `name = name <op> ...` to make a new array, or make `%s` an independent "
            "copy (`....copy()`)" % other)
    if generic:
        return Hazard(stmt, reason, hint)
    raise unit.error(stmt, reason, hint)


_KEEP = object()


def _element_read(definition):
    """``(base, index)`` when ``definition`` is ``name = base[index]``, else (None, None)."""
    if definition is not None and isinstance(definition.value, gast.Subscript) \
            and isinstance(definition.value.value, gast.Name):
        return definition.value.value.id, definition.value.slice
    return None, None


def _writes_back(stmt, base, index, value):
    """Is ``stmt`` exactly ``base[index] = value``?"""
    return (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript)
            and isinstance(stmt.targets[0].value, gast.Name) and stmt.targets[0].value.id == base
            and gast.dump(stmt.targets[0].slice) == gast.dump(index)
            and isinstance(stmt.value, gast.Name) and stmt.value.id == value)


def _basic(index, shapes):
    from ..analysis.memory import _basic_index
    return _basic_index(index, shapes)


def _definitions(fn):
    out = {}
    for _, _, stmt in _assignments(fn.body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            out.setdefault(stmt.targets[0].id, stmt)
    return out


def _assignments(stmts):
    """``(block, index, statement)`` for every simple statement, recursively."""
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield from _assignments(stmt.body)
            yield from _assignments(stmt.orelse)
        else:
            yield stmts, k, stmt
