"""The public transforms: grad, value_and_grad, source.

``grad`` is ``value_and_grad`` without the value; both generate Python source once per
function (cached, see ``transpiler.cache``) and return a callable that checks its
arguments and runs the generated function.
"""
import contextlib
import functools
import gc
import inspect
import operator
import os
import sys
import types

import numpy as np

from . import cache, diskcache
from .errors import TranspileError
from .ir.emit import annotate, compile_source
import runtime
from runtime.pytree import tree_flatten, tree_leaves

from .analysis import avals as A
from .analysis.avals import assumptions, coarsen, forget_sizes, key as signature_key, \
    of_argument as abstract_value, of_static as static_aval, signature_key as signature_of
from .ir import verify
from .module import GeneratedModule, SizeLeak
from .custom import custom_jvp, custom_vjp


def _check_function(fun, transform):
    if isinstance(fun, Transformed):
        return _transformed_wrapper(fun)
    if isinstance(fun, (custom_vjp, custom_jvp)):
        return _custom_wrapper(fun)
    if isinstance(fun, functools.partial):
        return _partial_wrapper(fun, transform)
    if not inspect.isfunction(fun):
        raise TypeError("%s expects a Python function, got %r" % (transform, fun))
    kinds = {p.kind for p in inspect.signature(fun).parameters.values()}
    if inspect.Parameter.VAR_POSITIONAL in kinds or inspect.Parameter.VAR_KEYWORD in kinds:
        from .frontend import fence, parse
        fence.check(parse.parse_function(fun))           # raises the located error
    return fun


def _custom_wrapper(custom):
    """A plain function calling ``custom`` (with real source), so transforms see the call."""
    wrapper = getattr(custom, "_transpiler_wrapper", None)
    if wrapper is None:
        from .ir import emit
        params = ", ".join(custom.param_names)
        name = custom.__name__ if custom.__name__.isidentifier() else "custom"
        source = "def %s(%s):\n    return __custom__(%s)\n" % (name, params, params)
        namespace = emit.compile_source(source, {"__custom__": custom}, "custom_vjp " + name)
        wrapper = namespace[name]
        custom._transpiler_wrapper = wrapper
    return wrapper


_PARTIAL_WRAPPERS = cache.memo()      # _partial_key -> its wrapper (emptied with the cache)


def _partial_key(partial):
    """What identifies a partial: its function (and transform) and bound values."""
    func = partial.func
    inner = func._fun if isinstance(func, Transformed) else func
    return (cache.function_key(inner),
            func._transform.key() if isinstance(func, Transformed) else None,
            cache.value_key(tuple(partial.args)),
            tuple(sorted((k, cache.value_key(v)) for k, v in partial.keywords.items())))


def _partial_wrapper(partial, transform):
    """A plain function with real source calling ``partial``'s function with its bound
    arguments (``def body(x): return __body__(2.0, x, k=__k)``), so transforms see the
    call; one per function and bound values, so a ``jit(partial(body))`` made afresh in a
    loop meets the same function (and its cached code) every time."""
    func = partial.func
    if isinstance(func, functools.partial) or not (inspect.isfunction(func)
                                                   or isinstance(func, Transformed)):
        raise TypeError("%s of functools.partial expects a partial of a Python function, "
                        "got a partial of %r" % (transform, func))
    key = _partial_key(partial)
    wrapper = _PARTIAL_WRAPPERS.get(key)
    if wrapper is not None:
        return wrapper
    from .ir import emit
    try:
        signature = inspect.signature(partial)
    except ValueError as exc:
        raise TypeError("%s: cannot read the signature of %r (%s)" % (transform, partial,
                                                                     exc)) from None
    name = getattr(func, "__name__", "f")
    name = name if name.isidentifier() else "f"
    namespace = {"__func__": func}
    header, call = [], []
    for k, value in enumerate(partial.args):
        namespace["__arg%d" % k] = value
        call.append("__arg%d" % k)
    star = False
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError("%s of a functools.partial of a function with *args or "
                            "**kwargs is not supported" % transform)
        text = param.name
        if param.default is not param.empty:
            namespace["__default_" + param.name] = param.default
            text += "=__default_" + param.name
        if param.kind == param.KEYWORD_ONLY and not star:
            header.append("*")
            star = True
        header.append(text)
        call.append("%s=%s" % (param.name, param.name) if param.kind == param.KEYWORD_ONLY
                    else param.name)
    source = "def %s(%s):\n    return __func__(%s)\n" % (name, ", ".join(header),
                                                          ", ".join(call))
    wrapper = emit.compile_source(source, namespace, "partial " + name)[name]
    cache.bounded(_PARTIAL_WRAPPERS)
    _PARTIAL_WRAPPERS[key] = wrapper
    return wrapper


def _transformed_wrapper(inner):
    """A plain function calling the transformed function ``inner`` (with real source:
    ``def grad_f(x): return grad(f)(x)``), so that transforming it again transforms the
    code ``inner`` generates."""
    wrapper = getattr(inner, "_transpiler_wrapper", None)
    if wrapper is None:
        from .ir import emit
        params = list(inner._signature.parameters.values())
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        keyword = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
        header = ", ".join(positional + (["*"] + keyword if keyword else []))
        call = ", ".join(positional + ["%s=%s" % (k, k) for k in keyword])
        fun = getattr(inner, "_inner", None) or inner._fun
        fun_name = fun.__name__ if fun.__name__.isidentifier() else "f"
        transform = inner._transform
        name = "%s_%s" % (transform.kind, fun_name)
        source = "def %s(%s):\n    return %s(%s%s)(%s)\n" % (
            name, header, transform.kind, fun_name, transform.options(), call)
        namespace = emit.compile_source(source, {transform.kind: _MAKERS[transform.kind],
                                                 fun_name: fun}, "transformed " + name)
        wrapper = namespace[name]
        wrapper.__defaults__ = fun.__defaults__
        wrapper.__kwdefaults__ = fun.__kwdefaults__
        wrapper._transpiler_wraps = inner
        inner._transpiler_wrapper = wrapper
    return wrapper


def _normalise_argnums(argnums, params, fun_name):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    if not nums:
        raise ValueError("argnums must name at least one argument")
    out = []
    for num in nums:
        if not isinstance(num, (int, np.integer)) or isinstance(num, bool):
            raise TypeError("argnums must be an int or a tuple of ints, got %r" % (argnums,))
        k = operator.index(num)
        if k < 0:
            k += len(params)
        if not 0 <= k < len(params):
            raise ValueError("argnums %r is out of range for %s, which has %d positional "
                             "parameter(s)" % (num, fun_name, len(params)))
        out.append(k)
    return single, tuple(out)


