"""The one error type the compiler raises for code it cannot (or will not) transform.

Every message has the same shape, so that a user can jump to the line::

    model.py:12: `try` is not supported in a function transpiler transforms
        try:
        ^^^^
    hint: move the error handling out of the function, around the call.
"""


class TranspileError(Exception):
    """Raised at transform time for source the compiler does not support.

    Attributes:
      filename, lineno, col: where, in the user's file.
      source_line: the offending line as written.
      reason: what is wrong.
      hint: what to write instead.
    """

    def __init__(self, reason, filename="<unknown>", lineno=0, col=None,
                 source_line="", hint=""):
        self.reason = reason
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.source_line = source_line
        self.hint = hint
        super().__init__(self._format())

    def _format(self):
        head = "%s:%d: %s" % (self.filename, self.lineno, self.reason)
        parts = [head]
        if self.source_line.strip():
            line = self.source_line.rstrip()
            parts.append("    " + line)
            if self.col is not None and 0 <= self.col < len(line):
                parts.append("    " + " " * self.col + "^")
        if self.hint:
            parts.append("hint: " + self.hint)
        return "\n".join(parts)


class TranspileTypeError(TranspileError, TypeError):
    """A located error about a value's type outside the contract (complex numbers): a
    ``TypeError``, as JAX raises for types it refuses, that points at the user's line."""

    @classmethod
    def like(cls, error):
        """The same message as the TranspileError ``error``."""
        return cls(error.reason, error.filename, error.lineno, error.col, error.source_line,
                   error.hint)


class Located:
    """Knows a function's file and lines; turns a node into a located error."""

    def __init__(self, filename, lines):
        self.filename = filename
        self.lines = lines          # {lineno: text} of the file region we read

    def error(self, node, reason, hint=""):
        lineno = getattr(node, "lineno", None) or 0
        col = getattr(node, "col_offset", None)
        line = self.lines.get(lineno, "")
        if col is not None:
            # col_offset is relative to the dedented text; map it back onto the line.
            indent = len(line) - len(line.lstrip())
            col = col + getattr(self, "dedent", 0)
            if col < indent:
                col = indent
        return TranspileError(reason, self.filename, lineno, col, line, hint)
