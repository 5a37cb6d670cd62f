"""Rendering generated code for people: temporaries used once are folded into their use.

Transforms work on, and emit, core language -- one operation per statement -- which is
what makes their output valid input again.  People read ``dx = dy * np.cos(x)`` more
easily than ``cos_x = np.cos(x)`` then ``dx = dy * cos_x``, so when the source is
rendered, a temporary the flattening of generated code introduced is put back where it
is used, if that changes nothing:

* it is assigned once and read once, by a later statement of the same block;
* its value has no effect (the primitive table says it is pure and writes nothing);
* no statement in between rebinds, or writes into the memory of, anything it reads;
* the line stays short.

The rendered source, fed back to the compiler, is normalised into the same core form.
"""
import types

import gast

from ..rules import registry
from .build import is_comment
from .walk import subnodes

_MAX_LINE = 92


def fold_temporaries(fn, env, temporaries):
    """Fold single-use ``temporaries`` of ``fn`` into their uses (in place)."""
    if not temporaries:
        return fn
    from ..analysis.memory import Memory
    from .emit import to_source
    affected = Memory(fn, env).affected
    while True:
        loads, stores = _counts(fn)
        changed = [False]
        _block(fn.body, env, temporaries, loads, stores, affected, to_source, changed)
        if not changed[0]:
            return fn


def _counts(fn):
    loads, stores = {}, {}
    for node in subnodes(fn):
        if isinstance(node, gast.Name):
            table = loads if isinstance(node.ctx, gast.Load) else stores
            table[node.id] = table.get(node.id, 0) + 1
    return loads, stores


def _block(stmts, env, temporaries, loads, stores, affected, to_source, changed):
    for stmt in stmts:
        for inner in _blocks(stmt):
            _block(inner, env, temporaries, loads, stores, affected, to_source, changed)
    k = 0
    while k < len(stmts):
        stmt = stmts[k]
        name = _candidate(stmt, env, temporaries, loads, stores)
        if name is not None:
            use = _single_use(stmts, k, name, stmt.value, env, affected)
            if use is not None and _fold(stmts[use], name, stmt.value, to_source):
                del stmts[k]
                changed[0] = True
                continue
        k += 1


def _blocks(stmt):
    if isinstance(stmt, (gast.If, gast.For, gast.While)):
        return [stmt.body, stmt.orelse]
    return []


def _candidate(stmt, env, temporaries, loads, stores):
    """The temporary ``stmt`` assigns, if it may be folded into a use."""
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return None
    name = stmt.targets[0].id
    if name not in temporaries or loads.get(name) != 1 or stores.get(name) != 1:
        return None
    if not _pure(stmt.value, env):
        return None
    return name


def _pure(expr, env):
    for node in subnodes(expr):
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and func.attr in ("append", "pop"):
                return False
            target = env.lookup(func)
            if isinstance(target, types.FunctionType) or type(target).__name__ == "_Placeholder":
                continue              # a user function (pure, as JAX assumes) or a generated one
            rule = registry.lookup(target)
            if rule is None or not rule.effects.pure or rule.effects.writes:
                return False
    return True


def _single_use(stmts, k, name, value, env, affected):
    """The position of the statement after ``k`` reading ``name``, if nothing between
    changes what ``value`` reads."""
    reads = {n.id for n in subnodes(value) if isinstance(n, gast.Name)}
    touched = set()
    for name_ in reads:
        touched |= {name_} | affected(name_)
    for j in range(k + 1, len(stmts)):
        stmt = stmts[j]
        if is_comment(stmt):
            continue
        if any(isinstance(n, gast.Name) and n.id == name for n in subnodes(stmt)):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                return j if _in_header(stmt, name) else None
            return j
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            return None                          # keep values out of control flow
        if _changes(stmt, env) & touched:
            return None
    return None


def _in_header(stmt, name):
    header = stmt.test if isinstance(stmt, (gast.If, gast.While)) else stmt.iter
    in_header = any(isinstance(n, gast.Name) and n.id == name for n in subnodes(header))
    return in_header and not isinstance(stmt, gast.While)


def _changes(stmt, env):
    """Names a simple statement binds or writes into."""
    from ..optimize.effects import effect
    e = effect(stmt, env)
    return e.defs | e.mods


def _fold(stmt, name, value, to_source):
    """Replace the read of ``name`` in ``stmt`` by ``value`` if the line stays short."""
    replacer = _Replace(name, value)
    trial = replacer.visit(_shallow(stmt))
    header = trial.test if isinstance(trial, (gast.If, gast.While)) else \
        trial.iter if isinstance(trial, gast.For) else trial
    text = to_source(gast.Module(body=[header if not isinstance(header, gast.expr)
                                       else gast.Expr(value=header)], type_ignores=[]))
    if not isinstance(stmt, gast.Return) and \
            max(len(line) for line in text.splitlines() or [""]) + 8 > _MAX_LINE:
        return False
    _Replace(name, value).visit(stmt)
    return True


def _shallow(stmt):
    from .build import clone
    if isinstance(stmt, (gast.If, gast.For, gast.While)):
        copy = clone(stmt)
        copy.body, copy.orelse = [], []
        return copy
    return clone(stmt)


class _Replace(gast.NodeTransformer):

    def __init__(self, name, value):
        self.name = name
        self.value = value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return self.value
        return node

    def generic_visit(self, node):
        if isinstance(node, (gast.If, gast.For, gast.While)):
            for field in ("test", "iter"):
                if hasattr(node, field):
                    setattr(node, field, self.visit(getattr(node, field)))
            return node
        return super().generic_visit(node)
