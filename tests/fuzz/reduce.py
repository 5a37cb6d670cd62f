"""Shrink a failing program's source while it keeps failing the same way.

Hypothesis shrinks the structure it drew, but each step compiles a program, and a
shrink can take many minutes.  This greedy reducer works on the source instead and is
faster for turning a long run's failures into minimal programs: it deletes helpers,
parameters and statements, replaces compound statements by their bodies and
expressions by their operands, and keeps any change after which the program still
fails with the same signature, until no change does.
"""
import ast
import copy
import re
import time
from dataclasses import replace

from .check import Finding, check


def signature(finding):
    """What makes two failures the same: the kind, and for crashes which code raised
    what exception."""
    if finding.kind != "internal crash":
        return finding.kind
    lines = [line for line in finding.detail.splitlines() if line and not line[0].isspace()]
    return "%s: %s: %s" % (finding.kind, lines[0], re.sub(r"[`'\"].*", "", lines[-1])[:60])


def fails_like(program, wanted):
    """Whether ``program`` fails with signature ``wanted``."""
    try:
        check(program, generic="generic" in wanted, record=False)
    except Finding as finding:
        return signature(finding) == wanted
    except Exception:                  # an invalid candidate (e.g. a SyntaxError)
        return False
    return False


def reduce(program, wanted, seconds=None):
    """The smallest variant of ``program`` found that still fails with ``wanted``
    (within ``seconds``, if given).

    Sweeps over the possible edits, keeping each that still fails and going on from
    the same position, until a whole sweep keeps none: first deleting parameters and
    statements only (cheap, and it shrinks the program most), then also expressions.
    """
    stop = None if seconds is None else time.monotonic() + seconds
    current = program
    for expressions in (False, True):
        progress = True
        while progress:
            progress, k = False, 0
            while True:
                edits = _edits(current, expressions)
                if k >= len(edits) or (stop is not None and time.monotonic() > stop):
                    break
                candidate = edits[k]()
                if candidate is not None and len(candidate.source) < len(current.source) \
                        and fails_like(candidate, wanted):
                    current, progress = candidate, True
                else:
                    k += 1
    return current


def _edits(program, expressions):
    """Functions making the candidate variants of ``program`` (or None), biggest first."""
    tree = ast.parse(program.source)
    edits = [lambda k=k: _without_parameter(program, tree, k)
             for k in range(len(program.params))]
    edits += [lambda e=edit: _with(program, e(copy.deepcopy(tree)))
              for edit in _statement_edits(tree)]
    for k in range(len(list(_expressions(tree))) if expressions else 0):
        edits += [lambda k=k, c=choice: _with(program, _replace_expression(
            copy.deepcopy(tree), k, c)) for choice in range(3)]
    return edits


def _with(program, tree):
    if tree is None:
        return None
    return replace(program, source=ast.unparse(ast.fix_missing_locations(tree)))


def _without_parameter(program, tree, k):
    if program.argnums == (k,):
        return None
    edited = copy.deepcopy(tree)
    f = next(n for n in edited.body if isinstance(n, ast.FunctionDef) and n.name == "f")
    del f.args.args[k]
    argnums = tuple(j - (j > k) for j in program.argnums if j != k)
    params = program.params[:k] + program.params[k + 1:]
    return replace(_with(program, edited), params=params, argnums=argnums)


def _statement_edits(tree):
    """Functions editing a copy of ``tree``: delete a helper or a statement, or put a
    compound statement's body (or else-branch) in its place."""
    f = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "f")
    for path, stmt in _statements(tree):
        if stmt is not f and stmt is not f.body[-1]:      # f keeps its final return
            yield lambda t, p=path: _splice(t, p, [])
        for field in ("body", "orelse"):
            if isinstance(stmt, (ast.If, ast.For, ast.While)) and getattr(stmt, field):
                yield lambda t, p=path, f=field: _splice(t, p, getattr(_at(t, p), f))


def _statements(node, path=()):
    for field in ("body", "orelse"):
        for k, stmt in enumerate(getattr(node, field, None) or []):
            yield path + ((field, k),), stmt
            yield from _statements(stmt, path + ((field, k),))


def _at(tree, path):
    node = tree
    for field, k in path:
        node = getattr(node, field)[k]
    return node


def _splice(tree, path, replacement):
    parent = _at(tree, path[:-1])
    field, k = path[-1]
    statements = getattr(parent, field)
    statements[k:k + 1] = replacement
    if not statements and field == "body":
        statements.append(ast.Pass())
    return tree


def _expressions(tree):
    """``(parent, field, index, node)`` for every expression, in a fixed order."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            items = value if isinstance(value, list) else [value]
            for k, node in enumerate(items):
                if isinstance(node, ast.expr) and not isinstance(node, ast.Name):
                    yield parent, field, k if isinstance(value, list) else None, node


def _replace_expression(tree, k, choice):
    """Replace the k-th expression by its ``choice``-th operand (None if it has none)."""
    parent, field, index, node = list(_expressions(tree))[k]
    if isinstance(node, ast.Call):
        operands = node.args + [keyword.value for keyword in node.keywords]
    else:
        operands = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
    if field in ("target", "targets") or choice >= len(operands):
        return None
    if index is None:
        setattr(parent, field, operands[choice])
    else:
        getattr(parent, field)[index] = operands[choice]
    return tree
