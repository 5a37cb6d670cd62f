"""The cache of generated code: an explicit key, the values the code was made from, a bound.

The key of an entry (``api.Transformed._key``, ``api.vjp``) is

    (transform, options, function key, argument signature)

* *transform* (``grad``, ``value_and_grad``, ``vjp``) and *options* (``argnums``, whether
  it was a single int, ``has_aux``): they decide what is generated.
* the *function key* (``function_key``):
  - the code object: the function's text as compiled;
  - its name and qualified name, which the generated names and labels are made from;
  - the identity of its globals dict: code objects from two modules compare equal when
    their text is equal (``==`` ignores the file), and ``SCALE * x`` means another
    ``SCALE`` in each;
  - its closure values and its defaults (``__defaults__``, ``__kwdefaults__``), by
    ``value_key``: exactly, so that ``lambda x: c * x`` made afresh in a loop with the
    same ``c`` hits, and never shares code with a ``c`` that differs in any way the
    generated code could see (``0.0`` and ``-0.0``, ``1``, ``1.0`` and ``True``).
* the *argument signature*: dtypes, ranks, which dimensions are 0 or 1 and pytree
  structure of the arguments (other sizes are symbols the code reads at run time:
  ``analysis/avals.py``), ``"validated"`` for the checks made when the transform is
  made, ``None`` for the code that knows nothing of its arguments.

Global values are not in the key.  Instead, each entry records every value its code
was made from, where it was read (a ``Read``): each global, closure variable and
attribute chain (``settings.ALPHA``, ``Config.k``, ``obj.scale``, ``pkg.mod.W``) of the
function and of every user function it calls, their defaults, and the absence of a
global where a builtin was used.  A lookup that finds one of them changed (a name or an
attribute rebound, a cell or a default replaced) drops the entry and regenerates, and a
transform checks the entry it is about to run at each call (``changed``), so an
existing transform follows a change as a new one would.  Values are read when code is
generated, as JAX reads them when it traces: numbers and strings become literals.
Other objects are bound by reference, so generated code sees what is done to them in
place: the contents of an array, list or dict changed in place are seen at the next
call (JAX would have baked an array's old contents in); a read of an array also
records its shape and dtype, so that reshaping it in place regenerates.

The cache holds at most ``maxsize`` entries (512 unless ``set_maxsize`` says
otherwise), dropping the least recently used; ``info()`` (``tp.cache_info()``) reports
hits, misses, invalidations, evictions, entries and the maximum size.  Keys and reads
hold their objects (not just ids, which Python reuses once an object dies), so an entry
keeps what it was made from alive until it is evicted.  Nothing else grows with use: a
transform keeps at most 64 specialisations of its own, a ``custom_vjp`` one wrapper
function, and generated source stays in ``linecache`` only while a function compiled
from it is alive (``ir/emit.py``).
"""
import collections
import struct
import threading
import types

import numpy as np

DEFAULT_MAXSIZE = 512

_LOCK = threading.Lock()
_ENTRIES = collections.OrderedDict()          # key -> (value, reads), oldest first
_STATS = {"hits": 0, "misses": 0, "invalidations": 0, "evictions": 0}
_MAXSIZE = [DEFAULT_MAXSIZE]


