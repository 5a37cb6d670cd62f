"""Drop recomputations: a value some name already holds is reused, not computed again.

    i_minus_1 = i - 1
    x_i_minus_1 = x[i_minus_1]
    i_minus_1 = i - 1          # removed: nothing it reads, nor i_minus_1, changed since
    x_i_2 = x[i]               # when x_i = x[i] is still valid:  x_i_2 = x_i

Within a straight-line block, for pure element reads and arithmetic.  Copy propagation
then removes the copies this leaves.  A value the memory model says may be written in
place is never merged: ``s = x * 1.0; t = x * 1.0; s[1] = 5.0`` needs two arrays.
"""
import gast

from ..ir import build
from .effects import effect

_CANDIDATES = (gast.BinOp, gast.Subscript, gast.UnaryOp, gast.Compare)


def remove_redundant_assignments(fn, env, memory=None):
    """Returns whether anything changed.  ``memory``: a ``LazyMemory(fn, env)`` the
    caller may reuse when nothing did."""
    changed = [False]
    _block(fn.body, env, changed, {}, memory or LazyMemory(fn, env))
    return changed[0]


class LazyMemory:
    """The memory model of ``fn``, run only if a question needs it (most rounds find
    nothing to merge)."""

    def __init__(self, fn, env):
        self.fn, self.env, self._memory = fn, env, None

    @property
    def model(self):
        """The model, if a question has run it (None otherwise)."""
        return self._memory

    def _get(self):
        if self._memory is None:
            from ..analysis.memory import Memory
            self._memory = Memory(self.fn, self.env)
        return self._memory

    def mutated(self):
        return self._get().mutated()

    def affected(self, name):
        return self._get().affected(name)


def _block(stmts, env, changed, cache, memory):
    held = {}                        # expression text -> (name holding it, names it reads)
    keep = []
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            for block in (stmt.body, stmt.orelse):
                _block(block, env, changed, cache, memory)
            held.clear()
            keep.append(stmt)
            continue
        e = effect(stmt, env, cache)
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and e.pure and not e.mods and isinstance(stmt.value, _CANDIDATES)):
            name = stmt.targets[0].id
            text = gast.dump(stmt.value)
            holder = held.get(text)
            if holder is not None and {name, holder[0]} & memory.mutated():
                holder = None                # an array written in place: never merged
            if holder is not None and holder[0] == name:
                changed[0] = True            # it already holds exactly this
                continue
            if holder is not None:
                stmt.value = build.name(holder[0], at=stmt.value)
                changed[0] = True
            _invalidate(held, e.defs)
            if holder is None and name not in e.uses:
                held[text] = (name, frozenset(e.uses))
            keep.append(stmt)
            continue
        changes = set(e.defs)
        if held:
            for name in e.mods:              # an in-place update: what shares its memory
                changes |= {name} | memory.affected(name)
        _invalidate(held, changes)
        keep.append(stmt)
    stmts[:] = keep


def _invalidate(held, names):
    if not names:
        return
    for text in list(held):
        holder, reads = held[text]
        if holder in names or reads & names:
            del held[text]
