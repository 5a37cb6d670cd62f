"""A generated program: its source, the parameters of ``f`` and how to make its inputs.

A program is plain text (a module defining ``f`` and maybe helpers it calls) plus what
the checker needs to run it: the kind of each parameter of ``f``, which of them are
differentiated, and the seed of its random inputs.  Regression cases are written in the
same terms (``Program(source, params, argnums, seed)``).
"""
import functools
import itertools
import linecache
import re
import textwrap
import types
from dataclasses import dataclass

import numpy as np

import transpiler.numpy as tnp


@dataclass(frozen=True)
class Param:
    """One parameter of ``f``.

    ``kind``: ``"array"`` (float64 array of ``shape``), ``"float"`` (a Python float),
    ``"float64"`` (a NumPy scalar), ``"0d"`` (a 0-d array) or ``"int"`` (the Python int
    ``value``, a trip count).
    """
    name: str
    kind: str
    shape: tuple = ()
    value: int = 0

    @property
    def differentiable(self):
        return self.kind != "int"

    def __repr__(self):
        if self.kind == "int":
            return "Param(%r, 'int', value=%d)" % (self.name, self.value)
        if self.kind == "array":
            return "Param(%r, 'array', %r)" % (self.name, self.shape)
        return "Param(%r, %r)" % (self.name, self.kind)

    def make(self, rng):
        if self.kind == "int":
            return self.value
        if self.kind == "array":
            return rng.standard_normal(self.shape)
        value = rng.standard_normal()
        return {"float": float, "float64": np.float64, "0d": np.array}[self.kind](value)


@dataclass(frozen=True)
class Program:
    """A module's source, the parameters of its function ``f``, and how to check it."""
    source: str
    params: tuple
    argnums: tuple
    seed: int = 0
    name: str = ""            # regressions: what the program shows

    def __post_init__(self):
        object.__setattr__(self, "source", textwrap.dedent(self.source).strip() + "\n")

    def make_args(self):
        """Fresh inputs (the same ones on every call)."""
        rng = np.random.default_rng(self.seed)
        return tuple(p.make(rng) for p in self.params)

    def describe(self):
        """The program as a regression entry (paste into ``regressions.py``)."""
        body = textwrap.indent(self.source, " " * 8)
        return ("Program(\n    name=%r,\n    source='''\n%s''',\n    params=%r,\n"
                "    argnums=%r, seed=%d)" % (self.name, body, self.params, self.argnums,
                                             self.seed))

    def __repr__(self):
        return "Program(<%d lines>, params=%s, argnums=%r, seed=%d)" % (
            self.source.count("\n"), ", ".join(p.name for p in self.params), self.argnums,
            self.seed)


_COUNTER = itertools.count()


def load(program):
    """Execute the program's module; return its function ``f``.

    The source is registered in ``linecache`` under a unique file name, as if it were a
    file: the compiler reads functions' source from there.
    """
    filename = "<fuzz-program-%d>" % next(_COUNTER)
    linecache.cache[filename] = (len(program.source), None,
                                 program.source.splitlines(True), filename)
    namespace = {"__name__": "fuzz_program"}
    exec(compile(program.source, filename, "exec"), namespace)
    return namespace["f"], filename


def load_reference(program):
    """The program's ``f`` for the plain run that transformed code is judged against.

    Plain NumPy arrays have no ``.at``: here ``x.at[i].set(v)`` runs as
    ``PlainAt(x)[i].set(v)``, transpiler.numpy's update on a copy of ``x``, giving a plain
    array back (under a transform ``.at`` works on plain arrays itself).
    """
    source = re.sub(r"\b([A-Za-z_]\w*)\.at\[", r"PlainAt(\1)[", program.source)
    namespace = {"__name__": "fuzz_program_reference", "PlainAt": PlainAt}
    exec(compile(source, "<fuzz-reference-%d>" % next(_COUNTER), "exec"), namespace)
    return namespace["f"]


class PlainAt:
    """``x.at`` of a plain array, by transpiler.numpy's: ``PlainAt(x)[i].add(v)``."""

    def __init__(self, array):
        self._at = tnp.asarray(array).at

    def __getitem__(self, index):
        update = self._at[index]
        return types.SimpleNamespace(**{
            op: functools.partial(_plain, getattr(update, op))
            for op in ("set", "add", "multiply", "divide", "get")})


def _plain(op, *args):
    out = op(*args)
    return np.array(out) if isinstance(out, np.ndarray) else out


def unload(filename):
    """Forget a loaded program's source (a long run loads thousands)."""
    linecache.cache.pop(filename, None)
