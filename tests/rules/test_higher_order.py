"""Derivatives of generated code: the gradient ``tp.grad`` generates is a plain function,
and differentiating it again walks its source, each runtime helper it calls through that
helper's rule (``rules/adjoints.py``), to second and third order."""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads

from .test_vjp_runtime import normal, well_conditioned


def layer(w, x):
    return np.mean((np.tanh(x @ w + x[:, :2]) - 0.5) ** 2)


def reductions(x):
    return np.prod(x) + np.sum(np.cumprod(x) * np.sort(x)) + np.linalg.norm(x) ** 3 \
        + np.sum(np.cumsum(x) ** 2) + np.max(x) * np.min(x)


def linear_algebra(a, b):
    return np.linalg.det(a) + np.sum(np.sin(np.linalg.solve(a, b))) + np.trace(a @ a) \
        + np.sum(np.einsum("ij,jk->ik", a, b) ** 2) + np.dot(b[:, 0], b[:, 1]) \
        + np.sum(np.outer(b[:, 0], a[0]) ** 2) + np.inner(a[0], a[1]) ** 2


def updates(x, v):
    replaced = x.at[1].set(v[0] * 2.0)
    scaled = x.at[np.array([1, 3, 1])].multiply(v)
    divided = x.at[np.array([0, 2])].divide(v[::2])
    raised = (x * x + 0.5).at[1:3].power(v[:2])
    largest = x.at[np.array([0, 0])].max(v[:2])
    added = x.at[np.array([2, 2])].add(v[1:])
    return np.sum(replaced ** 3) + np.sum(scaled ** 2) + np.sum(divided ** 2) + np.sum(raised) \
        + np.sum(largest ** 2) + np.sum(np.sin(added))


MASK = np.array([[True, False, True, True], [False, True, True, False], [True, True, False, True]])


def masked_reductions(x):
    # where= and initial= rules are written with primitives (np.where, rt.prod_adjoint):
    # their derivatives come from those primitives' rules
    return np.sum(x ** 3, where=MASK) + np.sum(np.mean(x ** 3, axis=1, where=MASK)) \
        + np.sum(np.sin(np.sum(x, axis=0, where=MASK, keepdims=True))) \
        + np.prod(x + 2.0, initial=0.5) + np.sum(np.prod(x, axis=0, where=MASK) ** 2) \
        + np.sum(np.max(x ** 3, axis=1, initial=-5.0, where=MASK) ** 2) \
        + np.min(x ** 3, initial=1.0) + np.sum(x ** 2, initial=3.0) ** 2


def more_numpy(x, y):
    # the rules added for autograd's coverage: elementwise with tuple results, flips,
    # diagonals, weighted statistics, NumPy 2's products, index tricks, dicts
    frac, _ = np.modf(x * 3.0)
    _, rest = np.divmod(x * 3.0, 0.7)
    mantissa, _ = np.frexp(x)
    return np.sum(np.sinc(x) * np.fmod(x * 3.0, 0.7) + frac ** 2 + rest ** 2 + mantissa ** 3) \
        + np.sum(np.rot90(y) ** 3) + np.sum(np.diagonal(y, 1) ** 3) \
        + np.average(x ** 2, weights=y[0] ** 2) + np.ptp(x) ** 2 \
        + np.sum(np.vecdot(y, y[0]) ** 2) + np.sum(np.logspace(x[0], x[1], 3)) \
        + np.sum(np.r_[x, y[1]] ** 3) + np.sum(np.c_[x, y[2]] ** 3) \
        + np.std(y, axis=0)[1] ** 2 + np.sum(dict(a=x).get("a") ** 3) \
        + np.sum(np.stack(y) ** 3) + sorted(x, key=abs)[0] ** 3


def weighed(g, arity):
    """A scalar of the gradient ``g`` computes, to differentiate."""
    def weigh(d):
        return np.sum(np.sin(d) * np.reshape(np.arange(1.0, np.size(d) + 1.0), np.shape(d)))
    if arity == 1:
        return lambda x: weigh(g(x))
    if arity == 2:
        return lambda x, y: weigh(g(x, y))
    return lambda x, y, z: weigh(g(x, y, z))


A_SQUARE, B_COLUMNS = well_conditioned(3, 3), normal(3, 2)
SECOND = [(layer, (normal(3, 2), normal(4, 3))),
          (reductions, (np.array([0.5, -1.2, 0.7, 2.0]),)),
          (reductions, (np.array([0.5, 0.0, 0.7, 2.0]),)),
          (linear_algebra, (A_SQUARE, B_COLUMNS)),
          (updates, (normal(5), np.array([0.7, 1.5, 1.2]))),
          (updates, (normal(5), np.array([0.7, 0.0, 1.2]))),
          # (its own draw: an entry near 0 makes the third derivative too large for
          # finite differences to follow)
          (masked_reductions, (np.random.default_rng(3).uniform(0.3, 0.9, (3, 4))
                               * np.array([1.0, -1.0, 1.0, -1.0]),)),
          (more_numpy, (np.array([0.31, -0.62, 0.45]), normal(3, 3)))]
SECOND = [(f, args, wrt) for f, args in SECOND for wrt in range(len(args))]


@pytest.mark.parametrize("f, args, wrt", SECOND, ids=["%s-%d-%d" % (f.__name__, k, wrt)
                                                      for k, (f, _, wrt) in enumerate(SECOND)])
def test_gradient_of_a_generated_gradient_matches_finite_differences(f, args, wrt):
    generated = tp.grad(f, argnums=wrt).specialised(*args)
    check_grads(weighed(generated, len(args)), args, argnums=tuple(range(len(args))))


def products(x):
    return np.prod(x) + np.sum(np.cumprod(x) * x) + np.linalg.norm(x) ** 3 \
        + np.sum(np.cumsum(x) ** 3)


def solved(a, b):
    return np.linalg.det(a) + np.sum(np.linalg.solve(a, b) ** 2)


def spread(x, y):
    return np.sum(np.tile(x, 2) ** 3) + np.sum(np.repeat(y, 2) ** 3) \
        + np.sum(np.diag(x) @ np.diag(y)) + np.sum(np.linspace(x, y, 4) ** 3)


THIRD = [(products, (np.array([0.5, -0.4, 0.7, 0.3]),)),
         (products, (np.array([0.5, 0.0, 0.7, 0.3]),)),
         (products, (np.array([0.5, 0.0, 0.7, 0.0]),)),
         (solved, (well_conditioned(3, 3), normal(3, 2) * 0.3)), (spread, (normal(3), normal(3)))]


@pytest.mark.parametrize("f, args", THIRD, ids=["%s-%d" % (f.__name__, k)
                                                for k, (f, _) in enumerate(THIRD)])
def test_third_derivatives_through_generated_code_match_finite_differences(f, args):
    # the second derivative's code calls helpers the rules emit (rt.prod_pairs, ...); the
    # third derivatives are large: relative tolerance
    first = weighed(tp.grad(f).specialised(*args), len(args))
    second = tp.grad(first).specialised(*args)
    check_grads(weighed(second, len(args)), args, argnums=tuple(range(len(args))), rtol=1e-4)
