"""What the generator knows at one point of a program: the variables and their types.

The generator keeps programs valid by construction: every expression has a known shape,
every index is in range, every list read has a known length.  Types are static and a
variable keeps its type for life (a reassignment gives it a value of the same type), so
that loops and branches need no fixed point.  ``pinned`` marks values that may share
memory with an argument: nothing is ever written into them (the compiler refuses such
writes, and the program would modify its caller's arrays).
"""
from dataclasses import dataclass, replace

import numpy as np

# Shapes of the float values in programs; the scalar first (hypothesis shrinks to it).
SHAPES = ((), (3,), (2, 3), (2,), (2, 1), (6,), (3, 2))


def broadcast(*shapes):
    return tuple(np.broadcast_shapes(*shapes))


def broadcasts_into(shape):
    """The shapes S with broadcast(S, shape) == shape."""
    return [s for s in SHAPES if _broadcasts(s, shape) and broadcast(s, shape) == shape]


def operand_pairs(shape):
    """Pairs of shapes whose broadcast is ``shape``."""
    return [(a, b) for a in SHAPES for b in SHAPES
            if _broadcasts(a, b) and broadcast(a, b) == shape]


def _broadcasts(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Array:
    """A float64 array of ``shape``; shape () is a float scalar (immutable)."""
    shape: tuple
    pinned: bool = False


@dataclass(frozen=True)
class Int:
    """A non-negative int no larger than ``top``."""
    top: int


@dataclass(frozen=True)
class List:
    """A list of arrays of shape ``elem``; ``length`` None when it depends on data."""
    elem: tuple
    length: object = 0
    pinned: bool = False


@dataclass(frozen=True)
class Pair:
    """A tuple of two values (helper parameters and results)."""
    first: object
    second: object


class Scope:
    """The variables visible in one block; ``local_lists`` may be appended to here."""

    def __init__(self, variables=None, local_lists=()):
        self.vars = dict(variables or {})
        self.local_lists = set(local_lists)

    def child(self):
        """The scope at the start of a nested block (lists of outer blocks are frozen)."""
        return Scope(self.vars)

    def add(self, name, typ):
        self.vars[name] = typ
        if isinstance(typ, List):
            self.local_lists.add(name)

    def names(self, kind, test=lambda t: True):
        return sorted(n for n, t in self.vars.items() if isinstance(t, kind) and test(t))

    def arrays(self, shape=None, writable=False):
        """Names of float values, of ``shape`` if given; ``writable``: arrays (ndim > 0)
        that share no memory with an argument."""
        return self.names(Array, lambda t: (shape is None or t.shape == shape)
                          and (not writable or (t.shape != () and not t.pinned)))

    def iterables(self):
        """Arrays a loop may iterate over (their items have a shape of ``SHAPES``)."""
        return self.names(Array, lambda t: t.shape != () and t.shape[1:] in SHAPES)

    def ints(self):
        return self.names(Int)

    def lists(self, test=lambda t: True):
        return self.names(List, test)


def merge(before, ends):
    """The scope after a construct whose paths end in the scopes ``ends`` (those that
    fall through; ``before`` among them when the construct may be skipped).

    A variable survives if every path has it with a compatible type: arrays keep the
    shape and are pinned if any path pins them, lists keep a length all paths agree on.
    """
    if not ends:                       # no path falls through: what follows is dead code
        return Scope(before.vars, before.local_lists)
    out = Scope(local_lists=before.local_lists)
    for name in ends[0].vars:
        types = [end.vars.get(name) for end in ends]
        joined = _join(types)
        if joined is not None:
            out.vars[name] = joined
    out.local_lists &= set(out.vars)
    return out


def _join(types):
    first = types[0]
    if any(t is None or type(t) is not type(first) for t in types):
        return None
    if isinstance(first, Array):
        if any(t.shape != first.shape for t in types):
            return None
        return replace(first, pinned=any(t.pinned for t in types))
    if isinstance(first, Int):
        return Int(max(t.top for t in types))
    if isinstance(first, List):
        if any(t.elem != first.elem for t in types):
            return None
        lengths = {t.length for t in types}
        return List(first.elem, lengths.pop() if len(lengths) == 1 else None,
                    any(t.pinned for t in types))
    return first if all(t == first for t in types) else None


@dataclass(frozen=True)
class Helper:
    """A generated helper function: what its callers need to know."""
    name: str
    params: tuple          # ((name, type), ...)
    returns: object        # Array or Pair of Arrays
    returns_pinned: bool   # its result may share memory with an argument


_NAMES = {
    "value": ("a", "b", "c", "d", "e", "g", "p", "q", "u", "v", "w", "acc", "out", "tmp"),
    "list": ("L", "M", "K"),
    "int": ("i", "j", "k", "m"),
    "item": ("r", "row", "el", "col"),
}


class Gen:
    """Function-wide state of the generator: names, the statement budget, helpers.

    ``n``: the value of the trip-count argument (None without one); the generator knows
    it, so indices derived from it stay in range.  ``returns``: a helper's result type
    (None in ``f``, which returns a float).  ``loops``: one entry per enclosing loop,
    recording whether its body may skip to the next iteration or leave early.
    """

    def __init__(self, budget, helpers=(), n=None, returns=None, taken=()):
        self.budget = budget
        self.helpers = list(helpers)
        self.n = n
        self.returns = returns
        self.loops = []
        self.depth = 0
        self.returned_pinned = False
        self._taken = set(taken)

    def fresh(self, kind):
        pool = _NAMES[kind]
        for name in pool:
            if name not in self._taken:
                self._taken.add(name)
                return name
        k = 2
        while "%s%d" % (pool[0], k) in self._taken:
            k += 1
        self._taken.add("%s%d" % (pool[0], k))
        return "%s%d" % (pool[0], k)
