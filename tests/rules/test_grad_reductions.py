"""Reductions through ``tp.grad``: every axis form, keepdims, ties, zeros, ddof; the
cumulative reductions and sort; and the array methods that lower to them."""
import numpy as np
import pytest

import transpiler as tp

from .oracle import Grad, check_case, grad_params

RNG = np.random.default_rng(3)


def reduction(f, axis=None, keepdims=False):
    return lambda x: np.sum(np.sin(f(x, axis=axis, keepdims=keepdims)))


def with_ddof(f, ddof, axis=None, keepdims=False):
    return lambda x: np.sum(np.sin(f(x, axis=axis, ddof=ddof, keepdims=keepdims)))


def along(f, axis):
    return lambda x: np.sum(np.sin(f(x, axis=axis)))


def note(**kwargs):
    return "-" + ",".join("%s=%s" % item for item in kwargs.items()).replace(" ", "")


A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 4))
DISTINCT = RNG.permutation(np.arange(12.0)).reshape(3, 4) * 0.3 - 1.5
# two-way ties in every row and every column: central differences give each tied entry
# half the derivative, as the max/min rules do
TIED = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, -1.0, 0.5, 2.0], [2.0, 0.25, -2.0, 0.5]])
WITH_ZERO = np.array([[1.2, 0.0, -0.7, 1.5], [0.9, 1.1, -1.3, 0.8], [0.0, 0.6, 0.0, 1.4]])
AXES = [None, 0, -1, (0, 1)]

CASES = []
for f in (np.sum, np.mean, np.prod, np.var, np.std):
    CASES += [Grad(f, reduction(f, axis, keep), A, note=note(axis=axis, keepdims=keep))
              for axis in AXES for keep in (False, True)]
    CASES += [Grad(f, reduction(f, (0, 2)), B), Grad(f, reduction(f), A[0])]
for f in (np.max, np.amax, np.min, np.amin):
    CASES += [Grad(f, reduction(f, axis, keep), x,
                   note=note(axis=axis, keepdims=keep) + ("-ties" if x is TIED else ""))
              for x in (DISTINCT, TIED) for axis in AXES for keep in (False, True)
              if not (x is TIED and axis in (None, (0, 1)))]
    CASES += [Grad(f, reduction(f, 1), B)]
CASES += [Grad(np.prod, reduction(np.prod, axis, keep), WITH_ZERO,
               note=note(axis=axis, keepdims=keep) + "-zeros")
          for axis in AXES for keep in (False, True)]
CASES += [Grad(np.var, with_ddof(np.var, 1), A, note="-ddof=1"),
          Grad(np.var, with_ddof(np.var, 1, 0, True), A, note="-ddof=1,axis=0,keepdims"),
          Grad(np.std, with_ddof(np.std, 1), A, note="-ddof=1"),
          Grad(np.std, with_ddof(np.std, 2, -1), A, note="-ddof=2,axis=-1")]
for f in (np.cumsum, np.cumprod):
    CASES += [Grad(f, along(f, None), A), Grad(f, along(f, 0), A, note="-axis=0"),
              Grad(f, along(f, -1), B), Grad(f, along(f, None), A[0])]
CASES += [Grad(np.cumprod, along(np.cumprod, 1), WITH_ZERO, note="-zeros"),
          Grad(np.cumprod, along(np.cumprod, None), WITH_ZERO, note="-zeros")]
CASES += [Grad(np.sort, along(np.sort, -1), DISTINCT), Grad(np.sort, along(np.sort, 0), DISTINCT),
          Grad(np.sort, along(np.sort, None), DISTINCT, note="-axis=None"),
          Grad(np.sort, lambda x: np.sum(np.sin(np.sort(x)) * x), DISTINCT[0])]


def ties_shared_three_ways(x):
    return np.max(x) * 3.0


def methods(x):
    return (x.sum() + x.mean(axis=0).sum() * 2.0 + np.sin(x.max(axis=1)).sum()
            + x.min() ** 2 + x.prod(axis=0, keepdims=True).sum() + x.var() + x.std(axis=1).sum())


def method_ties(x):
    return np.sum(x.max(axis=0) * np.array([1.0, 2.0, 3.0, 4.0])) \
        + x.min(axis=1, keepdims=True).sum()


def sum_with_dtype(x):
    return np.sum(np.sum(x, axis=1, dtype=np.float64) ** 2)


# plainly summed: the rules receive the lazily broadcast seed (a scalar 1.0)
CASES += [Grad(np.cumsum, lambda x: np.sum(np.cumsum(x, axis=1)), A, note="-summed"),
          Grad(np.cumprod, lambda x: np.sum(np.cumprod(x, axis=0)), A, note="-summed"),
          Grad(np.cumprod, lambda x: np.sum(np.cumprod(x)), WITH_ZERO, note="-summed"),
          Grad(np.sort, lambda x: np.sum(np.sort(x, axis=0) * x), DISTINCT, note="-summed"),
          Grad(np.prod, lambda x: np.sum(np.prod(x, axis=0)), WITH_ZERO, note="-summed"),
          Grad(np.max, lambda x: np.sum(np.max(x, axis=1)), TIED, note="-summed"),
          Grad(np.std, lambda x: np.sum(np.std(x, axis=0)), A, note="-summed"),
          Grad(np.var, lambda x: np.sum(np.var(x, axis=(0, 1), keepdims=True)), A, note="-summed")]
CASES += [Grad((np.sum, np.mean, np.max, np.min, np.prod, np.var, np.std), methods, DISTINCT),
          Grad((np.max, np.min), method_ties, TIED),
          Grad(np.sum, sum_with_dtype, A)]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


def weighted_and_spread(x, w):
    return np.sum(np.sin(np.average(x, axis=1, weights=w[0]))) + np.average(x, weights=x * x) \
        + np.ptp(x) * np.sum(np.ptp(x, axis=0) ** 2) + np.sum(np.cumulative_sum(x[0]) ** 2)


CASES += [Grad((np.average, np.ptp, np.cumulative_sum), weighted_and_spread,
               np.array([[0.3, -1.2, 0.5, 2.0], [1.1, 0.25, -0.7, 0.4]]),
               RNG.uniform(0.5, 2.0, (2, 4)), argnums=(0, 1))]


def min_plus_max(m):
    return np.min(m, axis=None) * 3.0 + m.max()


def test_max_shares_a_three_way_tie_equally():
    # central differences cannot check this (they see (max + min) / 2 of the directions)
    x = np.array([1.0, 2.0, 2.0, 2.0, 0.0])
    np.testing.assert_allclose(tp.grad(ties_shared_three_ways)(x), [0.0, 1.0, 1.0, 1.0, 0.0])
    m = np.array([[2.0, 2.0], [2.0, 1.0]])
    np.testing.assert_allclose(tp.grad(min_plus_max)(m), [[1 / 3, 1 / 3], [1 / 3, 3.0]])
