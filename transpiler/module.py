"""A generated module: the functions one transform needs, their namespace, their source.

Generating ``grad(f)`` may require the forward/backward pair of every user function
``f`` calls with active arguments (recursively); they all live in one module with one
``Environment``.  The module is rendered once, compiled once, and registered with
``linecache`` so its functions have real source.
"""
import inspect

import gast

from . import driver
from .cache import Read
from .errors import TranspileError
from .ir import build, emit, verify


class GeneratedModule:

    def __init__(self, label, env=None):
        from .frontend.environment import Environment
        self.label = label
        self.env = env if env is not None else Environment()
        self.functions = []            # gast FunctionDefs, in dependency order
        self.header = []               # comment lines
        self._vjps = {}                # (callee, mask) -> (fwd, bwd, order)
        self._in_progress = []         # callees being differentiated (recursion guard)
        self._output_avals = {}
        self.residual_variants = {}    # fwd name -> its residuals-only FunctionDef
        self.entry_points = None       # names of the functions callers use (default: first)
        self.units = []                # every normalised function, for cache validation
        self.temporaries = {}          # function name -> temporaries its flattening introduced
        self.other_reads = {}          # read elsewhere: custom_vjp rules, transformed callees
        # checking a function as far as it can be refused, generating nothing: callees
        # whose arguments are not known are checked, their pairs not generated
        self.validating = False

    # ------------------------------------------------------------ names
    def global_name(self, preferred, obj=None):
        """A module-level name (function or binding) that nothing else uses."""
        return self.env.bind(preferred, obj if obj is not None else _Placeholder(preferred))

    def add_function(self, fn):
        self.functions.append(fn)
        self.env.bindings[fn.name] = _Placeholder(fn.name)

    # ------------------------------------------------------------ callees
    def normalise(self, fn):
        unit = driver.normalise(fn, self.env)
        self.units.append(unit)
        return unit

    def reads(self):
        """Every value this module's code was made from (``cache.Read``), once each: what
        the normalised functions resolved, their defaults, the custom_vjp rules bound."""
        found = dict(self.other_reads)
        for unit in self.units:
            found.update(unit.src.reads)
        return list(found.values())

    def snapshot(self, unit):
        """What ``adopt`` needs to start another module from this normalised unit."""
        return _Snapshot(tree=build.clone(unit.fn), bindings=dict(self.env.bindings),
                         local_names=list(self.env.local_names),
                         taken=set(unit.namer.taken), unit=unit)

    def adopt(self, snapshot):
        """Start from an already normalised function (this module must be fresh)."""
        from .ir.naming import Namer
        from .pipeline import Unit
        self.env.bindings = dict(snapshot.bindings)
        self.env.local_names = list(snapshot.local_names)
        old = snapshot.unit
        unit = Unit(src=old.src, fn=build.clone(snapshot.tree), env=self.env,
                    namer=Namer(snapshot.taken), inplace_params=dict(old.inplace_params),
                    param_renames=dict(old.param_renames))
        self.units.append(unit)
        return unit

    def vjp(self, op, mask, stmt, caller_unit, caller_shapes=None):
        """``(fwd_name, bwd_name, order)`` for calling ``op.callee`` with active ``mask``.

        ``order[k]`` is where the adjoint of the k-th active call argument sits in what
        the backward function returns (None when it returns a single value).  With the
        caller's shapes, the pair is specialised to the shapes of this call's arguments.
        """
        from .analysis import ops as O
        from .analysis.avals import key as aval_key
        callee = op.callee
        params = _bind_params(callee, op, stmt, caller_unit)
        atoms = list(op.args) + [v for _, v in op.keywords]
        active_params = tuple(p for p, m in zip(params, mask) if m)
        if op.kind == O.CUSTOM:
            return self._custom_vjp(callee, params, active_params, atoms, mask)
        avals = self.argument_avals(callee, params, atoms, caller_shapes)
        if avals is not None and all(v is None for v in avals.values()):
            avals = None                               # nothing known: the generic pair
        signature = None if avals is None else tuple(
            (k, aval_key(v)) for k, v in sorted(avals.items()))
        key = (callee, tuple(sorted(set(active_params))), signature)
        if key not in self._vjps:
            if callee in self._in_progress:
                raise caller_unit.error(stmt, "recursive call to `%s`: recursion is not "
                                        "supported" % callee.__name__,
                                        "rewrite the recursion as a loop.")
            self._in_progress.append(callee)
            try:
                from .ad.package import vjp_pair
                unit = self.normalise(self._plain(callee, avals))
                user_params = [unit.param_renames.get(p, p) for p in build.param_names(unit.fn)]
                wrt = [p for p in user_params if p in key[1]]
                self._vjps[key] = vjp_pair(self, unit, wrt, avals)
            finally:
                self._in_progress.pop()
        fwd, bwd, wrt = self._vjps[key]
        order = [wrt.index(p) for p in active_params]
        return fwd, bwd, (None if len(wrt) == 1 else order)

    def _plain(self, callee, avals):
        """The Python function a call runs: a transformed function's generated code for
        arguments with these abstract values (what it was made from joins this module's
        reads: a change there makes this module's code stale too), or the user function."""
        if not getattr(callee, "_transpiler_transform", False):
            return callee
        entry = callee.entry_for(avals)
        self.other_reads.update((read.where, read) for read in entry.dependencies)
        return entry.function

    def argument_avals(self, callee, params, atoms, caller_shapes):
        """Abstract values of the callee's parameters at this call (None if unknown)."""
        if caller_shapes is None or not hasattr(caller_shapes, "atom"):
            return None
        from .analysis.avals import of_argument
        avals = {p: caller_shapes.atom(a) for p, a in zip(params, atoms)}
        try:
            sig = inspect.signature(callee)
        except (TypeError, ValueError):
            return None
        for name, parameter in sig.parameters.items():
            if name not in avals:
                if parameter.default is inspect.Parameter.empty:
                    return None
                avals[name] = of_argument(parameter.default)
        return avals

    def output_aval(self, callee, avals):
        """The abstract value a user function returns for arguments with these avals."""
        from .analysis.avals import key as aval_key
        from .analysis.shapes import analyse
        key = (callee, tuple((k, aval_key(v)) for k, v in sorted(avals.items())))
        if key in self._output_avals:
            return self._output_avals[key]
        if callee in self._in_progress or len(self._in_progress) > 8:
            return None
        self._output_avals[key] = None
        self._in_progress.append(callee)
        try:
            unit = driver.normalise(self._plain(callee, avals), self.env)
            self.units.append(unit)                # its output shape depends on its reads
            ret = unit.fn.body[-1]
            if not isinstance(ret, gast.Return) or not isinstance(ret.value, gast.Name):
                return None
            result = analyse(unit, unit.tree_names(avals), callees=self).aval(ret.value.id)
        except Exception:                          # a callee we cannot analyse: unknown
            result = None
        finally:
            self._in_progress.pop()
        self._output_avals[key] = result
        return result

    def _custom_vjp(self, custom, params, active_params, atoms, mask):
        read = Read(custom, "fwd", (), custom.fwd)          # defvjp may give another later
        self.other_reads[read.where] = read
        fwd = self.env.bind(custom.__name__ + "_fwd", custom.fwd_checked)
        bwd = self.env.bind(custom.__name__ + "_bwd", custom.bwd_with_zeros)
        all_params = custom.param_names
        order = [all_params.index(p) for p in active_params]
        return fwd, bwd, order

    # ------------------------------------------------------------ output
    def reachable(self):
        """The functions the first one (the entry point) uses, directly or not."""
        by_name = {fn.name: fn for fn in self.functions}
        if self.entry_points is not None:
            todo = [by_name[name] for name in self.entry_points]
        else:
            todo = [self.functions[0]] if self.functions else []
        keep = []
        while todo:
            fn = todo.pop()
            if fn in keep:
                continue
            keep.append(fn)
            for node in gast.walk(fn):
                if isinstance(node, gast.Name) and node.id in by_name \
                        and by_name[node.id] not in keep:
                    todo.append(by_name[node.id])
        return [fn for fn in self.functions if fn in keep]

    def flatten(self, fn, namer):
        """Bring a generated function into the core language (one operation per line)."""
        from .passes.anf import flatten_expressions
        namer.reserve(*self.env.bindings)
        self.temporaries.setdefault(fn.name, set()).update(
            flatten_expressions(fn, self.env, namer))

    def source(self):
        """The module's source, rendered for people (``ir/readable.py``)."""
        from .ir.readable import fold_temporaries
        functions = [fold_temporaries(build.clone(fn), self.env,
                                      self.temporaries.get(fn.name, ()))
                     for fn in self.reachable()]
        return emit.to_source(build.module(list(self.header) + functions))

    def compile(self):
        if verify.enabled():
            for fn in self.reachable():
                verify.check(fn, self.env, "the transform (%s)" % self.label)
        source = self.source()
        namespace = self.env.namespace()
        for fn in self.functions:
            namespace.pop(fn.name, None)   # defined by the source itself
        emit.compile_source(source, namespace, self.label)
        return source, namespace


class _Snapshot:
    def __init__(self, tree, bindings, local_names, taken, unit):
        self.tree = tree
        self.bindings = bindings
        self.local_names = local_names
        self.taken = taken
        self.unit = unit


class _Placeholder:
    """Reserves a module-level name for a function defined in the generated source."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "<generated %s>" % self.name


def _bind_params(callee, op, stmt, unit):
    """The callee parameter each call argument (positional, then keywords) binds to."""
    try:
        sig = inspect.signature(callee)
    except (TypeError, ValueError):
        raise unit.error(stmt, "cannot read the signature of `%s`" % callee) from None
    names = [p.name for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    positional = [p.name for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(op.args) > len(positional):
        raise unit.error(stmt, "too many positional arguments for `%s`" % callee.__name__)
    bound = positional[:len(op.args)]
    for key, _ in op.keywords:
        if key not in names:
            raise unit.error(stmt, "`%s` has no parameter `%s`" % (callee.__name__, key))
        bound.append(key)
    return bound


__all__ = ["GeneratedModule", "TranspileError"]
