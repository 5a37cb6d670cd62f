"""No silent zeros: every way a value can enter a differentiated computation either carries
its derivative or is refused at transform time, located at the user's line.

A value the compiler does not differentiate -- an index trick (np.r_), an object computing
from its index, text made of numbers, an attribute of an array, a call without a rule -- must
never be taken for a constant.  ``ENTRY_PATHS`` tries each way in; ``test_every_kind_of_
operation_is_reviewed`` fails when the classification every analysis shares (analysis.ops)
grows a kind these tests have not reviewed.
"""
import functools
import math
import numbers

import numpy as np
import pytest

import transpiler as tp
from transpiler.analysis import ops
from transpiler.passes.lower_methods import PLAIN_DATA
from helpers.check_grads import check_grads

RNG = np.random.default_rng(19)
X = np.array([0.3, -1.2, 0.5])
M = RNG.standard_normal((2, 3))


class IndexTrick:
    """An object whose items are computed from the index."""

    def __getitem__(self, key):
        return np.asarray(key, dtype=float) * 2.0


class Scaled:
    def __call__(self, x):
        return x * 3.0


TRICK = IndexTrick()
SCALED = Scaled()
SUM_ROWS = functools.partial(np.sum, axis=0)
TABLE = np.arange(12.0).reshape(3, 4)


def weigh(y):
    return np.sum(np.sin(y) * np.arange(1, np.size(y) + 1).reshape(np.shape(y)))


# ways in that carry their derivative: checked against central differences
DIFFERENTIATED = {
    "np.r_ of arrays and scalars": (lambda x: weigh(np.r_[x, 2.0 * x, 1.5]), X),
    "np.r_ with a range": (lambda x: weigh(np.r_[0:3, x, 4:6]), X),
    "np.r_ of matrices": (lambda x: weigh(np.r_[x, x * x]), M),
    "np.c_ of vectors": (lambda x: weigh(np.c_[x, 2.0 * x]), X),
    "np.c_ of a matrix and a column": (lambda x: weigh(np.c_[x, x[:, :1] ** 2]), M),
    "np.c_ of scalars": (lambda x: weigh(np.c_[x[0], x[1] * x[2]]), X),
    "a module-level array indexed": (lambda x: np.sum(x * TABLE[1, :3]), X),
    "np.mgrid with constant slices": (lambda x: np.sum(x * np.mgrid[0:3]), X),
    "a dict's .get": (lambda x: weigh(dict(a=x, b=2.0 * x).get("b")), X),
    "a dict's .get falling back": (lambda x: weigh({"a": x}.get("z", x * x)), X),
    "dict of pairs": (lambda x: weigh(dict([("a", x), ("a", x * 3.0)])["a"]), X),
    "np.vstack of one matrix": (lambda x: weigh(np.vstack(x)), M),
    "np.hstack of one matrix": (lambda x: weigh(np.hstack(x)), M),
    "np.vstack of one vector": (lambda x: weigh(np.vstack(x)), X),
    "np.stack of one matrix": (lambda x: weigh(np.stack(x, axis=1)), M),
    "text printed alongside": (lambda x: (print(end="" if f"{x[0]:.2f}" else "")
                                          or np.sum(x ** 2)), X),
}

# ways in that must be refused: (function, what the message says)
REFUSED = {
    "an object computing from its index": (lambda x: np.sum(TRICK[x]), "__getitem__"),
    "np.r_ with a directive": (lambda x: np.sum(np.r_["0,2", x, x]), "__getitem__"),
    "a callable object": (lambda x: np.sum(SCALED(x)), "no derivative rule"),
    "functools.partial": (lambda x: SUM_ROWS(x * x), "no derivative rule"),
    "a method of a ufunc": (lambda x: np.add.reduce(x * x), "no derivative rule"),
    "math.fsum": (lambda x: math.fsum(x * x), "no derivative rule"),
    "an array's .flat": (lambda x: np.sum(x.flat[:2] ** 2), "`.flat` of an array"),
    "an array's .base": (lambda x: np.sum(x[:2].base ** 2), "`.base` of an array"),
    "float of str": (lambda x: float(str(x[0])) ** 2, "made text"),
    "float of an f-string": (lambda x: float(f"{x[0]}") ** 2, "made text"),
    "float of %-formatting": (lambda x: float("%f" % x[0]) ** 2, "made text"),
    "float of repr": (lambda x: float(repr(x[1])) * x[0], "made text"),
    "an array's .tolist": (lambda x: sum(x.tolist()), "not supported"),
    "np.fromiter": (lambda x: np.sum(np.fromiter(x, float)), "no derivative rule"),
    "an argument whose derivative a rule refuses": (
        lambda x: np.sum(np.logspace(0.0, 1.0, 3, base=x[0] + 2.0)), "with respect to"),
    "a random permutation of x": (lambda x: np.sum(np.random.permutation(x) * X),
                                  "no derivative rule"),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIATED))
def test_entry_paths_carry_their_derivative(name):
    fn, x = DIFFERENTIATED[name]
    check_grads(fn, (x,))


@pytest.mark.parametrize("name", sorted(DIFFERENTIATED))
def test_entry_paths_differentiate_twice(name):
    fn, x = DIFFERENTIATED[name]
    direction = RNG.standard_normal(np.shape(x))
    check_grads(lambda y: np.sum(tp.grad(fn)(y) * direction), (x,), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_entry_paths_without_a_derivative_are_refused(name):
    fn, says = REFUSED[name]
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)(X.copy())
    message = str(info.value)
    assert message.startswith(__file__ + ":"), message
    assert says in message and "hint:" in message, message


def test_index_tricks_keep_their_values():
    # the lowered forms compute what NumPy's do
    for fn in (lambda x: np.r_[x, 2.0 * x, 1.5], lambda x: np.r_[0:3, x],
               lambda x: np.c_[x, x], lambda x: np.c_[x[0], x[1]]):
        value, _ = tp.vjp(fn, X)
        np.testing.assert_array_equal(value, fn(X))
    value, _ = tp.vjp(lambda x: np.c_[x, x[:, :1]], M)
    np.testing.assert_array_equal(value, np.c_[M, M[:, :1]])


def test_std_of_one_value_per_result_is_constant():
    # one element (or an axis of length 1): the function is the constant 0, derivative 0
    for fn, x in ((lambda x: np.std(x[:1]), X), (lambda x: np.sum(np.std(x, axis=1)),
                                                   M.reshape(6, 1)),
                  (lambda x: np.sum(np.std(x, axis=0, keepdims=True)), M[:1]),
                  (lambda x: np.sum(np.var(x, axis=1)), M.reshape(6, 1))):
        grad = tp.grad(fn)(x)
        np.testing.assert_array_equal(grad, np.zeros(np.shape(x)))
    check_grads(lambda x: np.sum(np.std(x, axis=1) * np.arange(2)), (M,))


def test_every_kind_of_operation_is_reviewed():
    # each kind's derivative is handled in ad/adjoints.py; a new kind must be reviewed here
    # (and there) so that it cannot enter as a constant
    kinds = {ops.CONST, ops.COPY, ops.RULE, ops.GETITEM, ops.CONTAINER, ops.USER, ops.CUSTOM,
             ops.UNKNOWN, ops.APPEND, ops.POP}
    declared = {value for name, value in vars(ops).items() if name.isupper()
                and isinstance(value, str)}
    assert declared == kinds
    # indexing computes nothing from the index only for these (see lower_methods)
    assert set(PLAIN_DATA) == {np.ndarray, np.generic, list, tuple, dict, str, bytes, range,
                               numbers.Number, type}
