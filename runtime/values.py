"""Plain-value helpers that normalised code calls in place of methods and syntax."""
import numpy as np


def dict_keys(d):
    """The keys of a dict as a list (what ``for k in d.keys()`` iterates)."""
    return list(d.keys())


def dict_values(d):
    return list(d.values())


def dict_items(d):
    return list(d.items())


def dict_get(d, key, default=None):
    """``d.get(key, default)``."""
    return d.get(key, default)


def dict_of(obj):
    """``dict(obj)`` of a mapping or of (key, value) pairs."""
    return dict(obj)


def astype(x, dtype, copy=True):
    """``x.astype(dtype)`` for arrays and Python scalars alike."""
    if np.ndim(x) == 0:
        return np.asarray(x).astype(dtype)[()]
    return np.asarray(x).astype(dtype, copy=copy)


def item(x):
    """``x.item()``: a 0-d or size-1 array -> a Python scalar."""
    return np.asarray(x).item()


def flatten(x):
    """``x.flatten()``: a 1-d copy."""
    return np.array(x).reshape(-1)


def itemsize(x):
    """``x.itemsize``: the bytes of one element."""
    return np.asarray(x).itemsize


def nbytes(x):
    """``x.nbytes``: the bytes of the elements."""
    return np.asarray(x).nbytes


def column(a):
    """An item of ``np.c_[...]`` as it is joined: a vector becomes a column, a scalar a 1x1
    matrix; an array of rank 2 or more is left as it is."""
    a = np.asarray(a)
    return np.reshape(a, (-1, 1)) if a.ndim < 2 else a


def field(obj, name):
    """``obj.name`` for a value that is not an array (a namedtuple field, a config entry)."""
    return getattr(obj, name)


def as_sequence(iterable):
    """What ``for x in iterable`` walks, indexable: the iterable itself for arrays, lists
    and tuples; a dict's keys for a dict; a list for any other iterable."""
    if isinstance(iterable, (list, tuple)) or hasattr(iterable, "__getitem__") \
            and hasattr(iterable, "__len__") and not isinstance(iterable, dict):
        return iterable
    return list(iterable)


def aux_of(pair):
    """The auxiliary data of what a ``has_aux`` function returned: ``pair[1]``, after
    checking that it is a pair ``(output, aux)`` (a tuple or a list, as JAX accepts)."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise TypeError("has_aux=True requires the function to return a pair (output, aux), "
                        "but it returned %s" % describe(pair))
    return pair[1]


def snapshot(value, memo=None):
    """A copy of ``value``'s lists, dicts, tuples and arrays (other objects are shared),
    keeping which parts are the same object and which arrays are views of one buffer:
    what a value was, before code that changes it in place (a reverse sweep popping a
    list the function appended to, or putting back what a write overwrote, which views
    of that buffer must see)."""
    if memo is None:
        memo = {}
        roots = {}
        for array in _arrays(value, set()):
            roots.setdefault(id(_root(array)), []).append(array)
        # buffers two of the arrays share (or one shares with a view of it) are copied
        # whole, once, and the views rebuilt on the copy
        memo["shared roots"] = {key for key, members in roots.items() if len(members) > 1}
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, np.ndarray):
        copy = _copy_array(value, memo)
    elif type(value) is list:
        copy = memo[key] = []
        copy.extend(snapshot(v, memo) for v in value)
    elif type(value) is dict:
        copy = memo[key] = {}
        copy.update((k, snapshot(v, memo)) for k, v in value.items())
    elif isinstance(value, tuple):
        parts = [snapshot(v, memo) for v in value]
        copy = type(value)(*parts) if hasattr(value, "_fields") else type(value)(parts)
    else:
        return value
    memo[key] = copy
    return copy


def _arrays(value, seen):
    """The distinct arrays inside ``value`` (through lists, dicts and tuples)."""
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v, seen)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v, seen)]
    return []


def _root(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _copy_array(array, memo):
    root = _root(array)
    if id(root) not in memo["shared roots"]:
        return array.copy()
    key = ("root", id(root))
    if key not in memo:
        memo[key] = root.copy(order="K")
    new_root = memo[key]
    if array is root:
        return new_root
    if new_root.strides != root.strides:
        return array.copy()              # a buffer NumPy would lay out anew: independent
    offset = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(array.shape, array.dtype, buffer=new_root, offset=offset,
                      strides=array.strides)


def describe(value):
    """What a value is, for error messages: ``a tuple of 3 elements``, ``a float (2.0)``."""
    if isinstance(value, (tuple, list, dict)):
        count = len(value)
        return "a %s of %d element%s" % (type(value).__name__, count, "" if count == 1 else "s")
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return "an array of shape %s and dtype %s" % (value.shape, value.dtype)
    return "a %s (%r)" % (type(value).__name__, value)


def concat(a, b):
    """``a + b`` for lists or tuples: concatenation."""
    return a + b


def repeat_sequence(seq, n):
    """``seq * n`` (or ``n * seq``) for a list or tuple: repetition."""
    return seq * n


class _Missing:
    def __repr__(self):
        return "<missing>"


MISSING = _Missing()


def save_slot(container, key):
    """What ``container[key]`` holds before a write (a copy), or MISSING for a new key."""
    if isinstance(container, dict) and key not in container:
        return MISSING
    value = container[key]
    return value.copy() if hasattr(value, "copy") and not isinstance(value, (list, dict)) \
        else value


def restore_slot(container, key, old):
    """Undo a write: put ``old`` back, or remove a key the write added."""
    if old is MISSING:
        del container[key]
    else:
        container[key] = old
