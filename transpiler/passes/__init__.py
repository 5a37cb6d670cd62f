"""Normalisation: the user's Python -> the core language the transforms work on.

The order, and why:
  lower_methods         first: later passes see only calls, never `x.sum()` or `x.T`
  lower_comprehensions  before lower_for: the loops it makes iterate over any iterable
  lower_for             before desugar_assign: it leaves `a, b = ...` element reads
  desugar_assign        before structure_jumps: one statement form per assignment
  structure_jumps       before anf: ANF places the `while` test after break checks
  anf                   after all of the above; inlines local functions (already normalised)
  rename_versions       last: it renames the final, flat assignments (SSA outside loops)
"""
from .anf import ANF
from .desugar_assign import DesugarAssign
from .lower_comprehensions import LowerComprehensions
from .lower_for import LowerFor
from .lower_methods import LowerMethods
from .rename_versions import RenameVersions
from .structure_jumps import StructureJumps

NORMALISE = [LowerMethods(), LowerComprehensions(), LowerFor(), DesugarAssign(),
             StructureJumps(), ANF(), RenameVersions()]