class Same:
    """A key part equal only to the same object; it keeps the object alive, so its id is
    never reused while the key exists."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, Same) and other.obj is self.obj

    def __repr__(self):
        return "Same(%s at %#x)" % (type(self.obj).__name__, id(self.obj))


ABSENT = Same(None)
"""What a read finds where there is nothing (a global not defined, an empty cell)."""

_BY_VALUE = (bool, int, str, bytes, type(None), type(Ellipsis))


def value_key(value):
    """A hashable key equal for two values only if generated code cannot tell them apart.

    Exact type and exact value for scalars (floats and complex numbers by their bits, so
    ``-0.0`` is not ``0.0`` and ``nan`` is ``nan``), NumPy scalars by dtype and bytes,
    tuples and namedtuples element by element; bound methods by function and instance;
    anything else by identity (arrays also by shape and dtype, which in-place changes
    such as ``a.shape = ...`` can alter).
    """
    kind = type(value)
    if kind in _BY_VALUE:
        return (kind, value)
    if kind is float:
        return (kind, struct.pack("<d", value))
    if kind is complex:
        return (kind, struct.pack("<dd", value.real, value.imag))
    if isinstance(value, np.generic):
        return (kind, value.dtype, value.tobytes())
    if kind is tuple or (isinstance(value, tuple) and hasattr(kind, "_fields")
                         and not hasattr(value, "__dict__")):
        return (kind, tuple(value_key(v) for v in value))
    if kind is frozenset:
        return (kind, frozenset(value_key(v) for v in value))
    if isinstance(value, np.ndarray):
        return (Same(value), value.shape, value.dtype)
    if kind is types.MethodType:                 # a new object at each attribute read
        return (kind, value_key(value.__func__), Same(value.__self__))
    if kind is types.BuiltinMethodType and not isinstance(value.__self__, types.ModuleType):
        return (kind, Same(value.__self__), value.__name__)
    return Same(value)


def function_key(fn):
    """The part of the key that identifies a live function (see the module docstring)."""
    closure = ()
    if fn.__closure__:
        closure = tuple((var, value_key(cell_value(cell)))
                        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__))
    defaults = value_key(fn.__defaults__)
    kwdefaults = tuple(sorted((k, value_key(v)) for k, v in (fn.__kwdefaults__ or {}).items()))
    return (fn.__code__, fn.__name__, fn.__qualname__, Same(fn.__globals__), closure,
            defaults, kwdefaults)


def cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:                       # an empty cell: not assigned yet
        return ABSENT


class Read:
    """One value generated code was made from, and where to read it again.

    ``scope`` is a globals dict (read ``scope[name]``), a closure cell (its contents), or
    any other object (``getattr(scope, name)``); then the attributes in ``path`` are
    followed: ``Read(f.__globals__, "settings", ("ALPHA",), 2.0)``.
    """

    __slots__ = ("scope", "name", "path", "key")

    def __init__(self, scope, name, path, value):
        self.scope = scope
        self.name = name
        self.path = tuple(path)
        self.key = value_key(value)

    def current(self):
        """The value found there now (AttributeError if an attribute is gone)."""
        scope = self.scope
        if type(scope) is dict:
            value = scope.get(self.name, ABSENT)
        elif type(scope) is types.CellType:
            value = cell_value(scope)
        else:
            value = getattr(scope, self.name)
        for attr in self.path:
            value = getattr(value, attr)
        return value

    def changed(self):
        try:
            now = self.current()
        except Exception:                    # gone, or a property that now fails
            return True
        if type(self.key) is Same:           # the common case, without a new key
            return now is not self.key.obj
        return value_key(now) != self.key

    @property
    def where(self):
        """A hashable name for the place read (for deduplication)."""
        return (id(self.scope), self.name, self.path)

    def __repr__(self):
        return "Read(%s%s)" % (self.name, "".join("." + p for p in self.path))


def changed(reads):
    """Whether any of ``reads`` finds a different value now."""
    for read in reads:
        if read.changed():
            return True
    return False


def lookup(key):
    """The value stored under ``key`` if nothing it was made from has changed, else None."""
    with _LOCK:
        entry = _ENTRIES.get(key)
        if entry is None:
            _STATS["misses"] += 1
            return None
        _ENTRIES.move_to_end(key)
    value, reads = entry
    if changed(reads):                       # user code may run here: outside the lock
        with _LOCK:
            if _ENTRIES.get(key) is entry:
                del _ENTRIES[key]
            _STATS["invalidations"] += 1
            _STATS["misses"] += 1
        return None
    with _LOCK:
        _STATS["hits"] += 1
    return value


def store(key, value, reads):
    """Remember ``value`` under ``key``, valid while every one of ``reads`` is unchanged."""
    with _LOCK:
        _ENTRIES[key] = (value, tuple(reads))
        _ENTRIES.move_to_end(key)
        _evict()


def _evict():
    while len(_ENTRIES) > _MAXSIZE[0]:
        _ENTRIES.popitem(last=False)
        _STATS["evictions"] += 1


def set_maxsize(maxsize):
    """Keep at most ``maxsize`` entries (0 disables caching); drops the oldest beyond it
    (and empties the memos that hold generated code: ``memo``)."""
    if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 0:
        raise ValueError("the cache size must be an int >= 0, got %r" % (maxsize,))
    with _LOCK:
        _MAXSIZE[0] = maxsize
        _evict()
        for table in _MEMOS:
            table.clear()


def clear():
    """Drop every entry and reset the counters (the maximum size stays)."""
    with _LOCK:
        _ENTRIES.clear()
        for k in _STATS:
            _STATS[k] = 0
        for table in _MEMOS:
            table.clear()


_MEMOS = []


def memo():
    """A dict for a cache of transformed functions kept elsewhere (``jit``'s by function
    key): bounded by ``maxsize`` (``bounded``), emptied with this cache."""
    table = {}
    _MEMOS.append(table)
    return table


def bounded(table):
    """Make room in a ``memo`` table for one more entry."""
    if len(table) >= max(_MAXSIZE[0], 1):
        table.clear()


def info():
    """Hits, misses, invalidations, evictions, entries and the maximum size."""
    with _LOCK:
        return dict(_STATS, entries=len(_ENTRIES), maxsize=_MAXSIZE[0])
