"""Dead-code elimination: drop statements whose results nobody reads.

    t = x * 2          # t is never read      ->   (removed)
    s = np.sum(x)
    return s

A statement stays if it has effects we cannot see through (print, calls to unknown
functions) or if something it binds or updates in place is read later.  Loops and
branches left empty disappear too.
"""
import gast

from ..ir import build
from .effects import Liveness, alias_groups, effect


def eliminate_dead_code(fn, env, live_out=(), aliases=None):
    """Rewrite ``fn.body`` in place; return True if anything was removed.  ``aliases``:
    ``effects.alias_groups(fn, env)`` when the caller has it."""
    liveness = Liveness(env, alias_groups(fn, env) if aliases is None else aliases)
    liveness.block(fn.body, set(live_out))
    changed = [False]
    fn.body = _block(fn.body, liveness, env, changed) or [build.pass_()]
    return changed[0]


def _block(stmts, liveness, env, changed):
    out = []
    for stmt in stmts:
        live = liveness.after.get(stmt, set())
        if isinstance(stmt, gast.If):
            if len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break):
                out.append(stmt)
                continue
            stmt.body = _block(stmt.body, liveness, env, changed)
            stmt.orelse = _block(stmt.orelse, liveness, env, changed)
            if not stmt.body and not stmt.orelse:
                changed[0] = True
                continue
            if not stmt.body:
                stmt.body = [build.pass_()]
            out.append(stmt)
            continue
        if isinstance(stmt, gast.For):
            stmt.body = _block(stmt.body, liveness, env, changed)
            if not stmt.body or all(isinstance(s, gast.Pass) for s in stmt.body):
                changed[0] = True
                continue
            out.append(stmt)
            continue
        if isinstance(stmt, gast.While):
            stmt.body = _block(stmt.body, liveness, env, changed) or [build.pass_()]
            out.append(stmt)
            continue
        if isinstance(stmt, gast.Pass):
            continue
        if isinstance(stmt, (gast.Return, gast.Break)) or build.is_comment(stmt):
            out.append(stmt)
            continue
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Name) and stmt.value.id == stmt.targets[0].id):
            changed[0] = True                # `a = a`
            continue
        e = effect(stmt, env, liveness.cache)
        if not e.pure or (e.defs | liveness.expand(e.mods)) & live:
            if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and stmt.targets[0].id not in live and e.pure and e.mods & live
                    and isinstance(stmt.value, gast.Call)):
                # a pop whose value is unused still has to happen
                out.append(build.expr(stmt.value, at=stmt))
                changed[0] = True
                continue
            out.append(stmt)
            continue
        changed[0] = True
    return out
