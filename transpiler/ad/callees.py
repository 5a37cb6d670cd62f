"""The callees of the transforms.  Reverse mode's: the ``f_fwd``/``f_bwd`` pair of each user function a
differentiated function calls with active arguments, made once per (function, active
parameters, argument shapes) in one generated module.

``CalleePairs.of(module)`` is reverse mode's state in a ``GeneratedModule`` (which only
holds functions and bindings): the pairs made so far, the functions being
differentiated (a call back into one of them is recursion, refused), and the output
shapes of callees that the shape analysis asked for.
"""
import inspect

import gast

from ..cache import Read
from ..ir import build


class Callees:
    """What every transform's callee cache shares: the functions being transformed (a
    call back into one is recursion, refused), the code a call runs, and the abstract
    values of a call's arguments and of what a callee returns."""

    key = None                         # the transform's name in ``module.transforms``

    def __init__(self, module):
        self.module = module
        self._made = {}                # (callee, active parameters, signature) -> made
        self._in_progress = []         # callees being transformed (recursion guard)
        self._output_avals = {}

    @classmethod
    def of(cls, module):
        """This transform's callees in ``module`` (made on first use)."""
        if cls.key not in module.transforms:
            module.transforms[cls.key] = cls(module)
        return module.transforms[cls.key]

    def _made_for(self, op, mask, stmt, caller_unit, caller_shapes, make):
        """``make(unit, wrt, avals)`` for this call's callee, once per (callee, active
        parameters, argument signature); returns (what it made, active parameters)."""
        from ..analysis.avals import signature_key
        callee = op.callee
        params = _bind_params(callee, op, stmt, caller_unit)
        atoms = list(op.args) + [v for _, v in op.keywords]
        active_params = tuple(p for p, m in zip(params, mask) if m)
        avals = self.argument_avals(callee, params, atoms, caller_shapes)
        if avals is not None and all(v is None for v in avals.values()):
            avals = None                               # nothing known: the generic code
        signature = None
        if avals is not None:                # symbols numbered together (equal ones too)
            names = sorted(avals)
            signature = tuple(zip(names, signature_key([avals[k] for k in names])[0]))
        key = (callee, tuple(sorted(set(active_params))), signature)
        if key not in self._made:
            if callee in self._in_progress:
                raise caller_unit.error(stmt, "recursive call to `%s`: recursion is not "
                                        "supported" % callee.__name__,
                                        "rewrite the recursion as a loop.")
            self._in_progress.append(callee)
            try:
                unit = self.module.normalise(self._plain(callee, avals))
                user_params = [unit.param_renames.get(p, p) for p in build.param_names(unit.fn)]
                wrt = [p for p in user_params if p in key[1]]
                self._made[key] = make(unit, wrt, avals)
            finally:
                self._in_progress.pop()
        return self._made[key], active_params


    def _plain(self, callee, avals):
        """The Python function a call runs: a transformed function's generated code for
        arguments with these abstract values (what it was made from joins this module's
        reads: a change there makes this module's code stale too), or the user function."""
        if not getattr(callee, "_transpiler_transform", False):
            return callee
        entry = callee.entry_for(avals)
        self.module.other_reads.update((read.where, read) for read in entry.dependencies)
        return getattr(entry.function, "python", entry.function)     # not Numba's

    def argument_avals(self, callee, params, atoms, caller_shapes):
        """Abstract values of the callee's parameters at this call (None if unknown)."""
        if caller_shapes is None or not hasattr(caller_shapes, "atom"):
            return None
        from ..analysis.avals import of_argument
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
        from ..analysis.avals import rename_sizes, signature_key
        from ..analysis.shapes import analyse
        names = sorted(avals)
        parts, roots = signature_key([avals[k] for k in names])
        key = (callee, tuple(zip(names, parts)))
        if key in self._output_avals:
            # found for arguments whose symbols were others, equal in the same pattern:
            # the result in terms of these arguments' symbols
            found, found_roots = self._output_avals[key]
            return rename_sizes(found, dict(zip(found_roots, roots)))
        if callee in self._in_progress or len(self._in_progress) > 8:
            return None
        self._output_avals[key] = (None, roots)
        self._in_progress.append(callee)
        try:
            # its output shape depends on its reads: the module keeps them
            unit = self.module.normalise(self._plain(callee, avals), pristine=True)
            ret = unit.fn.body[-1]
            if not isinstance(ret, gast.Return) or not isinstance(ret.value, gast.Name):
                return None
            result = analyse(unit, unit.tree_names(avals), callees=self).aval(ret.value.id)
        except Exception:                          # a callee we cannot analyse: unknown
            result = None
        finally:
            self._in_progress.pop()
        self._output_avals[key] = (result, roots)
        return result


    def read_rule(self, custom):
        """Record the rule a custom_vjp/custom_jvp function has now: a later
        ``defvjp``/``defjvp`` makes code generated from it stale."""
        attr = "rule" if getattr(custom, "__transpiler_custom_jvp__", False) else "fwd"
        read = Read(custom, attr, (), getattr(custom, attr))
        self.module.other_reads[read.where] = read


class CalleeJvps(Callees):
    """Forward mode's callees: ``f_jvp(args, dot_args) -> (out, dot_out)`` of each user
    function called with arguments whose tangents are not zero."""

    key = "forward"

    def jvp(self, op, mask, stmt, caller_unit, caller_shapes=None):
        """``(name, tangent parameters)``: the function to call, and the keyword naming
        the tangent of each active call argument."""
        from .package import jvp_function

        def make(unit, wrt, avals):
            name = self.module.global_name(unit.src.base_name + "_jvp")
            fn, tangent_params = jvp_function(self.module, unit, wrt, name, avals)
            self.module.add_function(fn)
            return name, dict(zip(wrt, tangent_params))
        (name, by_param), active_params = self._made_for(op, mask, stmt, caller_unit,
                                                         caller_shapes, make)
        return name, [by_param[p] for p in active_params]


class CalleePairs(Callees):
    """Reverse mode's callees (module docstring)."""

    key = "reverse"

    def __init__(self, module):
        super().__init__(module)
        self.residual_variants = {}    # fwd name -> its residuals-only FunctionDef

    def vjp(self, op, mask, stmt, caller_unit, caller_shapes=None):
        """``(fwd_name, bwd_name, order)`` for calling ``op.callee`` with active ``mask``.

        ``order[k]`` is where the adjoint of the k-th active call argument sits in what
        the backward function returns (None when it returns a single value).  With the
        caller's shapes, the pair is specialised to the shapes of this call's arguments.
        """
        from ..analysis import ops as O
        if op.kind == O.CUSTOM:
            params = _bind_params(op.callee, op, stmt, caller_unit)
            active_params = tuple(p for p, m in zip(params, mask) if m)
            return self._custom_vjp(op.callee, active_params)

        def make(unit, wrt, avals):
            from .package import vjp_pair
            return vjp_pair(self.module, unit, wrt, avals)
        (fwd, bwd, wrt), active_params = self._made_for(op, mask, stmt, caller_unit,
                                                        caller_shapes, make)
        order = [wrt.index(p) for p in active_params]
        return fwd, bwd, (None if len(wrt) == 1 else order)

    def _custom_vjp(self, custom, active_params):
        self.read_rule(custom)
        fwd = self.module.env.bind(custom.__name__ + "_fwd", custom.fwd_checked)
        bwd = self.module.env.bind(custom.__name__ + "_bwd", custom.bwd_with_zeros)
        all_params = custom.param_names
        order = [all_params.index(p) for p in active_params]
        return fwd, bwd, order


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
