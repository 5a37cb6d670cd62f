"""Reject, with a located error and a fix, every construct SPEC does not support.

Runs first, on the tree as the user wrote it, so that the user sees their own line and
so that later passes may assume the supported subset.  Constructs whose legality
depends on what a name refers to (writes into arguments, calls without a rule) are
checked later, where that is known.
"""
import gast
from ..ir.walk import subnodes

_HINTS = {
    gast.Try: ("`try` is not supported in a transformed function",
               "move the error handling out of the function, around the call."),
    gast.With: ("`with` is not supported in a transformed function",
                "move the `with` block outside the function, or call the function inside it."),
    gast.AsyncWith: ("`async with` is not supported", "use a plain function."),
    gast.AsyncFor: ("`async for` is not supported", "use a plain `for` loop."),
    gast.AsyncFunctionDef: ("async functions are not supported", "use a plain function."),
    gast.Await: ("`await` is not supported", "use a plain function."),
    gast.Yield: ("generators (`yield`) are not supported",
                 "build a list with a loop and return it."),
    gast.YieldFrom: ("generators (`yield from`) are not supported",
                     "build a list with a loop and return it."),
    gast.GeneratorExp: ("generator expressions are not supported",
                        "use a list comprehension: write [... for ...] instead of (... for ...)."),
    gast.ClassDef: ("classes defined inside a transformed function are not supported",
                    "define the class at module level."),
    gast.Global: ("`global` is not supported: a transformed function cannot change module state",
                  "pass the value in as an argument and return the new value."),
    gast.Nonlocal: ("`nonlocal` is not supported: a transformed function cannot change enclosing state",
                    "pass the value in as an argument and return the new value."),
    gast.Delete: ("`del` is not supported", "drop the `del` statement; names go out of scope at return."),
    gast.Import: ("imports inside a transformed function are not supported",
                  "import at module level."),
    gast.ImportFrom: ("imports inside a transformed function are not supported",
                      "import at module level."),
    gast.NamedExpr: ("assignment expressions (`:=`) are not supported",
                     "assign the value on its own line first."),
    gast.SetComp: ("set comprehensions are not supported", "use a list comprehension."),
    gast.DictComp: ("dict comprehensions are not supported",
                    "write the dict as a literal {key: value, ...}."),
    gast.Set: ("set literals are not supported", "use a tuple or a list."),
}
if hasattr(gast, "Match"):
    _HINTS[gast.Match] = ("`match` statements are not supported", "use `if`/`elif`/`else`.")
if hasattr(gast, "TryStar"):
    _HINTS[gast.TryStar] = _HINTS[gast.Try]


def check(src, node=None, nested=False):
    """Raise TranspileError at the first unsupported construct in ``src.node``."""
    fn = src.node if node is None else node
    args = fn.args
    if args.vararg is not None or args.kwarg is not None:
        star = args.vararg or args.kwarg
        raise src.error(star, "`*args` and `**kwargs` parameters are not supported",
                        "name each parameter explicitly, or pack them into a tuple or dict "
                        "argument (a pytree).")
    for stmt in fn.body:
        for sub in subnodes(stmt):
            _check_node(src, sub)


def _check_node(src, node):
    kind = type(node)
    if kind in _HINTS:
        reason, hint = _HINTS[kind]
        raise src.error(node, reason, hint)
    if isinstance(node, (gast.For, gast.While)) and node.orelse:
        raise src.error(node, "`else` on a loop is not supported",
                        "set a flag before `break` and test it after the loop.")
    if isinstance(node, gast.Starred):
        raise src.error(node, "starred expressions (`*x`) are not supported",
                        "pass or unpack the elements explicitly.")
    if isinstance(node, gast.FunctionDef):
        if node.decorator_list:
            raise src.error(node, "decorated functions defined inside a transformed function "
                            "are not supported", "define the decorated function at module level.")
        check(src, node, nested=True)
    if isinstance(node, gast.Lambda):
        if node.args.vararg or node.args.kwarg or node.args.defaults or node.args.kw_defaults:
            raise src.error(node, "lambdas with defaults, *args or **kwargs are not supported "
                            "inside a transformed function", "use a nested `def`.")
    if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For)):
        targets = node.targets if isinstance(node, gast.Assign) else [node.target]
        for target in targets:
            for sub in subnodes(target):
                if isinstance(sub, gast.Attribute) and isinstance(sub.ctx, gast.Store):
                    raise src.error(sub, "assigning to an attribute (`%s`) is not supported"
                                    % sub.attr, "keep the value in a local variable and "
                                    "return it.")
    if isinstance(node, gast.AnnAssign) and node.value is None:
        raise src.error(node, "a bare annotation without a value is not supported",
                        "assign a value: `x: float = 0.0`.")
