"""Source of a live function -> a gast FunctionDef, with its file, lines and environment.

Works for module-level and nested functions, functions defined in ``__main__``, lambdas
(also several on one line) and functions this compiler generated (their source is in
``linecache``).  Line numbers in the returned tree are line numbers in the user's file.
"""
import inspect
import linecache
import re
import textwrap
import types
from dataclasses import dataclass, field

import gast

from ..errors import Located, TranspileError
from ..ir import build
from ..ir.walk import subnodes


@dataclass
class FunctionSource:
    fn: object                       # the live function
    node: gast.FunctionDef           # its definition, decorators removed
    located: Located                 # file + lines, for errors
    globals: dict
    closure: dict = field(default_factory=dict)
    is_lambda: bool = False
    reads: dict = field(default_factory=dict)        # cache.Read of every value resolved
    lambda_text: str = None                           # `lambda x: ...` as written

    @property
    def base_name(self):
        """A name to build generated names from: the function's, or 'lambda'."""
        name = self.fn.__name__
        return name if name.isidentifier() else "lambda"

    def comment_line(self, lineno):
        """The source text a generated comment should quote for ``lineno``."""
        if self.lambda_text is not None:
            return self.lambda_text
        return self.located.lines.get(lineno, "").strip()

    @property
    def cells(self):
        """The closure cells, by variable name (empty cells included)."""
        return dict(zip(self.fn.__code__.co_freevars, self.fn.__closure__ or ()))

    @property
    def name(self):
        return self.node.name

    @property
    def filename(self):
        return self.located.filename

    def error(self, node, reason, hint=""):
        return self.located.error(node, reason, hint)


def closure_values(fn):
    code = fn.__code__
    values = {}
    for var, cell in zip(code.co_freevars, fn.__closure__ or ()):
        try:
            values[var] = cell.cell_contents
        except ValueError:            # an empty cell: the variable is not assigned yet
            pass
    return values


def _no_source(fn, why):
    name = getattr(fn, "__qualname__", repr(fn))
    return TranspileError(
        "cannot read the source of %s (%s)" % (name, why),
        getattr(getattr(fn, "__code__", None), "co_filename", "<unknown>"),
        getattr(getattr(fn, "__code__", None), "co_firstlineno", 0),
        hint="transpiler reads Python source: define the function in a .py file (or a "
             "notebook cell), not with exec() or at an interactive prompt.")


def _shift_lines(tree, offset):
    for node in subnodes(tree):
        if getattr(node, "lineno", None) is not None:
            node.lineno += offset
        if getattr(node, "end_lineno", None) is not None:
            node.end_lineno += offset


def parse_function(fn):
    """Read and parse ``fn``; raise TranspileError if its source is unavailable."""
    if not isinstance(fn, types.FunctionType):
        raise TypeError("transpiler transforms Python functions; got %r" % (fn,))
    code = fn.__code__
    filename = code.co_filename
    text = None
    if fn.__name__ == "<lambda>":
        node, lines, dedent, text = _parse_lambda(fn)
        is_lambda = True
    else:
        node, lines, dedent = _parse_def(fn)
        is_lambda = False
    located = Located(filename, lines)
    located.dedent = dedent
    return FunctionSource(fn=fn, node=node, located=located, globals=fn.__globals__,
                          closure=closure_values(fn), is_lambda=is_lambda, lambda_text=text)


_DEFINITION = re.compile(r"\s*(@|(async\s+)?def\s)")


def _source_lines(fn):
    """The lines of ``fn``'s definition (decorators included) and the line it starts on.

    What ``inspect.getsourcelines(fn.__code__)`` returns -- the code object, not the
    function, since inspect would follow a decorator's ``__wrapped__`` to the undecorated
    function -- without inspect's search of ``sys.modules`` for the function's module
    (most of the time of reading a function): the lines come from ``linecache``, given
    the function's globals for sources that only a module's loader can read.
    """
    code = fn.__code__
    linecache.checkcache(code.co_filename)
    lines = linecache.getlines(code.co_filename, fn.__globals__)
    if not lines:
        raise OSError("could not get source code")
    start = code.co_firstlineno - 1
    if start >= len(lines):
        raise OSError("lineno is out of bounds")
    while start > 0 and not _DEFINITION.match(lines[start]):
        start -= 1                      # a code object's first line may precede its `def`
    return inspect.getblock(lines[start:]), start + 1


