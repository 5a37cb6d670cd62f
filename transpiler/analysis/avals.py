"""Abstract values: what the compiler knows about a value for one call signature.

    Array(dtype, shape, kind, value)
        dtype   np.dtype, or None when unknown
        shape   a tuple of dims -- an int, or None for a size known only at run time --
                or None when even the rank is unknown
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
coarse key only which dimensions are 1 (what decides broadcasting), so code specialised
on it reads the other sizes at run time.
"""
import numbers
from dataclasses import dataclass

import numpy as np

NDARRAY, SCALAR, PYTHON = "ndarray", "scalar", "python"


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
        """The shape if every dimension is known, else None."""
        if self.shape is None or any(d is None for d in self.shape):
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


def of_argument(value):
    """The abstract value of an argument of a call (sizes known, Python values not)."""
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        return python_scalar(value, static=False)
    if isinstance(value, np.ndarray):
        return Array(value.dtype, tuple(value.shape), NDARRAY)
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

def key(aval, coarse=False):
    """A hashable key; ``coarse`` keeps of each dimension only whether it is 1."""
    if aval is None:
        return None
    if isinstance(aval, Array):
        shape = aval.shape
        if coarse and shape is not None:
            shape = tuple(1 if d == 1 else None for d in shape)
        dtype = aval.dtype.str if aval.dtype is not None else None
        return ("array", dtype, shape, aval.kind)
    if isinstance(aval, Seq):
        items = None if aval.items is None else tuple(key(v, coarse) for v in aval.items)
        return (aval.kind, items)
    if isinstance(aval, Dict):
        return ("dict", tuple((k, key(v, coarse)) for k, v in aval.items))
    value = aval.value
    try:
        hash(value)
        return ("const", type(value).__name__, value)
    except TypeError:
        return ("const", type(value).__name__, id(value))


def coarsen(aval):
    """The same value with the sizes that are not 1 forgotten."""
    if isinstance(aval, Array) and aval.shape is not None:
        return aval.with_(shape=tuple(1 if d == 1 else None for d in aval.shape))
    if isinstance(aval, Seq) and aval.items is not None:
        return Seq(aval.kind, tuple(coarsen(v) for v in aval.items))
    if isinstance(aval, Dict):
        return Dict(tuple((k, coarsen(v)) for k, v in aval.items))
    return aval


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
    must be n or 1); against 1 or None it stays None.
    """
    if any(s is None for s in shapes):
        return None
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for k in range(rank):
        dims = [s[len(s) - rank + k] for s in shapes if len(s) - rank + k >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError("shapes %s do not broadcast" % (shapes,))
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def same_shape(operand, result):
    """Is an operand of a broadcasting operation certainly of the result's shape?

    True when the ranks agree and every dimension of size 1 in the operand is 1 in the
    result too (broadcasting stretches only dimensions of size 1).
    """
    if operand is None or result is None or len(operand) != len(result):
        return False
    for d, r in zip(operand, result):
        if d == r and d is not None:
            continue
        if d is None and r is None:
            return False       # two unknown sizes: only equal if nothing broadcast them
        if d == 1 and r != 1:
            return False
        if d is None or r is None:
            return False
    return True


def size(shape):
    if shape is None or any(d is None for d in shape):
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


def static_value(aval):
    """The Python value an abstract value stands for when it is known, else raise
    LookupError (ints and bools from shapes and literals, constants, tuples of them)."""
    if isinstance(aval, Array) and aval.kind == PYTHON and aval.value is not None:
        return aval.value
    if isinstance(aval, Const):
        return aval.value
    if isinstance(aval, Seq) and aval.items is not None:
        return tuple(static_value(v) for v in aval.items)
    raise LookupError("not static")
