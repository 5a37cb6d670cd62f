"""Abstract values: what the compiler knows about a value for one call signature.

    Array(dtype, shape, kind, value)
        dtype   np.dtype, or None when unknown
        shape   a tuple of dims -- an int; a Size, a symbol for a size read at run time
                that is known to be neither 0 nor 1; or None for a size not known at
                all -- or None when even the rank is unknown
        kind    NDARRAY  a NumPy array: mutable, possibly a view of another
                SCALAR   a NumPy scalar (np.float64(1.0)): immutable
                PYTHON   a Python bool, int or float: immutable, weak in type promotion
                None     not known which
        value   the Python value of a PYTHON scalar when it is known (a size read from
                a shape, a literal)
    Seq("tuple" | "list", items)   items: a tuple of abstract values, or None when the
                                   length is not known
    Dict(items)                    ((key, abstract value), ...) in insertion order
    Const(value)                   None, strings, slices, dtypes, functions ...
    None                           nothing is known

Specialisation keys come from these (``key``): the full key names every dimension; the
coarse key only which dimensions are 0 or 1.  Code specialised on a coarse key knows the
other dimensions as symbols (``Size``): what decides broadcasting (which dimensions are 1)
is known exactly, two dimensions with the same symbol are equal, and the sizes
themselves are read when the code runs -- batch 128 and batch 129 share one source.
"""
import contextlib
import numbers
import threading
from dataclasses import dataclass

import numpy as np

NDARRAY, SCALAR, PYTHON = "ndarray", "scalar", "python"


class Size:
    """A symbolic dimension: a size known only at run time.

    A root symbol stands for an argument's dimension, known to be at least 2 (the
    specialisation key says which dimensions are 0 or 1).  Slicing derives others from
    it: ``x[1:]`` of a dimension ``n`` has ``n - 1`` (``offset`` -1; the value is
    ``max(n + offset, 0)``), which may be 1 (``may_be_one``).  Two dimensions with the
    same root and offset are equal sizes, whatever they are.  A symbol supports no
    arithmetic and no ordering: a rule that computes with sizes (``n + m``,
    ``min(n, 3)``, ``range(n)``) fails with a TypeError, which abstract evaluation reads
    as "not known" -- never a made-up size.  Nor may it reach generated code
    (``leaked``): where a size is needed there, code reads it from an array.
    """

    __slots__ = ("root", "offset")
    _count = [0]

    def __init__(self, root=None, offset=0):
        if root is None:
            Size._count[0] += 1
            root = Size._count[0]
        self.root = root
        self.offset = offset

    def __eq__(self, other):
        return type(other) is Size and other.root == self.root and other.offset == self.offset

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((Size, self.root, self.offset))

    @property
    def least(self):
        """The smallest value it can have."""
        return max(2 + self.offset, 0)

    @property
    def may_be_one(self):
        return self.least <= 1

    def minus(self, k):
        return Size(self.root, self.offset - k)

    def __repr__(self):
        return "%s%d%s" % (SIZE_MARK, self.root, "_minus_%d" % -self.offset if self.offset
                           else "")

    def __reduce__(self):
        raise TypeError("a symbolic size is not a value")


SIZE_MARK = "_symbolic_size_"
"""What a ``Size`` that reached generated source looks like there (``leaked``)."""


def is_size(dim):
    return type(dim) is Size


# ------------------------------------------------------------ assumptions

_RECORDING = threading.local()


@contextlib.contextmanager
def assumptions():
    """Record the sizes the analyses take to be equal while code is generated.

    Two symbolic sizes broadcast together (``x + y`` with ``x`` of ``n`` elements and
    ``y`` of ``m``) make a result of one size only if ``n == m``: NumPy raises otherwise,
    where the operation runs -- but generated code may not compute it (a value needed
    only for its shape is never computed).  So each such assumption is recorded, as
    ``("equal", a, b)`` or ``("one_or", a, b)`` (``a`` is 1 or ``b``: a slice's ``n - 1``
    against a size), and the transform checks them on the arguments before it runs the
    code; where one fails it runs code made for those very sizes, which raises where
    NumPy would.  Yields the set; an enclosing recording receives it too.
    """
    stack = getattr(_RECORDING, "stack", None)
    if stack is None:
        stack = _RECORDING.stack = []
    found = set()
    stack.append(found)
    try:
        yield found
    finally:
        stack.pop()
        if stack:
            stack[-1].update(found)