class Transform:
    """One transform of a transformed function: what the runner (``Transformed``) asks
    of it.  ``generate`` adds the transformed function to a module; the rest is argument
    handling."""

    kind = None
    static_names = ()        # parameters whose values are compile-time constants (jit)
    reads_absent = False     # the code depends on which arguments were left to defaults
    absent = frozenset()     # (those of the call being specialised)
    explain = False          # say why a new specialisation is made (jit's explain=True)

    def __init__(self, argnums=0, has_aux=False):
        self.raw_argnums = argnums
        self.has_aux = bool(has_aux)

    def bind(self, fun, signature):
        """Settle the options against the function's signature (errors now)."""
        positional = [p.name for p in signature.parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self.single, self.argnums = _normalise_argnums(self.raw_argnums, positional,
                                                       fun.__name__)
        self.wrt = [positional[k] for k in self.argnums]

    def key(self):
        return (self.kind, self.argnums, self.single, self.has_aux)

    def signature(self, signature):
        """The signature of the transformed function."""
        return signature

    def arguments(self):
        """The keyword arguments of the public maker (``grad``...) that make this
        transform again (``pickling.py``)."""
        return {"argnums": self.raw_argnums, "has_aux": self.has_aux}

    def options(self):
        """The options as source (``, argnums=1``), for ``_transformed_wrapper``."""
        options = ""
        if self.argnums != (0,) or not self.single:
            options += ", argnums=%r" % (self.argnums[0] if self.single else self.argnums,)
        if self.has_aux:
            options += ", has_aux=True"
        return options

    def check_arguments(self, arguments):
        for k, name in zip(self.argnums, self.wrt):
            if name in arguments:
                _check_float(arguments[name], name, k, self.kind)

    def generate(self, module, unit, name, arg_avals, check_only):
        raise NotImplementedError

    def lower(self, module):
        """Bring the generated module into what the backend compiles (before it is
        rendered); the default backend, Python, takes it as it is."""

    def compiled(self, namespace, facts):
        """The callables to run for the entry points of the compiled module (``facts``:
        ``module_facts``; ``namespace``: where its source ran)."""
        return [namespace[n] for n in facts["names"]]

    def finish(self, result):
        return result


class Reverse(Transform):
    """``grad`` and ``value_and_grad``."""

    def __init__(self, kind, argnums=0, has_aux=False):
        super().__init__(argnums, has_aux)
        self.kind = kind

    def generate(self, module, unit, name, arg_avals, check_only):
        from .ad.package import grad_function
        return grad_function(module, unit, self.wrt, name, has_aux=self.has_aux,
                             with_value=self.kind == "value_and_grad", single=self.single,
                             arg_avals=arg_avals, check_only=check_only)


class Forward(Transform):
    """``jvp``: the function of the primals and, keyword-only, their tangents
    (``dot_x``), returning ``(out, tangent of out)``."""

    kind = "jvp"

    def __init__(self, count, argnums=None):
        super().__init__(tuple(range(count)) if argnums is None else tuple(argnums))
        self.count = count

    def bind(self, fun, signature):
        super().bind(fun, signature)
        taken = set(signature.parameters)
        self.tangent_params = []
        for p in self.wrt:
            name = "dot_" + p
            while name in taken:
                name += "_"
            taken.add(name)
            self.tangent_params.append(name)

    def key(self):
        return (self.kind, self.count, self.argnums)

    def arguments(self):
        return {"count": self.count, "argnums": self.raw_argnums}

    def options(self):
        if self.argnums == tuple(range(self.count)):
            return ", %d" % self.count
        return ", %d, %r" % (self.count, self.argnums)

    def signature(self, signature):
        params = list(signature.parameters.values())
        extra = [inspect.Parameter(t, inspect.Parameter.KEYWORD_ONLY)
                 for t in self.tangent_params]
        keep = [p for p in params if p.kind != p.KEYWORD_ONLY]
        kwonly = [p for p in params if p.kind == p.KEYWORD_ONLY]
        return signature.replace(parameters=keep + kwonly + extra)

    def check_arguments(self, arguments):
        for p, t in zip(self.wrt, self.tangent_params):
            if p in arguments and t in arguments:
                _check_tangent(arguments[p], arguments[t], p)

    def generate(self, module, unit, name, arg_avals, check_only):
        from .ad.package import jvp_function
        fn, _ = jvp_function(module, unit, self.wrt, name, arg_avals,
                             tangent_names=unit.tree_names(dict(zip(self.wrt,
                                                                    self.tangent_params))),
                             check_only=check_only)
        return fn

    def finish(self, result):
        out, tangent = result
        return _as_result(out), _as_result(tangent)


class Jacobian(Transform):
    """``jacfwd`` (forward passes over the basis of each argument) and ``jacrev``
    (reverse passes over the basis of the output), as one generated function with the
    loop over the basis in it."""

    def __init__(self, kind, argnums=0, has_aux=False):
        super().__init__(argnums, has_aux)
        self.kind = kind

    def generate(self, module, unit, name, arg_avals, check_only):
        from .ad.package import jacobian_function
        return jacobian_function(module, unit, self.wrt, name, arg_avals,
                                 forward=self.kind == "jacfwd", single=self.single,
                                 has_aux=self.has_aux, check_only=check_only)


class Pullback(Transform):
    """``vjp``: the forward sweep ``f_fwd(*primals) -> (out, saved)`` and the backward
    sweep ``f_bwd(saved, cotangent)``, both entry points of one generated module."""

    kind = "vjp"

    def __init__(self, count, has_aux=False):
        super().__init__(tuple(range(count)), has_aux)

    def generate(self, module, unit, name, arg_avals, check_only):
        from .ad.package import vjp_pair
        fwd, bwd, _ = vjp_pair(module, unit, self.wrt, arg_avals, has_aux=self.has_aux)
        module.entry_points = [fwd, bwd]

    def check_arguments(self, arguments):
        """Integer primals are allowed (their cotangents are zeros, ``as_gradients``);
        complex ones are refused before (``_check_real_primals``)."""


class Jit(Transform):
    """``jit``: the function itself, its static arguments compile-time constants (the
    code that depends only on them run now: ``specialize/static.py``), compiled by the
    backend (``"python"``: the generated NumPy code as it is; ``"cuda"``:
    ``backends/cuda.py`` generates the code of one thread and a kernel around it)."""

    kind = "jit"
    BACKENDS = ("auto", "python", "numba", "cuda")

    def __init__(self, static_argnums=(), static_argnames=(), backend="auto", inner=None,
                 explain=False):
        super().__init__(())
        self.explain = bool(explain)
        self.inner = inner           # jit(grad(f)): grad's transform, then compiled
        if isinstance(static_argnums, (int, np.integer)) and not isinstance(static_argnums, bool):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        try:
            self.raw_static_argnums = tuple(operator.index(k) for k in static_argnums)
        except TypeError:
            raise TypeError("static_argnums must be an int or a sequence of ints, got %r"
                            % (static_argnums,)) from None
        self.raw_static_argnames = tuple(static_argnames)
        if not all(isinstance(n, str) for n in self.raw_static_argnames):
            raise TypeError("static_argnames must be a string or a sequence of strings, got "
                            "%r" % (static_argnames,))
        if backend not in self.BACKENDS:
            raise ValueError("backend must be one of %s, got %r"
                             % (", ".join(map(repr, self.BACKENDS)), backend))
        self.backend = backend

    def bind(self, fun, signature):
        if self.inner is not None:
            signature = self.inner.signature(signature)
        params = list(signature.parameters.values())
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        self.single, self.argnums, self.wrt = True, (), []
        names = []
        for k in self.raw_static_argnums:
            index = k + len(positional) if k < 0 else k
            if not 0 <= index < len(positional):
                raise ValueError("static_argnums %d is out of range for %s, which has %d "
                                 "positional parameter(s)" % (k, fun.__name__, len(positional)))
            names.append(positional[index])
        for name in self.raw_static_argnames:
            if name not in signature.parameters:
                raise ValueError("static_argnames %r is not a parameter of %s%s"
                                 % (name, fun.__name__, signature))
            names.append(name)
        self.static_names = tuple(sorted(set(names), key=list(signature.parameters).index))

    def key(self):
        inner = self.inner.key() if self.inner is not None else None
        return (self.kind, self.static_names, self.backend, inner)

    def signature(self, signature):
        return self.inner.signature(signature) if self.inner is not None else signature

    def finish(self, result):
        return self.inner.finish(result) if self.inner is not None else result

    def arguments(self):
        return {"static_argnums": self.raw_static_argnums,
                "static_argnames": self.raw_static_argnames, "backend": self.backend,
                "explain": self.explain}

    def options(self):
        options = ""
        if self.static_names:
            options += ", static_argnames=%r" % (self.static_names,)
        if self.backend != "auto":
            options += ", backend=%r" % (self.backend,)
        return options

    def check_arguments(self, arguments):
        if self.inner is not None:
            self.inner.check_arguments(arguments)
        for name in self.static_names:
            if name in arguments:
                try:
                    hash(arguments[name])
                except TypeError:
                    raise TypeError(
                        "jit: the static argument %r has the unhashable value %s of type %s: "
                        "static arguments must be hashable (pass a tuple instead of a list, "
                        "or make the argument not static)"
                        % (name, _short_repr(arguments[name]),
                           type(arguments[name]).__name__)) from None

    def generate(self, module, unit, name, arg_avals, check_only):
        from .specialize.primal import fold_statics, primal_function
        module.type_stable = self.backend != "python"
        # vmap's loop form: the examples in parallel where Numba compiles the code
        module.parallel_examples = self.backend in ("auto", "numba")
        if self.backend == "cuda":
            from .backends import cuda
            return cuda.generate(self, module, unit, name, arg_avals, check_only)
        if self.inner is None:
            fn = primal_function(module, unit, name, arg_avals, self.static_names,
                                 check_only=check_only)
        else:
            fold_statics(unit, arg_avals, self.static_names)
            fn = self.inner.generate(module, unit, name, arg_avals, check_only)
        if fn is not None and self.backend != "python":
            module.jit_entry = (fn, arg_avals, self.static_names)   # its Numba version
        return fn

    def lower(self, module):
        if self.backend == "cuda":
            from .backends.cuda import lower
            lower(module)
        elif self.backend != "python":
            from .backends.nopython import lower
            lower(module, auto=self.backend == "auto",
                  entry=module.jit_entry)

    def compiled(self, namespace, facts):
        names = facts["names"]
        functions = [namespace[n] for n in names]
        if self.backend == "python" or facts["runs_numpy"]:
            return functions
        label = "jit(%s)" % facts["label"].split(" ", 1)[-1]
        if self.backend == "cuda":
            from .backends.cuda import compiled
            return compiled(namespace, facts, label)
        from .backends.nopython import Compiled, compile_module
        dispatchers = compile_module(namespace, facts["reachable"])
        if facts["boundary"] is not None:          # the entry's own Numba version runs
            return [Compiled(functions[0], dispatchers[names[1]], self.backend, label,
                             facts["boundary"])] + functions[1:]
        return [Compiled(f, dispatchers[n], self.backend, label)
                for f, n in zip(functions, names)]


class Batch(Transform):
    """``vmap``: the function of a batch of examples, each argument batched along its
    ``in_axes`` entry (None: the same for every example), the result's batch axis at
    ``out_axes``; generated by the batching rules (``batch/``)."""

    kind = "vmap"
    reads_absent = True

    def __init__(self, in_axes=0, out_axes=0):
        super().__init__(())
        _check_axes_spec(in_axes, "in_axes", top=True)
        _check_axes_spec(out_axes, "out_axes", top=False)
        in_axes = _plain_axes(in_axes)
        self.in_axes = tuple(in_axes) if isinstance(in_axes, list) else in_axes
        self.out_axes = _plain_axes(out_axes)

    def bind(self, fun, signature):
        self.single, self.argnums, self.wrt = True, (), []
        params = list(signature.parameters.values())
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        required = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                         p.POSITIONAL_OR_KEYWORD)
                    and p.default is p.empty]
        axes = {}
        if isinstance(self.in_axes, tuple):
            if not len(required) <= len(self.in_axes) <= len(positional):
                raise ValueError(
                    "vmap in_axes must have one entry per positional argument of %s%s: "
                    "got %d entries (%r)" % (fun.__name__, signature, len(self.in_axes),
                                             self.in_axes))
            axes.update(zip(positional, self.in_axes))
            for name in positional[len(self.in_axes):]:
                axes[name] = 0              # passed by keyword: along axis 0, as in JAX
        else:
            axes.update((name, self.in_axes) for name in positional)
        for p in params:
            if p.kind == p.KEYWORD_ONLY:
                axes[p.name] = 0            # keyword arguments: along axis 0, as in JAX
        if all(axis is None for axis in axes.values()):
            raise ValueError("vmap must have at least one non-None value in in_axes "
                             "(got %r for %s)" % (self.in_axes, fun.__name__))
        self.axes = axes

    def key(self):
        return (self.kind, tuple((k, _spec_key(v)) for k, v in self.axes.items()),
                _spec_key(self.out_axes))

    def arguments(self):
        return {"in_axes": self.in_axes, "out_axes": self.out_axes}

    def options(self):
        options = ""
        if self.in_axes != 0:
            options += ", in_axes=%r" % (self.in_axes,)
        if self.out_axes != 0:
            options += ", out_axes=%r" % (self.out_axes,)
        return options

    def check_arguments(self, arguments):
        """Each batched argument has the axis it is mapped along, and all have one batch
        size (a ValueError naming them otherwise)."""
        sizes = []
        for name, spec in self.axes.items():
            if name not in arguments or spec is None:
                continue
            for path, leaf, axis in _mapped_leaves(arguments[name], spec, name):
                if axis is None:
                    continue
                device = A.is_device_array(leaf)           # (jit's backend="cuda")
                shape = tuple(leaf.shape) if device else np.shape(leaf)
                if not (device or isinstance(leaf, (np.ndarray, np.generic, bool, int, float))):
                    raise TypeError("vmap: argument %s is a %s, not an array"
                                    % (path, type(leaf).__name__))
                if not -len(shape) <= axis < len(shape):
                    raise ValueError(
                        "vmap was asked to map argument %s along axis %d, but it has rank "
                        "%d (shape %s)" % (path, axis, len(shape), shape))
                sizes.append((path, shape[axis], axis))
        if not sizes:
            raise ValueError("vmap: no argument is batched (in_axes %r)" % (self.in_axes,))
        if len({size for _, size, _ in sizes}) > 1:
            raise ValueError("vmap got batch sizes that disagree:\n" + "\n".join(
                "  %s has size %d along axis %d" % (path, size, axis)
                for path, size, axis in sizes))

    def example_avals(self, unit, arg_avals):
        """(batched parameter -> its batch axis, the abstract values of one example of
        each argument), for arguments with these abstract values (None: not known)."""
        from .batch.package import example_aval
        axes = {}
        for param, spec in self.axes.items():
            if spec is None or param in self.absent:
                continue
            aval = None if arg_avals is None else arg_avals.get(param)
            if arg_avals is not None and not isinstance(aval, (A.Array, A.Seq, A.Dict)):
                continue                              # a default left as it is
            if not isinstance(spec, int) or not isinstance(aval, A.Array):
                spec = _prefix_axes(spec, aval)
                if spec is None:
                    continue
            if isinstance(aval, A.Array) and isinstance(spec, int):
                if not aval.rank:
                    continue
                spec = spec % aval.rank
            axes[param] = spec
        examples = None if arg_avals is None else {
            p: example_aval(v, axes.get(p)) for p, v in arg_avals.items()}
        return axes, examples

    def generate(self, module, unit, name, arg_avals, check_only):
        from .batch.package import batched_function
        if check_only:
            return None
        axes, examples = self.example_avals(unit, arg_avals)
        return batched_function(module, unit, name, examples, axes, self.out_axes)


