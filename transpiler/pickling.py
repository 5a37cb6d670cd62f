"""Transformed functions pickle by source, so they run in another process.

``pickle.dumps(tp.vmap(tp.grad(loss), in_axes=(None, 0, 0)))`` holds no code object and
no reference to the user's module: it holds how to make the function again -- the
transform chain (``vmap`` of ``grad`` and their options) and the user function as its
source text, its name, and the values it reads (globals, closure variables, defaults).
On arrival the function is compiled again from that text and transformed again, so the
receiving process needs transpiler, not the user's module: a function from ``__main__``,
a test file or a notebook, or a lambda, travels as well as one from a package.

What travels how (``_Pickler.reducer_override``):

* a transformed function: ``(kind, what it transforms, the maker's arguments)``,
  remade by the public maker (``tp.vmap(inner, in_axes=...)``);
* a Python function defined outside the Python installation (``__main__``, the user's
  files), or not found by its name (a lambda, a nested function): by source; its code
  is compiled again with the user's line numbers (the source registered in
  ``linecache``, so transforms read it and errors name the line), then its globals,
  closure values and defaults are restored -- closure variables become globals of the
  new function, which reads them the same way;
* a module: by name (imported on arrival);
* a class defined in ``__main__``: refused (no other process can import it);
* everything else: by ``pickle``, as usual (NumPy functions by reference, arrays by
  value).

The values read are the values when the function is pickled: a global changed later
gives another pickle, which makes new code where it arrives (a process keeps one
remade function per pickle: ``loads``).
"""
import ast
import builtins
import dis
import hashlib
import importlib
import io
import linecache
import os
import pickle
import sys
import sysconfig
import textwrap
import types

from . import cache


