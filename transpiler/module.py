"""A generated module: the functions one transform needs, their namespace, their source.

A container: the generated functions (in dependency order), the ``Environment`` binding
every name they use, the units they were made from (whose reads key the cache), and
where each came from (for run-time errors).  Generating ``grad(f)`` may require the
forward/backward pair of every user function ``f`` calls with active arguments
(recursively); they all live in one module, and the transform keeps its own state
about them in ``transforms`` (reverse mode's: ``ad/callees.py``).  The module is
rendered once, compiled once, and registered with ``linecache`` so its functions have
real source.
"""
import types

import gast

from . import driver
from .analysis import avals as A
from .errors import TranspileError
from .ir import build, emit, verify
from .ir.walk import subnodes


class GeneratedModule:

    def __init__(self, label, env=None):
        from .frontend.environment import Environment
        self.label = label
        self.env = env if env is not None else Environment()
        self.functions = []            # gast FunctionDefs, in dependency order
        self.header = []               # comment lines
        self.entry_points = None       # names of the functions callers use (default: first)
        self.units = []                # every normalised function, for cache validation
        self.temporaries = {}          # function name -> temporaries its flattening introduced
        self.other_reads = {}          # read elsewhere: custom_vjp rules, transformed callees
        self.origins = {}              # function name -> the user function it was made from
        self.transforms = {}           # each transform's own state (reverse: ad.callees)
        self._pristine = {}            # function -> its unit, normalised and only read
        # checking a function as far as it can be refused, generating nothing: callees
        # whose arguments are not known are checked, their pairs not generated
        self.check_only = False
        # a backend whose variables have one type each (Numba): zero adjoints and
        # tangents of arrays are arrays, not the scalar 0.0
        self.type_stable = False
        # jit's Numba backend: the entry point and what its own Numba version needs
        # (backends/nopython.py), whether the module stays NumPy code, that version's
        # Boundary
        self.jit_entry = None
        self.runs_numpy = False
        self.numba_boundary = None
        # jit's CUDA backend: how the kernel is launched (backends/cuda.py), and the
        # kernel's name: it calls cuda.grid, which Numba's simulator defines only inside
        # a running kernel, so the core-language check cannot look it up
        self.cuda_launch = None
        self.kernel = None

    # ------------------------------------------------------------ names
    def global_name(self, preferred, obj=None):
        """A module-level name (function or binding) that nothing else uses."""
        return self.env.bind(preferred, obj if obj is not None else _Placeholder(preferred))

    def add_function(self, fn):
        self.functions.append(fn)
        self.env.bindings[fn.name] = _Placeholder(fn.name)

    # ------------------------------------------------------------ units
    def normalise(self, fn, pristine=False):
        """``fn`` parsed, checked and normalised, as a unit of this module.

        With ``pristine`` the caller only reads the unit (the shape analysis of a callee,
        for the abstract value it returns), and it is kept: the transform that then
        differentiates that callee takes it over instead of normalising ``fn`` again."""
        unit = self._pristine.get(fn)
        if unit is None:
            unit = driver.normalise(fn, self.env)
            self.units.append(unit)
            if pristine:
                self._pristine[fn] = unit
        elif not pristine:
            del self._pristine[fn]          # taken over: whoever asks next gets a new one
        return unit

    def reads(self):
        """Every value this module's code was made from (``cache.Read``), once each: what
        the normalised functions resolved, their defaults, the custom_vjp rules bound."""
        found = dict(self.other_reads)
        for unit in self.units:
            found.update(unit.src.reads)
        return list(found.values())

    def snapshot(self, unit):
        """What ``adopt`` needs to start another module from this normalised unit."""
        return _Snapshot(tree=build.clone(unit.fn), bindings=dict(self.env.bindings),
                         local_names=list(self.env.local_names),
                         taken=set(unit.namer.taken), unit=unit)

    def adopt(self, snapshot):
        """Start from an already normalised function (this module must be fresh)."""
        from .ir.naming import Namer
        from .pipeline import Unit
        self.env.bindings = dict(snapshot.bindings)
        self.env.local_names = list(snapshot.local_names)
        old = snapshot.unit
        unit = Unit(src=old.src, fn=build.clone(snapshot.tree), env=self.env,
                    namer=Namer(snapshot.taken, self.env.bindings), inplace_params=dict(old.inplace_params),
                    param_renames=dict(old.param_renames))
        self.units.append(unit)
        return unit


    # ------------------------------------------------------------ output
    def reachable(self):
        """The functions the first one (the entry point) uses, directly or not."""
        by_name = {fn.name: fn for fn in self.functions}
        if self.entry_points is not None:
            todo = [by_name[name] for name in self.entry_points]
        else:
            todo = [self.functions[0]] if self.functions else []
        keep = []
        while todo:
            fn = todo.pop()
            if fn in keep:
                continue
            keep.append(fn)
            for node in subnodes(fn):
                if isinstance(node, gast.Name) and node.id in by_name \
                        and by_name[node.id] not in keep:
                    todo.append(by_name[node.id])
        return [fn for fn in self.functions if fn in keep]

    def flatten(self, fn, namer):
        """Bring a generated function into the core language (one operation per line)."""
        from .passes.anf import flatten_expressions
        self.temporaries.setdefault(fn.name, set()).update(
            flatten_expressions(fn, self.env, namer))

    def source(self):
        """The module's source, rendered for people (``ir/readable.py``)."""
        return self._rendered()[1]

    def _rendered(self):
        from .ir.readable import fold_temporaries
        functions = [fold_temporaries(build.clone(fn), self.env,
                                      self.temporaries.get(fn.name, ()))
                     for fn in self.reachable()]
        tree = build.module(list(self.header) + functions)
        return tree, emit.to_source(tree)

    def add_primal_callees(self, every=False):
        """User functions that generated code calls as they are (no derivative flows
        through the call) but that are written with ``.at[...]``, which plain NumPy
        arrays lack: they run as their normalised code, added to this module as
        ``<name>_primal`` (and so on, for what those call in turn).  With ``every``,
        every user function called (a compiling backend needs them all in the module)."""
        from .ad.package import restore_param_names
        from .specialize.primal import normalisation_temporaries
        made = {}
        todo = list(self.reachable())
        while todo:
            fn = todo.pop()
            for node in subnodes(fn):
                if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)):
                    continue
                callee = self.env.bindings.get(node.func.id)
                if not (isinstance(callee, types.FunctionType) and (every or _uses_at(callee))):
                    continue
                if getattr(callee, "__code__", None) is not None and \
                        emit.is_generated(callee.__code__.co_filename):
                    continue                  # generated code (a custom rule's wrapper)
                if callee not in made:
                    unit = self.normalise(callee)
                    unit.fn.name = self.global_name(unit.src.base_name + "_primal")
                    restore_param_names(unit.fn, unit, self.env)
                    self.temporaries.setdefault(unit.fn.name, set()).update(
                        normalisation_temporaries(unit.fn, unit))   # folded when rendered
                    self.origins[unit.fn.name] = unit.src
                    self.add_function(unit.fn)
                    made[callee] = unit.fn.name
                    todo.append(unit.fn)
                node.func.id = made[callee]

    def compile(self, keep=None):
        """Render and run the module: (source, namespace).  ``keep`` (a
        ``diskcache.Writer``) may write the source to a file first; the code then runs
        from that file."""
        self.add_primal_callees()
        if verify.enabled():
            for fn in self.reachable():
                if fn.name != self.kernel:
                    verify.check(fn, self.env, "the transform (%s)" % self.label)
        tree, source = self._rendered()
        if A.leaked(source):
            raise SizeLeak(self.label)
        namespace = self.env.namespace()
        for fn in self.functions:
            namespace.pop(fn.name, None)   # defined by the source itself
        origins = emit.origins_of(tree, source, self.origins.get)
        filename = keep(source, namespace, origins, self.reads()) if keep is not None else None
        emit.compile_source(source, namespace, self.label, origins, filename)
        return source, namespace