def _check_axes_spec(spec, what, top):
    """``spec`` is an int, None, or (a pytree prefix) a tuple, list or dict of them; at
    the top of ``in_axes``, a tuple/list has one entry per positional argument."""
    if spec is None or (isinstance(spec, (int, np.integer)) and not isinstance(spec, bool)):
        return
    if isinstance(spec, (tuple, list)) or (isinstance(spec, dict) and not top):
        for item in (spec.values() if isinstance(spec, dict) else spec):
            _check_axes_spec(item, what, False)
        return
    raise TypeError("vmap %s must be an int, None, or a tuple/list%s of them (a pytree "
                    "prefix), got %r" % (what, "" if top else "/dict", spec))


def _plain_axes(spec):
    """The axes spec with NumPy integers as ints."""
    if isinstance(spec, dict):
        return {k: _plain_axes(v) for k, v in spec.items()}
    if isinstance(spec, (tuple, list)):
        return type(spec)(_plain_axes(v) for v in spec)
    return spec if spec is None else int(spec)


def _prefix_axes(spec, aval):
    """An argument's in_axes entry against its abstract value: None if it maps no leaf,
    0 if it maps every leaf along its first axis, else a pytree prefix (each leaf's
    axis moved first at run time: ``rt.move_batch_axes``)."""
    axes = set()
    def walk(spec, aval):
        if isinstance(spec, dict) and isinstance(aval, A.Dict) and \
                set(spec) == {key for key, _ in aval.items}:
            for key, item in aval.items:
                walk(spec[key], item)
        elif isinstance(spec, (list, tuple)) and isinstance(aval, A.Seq) and \
                aval.items is not None and len(spec) == len(aval.items):
            for item_spec, item in zip(spec, aval.items):
                walk(item_spec, item)
        elif isinstance(aval, A.Array) and isinstance(spec, int) and aval.rank is not None:
            axes.add(spec % aval.rank if aval.rank else "unknown")
        elif isinstance(aval, (A.Seq, A.Dict)) and isinstance(spec, int) and \
                _every_leaf(aval, lambda leaf: isinstance(leaf, A.Array) and leaf.rank):
            axes.add(0 if spec == 0 else "unknown")
        else:
            axes.add(None if spec is None else "unknown")
    walk(spec, aval)
    if axes <= {None}:
        return None
    if axes == {0}:
        return 0
    return spec if isinstance(spec, (dict, list, tuple)) else _spread(spec, aval)


