"""The cache of generated functions, with an explicit, documented key.

Key: ``(transform, options, code object, closure values, default values)``.  An entry
also remembers every module-level global its functions read when they were generated
(by identity); a lookup that finds one of them rebound regenerates instead of serving
stale code.  So ``grad(f)`` called again, or ``grad(lambda x: g(x))`` made afresh in a
loop, costs a dictionary lookup.
"""
import threading

_LOCK = threading.Lock()
_ENTRIES = {}
_STATS = {"hits": 0, "misses": 0, "invalidated": 0}


def _value_key(value):
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    if isinstance(value, (int, float, complex, str, bytes, bool, type(None), tuple, frozenset)):
        return ("value", type(value), value)
    return ("id", id(value))


def function_key(fn):
    """The part of the key that identifies a live function's behaviour."""
    closure = ()
    if getattr(fn, "__closure__", None):
        cells = []
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                cells.append((var, _value_key(cell.cell_contents)))
            except ValueError:
                cells.append((var, ("empty",)))
        closure = tuple(cells)
    defaults = tuple(_value_key(d) for d in (fn.__defaults__ or ()))
    kwdefaults = tuple(sorted((k, _value_key(v)) for k, v in (fn.__kwdefaults__ or {}).items()))
    return (fn.__code__, closure, defaults, kwdefaults)


def lookup(key):
    with _LOCK:
        entry = _ENTRIES.get(key)
        if entry is None:
            _STATS["misses"] += 1
            return None
        value, dependencies = entry
        for namespace, name, obj in dependencies:
            if namespace.get(name, _MISSING) is not obj:
                del _ENTRIES[key]
                _STATS["invalidated"] += 1
                _STATS["misses"] += 1
                return None
        _STATS["hits"] += 1
        return value


def store(key, value, dependencies):
    with _LOCK:
        _ENTRIES[key] = (value, list(dependencies))


def clear():
    with _LOCK:
        _ENTRIES.clear()
        for k in _STATS:
            _STATS[k] = 0


def info():
    """Hits, misses, invalidations and the number of entries."""
    with _LOCK:
        return dict(_STATS, entries=len(_ENTRIES))


_MISSING = object()
