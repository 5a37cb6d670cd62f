"""The primitive table's abstract evaluation against NumPy itself.

For every call in the rule tables, the ``abstract_eval`` slot of the primal's record --
given the abstract values of the arguments, never the arguments -- must describe the
result NumPy actually returns: its shape, dtype and kind (array, NumPy scalar, Python
scalar).  The same holds with the sizes made symbols (coarse values, where only the
dimensions of size 0 and 1 are known, the others symbols -- a claimed ``n - 1`` must be
the actual size less one) and with them forgotten: every dimension it still claims must
be right.
Indexing, which is syntax rather than a call, is checked the same way on a table of
index expressions.
"""
import itertools
import numbers

import numpy as np
import pytest

from transpiler.analysis import avals as A
from transpiler.rules import evaluation as E
from transpiler.rules import registry

from . import (test_contractions, test_decompositions, test_vjp_arrays, test_vjp_elementwise,
               test_vjp_runtime)

CALLS = test_vjp_elementwise.CALLS + test_vjp_arrays.CALLS + test_vjp_runtime.CALLS \
    + test_contractions.CALLS + test_decompositions.CALLS
# results the analysis may leave unknown (data-dependent, or objects it does not model)
MAY_BE_UNKNOWN = {"field", "sorted", "sum", "max", "min", "sequence", "einsum",
                  # adjoints of containers: lists of parts, or the cotangent itself
                  "unstack", "unconcatenate", "array_adjoint", "split_parts",
                  "sum_builtin_adjoint", "minmax_builtin_adjoint", "sequence_adjoint",
                  "dict_values_adjoint", "field_adjoint", "sorted_adjoint", "sorted_gather",
                  "concat_adjoint", "unrepeat_sequence", "dict_of_adjoint", "dict_of_gather"}


def _aval(value):
    """What the compiler sees of an argument: arrays by shape, Python values as written."""
    if isinstance(value, (np.ndarray, np.generic)):
        return A.of_argument(value)
    if isinstance(value, (list, tuple)):
        items = tuple(_aval(v) for v in value)
        return A.Seq("tuple" if isinstance(value, tuple) else "list", items)
    if isinstance(value, dict):
        return A.Dict(tuple((k, _aval(v)) for k, v in value.items()))
    return A.of_constant(value)


def _coarse(aval, sizes):
    """``aval`` with the sizes other than 0 and 1 made symbols; ``sizes`` learns each
    symbol's actual size, for ``_check`` to hold claims of ``n - 1`` to."""
    coarse = A.coarsen(aval)
    _learn(coarse, aval, sizes)
    return coarse


def _learn(coarse, exact, sizes):
    if isinstance(coarse, A.Array) and coarse.shape is not None:
        for symbol, size in zip(coarse.shape, exact.shape):
            if A.is_size(symbol):
                sizes[symbol.root] = size
    elif isinstance(coarse, A.Seq) and coarse.items is not None:
        for c, e in zip(coarse.items, exact.items):
            _learn(c, e, sizes)
    elif isinstance(coarse, A.Dict):
        for (_, c), (_, e) in zip(coarse.items, exact.items):
            _learn(c, e, sizes)


def _claimed(dim, sizes):
    """The size a claimed dimension stands for (None: claims nothing)."""
    if A.is_size(dim):
        assert dim.root in sizes, "a symbol made up by the rule: %r" % (dim,)
        return max(sizes[dim.root] + dim.offset, 0)
    return dim


