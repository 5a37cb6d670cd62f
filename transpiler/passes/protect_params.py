"""Parameters keep the caller's values: a reassigned parameter gets a local copy.

Requires: ANF.  Ensures: no statement assigns to a parameter, so the parameter still
holds the caller's value at the end of the function (reverse mode shapes the gradient
of ``x`` after ``x`` itself).

    def f(x):                 def f(x):
        x = x * 2      ->         x_2 = x
        return x                  x_2 = x_2 * 2
                                  return x_2
"""

from ..ir import build
from ..ir.walk import Renamer, all_stored
from ..pipeline import Pass


class ProtectParams(Pass):
    name = "protect_params"

    def run(self, unit):
        fn = unit.fn
        written = all_stored(fn.body)
        prologue = []
        for param in build.param_names(fn):
            if param in written:
                local = unit.fresh(param)
                renamer = Renamer({param: local})
                fn.body = [renamer.visit(s) for s in fn.body]
                prologue.append(build.assign(local, build.name(param, at=fn), at=fn))
        fn.body = prologue + fn.body
