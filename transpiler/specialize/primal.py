"""``jit``'s transform: the function itself, specialised.

The primal is the normalised function; for one call signature its static arguments
become constants (``specialize/static.py`` runs the code that depends only on them), the
type dispatch and augmented assignments the signature settles are settled
(``ad/package.specialise``), and the optimiser cleans up what folding left.  The backend
then compiles the module (``backends/``).
"""
import re

import gast

from ..analysis.avals import static_value
from ..ir import build
from ..ir.walk import subnodes


def primal_function(module, unit, name, arg_avals, static_names, check_only=False):
    """The FunctionDef ``name(params)`` computing what the function does, specialised to
    ``arg_avals`` (the static parameters' values known); None with ``check_only``."""
    from ..ad.package import finish, specialise
    fn = unit.fn
    fold_statics(unit, arg_avals, static_names)
    specialise(unit, arg_avals, None)
    if check_only:
        return None
    fn.name = name
    module.origins[name] = unit.src
    finish(module, fn, unit, "jit", set(build.param_names(fn)))
    module.temporaries.setdefault(name, set()).update(normalisation_temporaries(fn, unit))
    return fn


def fold_statics(unit, arg_avals, static_names):
    """The static parameters' values (known in ``arg_avals``) made constants in the
    unit's function, and the code that depends only on them run (``static.py``)."""
    from .static import specialise as fold
    if arg_avals is None or not static_names:
        return
    statics = {}
    for param in static_names:
        try:
            statics[param] = static_value(arg_avals[param])
        except LookupError:
            continue
    fold(unit.fn, unit.env, unit.tree_names(statics))


def normalisation_temporaries(fn, unit):
    """The names normalisation made up (``x_plus_i`` for ``x + i``), which the rendered
    source folds back into their single use; not the user's variables, nor their
    versions (``i_2``, a later value of ``i``)."""
    code = unit.src.fn.__code__
    user = set(code.co_varnames) | set(code.co_cellvars) | set(code.co_freevars)
    params = set(build.param_names(fn))
    made = set()
    for node in subnodes(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) \
                and node.id not in params and node.id not in user:
            base = _VERSION.sub("", node.id)
            if base not in user:
                made.add(node.id)
    return made


_VERSION = re.compile(r"(_\d+)+$")
