"""Interpolation and order statistics (rules/statistics.py): each rule and runtime
helper alone against central finite differences (``CALLS``), each primal through
``tp.grad`` (``CASES``), and the gradients of generated gradients (``SECOND``).
Outputs are weighed unevenly (``weigh``) to catch an adjoint that lands on the wrong
element; data are kept away from the kinks (segment ends, ties) finite differences
cannot cross, and the kinks are tested on their own."""
import inspect

import numpy as np
import pytest

import runtime as rt
import transpiler as tp
from helpers.check_grads import check_grads
from transpiler.rules import evaluation as E, registry

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_params
from .test_grad_shape import weigh
from .test_higher_order import weighed
from .test_abstract_eval import test_abstract_eval_matches_numpy as check_abstract_eval

RNG = np.random.default_rng(29)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def distinct(*shape):
    """Values far apart (no two within 0.1 of each other): no ties, no kinks near."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.37 - n * 0.15).reshape(shape)


def cotangents(ans):
    shape = np.shape(ans)
    return [normal(*shape)] + ([normal()] if shape else [])


def adjoint_calls(helper, ans, *args):
    return [Call(helper, g, ans, *args) for g in cotangents(ans)]


CALLS, CASES, SECOND = [], [], []


# ------------------------------------------------------------ interpolation
XP = np.array([-1.5, -0.4, 0.3, 1.1, 2.0])
FP = normal(5)
# inside each segment, below and above the ends, away from the knots
X_ALL = np.array([-2.3, -1.2, -0.1, 0.55, 1.6, 2.7, 0.9])
for x in (X_ALL, X_ALL.reshape(7, 1), 0.55, np.float64(-3.0), np.array(1.7), X_ALL[:3]):
    CALLS += [Call(np.interp, x, XP, FP), Call(np.interp, x, XP, FP, -2.0, 3.5),
              Call(np.interp, x, XP, FP, left=0.7), Call(np.interp, x, XP, FP, right=normal())]
CALLS += [Call(np.interp, X_ALL, np.array([0.2]), np.array([1.3])),
          Call(np.interp, X_ALL, np.array([0.2]), np.array([1.3]), 4.0, -1.0),
          Call(np.interp, X_ALL.reshape(1, 7), np.array([-1.0, 1.0]), normal(2), period=None)]


def interpolated(x, fp):
    return weigh(np.interp(x, XP, fp)) + weigh(np.interp(x * 0.5, XP, fp * fp, -1.0, 2.0)) \
        + np.interp(0.5, XP, fp, right=3.0) * 2.0


def interpolated_bounds(x, left, right):
    return weigh(np.interp(x, XP, FP, left=left, right=right * right)) \
        + weigh(np.interp(x, XP, FP, left * 2.0))


def interpolated_grid(x):
    # a grid of points read from a curve of x's own values
    return weigh(np.interp(x.reshape(2, 3) * 0.7, XP, np.sin(x[:5])))


CASES += [Grad(np.interp, interpolated, X_ALL, FP, argnums=(0, 1)),
          Grad(np.interp, interpolated_bounds, X_ALL, 0.4, 1.3, argnums=(0, 1, 2)),
          Grad(np.interp, interpolated_grid, np.array([-1.9, -0.7, 0.1, 0.6, 1.4, 2.6])),
          Grad(np.interp, lambda x: np.sum(np.interp(x, XP, FP)), X_ALL, note="-summed")]
SECOND += [(interpolated, (X_ALL, FP)),
           (interpolated_bounds, (X_ALL, 0.4, 1.3)), (interpolated_grid, (np.array([-1.9, -0.7, 0.1, 0.6, 1.4, 2.6]),))]


def segments(x):
    # which segment each point reads: piecewise constant in x
    return np.sum(rt.interp_segment(x * 0.9, XP) * 1.0) + np.sum(rt.interp_segment(x[0], XP[:1]))


NONDIFF = [((rt.interp_segment,), segments, X_ALL[:4])]


def test_interp_at_the_knots_follows_numpy():
    # at a knot np.interp reads the segment starting there (the last at xp[-1]), and
    # the bounds only strictly outside
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([2.0, 5.0, -1.0])
    x = np.array([0.0, 1.0, 3.0, -1.0, 4.0])
    g = np.arange(1.0, 6.0)
    record = rt_rule(np.interp)
    d_x, d_fp, d_left, d_right = record(g, np.interp(x, xp, fp, 7.0, 8.0), x, xp, fp, 7.0, 8.0)
    assert np.allclose(d_x, g * np.array([3.0, -3.0, -3.0, 0.0, 0.0]))
    assert np.allclose(d_fp, [1.0, 2.0, 3.0])
    assert np.allclose([d_left, d_right], [4.0, 5.0])


def rt_rule(primal):
    from transpiler.rules import registry
    record = registry.lookup(primal)
    return lambda g, ans, *args: tuple(record.vjp_function(p)(g, ans, *args) for p in record.diff)


# ------------------------------------------------------------ order statistics
ODD, EVEN, CUBE = distinct(5), distinct(6), distinct(3, 4, 5)
MATRIX = distinct(4, 6)
for a in (ODD, EVEN, MATRIX, CUBE):
    CALLS += [Call(np.median, a), Call(np.nanmedian, a), Call(np.median, a, keepdims=True)]
for axis in (0, -1, 1, (0, 2), (2, 0, 1)):
    CALLS += [Call(np.median, CUBE, axis), Call(np.median, CUBE, axis=axis, keepdims=True),
              Call(np.nanmedian, CUBE, axis, keepdims=True)]
QS = (0.0, 0.25, 0.5, 0.9, 1.0, np.array([0.1, 0.75]), np.array([[0.3], [0.0]]), [0.2, 0.6])
for q in QS:
    CALLS += [Call(np.quantile, MATRIX, q), Call(np.quantile, MATRIX, q, 1),
              Call(np.quantile, CUBE, q, axis=(0, -1), keepdims=True),
              Call(np.nanquantile, MATRIX, q, axis=0),
              Call(np.percentile, MATRIX, np.multiply(q, 100), -1, keepdims=True),
              Call(np.nanpercentile, CUBE, np.multiply(q, 100), 1, method="linear")]
CALLS += [Call(np.quantile, 1.5, 0.3), Call(np.median, np.float64(2.0)), Call(np.quantile, ODD, 0.3)]
# NaNs left out by the nan- forms (a slice of NaNs alone: a NaN result, see
# test_a_slice_of_nans_has_no_adjoint)
WITH_NAN = distinct(4, 5)
WITH_NAN[0, 1] = WITH_NAN[3, 4] = WITH_NAN[1, 0] = WITH_NAN[1, 3] = np.nan
CALLS += [Call(np.nanmedian, WITH_NAN, 1), Call(np.nanquantile, WITH_NAN, [0.2, 0.7], 1),
          Call(np.nanpercentile, WITH_NAN, 35, axis=1, keepdims=True)]
for a, q, axis, keepdims, nan in ((MATRIX, 0.3, None, False, False), (CUBE, [0.2, 0.9], (0, 2), True, False),
                                  (WITH_NAN, 0.6, 1, False, True), (CUBE, np.array(0.5), 1, True, False)):
    ans = (np.nanquantile if nan else np.quantile)(a, q, axis=axis, keepdims=keepdims)
    CALLS += adjoint_calls(rt.quantile_adjoint, ans, a, q, axis, keepdims, nan)
    CALLS += [Call(rt.quantile_gather, normal(*np.shape(a)), a, q, axis, keepdims, nan),
              Call(rt.quantile_gather, normal(), a, q, axis, keepdims, nan)]


def order_statistics(x):
    return weigh(np.median(x, axis=0)) + np.median(x) ** 2 \
        + weigh(np.quantile(x, [0.1, 0.8], axis=1)) + weigh(np.percentile(x * x, 30, axis=-1, keepdims=True)) \
        + weigh(np.nanmedian(np.sin(x), axis=1)) + weigh(np.nanquantile(x, 0.4, axis=0)) \
        + np.nanpercentile(x, [25, 50, 99])[2]


def nan_order_statistics(x):
    return weigh(np.nanmedian(x, axis=1)) + weigh(np.nanquantile(x * 2.0, [0.3, 0.9], axis=1)) \
        + weigh(np.nanpercentile(x, 60, axis=1, keepdims=True))


ORDER = (np.median, np.quantile, np.percentile, np.nanmedian, np.nanquantile, np.nanpercentile)
CASES += [Grad(ORDER, order_statistics, MATRIX), Grad(ORDER, order_statistics, distinct(3, 3)),
          Grad((np.nanmedian, np.nanquantile, np.nanpercentile), nan_order_statistics, WITH_NAN),
          Grad(np.median, lambda x: np.sum(np.median(x, 1)), MATRIX, note="-summed"),
          Grad(np.quantile, lambda x: np.sum(np.quantile(x, [0.2, 0.5])), CUBE, note="-summed"),
          Grad(rt.quantile_adjoint, lambda x: weigh(rt.quantile_adjoint(x[0] ** 2, x[0], x, 0.3, 0)),
               MATRIX),
          Grad(rt.quantile_gather, lambda x: weigh(rt.quantile_gather(x * x, x, [0.3, 0.6], 1)),
               MATRIX)]
SECOND += [(order_statistics, (MATRIX,)), (nan_order_statistics, (WITH_NAN,))]


def test_median_ties_share_as_sort_does():
    # equal middle values: the stable sort's order decides which takes which weight
    a = np.array([3.0, 1.0, 3.0, 0.0])
    adjoint = rt.quantile_adjoint(1.0, np.median(a), a, 0.5)
    assert np.allclose(adjoint, [0.5, 0.5, 0.0, 0.0])
    adjoint = rt.quantile_adjoint(1.0, np.quantile(a, 0.9), a, 0.9)
    assert np.allclose(adjoint, [0.3, 0.0, 0.7, 0.0])
    assert np.isclose(np.sum(adjoint), 1.0)


def test_a_slice_of_nans_has_no_adjoint():
    a = WITH_NAN.copy()
    a[2] = np.nan
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        ans = np.nanquantile(a, [0.3, 0.5], axis=1)
    adjoint = rt.quantile_adjoint(np.ones(ans.shape), ans, a, [0.3, 0.5], 1, False, True)
    assert np.all(adjoint[2] == 0.0) and np.all(adjoint[np.isnan(a)] == 0.0)
    assert np.allclose(np.sum(adjoint, axis=1), [2.0, 2.0, 0.0, 2.0])


# ------------------------------------------------------------ covariance
OBS, ROW = normal(3, 6), normal(6)
COV_ARGS = [(OBS,), (ROW,), (OBS, ROW), (OBS, normal(2, 6)), (ROW, normal(6)),
            (normal(6, 3), None, False), (normal(6, 3), normal(6, 2), False), (ROW, ROW * 0.5 + normal(6), False),
            (normal(6), normal(1, 6), False)]
for args in COV_ARGS:
    CALLS += [Call(np.cov, *args), Call(np.corrcoef, *args)]
    for part in (0, 1)[:1 + (len(args) > 1 and args[1] is not None)]:
        x = rt.variables(*args)
        CALLS += [Call(rt.unvariables, normal(*x.shape), *args[:1], *(args[1:2] or (None,)), *args[2:],
                       part=part),
                  Call(rt.unvariables, normal(), *args[:1], *(args[1:2] or (None,)), *args[2:], part=part)]
    CALLS += [Call(rt.variables, *args)]
CALLS += [Call(np.cov, OBS, bias=True), Call(np.cov, OBS, ddof=0), Call(np.cov, OBS, ROW, ddof=3),
          Call(np.cov, normal(6, 2), rowvar=False, bias=True, ddof=2), Call(np.cov, OBS, dtype=np.float64),
          Call(np.corrcoef, OBS, rowvar=True), Call(np.corrcoef, normal(6, 4), rowvar=False)]


def covariances(x, y):
    return weigh(np.cov(x)) + weigh(np.cov(x, y[0], bias=True)) + weigh(np.cov(x.T, rowvar=False, ddof=0) ** 2) \
        + np.cov(y[1], y[0] * y[1]) [0, 1] + np.cov(x[0]) * 3.0


def correlations(x, y):
    return weigh(np.corrcoef(x)) + weigh(np.corrcoef(x, y) ** 2) + weigh(np.corrcoef(y.T, rowvar=False)) \
        + np.corrcoef(x[0], np.sin(y[1]))[0, 1]


CASES += [Grad(np.cov, covariances, OBS, normal(2, 6), argnums=(0, 1)),
          Grad(np.corrcoef, correlations, OBS, normal(2, 6), argnums=(0, 1)),
          Grad(np.cov, lambda x: np.sum(np.cov(x)), OBS, note="-summed"),
          Grad(np.corrcoef, lambda x: np.sum(np.corrcoef(x, x * x)), OBS, note="-summed"),
          Grad((rt.variables, rt.unvariables),
               lambda x: weigh(rt.unvariables(rt.variables(x.T, x[0], False) ** 2, x.T, x[0], False, 1))
               + weigh(rt.unvariables(np.sin(x), x, None, True, 0)), normal(3, 6))]
SECOND += [(covariances, (OBS, normal(2, 6))), (correlations, (OBS, normal(2, 6)))]


def test_correlation_of_a_variable_with_itself_has_no_derivative():
    # the diagonal of R is 1 whatever x is
    g = np.diag([1.0, 2.0, 3.0])
    adjoint = rt_rule(np.corrcoef)(g, np.corrcoef(OBS), OBS)[0]
    assert np.allclose(adjoint, 0.0)


# ------------------------------------------------------------ integration
CURVE, SHEET = normal(6), normal(3, 5)
SAMPLES = np.cumsum(np.abs(normal(6)) + 0.2)
for call_args, kwargs in [((CURVE,), {}), ((CURVE, SAMPLES), {}), ((CURVE,), {"dx": 0.3}),
                          ((CURVE, None, 0.7), {}), ((SHEET,), {"axis": 0}), ((SHEET, normal(5)), {}),
                          ((SHEET, normal(3)), {"axis": 0}), ((SHEET, normal(3, 5)), {"axis": -2}),
                          ((SHEET, normal(3, 5)), {}), ((SHEET, normal(1, 5)), {}),
                          ((SHEET,), {"dx": np.float64(2.5), "axis": 1}), ((normal(2, 3, 4), normal(3)), {"axis": 1}),
                          ((CURVE, normal(4, 6)), {}), ((normal(5, 1), normal(2, 3)), {"axis": 0})]:
    CALLS += [Call(np.trapezoid, *call_args, **kwargs)]
# dx given beside x (not read); float32
CALLS += [Call(np.trapezoid, CURVE, SAMPLES, 0.7),
          Call(np.trapezoid, SHEET.astype(np.float32), SAMPLES[:5].astype(np.float32),
               tol=dict(rtol=1e-3, atol=1e-3, eps=1e-3))]


def integrated(y, x):
    return np.trapezoid(y[0], x) * 2.0 + weigh(np.trapezoid(y, x, axis=-1)) \
        + weigh(np.trapezoid(y * y, dx=x[1], axis=0)) + np.trapezoid(np.sin(y[1])) \
        + weigh(np.trapezoid(y, np.outer(x[:3], x), axis=1))


CASES += [Grad(np.trapezoid, integrated, SHEET, SAMPLES[:5], argnums=(0, 1)),
          Grad(np.trapezoid, lambda y: np.sum(np.trapezoid(y, axis=0)), SHEET, note="-summed")]
SECOND += [(integrated, (SHEET, SAMPLES[:5]))]


# ------------------------------------------------------------ grids
for kwargs in ({}, {"indexing": "ij"}, {"sparse": True}, {"sparse": True, "indexing": "ij"},
               {"copy": True, "indexing": "xy"}):
    CALLS += [Call(np.meshgrid, normal(3), normal(4), **kwargs), Call(np.meshgrid, normal(2), **kwargs),
              Call(np.meshgrid, normal(2), normal(3), normal(4), **kwargs),
              Call(np.meshgrid, normal(2, 2), normal(), normal(3), **kwargs)]


def gridded(x, y):
    a, b = np.meshgrid(x, y)
    c, d, e = np.meshgrid(x, y, x * y[:3], indexing="ij")
    p, q = np.meshgrid(x, y ** 2, sparse=True)
    return weigh(a * b) + weigh(np.sin(c) * d + e) + weigh(p * q) + weigh(np.meshgrid(x)[0])


def grid_of_one(x):
    grids = np.meshgrid(x, x)
    return weigh(grids[0] * grids[1] ** 2)


CASES += [Grad(np.meshgrid, gridded, normal(3), normal(4), argnums=(0, 1)),
          Grad(np.meshgrid, grid_of_one, normal(3)),
          Grad(np.meshgrid, lambda x: np.sum(np.meshgrid(x, x * 2.0)[1]), normal(3), note="-summed")]
SECOND += [(gridded, (normal(3), normal(4))), (grid_of_one, (normal(3),))]


# ------------------------------------------------------------ the NumPy 2 norms
vector_norm, matrix_norm = np.linalg.vector_norm, np.linalg.matrix_norm
BATCH = normal(2, 3, 4)      # no zero, no tie among the absolute values or their sums
for order in (2, 1, 3, 0.5, -1, np.inf, -np.inf):
    CALLS += [Call(vector_norm, BATCH, ord=order), Call(vector_norm, BATCH, axis=1, ord=order),
              Call(vector_norm, BATCH, axis=(0, 2), ord=order, keepdims=True),
              Call(vector_norm, BATCH[0], ord=order), Call(vector_norm, BATCH, axis=-1, keepdims=True, ord=order)]
CALLS += [Call(vector_norm, BATCH), Call(vector_norm, BATCH, keepdims=True), Call(vector_norm, np.float64(-1.5)),
          Call(vector_norm, BATCH, axis=(2, 0, 1)), Call(vector_norm, BATCH[0], axis=(-1, -2), ord=0)]
for order in ("fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"):
    CALLS += [Call(matrix_norm, BATCH, ord=order), Call(matrix_norm, BATCH[0], ord=order, keepdims=True),
              Call(matrix_norm, BATCH, keepdims=True, ord=order)]
CALLS += [Call(matrix_norm, BATCH), Call(matrix_norm, normal(3, 3))]
# a two-way tie of the largest absolute values (shared, as central differences split it)
CALLS += [Call(vector_norm, np.array([1.0, -3.0, 3.0, 0.5]), ord=np.inf),
          Call(vector_norm, np.array([[1.0, -3.0], [-1.0, 0.5]]), axis=0, ord=-np.inf)]


def array_api_norms(x):
    return weigh(vector_norm(x, axis=1)) + vector_norm(x) + weigh(vector_norm(x * x, axis=(0, 2), ord=3)) \
        + weigh(vector_norm(x, ord=np.inf, axis=-1, keepdims=True)) + weigh(matrix_norm(x)) \
        + weigh(matrix_norm(x, ord=1, keepdims=True)) + weigh(matrix_norm(x, ord=2)) \
        + weigh(matrix_norm(np.sin(x), ord="nuc")) + matrix_norm(x[0], ord=-np.inf)


CASES += [Grad((vector_norm, matrix_norm), array_api_norms, BATCH),
          Grad(vector_norm, lambda x: np.sum(vector_norm(x, axis=0)), BATCH, note="-summed"),
          Grad(matrix_norm, lambda x: np.sum(matrix_norm(x, ord=-2)), BATCH, note="-summed")]
SECOND += [(array_api_norms, (BATCH,))]


def test_vector_norm_of_a_matrix_is_of_its_entries():
    # axis=None: the 2-norm of all the entries, not the spectral norm np.linalg.norm's
    # ord=2 gives a matrix
    x = normal(3, 4)
    adjoint = rt_rule(vector_norm)(1.0, vector_norm(x), x)[0]
    assert np.allclose(adjoint, x / np.sqrt(np.sum(x * x)))


# ------------------------------------------------------------ np.block
SQ, TALL, ROW5 = normal(2, 2), normal(2, 3), normal(1, 5)
BLOCKS = [[[SQ, TALL], [ROW5]], [SQ, SQ], [[1.5, normal(2)]], [[[SQ], [SQ]], [[SQ], [SQ]]], normal(3),
          [normal(2), 3.0], [[SQ, normal(2, 1)], [normal(2), np.float64(0.5)]], [[normal(1, 3, 2)], [normal(2)]]]
for arrays in BLOCKS:
    ans = np.block(arrays)
    CALLS += [Call(np.block, arrays)] + adjoint_calls(rt.unblock, ans, arrays)
    pieces = rt.unblock(normal(*ans.shape), ans, arrays)
    CALLS += [Call(rt.block_of, pieces, arrays), Call(rt.block_of, normal(), arrays)]
# a block unused (0.0), a block's cotangent lazily broadcast
CALLS += [Call(rt.block_of, [0.0, normal(2, 2)], [SQ, SQ]), Call(rt.block_of, [[normal(), TALL * 0.0 + normal(2, 3)], [0.0]],
                                                                  [[SQ, TALL], [ROW5]])]


def blocked(x, y):
    return weigh(np.block([[x, y], [y * 2.0, x ** 2]])) + weigh(np.block([x[0], y[1], 3.0])) \
        + weigh(np.block([[[x]], [[np.sin(y)]]]))


CASES += [Grad(np.block, blocked, normal(2, 2), normal(2, 2), argnums=(0, 1)),
          Grad(np.block, lambda x: np.sum(np.block([[x], [x]])), normal(2, 3), note="-summed"),
          Grad((rt.unblock, rt.block_of),
               lambda x: weigh(rt.block_of(rt.unblock(np.sin(x), x, [[x[:, :1], x[:, 1:]]]), [[x[:, :1], x[:, 1:]]]))
               + weigh(rt.block_of(x[0, 0], [x[0], x[1]])), normal(2, 3))]
SECOND += [(blocked, (normal(2, 2), normal(2, 2)))]


# ------------------------------------------------------------ the tests

@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


@pytest.mark.parametrize("f, args", SECOND, ids=[f.__name__ for f, _ in SECOND])
def test_gradient_of_a_generated_gradient_matches_finite_differences(f, args):
    for wrt in range(len(args)):
        generated = tp.grad(f, argnums=wrt).specialised(*args)
        check_grads(weighed(generated, len(args)), args, argnums=tuple(range(len(args))))


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.label())
def test_abstract_eval_matches_numpy(call):
    if call.primal is rt.unblock:           # a nested list of pieces: not described
        assert registry.lookup(rt.unblock).abstract_eval is E.unknown
        return
    check_abstract_eval(call)


# ------------------------------------------------------------ refused forms

REFUSED = []


def refusal(fn, args, marker, *words):
    """``tp.grad(fn)(*args)`` raises a TranspileError located at the line of ``fn``
    marked ``# E:<marker>``, with a hint and ``words`` in it."""
    source, first = inspect.getsourcelines(fn)
    marked = [first + k for k, text in enumerate(source) if text.rstrip().endswith("# E:" + marker)]
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)(*args)
    message = str(info.value)
    assert message.startswith("%s:%d:" % (inspect.getsourcefile(fn), marked[0])), message
    assert "\nhint: " in message and all(word in message for word in words), message


