"""Primals without a derivative (comparisons, rounding, indices, predicates, creation
from shapes, builtins): the gradient through them is exactly zero, and a gradient
computed alongside them is unaffected.

Each ``use`` below reaches x only through no-derivative primals and returns a number.
``grad(lambda x: use(x))`` must be zeros; ``grad(lambda x: sum(sin(x)) * (1 + use(x)))``
must match finite differences (x is kept away from the jumps).
"""
import collections
import math
import operator

import numpy as np
import pytest

import runtime as rt
import transpiler as tp
from helpers.check_grads import check_grads

from .oracle import Grad, grad_params
from . import test_decompositions
from . import test_statistics
from . import test_batching

X = np.array([0.3, -1.7, 2.4, 0.6])
S = 1.3


def comparisons(x):
    a, b = x[0], x[1]
    return np.sum((x < 0.5) + (x <= 0.5) * 2 + (x > a) + (x >= b) + (x == a) + (x != b)) \
        + (a < b) + (a is None) + (a is not None)


def numpy_comparisons(x):
    return np.sum(np.less(x, 0.5) + np.less_equal(x, 0.5) + np.greater(x, 0.0)
                  + np.greater_equal(x, 0.0) + np.equal(x, x[0]) + np.not_equal(x, x[1]))


def logic(x):
    p, q = x > 0.0, x > 1.0
    return np.sum(np.logical_and(p, q) + np.logical_or(p, q) + np.logical_not(p)
                  + np.logical_xor(p, q) + (p & q) + (p | q) + (p ^ q) + ~p + np.invert(q)) \
        + (not x[0] > 0.0)


def bits(x):
    n = np.floor(x * 3.0).astype(int)
    return np.sum(np.bitwise_and(n, 3) + np.bitwise_or(n, 1) + np.bitwise_xor(n, 2)
                  + (n << 1) + (n >> 1) + (n & 1) + (n | 2) + (n ^ 1) + ~n + np.invert(n))


def containment(x):
    return (x[0] in [0.5, 0.4]) + (2 in [1, 2]) + (x[1] not in [0.0])


