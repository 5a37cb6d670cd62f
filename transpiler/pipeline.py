"""Passes, the unit they transform, and the runner that applies them in order.

A pipeline is data: a list of Pass instances.  The normalisation order lives in
``NORMALISE`` below, with the reason for each constraint.  Any pass's output can be
printed by name: ``TRANSPILER_PRINT_AFTER=anf,lower_for python my_script.py`` (or the
CLI's ``--print-after``), which is how one debugs a pass.
"""
import os
import sys
import time
from dataclasses import dataclass, field

import gast

from .ir import emit, verify
from .ir.naming import Namer


@dataclass
class Unit:
    """One user function on its way through the compiler."""
    src: object                      # frontend.parse.FunctionSource
    fn: gast.FunctionDef             # the current tree
    env: object                      # frontend.environment.Environment
    namer: Namer = None
    # Facts passes record for later ones:
    inplace_params: dict = field(default_factory=dict)   # param -> node of `param += ...`
    # parameters renamed because generated code uses their name (``np`` -> ``np_``):
    # {name in the tree: the user's name}
    param_renames: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)

    def error(self, node, reason, hint=""):
        return self.src.error(node, reason, hint)

    def tree_names(self, by_user_name):
        """A dict (or list) keyed by the user's parameter names, keyed by the tree's."""
        inverse = {user: tree for tree, user in self.param_renames.items()}
        if isinstance(by_user_name, dict):
            return {inverse.get(k, k): v for k, v in by_user_name.items()}
        return [inverse.get(k, k) for k in by_user_name]

    def user_names(self, by_tree_name):
        """A dict keyed by the tree's parameter names, keyed by the user's."""
        return {self.param_renames.get(k, k): v for k, v in by_tree_name.items()}

    def fresh(self, base):
        return self.namer.fresh(base)


class Pass:
    """A transformation of a Unit's tree.

    Subclasses set ``name`` (verb_object) and implement ``run(unit)``, which rewrites
    ``unit.fn`` in place or replaces it.  The docstring says what the pass requires of
    its input and ensures of its output; ``ensures_core`` passes leave core language,
    which ``ir/verify.py`` checks after them when ``TRANSPILER_VERIFY=1``.
    """
    name = "pass"
    ensures_core = False

    def run(self, unit):
        raise NotImplementedError


def _print_after_names():
    value = os.environ.get("TRANSPILER_PRINT_AFTER", "")
    return {name.strip() for name in value.split(",") if name.strip()}


def print_stage(name, fn, print_after=None):
    """Print ``fn`` if the stage ``name`` was asked for (``TRANSPILER_PRINT_AFTER``)."""
    wanted = _print_after_names() | set(print_after or ())
    if name in wanted or "all" in wanted:
        sys.stderr.write("# --- after %s: %s\n%s\n" % (name, fn.name, emit.to_source(fn)))


STAGES = ("specialise", "reverse", "forward", "jacfwd", "jacrev", "renormalise", "optimise")


def run_passes(unit, passes, print_after=None):
    wanted = _print_after_names() | set(print_after or ())
    for p in passes:
        start = time.perf_counter()
        p.run(unit)
        unit.timings.append((p.name, time.perf_counter() - start))
        if p.ensures_core and verify.enabled():
            verify.check(unit.fn, unit.env, "the pass %s" % p.name)
        if p.name in wanted or "all" in wanted:
            sys.stderr.write("# --- after %s: %s\n%s\n" % (p.name, unit.fn.name,
                                                             emit.to_source(unit.fn)))
    return unit
