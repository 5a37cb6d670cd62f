"""Optimisation to a fixed point: constant folding, copy propagation, dead code."""
from .copyprop import propagate_copies
from .dce import eliminate_dead_code
from .fold import fold_constants


def optimize(fn, env, protected=(), live_out=(), max_rounds=20):
    """Simplify ``fn`` in place until nothing changes.

    Args:
      protected: names copy propagation must not replace (parameters, popped names).
      live_out: names read after the function body (for code that is not a function yet).
    """
    for _ in range(max_rounds):
        changed = fold_constants(fn)
        changed |= propagate_copies(fn, env, protected)
        changed |= eliminate_dead_code(fn, env, live_out)
        if not changed:
            break
    return fn
