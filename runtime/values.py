"""Plain-value helpers that normalised code calls in place of methods and syntax."""
import numpy as np


def dict_keys(d):
    """The keys of a dict as a list (what ``for k in d.keys()`` iterates)."""
    return list(d.keys())


def dict_values(d):
    return list(d.values())


def dict_items(d):
    return list(d.items())


def astype(x, dtype):
    """``x.astype(dtype)`` for arrays and Python scalars alike."""
    return np.asarray(x).astype(dtype)[()] if np.ndim(x) == 0 else np.asarray(x).astype(dtype)


def item(x):
    """``x.item()``: a 0-d or size-1 array -> a Python scalar."""
    return np.asarray(x).item()


def flatten(x):
    """``x.flatten()``: a 1-d copy."""
    return np.array(x).reshape(-1)


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