def assume(kind, a, b):
    """Note that the code is right only if sizes ``a`` and ``b`` are equal (``kind``
    "equal"), or ``a`` is 1 or ``b`` ("one_or")."""
    if a is None or b is None or a == b or not (is_size(a) or is_size(b)):
        return
    stack = getattr(_RECORDING, "stack", None)
    if stack:
        stack[-1].add((kind, a, b))


def not_one(dim):
    """Is the dimension certainly not 1 (an int other than 1, a symbol of at least 2)?"""
    return (type(dim) is int and dim != 1) or (type(dim) is Size and not dim.may_be_one)


def may_be_one(dim):
    """Might the dimension be 1 without being known to be (None, ``n - 1``)?"""
    return dim is None or (type(dim) is Size and dim.may_be_one)


def leaked(source):
    """Did a symbolic size get written into generated source as if it were a number?"""
    return SIZE_MARK in source


@dataclass(frozen=True)
class Array:
    dtype: object = None
    shape: tuple = None
    kind: str = None
    value: object = None

    @property
    def rank(self):
        return None if self.shape is None else len(self.shape)

    @property
    def static_shape(self):
        """The shape if every dimension is a known int, else None."""
        if self.shape is None or any(type(d) is not int for d in self.shape):
            return None
        return self.shape

    @property
    def mutable(self):
        """May this value be written in place (an ndarray, or not known not to be)?"""
        return self.kind not in (SCALAR, PYTHON)

    @property
    def is_scalar(self):
        return self.shape == ()

    def with_(self, **changes):
        fields = dict(dtype=self.dtype, shape=self.shape, kind=self.kind, value=self.value)
        fields.update(changes)
        return Array(**fields)


@dataclass(frozen=True)
class Seq:
    kind: str                    # "tuple" or "list"
    items: tuple = None


@dataclass(frozen=True)
class Dict:
    items: tuple = ()

    def get(self, key):
        for k, v in self.items:
            if k == key and type(k) is type(key):
                return v
        raise KeyError(key)

    def keys(self):
        return [k for k, _ in self.items]


@dataclass(frozen=True)
class Const:
    value: object = None

    def __eq__(self, other):
        return isinstance(other, Const) and _same_constant(self.value, other.value)

    def __hash__(self):
        try:
            return hash((type(self.value), self.value))
        except TypeError:
            return id(self.value)