class SizeLeak(Exception):
    """A symbolic size reached generated source as if it were a number: code specialised
    to symbolic shapes needs a size it cannot read at run time.  The transform makes
    the code again without symbols (sizes not known at all); with verification on (the
    test suite), it is an error."""


def _uses_at(fn, seen=None):
    """Whether ``fn``'s source (its code's names, then its text) uses ``.at[...]``, or a
    user function it calls by a global name does (run plainly, it would run that one
    plainly too)."""
    seen = set() if seen is None else seen
    if fn in seen:
        return False
    seen.add(fn)
    for name in fn.__code__.co_names:
        callee = fn.__globals__.get(name)
        if isinstance(callee, types.FunctionType) and callee is not fn and \
                not emit.is_generated(callee.__code__.co_filename) and \
                _uses_at(callee, seen):
            return True
    if "at" not in fn.__code__.co_names:
        return False
    from .frontend import parse
    try:
        source = parse.parse_function(fn)
    except TranspileError:
        return False
    return any(isinstance(node, gast.Attribute) and node.attr == "at"
               for node in subnodes(source.node))


class _Snapshot:
    def __init__(self, tree, bindings, local_names, taken, unit):
        self.tree = tree
        self.bindings = bindings
        self.local_names = local_names
        self.taken = taken
        self.unit = unit


class _Placeholder:
    """Reserves a module-level name for a function defined in the generated source."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "<generated %s>" % self.name


__all__ = ["GeneratedModule", "TranspileError"]
