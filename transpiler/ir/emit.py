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

from .build import COMMENT_PREFIX

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
    ast.fix_missing_locations(py)
    text = astor.to_source(py, indent_with=" " * 4, pretty_source=lambda parts: "".join(parts))
    return _render_comments(text)


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


def compile_source(source, namespace, label):
    """Execute ``source`` in ``namespace``; register it with linecache; return namespace."""
    filename = pseudo_filename(label, source)
    entry = (len(source), None, source.splitlines(True), filename)
    linecache.cache[filename] = entry
    code = compile(source, filename, "exec")
    exec(code, namespace)
    _keep_lines(entry, namespace)
    return namespace


_LOCK = threading.Lock()
_LIVE = {}      # pseudo-filename -> the live functions compiled from it (weakly)


def _keep_lines(entry, namespace):
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
        _LIVE.setdefault(filename, weakref.WeakSet()).update(functions)
        linecache.cache[filename] = entry
