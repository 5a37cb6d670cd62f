"""Array creation: constants carry no derivative, except through the values they are
given (``np.full``'s fill value, ``np.linspace``'s end points)."""
import numpy as np

import runtime as rt

from .registry import custom, nondiff


nondiff(np.zeros, np.ones, np.empty, np.zeros_like, np.ones_like, np.empty_like, np.eye,
        np.identity, np.arange, np.tri, np.tril_indices, np.triu_indices, np.indices,
        np.random.rand, np.random.randn, np.random.random, np.random.seed)


@custom(np.full, diff=("fill_value",), only={"like": (None,)})
def full(g, ans, shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    return rt.unbroadcast(g, fill_value, ans)


@custom(np.full_like, diff=("fill_value",))
def full_like(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None, *,
              device=None):
    return rt.unbroadcast(g, fill_value, ans)


@custom(np.linspace, diff=("start", "stop"), only={"retstep": (False,), "axis": (0,)})
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    return rt.linspace_adjoint(g, ans, start, stop, num, endpoint, 0), \
        rt.linspace_adjoint(g, ans, start, stop, num, endpoint, 1)
