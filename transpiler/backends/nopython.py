"""The Numba backend: generated NumPy code compiled in nopython mode.

Lowering happens on the generated module, after the transform made it and before it is
rendered: every user function its code calls is brought into the module as its
normalised code (``<name>_primal``), so the module is closed over its runtime -- its
functions, NumPy, ``math`` and the runtime helpers, whose nopython versions
``runtime/numba_support.py`` registers.  The rendered module is then compiled by
``numba.njit``, each function lazily, once per Numba type signature.

What Numba cannot type is found when a signature is first compiled; the message names
the user's file and line the blocking generated line came from.  ``backend="numba"``
raises it as a TranspileError, ``"auto"`` runs the NumPy code instead and warns once.
"""
import inspect
import os
import re
import types
import warnings

import gast
import numpy as np

import runtime
from ..analysis import avals as A
from ..errors import TranspileError
from ..ir import build, emit
from ..ir.naming import Namer
from ..ir.walk import Renamer, parents as walk_parents, subnodes
from ..optimize import optimize
from ..optimize.licm import hoist_invariants


class NopythonWarning(UserWarning):
    """``jit(..., backend="auto")`` runs NumPy code where Numba could not compile it."""


def _numba():
    import numba
    import runtime.numba_support  # noqa: F401  (registers the nopython runtime helpers)
    return numba


def lower(module, auto=False, entry=None):
    """The generated module made ready for Numba: every user function its code calls
    added to it as its normalised code (Numba compiles what it calls), the entry point's
    own Numba version where it needs one (``entry``: the function, its arguments'
    abstract values and its static parameters; ``numba_version``), and each loop's
    invariant computations done once before it (``optimize/licm.py``: Numba's own
    hoisting does not move divisions or calls, which may raise).  With ``auto``, a module
    without loops is left as NumPy code (``module.runs_numpy``)."""
    module.add_primal_callees(every=True)
    if auto and not any(isinstance(node, (gast.For, gast.While))
                        for fn in module.functions for node in subnodes(fn)):
        # loop-free array code: NumPy runs it faster than Numba's compiled array
        # expressions (selu, an MLP's gradient: README), so "auto" leaves it as it is
        module.runs_numpy = True
        return
    if entry is not None:
        numba_version(module, *entry)
    _positional_callees(module)
    for fn in module.functions:
        taken = {n.id for n in subnodes(fn) if isinstance(n, gast.Name)}
        taken |= set(build.param_names(fn))
        hoist_invariants(fn, module.env, Namer(taken, module.env.bindings))
        _unnumbered(fn, taken, module)


def numba_version(module, fn, arg_avals, static_names):
    """Add the entry point ``fn``'s Numba version, when it needs one (``needs_boundary``),
    as the module's second entry point, and its ``Boundary`` as ``module.numba_boundary``.
    Static values Numba cannot take as arguments (a function) are not passed."""
    if arg_avals is None or module.entry_points is not None:
        return
    dicts = dict_parameters(fn, arg_avals)
    statics = set()
    for name in static_names:                         # (fn has the user's names)
        try:
            if not numba_value(A.static_value(arg_avals.get(name))):
                statics.add(name)
        except LookupError:
            pass
    made = leaves_version(module, fn, dicts, statics) \
        if needs_boundary(fn, dicts, statics) else None
    if made is not None:
        version, module.numba_boundary = made
        module.add_function(version)
        module.entry_points = [fn.name, version.name]


