"""The cache on disk: generated source, and Numba's compiled code, kept for a new process.

A transformed function's code for one signature is kept as two files, named by a
content hash (the *persistent key*):

    <hash>.py     the generated source -- a real file, so that Numba's own cache
                  (``njit(cache=True)``) keeps the machine code it compiles from it, in
                  ``__pycache__`` beside it, and tracebacks show its lines
    <hash>.json   how to run it again: the objects its names are bound to, every value
                  it was made from, its entry points

The persistent key hashes everything the code is made from that can be named before it
is made: transpiler's own source (any change to the compiler is a new key), the
transform and its options, the function (module, qualified name, code, the text of its
file, its defaults and closure values) and the argument signature.  What the code read
while it was made -- globals, attributes, the functions it calls -- is recorded in the
``.json`` with a description of each value (a number by its exact value, a function by
its code and its file's text, an array by shape and dtype), and read again before the
entry is used: one value different and the entry is not used, so an entry is never
stale.  Code that binds an object no new process could find again (an array, an
instance) is not kept.

Where: ``$TRANSPILER_CACHE_DIR``, else ``$XDG_CACHE_HOME/transpiler``, else
``~/.cache/transpiler``; a directory of the user's own, mode 0700 (code is loaded from
it).  ``TRANSPILER_DISK_CACHE=0`` turns it off; ``tp.clear_caches()`` empties it.
Files are written whole (to a temporary name, then renamed), so a reader never sees
half a file.
"""
import hashlib
import importlib
import json
import linecache
import math
import os
import shutil
import sys
import tempfile
import types

import numpy as np

from . import cache

FORMAT = 1
_STATS = {"disk_hits": 0, "disk_writes": 0}
_FINGERPRINT = []
_FILES = {}                     # file name -> (mtime, size, digest of its text)


class NotPersistent(Exception):
    """A value that a new process could not find or compare again."""


# ------------------------------------------------------------ where

def enabled():
    return os.environ.get("TRANSPILER_DISK_CACHE", "1") not in ("0", "", "off", "false")


def location():
    """The cache directory (not created)."""
    explicit = os.environ.get("TRANSPILER_CACHE_DIR")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "transpiler")


def _directory():
    """The cache directory, made if needed; None if it cannot be used safely (not ours,
    or writable by others: code is loaded from it)."""
    path = location()
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError:
        return None
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
        return None
    return path


def info():
    """Entries read back (``disk_hits``) and written (``disk_writes``) by this process,
    and where (``disk``: None when the disk cache is off)."""
    return dict(_STATS, disk=location() if enabled() else None)


def clear():
    """Remove every entry (the directory itself stays)."""
    path = location()
    if not os.path.isdir(path):
        return
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if name == "__pycache__" and os.path.isdir(full):
            shutil.rmtree(full, ignore_errors=True)
        elif name.endswith((".py", ".json", ".tmp")):
            try:
                os.remove(full)
            except OSError:
                pass


# ------------------------------------------------------------ describing values