def _parse_def(fn):
    try:
        source_lines, start = _source_lines(fn)
    except (OSError, TypeError) as exc:
        raise _no_source(fn, str(exc)) from None
    text = "".join(source_lines)
    dedented = textwrap.dedent(text)
    first = source_lines[0]
    dedent = len(first) - len(first.lstrip()) if dedented != text else 0
    try:
        module = gast.parse(dedented)
    except SyntaxError as exc:
        raise _no_source(fn, "it does not parse on its own: %s" % exc.msg) from None
    defs = [n for n in module.body if isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef))]
    if defs and isinstance(defs[0], gast.AsyncFunctionDef):
        _shift_lines(module, start - 1)
        located = Located(fn.__code__.co_filename,
                          {start + k: line.rstrip("\n") for k, line in enumerate(source_lines)})
        located.dedent = dedent
        raise located.error(defs[0], "async functions are not supported",
                            "use a plain function (def, not async def).")
    if not defs:
        raise _no_source(fn, "no function definition found in its source")
    node = defs[0]
    _shift_lines(module, start - 1)
    node.decorator_list = []
    lines = {start + k: line.rstrip("\n") for k, line in enumerate(source_lines)}
    return node, lines, dedent


def _parse_lambda(fn):
    code = fn.__code__
    filename, lineno = code.co_filename, code.co_firstlineno
    file_lines = linecache.getlines(filename, fn.__globals__)
    tree = None
    if file_lines:
        try:
            tree = gast.parse("".join(file_lines))
            offset, dedent = 0, 0
        except SyntaxError:
            tree = None
    if tree is None:
        try:
            source_lines, start = inspect.getsourcelines(fn)
        except (OSError, TypeError) as exc:
            raise _no_source(fn, str(exc)) from None
        text = "".join(source_lines)
        dedented = textwrap.dedent(text)
        first = source_lines[0]
        dedent = len(first) - len(first.lstrip())
        for candidate in (dedented, "(" + dedented.strip() + ")"):
            try:
                tree = gast.parse(candidate)
                break
            except SyntaxError:
                continue
        else:
            raise _no_source(fn, "its line does not parse on its own")
        offset = start - 1
        _shift_lines(tree, offset)
        file_lines = source_lines
        file_lines = [""] * offset + list(source_lines)
    lambdas = [n for n in subnodes(tree) if isinstance(n, gast.Lambda) and n.lineno == lineno]
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    lambdas = [n for n in lambdas if [a.id for a in n.args.args + n.args.kwonlyargs] == params]
    if len(lambdas) > 1:
        lambdas = [_closest_lambda(lambdas, code, dedent)]
    if not lambdas:
        raise _no_source(fn, "could not find the lambda in its line")
    lam = lambdas[0]
    node = gast.FunctionDef(name="<lambda>", args=lam.args, body=[build.return_(lam.body, at=lam.body)],
                            decorator_list=[], returns=None, type_comment=None, type_params=[])
    build.locate(node, lam)
    first = lam.lineno
    last = getattr(lam, "end_lineno", first) or first
    lines = {k: file_lines[k - 1].rstrip("\n") for k in range(first, last + 1)
             if 0 < k <= len(file_lines)}
    text = None
    if first == last and first in lines and getattr(lam, "end_col_offset", None) is not None:
        text = lines[first][lam.col_offset + dedent:lam.end_col_offset + dedent]
    return node, lines, dedent, text


def _closest_lambda(candidates, code, dedent):
    """Pick, among lambdas on one line with the same parameters, the one ``code`` came from."""
    # the body's instructions; column 0 marks synthetic ones (RESUME, the final RETURN)
    cols = [pos[2] for pos in code.co_positions()
            if pos[0] == code.co_firstlineno and pos[2]]
    if not cols:
        return candidates[0]
    body_col = min(cols) - dedent
    best = None
    for lam in candidates:
        if lam.col_offset <= body_col and (best is None or lam.col_offset > best.col_offset):
            best = lam
    return best or candidates[0]