def floor_division(x):
    return np.sum(x // 0.7 + np.floor_divide(x, 0.9))


def rounding(x):
    return np.sum(np.sign(x) + np.floor(x) + np.ceil(x) + np.trunc(x) + np.rint(x)
                  + np.round(x, 1) + np.around(x) + np.fix(x) + np.heaviside(x, 0.5))


def step_of_x(x):
    return np.sum(np.heaviside(x, x[0]))


def math_rounding(s):
    return math.floor(s) + math.ceil(s) * 2 + math.trunc(-s) + round(s) + round(s, 2) + int(s)


def predicates(x):
    return np.sum(np.isnan(x) + np.isinf(x) + np.isfinite(x) + np.signbit(x)
                  + np.iscomplex(x) + np.isreal(x)) + np.isclose(x[0], 0.5) \
        + np.allclose(x, x) + np.array_equal(x, x)


def math_predicates(s):
    return math.isnan(s) + math.isinf(s) + math.isfinite(s) + bool(s) + isinstance(s, float)


def indices(x):
    return np.argmax(x) + np.argmin(x) * 2 + np.sum(np.argsort(x) * np.arange(4)) \
        + np.count_nonzero(x > 0.5) + np.any(x > 2.0) + np.all(x > -2.0) \
        + np.sum(np.nonzero(x > 0.0)[0]) + np.sum(np.flatnonzero(x < 0.5)) \
        + np.sum(np.argwhere(x > 0.0)) + np.searchsorted(np.sort(x), 0.5)


def shapes(x):
    return np.shape(x)[0] + np.ndim(x) + np.size(x) + len(x) + (np.result_type(x) == np.float64)


def created(x):
    n = len(x)
    base = (np.zeros(n) + np.ones(n) + np.zeros_like(x) + np.ones_like(x) + np.arange(n)
            + np.sum(np.eye(n), axis=0) + np.sum(np.identity(n), axis=1) + np.sum(np.tri(n), 1)
            # np.empty's contents are arbitrary (maybe NaN): use only their shapes
            + np.zeros(np.empty(n).shape) + np.zeros_like(np.empty_like(x)))
    rows, cols = np.tril_indices(n)
    upper, _ = np.triu_indices(n)
    grid = np.indices((2, n))
    return np.sum(base * (x > 0.0)) + np.sum(rows + cols + upper) + np.sum(grid)


def random_draws(x):
    np.random.seed(4)
    draws = np.random.rand(4) + np.random.randn(4) + np.random.random(4)
    return np.sum(draws * (x > 0.0))


def builtins_without_derivative(x):
    total = 0
    for k in range(len(x)):
        total = total + int(x[k] > 0.0) * k
    name = str(len(x))
    print(end="")
    return total + len(name) + (x[slice(0, 2)] > 0.0).sum() + (id(x) > 0)


def text_of_values(x):
    # text made of values: printed or measured, never turned back into a number
    label = repr(x[0]) + format(x[1], ".2f") + ascii(x[2]) + str(x) + f"{x[0]:.1f}" + "%g" % x[1]
    return len(label) > 0


def flat_of_real_values(x):
    # the angle of a real number is 0 or pi, its imaginary part 0; sizes in bytes
    return np.sum(np.angle(x) + np.imag(x) + np.spacing(x) * 0.0) + x.itemsize + x.nbytes


def dict_keys(s):
    d = {"a": s, "b": 2.0 * s}
    count = 0
    for key in d.keys():
        count = count + len(key)
    return count + len(rt.dict_keys(d))


def augmented_integer_operations(x):
    n = np.floor(x * 3.0).astype(int)
    n //= 2
    n &= 7
    n |= 1
    n ^= 2
    n <<= 1
    n >>= 1
    return np.sum(n)


def adjoint_helpers(x):
    # what generated adjoint code calls for zeros, seeds and the position of a max/min
    items = [x[0], x[1], x[2]]
    rt.check_real(np.result_type(x), "x")
    assert rt.promoted_shape(x, 2) == (1, len(x))
    return np.sum(rt.zeros_like(x)) + rt.seed(np.sum(x)) + rt.first_max(items) \
        + rt.first_min(items) + np.sum(rt.basis(x)[0]) + np.sum(rt.basis_batch(x)[0])


def aux_data(x):
    # what grad(has_aux=True) calls to split (output, aux)
    return np.sum(rt.aux_of((x, x > 0.0))) + len(rt.aux_of([x, [x[0], x[1]]]))


Point = collections.namedtuple("Point", "u v")


def adjoint_choices(x):
    # what adjoint code reads to route a cotangent: the values .at[].max kept, whether an
    # index repeats, the position of a namedtuple's field
    updated = rt.at_max(x, np.array([1, 1, 2]), x[:3])
    kept = rt.at_minmax_kept(updated, x, np.array([1, 1, 2]), x[:3])
    return np.sum(kept) + rt.at_unique(np.shape(x), np.array([0, 0])) \
        + rt.field_index(Point(x[0], x[1]), "v")


def zero_tangents(x):
    # what forward-mode rules fill the unchanged parts of a container's tangent with
    zeros = rt.zero_tangent([x, (x[0], "key"), {"w": x[:2]}])
    return np.sum(zeros[0]) + zeros[1][0] + np.sum(zeros[2]["w"]) + len(zeros[1][1])


NONDIFF = [
    ((operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
      operator.is_, operator.is_not), comparisons, X),
    ((np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal),
     numpy_comparisons, X),
    ((np.logical_and, np.logical_or, np.logical_not, np.logical_xor, operator.and_,
      operator.or_, operator.xor, operator.invert, np.invert, operator.not_), logic, X),
    ((np.bitwise_and, np.bitwise_or, np.bitwise_xor, operator.lshift, operator.rshift), bits, X),
    ((operator.contains,), containment, X),
    ((operator.floordiv, np.floor_divide), floor_division, X),
    ((np.sign, np.floor, np.ceil, np.trunc, np.rint, np.round, np.around, np.fix), rounding, X),
    ((np.heaviside,), step_of_x, X),      # flat in its first argument
    ((math.floor, math.ceil, math.trunc, round, int), math_rounding, S),
    ((np.isnan, np.isinf, np.isfinite, np.signbit, np.iscomplex, np.isreal, np.isclose,
      np.allclose, np.array_equal), predicates, X),
    ((math.isnan, math.isinf, math.isfinite, bool, isinstance), math_predicates, S),
    ((np.argmax, np.argmin, np.argsort, np.count_nonzero, np.any, np.all, np.nonzero,
      np.flatnonzero, np.argwhere, np.searchsorted), indices, X),
    ((np.shape, np.ndim, np.size, len, np.result_type), shapes, X),
    ((np.zeros, np.ones, np.zeros_like, np.ones_like, np.arange, np.eye, np.identity, np.tri,
      np.empty, np.empty_like, np.tril_indices, np.triu_indices, np.indices), created, X),
    ((np.random.seed, np.random.rand, np.random.randn, np.random.random), random_draws, X),
    ((range, int, str, print, slice, id), builtins_without_derivative, X),
    ((rt.dict_keys,), dict_keys, S),
    ((str, repr, format, ascii), text_of_values, X),
    ((np.angle, np.imag, np.spacing, rt.itemsize, rt.nbytes), flat_of_real_values, X),
    ((rt.zeros_like, rt.basis, rt.basis_batch, rt.seed, rt.first_max, rt.first_min,
      rt.check_real, rt.promoted_shape),
     adjoint_helpers, X),
    ((rt.at_minmax_kept, rt.at_unique, rt.field_index), adjoint_choices, X),
    ((operator.ifloordiv, operator.iand, operator.ior, operator.ixor, operator.ilshift,
      operator.irshift), augmented_integer_operations, X),
    ((rt.aux_of,), aux_data, X),
    ((rt.zero_tangent,), zero_tangents, X),
]
NONDIFF += test_decompositions.NONDIFF
NONDIFF += test_statistics.NONDIFF
NONDIFF += test_batching.NONDIFF


def alone(use):
    return lambda x: use(x) * 1.0


def alongside(use):
    return lambda x: np.sum(np.sin(x) * x) * (1.0 + use(x))


@pytest.mark.parametrize("case", grad_params([Grad(p, use, x) for p, use, x in NONDIFF]))
def test_gradient_through_no_derivative_primals_is_zero(case):
    derived = tp.grad(alone(case.fn))
    for grad in (derived(*case.args), derived.call_generic(*case.args)):
        assert np.shape(grad) == np.shape(case.args[0])
        assert np.all(np.asarray(grad) == 0.0), grad


@pytest.mark.parametrize("case", grad_params([Grad(p, use, x) for p, use, x in NONDIFF]))
def test_no_derivative_primals_leave_a_gradient_alongside_intact(case):
    check_grads(alongside(case.fn), case.args)
