"""Resolve every non-local name to the live object it means, and bind it in the module env.

After this pass the function refers to nothing but its own locals, builtins and names
bound in the ``Environment``:

    from numpy import exp as e          def f(x):
    import numpy                   ->       return np.exp(x) + np.sin(x) * SCALE
    def f(x):
        return e(x) + numpy.sin(x) * SCALE

Attributes of plain Python objects (a config namedtuple, say) are read now, as JAX
reads them at trace time; attributes of arrays stay for ``lower_methods``.
"""
import builtins
import functools
import types

import gast
import numpy as np

from ..cache import ABSENT, Read, cell_value
from ..ir import build
from ..ir.walk import all_stored
from ..ir.core import CORE, RESERVED
from .environment import canonical_path


def function_locals(fn):
    """The names local to a function: its parameters and every name its body binds."""
    return set(build.param_names(fn)) | all_stored(fn.body)


# Values written into generated code as literals: exactly these types (a NumPy scalar is
# bound instead, keeping its dtype: `x * np.float64(2)` is not `x * 2.0` for float32 `x`).
_LITERALS = (int, float, complex, bool, str, type(None))


def _renames(local_names, bound=()):
    """Locals named like what generated code uses (``np`` -> ``np_``), or like a name the
    module already binds to an object (a helper's ``v`` next to a closure value ``v`` of
    the function that calls it), to free names."""
    taken = set(local_names) | set(bound)
    renames = {}
    for name in sorted(set(local_names) & (RESERVED | set(bound))):
        candidate, k = name + "_", 2
        while candidate in taken:
            candidate, k = "%s_%d" % (name, k), k + 1
        taken.add(candidate)
        renames[name] = candidate
    return renames


