"""The global namespace of one generated module: which name means which live object.

Generated code never reaches into the user's module globals.  Every non-local name it
uses is bound here, under a canonical spelling where one exists (``np.exp`` however the
user imported it, ``math.sin``, ``rt.unbroadcast``) and otherwise under the user's own
name, made unique if two different objects want the same name.
"""
import builtins
import re
import math
import types

import numpy as np

from ..ir.core import CORE

_PATHS = None


def _canonical_paths():
    global _PATHS
    if _PATHS is None:
        table = {}
        for prefix, mod in (("np", np), ("np.linalg", np.linalg), ("math", math)):
            for key in sorted(dir(mod)):
                if key.startswith("_"):
                    continue
                try:
                    obj = getattr(mod, key)
                except AttributeError:
                    continue
                if callable(obj) and not isinstance(obj, type(np)):
                    table.setdefault(id(obj), (prefix + "." + key, obj))
        _PATHS = table
    return _PATHS


def canonical_path(obj, preferred=None):
    """``np.exp`` for numpy's exp (however imported), or None for objects outside np/math."""
    if isinstance(obj, types.ModuleType):
        for alias, mod in CORE.items():
            if obj is mod:
                return alias
        if obj is np.linalg:
            return "np.linalg"
        return None
    if preferred is not None and _follow(preferred) is obj:
        return preferred
    name = getattr(obj, "__name__", None)
    for prefix, mod in (("np", np), ("math", math), ("np.linalg", np.linalg)):
        if name and getattr(mod, name, None) is obj:
            return prefix + "." + name
    entry = _canonical_paths().get(id(obj))
    if entry is not None and entry[1] is obj:
        return entry[0]
    return None


def _follow(path):
    parts = path.split(".")
    if parts[0] not in CORE:
        return None
    obj = CORE[parts[0]]
    for part in parts[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class Environment:
    """Name -> object bindings shared by all functions of one generated module."""

    def __init__(self):
        self.bindings = dict(CORE)
        self.local_names = []          # the local-name sets of functions in this module
        # jit's static parameters: the code may call them (a function passed as a static
        # argument), bound here once their values are known (specialize/static.py)
        self.static_params = frozenset()

    def static_callee(self, name, fn):
        """Is ``name`` a static parameter of ``fn``, which its code may call?"""
        import gast
        return name in self.static_params and any(
            isinstance(a, gast.Name) and a.id == name
            for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs)

    def avoid(self, names):
        """Register a function's local names; bindings will not take them."""
        self.local_names.append(names)

    def _free(self, name):
        return (name not in self.bindings and not hasattr(builtins, name)
                and not any(name in names for names in self.local_names))

    def bind(self, preferred, obj):
        """Bind ``obj``, preferably as ``preferred``; return the name actually used."""
        if preferred and not preferred.isidentifier():            # grad_<lambda>
            preferred = re.sub(r"\W+", "_", preferred.replace("<lambda>", "lambda")).strip("_")
            if not preferred.isidentifier():
                preferred = "f_" + preferred
        for name, bound in self.bindings.items():
            if bound is obj and (name == preferred or not preferred or name.startswith(preferred)):
                if not any(name in names for names in self.local_names[-1:]):
                    return name
        if self.bindings.get(preferred) is obj:
            return preferred
        candidate, k = preferred, 2
        while not self._free(candidate):
            candidate = "%s_%d" % (preferred, k)
            k += 1
        self.bindings[candidate] = obj
        return candidate

    def lookup(self, node):
        """The live object a Name/Attribute chain in generated code refers to, or None."""
        import gast
        if isinstance(node, gast.Name):
            if node.id in self.bindings:
                return self.bindings[node.id]
            return getattr(builtins, node.id, None)
        if isinstance(node, gast.Attribute):
            base = self.lookup(node.value)
            if base is None:
                return None
            return getattr(base, node.attr, None)
        return None

    def namespace(self):
        """A fresh dict to exec generated source in."""
        return dict(self.bindings)
