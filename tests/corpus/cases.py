"""Shared plumbing for the corpus: test data and the case list format.

Every corpus module lists its cases with ``cases(fn, args1, args2, ...)``, one pytest
parameter per argument set, and runs them through ``run`` (``check_grads``: the
gradient against central finite differences, its structure and shapes, and the
generic against the shape-specialised generated code).
"""
import importlib
import inspect
import pkgutil
import re
import zlib

import numpy as np
import pytest

import transpiler as tp

from helpers.check_grads import check_grads

CASE_FIELDS = "fn, args, argnums, kwargs, options"


def data(seed):
    """``(normal, uniform, positive)``: makers of test data drawn from one generator
    seeded with ``seed``, so that each module's data does not depend on which other
    modules were collected.

    ``normal(*shape, scale=1.0)``: standard normal data (a Python float for no shape);
    ``uniform(low, high, *shape)``: uniform in [low, high);
    ``positive(*shape)``: uniform in [0.5, 2), safe for log, sqrt, division and
    fractional powers.
    """
    rng = np.random.default_rng(seed)

    def normal(*shape, scale=1.0):
        if not shape:
            return float(rng.standard_normal() * scale)
        return rng.standard_normal(shape) * scale

    def uniform(low, high, *shape):
        if not shape:
            return float(rng.uniform(low, high))
        return rng.uniform(low, high, size=shape)

    def positive(*shape):
        return uniform(0.5, 2.0, *shape)

    return normal, uniform, positive


def cases(fn, *arg_sets, argnums=0, kwargs=None, name=None, **options):
    """One pytest parameter per argument tuple in ``arg_sets``.

    ``options`` go to ``check_grads`` (``rtol``, ``atol``, ``has_aux``, ...); ``name``
    replaces ``fn.__name__`` in the test id (for lambdas).
    """
    label = name or fn.__name__
    return [pytest.param(fn, args, argnums, kwargs, options, id="%s-%d" % (label, k))
            for k, args in enumerate(arg_sets)]


def run(fn, args, argnums, kwargs, options):
    """check_grads on one case, with the generated gradient differentiated again
    (``check_reentry``); returns the gradient.  A function without loops gets a
    gradient without a tape."""
    options = dict(options)
    options.setdefault("reenter", True)
    grads = check_grads(fn, args, argnums=argnums, kwargs=kwargs, **options)
    _no_tape_without_loops(fn, args, argnums, kwargs, options)
    return grads


_LOOPS = re.compile(r"\b(for|while)\b")
_TAPE = re.compile(r"\w_(stack|slots)(_\d+)?\.(append|pop)\(")


def _no_tape_without_loops(fn, args, argnums, kwargs, options):
    """The gradient of a straight-line function (no loop in it or in what it calls that
    could need one: only its own code is judged) keeps nothing on a stack."""
    try:
        text = inspect.getsource(fn)
    except (OSError, TypeError):
        return
    if _LOOPS.search(text) or kwargs or options.get("has_aux"):
        return
    source = tp.source(tp.grad(fn, argnums=argnums), *args)
    entry = source.split("\n\n\ndef ")[0]          # the gradient itself, not callees' pairs
    assert not _TAPE.search(entry), entry


# modules whose cases are not single functions of arrays (compositions, refusals, ...)
_NOT_CASES = ("test_second_order", "test_compositions", "test_refusals", "test_numba")


def corpus_cases(share=1):
    """Every corpus module's cases (each module's ``CASES``), as fresh pytest parameters;
    with ``share`` k > 1, a fixed 1/k of them (by a hash of the case id: the same ones
    every run, each module represented)."""
    from . import __path__ as corpus_path
    found = []
    for info in sorted(pkgutil.iter_modules(corpus_path), key=lambda i: i.name):
        if not info.name.startswith("test_") or info.name in _NOT_CASES:
            continue
        module = importlib.import_module("corpus." + info.name)
        for param in getattr(module, "CASES", []):
            if share == 1 or zlib.crc32(param.id.encode()) % share == 0:
                found.append(pytest.param(*param.values, id=param.id))
    return found
