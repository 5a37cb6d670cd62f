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
