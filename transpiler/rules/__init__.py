"""Derivative rules, one module per family of primals; importing registers them.

``registry.lookup(np.sin)`` returns the Rule for a primal; ``registry.all_rules()``
lists them (``transpiler rules`` prints the table).
"""
from . import (arithmetic, elementwise, reductions, linalg, shape, creation, builtins_math,  # noqa: F401
               containers, adjoints, decompositions)
from . import contractions  # noqa: F401
from . import assembly  # noqa: F401
from . import statistics  # noqa: F401
from . import jacobians  # noqa: F401
from . import batching  # noqa: F401  (last: fills every record's batch slot)
from .registry import all_rules, lookup  # noqa: F401