def _positional_callees(module):
    """Generated callees with keyword-only parameters (``f_jvp(x, *, dot_x)``) made
    positional, and every call to them in the module rewritten to match: Numba binds
    only positional parameters.  The entry points keep their signatures (Python calls
    them; Numba runs their own versions, ``leaves_version``)."""
    entries = set(module.entry_points or [module.functions[0].name])
    changed = {}
    for fn in module.functions:
        if fn.name in entries or not fn.args.kwonlyargs:
            continue
        if any(d is not None for d in fn.args.kw_defaults):
            continue                              # a default to fill in: left as it is
        order = build.param_names(fn)
        positional = [a.id for a in fn.args.args]
        defaults = dict(zip(positional[len(positional) - len(fn.args.defaults):],
                            fn.args.defaults))
        fn.args.args = list(fn.args.args) + list(fn.args.kwonlyargs)
        fn.args.kwonlyargs, fn.args.kw_defaults, fn.args.defaults = [], [], []
        changed[fn.name] = (order, defaults)
    if not changed:
        return
    for fn in module.functions:
        for call in subnodes(fn):
            if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name)
                    and call.func.id in changed):
                continue
            order, defaults = changed[call.func.id]
            given = dict(zip(order, call.args))
            given.update({k.arg: k.value for k in call.keywords})
            # every parameter in its place: one left out takes its default (a value
            # shifted into the wrong parameter would be a silently wrong number)
            call.args = [given[name] if name in given else build.clone(defaults[name])
                         for name in order]
            call.keywords = []


_NUMBERED = re.compile(r"^(.*[^_\d])_(\d+)$")


def _unnumbered(fn, taken, module):
    """Locals named ``x_2`` renamed ``x2``: Numba names its own versions of ``x`` ``x.2``
    and, fusing array expressions, both become ``x_2`` ("not unique": a Numba bug)."""
    params = set(build.param_names(fn))
    mapping = {}
    used = set(taken) | set(module.env.bindings)
    local = {n.id for n in subnodes(fn) if isinstance(n, gast.Name)
             and isinstance(n.ctx, gast.Store) and n.id not in module.env.bindings}
    for name in sorted(local - params):
        match = _NUMBERED.match(name)
        if match is None:
            continue
        new = match.group(1) + match.group(2)
        while new in used:
            new += "_"
        used.add(new)
        mapping[name] = new
    if mapping:
        Renamer(mapping).visit(fn)
        temporaries = module.temporaries.get(fn.name)
        if temporaries:
            module.temporaries[fn.name] = {mapping.get(t, t) for t in temporaries}


def compile_module(namespace, names):
    """``numba.njit`` versions of the generated functions ``names`` of a compiled module
    (``namespace``), calling one another: a dict name -> dispatcher."""
    numba = _numba()
    compiled_namespace = dict(namespace)
    # the module Numba names the code's globals by (its cache rebuilds them from it)
    compiled_namespace["__name__"] = "runtime"
    dispatchers = {}
    parallel_namespace = None
    for name in names:
        fn = namespace[name]
        options = {"boundscheck": True}
        globals_ = compiled_namespace
        if "prange" in fn.__code__.co_names:
            # vmap's loop form (rt.prange): its loop over the examples made Numba's
            # prange, the function compiled for all cores
            if parallel_namespace is None:
                parallel_namespace = dict(compiled_namespace, rt=_parallel_runtime(numba))
            globals_ = parallel_namespace
            options["parallel"] = True
        copy = types.FunctionType(fn.__code__, globals_, fn.__name__,
                                  fn.__defaults__, fn.__closure__)
        # bounds checked (IndexError, as NumPy); code run from the disk cache's file
        # keeps its machine code in Numba's cache beside it
        kept = os.path.isfile(fn.__code__.co_filename)
        try:
            dispatchers[name] = numba.njit(copy, cache=kept, **options)
        except RuntimeError:                  # no cache directory Numba can write to
            dispatchers[name] = numba.njit(copy, **options)
    compiled_namespace.update(dispatchers)        # callees are looked up when compiled
    if parallel_namespace is not None:
        parallel_namespace.update(dispatchers)
    return dispatchers


def _parallel_runtime(numba):
    """The runtime module as the loop form's parallel code sees it: ``rt.prange`` is
    Numba's prange (for the Python code it is ``range``)."""
    proxy = types.ModuleType("runtime")
    proxy.__dict__.update(runtime.__dict__)
    proxy.prange = numba.prange
    return proxy


