"""The names every piece of generated code has, whatever module it lives in.

Generated code calls NumPy as ``np``, the ``math`` module as ``math`` and the runtime
helpers as ``rt``; the frontend renames user locals that would shadow them, and the
emitter binds them in every namespace.  They live here, below the frontend and the
passes, because the IR's own helpers (rule templates, the walkers) need them too.
"""
import math

import numpy as np

import runtime

# Names generated code always has; user locals with these names are renamed.
CORE = {"np": np, "math": math, "rt": runtime}
# Builtins generated code calls (``for v in xs`` becomes ``for i in range(len(xs))``,
# indices become ``slice(...)``, rule templates test ``isinstance(y, int)``): user
# locals with these names are renamed as well.
GENERATED_BUILTINS = ("range", "len", "min", "slice", "int", "isinstance", "bool", "dict",
                      "enumerate", "list", "sum", "tuple", "zip")
RESERVED = set(CORE) | set(GENERATED_BUILTINS)
