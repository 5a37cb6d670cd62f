"""Remove values computed only to compute themselves (faint variables).

Liveness keeps ``s = s + t`` in a loop alive through the back edge even when nothing
else reads ``s``.  This pass marks what is really needed, starting from returns,
statements with effects and the control flow that guards them, and sweeps the rest:

    s = 0.0
    for i in range(n):            # grad(f) does not need f's value:
        s = s + x[i] ** 2         # the whole forward loop goes
    ds = 1.0
"""
import gast

from ..ir import build
from .effects import alias_groups, effect, scan


def _loads(node):
    return scan(node)[0]


def remove_faint_code(fn, env, live_out=(), aliases=None):
    needed = set(live_out)
    aliases = alias_groups(fn, env) if aliases is None else aliases
    cache = {}
    while True:
        before = set(needed)
        _mark(fn.body, needed, env, cache)
        for name in list(needed):           # what shares memory with a needed name
            needed |= aliases.get(name, set())
        if needed == before:
            break
    changed = [False]
    fn.body = _sweep(fn.body, needed, env, changed, cache) or [build.pass_()]
    return changed[0]


def _kept(stmt, needed, env, cache):
    """Does ``stmt`` (simple) have to stay, given the names currently needed?"""
    if isinstance(stmt, (gast.Return, gast.Break)) or build.is_comment(stmt):
        return True
    if isinstance(stmt, gast.Pass):
        return False
    e = effect(stmt, env, cache)
    return (not e.pure) or bool((e.defs | e.mods) & needed)


def _mark(stmts, needed, env, cache):
    """Add to ``needed`` what the kept statements of ``stmts`` read; True if any kept."""
    any_kept = False
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            inner = _mark(stmt.body, needed, env, cache) | _mark(stmt.orelse, needed, env, cache)
            if inner or _is_break_check(stmt):
                needed |= _loads(stmt.test)
                any_kept = True
            continue
        if isinstance(stmt, gast.For):
            if _mark(stmt.body, needed, env, cache):
                needed |= _loads(stmt.iter) | {stmt.target.id}
                any_kept = True
            continue
        if isinstance(stmt, gast.While):
            _mark(stmt.body, needed, env, cache)
            needed |= _loads(stmt.test)
            any_kept = True
            continue
        if _kept(stmt, needed, env, cache):
            needed |= effect(stmt, env, cache).uses if not isinstance(stmt, gast.Return) \
                else _loads(stmt)
            any_kept = True
    return any_kept


def _sweep(stmts, needed, env, changed, cache):
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            if _is_break_check(stmt):
                out.append(stmt)
                continue
            stmt.body = _sweep(stmt.body, needed, env, changed, cache)
            stmt.orelse = _sweep(stmt.orelse, needed, env, changed, cache)
            if not stmt.body and not stmt.orelse:
                changed[0] = True
                continue
            stmt.body = stmt.body or [build.pass_()]
            out.append(stmt)
            continue
        if isinstance(stmt, gast.For):
            stmt.body = _sweep(stmt.body, needed, env, changed, cache)
            if not [s for s in stmt.body if not build.is_comment(s)]:
                changed[0] = True
                continue
            out.append(stmt)
            continue
        if isinstance(stmt, gast.While):
            stmt.body = _sweep(stmt.body, needed, env, changed, cache) or [build.pass_()]
            out.append(stmt)
            continue
        if _kept(stmt, needed, env, cache):
            out.append(stmt)
        else:
            changed[0] = True
    return out


def _is_break_check(stmt):
    return len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break) and not stmt.orelse
