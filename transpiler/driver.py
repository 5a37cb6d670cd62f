"""From a live function to normalised core-language units (the front half of every transform)."""
import builtins

from . import passes
from .frontend import fence, parse, resolve
from .frontend.environment import Environment
from .ir import build
from .ir.naming import Namer
from .pipeline import Unit, run_passes


def normalise(fn, env=None, print_after=None):
    """Parse, check, resolve and normalise ``fn``; return its Unit."""
    env = env if env is not None else Environment()
    src = parse.parse_function(fn)
    fence.check(src)
    user_params = build.param_names(src.node)
    node = resolve.resolve(src, env)
    taken = resolve.function_locals(node) | set(dir(builtins))
    unit = Unit(src=src, fn=node, env=env, namer=Namer(taken, env.bindings))
    unit.param_renames = {tree: user for tree, user in zip(build.param_names(node), user_params)
                          if tree != user}
    run_passes(unit, passes.NORMALISE, print_after=print_after)
    return unit
