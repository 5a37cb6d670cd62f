"""User-supplied derivative rules: ``custom_vjp`` (JAX's form).

    @tp.custom_vjp
    def clip_gradient(x):
        return x

    def fwd(x):
        return x, None                      # (output, residuals for bwd)

    def bwd(residuals, g):
        return (np.clip(g, -1.0, 1.0),)     # one entry per argument; None means zero

    clip_gradient.defvjp(fwd, bwd)

Inside a differentiated function a call to ``clip_gradient`` runs ``fwd`` in the forward
sweep and ``bwd`` in the reverse sweep.
"""
import functools
import inspect

import numpy as np

from runtime.adjoint import as_gradient
from runtime.pytree import tree_flatten
from runtime.values import describe


class custom_vjp:
    """Decorate a function whose reverse-mode derivative you give with ``defvjp``."""

    __transpiler_custom_vjp__ = True

    def __init__(self, fun, nondiff_argnums=()):
        if nondiff_argnums:
            raise NotImplementedError("custom_vjp(nondiff_argnums=...) is not supported; "
                                      "close over the non-differentiable values instead.")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd = None
        self.bwd = None
        sig = self._signature = inspect.signature(fun)
        self.param_names = [p.name for p in sig.parameters.values()
                            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                          p.KEYWORD_ONLY)]
        self.fwd_checked = self.fwd_checked          # one object per function (see below)
        self.bwd_with_zeros = self.bwd_with_zeros

    def defvjp(self, fwd, bwd):
        """Set the forward function ``fwd(*args) -> (out, residuals)`` and the backward
        function ``bwd(residuals, g) -> tuple`` (one entry per argument, None for zero)."""
        self.fwd = fwd
        self.bwd = bwd
        return self

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    # What generated code calls (bound once, so that every call site shares one name and
    # a later ``defvjp`` is seen): the user's rules, their results checked.
    def fwd_checked(self, *args, **kwargs):
        """``fwd``'s ``(out, residuals)``; the residuals carry the arguments' shapes and the
        output (for its structure and shape)."""
        if self.fwd is None:
            raise TypeError("custom_vjp function %s has no derivative rule: call "
                            "%s.defvjp(fwd, bwd) before differentiating it"
                            % (self.__name__, self.__name__))
        result = self.fwd(*args, **kwargs)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError("the fwd rule of custom_vjp function %s must return a pair "
                            "(output, residuals), but it returned %s"
                            % (self.__name__, describe(result)))
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        shapes = [_structure(bound.arguments[name]) for name in self.param_names]
        return result[0], (result[1], shapes, result[0])

    def bwd_with_zeros(self, saved, g):
        """``bwd`` given a cotangent shaped like the output (as in JAX, where generated
        code may hold a lazily broadcast one), its result checked and ``None`` entries
        replaced by zero."""
        residuals, shapes, output = saved
        out = self.bwd(residuals, as_gradient(g, output))
        if not isinstance(out, (tuple, list)):
            raise TypeError("the bwd rule of custom_vjp function %s must return a tuple with "
                            "one entry per argument (None for zero); it returned %s"
                            % (self.__name__, describe(out)))
        if len(out) != len(self.param_names):
            raise TypeError("the bwd rule of custom_vjp function %s returned %d entries for "
                            "its %d arguments (%s); return one per argument, None for zero"
                            % (self.__name__, len(out), len(self.param_names),
                               ", ".join(self.param_names)))
        for name, part, shape in zip(self.param_names, out, shapes):
            if part is not None:
                self._check_shape(name, part, shape)
        return tuple(0.0 if part is None else part for part in out)

    def _check_shape(self, name, part, expected):
        """The bwd entry for argument ``name`` has its structure and leaf shapes."""
        if _structure(part) == expected:
            return
        tree, shapes = expected
        raise ValueError("the bwd rule of custom_vjp function %s returned %s for argument "
                         "`%s`, which has structure %r and shapes %s; return an entry like "
                         "the argument (None for zero)"
                         % (self.__name__, describe(part), name, tree,
                            ", ".join(map(str, shapes))))


def _structure(tree):
    """A pytree's structure and the shapes of its leaves."""
    leaves, treedef = tree_flatten(tree)
    return treedef, [np.shape(leaf) for leaf in leaves]


