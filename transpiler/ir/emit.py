"""The only caller of astor: gast trees in, Python source and live functions out.

Comments travel through the tree as marker string statements (``build.comment``) and
become ``# ...`` lines here.  Compiled source is registered in ``linecache`` under a
stable pseudo-filename, so tracebacks show generated lines and ``inspect.getsource``
works on generated functions (which keeps every transform's output valid input to
every transform).
"""
import ast
import hashlib
import linecache
import re
import threading
import types
import weakref

import astor
import gast

from .build import COMMENT_PREFIX, is_comment
from .walk import subnodes

_COMMENT_LINE = re.compile(r"^(\s*)('''|\"\"\"|'|\")%s(.*)\2\s*$" % re.escape(COMMENT_PREFIX))


def _to_ast(node):
    """gast -> ast for the node types generated code uses (faster than gast_to_ast)."""
    if isinstance(node, list):
        return [_to_ast(n) for n in node]
    if not isinstance(node, gast.AST):
        return node
    cls = getattr(ast, type(node).__name__)
    new = cls(**{f: _to_ast(getattr(node, f)) for f in cls._fields if hasattr(node, f)})
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        value = getattr(node, attr, None)
        if value is not None:
            setattr(new, attr, value)
    return new


def to_source(tree):
    """Render a gast Module or FunctionDef as Python source text."""
    py = _to_ast(tree)
    _no_empty_blocks(py)
    ast.fix_missing_locations(py)
    text = astor.to_source(py, indent_with=" " * 4, pretty_source=lambda parts: "".join(parts))
    return _render_comments(text)


def _is_comment(stmt):
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
        and isinstance(stmt.value.value, str) and stmt.value.value.startswith(COMMENT_PREFIX)


def _no_empty_blocks(py):
    """Comments over nothing are not rendered, so a block holding only comments would
    come out empty: ``if c: <comments> else: B`` becomes ``if not c: B``, a loop or a
    branch with nothing to do gets ``pass``, an ``else`` with nothing goes."""
    for node in subnodes(py):
        if not isinstance(node, (ast.If, ast.For, ast.While, ast.FunctionDef)):
            continue
        body_empty = all(_is_comment(stmt) for stmt in node.body)
        if isinstance(node, ast.If):
            if all(_is_comment(stmt) for stmt in node.orelse):
                node.orelse = []
            elif body_empty:
                node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
                node.body, node.orelse = node.orelse, []
                continue
        if body_empty:
            node.body = node.body + [ast.Pass()]


def _render_comments(text):
    lines = []                               # (indent, comment text or None, raw line)
    for line in text.splitlines():
        match = _COMMENT_LINE.match(line)
        if match:
            indent, quote, body = match.groups()
            body = ast.literal_eval(quote + body + quote)
            lines.append((len(indent), body, indent + "#" + (" " + body if body else "")))
        else:
            indent = len(line) - len(line.lstrip())
            lines.append((indent, None, line))
    out = []
    previous = {}                            # indent -> text of the last comment kept there
    for k, (indent, comment, raw) in enumerate(lines):
        if comment is None:
            if raw.strip():
                for level in [lvl for lvl in previous if lvl > indent]:
                    del previous[level]
            out.append(raw)
            continue
        following = next((entry for entry in lines[k + 1:] if entry[2].strip()), None)
        heads_code = (following is not None and following[1] is None
                      and following[0] >= indent)
        if not heads_code or not comment or previous.get(indent) == comment:
            continue                          # a comment over nothing, or a repeat
        previous[indent] = comment
        out.append(raw)
    text = "\n".join(out).strip("\n") + "\n"
    # astor separates top-level definitions inconsistently; normalise to two blank lines.
    text = re.sub(r"\n{3,}", "\n\n\n", text)
    return text


def pseudo_filename(label, source):
    digest = hashlib.sha1(source.encode()).hexdigest()[:10]
    return "<transpiler %s %s>" % (label, digest)


def compile_source(source, namespace, label, origins=None, filename=None):
    """Execute ``source`` in ``namespace``; register it with linecache; return namespace.

    ``origins`` maps a line of ``source`` to the user's ``(file, line, text)`` it was
    generated from (``origins_of``); an exception raised on that line while generated
    code runs is annotated with it (``annotate``).  ``filename``: the file the source
    was written to (the disk cache's), else a pseudo-filename is made up.
    """
    filename = filename or pseudo_filename(label, source)
    entry = (len(source), None, source.splitlines(True), filename)
    linecache.cache[filename] = entry
    code = compile(source, filename, "exec")
    exec(code, namespace)
    _keep_lines(entry, namespace, origins or {})
    return namespace


