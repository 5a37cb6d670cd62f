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
from transpiler.frontend.environment import CORE
from transpiler.ir.emit import to_source

# Expressions the core language has no room for.
_SUGAR = (gast.BoolOp, gast.IfExp, gast.ListComp, gast.SetComp, gast.DictComp,
          gast.GeneratorExp, gast.Lambda, gast.NamedExpr, gast.Starred)
# Statements the core language has no room for.
_SUGAR_STATEMENTS = (gast.AugAssign, gast.AnnAssign, gast.Continue, gast.FunctionDef,
                     gast.Try, gast.With)


def is_atom(node, env):
    """A name, a constant, or a dotted reference to a module-level object (np.pi)."""
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    root = node
    while isinstance(root, gast.Attribute):
        root = root.value
    return (node is not root and isinstance(root, gast.Name)
            and (root.id in env.bindings or root.id in CORE))


def _is_test(node):
    """`name` or `not name` (or a constant): the only conditions `if`/`while` test."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        node = node.operand
    return isinstance(node, (gast.Name, gast.Constant))


def _is_break_check(stmt):
    return (isinstance(stmt, gast.If) and _is_test(stmt.test) and not stmt.orelse
            and len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break))


def core_violations(fn, env):
    """Every way the normalised FunctionDef ``fn`` departs from the core language."""
    problems = []

    def block(stmts, in_loop_body):
        for stmt in stmts:
            statement(stmt, in_loop_body)

    def statement(stmt, in_loop_body):
        where = "line %s: %s" % (getattr(stmt, "lineno", "?"), type(stmt).__name__)
        if isinstance(stmt, _SUGAR_STATEMENTS):
            problems.append("%s is not core" % where)
            return
        if isinstance(stmt, gast.Break):
            problems.append("%s: a bare `break` (not `if flag: break`)" % where)
            return
        if isinstance(stmt, gast.Return):
            problems.append("%s: `return` before the end of the function" % where)
        if isinstance(stmt, gast.Assign):
            if len(stmt.targets) != 1:
                problems.append("%s: several targets" % where)
            elif not isinstance(stmt.targets[0], (gast.Name, gast.Subscript)):
                problems.append("%s: target %s" % (where, type(stmt.targets[0]).__name__))
        if isinstance(stmt, gast.If):
            if not _is_test(stmt.test):
                problems.append("%s: test is not a name" % where)
            if _is_break_check(stmt):
                if not in_loop_body:
                    problems.append("%s: `if flag: break` nested below the loop body's "
                                    "top level" % where)
                return
            block(stmt.body, False)
            block(stmt.orelse, False)
            return
        if isinstance(stmt, gast.While):
            if not _is_test(stmt.test):
                problems.append("%s: test is not a name" % where)
            if stmt.orelse:
                problems.append("%s: loop `else`" % where)
            block(stmt.body, True)
            return
        if isinstance(stmt, gast.For):
            it = stmt.iter
            if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name)
                    and it.func.id == "range"):
                problems.append("%s: iterates over %s, not range(...)"
                                % (where, to_source_expr(it)))
            if not isinstance(stmt.target, gast.Name):
                problems.append("%s: the loop target is not a name" % where)
            if stmt.orelse:
                problems.append("%s: loop `else`" % where)
            expressions(it, where)
            block(stmt.body, True)
            return
        for child in gast.iter_child_nodes(stmt):
            expressions(child, where)

    def expressions(node, where):
        for sub in gast.walk(node):
            if isinstance(sub, _SUGAR):
                problems.append("%s: contains %s" % (where, type(sub).__name__))
            if isinstance(sub, gast.Compare) and len(sub.ops) != 1:
                problems.append("%s: a chained comparison" % where)
            if isinstance(sub, gast.Call):
                operands = list(sub.args) + [kw.value for kw in sub.keywords]
                for arg in operands:
                    if not is_atom(arg, env):
                        problems.append("%s: call argument %s is not an atom"
                                        % (where, to_source_expr(arg)))

    body = [s for s in fn.body if not _is_docstring_or_comment(s)]
    returns = [n for s in body for n in gast.walk(s) if isinstance(n, gast.Return)]
    if len(returns) != 1 or not body or body[-1] is not returns[0]:
        problems.append("the function must end with its only `return` (found %d)"
                        % len(returns))
    else:
        final = body[-1]
        if final.value is not None and not is_atom(final.value, env):
            problems.append("`return` of a non-atom")
            expressions(final.value, "the final return")
        body = body[:-1]
    for stmt in body:
        if not _is_docstring_or_comment(stmt):
            statement(stmt, False)
    return problems


def _is_docstring_or_comment(stmt):
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
            and isinstance(stmt.value.value, str))


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