def _every_leaf(aval, test):
    items = aval.items if isinstance(aval, A.Dict) else \
        enumerate(aval.items or ()) if isinstance(aval, A.Seq) else None
    if items is None:
        return test(aval)
    return all(_every_leaf(item, test) for _, item in items)


def _spread(axis, aval):
    """The pytree prefix giving every leaf of a container ``axis``."""
    if isinstance(aval, A.Dict):
        return {key: _spread(axis, item) for key, item in aval.items}
    if isinstance(aval, A.Seq) and aval.items is not None:
        return tuple(_spread(axis, item) for item in aval.items)
    return axis


def _spec_key(spec):
    if isinstance(spec, dict):
        return ("dict", tuple(sorted((k, _spec_key(v)) for k, v in spec.items())))
    if isinstance(spec, (tuple, list)):
        return (type(spec).__name__, tuple(_spec_key(v) for v in spec))
    return spec if spec is None else int(spec)


def _mapped_leaves(value, spec, path):
    """(path, leaf, axis) for each leaf of an argument under its in_axes entry."""
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise ValueError("vmap in_axes entry %r does not match the structure of argument "
                             "%s" % (spec, path))
        for key in spec:
            yield from _mapped_leaves(value[key], spec[key], "%s[%r]" % (path, key))
        return
    if isinstance(spec, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise ValueError("vmap in_axes entry %r does not match the structure of argument "
                             "%s" % (spec, path))
        for k, (item, axis) in enumerate(zip(value, spec)):
            yield from _mapped_leaves(item, axis, "%s[%d]" % (path, k))
        return
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _mapped_leaves(value[key], spec, "%s[%r]" % (path, key))
        return
    if isinstance(value, (tuple, list)):
        for k, item in enumerate(value):
            yield from _mapped_leaves(item, spec, "%s[%d]" % (path, k))
        return
    if value is None:
        return
    yield path, value, spec


_EXPLAIN = bool(os.environ.get("TRANSPILER_EXPLAIN_RECOMPILE"))


def _explain(transformed, signature):
    """Say (on stderr) which arguments made a new specialisation: their types, shapes or
    static values, against the signature of the most recent one."""
    previous = list(transformed._specs)[-1]
    changes = []
    for (name, old), (_, new) in zip(previous, signature):
        if old != new:
            changes.append("%s: %s -> %s" % (name, _describe_key(old), _describe_key(new)))
    sys.stderr.write("transpiler: %s specialised again (%d before): %s\n" % (
        transformed.__name__, len(transformed._specs), "; ".join(changes) or "same types"))


def _describe_key(key):
    """``float64[3, 4]``, ``static 20``, ``int`` -- one argument's part of a signature."""
    if key is None:
        return "unknown"
    if key[0] == "static":
        value = key[1]
        return "static %r" % (value[1] if isinstance(value, tuple) and len(value) == 2
                              and not isinstance(value[1], bytes) else value,)
    if key[0] == "array":
        dtype, shape, kind = key[1:4]
        name = np.dtype(dtype).name if dtype is not None else "?"
        if kind == "python":
            return {"bool": "bool", "int64": "int", "float64": "float"}.get(name, name)
        dims = "?" if shape is None else ", ".join(str(d) if type(d) is int else "n"
                                                   for d in shape)
        return "%s[%s]" % (name, dims)
    return str(key)


def _short_repr(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Transformed:
    """A generated function, callable like the primal; its source is ``tp.source(self)``.

    Called inside a function being transformed, it is a user function whose code is the
    code it generates for the call's arguments (``entry_for``)."""

    _transpiler_transform = True

    def __init__(self, fun, transform, validate=True):
        self._fun = fun
        self._transform = transform
        sig = inspect.signature(fun)
        transform.bind(fun, sig)
        self._signature = transform.signature(sig)
        functools.update_wrapper(self, fun)
        self.__name__ = "%s_%s" % (transform.kind, getattr(fun, "__name__", "f"))
        self.__wrapped__ = fun
        self.__signature__ = self._signature
        self._specs = {}
        self._last = None
        self._generic = None
        self._normalised = None
        self._validate = validate
        self._calls = {}                 # _call_key of positional arguments -> entry
        self._made = 0                   # specialisations generated (cache_info)
        positional = [p.name for p in self._signature.parameters.values()]
        self._static_positions = frozenset(positional.index(n) for n in transform.static_names
                                           if n in positional)
        self._validated()                           # errors surface at transform time

    # ------------------------------------------------------------ generation
    _MAX_SPECIALISATIONS = 64       # argument signatures (dtypes, ranks, sizes 0 and 1) kept

    def _key(self, signature=None):
        return self._transform.key() + (cache.function_key(self._fun), signature)

    @property
    def _entry(self):
        """The shape-generic generated code (made on first use)."""
        if self._current(self._generic) is None:
            self._generic = self._generate()
        return self._generic

    def _current(self, entry):
        """``entry``, or None if a value its code was made from has changed since (a global
        or an attribute rebound, a closure variable or a default replaced): then the
        transform forgets its code and reads the function again, as a new one would."""
        if entry is None or not cache.changed(entry.dependencies):
            return entry
        self._specs, self._last, self._generic, self._normalised = {}, None, None, None
        self._calls = {}
        self._validated()
        return None

    def _validated(self):
        """Run the compiler as far as it can refuse the function.

        A transform of a transformed function is not run ahead: the inner one was checked
        when it was made, and checking the outer one would generate the inner code (the
        code it transforms) once more only to drop it; what the outer transform refuses
        surfaces on the first call (SPEC: "at the latest, on the first call").  Nor is a
        transform made to be called at once (``vjp``)."""
        if not self._validate or getattr(self._fun, "_transpiler_wraps", None) is not None:
            return
        key = self._key("validated")
        entry = cache.lookup(key)
        if entry is None:
            entry = self._build(None, check_only=True)
            cache.store(key, entry, entry.dependencies)

    def _generate(self, arg_avals=None, signature=None):
        key = self._key(signature)
        entry = cache.lookup(key)
        if entry is not None:
            return entry
        disk = self._disk_key(signature)
        entry = self._loaded(disk) if disk is not None else None
        if entry is None:
            entry = self._build(arg_avals, disk=disk)
        cache.store(key, entry, entry.dependencies)
        return entry

    def _disk_key(self, signature):
        """The persistent key of this code on disk (``diskcache``), or None where the
        disk cache is off or a part of the key has no description a new process could
        check (a closure holding an object, an unnamed static value)."""
        if signature is None or not diskcache.enabled():
            return None
        try:
            return diskcache.persistent_key(self._transform.key(), self._fun, signature)
        except diskcache.NotPersistent:
            return None

    def _loaded(self, disk):
        """The entry kept on disk under ``disk``, run from its file (Numba's cache beside
        it holds the machine code), or None if there is none still valid."""
        loaded = diskcache.load(disk, self._fun)
        if loaded is None:
            return None
        facts = dict(loaded.record["facts"])
        facts["boundary"] = _boundary(facts["boundary"])
        namespace = loaded.namespace
        compile_source(loaded.source, namespace, facts["label"], loaded.origins, loaded.path)
        functions = self._transform.compiled(namespace, facts)
        return _Entry(source=loaded.source, function=functions[0], inplace={}, unit=None,
                      dependencies=loaded.dependencies, others=functions[1:],
                      assumed=loaded.record["assumed"])

    def _build(self, arg_avals, check_only=False, disk=None):
        with _collector_paused(), assumptions() as assumed:
            return self._build_module(arg_avals, check_only, disk, assumed)

    def _build_module(self, arg_avals, check_only, disk=None, assumed=()):
        transform = self._transform
        module = GeneratedModule("%s %s" % (transform.kind, self._fun.__qualname__))
        module.check_only = check_only
        if self._normalised is None or cache.changed(self._normalised.unit.src.reads.values()):
            # jit's static parameters may be called (a function passed as a static
            # argument): bound in the module once their values are known
            module.env.static_params = frozenset(transform.static_names)
            unit = module.normalise(self._fun)
            self._normalised = module.snapshot(unit)
        else:
            unit = module.adopt(self._normalised)      # normalisation is done once
        name = module.global_name("%s_%s" % (transform.kind, unit.src.base_name))
        fn = transform.generate(module, unit, name, arg_avals, check_only)
        dependencies = module.reads()
        if check_only:
            return _Entry(source=None, function=None, inplace=unit.user_names(unit.inplace_params),
                          unit=unit, dependencies=dependencies)
        if fn is not None:
            module.functions.insert(0, fn)
        transform.lower(module)
        inplace = unit.user_names(unit.inplace_params)
        facts = {"names": module.entry_points or [name], "label": module.label,
                 "reachable": [f.name for f in module.reachable()],
                 "runs_numpy": bool(module.runs_numpy), "boundary": module.numba_boundary,
                 "launch": module.cuda_launch}
        conditions = _size_conditions(assumed, arg_avals)
        keep = None
        if disk is not None and not inplace:
            keep = diskcache.Writer(disk, self._fun, lambda: {"assumed": conditions, "facts": dict(
                facts, boundary=diskcache.describe_boundary(facts["boundary"]))})
        source, namespace = module.compile(keep)
        functions = transform.compiled(namespace, facts)
        return _Entry(source=source, function=functions[0], inplace=inplace, unit=unit,
                      dependencies=module.reads(), others=functions[1:], assumed=conditions)

    def _specialisation(self, bound, generic=False):
        """The generated function for these arguments' abstract values.

        The code is specialised to what decides it: dtypes, ranks, pytree structure,
        which dimensions are 0 or 1, static values.  The other sizes are symbols
        (``avals.Size``): the code reads them when it runs, so one source serves every
        batch size.  ``generic`` code knows not even that the symbolic sizes are not 1
        (what ``call_generic`` runs, to cross-check the symbolic code).
        """
        absent = frozenset(self._signature.parameters) - set(bound.arguments)
        bound.apply_defaults()
        statics = self._transform.static_names
        avals = {name: static_aval(value) if name in statics else abstract_value(value)
                 for name, value in bound.arguments.items()}
        signature = tuple((name, _static_key(bound.arguments[name]) if name in statics
                           else signature_key(aval, coarse=True))
                          for name, aval in avals.items())
        if generic:
            signature += ("generic",)
        if self._transform.reads_absent:
            # (vmap: an argument left to its default is the same for every example)
            signature += (("absent",) + tuple(sorted(absent)),)
            self._transform.absent = absent

        def sizes(abstract):                 # the arguments' values, statics as they are
            return {name: aval if name in statics else abstract(aval)
                    for name, aval in avals.items()}
        entry = self._current(self._specs.get(signature))
        if entry is None:
            try:
                entry = self._specialised_entry(
                    sizes(forget_sizes if generic else coarsen), signature)
            except (TypeError, ValueError, TranspileError) as exc:
                self._refuse_with_sizes(avals, exc)
                raise
            except SizeLeak:
                if verify.enabled():
                    raise
                entry = self._specialised_entry(sizes(forget_sizes), signature)
        if entry.assumed and not _holds(entry.assumed, bound.arguments):
            # sizes the code takes to be equal are not: code made for exactly these
            # sizes raises where NumPy does (the code for symbols may not compute the
            # operation that would)
            exact = tuple((name, _static_key(bound.arguments[name]) if name in statics
                           else signature_key(aval)) for name, aval in avals.items())
            entry = self._specialised_entry(avals, exact + ("sizes",))
        self._last = entry
        return entry

    def _refuse_with_sizes(self, avals, refusal):
        """A refusal of code for symbolic sizes names what it can ("Output had shape:
        (?,)"); these arguments' own sizes may say more: raise what generating code for
        exactly them raises, if it refuses too (that code is not kept)."""
        try:
            self._build(avals)
        except type(refusal) as exc:
            raise exc from None
        except Exception:                    # noqa: BLE001 (the first refusal stands)
            return

    def _specialised_entry(self, avals, signature):
        """The entry kept for ``signature`` if it is still current, else a new one."""
        entry = self._current(self._specs.get(signature))
        if entry is None:
            if self._specs and (self._transform.explain or _EXPLAIN):
                _explain(self, signature)
            entry = self._generate(avals, signature)
            if len(self._specs) >= self._MAX_SPECIALISATIONS:
                self._specs.clear()             # (the shared cache still holds them)
            self._specs[signature] = entry
            self._made += 1
        return entry

    def cache_info(self):
        """This function's code: ``specialisations`` (argument signatures it has code
        for), ``generated`` (how many times code was made for it, the first included),
        and the generated-code cache's counters (``tp.cache_info()``)."""
        info = {"specialisations": len(self._specs), "generated": self._made}
        info.update(cache_info())
        return info

    # ------------------------------------------------------------ calls
    def __call__(self, *args, **kwargs):
        if not kwargs:
            # the fast path: positional NumPy arrays and scalars whose types (and static
            # values) were seen before go straight to the code chosen for them then --
            # what the checks below decided depends on nothing else
            key = _call_key(args, self._static_positions)
            entry = self._calls.get(key) if key is not None else None
            if entry is not None and self._current(entry) is entry:
                return self._transform.finish(_run(entry.function, *args))
        else:
            key = None
        args, kwargs = _plain_arguments(args, kwargs)
        entry = self.entry(*args, **kwargs)
        if key is not None:
            if len(self._calls) >= 64:
                self._calls.clear()
            self._calls[key] = entry
        return self._transform.finish(_run(entry.function, *args, **kwargs))

    def entry(self, *args, **kwargs):
        """The generated code for these arguments, once they are checked against it."""
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError("%s: %s" % (self.__name__, exc)) from None
        self._transform.check_arguments(bound.arguments)
        entry = self._specialisation(bound)
        self._check_inplace(bound, entry)
        return entry

    def entry_for(self, avals=None):
        """The generated code for arguments with these abstract values (a dict by
        parameter name; None, or an unknown value, for the shape-generic code): what a
        call to this transformed function inside code being transformed runs.  Its
        ``function`` is the code, its ``dependencies`` what that code was made from."""
        names = list(self._signature.parameters)
        if avals is None or any(avals.get(n) is None for n in names):
            return self._entry
        avals = {n: avals[n] for n in names}
        self._transform.absent = frozenset()          # every argument given
        # symbols numbered together: which sizes are equal is part of the key
        parts, _ = signature_of([avals[n] for n in names])
        return self._specialised_entry(avals, tuple(zip(names, parts)))

    def specialised(self, *args, **kwargs):
        """The generated Python function this transform runs for these arguments.

        It is a plain function of plain NumPy code: call it, ship it, or compile it
        (``numba.njit(g.specialised(x))`` works for loops over scalars and arrays).
        """
        bound = self._signature.bind(*args, **kwargs)
        function = self._specialisation(bound).function
        return getattr(function, "python", function)          # jit's: the Python code

    def call_generic(self, *args, **kwargs):
        """Run the code that reads the sizes at run time (what runs once many shapes have
        been seen): the same dtypes, ranks and structure, only dimensions of size 1 known."""
        bound = self._signature.bind(*args, **kwargs)
        self._transform.check_arguments(bound.arguments)
        entry = self._specialisation(bound, generic=True)
        self._check_inplace(bound, entry)
        return self._transform.finish(entry.function(*args, **kwargs))

    def source_for_statics(self, statics):
        """The source specialised to the static arguments' values alone (the other
        arguments' shapes and types unknown): what ``transpiler jit --static`` prints."""
        names = list(self._signature.parameters)
        unknown = set(statics) - set(names)
        if unknown:
            raise TypeError("%s has no parameter %s" % (self.__name__, ", ".join(sorted(unknown))))
        self._transform.check_arguments(statics)
        avals = {n: static_aval(statics[n]) if n in statics else None for n in names}
        signature = tuple((n, _static_key(statics[n]) if n in statics else None)
                          for n in names)
        return self._specialised_entry(avals, signature).source

    def _source(self, args, kwargs):
        if args or kwargs:
            bound = self._signature.bind(*args, **kwargs)
            self._transform.check_arguments(bound.arguments)
            entry = self._specialisation(bound)
            self._check_inplace(bound, entry)
            return entry.source
        return (self._current(self._last) or self._entry).source

    def _check_inplace(self, bound, entry):
        """Refuse an array argument that ``entry``'s code would update in place."""
        for name, node in entry.inplace.items():
            value = bound.arguments.get(name)
            if isinstance(value, np.ndarray):
                raise entry.unit.error(
                    node, "`%s` is an argument: this augmented assignment would modify the "
                    "caller's array in place" % name,
                    "write `%s = %s <op> ...` to make a new array, or use the functional "
                    "form %s.at[...].set(...)" % (name, name, name))

    def __reduce__(self):
        """Pickled by source: another process needs transpiler, not the user's module
        (``pickling.py``)."""
        from . import pickling
        return pickling.loads, (pickling.dumps(self),)

    def __repr__(self):
        return "<transpiler %s of %s>" % (self._transform.kind,
                                          getattr(self._fun, "__qualname__", "?"))


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while code is generated (a build makes and drops
    many small trees, few of them cycles: collecting mid-build costs about a tenth of
    the time); back on, as it was, afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Entry:
    def __init__(self, source, function, inplace, unit, dependencies=(), others=(),
                 assumed=()):
        self.source = source
        self.function = function
        self.assumed = list(assumed)        # sizes the code takes to be equal (_holds)
        self.others = list(others)          # the other entry points (vjp's backward sweep)
        self.inplace = inplace
        self.unit = unit
        self.dependencies = list(dependencies)


def _size_conditions(assumed, arg_avals):
    """The assumptions of ``avals.assumptions`` in terms of the arguments' dimensions:
    ``[kind, a, b]`` with each side ``["dim", parameter, path, axis, offset]`` (a leaf of
    the argument by ``path``, its dimension ``axis``, less ``-offset``) or ``["int", n]``;
    what cannot be said so (sizes of an enclosing function's values) is left out."""
    origins = {}
    for name, aval in (arg_avals or {}).items():
        _size_origins(aval, name, [], origins)
    conditions = []
    for kind, a, b in sorted(assumed, key=repr):
        sides = [_size_ref(d, origins) for d in (a, b)]
        if None not in sides:
            conditions.append([kind] + sides)
    return conditions


def _size_origins(aval, name, path, origins):
    if isinstance(aval, A.Array) and aval.shape is not None:
        for axis, d in enumerate(aval.shape):
            if A.is_size(d) and d.offset == 0:
                origins.setdefault(d.root, [name, list(path), axis])
    elif isinstance(aval, A.Seq) and aval.items is not None:
        for k, item in enumerate(aval.items):
            _size_origins(item, name, path + [k], origins)
    elif isinstance(aval, A.Dict):
        for key, item in aval.items:
            if type(key) in (str, int):
                _size_origins(item, name, path + [key], origins)


def _size_ref(dim, origins):
    if type(dim) is int:
        return ["int", dim]
    if A.is_size(dim) and dim.root in origins:
        return ["dim"] + origins[dim.root] + [dim.offset]
    return None


def _holds(conditions, arguments):
    """Do the arguments' sizes meet every condition (``_size_conditions``)?"""
    try:
        for kind, a, b in conditions:
            x, y = _size_of(a, arguments), _size_of(b, arguments)
            if not (x == y or (kind == "one_or" and x == 1)):
                return False
    except (LookupError, TypeError, IndexError):
        return False
    return True


def _size_of(ref, arguments):
    if ref[0] == "int":
        return ref[1]
    _, name, path, axis, offset = ref
    value = arguments[name]
    for key in path:
        value = value[key]
    return max(np.shape(value)[axis] + offset, 0)


def _boundary(described):
    """A ``nopython.Boundary`` from its description on disk (None: none)."""
    if described is None:
        return None
    from .backends.nopython import Boundary
    params, output = (diskcache.from_jsonable(part) for part in described)
    return Boundary(params, output)


def _static_key(value):
    """A static argument's part of a signature: its value, exactly (cache.value_key)."""
    return ("static", cache.value_key(value))


_SCALARS = (float, int, bool)


def _call_key(args, static_positions):
    """A key for positional arguments that are all NumPy arrays or scalars: their types,
    dtypes and shapes (and the values at static positions); None for anything else."""
    key = []
    for k, a in enumerate(args):
        kind = type(a)
        if kind is np.ndarray:
            key.append((a.dtype, a.shape))
        elif kind in _SCALARS or isinstance(a, np.generic):
            key.append((kind, cache.value_key(a)) if k in static_positions else kind)
        else:
            return None
    return tuple(key)


def _plain_arguments(args, kwargs):
    """Arguments with transpiler.numpy's immutable arrays seen as plain NumPy arrays
    (generated code writes into arrays it makes like the arguments)."""
    from .numpy import ImmutableArray, plain
    from runtime.pytree import tree_leaves
    if any(isinstance(leaf, ImmutableArray) for leaf in tree_leaves((args, kwargs))):
        return plain(args), plain(kwargs)
    return args, kwargs


def _check_float(value, name, argnum, kind):
    for leaf in tree_leaves(value):
        dtype = _dtype(leaf)
        runtime.check_real(dtype, "argument `%s` (argnums=%d) has dtype %s"
                           % (name, argnum, dtype.name))
        if not np.issubdtype(dtype, np.inexact):
            if isinstance(leaf, (bool, int)) and not isinstance(leaf, np.generic):
                dtype_name = "int" if not isinstance(leaf, bool) else "bool"
                dtype_name += " (%s)" % np.result_type(type(leaf)).name
            else:
                dtype_name = dtype.name
            raise TypeError(
                "%s requires real-valued inputs, but argument `%s` (argnums=%d) "
                "has dtype %s; pass a float (e.g. %s.0 or x.astype(float)), or leave it out "
                "of argnums" % (kind, name, argnum, dtype_name,
                                leaf if isinstance(leaf, (int, np.integer)) else "1"))


def _dtype(leaf):
    if isinstance(leaf, (bool, int, float, complex)):
        return np.result_type(type(leaf))
    return np.result_type(getattr(leaf, "dtype", leaf))    # (a device array: its dtype)


def _check_real_primals(primals):
    for k, primal in enumerate(primals):
        for leaf in tree_leaves(primal):
            if np.iscomplexobj(leaf):
                runtime.check_real(_dtype(leaf), "primal %d has dtype %s"
                                   % (k, _dtype(leaf).name))


# ------------------------------------------------------------ public functions

def _transform_maker(function):
    """Mark a public transform: ``tp.grad(f)(x)`` inside a function being transformed is
    made when that function is (``frontend/resolve.py``)."""
    function._transpiler_transform_maker = True
    return function


@_transform_maker
def grad(fun, argnums=0, has_aux=False):
    """Gradient of a scalar-valued function, as generated Python source.

    Args:
      fun: a Python function returning a scalar (or ``(scalar, aux)`` with ``has_aux``).
      argnums: which positional argument(s) to differentiate: an int (negative counts
        from the end) or a tuple of ints (then a tuple of gradients is returned).
      has_aux: ``fun`` returns ``(output, aux)``; the result is ``(gradient, aux)``.

    Returns:
      A function taking the same arguments as ``fun`` and returning the gradient, with
      the structure (pytree) and shape of the argument(s).

    Example:
      >>> import numpy as np, transpiler as tp
      >>> tp.grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
      array([2., 4.])
    """
    return Transformed(_check_function(fun, "grad"), Reverse("grad", argnums, has_aux))


@_transform_maker
def value_and_grad(fun, argnums=0, has_aux=False):
    """``(fun(*args), grad(fun)(*args))`` in one pass.

    With ``has_aux`` the result is ``((value, aux), gradient)``.

    Example:
      >>> import transpiler as tp
      >>> import numpy as np
      >>> tp.value_and_grad(lambda x: x ** 3)(2.0)
      (np.float64(8.0), np.float64(12.0))
    """
    return Transformed(_check_function(fun, "value_and_grad"),
                       Reverse("value_and_grad", argnums, has_aux))


@_transform_maker
def jacfwd(fun, argnums=0, has_aux=False):
    """The Jacobian of ``fun`` by forward mode: one forward pass per entry of the
    argument(s), in one generated function that loops over the basis.

    The result has the output's structure, each leaf replaced by the argument's
    structure of arrays shaped ``out_leaf.shape + arg_leaf.shape`` (a tuple over
    ``argnums`` when it is a tuple), as in JAX.  With ``has_aux``: ``(jacobian, aux)``.

    Example:
      >>> import numpy as np, transpiler as tp
      >>> tp.jacfwd(lambda x: x ** 2)(np.array([1.0, 2.0]))
      array([[2., 0.],
             [0., 4.]])
    """
    return Transformed(_check_function(fun, "jacfwd"), Jacobian("jacfwd", argnums, has_aux))


@_transform_maker
def jacrev(fun, argnums=0, has_aux=False):
    """The Jacobian of ``fun`` by reverse mode: one forward sweep, then one reverse sweep
    per entry of the output.  Same result as ``jacfwd``; cheaper when the output is
    smaller than the argument."""
    return Transformed(_check_function(fun, "jacrev"), Jacobian("jacrev", argnums, has_aux))


@_transform_maker
def jit(fun=None, *, static_argnums=(), static_argnames=(), backend="auto", explain=False):
    """``fun`` specialised and compiled: its static arguments are compile-time constants.

    Static arguments (``static_argnums``: positions; ``static_argnames``: a name or a
    sequence of names) must be hashable; the code that depends only on them is run when
    the function is specialised -- branches on them resolved, loops that compute only
    static values folded to their result -- and each new static value makes a new
    specialisation.  Control flow on the other arguments stays real control flow.

    ``backend``: ``"auto"`` (Numba in nopython mode where it can compile the code, else
    the generated NumPy code, saying once why), ``"numba"`` (insist: a TranspileError
    names what blocks it), ``"python"`` (never compile) or ``"cuda"`` (a numba-cuda
    kernel: one GPU thread per element of a function of scalars, or per example of a
    ``vmap``; see ``transpiler/backends/cuda.py``).  ``explain=True`` (or the
    environment variable ``TRANSPILER_EXPLAIN_RECOMPILE=1``) says on stderr why a call
    made new code: which argument's type, shape or static value changed.

    Usable as ``jit(f)``, ``@jit``, ``@jit(static_argnames="n")`` and
    ``functools.partial(jit, static_argnums=1)``.

    Example:
      >>> import transpiler as tp
      >>> def g(x, n):
      ...     i = 0
      ...     while i < n:
      ...         i += 1
      ...     return x + i
      >>> tp.jit(g, static_argnames="n")(1.0, 20)
      21.0
    """
    if static_argnums == () and static_argnames == ():
        # jit(lambda x: body(x)) made again in a loop: the one made before, at once
        made = _JITTED.get(_bare_key(fun, False, backend, explain))
        if made is not None:
            return made
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, backend=backend,
                                 explain=explain)
    if isinstance(fun, Transformed):              # jit(grad(f)): grad's code, compiled
        transform = Jit(static_argnums, static_argnames, backend, inner=fun._transform,
                        explain=explain)
        made = Transformed(fun._fun, transform, validate=False)
        made._inner = fun
        return made
    # a jit(lambda x: body(x)) or jit(partial(body)) made afresh in a loop is the one
    # made before (JAX compiles each anew)
    key = _jit_key(fun, static_argnums, static_argnames, backend, explain)
    made = _JITTED.get(key) if key is not None else None
    if made is not None:
        return made
    if isinstance(fun, functools.partial):
        fun = _partial_wrapper(fun, "jit")
    made = Transformed(_check_function(fun, "jit"),
                       Jit(static_argnums, static_argnames, backend, explain=explain))
    made._transpiler_jit_of = made._fun     # called inside transformed code: that code
    if key is not None:
        cache.bounded(_JITTED)
        _JITTED[key] = made
    return made


jit._transpiler_computes_as_called = True   # inside transformed code, jit(f)(x) is f(x)


def _bare_key(fun, via_partial, backend, explain):
    """The key of ``jit`` of a function with no closure, defaults or keyword defaults
    (``via_partial``: given as ``partial(fun)``), None for anything else: the code and
    globals are held by the function the made entry keeps, so their ids are not reused
    while it lives (a code object's hash would be computed from its contents each time)."""
    if type(fun) is types.FunctionType and fun.__closure__ is None \
            and fun.__defaults__ is None and not fun.__kwdefaults__:
        return (backend, explain, via_partial, id(fun.__code__), id(fun.__globals__))
    return None


def _jit_key(fun, static_argnums, static_argnames, backend, explain):
    """What identifies ``jit(fun, ...)``: the options and the function's code, globals,
    closure values, defaults and bound arguments (``cache.function_key``,
    ``_partial_key``); None when something in it cannot be a key."""
    if static_argnums == () and static_argnames == ():
        plain = fun.func if type(fun) is functools.partial and not fun.args \
            and not fun.keywords else fun
        key = _bare_key(plain, plain is not fun, backend, explain)
        if key is not None:
            return key
    try:
        options = (static_argnums if isinstance(static_argnums, int) else tuple(static_argnums),
                   static_argnames if isinstance(static_argnames, str) else tuple(static_argnames),
                   backend, explain)
        if type(fun) is types.FunctionType:
            key = options, cache.function_key(fun)
        elif type(fun) is functools.partial and type(fun.func) is types.FunctionType:
            key = options, _partial_key(fun)
        else:
            return None
        hash(key)
        return key
    except TypeError:                               # an unhashable closure value or option
        return None


_JITTED = cache.memo()        # _jit_key -> the jit made for it (bounded and cleared with
                              # the generated-code cache)


@_transform_maker
def vmap(fun, in_axes=0, out_axes=0):
    """The function of a batch of examples, as generated Python source.

    Args:
      fun: a Python function of one example.
      in_axes: along which axis each positional argument is batched: an int (negative
        counts from the end; every argument), None (the same for every example), or a
        tuple/list with one entry per positional argument; an entry may be a pytree
        prefix of the argument (``({"w": None, "b": 0}, 0)``).  Keyword arguments are
        batched along axis 0, as in JAX.
      out_axes: where the batch axis of the result goes: an int, None for a result the
        same for every example, or a pytree prefix of the result (``(1, None)``).

    Example:
      >>> import numpy as np, transpiler as tp
      >>> tp.vmap(lambda x, w: np.dot(x, w), in_axes=(0, None))(np.ones((4, 3)), np.ones(3))
      array([3., 3., 3., 3.])
    """
    return Transformed(_check_function(fun, "vmap"), Batch(in_axes, out_axes))


def hessian(fun, argnums=0):
    """``jacfwd(jacrev(fun, argnums), argnums)``: the matrix of second derivatives, shaped
    ``out.shape + arg.shape + arg.shape``."""
    return jacfwd(jacrev(fun, argnums=argnums), argnums=argnums)


@_transform_maker
def _jvp_of(fun, count, argnums=None):
    """The function of ``count`` primals and their tangents (keyword-only ``dot_<name>``)
    that ``jvp`` calls; with ``argnums``, the tangents of those arguments only."""
    return Transformed(_check_function(fun, "jvp"), Forward(count, argnums))


def jvp(fun, primals, tangents):
    """Forward mode: ``(fun(*primals), J @ tangents)``.

    Args:
      fun: a Python function of the positional ``primals``.
      primals: a tuple (or list) of the arguments, pytrees of arrays and numbers.
      tangents: a tuple of the same length, each with its primal's structure and shapes.

    Returns:
      ``(out, tangent_out)``: the output and its tangent, with the output's structure.

    Example:
      >>> import numpy as np, transpiler as tp
      >>> tp.jvp(lambda x: x * x, (3.0,), (1.0,))
      (np.float64(9.0), np.float64(6.0))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp expects primals and tangents as tuples (or lists) of arguments, "
                        "got %s and %s" % (type(primals).__name__, type(tangents).__name__))
    if len(primals) != len(tangents):
        raise ValueError("jvp got %d primals but %d tangents: give one tangent per primal"
                         % (len(primals), len(tangents)))
    _check_real_primals(primals)
    forward = _jvp_of(fun, len(primals))
    return forward(*primals, **dict(zip(forward._transform.tangent_params, tangents)))


def linearize(fun, *primals):
    """``(fun(*primals), f_jvp)`` where ``f_jvp(*tangents)`` is the tangent of the output
    for tangents of the primals (``jvp``'s second result), as in JAX.

    ``f_jvp`` runs the forward-mode code at the fixed primals each time it is called (the
    primal part is computed again: transpiler does not split it off yet).
    """
    _check_real_primals(primals)
    forward = _jvp_of(fun, len(primals))
    names = forward._transform.tangent_params
    out, _ = forward(*primals, **_zero_tangents(forward, primals))

    def f_jvp(*tangents):
        if len(tangents) != len(primals):
            raise TypeError("linearize's function takes %d tangents (one per primal), got %d"
                            % (len(primals), len(tangents)))
        return forward(*primals, **dict(zip(names, tangents)))[1]
    f_jvp.__transpiler_source__ = forward._source(primals, _zero_tangents(forward, primals))
    return out, f_jvp


jvp._transpiler_primals_call = True       # in a transformed function: frontend/resolve.py
jvp.forward_of = _jvp_of


def _zero_tangents(forward, primals):
    """Zero tangents for ``primals`` by ``forward``'s tangent parameter names (to select
    the specialisation they select in ``source``)."""
    transform = forward._transform
    return {t: runtime.zero_tangent(primals[k]) for t, k in
            zip(transform.tangent_params, transform.argnums)}


def _check_tangent(primal, tangent, name):
    """A tangent has its primal's structure and leaf shapes (as JAX checks)."""
    p_leaves, p_tree = tree_flatten(primal)
    t_leaves, t_tree = tree_flatten(tangent)
    if p_tree != t_tree:
        raise ValueError("jvp: the tangent of `%s` must have the structure of the primal, "
                         "%r, but has %r" % (name, p_tree, t_tree))
    for k, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        where = "" if p_tree.kind is None else " (leaf %d)" % k
        if np.shape(p) != np.shape(t):
            raise ValueError("jvp: the tangent of `%s`%s has shape %s, but the primal has "
                             "shape %s" % (name, where, np.shape(t), np.shape(p)))
        runtime.check_real(_dtype(t), "the tangent of `%s`%s has dtype %s"
                           % (name, where, _dtype(t).name))


def vjp(fun, *primals, has_aux=False):
    """Reverse mode for any output: the value and a function pulling cotangents back.

    Args:
      fun: a Python function of the positional ``primals``.
      primals: the point to differentiate at.
      has_aux: ``fun`` returns ``(out, aux)``.

    Returns:
      ``(out, vjp_fn)``, or ``(out, vjp_fn, aux)`` with ``has_aux``.  ``vjp_fn(ct)``
      takes a cotangent with the structure and shape of ``out`` and returns a tuple with
      one entry per primal: the vector-Jacobian product.  It may be called many times.

    Example:
      >>> import numpy as np, transpiler as tp
      >>> out, pull = tp.vjp(lambda x: np.sin(x) * 2.0, np.array([0.0, 1.0]))
      >>> pull(np.array([1.0, 1.0]))
      (array([2.        , 1.08060461]),)
    """
    primals, _ = _plain_arguments(primals, {})
    _check_real_primals(primals)
    entry = _pullback_of(fun, len(primals), has_aux).entry(*primals)
    out, saved = _run(entry.function, *primals)
    aux = None
    if has_aux:
        out, aux = out
    out = _as_result(out)
    backward, = entry.others

    def vjp_fn(cotangent):
        _check_cotangent(cotangent, out)
        pulled = _run(backward, saved, cotangent)   # it copies what it pops: may run again
        pulled = (pulled,) if len(primals) == 1 else tuple(pulled)
        return runtime.as_gradients(pulled, primals)

    vjp_fn.__transpiler_source__ = entry.source

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def _run(function, *args, **kwargs):
    """Call generated code; an exception it raises names the user's line it comes from."""
    try:
        return function(*args, **kwargs)
    except Exception as exc:
        annotate(exc)
        raise


def _check_cotangent(cotangent, out):
    """A ``vjp_fn`` cotangent has the structure and shapes of the output (as JAX checks)."""
    ct_leaves, ct_tree = tree_flatten(cotangent)
    out_leaves, out_tree = tree_flatten(out)
    if ct_tree != out_tree:
        raise ValueError("vjp_fn expects a cotangent with the structure of the function's "
                         "output, %r, but got %r" % (out_tree, ct_tree))
    for k, (ct, value) in enumerate(zip(ct_leaves, out_leaves)):
        where = "" if out_tree.kind is None else " (leaf %d)" % k
        if np.shape(ct) != np.shape(value):
            raise ValueError("vjp_fn expects a cotangent of shape %s%s, like the function's "
                             "output, but got shape %s"
                             % (np.shape(value), where, np.shape(ct)))
        runtime.check_real(np.result_type(ct), "a complex cotangent%s was given" % where)


def _pullback_of(fun, count, has_aux):
    """The transform ``vjp`` runs: made and called at once, so not checked ahead."""
    return Transformed(_check_function(fun, "vjp"), Pullback(count, has_aux), validate=False)


def vjp_source(fun, primals=None, has_aux=False):
    """The source ``vjp`` generates for ``fun`` (specialised to ``primals`` if given)."""
    if primals is None:
        params = inspect.signature(fun).parameters.values()
        count = len([p for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                     p.POSITIONAL_OR_KEYWORD)])
        return _pullback_of(fun, count, has_aux)._source((), {})
    return _pullback_of(fun, len(primals), has_aux)._source(tuple(primals), {})


