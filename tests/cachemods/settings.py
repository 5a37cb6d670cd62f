"""Values functions in ``user`` read through attributes (tests rebind them)."""
import collections

import numpy as np

ALPHA = 2.0
POWER = 2
COEFFS = (1.5, -0.5)
W = np.array([1.0, -2.0, 0.5])

Pair = collections.namedtuple("Pair", ["scale", "shift"])
PAIR = Pair(scale=3.0, shift=1.0)


class Config:
    k = 3.0


class Holder:
    """A plain object whose attributes are set after construction."""

    def __init__(self, scale):
        self.scale = scale

    @property
    def doubled(self):
        return 2.0 * self.scale          # a new float object at each read

    def factor(self):
        return self.scale
