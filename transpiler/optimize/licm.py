"""Loop-invariant code motion: a value a loop computes the same way in every iteration is
computed once, before it.

    for _ in range(steps):                 run = 0 < steps
        c = g / length          ->         if run:
        x = x + dt * c * x                     # computed once: the same in every iteration
                                               c = g / length
                                           for _ in range(steps):
                                               x = x + dt * c * x

The hoisted statements run only if the loop runs at least once (the guard), so an
operation that raises (``g / length`` with ``length == 0``) raises exactly when it did.
A statement is hoisted when it is at the top level of the loop body, assigns a name
nothing else in the loop assigns, no code before it in the body reads and nothing after
the loop reads, computes with a primitive that has no effects, and reads only names the
loop does not change (nor change through memory they share); nothing observable
(``print``, a call to user code, ``raise``) may come before it in the body.  Reverse mode recomputes such
values in the reverse loop as well; each loop gets its own hoisting.
"""
import gast

from ..ir import build
from ..ir.walk import subnodes
from ..rules import registry
from .effects import effect, scan


def hoist_invariants(fn, env, namer):
    """Hoist loop-invariant statements out of every loop of ``fn`` (in place).  Returns
    whether anything moved."""
    from ..analysis.memory import Memory
    from .effects import Liveness
    memory = Memory(fn, env)
    liveness = Liveness(env)
    liveness.block(fn.body, set())
    hoister = _Hoister(fn, env, namer, memory, liveness.after)
    fn.body = hoister.block(fn.body)
    return hoister.changed


class _Hoister:
    def __init__(self, fn, env, namer, memory, live_after):
        self.fn, self.env, self.namer, self.memory = fn, env, namer, memory
        self.live_after = live_after          # statement id -> names live after it
        self.changed = False

    def block(self, stmts):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                stmt.body = self.block(stmt.body)
                stmt.orelse = self.block(stmt.orelse)
            elif isinstance(stmt, (gast.For, gast.While)):
                stmt.body = self.block(stmt.body)            # inner loops first
                out.extend(self.loop(stmt))
                continue
            out.append(stmt)
        return out

    def loop(self, loop):
        if loop.orelse or not self._guardable(loop):
            return [loop]
        stores, modified = {}, set()          # names bound in the loop (how often), written
        for node in subnodes(loop):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
            elif isinstance(node, (gast.Assign, gast.AugAssign, gast.Expr)):
                modified |= effect(node, self.env).mods
        changed = set(stores) | modified
        variant = set(changed)
        for name in changed:
            variant |= self.memory.affected(name)
        read_outside = self.live_after.get(loop, set())      # read after the loop
        hoisted, kept, read_before, observable = [], [], set(), False
        for stmt in loop.body:
            target = _target(stmt)
            if target is not None and not observable and stores.get(target) == 1 \
                    and target not in read_before and target not in read_outside \
                    and self._pure(stmt.value) \
                    and not scan(stmt.value)[0] & variant:
                hoisted.append(stmt)
                variant.discard(target)
                continue
            kept.append(stmt)
            read_before |= {n.id for n in subnodes(stmt) if isinstance(n, gast.Name)
                            and isinstance(n.ctx, gast.Load)}
            if not self._quiet(stmt):
                observable = True
        if not hoisted:
            return [loop]
        self.changed = True
        loop.body = kept
        pre, test = self._guard(loop)
        head = build.comment("computed once: the same in every iteration")
        return pre + [build.if_(test, [head] + hoisted, [], at=loop), loop]

    def _guardable(self, loop):
        if isinstance(loop, gast.While):
            return isinstance(loop.test, gast.Name)
        call = loop.iter
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name)
                and call.func.id == "range" and not call.keywords and 1 <= len(call.args) <= 3):
            return False
        return len(call.args) < 3 or bool(_int_constant(call.args[2]))

    def _guard(self, loop):
        """(statements, test name): true when the loop (``_guardable``) runs at least once."""
        from ..ad.common import range_parts
        if isinstance(loop, gast.While):
            return [], build.name(loop.test.id)
        start, stop, step = range_parts(loop.iter.args)
        op = "<" if _int_constant(step) > 0 else ">"
        runs = self.namer.fresh("runs")
        test = build.compare(build.clone(start), op, build.clone(stop))
        return [build.assign(runs, test, at=loop)], build.name(runs)

    def _pure(self, value):
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            return True
        if isinstance(value, gast.Call):
            rule = registry.lookup(self.env.lookup(value.func))
            return rule is not None and rule.effects.pure and not rule.effects.writes
        return False

    def _quiet(self, stmt):
        """Nothing observable happens if this statement runs later (or raises earlier)."""
        if isinstance(stmt, (gast.Raise, gast.Assert)):
            return False
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            return all(self._quiet(s) for s in stmt.body + stmt.orelse)
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr)):
            for call in scan(stmt)[1]:
                if isinstance(call.func, gast.Attribute) and call.func.attr in ("append", "pop"):
                    continue
                rule = registry.lookup(self.env.lookup(call.func))
                if rule is None:
                    return False                  # user code, print, an unknown callee
            return True
        return build.is_comment(stmt) or isinstance(stmt, gast.Pass)


def _int_constant(node):
    """The int a constant node (``3``, ``-1``) stands for, else None."""
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _int_constant(node.operand)
        return None if inner is None else -inner
    return None


def _target(stmt):
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id
    return None