def varied_knots(x):
    return weigh(np.interp(X_ALL, x, FP))  # E:interp-xp


def periodic(x):
    return weigh(np.interp(x, XP, FP, period=2.0))  # E:interp-period


def varied_quantile(q):
    return np.quantile(MATRIX, q)  # E:quantile-q


def nearest_quantile(x):
    return weigh(np.quantile(x, 0.3, axis=0, method="nearest"))  # E:quantile-method


def overwritten_median(x):
    return np.median(x * 1.0, overwrite_input=True)  # E:median-overwrite


def weighted_cov(x):
    return weigh(np.cov(x, aweights=np.arange(1.0, 7.0)))  # E:cov-weights


def viewed_grid(x):
    return weigh(np.meshgrid(x, x, copy=False)[0])  # E:meshgrid-copy


REFUSED += [(viewed_grid, (X_ALL,), "meshgrid-copy", ("copy",)),
            (varied_knots, (XP,), "interp-xp", ("xp",)),
            (periodic, (X_ALL,), "interp-period", ("period",)),
            (varied_quantile, (0.3,), "quantile-q", ("q",)),
            (nearest_quantile, (MATRIX,), "quantile-method", ("method",)),
            (overwritten_median, (MATRIX,), "median-overwrite", ("overwrite_input",)),
            (weighted_cov, (OBS,), "cov-weights", ("aweights",))]


@pytest.mark.parametrize("fn, args, marker, words", REFUSED, ids=[r[2] for r in REFUSED])
def test_refused_at_the_line(fn, args, marker, words):
    refusal(fn, args, marker, *words)
