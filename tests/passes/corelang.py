"""Checks shared by the normalisation-pass tests.

``normalised(fn)`` runs the whole normalisation pipeline on ``fn``, asserts that the
result is in the core language (see the docstring of ``transpiler/passes/anf.py``) and
returns the rendered source together with the normalised function, compiled in the
unit's own namespace.  ``assert_same_outputs`` then runs the original and the
normalised function on the same inputs.  ``after_pass(fn, name)`` is the source the
pipeline prints after one pass (``TRANSPILER_PRINT_AFTER``), for before/after checks of
a single pass.
"""
import contextlib
import copy
import io

import gast
import numpy as np

from transpiler.driver import normalise
from transpiler.ir.verify import verify
from transpiler.frontend.environment import CORE
from transpiler.ir.emit import to_source

def core_violations(fn, env):
    """Every way the normalised FunctionDef ``fn`` departs from the core language
    (``transpiler/ir/verify.py``)."""
    return verify(fn, env)


def to_source_expr(node):
    try:
        return to_source(gast.Module(body=[gast.Expr(value=node)], type_ignores=[])).strip()
    except Exception:                       # noqa: BLE001 (only for a failure message)
        return type(node).__name__


def normalised(fn):
    """``(source, compiled)`` of ``fn`` after normalisation; asserts the core form."""
    unit = normalise(fn)
    source = to_source(unit.fn)
    problems = core_violations(unit.fn, unit.env)
    assert not problems, "not in the core language:\n  %s\n%s" % (
        "\n  ".join(problems), source)
    namespace = unit.env.namespace()
    exec(compile(source, "<normalised %s>" % fn.__name__, "exec"), namespace)
    return source, namespace[unit.fn.name]


def after_pass(fn, pass_name):
    """The source of ``fn`` as the pipeline prints it after the pass ``pass_name``."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        normalise(fn, print_after=[pass_name])
    text = err.getvalue()
    header = "# --- after %s:" % pass_name
    assert header in text, text
    return text.split(header, 1)[1].split("\n", 1)[1]


def assert_close(actual, expected, context=""):
    """Equal outputs: same structure, same values (NaN equal to NaN)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(actual) == sorted(expected), context
        for key in expected:
            assert_close(actual[key], expected[key], context)
        return
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), \
            "%s: %r != %r" % (context, actual, expected)
        for a, e in zip(actual, expected):
            assert_close(a, e, context)
        return
    if expected is None or isinstance(expected, (bool, str)):
        assert actual == expected, "%s: %r != %r" % (context, actual, expected)
        return
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=1e-12,
                               atol=0, equal_nan=True, err_msg=context)
    assert np.shape(actual) == np.shape(expected), context


def assert_same_outputs(fn, inputs, reference=None):
    """The normalised ``fn`` returns what ``fn`` (or ``reference``, for code plain
    NumPy cannot run, like ``x.at[i].set(v)``) returns on every argument tuple in
    ``inputs``; returns the normalised source (for checks of its form)."""
    source, compiled = normalised(fn)
    for args in inputs:
        expected = (reference or fn)(*copy.deepcopy(args))
        actual = compiled(*copy.deepcopy(args))
        assert_close(actual, expected, "%s%r\n%s" % (fn.__name__, args, source))
    return source


def random_inputs(*makers, trials=6, seed=0):
    """``trials`` argument tuples, one value per maker ``rng -> value``."""
    rng = np.random.default_rng(seed)
    return [tuple(make(rng) for make in makers) for _ in range(trials)]


def scalar(rng):
    return float(rng.standard_normal() * 2.0)


def vector(n):
    return lambda rng: rng.standard_normal(n)


def matrix(m, n):
    return lambda rng: rng.standard_normal((m, n))


def keyword_lines(text, keyword):
    """The lines of ``text`` that are ``keyword`` statements (`return ...`, `break`)."""
    return [line.strip() for line in text.splitlines()
            if line.strip().split(" ", 1)[0].rstrip(":") == keyword]
