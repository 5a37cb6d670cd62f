"""transpiler: source-to-source differentiation of Python/NumPy functions.

    import transpiler as tp
    df = tp.grad(f)            # a function computing the gradient of f
    print(tp.source(df))       # the Python source it runs
"""
from ._version import __version__
from .api import (cache_info, clear_caches, grad, hessian, jacfwd, jacrev, jit, jvp,
                  linearize, source, value_and_grad, vjp, vmap)
from .custom import custom_jvp, custom_vjp
from .errors import TranspileError
from . import rules as _rules  # noqa: F401  (registers the derivative rules)
from . import tree_util


def __getattr__(name):
    """``tp.dask``, imported when first used (``import transpiler`` does not import Dask)."""
    if name == "dask":
        import importlib
        return importlib.import_module(__name__ + ".dask")
    raise AttributeError("module 'transpiler' has no attribute %r" % name)


__all__ = ["__version__", "grad", "value_and_grad", "vjp", "jit", "vmap", "source", "custom_vjp",
           "clear_caches", "cache_info", "TranspileError", "tree_util"]