def _check(aval, value, context, sizes=None):
    if aval is None:
        return
    if value is None or isinstance(value, str):     # a None leaf, a key, no result
        assert isinstance(aval, A.Const) and aval.value == value, (context, aval)
        return
    if isinstance(value, (list, tuple)):
        assert isinstance(aval, A.Seq), context
        if aval.items is not None:
            assert len(aval.items) == len(value), context
            for a, v in zip(aval.items, value):
                _check(a, v, context, sizes)
        return
    if isinstance(value, dict):
        assert isinstance(aval, A.Dict) and aval.keys() == list(value), context
        return
    assert isinstance(aval, A.Array), (context, aval)
    shape = np.shape(value)
    assert aval.shape is None or len(aval.shape) == len(shape), (context, aval, shape)
    if aval.shape is not None:
        for claimed, actual in zip(aval.shape, shape):
            claimed = _claimed(claimed, sizes or {})
            assert claimed is None or claimed == actual, (context, aval, shape)
    if aval.dtype is not None:
        assert aval.dtype == np.result_type(value), (context, aval, np.result_type(value))
    if aval.kind == A.NDARRAY:
        assert isinstance(value, np.ndarray), (context, aval, type(value))
    elif aval.kind == A.SCALAR:
        assert isinstance(value, np.generic), (context, aval, type(value))
    elif aval.kind == A.PYTHON:
        assert isinstance(value, (bool, numbers.Number)) and not isinstance(value, np.generic), \
            (context, aval, type(value))


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.label())
def test_abstract_eval_matches_numpy(call):
    record = registry.lookup(call.primal)
    value = call.primal(*call.args, **call.kwargs)
    args = [_aval(a) for a in call.args]
    kwargs = {k: _aval(v) for k, v in call.kwargs.items()}
    aval = record.evaluate(args, kwargs, call.primal)
    if aval is None:
        assert record.name in MAY_BE_UNKNOWN, "%s: nothing known of the result" % call.label()
        return
    _check(aval, value, call.label())
    data_sized = record.name == "repeat" and isinstance(call.args[1], np.ndarray)
    if isinstance(aval, A.Array) and aval.shape is not None and not data_sized:
        assert None not in aval.shape, "%s: sizes known, result %s" % (call.label(), aval)
    sizes = {}
    coarse = record.evaluate([_coarse(a, sizes) for a in args],
                             {k: _coarse(v, sizes) for k, v in kwargs.items()}, call.primal)
    _check(coarse, value, call.label() + " (coarse)", sizes)
    generic = record.evaluate([A.forget_sizes(a) for a in args],
                              {k: A.forget_sizes(v) for k, v in kwargs.items()}, call.primal)
    _check(generic, value, call.label() + " (sizes unknown)")


SHAPES = [(4,), (3, 4), (2, 3, 4)]
INDICES = [
    (0,), (-1,), (slice(1, None),), (slice(None, None, -1),), (slice(0, 3, 2),),
    (Ellipsis,), (None,), (0, None), (Ellipsis, 0), (None, Ellipsis, None),
    (slice(None), 1), (1, slice(None)), (np.array([0, 2]),), (np.array([[0, 1], [1, 0]]),),
    (slice(None), np.array([1, 0])), (np.array([0, 1]), np.array([1, 2])),
    (np.array([0, 1]), slice(None), np.array([1, 2])), (0, np.array([1, 2])),
    (np.array([True, False, True]),), (Ellipsis, np.array([0, 0, 1])), (1, 2),
    (slice(1, 2), None, 0),
]


def _component(c):
    if isinstance(c, slice):
        return A.Const(c)
    if c is None or c is Ellipsis:
        return A.Const(c)
    if isinstance(c, np.ndarray):
        return A.of_argument(c)
    return A.python_scalar(c)


@pytest.mark.parametrize("shape, index", list(itertools.product(SHAPES, INDICES)),
                         ids=lambda v: repr(v).replace(" ", ""))
def test_index_matches_numpy(shape, index):
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    try:
        value = x[index]
    except IndexError:
        return                              # NumPy refuses it: nothing to compare
    components = [_component(c) for c in index]
    sizes = {}
    for base in (A.of_argument(x), _coarse(A.of_argument(x), sizes),
                 A.forget_sizes(A.of_argument(x))):
        aval = E.evaluate(lambda a, k: E.index(base, components), (), {})
        assert aval is not None, (shape, index)
        _check(aval, value, "%s[%r]" % (shape, index), sizes)
    exact = E.index(A.of_argument(x), components)
    if not any(isinstance(c, np.ndarray) and c.dtype == bool for c in index):
        assert exact.shape == np.shape(value), (exact, np.shape(value))


def test_broadcast_shapes_with_unknown_sizes():
    assert A.broadcast_shapes((None, 3), (1, 3)) == (None, 3)
    assert A.broadcast_shapes((None,), (4,)) == (4,)
    assert A.broadcast_shapes((None,), (1,)) == (None,)
    assert A.broadcast_shapes((2, 1), (3,)) == (2, 3)
    with pytest.raises(A.ShapeError):
        A.broadcast_shapes((2,), (3,))
    assert A.same_shape((3,), (3,)) and not A.same_shape((None,), (None,))
    assert not A.same_shape((1, 3), (2, 3)) and not A.same_shape((3,), (2, 3))