def _as_result(value):
    """0-d results as NumPy scalars; containers keep their structure."""
    if isinstance(value, (list, tuple, dict)) or value is None:
        return value
    if np.ndim(value) == 0:
        return np.asarray(value)[()]
    return value


def source(fun, *args, **kwargs):
    """The generated Python source of a transformed function, as a string.

    Example:
      >>> import transpiler as tp
      >>> print(tp.source(tp.grad(lambda x: x * x)))     # doctest: +ELLIPSIS
      def grad_...
    """
    if hasattr(fun, "__transpiler_source__"):
        return fun.__transpiler_source__             # a vjp_fn
    if not isinstance(fun, Transformed):
        raise TypeError("source() takes a function made by a transpiler transform "
                        "(grad, value_and_grad, vjp's vjp_fn, ...), got %r" % (fun,))
    return fun._source(args, kwargs)


def clear_caches():
    """Forget every generated function (they are regenerated on the next transform),
    and empty the cache on disk (``diskcache.location()``)."""
    cache.clear()
    diskcache.clear()


def cache_info():
    """The generated-code cache: ``hits``, ``misses``, ``invalidations`` (entries dropped
    because a global, attribute, closure value or default they were made from changed),
    ``evictions`` (least recently used entries dropped to stay within ``maxsize``),
    ``entries`` and ``maxsize`` (``transpiler.cache.set_maxsize`` changes it); and of
    the cache on disk, ``disk`` (its directory) with the entries this process read back
    (``disk_hits``) and wrote (``disk_writes``)."""
    info = cache.info()
    info.update(diskcache.info())
    return info


_MAKERS = {"grad": grad, "value_and_grad": value_and_grad, "jacfwd": jacfwd,
           "jacrev": jacrev, "jvp": _jvp_of, "jit": jit, "vmap": vmap}

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "linearize", "jacfwd", "jacrev", "hessian",
           "vmap",
           "jit", "source",
           "clear_caches", "cache_info", "TranspileError", "custom_vjp", "custom_jvp"]