def fingerprint():
    """A digest of transpiler's own source: code made by another compiler is not used."""
    if not _FINGERPRINT:
        digest = hashlib.sha256(("%d %s" % (FORMAT, sys.version)).encode())
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for package in ("transpiler", "runtime"):
            for folder, dirs, files in sorted(os.walk(os.path.join(root, package))):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(".py"):
                        with open(os.path.join(folder, name), "rb") as handle:
                            digest.update(name.encode() + b"\0" + handle.read())
        try:
            import numba
            digest.update(numba.__version__.encode())
        except ImportError:                  # pragma: no cover (numba is a dependency)
            pass
        digest.update(np.__version__.encode())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def _file_digest(filename):
    """The digest of a source file's text ('' where there is no file: then the code
    object alone describes the function)."""
    try:
        info = os.stat(filename)
    except OSError:
        return ""
    known = _FILES.get(filename)
    if known is not None and known[:2] == (info.st_mtime_ns, info.st_size):
        return known[2]
    with open(filename, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    _FILES[filename] = (info.st_mtime_ns, info.st_size, digest)
    return digest


def code_digest(code):
    """A digest of a code object that is the same in every process (``marshal`` output
    is not: it depends on reference counts), with the text of its file."""
    digest = hashlib.sha256()

    def visit(c):
        digest.update(repr((c.co_name, c.co_argcount, c.co_posonlyargcount,
                            c.co_kwonlyargcount, c.co_flags, c.co_names, c.co_varnames,
                            c.co_freevars, c.co_cellvars, c.co_firstlineno,
                            c.co_filename)).encode())
        digest.update(c.co_code)
        for const in c.co_consts:
            if isinstance(const, types.CodeType):
                visit(const)
            else:
                digest.update(json.dumps(describe(const)).encode())

    visit(code)
    digest.update(_file_digest(code.co_filename).encode())
    return digest.hexdigest()


_LIBRARIES = ("numpy", "scipy", "math", "runtime", "transpiler")


def _library(fn):
    """Is ``fn`` a function of NumPy, SciPy or transpiler's runtime (whose versions the
    fingerprint names), not user code?"""
    module = getattr(fn, "__module__", None) or ""
    return module.split(".")[0] in _LIBRARIES


def _path_of(obj):
    """``[module, qualname]`` where importing the module and following the qualified
    name gives ``obj`` back; else NotPersistent."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        raise NotPersistent(obj)
    if _resolve(module, qualname) is not obj:
        raise NotPersistent(obj)
    return [module, qualname]


def _resolve(module, qualname):
    try:
        found = sys.modules.get(module) or importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except Exception:                        # noqa: BLE001 (not found: not the object)
        return None
    return found


def describe(value):
    """A JSON description of a value, equal for two values only if code generated from
    one is right for the other (``cache.value_key``, in terms a new process can check)."""
    kind = type(value)
    if value is cache.ABSENT:
        return ["absent"]                    # no such global: the builtin is meant
    if value is None or value is Ellipsis:
        return [repr(value)]
    if kind in (bool, int, str):
        return [kind.__name__, value]
    if kind is float:
        return ["float", value.hex()]
    if kind is complex:
        return ["complex", value.real.hex(), value.imag.hex()]
    if kind is bytes:
        return ["bytes", value.hex()]
    if isinstance(value, np.generic):
        return ["npscalar", value.dtype.str, value.tobytes().hex()]
    if isinstance(value, np.dtype):
        return ["dtype", value.str]
    if kind is tuple:
        return ["tuple", [describe(v) for v in value]]
    if isinstance(value, np.ndarray):
        return ["array", list(value.shape), value.dtype.str]
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    if callable(value) and _library(value):
        return ["object"] + _path_of(value)  # by name: its code comes with its version
    if isinstance(value, types.FunctionType):
        closure = [describe(cache.cell_value(c)) for c in (value.__closure__ or ())]
        kwdefaults = sorted((k, describe(v)) for k, v in (value.__kwdefaults__ or {}).items())
        return ["function", value.__module__, value.__qualname__,
                code_digest(value.__code__), describe(value.__defaults__), kwdefaults,
                closure]
    if getattr(value, "_transpiler_transform", False):   # a transformed user function
        return ["transformed", describe(value._fun),
                _key_description(value._transform.key())]
    if isinstance(value, (type, types.BuiltinFunctionType, np.ufunc)):
        return ["object"] + _path_of(value)  # library code, or a class by its name
    raise NotPersistent(value)               # (what else it runs is not known here)


def _key_description(key):
    """A cache key part (``cache.value_key`` output, signatures): its description."""
    if isinstance(key, cache.Same):
        return describe(key.obj)
    if isinstance(key, type):
        return ["type"] + _path_of(key)
    if isinstance(key, tuple):
        return ["key", [_key_description(k) for k in key]]
    if isinstance(key, np.dtype):
        return ["dtype", key.str]
    return describe(key)


# ------------------------------------------------------------ keys

def persistent_key(transform_key, fun, signature):
    """The hash naming an entry (see the module docstring); NotPersistent if a part of
    it cannot be described."""
    if not isinstance(fun, types.FunctionType):
        raise NotPersistent(fun)
    parts = [fingerprint(), _key_description(transform_key), describe(fun),
             _key_description(signature)]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:40]


# ------------------------------------------------------------ reads and bindings

def _scope_recipe(scope, fun):
    if type(scope) is dict:
        for name, module in list(sys.modules.items()):
            if getattr(module, "__dict__", None) is scope:
                return ["globals", name]
        raise NotPersistent(scope)
    if type(scope) is types.CellType:
        for var, cell in zip(fun.__code__.co_freevars, fun.__closure__ or ()):
            if cell is scope:
                return ["cell", var]
        raise NotPersistent(scope)
    if isinstance(scope, types.ModuleType):
        return ["module", scope.__name__]
    return ["object"] + _path_of(scope)


def _scope(recipe, fun):
    kind = recipe[0]
    if kind == "globals":
        module = sys.modules.get(recipe[1])
        if module is None:
            raise LookupError(recipe[1])
        return module.__dict__
    if kind == "cell":
        for var, cell in zip(fun.__code__.co_freevars, fun.__closure__ or ()):
            if var == recipe[1]:
                return cell
        raise LookupError(recipe[1])
    if kind == "module":
        return importlib.import_module(recipe[1])
    found = _resolve(recipe[1], recipe[2])
    if found is None:
        raise LookupError(recipe)
    return found


def _binding_recipe(name, obj, reads, core):
    if core.get(name) is obj:
        return ["core"]
    for k, read in enumerate(reads):
        if read[1] is obj:
            return ["read", k]
    if isinstance(obj, np.ndarray):
        raise NotPersistent(obj)             # Numba would keep its contents, not read them
    if isinstance(obj, types.ModuleType):
        return ["module", obj.__name__]
    plain = describe(obj)
    if plain[0] in ("None", "bool", "int", "str", "float", "complex", "tuple", "npscalar"):
        _rebuild_value(plain)                # (raises for a tuple holding anything else)
        return ["value", plain]
    return ["path"] + _path_of(obj)


def _rebuild_value(plain):
    kind = plain[0]
    if kind == "None":
        return None
    if kind in ("bool", "int", "str"):
        return plain[1]
    if kind == "float":
        return float.fromhex(plain[1])
    if kind == "complex":
        return complex(float.fromhex(plain[1]), float.fromhex(plain[2]))
    if kind == "npscalar":
        return np.frombuffer(bytes.fromhex(plain[2]), dtype=np.dtype(plain[1]))[0]
    if kind == "tuple":
        return tuple(_rebuild_value(p) for p in plain[1])
    raise NotPersistent(plain)


def _bound(recipe, name, reads, core):
    kind = recipe[0]
    if kind == "core":
        return core[name]
    if kind == "read":
        return reads[recipe[1]]
    if kind == "module":
        return importlib.import_module(recipe[1])
    if kind == "value":
        return _rebuild_value(recipe[1])
    found = _resolve(recipe[1], recipe[2])
    if found is None:
        raise LookupError(recipe)
    return found


# ------------------------------------------------------------ writing

class Writer:
    """Keeps one entry on disk as it is compiled (``GeneratedModule.compile`` calls it
    with the source before running it, so that the code runs from the file)."""

    def __init__(self, key, fun, details):
        self.key = key
        self.fun = fun
        self.details = details              # a function () -> dict of entry facts
        self.written = False

    def __call__(self, source, namespace, origins, reads):
        directory = _directory()
        if directory is None:
            return None
        try:
            record = self._record(source, namespace, origins, reads)
        except NotPersistent:
            return None
        path = os.path.join(directory, self.key + ".py")
        try:
            _write(path, source)
            _write(os.path.join(directory, self.key + ".json"), json.dumps(record))
        except OSError:
            return None
        self.written = True
        _STATS["disk_writes"] += 1
        return path

    def _record(self, source, namespace, origins, reads):
        from .ir.core import CORE
        live = []
        described = []
        for read in reads:
            value = read.current()
            described.append([_scope_recipe(read.scope, self.fun), read.name,
                              list(read.path), describe(value)])
            live.append((read, value))
        from .module import _Placeholder
        bindings = {name: _binding_recipe(name, obj, live, CORE)
                    for name, obj in namespace.items()
                    if not isinstance(obj, _Placeholder)}   # (defined by the source)
        record = {"format": FORMAT, "reads": described, "bindings": bindings,
                  "origins": {str(k): list(v) for k, v in origins.items()}}
        record.update(self.details())
        return record


def _write(path, text):
    folder = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


# ------------------------------------------------------------ reading

class Loaded:
    """An entry read back: its source file, the namespace to run it in (bound, not yet
    executed), the reads it depends on (live ``cache.Read`` objects), the record."""

    def __init__(self, path, source, namespace, dependencies, record):
        self.path, self.source, self.namespace = path, source, namespace
        self.dependencies, self.record = dependencies, record

    @property
    def origins(self):
        return {int(k): tuple(v) for k, v in self.record["origins"].items()}


def load(key, fun):
    """The entry kept under ``key`` if every value it was made from is still what it
    was, else None."""
    directory = _directory()
    if directory is None:
        return None
    base = os.path.join(directory, key)
    try:
        with open(base + ".json", encoding="utf-8") as handle:
            record = json.load(handle)
        with open(base + ".py", encoding="utf-8") as handle:
            source = handle.read()
    except (OSError, ValueError):
        return None
    if record.get("format") != FORMAT:
        return None
    from .ir.core import CORE
    try:
        values, dependencies = [], []
        for scope_recipe, name, path, description in record["reads"]:
            scope = _scope(scope_recipe, fun)
            read = cache.Read(scope, name, path, None)
            value = read.current()
            if describe(value) != description:
                return None
            dependencies.append(cache.Read(scope, name, path, value))
            values.append(value)
        namespace = {name: _bound(recipe, name, values, CORE)
                     for name, recipe in record["bindings"].items()}
    except (LookupError, AttributeError, NotPersistent, ImportError, TypeError, ValueError):
        return None
    linecache.checkcache(base + ".py")
    _STATS["disk_hits"] += 1
    return Loaded(base + ".py", source, namespace, dependencies, record)


def describe_boundary(boundary):
    if boundary is None:
        return None
    return [_jsonable(boundary.params), _jsonable(boundary.output)]


def _jsonable(value):
    if isinstance(value, tuple):
        return {"t": [_jsonable(v) for v in value]}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise NotPersistent(value)


def from_jsonable(value):
    if isinstance(value, dict):
        return tuple(from_jsonable(v) for v in value["t"])
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value
