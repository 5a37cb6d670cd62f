"""grad of grad: the corpus differentiated twice through the public API.

``tp.grad(tp.grad(f))`` differentiates the code ``tp.grad(f)`` generates (the transformed
function is a callee whose source is its generated code).  For every corpus function of
one float argument, the second derivative is checked against central differences of the
first, and by forward mode over reverse -- ``jvp(grad(f))``, ``jacfwd(grad(f))`` and
``hessian(f)`` -- against it; for functions of arrays, ``grad(lambda x: grad(f)(x) @ v)``
-- a Hessian-vector product -- against central differences of the gradient along ``v``,
and ``jvp(grad(f))`` along ``v`` against it.  (Whole Hessians, several ways:
``test_compositions.py``.)
"""
import importlib
import pkgutil

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import random_like, tree_leaves, tree_map

from . import __path__ as corpus_path

EPS = 1e-5


def _corpus_cases():
    found = []
    for info in sorted(pkgutil.iter_modules(corpus_path), key=lambda i: i.name):
        if not info.name.startswith("test_") or info.name in ("test_second_order",
                                                              "test_compositions"):
            continue
        module = importlib.import_module("corpus." + info.name)
        for param in getattr(module, "CASES", []):
            fn, args, argnums, kwargs, options = param.values
            if kwargs or options.get("has_aux") or not isinstance(argnums, int):
                continue
            found.append(pytest.param(fn, args, argnums, id=param.id))
    return found


CASES = _corpus_cases()
SCALAR = [c for c in CASES if isinstance(c.values[1][c.values[2]], float)]
ARRAY = [c for c in CASES if isinstance(c.values[1][c.values[2]], np.ndarray)
         and c.values[1][c.values[2]].dtype == np.float64]


def _shifted(args, argnum, step):
    moved = list(args)
    moved[argnum] = args[argnum] + step
    return moved


@pytest.mark.parametrize("fn, args, argnum", SCALAR)
def test_second_derivative_of_scalar_functions(fn, args, argnum):
    first = tp.grad(fn, argnums=argnum)
    second = tp.grad(first, argnums=argnum)(*args)
    numeric = (first(*_shifted(args, argnum, EPS)) - first(*_shifted(args, argnum, -EPS))) \
        / (2 * EPS)
    assert np.isclose(second, numeric, rtol=1e-4, atol=1e-5), (second, numeric)
    _, forward = tp.jvp(first, tuple(args), _tangents(args, argnum, 1.0))
    assert np.isclose(forward, second, rtol=1e-8, atol=1e-10), (forward, second)
    assert np.isclose(tp.jacfwd(first, argnums=argnum)(*args), second, rtol=1e-8, atol=1e-10)
    assert np.isclose(tp.hessian(fn, argnums=argnum)(*args), second, rtol=1e-8, atol=1e-10)


def _tangents(args, argnum, v):
    """Tangents for every argument: ``v`` for ``argnum``'s, zeros for the others'."""
    return tuple(v if k == argnum % len(args) else tree_map(
        lambda leaf: np.zeros(np.shape(leaf)) if np.ndim(leaf) else 0.0, a)
        for k, a in enumerate(args))


def _along(first, v, arity):
    """<first(...), v> as a function of ``arity`` named parameters."""
    def one(a):
        return np.sum(first(a) * v)

    def two(a, b):
        return np.sum(first(a, b) * v)

    def three(a, b, c):
        return np.sum(first(a, b, c) * v)

    def four(a, b, c, d):
        return np.sum(first(a, b, c, d) * v)
    return [one, two, three, four][arity - 1]


@pytest.mark.parametrize("fn, args, argnum", ARRAY)
def test_hessian_vector_products_of_array_functions(fn, args, argnum):
    v = random_like(args[argnum], np.random.default_rng(7))
    first = tp.grad(fn, argnums=argnum)
    hvp = tp.grad(_along(first, v, len(args)), argnums=argnum)(*args)
    numeric = (first(*_shifted(args, argnum, EPS * v)) - first(*_shifted(args, argnum, -EPS * v))) \
        / (2 * EPS)
    assert np.shape(hvp) == np.shape(args[argnum])
    np.testing.assert_allclose(hvp, numeric, rtol=1e-4, atol=1e-5)
    _, forward = tp.jvp(first, tuple(args), _tangents(args, argnum, v))
    np.testing.assert_allclose(forward, hvp, rtol=1e-8, atol=1e-10)


def test_the_cases_cover_the_corpus():
    assert len(SCALAR) >= 40 and len(ARRAY) >= 150, (len(SCALAR), len(ARRAY))
    assert all(tree_leaves(c.values[1]) for c in CASES)
