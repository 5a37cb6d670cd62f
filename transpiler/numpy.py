"""``transpiler.numpy`` (``tnp``): NumPy's namespace, for code written for ``jax.numpy``.

Every name is NumPy's own (looked up in ``numpy`` when asked for, never copied), except
the array constructors: ``tnp.array``, ``tnp.asarray``, ``tnp.zeros``... return arrays
that, like JAX's, cannot be written into --

    >>> import transpiler.numpy as tnp
    >>> x = tnp.zeros(3)
    >>> x[0] = 1.0
    Traceback (most recent call last):
    TypeError: ... arrays made by transpiler.numpy are immutable ...
    >>> y = x.at[0].set(1.0)          # a new array; x is unchanged

-- and whose augmented assignments (``x += 1``) make new arrays.  They are NumPy arrays
otherwise (a subclass): NumPy functions take them, and arithmetic on them gives them
again.  ``x.at[index]`` has ``set``, ``add``, ``multiply`` (``mul``), ``divide``,
``power``, ``min``, ``max`` and ``get``; ``add`` (and ``multiply``, ``min``, ``max``)
accumulate over repeated indices, as in JAX.  Inside a transformed function, ``.at``
works on plain NumPy arrays too, and transformed functions accept tnp arrays (they see
them as plain arrays) and return plain arrays.
"""
import functools

import numpy as _np

import runtime as _rt


class ImmutableArray(_np.ndarray):
    """A NumPy array that refuses item assignment and updates functionally (``.at``)."""

    def __setitem__(self, index, value):
        raise TypeError(
            "'%s' object does not support item assignment: arrays made by "
            "transpiler.numpy are immutable, as JAX's are. Instead of `x[idx] = y`, use "
            "`x = x.at[idx].set(y)` (or .add, .multiply, .divide, .power, .min, .max)"
            % type(self).__name__)

    @property
    def at(self):
        return _IndexUpdateHelper(self)

    # augmented assignment makes a new array (an ndarray would update itself in place)
    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other

    def __ifloordiv__(self, other):
        return self // other

    def __imod__(self, other):
        return self % other

    def __ipow__(self, other):
        return self ** other

    def __imatmul__(self, other):
        return self @ other

    def __iand__(self, other):
        return self & other

    def __ior__(self, other):
        return self | other

    def __ixor__(self, other):
        return self ^ other


class _IndexUpdateHelper:
    def __init__(self, array):
        self._array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self._array, index)


class _IndexUpdateRef:
    """``x.at[index]``: the functional updates of the elements at ``index``."""

    def __init__(self, array, index):
        self._array = array
        self._index = index

    def _plain(self):
        return _np.asarray(self._array)

    def get(self):
        return _immutable(_np.asarray(self._plain()[self._index]))

    def set(self, values):
        return _immutable(_rt.at_set(self._plain(), self._index, values))

    def add(self, values):
        return _immutable(_rt.at_add(self._plain(), self._index, values))

    def multiply(self, values):
        return _immutable(_rt.at_multiply(self._plain(), self._index, values))

    mul = multiply

    def divide(self, values):
        return _immutable(_rt.at_divide(self._plain(), self._index, values))

    def power(self, values):
        return _immutable(_rt.at_power(self._plain(), self._index, values))

    def min(self, values):
        return _immutable(_rt.at_min(self._plain(), self._index, values))

    def max(self, values):
        return _immutable(_rt.at_max(self._plain(), self._index, values))


def _immutable(value):
    if isinstance(value, _np.ndarray):
        return value.view(ImmutableArray)
    if isinstance(value, (list, tuple)):
        return type(value)(_immutable(v) for v in value)
    return value


def _constructor(name):
    make = getattr(_np, name)

    @functools.wraps(make)
    def constructor(*args, **kwargs):
        return _immutable(make(*args, **kwargs))
    constructor.__transpiler_numpy__ = make      # what transformed code calls instead
    return constructor


# NumPy's array constructors, returning immutable arrays
CONSTRUCTORS = ("array", "asarray", "asanyarray", "arange", "zeros", "ones", "empty",
                "full", "zeros_like", "ones_like", "empty_like", "full_like", "linspace",
                "logspace", "geomspace", "eye", "identity", "copy", "frombuffer",
                "fromfunction", "meshgrid", "diag", "tri")
for _name in CONSTRUCTORS:
    globals()[_name] = _constructor(_name)


def plain(tree):
    """The same pytree with immutable arrays seen as plain NumPy arrays (no copy)."""
    from runtime.pytree import tree_map
    return tree_map(lambda leaf: leaf.view(_np.ndarray)
                    if isinstance(leaf, ImmutableArray) else leaf, tree)


def __getattr__(name):
    return getattr(_np, name)


def __dir__():
    return sorted(set(dir(_np)) | set(CONSTRUCTORS) | {"ImmutableArray", "plain"})
