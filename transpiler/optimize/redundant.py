"""Drop a recomputation of a value a name already holds.

    i_minus_1 = i - 1
    x_i_minus_1 = x[i_minus_1]
    i_minus_1 = i - 1          # removed: nothing it reads, nor i_minus_1, changed since

Within a straight-line block; pure expressions only.
"""
import gast

from .effects import effect


def remove_redundant_assignments(fn, env):
    changed = [False]
    _block(fn.body, env, changed, {})
    return changed[0]


def _block(stmts, env, changed, cache):
    known = {}                       # name -> dump of the pure expression it holds
    keep = []
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            for block in (stmt.body, stmt.orelse):
                _block(block, env, changed, cache)
            known.clear()
            keep.append(stmt)
            continue
        e = effect(stmt, env, cache)
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and e.pure and not e.mods
                and isinstance(stmt.value, (gast.BinOp, gast.Subscript, gast.UnaryOp))):
            name = stmt.targets[0].id
            text = (gast.dump(stmt.value), frozenset(e.uses))
            if known.get(name) == text:
                changed[0] = True
                continue
            _invalidate(known, e.defs | e.mods)
            if name not in e.uses:
                known[name] = text
            keep.append(stmt)
            continue
        _invalidate(known, e.defs | e.mods)
        keep.append(stmt)
    stmts[:] = keep


def _invalidate(known, names):
    if not names:
        return
    for key in list(known):
        if key in names or known[key][1] & names:
            del known[key]
