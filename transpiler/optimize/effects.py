"""What a statement reads, binds and modifies, and liveness over structured code.

Shared by dead-code elimination, copy propagation and the residual computation of
split VJPs.  In-place updates (``x[i] = v``, ``dx += g`` on arrays, ``stack.append``,
``rt.add_at(d, ...)``) *modify* a name: they read it and keep it alive, but do not
kill it.
"""
import types
from dataclasses import dataclass, field

import gast

from ..ir import build
from ..ir.walk import dotted_name, subnodes
from ..rules import registry

# Methods of local lists that change them.
MUTATING_METHODS = {"append", "pop"}


@dataclass
class Effect:
    defs: set = field(default_factory=set)
    uses: set = field(default_factory=set)
    mods: set = field(default_factory=set)
    pure: bool = True              # removable when defs and mods are dead


_FIELDS = {
    gast.Name: (), gast.Constant: (), gast.BinOp: ("left", "right"),
    gast.UnaryOp: ("operand",), gast.Compare: ("left", "comparators"),
    gast.Call: ("func", "args", "keywords"), gast.keyword: ("value",),
    gast.Subscript: ("value", "slice"), gast.Slice: ("lower", "upper", "step"),
    gast.Tuple: ("elts",), gast.List: ("elts",), gast.Dict: ("keys", "values"),
    gast.Attribute: ("value",), gast.BoolOp: ("values",), gast.IfExp: ("test", "body", "orelse"),
}


def scan(node):
    """(names loaded, calls) in an expression -- a fast walk over expression nodes."""
    names, calls, stack = set(), [], [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        kind = type(n)
        if kind is gast.Name:
            if type(n.ctx) is gast.Load:
                names.add(n.id)
            continue
        if kind is gast.Call:
            calls.append(n)
        fields = _FIELDS.get(kind)
        if fields is None:
            stack.extend(gast.iter_child_nodes(n))
            continue
        for name in fields:
            value = getattr(n, name)
            if type(value) is list:
                stack.extend(value)
            else:
                stack.append(value)
    return names, calls


def _loads(node):
    return scan(node)[0]


def call_effect(call, env):
    """(mods, pure) of evaluating ``call``: what the primitive table says it writes and
    whether it has effects beyond them; user functions are assumed pure (as JAX does)."""
    func = call.func
    path = dotted_name(func)
    if isinstance(func, gast.Attribute) and func.attr in MUTATING_METHODS \
            and isinstance(func.value, gast.Name) and (path is None or env.lookup(func) is None):
        return {func.value.id}, True
    target = env.lookup(func)
    rule = registry.lookup(target)
    if rule is not None:
        effects = rule.effects
        mods = {call.args[k].id for k in effects.writes
                if k < len(call.args) and isinstance(call.args[k], gast.Name)}
        return mods, effects.pure
    if isinstance(target, types.FunctionType):
        return set(), True
    return set(), False


def _expr_effect(node, env):
    """(names loaded, names modified, pure) of evaluating an expression."""
    names, calls = scan(node)
    mods, pure = set(), True
    for call in calls:
        m, p = call_effect(call, env)
        mods |= m
        pure = pure and p
    return names, mods, pure


def effect(stmt, env, cache=None):
    """The Effect of a simple (non-compound) statement.

    ``cache`` (a dict) memoises by statement identity, for passes that do not change the
    tree while they analyse it.
    """
    if cache is None:
        return _effect(stmt, env)
    key = stmt
    if key not in cache:
        cache[key] = _effect(stmt, env)
    return cache[key]


def _effect(stmt, env):
    if build.is_comment(stmt):
        return Effect(pure=False)
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        uses, mods, pure = _expr_effect(stmt.value, env)
        if isinstance(target, gast.Name):
            return Effect(defs={target.id}, uses=uses | mods, mods=mods, pure=pure)
        if isinstance(target, gast.Tuple):
            names = {e.id for e in target.elts if isinstance(e, gast.Name)}
            return Effect(defs=names, uses=uses | mods, mods=mods, pure=pure)
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            base = target.value.id
            return Effect(uses=uses | _loads(target.slice) | {base} | mods,
                          mods=mods | {base}, pure=pure)
        return Effect(uses=uses | _loads(target), pure=False)
    if isinstance(stmt, gast.AugAssign):
        target = stmt.target
        uses, mods, pure = _expr_effect(stmt.value, env)
        uses = uses | mods
        if isinstance(target, gast.Name):
            # in place on an array (everything sharing its memory sees it), a new
            # value for a number
            return Effect(defs={target.id}, uses=uses | {target.id}, mods=mods | {target.id},
                          pure=pure)
        base = target.value.id
        return Effect(uses=uses | _loads(target.slice) | {base}, mods=mods | {base}, pure=pure)
    if isinstance(stmt, gast.Expr):
        uses, mods, pure = _expr_effect(stmt.value, env)
        return Effect(uses=uses | mods, mods=mods, pure=pure)
    if isinstance(stmt, gast.Pass):
        return Effect()
    return Effect(uses=_loads(stmt), pure=False)


def alias_groups(fn, env, memory=None):
    """name -> the names whose contents change when that name's object is updated in
    place (the memory model, flow-insensitively; ``memory``: the model of ``fn`` if the
    caller has it)."""
    if memory is None:
        from ..analysis.memory import Memory
        memory = Memory(fn, env)
    return {name: memory.affected(name) for name in memory.all_shares}


class Liveness:
    """Live variables after each statement of a function body."""

    def __init__(self, env, aliases=None):
        self.env = env
        self.after = {}
        self.aliases = aliases or {}
        self.cache = {}

    def block(self, stmts, live_out, exit_live=frozenset()):
        live = set(live_out)
        for stmt in reversed(stmts):
            self.after[stmt] = set(live)
            live = self.stmt(stmt, live, exit_live)
        return live

    def stmt(self, stmt, live, exit_live):
        if isinstance(stmt, gast.If):
            if len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break) and not stmt.orelse:
                return live | set(exit_live) | _loads(stmt.test)
            body = self.block(stmt.body, live, exit_live)
            orelse = self.block(stmt.orelse, live, exit_live)
            return body | orelse | _loads(stmt.test)
        if isinstance(stmt, gast.For):
            target = {n.id for n in subnodes(stmt.target) if isinstance(n, gast.Name)}
            out = set(live)
            while True:
                body_in = self.block(stmt.body, out, exit_live=live)
                new = set(live) | (body_in - target)
                if new == out:
                    break
                out = new
            return out | _loads(stmt.iter)
        if isinstance(stmt, gast.While):
            test = _loads(stmt.test)
            out = set(live) | test
            while True:
                body_in = self.block(stmt.body, out, exit_live=live)
                new = set(live) | test | body_in
                if new == out:
                    break
                out = new
            return out
        if isinstance(stmt, gast.Break):
            return set(exit_live)
        e = effect(stmt, self.env, self.cache)
        # a write into an object keeps the name it writes through alive; whether the
        # write is needed at all (something sharing the object is read later) is the
        # question dead-code elimination asks with ``expand``
        return (live - e.defs) | e.uses | e.mods

    def expand(self, names):
        """``names`` and everything that may share memory with them."""
        out = set(names)
        for name in names:
            out |= self.aliases.get(name, set())
        return out
