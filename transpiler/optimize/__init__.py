"""Optimisation to a fixed point: folding, copy propagation, redundancy and dead code.

Each pass is a function ``pass(fn, env, ...) -> changed``; ``optimize`` runs them in
turn until none changes anything.
"""
from .copyprop import propagate_copies
from .dce import eliminate_dead_code
from .effects import alias_groups
from .faint import remove_faint_code
from .fold import fold_constants
from .redundant import LazyMemory, remove_redundant_assignments


def optimize(fn, env, protected=(), live_out=(), max_rounds=20):
    """Simplify ``fn`` in place until nothing changes.

    Args:
      protected: names copy propagation must not replace (parameters, popped names).
      live_out: names read after the function body (for code that is not a function yet).
    """
    for _ in range(max_rounds):
        rewritten = fold_constants(fn, env)
        rewritten |= propagate_copies(fn, env, protected)
        memory = LazyMemory(fn, env)
        merged = remove_redundant_assignments(fn, env, memory)
        rewritten |= merged
        # what shares memory: removing dead code only ever removes sharing, so the
        # groups found before it serve both passes (and the redundancy pass's, if it
        # changed nothing)
        aliases = alias_groups(fn, env, None if merged else memory.model)
        eliminate_dead_code(fn, env, live_out, aliases)
        remove_faint_code(fn, env, live_out, aliases)
        if not rewritten:
            break      # removing dead code alone leaves nothing new to rewrite
    return fn
