"""Array creation: constants carry no derivative, except through the values they are
given (``np.full``'s fill value, ``np.linspace``'s end points)."""
import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import IMPURE, custom, jvp_rule, nondiff


nondiff(np.zeros, np.ones, np.empty, abstract_eval=E.creation())
nondiff(np.zeros_like, np.ones_like, np.empty_like, abstract_eval=E.like(), shape_only=(0,))
nondiff(np.eye, np.identity, np.tri, abstract_eval=E.eye)
nondiff(np.arange, abstract_eval=E.arange)
nondiff(np.tril_indices, np.triu_indices, np.indices, abstract_eval=E.unknown)
nondiff(np.random.rand, np.random.randn, abstract_eval=E.random_shape, effects=IMPURE)
nondiff(np.random.random, abstract_eval=E.random_size, effects=IMPURE)
nondiff(np.random.seed, abstract_eval=E.const(None), effects=IMPURE)


@custom(np.full, diff=("fill_value",), only={"like": (None,)},
        abstract_eval=E.creation(dtype_position=2, fill_position=1), linear=True)
def full(g, ans, shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    return rt.unbroadcast(g, fill_value, ans)


@custom(np.full_like, diff=("fill_value",), abstract_eval=E.like(dtype_position=2))
def full_like(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None, *,
              device=None):
    return rt.unbroadcast(g, fill_value, ans)


@jvp_rule(np.full_like)
def full_like(t, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None, *,
              device=None):
    # t at every element, in the result's dtype: a's by default (zero for an integer a)
    return rt.cast_tangent(rt.broadcast_tangent(t, ans), ans)


@custom(np.logspace, diff=("start", "stop"), refuse=("base",), only={"axis": (0,)},
        abstract_eval=E.linspace)
def logspace(g, ans, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    # base ** linspace(start, stop): the chain rule through the exponent
    exponent = rt.broadcast_to(g, ans) * ans * np.log(base)
    return rt.linspace_adjoint(exponent, ans, start, stop, num, endpoint, 0), \
        rt.linspace_adjoint(exponent, ans, start, stop, num, endpoint, 1)


@jvp_rule(np.logspace)
def logspace(t, ans, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    scale = ans * np.log(base)
    return scale * np.linspace(t, np.zeros(np.shape(stop)), num, endpoint), \
        scale * np.linspace(np.zeros(np.shape(start)), t, num, endpoint)


@custom(np.linspace, diff=("start", "stop"), only={"retstep": (False,), "axis": (0,)},
        abstract_eval=E.linspace)
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    return rt.linspace_adjoint(g, ans, start, stop, num, endpoint, 0), \
        rt.linspace_adjoint(g, ans, start, stop, num, endpoint, 1)


@jvp_rule(np.linspace)
def linspace(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    # start (1 - s) + stop s for the fractions s: each end point's share, as a linspace
    # from t to zeros (or back), broadcast like the result
    return np.linspace(t, np.zeros(np.shape(stop)), num, endpoint), \
        np.linspace(np.zeros(np.shape(start)), t, num, endpoint)
