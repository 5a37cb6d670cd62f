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