class Resolver(gast.NodeTransformer):

    def __init__(self, src, env, local_names):
        self.src = src
        self.env = env
        self.locals = local_names
        self.renames = _renames(local_names, env.bindings)
        self.cells = src.cells

    # -- scopes
    def visit_FunctionDef(self, node):
        saved = self.locals
        self.locals = saved | function_locals(node)
        node.body = [self.visit(s) for s in node.body]
        self._rename_params(node)
        self.locals = saved
        return node

    def visit_Lambda(self, node):
        saved = self.locals
        self.locals = saved | {a.id for a in node.args.args}
        node.body = self.visit(node.body)
        self.locals = saved
        return node

    def _rename_params(self, fn):
        for param in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs:
            param.id = self.renames.get(param.id, param.id)

    # -- names
    def visit_Name(self, node):
        if node.id in self.locals:
            node.id = self.renames.get(node.id, node.id)
            return node
        if not isinstance(node.ctx, gast.Load):
            return node
        found, value = self._lookup(node.id)
        if not found:
            raise self.src.error(node, "name `%s` is not defined" % node.id,
                                 "define it before the function is transformed, or pass it as "
                                 "an argument.")
        return self._reference(node, node.id, value)

    def _scope(self, name):
        """Where ``name`` lives: its closure cell, the globals dict, ``builtins``, or None."""
        if name in self.cells:
            return self.cells[name]
        if name in self.src.globals:
            return self.src.globals
        if hasattr(builtins, name):
            return builtins
        return None

    def _lookup(self, name):
        """``(found, value)`` for a non-local name; the read is recorded for the cache."""
        scope = self._scope(name)
        if scope is None:
            return False, None
        if scope is builtins:
            # a global of this name defined later would shadow the builtin
            self._record(self.src.globals, name, (), ABSENT)
            return True, getattr(builtins, name)
        value = self.src.globals[name] if scope is self.src.globals else cell_value(scope)
        self._record(scope, name, (), value)
        return value is not ABSENT, value          # an empty cell: not assigned yet

    def _record(self, scope, name, path, value):
        read = Read(scope, name, path, value)
        self.src.reads.setdefault(read.where, read)

    def _reference(self, node, spelled, value):
        if (spelled not in self.src.closure and spelled not in self.src.globals
                and getattr(builtins, spelled, None) is value):
            return node                                   # a builtin: keep the bare name
        return self.value_reference(node, value, spelled)

    def value_reference(self, node, value, fallback_name):
        """How generated code refers to ``value``: a constant, its canonical ``np``/``math``
        path, or a name bound to the object itself in the module environment.
        ``transpiler.numpy``'s constructors are NumPy's (inside transformed code arrays
        are plain NumPy arrays)."""
        value = getattr(value, "__transpiler_numpy__", value)
        if getattr(value, "_transpiler_jit_of", None) is not None:
            value = value._transpiler_jit_of          # jit(f) called here: f's code, compiled
        if type(value) in _LITERALS:
            return build.const(value, at=node)           # a constant: inline it
        path = canonical_path(value)
        if path is not None:
            return build.dotted(path, at=node)
        preferred = getattr(value, "__name__", None) if isinstance(value, types.FunctionType) else None
        if not preferred or preferred == "<lambda>" or not preferred.isidentifier():
            preferred = fallback_name
        return build.name(self.env.bind(preferred, value), at=node)

    def visit_Call(self, node):
        """``tp.grad(f)(x)``: the transform is made now (its arguments must be known
        here), and the call is to the transformed function."""
        self.generic_visit(node)
        inner = node.func
        if not isinstance(inner, gast.Call):
            callee = self.env.lookup(inner)
            if getattr(callee, "_transpiler_primals_call", False):
                return self._primals_call(node, callee)
            return node
        transform = self.env.lookup(inner.func)
        if not getattr(transform, "_transpiler_transform_maker", False):
            return node
        if getattr(transform, "_transpiler_computes_as_called", False) and inner.args:
            return self._jit_call(node, inner)
        try:
            args = [self._static_value(a) for a in inner.args]
            kwargs = {kw.arg: self._static_value(kw.value) for kw in inner.keywords}
        except LookupError:
            raise self.src.error(inner, "the arguments of this transform must be known when "
                                 "the function is transformed",
                                 "transform a module-level function with constant options, "
                                 "e.g. tp.grad(f, argnums=1)(x, y).") from None
        made = transform(*args, **kwargs)
        node.func = build.name(self.env.bind(made.__name__, made), at=inner)
        return node

    def _jit_call(self, node, inner):
        """``tp.jit(E, ...)(args)`` inside code being transformed is ``E(args)``: jit
        changes how a function runs, not what it computes, and the code around it is
        compiled as a whole (a lambda, a function, or ``functools.partial(f, a)``)."""
        fun = inner.args[0]
        if isinstance(fun, gast.Call) and self.env.lookup(fun.func) is functools.partial \
                and fun.args and not fun.keywords:
            node.func = fun.args[0]
            node.args = list(fun.args[1:]) + list(node.args)
            return node
        if isinstance(fun, (gast.Lambda, gast.Name, gast.Attribute)):
            node.func = fun
            return node
        raise self.src.error(inner, "jit of this expression inside a transformed function is "
                             "not supported", "jit a lambda, a function or "
                             "functools.partial(f, ...) here, or call the function itself.")

    def _primals_call(self, node, callee):
        """``tp.jvp(f, (x,), (t,))``: the forward-mode function of ``f`` is made now (``f``
        must be known here, the primals and tangents given as tuples), and called on
        the primals and, by keyword, their tangents."""
        args = node.args
        if len(args) != 3 or node.keywords or not all(
                isinstance(a, (gast.Tuple, gast.List)) for a in args[1:]) \
                or len(args[1].elts) != len(args[2].elts):
            raise self.src.error(node, "`jvp` is called here with arguments transpiler cannot "
                                 "read when it transforms the function",
                                 "write the primals and tangents as tuples of the same "
                                 "length: jvp(f, (x, y), (tx, ty)).")
        try:
            fun = self._static_value(args[0])
        except LookupError:
            raise self.src.error(node, "the function given to `jvp` must be known when the "
                                 "function calling it is transformed",
                                 "pass a module-level function or a lambda.") from None
        made = callee.forward_of(fun, len(args[1].elts))
        call = build.call(build.name(self.env.bind(made.__name__, made), at=node),
                          list(args[1].elts), at=node)
        call.keywords = [build.keyword(t, v) for t, v in
                         zip(made._transform.tangent_params, args[2].elts)]
        return call

    def _static_value(self, node):
        if isinstance(node, gast.Constant):
            return node.value
        if isinstance(node, gast.Tuple) and all(isinstance(e, gast.Constant) for e in node.elts):
            return tuple(e.value for e in node.elts)
        if isinstance(node, (gast.Name, gast.Attribute)) and not (
                isinstance(node, gast.Name) and node.id in self.locals):
            value = self.env.lookup(node)
            if value is not None:
                return value
        raise LookupError(node)

    def visit_Attribute(self, node):
        chain = []
        base = node
        while isinstance(base, gast.Attribute):
            chain.append(base.attr)
            base = base.value
        if not isinstance(base, gast.Name) or base.id in self.locals:
            node.value = self.visit(node.value)
            return node
        found, value = self._lookup(base.id)
        if not found:
            raise self.src.error(base, "name `%s` is not defined" % base.id,
                                 "define it before the function is transformed.")
        chain.reverse()
        spelled = base.id
        consumed = 0
        for attr_name in chain:
            if isinstance(value, types.ModuleType) or not isinstance(value, (np.ndarray, np.generic)):
                if not hasattr(value, attr_name):
                    raise self.src.error(node, "`%s` has no attribute `%s`" % (spelled, attr_name))
                value = getattr(value, attr_name)
                spelled += "." + attr_name
                consumed += 1
            else:
                break
        if consumed:
            self._record(self._scope(base.id), base.id, chain[:consumed], value)
        head = self._chain_reference(node, spelled, value, base)
        for attr_name in chain[consumed:]:
            head = build.attr(head, attr_name, at=node)
        return head

    def _chain_reference(self, node, spelled, value, base):
        if "." not in spelled:
            return self._reference(base, spelled, value)
        value = getattr(value, "__transpiler_numpy__", value)      # tnp.zeros is np.zeros
        if type(value) in _LITERALS:
            return build.const(value, at=node)
        path = canonical_path(value, preferred=self._core_spelling(spelled))
        if path is not None:
            return build.dotted(path, at=node)
        root_name = spelled.split(".")[0]
        _, root = self._lookup(root_name)
        if isinstance(root, types.ModuleType):
            bound = self.env.bind(root_name, root)
            return build.dotted(".".join([bound] + spelled.split(".")[1:]), at=node)
        # an attribute of a plain object, read now
        return build.name(self.env.bind(spelled.replace(".", "_"), value), at=node)

    def stored_defaults(self, fn):
        """Make the defaults the objects Python stored when ``def`` ran (``__defaults__``,
        ``__kwdefaults__``) rather than their expressions, which would be evaluated again:
        ``def f(x, k=K)`` keeps the ``K`` of that time, ``w=np.random.randn(3)`` is not
        drawn again, and ``lambda x, k=k: ...`` made in a loop keeps its own ``k``."""
        live = self.src.fn
        positional = fn.args.posonlyargs + fn.args.args
        stored = (live.__defaults__ or ())[-len(positional):] if positional else ()
        fn.args.defaults = [self.value_reference(param, value, param.id + "_default")
                            for param, value in zip(positional[len(positional) - len(stored):],
                                                    stored)]
        kwdefaults = live.__kwdefaults__ or {}
        fn.args.kw_defaults = [
            self.value_reference(param, kwdefaults[param.id], param.id + "_default")
            if param.id in kwdefaults else None for param in fn.args.kwonlyargs]
        if stored:
            self._record(live, "__defaults__", (), live.__defaults__)
        if kwdefaults:
            self._record(live, "__kwdefaults__", (), kwdefaults)
            for name, value in kwdefaults.items():
                self._record(kwdefaults, name, (), value)

    def _core_spelling(self, spelled):
        root, _, rest = spelled.partition(".")
        _, value = self._lookup(root)
        for alias, mod in CORE.items():
            if value is mod:
                return alias + "." + rest
        return None


def resolve(src, env):
    """Rewrite ``src.node`` in place so that it refers only to env bindings and locals."""
    fn = src.node
    local_names = function_locals(fn)
    env.avoid(local_names)
    resolver = Resolver(src, env, local_names)
    fn.body = [resolver.visit(stmt) for stmt in fn.body]
    resolver.stored_defaults(fn)
    resolver._rename_params(fn)
    return fn
