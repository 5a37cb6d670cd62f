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
        sig = inspect.signature(fun)
        self.param_names = [p.name for p in sig.parameters.values()
                            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                          p.KEYWORD_ONLY)]

    def defvjp(self, fwd, bwd):
        """Set the forward function ``fwd(*args) -> (out, residuals)`` and the backward
        function ``bwd(residuals, g) -> tuple`` (one entry per argument, None for zero)."""
        self.fwd = fwd
        self.bwd = bwd
        return self

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def bwd_with_zeros(self, residuals, g):
        """``bwd`` with its result checked and ``None`` entries replaced by zero."""
        if self.bwd is None:
            raise TypeError("custom_vjp function %s has no rule: call .defvjp(fwd, bwd) "
                            "first" % self.__name__)
        out = self.bwd(residuals, g)
        if not isinstance(out, (tuple, list)):
            raise TypeError("the bwd rule of %s must return a tuple with one entry per "
                            "argument; got %s" % (self.__name__, type(out).__name__))
        if len(out) != len(self.param_names):
            raise TypeError("the bwd rule of %s returned %d entries for %d arguments"
                            % (self.__name__, len(out), len(self.param_names)))
        return tuple(0.0 if part is None else part for part in out)