# ---------------------------------------------------------------- user lines at run time

_ORIGINS = {}   # pseudo-filename -> {generated line: (user file, user line, source text)}


def _statements(body, is_marker):
    """The statements of ``body`` and of the blocks inside them, in source order."""
    for stmt in body:
        if is_marker(stmt):
            continue
        yield stmt
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from _statements(inner, is_marker)


def origins_of(tree, text, origin_of):
    """``{line of text: (file, line, source text)}`` for the statements of ``tree``.

    ``text`` is ``to_source(tree)``; parsed again, its statements come in the order of
    the tree's (comments aside), so the n-th statement of one is the n-th of the other.
    ``origin_of(function name)`` gives the user function (``FunctionSource``) a top-level
    function was generated from, or None.  Where the two disagree, nothing is mapped.
    """
    origins = {}
    try:
        rendered_module = ast.parse(text)
    except SyntaxError:                      # compile_source reports it
        return origins
    functions = [node for node in tree.body if not is_comment(node)]
    for function, rendered in zip(functions, rendered_module.body):
        if not isinstance(rendered, ast.FunctionDef) or \
                getattr(function, "name", None) != rendered.name:
            continue
        source = origin_of(function.name)
        if source is None:
            continue
        # comments are not rendered; `pass` may be added to a block of comments
        ours = list(_statements(function.body, lambda stmt: is_comment(stmt)
                                or isinstance(stmt, gast.Pass)))
        theirs = list(_statements(rendered.body, lambda stmt: isinstance(stmt, ast.Pass)))
        if len(ours) != len(theirs):
            continue
        for stmt, line in zip(ours, theirs):
            lineno = getattr(stmt, "lineno", None)
            text_line = source.located.lines.get(lineno, "").strip() if lineno else ""
            if not text_line:
                continue
            last = line.lineno if isinstance(stmt, (gast.If, gast.For, gast.While)) \
                else (line.end_lineno or line.lineno)
            for generated in range(line.lineno, last + 1):
                origins[generated] = (source.filename, lineno, text_line)
    return origins


_NOTED = "__transpiler_noted__"


def is_generated(filename):
    """Was code of this file name generated (by this process, or read from the disk
    cache)?"""
    return filename.startswith("<transpiler") or filename in _ORIGINS


def origins_for(filename):
    """The origins of the generated module compiled as ``filename`` (``origins_of``)."""
    return _ORIGINS.get(filename)


def annotate(exc):
    """Add to ``exc`` a note naming the user's file, line and source line that the
    innermost generated line it passed through was made from (once)."""
    if getattr(exc, _NOTED, False):
        return
    where = None
    tb = exc.__traceback__
    while tb is not None:
        origins = _ORIGINS.get(tb.tb_frame.f_code.co_filename)
        if origins and tb.tb_lineno in origins:
            where = origins[tb.tb_lineno]
        tb = tb.tb_next
    if where is None:
        return
    try:
        setattr(exc, _NOTED, True)
    except AttributeError:
        return
    note = "raised in code generated from %s, line %d:\n    %s" % where
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:                                  # before Python 3.11: kept, not printed
        exc.__notes__ = list(getattr(exc, "__notes__", ())) + [note]


_LOCK = threading.Lock()
_LIVE = {}      # pseudo-filename -> the live functions compiled from it (weakly)


def _keep_lines(entry, namespace, origins):
    """Keep linecache's ``entry`` for as long as a function compiled from its source lives.

    Tracebacks and ``inspect.getsource`` of a generated function need its source in
    linecache; once every function from one source is gone (its cache entry evicted and
    no one else holding it), the source is dropped on a later compilation, so linecache
    does not grow with every function ever generated.  Identical sources share one
    pseudo-filename (it hashes the source) and one registration.
    """
    filename = entry[3]
    functions = [value for value in namespace.values() if isinstance(value, types.FunctionType)
                 and value.__code__.co_filename == filename]
    with _LOCK:
        for name in [name for name, live in _LIVE.items() if not live]:
            del _LIVE[name]
            linecache.cache.pop(name, None)
            _ORIGINS.pop(name, None)
        _LIVE.setdefault(filename, weakref.WeakSet()).update(functions)
        linecache.cache[filename] = entry
        _ORIGINS[filename] = origins