def _same_constant(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:          # noqa: BLE001 (arbitrary objects: identity decides)
        return False


# ------------------------------------------------------------ from concrete values

def python_scalar(value, static=True):
    """The abstract value of a Python bool/int/float (its value kept if ``static``)."""
    if isinstance(value, bool):
        dtype = np.dtype(bool)
    elif isinstance(value, numbers.Integral):
        dtype = np.dtype(int)
    else:
        dtype = np.dtype(float)
    return Array(dtype, (), PYTHON, value if static else None)


def is_device_array(value):
    """Is ``value`` an array in GPU memory: numba-cuda's (or the CUDA simulator's) device
    array, or any object with the CUDA array interface (jit's ``backend="cuda"``)?"""
    return hasattr(value, "__cuda_array_interface__") or (
        hasattr(value, "copy_to_host") and hasattr(value, "shape"))


def of_argument(value):
    """The abstract value of an argument of a call (sizes known, Python values not)."""
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        return python_scalar(value, static=False)
    if isinstance(value, np.ndarray) or is_device_array(value):
        return Array(np.dtype(value.dtype), tuple(value.shape), NDARRAY)
    if isinstance(value, np.generic):
        return Array(value.dtype, (), SCALAR)
    if isinstance(value, tuple):
        return Seq("tuple", tuple(of_argument(v) for v in value))
    if isinstance(value, list):
        return Seq("list", tuple(of_argument(v) for v in value))
    if isinstance(value, dict):
        return Dict(tuple((k, of_argument(v)) for k, v in value.items()))
    if value is None or isinstance(value, (str, slice)):
        return Const(value)
    return None


def of_constant(value):
    """The abstract value of a literal or an object the code refers to."""
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        return python_scalar(value)
    if isinstance(value, complex):
        return Array(np.dtype(complex), (), PYTHON, value)
    if isinstance(value, (np.ndarray, np.generic)):
        return of_argument(value)
    if isinstance(value, tuple):
        return Seq("tuple", tuple(of_constant(v) for v in value))
    return Const(value)


def of_static(value):
    """The abstract value of a static argument of ``jit``: its value, known."""
    aval = of_constant(value)
    if isinstance(aval, Array) and aval.kind != PYTHON:
        return Const(value)              # a NumPy scalar: a constant, not a traced array
    return aval


# ------------------------------------------------------------ keys

def key(aval, coarse=False, symbols=None):
    """A hashable key; ``coarse`` keeps of each dimension only whether it is 0 or 1.

    Symbolic sizes are numbered in the order they are met (``symbols``, shared by the
    keys of one signature's arguments), so two signatures whose symbols are equal in the
    same pattern have one key: their code is the same."""
    if aval is None:
        return None
    if symbols is None:
        symbols = {}
    if isinstance(aval, Array):
        shape = aval.shape
        if shape is not None:
            if coarse:
                shape = tuple(d if d in (0, 1) else None for d in shape)
            else:
                shape = tuple(_size_key(d, symbols) if is_size(d) else d for d in shape)
        dtype = aval.dtype.str if aval.dtype is not None else None
        value = aval.value
        if is_size(value):
            value = _size_key(value, symbols)
        return ("array", dtype, shape, aval.kind) if value is None else \
            ("array", dtype, shape, aval.kind, value)
    if isinstance(aval, Seq):
        items = None if aval.items is None else \
            tuple(key(v, coarse, symbols) for v in aval.items)
        return (aval.kind, items)
    if isinstance(aval, Dict):
        return ("dict", tuple((k, key(v, coarse, symbols)) for k, v in aval.items))
    value = aval.value
    try:
        hash(value)
        return ("const", type(value).__name__, value)
    except TypeError:
        return ("const", type(value).__name__, id(value))


def map_dims(aval, dim):
    """``aval`` with each dimension ``d`` of its arrays, and each size it holds as a
    Python value, replaced by ``dim(d)``."""
    if isinstance(aval, Array):
        shape = None if aval.shape is None else tuple(dim(d) for d in aval.shape)
        value = dim(aval.value) if is_size(aval.value) else aval.value
        return aval.with_(shape=shape, value=value)
    if isinstance(aval, Seq) and aval.items is not None:
        return Seq(aval.kind, tuple(map_dims(v, dim) for v in aval.items))
    if isinstance(aval, Dict):
        return Dict(tuple((k, map_dims(v, dim)) for k, v in aval.items))
    return aval


def coarsen(aval):
    """The same value with the sizes that are not 0 or 1 made symbols (a fresh one for
    each dimension: which of them are equal is settled by the code, as it broadcasts)."""
    return map_dims(aval, lambda d: d if d in (0, 1) else Size())


def signature_key(avals, coarse=False):
    """The key of several abstract values at once (a signature): their symbols numbered
    together, so that which of them are equal is part of the key.  Returns (key, roots):
    ``roots`` the symbols' roots in the order of their numbers (``rename_sizes``)."""
    symbols = {}
    parts = tuple(key(a, coarse, symbols) for a in avals)
    return parts, sorted(symbols, key=symbols.get)


def rename_sizes(aval, mapping):
    """``aval`` with each symbolic size's root replaced by ``mapping[root]`` (a size whose
    root is not in ``mapping`` becomes unknown)."""
    return map_dims(aval, lambda d: _renamed(d, mapping))


def _renamed(dim, mapping):
    if not is_size(dim):
        return dim
    root = mapping.get(dim.root)
    return None if root is None else Size(root, dim.offset)


def _size_key(size, symbols):
    return ("size", symbols.setdefault(size.root, len(symbols)), size.offset)


def forget_sizes(aval):
    """The same value with the sizes that are not 0 or 1 not known at all (None): what
    code that reads every size at run time is specialised to."""
    return map_dims(aval, lambda d: d if d in (0, 1) else None)


# ------------------------------------------------------------ lattice

def join(a, b):
    """What is known of a value that is ``a`` on one path and ``b`` on another."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    if isinstance(a, Array) and isinstance(b, Array):
        return Array(a.dtype if a.dtype == b.dtype else None,
                     _join_shapes(a.shape, b.shape),
                     a.kind if a.kind == b.kind else None,
                     a.value if a.kind == b.kind == PYTHON and _same_constant(a.value, b.value)
                     else None)
    if isinstance(a, Seq) and isinstance(b, Seq) and a.kind == b.kind:
        if a.items is None or b.items is None or len(a.items) != len(b.items):
            return Seq(a.kind, None)
        return Seq(a.kind, tuple(join(x, y) for x, y in zip(a.items, b.items)))
    if isinstance(a, Dict) and isinstance(b, Dict):
        # the keys either may have (a key written on one path only is one of them)
        keys = a.keys() + [k for k in b.keys() if k not in a.keys()]
        return Dict(tuple((k, join(_item(a, k), _item(b, k))) for k in keys))
    return None


def _item(d, key):
    try:
        return d.get(key)
    except KeyError:
        return None


def _join_shapes(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b))


# ------------------------------------------------------------ shapes

class ShapeError(Exception):
    """Shapes that cannot go together (the program would fail at run time)."""


def broadcast_shapes(*shapes):
    """NumPy's broadcasting of shapes whose dims may be None (known only at run time).

    Returns None if a rank is unknown.  A None dim against a known dim n > 1 is n (it
    must be n or 1); against 1 or None it stays None.  A symbolic size (``Size``) that
    is not 1 broadcasts as a known size does: against an int n it must be n, against
    another symbol the two are equal (the first stands for both).  One that may be 1
    (``n - 1``) is the result only against itself or 1; against anything else it is
    either 1 (and stretched) or that size.
    """
    if any(s is None for s in shapes):
        return None
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for k in range(rank):
        dims = [s[len(s) - rank + k] for s in shapes if len(s) - rank + k >= 0]
        others = [d for d in dims if d != 1]
        known = {d for d in others if type(d) is int}
        if len(known) > 1:
            raise ShapeError("shapes %s do not broadcast" % (shapes,))
        symbols = [d for d in others if is_size(d) and not d.may_be_one]
        if symbols and known & {0}:
            raise ShapeError("shapes %s do not broadcast" % (shapes,))
        if known:
            out.append(known.pop())
        elif symbols:
            out.append(symbols[0])
        elif not others:
            out.append(1)
        elif all(d == others[0] for d in others) and others[0] is not None:
            out.append(others[0])                # one size that may be 1, alone
        else:
            out.append(None)
        if out[-1] is not None:
            for d in others:
                if d is not None and d != out[-1]:
                    assume("one_or" if may_be_one(d) else "equal", d, out[-1])
    return tuple(out)


def same_shape(operand, result):
    """Is an operand of a broadcasting operation certainly of the result's shape?

    True when the ranks agree and no dimension of the operand was stretched: each is
    the result's very dimension, or certainly not 1 (broadcasting stretches only
    dimensions of size 1; an operand that broadcast without being stretched has the
    result's size there).
    """
    if operand is None or result is None or len(operand) != len(result):
        return False
    for d, r in zip(operand, result):
        if d == r and d is not None:
            continue
        if not (not_one(d) and (not_one(r) or is_size(r) or type(r) is int)):
            return False
    return True


def size(shape):
    if shape is None or any(type(d) is not int for d in shape):
        return None
    return int(np.prod(shape, dtype=np.int64))


# ------------------------------------------------------------ dtypes

_WEAK = {np.dtype(bool): False, np.dtype(int): 0, np.dtype(float): 0.0,
         np.dtype(complex): 0j}


def result_dtype(*avals):
    """NumPy's type promotion over abstract scalars and arrays (Python scalars weak)."""
    operands = []
    for aval in avals:
        if not isinstance(aval, Array) or aval.dtype is None:
            return None
        if aval.kind == PYTHON and aval.dtype in _WEAK:
            operands.append(_WEAK[aval.dtype])
        else:
            operands.append(aval.dtype)
    if not operands:
        return None
    return np.result_type(*operands)


def float_dtype(dtype):
    """The floating dtype a differentiable result of ``dtype`` inputs has."""
    if dtype is None:
        return None
    if np.issubdtype(dtype, np.inexact):
        return dtype
    return np.dtype(np.float64)


def is_float(aval):
    return isinstance(aval, Array) and aval.dtype is not None and \
        np.issubdtype(aval.dtype, np.floating)


def is_int(aval):
    """A Python int or an integer scalar/array."""
    return isinstance(aval, Array) and aval.dtype is not None and \
        np.issubdtype(aval.dtype, np.integer)


def static_value(aval, sizes=False):
    """The Python value an abstract value stands for when it is known, else raise
    LookupError (ints and bools from shapes and literals, constants, tuples of them).
    A size read from a symbolic dimension is a value only for rules that take shapes
    (``sizes``): it has no value to compute or compare with."""
    if isinstance(aval, Array) and aval.kind == PYTHON and aval.value is not None:
        if is_size(aval.value) and not sizes:
            raise LookupError("a symbolic size")
        return aval.value
    if isinstance(aval, Const):
        return aval.value
    if isinstance(aval, Seq) and aval.items is not None:
        return tuple(static_value(v, sizes) for v in aval.items)
    raise LookupError("not static")