class Compiled:
    """A generated function run by Numba, the NumPy version at hand.

    The first call of each signature compiles; a compile failure is a located
    TranspileError (``backend="numba"``), or a warning and the NumPy code from then on
    (``"auto"``).  Exceptions the compiled code raises while it runs are the user's."""

    def __init__(self, python, dispatcher, backend, label, boundary=None):
        self.python = python
        self.boundary = boundary              # dict arguments passed as their leaves
        self.dispatcher = dispatcher
        self.backend = backend
        self.label = label
        self.failure = None                   # why Numba could not compile it, once known
        self.ready = False                    # compiled and run once
        self.__name__ = python.__name__
        self.__wrapped__ = python

    def __call__(self, *args, **kwargs):
        if self.failure is not None:
            return self.python(*args, **kwargs)
        call_args, call_kwargs = args, kwargs
        if self.boundary is not None:
            call_args = self.boundary.arguments(self.python, args, kwargs)
            if call_args is None:                  # not the dicts it was made for
                return self.python(*args, **kwargs)
            call_kwargs = {}
        numba = _numba()
        if not self.ready:
            self.failure = self._unsupported_argument(call_args, call_kwargs)
            if self.failure is not None:
                return self._fall_back(args, kwargs)
        compiled_before = len(self.dispatcher.overloads)
        try:
            result = self.dispatcher(*call_args, **call_kwargs)
        except Exception as exc:             # noqa: BLE001 (sorted out just below)
            if isinstance(exc, (NotImplementedError, SystemError)):
                # what Numba cannot run though it compiled (a reshape of a transposed
                # array; a result it cannot box): NumPy code raises neither
                self.failure = located_reason(exc, self.python)
                return self._fall_back(args, kwargs)
            if len(self.dispatcher.overloads) > compiled_before:
                raise                        # it compiled: the code itself raised
            if self.ready and not isinstance(exc, numba.core.errors.NumbaError):
                raise                        # an exception of code compiled before
            self.failure = located_reason(exc, self.python)
        else:
            self.ready = True
            return self.boundary.result(result) if self.boundary is not None else result
        return self._fall_back(args, kwargs)

    def _fall_back(self, args, kwargs):
        if self.backend == "numba":
            raise self.error() from None
        warnings.warn("%s runs as NumPy code: Numba cannot compile it in nopython mode "
                      "(%s)" % (self.label, describe(self.failure)), NopythonWarning,
                      stacklevel=4)
        return self.python(*args, **kwargs)

    def _unsupported_argument(self, args, kwargs):
        """The failure for an argument Numba cannot take (a dict, a list, an object), named
        and located at the function's definition; None if every one is an array or a
        number (or a tuple of them)."""
        try:
            bound = inspect.signature(self.dispatcher.py_func).bind(*args, **kwargs)
        except TypeError:
            return None
        for name, value in bound.arguments.items():
            if not numba_value(value):
                where = _first_origin(self.python)
                reason = ("the argument `%s` is a %s: Numba compiles functions of arrays and "
                          "numbers (and tuples of them)" % (name, type(value).__name__))
                return (where or (None, None, None)) + (reason,)
        return None

    def error(self):
        filename, line, text, reason = self.failure
        return TranspileError("Numba cannot compile this in nopython mode: %s" % reason,
                              filename or "<generated>", line or 0, source_line=text or "",
                              hint="rewrite the construct with NumPy operations on arrays "
                                   "and scalars, or use backend=\"auto\" to run it as NumPy "
                                   "code (backend=\"python\" never compiles)")


_GENERATED_LINE = re.compile(r'File "([^"]*)", line (\d+)')     # generated files have origins


