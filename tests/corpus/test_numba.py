"""Numba agrees with Python across the corpus.

Every corpus function's primal code (``jit(f)``), gradient code (``jit(grad(f))``) and
forward-mode code (``jit`` of ``jvp``'s function, tangents for ``argnums``) compiled by
Numba (``backend="numba"``) against the same code run as NumPy
(``backend="python"``).  A case Numba cannot compile is excluded: the TranspileError
must name the user's file and line of the construct that blocks it, and the list of
exclusions is printed at the end of the run (``-s`` shows it; ``-rA`` too).

Compiling costs about a third of a second per function, so CI checks a fixed 1/32
of the cases (by a hash of the case id: the same ones every run, each module represented);
``TRANSPILER_NUMBA_CORPUS=all`` checks every case.
"""
import os

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import assert_leaves_close, random_like
from transpiler.api import _jvp_of

from .cases import corpus_cases

ALL = os.environ.get("TRANSPILER_NUMBA_CORPUS") == "all"
EXCLUDED = []          # (case, mode, located reason), printed by the fixture below


CASES = corpus_cases(1 if ALL else 32)


@pytest.fixture(scope="module", autouse=True)
def exclusions():
    yield
    if EXCLUDED:
        print("\nNumba exclusions (%d; the construct that blocks nopython mode, located):"
              % len(EXCLUDED))
        for case, mode, reason in EXCLUDED:
            print("  %-45s %-7s %s" % (case, mode, reason))


def _check(request, make, args, kwargs, mode):
    try:
        reference = make("python")(*args, **kwargs)
    except tp.TranspileError:
        pytest.skip("not transformable: test_refusals covers it")
    compiled = make("numba")
    try:
        result = compiled(*args, **kwargs)
    except tp.TranspileError as exc:
        # excluded: the message must say where, in the user's code, and why
        assert exc.filename.endswith(".py") and exc.lineno > 0, str(exc)
        assert exc.source_line.strip(), str(exc)
        EXCLUDED.append((request.node.callspec.id, mode, "%s:%d: %s -- %s" % (
            os.path.basename(exc.filename), exc.lineno, exc.source_line.strip(), exc.reason)))
        return
    assert_leaves_close(result, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn, args, argnums, kwargs, options", CASES)
def test_primal(request, fn, args, argnums, kwargs, options):
    _check(request, lambda backend: tp.jit(fn, backend=backend), args, kwargs or {}, "primal")


@pytest.mark.parametrize("fn, args, argnums, kwargs, options", CASES)
def test_gradient(request, fn, args, argnums, kwargs, options):
    if options.get("has_aux"):
        pytest.skip("has_aux: the primal test covers the function")

    def make(backend):
        return tp.jit(tp.grad(fn, argnums=argnums), backend=backend)
    _check(request, make, args, kwargs or {}, "grad")


@pytest.mark.parametrize("fn, args, argnums, kwargs, options", CASES)
def test_forward(request, fn, args, argnums, kwargs, options):
    if kwargs:
        pytest.skip("jvp takes positional primals: the primal test covers keywords")
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    nums = tuple(sorted(k % len(args) for k in nums))
    forward = _jvp_of(fn, len(args), nums)
    names = forward._transform.tangent_params
    rng = np.random.default_rng(5)
    tangents = {name: random_like(args[k], rng) for name, k in zip(names, nums)}

    def make(backend):
        return tp.jit(forward, backend=backend)
    _check(request, make, args, tangents, "jvp")