class custom_jvp:
    """Decorate a function whose forward-mode derivative you give with ``defjvp`` (JAX's
    form); reverse mode uses the same rule, transposed.

        @tp.custom_jvp
        def softplus(x):
            return np.log1p(np.exp(x))

        @softplus.defjvp
        def softplus_jvp(primals, tangents):
            x, = primals
            x_dot, = tangents
            return softplus(x), x_dot / (1.0 + np.exp(-x))

    ``nondiff_argnums``: positions of arguments that are not differentiated (options,
    functions); the rule takes them first: ``rule(n, primals, tangents)``.

    Forward mode calls the rule with the arguments and their tangents.  Reverse mode
    differentiates the rule's tangent output with respect to the tangents (it is linear
    in them): transpiler reads the rule's source and transforms it, so the rule must be
    code transpiler supports, and its tangent output one array or number.
    """

    __transpiler_custom_vjp__ = True        # reverse mode: fwd_checked, bwd_with_zeros
    __transpiler_custom_jvp__ = True

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.rule = None
        self.nondiff_argnums = tuple(sorted(nondiff_argnums))
        sig = self._signature = inspect.signature(fun)
        self.param_names = [p.name for p in sig.parameters.values()
                            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                          p.KEYWORD_ONLY)]
        self.nondiff_names = [self.param_names[k] for k in self.nondiff_argnums]
        self.jvp_checked = self.jvp_checked          # one object per function
        self.fwd_checked = self.fwd_checked
        self.bwd_with_zeros = self.bwd_with_zeros
        self._pullback = None

    def defjvp(self, rule):
        """Set the rule ``rule(*nondiff, primals, tangents) -> (out, tangent_out)``."""
        self.rule = rule
        self._pullback = None
        return rule

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def _bound(self, args, kwargs):
        if self.rule is None:
            raise TypeError("custom_jvp function %s has no derivative rule: call "
                            "%s.defjvp(rule) before differentiating it"
                            % (self.__name__, self.__name__))
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return [bound.arguments[name] for name in self.param_names]

    def _split(self, values):
        nondiff = [values[k] for k in self.nondiff_argnums]
        rest = [v for k, v in enumerate(values) if k not in self.nondiff_argnums]
        return nondiff, rest

    # What generated code calls.
    def jvp_checked(self, args, kwargs, tangents):
        """Forward mode: the rule on the call's arguments and their tangents (``tangents``
        by parameter name; zero for the others); its result checked to be ``(out,
        tangent)`` of the output's structure."""
        from runtime.adjoint import zero_tangent
        values = self._bound(args, kwargs)
        nondiff, rest = self._split(values)
        _, rest_tangents = self._split([tangents[name] if name in tangents else
                                        zero_tangent(value) for name, value in
                                        zip(self.param_names, values)])
        result = self.rule(*nondiff, tuple(rest), tuple(rest_tangents))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError("the jvp rule of custom_jvp function %s must return a pair "
                            "(output, tangent), but it returned %s"
                            % (self.__name__, describe(result)))
        out, tangent = result
        if _structure(tangent) != _structure(out):
            raise ValueError("the jvp rule of custom_jvp function %s returned a tangent %s "
                             "for an output %s: give one with the output's structure and "
                             "shapes" % (self.__name__, describe(tangent), describe(out)))
        return out, tangent

    def fwd_checked(self, *args, **kwargs):
        """Reverse mode's forward half: the output, and the arguments as residuals."""
        values = self._bound(args, kwargs)
        out = self.fun(*values)
        return out, (values, out)

    def bwd_with_zeros(self, saved, g):
        """Reverse mode's backward half: the rule's tangent map transposed at the saved
        arguments (the gradient of <tangent_out, g> with respect to the tangents)."""
        from runtime.adjoint import zero_tangent
        values, out = saved
        if isinstance(out, (tuple, list, dict)):
            raise TypeError("custom_jvp function %s returns a container: reverse mode "
                            "transposes its jvp rule only for an array or number output; "
                            "define the function with @transpiler.custom_vjp instead"
                            % self.__name__)
        pullback = self._pullback_function()
        nondiff, rest = self._split(values)
        zeros = [zero_tangent(v) for v in rest]
        cotangent = as_gradient(g, out)
        grads = pullback(*(values + zeros + [cotangent]))
        grads = list(grads) if isinstance(grads, tuple) else [grads]
        result, it = [], iter(grads)
        for k in range(len(values)):
            result.append(0.0 if k in self.nondiff_argnums else next(it))
        return tuple(result)

    def _pullback_function(self):
        """``grad`` of ``<rule(...)[1], g>`` with respect to the tangents: a plain function
        with real source calling the rule, transformed by transpiler (cached)."""
        if self._pullback is None:
            from .ir import emit
            from .api import grad
            names = ["p_%s" % p for p in self.param_names]
            diff = [n for k, n in enumerate(names) if k not in self.nondiff_argnums]
            dots = ["dot_%s" % n for n in diff]
            nondiff = [n for k, n in enumerate(names) if k in self.nondiff_argnums]
            source = ("def pullback(%s):\n    pair = __rule__(%s(%s,), (%s,))\n"
                      "    return np.sum(pair[1] * g_out)\n"
                      % (", ".join(names + dots + ["g_out"]),
                         "".join(n + ", " for n in nondiff), ", ".join(diff), ", ".join(dots)))
            namespace = emit.compile_source(source, {"__rule__": self.rule, "np": np},
                                            "custom_jvp pullback " + self.__name__)
            start = len(names)
            argnums = tuple(range(start, start + len(dots)))
            self._pullback = grad(namespace["pullback"],
                                  argnums=argnums[0] if len(argnums) == 1 else argnums)
        return self._pullback