def dumps(transformed):
    """The bytes ``loads`` makes ``transformed`` again from (a ``pickle.PicklingError``
    naming the value that cannot travel otherwise)."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer).dump(transformed)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise pickle.PicklingError("cannot pickle %r: %s"
                                   % (transformed, _culprit(transformed, exc))) from exc
    return buffer.getvalue()


_REMADE = cache.memo()          # payload -> the transformed function made from it


def loads(payload):
    """The transformed function pickled as ``payload`` (made once per process)."""
    remade = _REMADE.get(payload)
    if remade is None:
        remade = pickle.loads(payload)
        cache.bounded(_REMADE)
        _REMADE[payload] = remade
    return remade


class _Pickler(pickle.Pickler):

    def reducer_override(self, obj):
        from .api import Transformed
        if isinstance(obj, Transformed):
            return _remake, _recipe(obj)
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if isinstance(obj, type) and obj.__module__ == "__main__":
            raise pickle.PicklingError(
                "the class %s is defined in __main__, which another process cannot import: "
                "define it in a module both processes can import" % obj.__qualname__)
        if isinstance(obj, types.FunctionType) and not _installed(obj):
            return _by_source(obj)
        return NotImplemented


def _recipe(transformed):
    """``(kind, the function or transformed function it transforms, maker arguments)``."""
    from .api import _MAKERS
    transform = transformed._transform
    if transform.kind not in _MAKERS:
        raise pickle.PicklingError("a %s function cannot be pickled" % transform.kind)
    inner = getattr(transformed, "_inner", None)                 # jit(grad(f)): grad(f)
    if inner is None:
        inner = getattr(transformed._fun, "_transpiler_wraps", None)     # vmap(grad(f))
    return transform.kind, inner or transformed._fun, transform.arguments()


def _remake(kind, fun, arguments):
    from .api import _MAKERS
    return _MAKERS[kind](fun, **arguments)


# ------------------------------------------------------------ functions by source

def _installed(fn):
    """Whether ``fn`` comes from the Python installation (the standard library, an
    installed package, transpiler itself) and is found there by its name: then another
    process imports it by name."""
    name = fn.__module__
    module = sys.modules.get(name) if name else None
    if module is None or name == "__main__":
        return False
    found = module
    for part in fn.__qualname__.split("."):
        found = getattr(found, part, None)
    if found is not fn:
        return False                          # a lambda or a nested function
    if name.split(".")[0] in ("transpiler", "runtime"):
        return True
    path = getattr(module, "__file__", None)
    if path is None:
        return True                           # built in
    path = os.path.realpath(path)
    return any(path.startswith(root + os.sep) for root in _INSTALLATION)


_INSTALLATION = sorted({os.path.realpath(sysconfig.get_paths()[kind])
                        for kind in ("stdlib", "platstdlib", "purelib", "platlib")})


def _by_source(fn):
    """``fn`` as a reduce tuple: made from its source, then (``_restore``, once the
    function exists: it may read itself) given the values it reads."""
    from .frontend.parse import parse_function
    src = parse_function(fn)
    text, name = _definition_text(src)
    code = fn.__code__
    reads = {var: fn.__globals__[var] for var in sorted(_global_names(code))
             if var in fn.__globals__}
    reads.update((var, value) for var, value in sorted(src.closure.items()))
    state = {"reads": reads, "defaults": fn.__defaults__, "kwdefaults": fn.__kwdefaults__,
             "qualname": fn.__qualname__}
    return (_compiled, (text, name, code.co_filename, fn.__module__), state, None, None,
            _restore)


def _definition_text(src):
    """``(text, name)``: the function's definition as it stands in its file, at its own
    line (blank lines before it), and the name it binds when run; a lambda is assigned
    to ``__lambda__``."""
    node, lines = src.node, src.located.lines
    first, last = node.lineno, node.end_lineno
    if src.is_lambda:
        dedent = src.located.dedent
        encoded = [lines[k].encode() for k in range(first, last + 1)]
        encoded[-1] = encoded[-1][:node.end_col_offset + dedent]
        encoded[0] = encoded[0][node.col_offset + dedent:]
        text = "__lambda__ = (%s)\n" % b"\n".join(encoded).decode()
        name = "__lambda__"
    else:
        text = textwrap.dedent("\n".join(lines[k] for k in range(first, last + 1))) + "\n"
        name = node.name
    return "\n" * (first - 1) + text, name


def _global_names(code):
    """The global names ``code`` (and the code nested in it) reads or writes."""
    names = set()
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL"):
            names.add(instruction.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _compiled(text, name, filename, module):
    """The function ``text`` defines, compiled without its decorators, defaults and
    annotations (they were evaluated where it was written; ``_restore`` sets them)."""
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    filename = "%s (pickled %s)" % (filename, digest)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    tree = ast.parse(text)
    definition = tree.body[0]
    node = definition.value if isinstance(definition, ast.Assign) else definition
    node.args.defaults = [ast.Constant(None) for _ in node.args.defaults]
    node.args.kw_defaults = [None for _ in node.args.kw_defaults]
    if isinstance(node, ast.FunctionDef):
        node.decorator_list, node.returns = [], None
        for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs + \
                [node.args.vararg, node.args.kwarg]:
            if arg is not None:
                arg.annotation = None
    ast.fix_missing_locations(tree)
    namespace = {"__name__": module, "__builtins__": builtins}
    exec(compile(tree, filename, "exec"), namespace)
    return namespace.pop(name)


def _restore(fn, state):
    fn.__globals__.update(state["reads"])
    fn.__defaults__ = state["defaults"]
    fn.__kwdefaults__ = state["kwdefaults"]
    fn.__qualname__ = state["qualname"]


def _culprit(transformed, exc):
    """Which value read by which function could not be pickled, and what to do."""
    found = _unpicklable(transformed, set())
    what = "%s" % exc if found is None else \
        "%s reads %s, a %s, which cannot be pickled (%s)" % found
    return ("%s.  A transformed function travels as its source and the values it reads "
            "(globals, closure variables, defaults): each must pickle; pass the others as "
            "arguments" % what)


def _unpicklable(value, seen):
    """``(function, name, type, reason)`` of the first value that a function travelling
    by source reads and that cannot be pickled, looking through transformed functions
    and functions by source; None if none is found."""
    from .api import Transformed
    if id(value) in seen:
        return None
    seen.add(id(value))
    if isinstance(value, Transformed):
        _, inner, _ = _recipe(value)
        return _unpicklable(inner, seen)
    if not isinstance(value, types.FunctionType) or _installed(value):
        return None
    reads = dict(_by_source(value)[2]["reads"])
    code = value.__code__
    defaults = value.__defaults__ or ()
    params = code.co_varnames[code.co_argcount - len(defaults):code.co_argcount]
    reads.update(("the default of " + p, v) for p, v in zip(params, defaults))
    reads.update(("the default of " + p, v) for p, v in (value.__kwdefaults__ or {}).items())
    for name, read in reads.items():
        inner = _unpicklable(read, seen)
        if inner is not None:
            return inner
        if isinstance(read, (types.FunctionType, Transformed)):
            continue
        try:
            _Pickler(io.BytesIO()).dump(read)
        except Exception as exc:               # noqa: BLE001 (whatever pickle raises)
            where = name if name.startswith("the default") else "`%s`" % name
            return value.__qualname__, where, type(read).__name__, exc
    return None