def numba_value(value):
    """Can Numba take ``value`` as an argument: a number, a string, None, a NumPy scalar
    or array (not of objects), or a tuple of them?"""
    if value is None or isinstance(value, (bool, int, float, complex, str, np.generic)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype != object
    return type(value) is tuple and all(numba_value(v) for v in value)


def _first_origin(function):
    """The user's (file, line, text) of the first line of a generated function."""
    origins = emit.origins_for(function.__code__.co_filename) or {}
    start = function.__code__.co_firstlineno
    lines = sorted(line for line in origins if line >= start)
    return origins[lines[0]] if lines else None


def located_reason(exc, function=None):
    """``(user file, user line, user source line, reason)`` of a Numba compile error:
    the innermost generated line it names, traced back to the user's code (else the
    first line of ``function``)."""
    text = str(exc)
    where = None
    for filename, line in _GENERATED_LINE.findall(text):      # innermost first
        # (Numba names a real file relative to the working directory)
        origins = emit.origins_for(filename) or emit.origins_for(os.path.abspath(filename))
        if origins and int(line) in origins:
            where = origins[int(line)]
            break
    reason = _first_reason(text) or "%s in Numba's compiler" % type(exc).__name__
    if where is None and function is not None:
        where = _first_origin(function)
    if where is None:
        return (None, None, None, reason)
    return (where[0], where[1], where[2], reason)


def _first_reason(text):
    """The line of a Numba message that says what went wrong (not the traceback); with
    the signature it names when it is "no implementation ... for signature:"."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    lines = [line.strip() for line in text.splitlines()]
    for k, line in enumerate(lines):
        if not line or line.startswith(("During:", "File ", "^", "-", "<source",
                                        "Failed in nopython mode pipeline")):
            continue
        unify = re.match(r"Cannot unify (.+) and (.+) for '([\w.$]+)'", line)
        if unify:
            name = unify.group(3).split(".")[0]
            return ("`%s` is %s on one path and %s on another: Numba needs one type per "
                    "variable (make both arrays, e.g. start from np.zeros(...) rather than "
                    "0.0)" % (name, _numba_type(unify.group(1)), _numba_type(unify.group(2))))
        if line.endswith("found for signature:"):
            following = [l for l in lines[k + 1:] if l][:1]
            line = line.replace("No implementation of function Function(", "no Numba version of ")
            line = re.sub(r"<(function|built-in function) (\w+)[^>]*>\)", r"\2", line)
            line += " " + following[0].lstrip(">").strip() if following else ""
        return line[:300]
    return text.strip()[:300]


def _numba_type(text):
    """``array(float64, 1d, C)`` -> ``a 1-d float64 array``; ``float64`` -> ``a float64``."""
    match = re.match(r"array\((\w+), (\d)d, \w\)", text)
    if match:
        return "a %s-d %s array" % (match.group(2), match.group(1))
    return "a %s" % text


def describe(failure):
    filename, line, text, reason = failure
    if filename is None:
        return reason
    return "%s:%d: %s -- %s" % (filename, line, text.strip() if text else "", reason)


# ------------------------------------------------------------ dicts at the boundary

class Boundary:
    """How a function of dicts of arrays runs as a Numba function of their leaves.

    ``params``: the original parameters, each ``(name, keys)`` -- ``keys`` the dict's keys
    in order for a dict argument, None for any other; ``output``: how the flat tuple the
    compiled function returns is put back together (``("leaf", k)``, ``("tuple", parts)``
    or ``("dict", keys, parts)``)."""

    def __init__(self, params, output):
        self.params, self.output = params, output
        self._signature = None                # the Python function's, read once

    def arguments(self, python, args, kwargs):
        """The leaves to pass (every parameter positional, defaults filled in), or None if
        the arguments are not as specialised."""
        if self._signature is None:
            self._signature = inspect.signature(python)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError:
            return None
        bound.apply_defaults()
        flat = []
        for name, keys in self.params:
            value = bound.arguments[name]
            if keys == "static":
                continue
            if keys is None:
                flat.append(value)
            elif type(value) is dict and tuple(value) == keys:
                flat.extend(value[k] for k in keys)
            else:
                return None
        return flat

    def result(self, flat):
        return _rebuild(self.output, flat)


def _rebuild(spec, flat):
    kind = spec[0]
    if kind == "whole":
        return flat
    if kind == "leaf":
        return flat[spec[1]]
    if kind == "tuple":
        return tuple(_rebuild(part, flat) for part in spec[1])
    return {key: _rebuild(part, flat) for key, part in zip(spec[1], spec[2])}


def needs_boundary(fn, dicts, statics=()):
    """Does ``fn`` need a version of its own for Numba: dict parameters (passed as their
    leaves), keyword-only ones (jvp's tangents; Numba binds only positional ones), static
    ones (constants in the code: not passed), or dict results?"""
    return bool(dicts) or bool(fn.args.kwonlyargs) or bool(statics) or any(
        isinstance(node, gast.Dict) for node in subnodes(fn))


def dict_parameters(fn, arg_avals):
    """The parameters of ``fn`` given dicts of arrays and numbers (name -> keys)."""
    found = {}
    for name in build.param_names(fn):
        aval = arg_avals.get(name)
        if isinstance(aval, A.Dict) and aval.items and all(
                isinstance(k, str) and k.isidentifier() and isinstance(v, A.Array)
                for k, v in aval.items):
            found[name] = tuple(k for k, _ in aval.items)
    return found


def leaves_version(module, fn, dict_params, statics=()):
    """A copy of ``fn`` taking the leaves of its dict parameters (``dict_params``: name ->
    keys) and returning a flat tuple, with its ``Boundary``; None when ``fn`` uses such a
    parameter otherwise than reading an item by a constant key or shaping the gradient
    (``rt.as_gradient(d, params)``)."""
    new = build.clone(fn)
    taken = {n.id for n in subnodes(new) if isinstance(n, gast.Name)}
    namer = Namer(taken | set(build.param_names(new)), module.env.bindings)
    leaf = {p: {k: namer.fresh("%s_%s" % (p, k)) for k in keys}
            for p, keys in dict_params.items()}
    parents = walk_parents(new)
    shaping = {call.args[1].id for call in subnodes(new) if isinstance(call, gast.Call)
               and len(call.args) == 2 and isinstance(call.args[1], gast.Name)
               and module.env.lookup(call.func) in (runtime.as_gradient, runtime.as_gradients)}
    for node in list(subnodes(new)):
        if not (isinstance(node, gast.Name) and node.id in leaf and isinstance(node.ctx, gast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, gast.Subscript) and parent.value is node \
                and isinstance(parent.slice, gast.Constant) and parent.slice.value in leaf[node.id]:
            continue
        if _gradient_shape_of(parent, node, parents, module.env):
            continue
        if isinstance(parent, gast.Tuple) and _gradient_shape_of(
                parents.get(id(parent)), parent, parents, module.env, several=True):
            continue
        holder = parents.get(id(parent)) if isinstance(parent, gast.Tuple) else None
        if isinstance(holder, gast.Assign) and isinstance(holder.targets[0], gast.Name) \
                and holder.targets[0].id in shaping:
            continue                  # `shapes = (params, X)` for rt.as_gradients(ds, shapes)
        return None
    definitions = {}
    for stmt in new.body:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            definitions.setdefault(stmt.targets[0].id, []).append(stmt)
    ret = new.body[-1]
    if not isinstance(ret, gast.Return):
        return None
    leaves = []
    output = _flatten_output(ret.value, definitions, leaf, dict_params, leaves, module.env)
    if output is None:
        return None
    # items read by constant keys are the leaf parameters
    for node in list(subnodes(new)):
        if isinstance(node, gast.Assign) and isinstance(node.value, gast.Subscript) \
                and isinstance(node.value.value, gast.Name) and node.value.value.id in leaf:
            node.value = build.name(leaf[node.value.value.id][node.value.slice.value])
    if output == ("leaf", 0):
        ret.value, output = leaves[0], ("whole",)       # one value: returned as it is
    else:
        ret.value = build.tuple_(leaves)
    module.flatten(new, namer)                      # one operation per statement again
    # keyword-only parameters (jvp's tangents) become positional: Numba binds no others
    new.args.args = list(new.args.args) + list(new.args.kwonlyargs)
    new.args.kwonlyargs, new.args.kw_defaults, new.args.defaults = [], [], []
    optimize(new, module.env, protected=set(build.param_names(new)))   # the dicts, now dead
    params = []
    args = []
    read = {n.id for n in subnodes(new) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)}
    for arg in new.args.args:
        if arg.id in statics and arg.id not in read:
            params.append((arg.id, "static"))          # a constant in the code: not passed
            continue
        if arg.id in leaf:
            params.append((arg.id, tuple(dict_params[arg.id])))
            args.extend(build.name(leaf[arg.id][k], store=False) for k in dict_params[arg.id])
        else:
            params.append((arg.id, None))
            args.append(arg)
    for arg in args:
        arg.ctx = gast.Param()
    new.args.args = args
    new.name = module.global_name(fn.name + "_numba")
    return new, Boundary(params, output)


def _gradient_shape_of(parent, node, parents, env, several=False):
    """Is ``node`` (a dict parameter) the second argument of ``rt.as_gradient`` (or, a
    tuple of them, of ``rt.as_gradients``)?"""
    return (isinstance(parent, gast.Call) and len(parent.args) == 2 and parent.args[1] is node
            and env.lookup(parent.func) is (runtime.as_gradients if several
                                             else runtime.as_gradient))


def _flatten_output(expr, definitions, leaf, dict_params, leaves, env):
    """The output spec of ``expr`` (leaf expressions appended to ``leaves``), or None."""
    if isinstance(expr, gast.Name) and len(definitions.get(expr.id, ())) == 1 \
            and _is_structure(definitions[expr.id][0].value, env, output=True):
        return _flatten_output(definitions[expr.id][0].value, definitions, leaf, dict_params,
                               leaves, env)
    if isinstance(expr, gast.Tuple):
        parts = [_flatten_output(e, definitions, leaf, dict_params, leaves, env)
                 for e in expr.elts]
        return None if any(p is None for p in parts) else ("tuple", parts)
    if isinstance(expr, gast.Call) and env.lookup(expr.func) is runtime.as_gradient \
            and isinstance(expr.args[1], gast.Name) and expr.args[1].id in leaf:
        param = expr.args[1].id
        d = expr.args[0]
        if isinstance(d, gast.Name) and len(definitions.get(d.id, ())) == 1:
            d = definitions[d.id][0].value
        if not isinstance(d, gast.Dict):
            return None
        given = {k.value: v for k, v in zip(d.keys, d.values) if isinstance(k, gast.Constant)}
        parts = []
        for key in dict_params[param]:
            value = given.get(key, build.const(0.0))
            leaves.append(build.call("rt.as_gradient", [build.clone(value),
                                                        build.name(leaf[param][key])]))
            parts.append(("leaf", len(leaves) - 1))
        return ("dict", tuple(dict_params[param]), parts)
    if isinstance(expr, gast.Call) and env.lookup(expr.func) is runtime.as_gradients:
        ds, xs = expr.args
        if isinstance(ds, gast.Name) and len(definitions.get(ds.id, ())) == 1:
            ds = definitions[ds.id][0].value
        if isinstance(xs, gast.Name) and len(definitions.get(xs.id, ())) == 1:
            xs = definitions[xs.id][0].value
        if not (isinstance(ds, gast.Tuple) and isinstance(xs, gast.Tuple)):
            return None
        parts = [_flatten_output(build.call("rt.as_gradient", [d, x]), definitions, leaf,
                                 dict_params, leaves, env) for d, x in zip(ds.elts, xs.elts)]
        return None if any(p is None for p in parts) else ("tuple", parts)
    if isinstance(expr, gast.Dict) and all(isinstance(k, gast.Constant) for k in expr.keys):
        parts = [_flatten_output(v, definitions, leaf, dict_params, leaves, env)
                 for v in expr.values]
        if any(p is None for p in parts):
            return None
        return ("dict", tuple(k.value for k in expr.keys), parts)
    if isinstance(expr, (gast.Dict, gast.List)):
        return None
    leaves.append(build.clone(expr))
    return ("leaf", len(leaves) - 1)


def _is_structure(value, env, output=False):
    return isinstance(value, gast.Tuple) or (output and isinstance(value, gast.Dict)) or (
        isinstance(value, gast.Call) and env.lookup(value.func) in (runtime.as_gradient,
                                                                     runtime.as_gradients))
