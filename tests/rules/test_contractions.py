"""Contractions and products: np.einsum (subscripts with ellipses, the sublist form),
np.tensordot, np.cross, np.kron, np.convolve, np.correlate, and the runtime helpers
their rules call (rt.einsum_adjoint, rt.einsum_of, rt.bilinear, rt.bilinear_adjoint):
each rule alone against central finite differences, through ``tp.grad`` (the same array
passed twice too), and to second order through generated code."""
import warnings

import numpy as np
import pytest

import runtime as rt
import transpiler as tp
from helpers.check_grads import check_grads

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_of, rule_params
from .test_higher_order import weighed
from .test_vjp_runtime import cotangents

# NumPy 2 deprecates np.cross of 2-vectors, which the rows call on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors")

RNG = np.random.default_rng(43)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def weigh(y):
    """A scalar that weighs every element of ``y`` differently."""
    return np.sum(np.sin(y) * np.reshape(np.arange(1.0, np.size(y) + 1.0), np.shape(y)))


# ------------------------------------------------------------ rule tables

# (shape of a, shape of b, keywords): 3-vectors, 2-vectors (a scalar per pair), mixed,
# broadcast batches, vectors along other axes
CROSSES = [((3,), (3,), {}), ((4, 3), (3,), {}), ((2,), (2,), {}), ((4, 2), (4, 2), {}),
           ((2,), (3,), {}), ((4, 3), (2,), {}), ((2, 1, 3), (4, 3), {}), ((5, 2), (1, 2), {}),
           ((3, 4), (4, 3), dict(axisa=0)), ((3, 4), (3, 4), dict(axisa=0, axisb=0, axisc=0)),
           ((3, 4), (3, 4), dict(axis=0)), ((2, 5), (5, 3), dict(axisa=0, axisc=0)),
           ((4, 3), (2, 4, 3), dict(axisc=1)), ((2, 4), (4, 3), dict(axisa=-2, axisc=-2)),
           ((2, 4), (2, 4), dict(axis=-2))]
KRONS = [((2,), (3,)), ((2, 3), (3, 2)), ((2,), (3, 2)), ((2, 2, 2), (3,)), ((), (3,)),
         ((2, 3), ()), ((1, 3), (2, 1)), ((2, 1, 2), (1, 3))]
TENSORDOTS = [((2, 3), (3, 4), 1), ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (4, 5), 0), ((3,), (3,), 1),
              ((2, 3, 4), (4, 3, 2), ([1, 0], [1, 2])), ((2, 3, 4), (4, 3), ([-1], [0])),
              ((2, 3), (3, 2), (1, 0)), ((3, 3), (3, 3), ([0, 1], [1, 0])), ((2, 3), (2, 3), 2),
              ((2, 3, 4), (4, 2), (-1, 0))]
LENGTHS = [(5, 3), (3, 5), (4, 4), (2, 3), (3, 2), (1, 4), (4, 1), (2, 6), (6, 2)]
EINSUMS = [("ij,jk->ik", (2, 3), (3, 4)), ("i,i->", (3,), (3,)), ("ij->j", (3, 4)),
           ("bij,bjk->bik", (2, 2, 3), (2, 3, 4)), ("ij,jk", (2, 3), (3, 4)),
           ("ij,j->i", (2, 3), (3,)), ("i,j->ij", (2,), (3,)), ("ijk->kji", (2, 3, 4)),
           ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)), ("ij->", (2, 3)), ("ij,ij->i", (2, 3), (2, 3)),
           ("i,jk->ijk", (2,), (3, 4)), ("ii->i", (3, 3)), ("ii", (3, 3)),
           ("iij,j->i", (3, 3, 2), (2,)),
           # ellipses: broadcast batches, operands with different numbers of them
           ("...ij,...jk->...ik", (2, 2, 3), (2, 3, 4)), ("...ij,...jk->...ik", (2, 2, 3), (3, 4)),
           ("...ij,...jk", (5, 2, 2, 3), (1, 3, 2)), ("...i,...i", (2, 3), (3,)),
           ("i...,i", (2, 3, 4), (2,)), ("...ii->...i", (2, 3, 3)),
           ("i...j,j...->...ij", (2, 3, 4), (4, 3)), ("...,...", (2, 1), (3,)),
           ("a...b", (2, 4, 3)), ("bA", (2, 3)),
           # letters of size 1 broadcast against the other operand's
           ("ij,jk->ik", (3, 1), (4, 2)), ("ij,j->i", (2, 3), (1,)), ("ij,ij->j", (1, 3), (4, 3))]
# the sublist form: operands and label lists, the output list optional, Ellipsis in them
SUBLISTS = [((2, 3), [0, 1], [1, 0]), ((2, 3), [1, 0]), ((2, 3), [27, 0]),
            ((2, 3), [0, 1], (3, 4), [1, 2], [0, 2]), ((2, 3), [0, 1], (3, 4), [1, 2]),
            ((3, 3), [0, 0], [0]), ((2, 2, 3), [Ellipsis, 0], (3,), [0], [Ellipsis]),
            ((2, 3), [Ellipsis, 1], (3, 4), [1, 2], [Ellipsis, 2]), ((3,), [0], (3,), [0], [])]


def sublist_args(spec):
    return [normal(*a) if k % 2 == 0 and not (k == len(spec) - 1 and k) else a
            for k, a in enumerate(spec)]


CALLS = []
CALLS += [Call(np.cross, normal(*s), normal(*t), **kw) for s, t, kw in CROSSES]
CALLS += [Call(np.cross, normal(3, 4), normal(3, 4), 0, 0, 1)]       # the axes by position
CALLS += [Call(np.linalg.cross, normal(4, 3), normal(3)),
          Call(np.linalg.cross, normal(3, 4), normal(3, 1), axis=0)]
CALLS += [Call(np.kron, normal(*s), normal(*t)) for s, t in KRONS]
CALLS += [Call(np.kron, normal(), normal()), Call(np.kron, 0.5, normal(2, 2)),
          Call(np.kron, np.float64(1.5), normal(3)), Call(np.kron, np.array(0.5), normal(2, 2))]
CALLS += [Call(np.tensordot, normal(*s), normal(*t), axes) for s, t, axes in TENSORDOTS[:-1]]
CALLS += [Call(np.tensordot, normal(2, 3, 4), normal(4, 2), axes=(-1, 0)),
          Call(np.tensordot, normal(3, 4), normal(3, 4))]
for f, modes in ((np.convolve, (None, "full", "same", "valid")),
                 (np.correlate, (None, "valid", "same", "full"))):
    CALLS += [Call(f, normal(n), normal(m), *([mode] if mode else []))
              for n, m in LENGTHS for mode in modes]
    CALLS += [Call(f, normal(5), normal(2), mode="same")]
EINSUM_CALLS = [Call(np.einsum, spec, *[normal(*s) for s in shapes]) for spec, *shapes in EINSUMS]
EINSUM_CALLS += [Call(np.einsum, *sublist_args(spec)) for spec in SUBLISTS]
EINSUM_CALLS += [Call(np.einsum, "i,->i", normal(3), 0.7)]
CALLS += EINSUM_CALLS

# the runtime pair of the bilinear products, with the arguments their rules pass
PRODUCTS = [("cross", normal(4, 3), normal(3), (-1, -1, -1, None)),
            ("cross", normal(2), normal(2), (-1, -1, -1, None)),
            ("cross", normal(3, 4), normal(2, 4), (0, 0, 0, None)),
            ("cross", normal(3, 4), normal(3, 4), (-1, -1, -1, 0)),
            ("kron", normal(2, 3), normal(3), ()), ("kron", normal(), normal(2), ()),
            ("tensordot", normal(2, 3), normal(3, 4), (1,)),
            ("tensordot", normal(2, 3, 4), normal(4, 3), (([1, 2], [1, 0]),)),
            ("convolve", normal(5), normal(3), ("same",)), ("convolve", normal(2), normal(4), ("full",)),
            ("correlate", normal(2), normal(4), ("same",)), ("correlate", normal(5), normal(2), ("valid",))]
HELPER_CALLS = []
for product, a, b, options in PRODUCTS:
    ans = rt.bilinear(product, a, b, options)
    HELPER_CALLS += [Call(rt.bilinear, product, a, b, options)]
    HELPER_CALLS += [Call(rt.bilinear_adjoint, product, g, ans, a, b, options, k)
                     for k in (0, 1) for g in cotangents(ans)]
HELPER_EINSUMS = [("ij,jk->ik", (2, 3), (3, 4)), ("ii->i", (3, 3)), ("...ij,...jk", (2, 2, 3), (3, 2)),
                  ("ij->", (2, 3)), ("ij,j->i", (2, 3), (1,))]
EINSUM_HELPER_CALLS = []
for spec, *shapes in HELPER_EINSUMS:
    operands = (spec,) + tuple(normal(*s) for s in shapes)
    ans = np.einsum(*operands)
    EINSUM_HELPER_CALLS += [Call(rt.einsum_adjoint, g, ans, operands, k)
                            for k in range(1, len(operands)) for g in cotangents(ans)]
    EINSUM_HELPER_CALLS += [Call(rt.einsum_of, operands)]
for spec in SUBLISTS[3:7]:
    operands = tuple(sublist_args(spec))
    ans = np.einsum(*operands)
    EINSUM_HELPER_CALLS += [Call(rt.einsum_adjoint, g, ans, operands, k)
                            for k in range(0, len(operands) - 1, 2) for g in cotangents(ans)]
    EINSUM_HELPER_CALLS += [Call(rt.einsum_of, operands)]
CALLS += HELPER_CALLS + EINSUM_HELPER_CALLS


def _numeric(value):
    return isinstance(value, (np.ndarray, float))


def _array_params(calls):
    """rule_params of the rows, for the slots holding arrays or floats (np.einsum's
    varargs hold its subscripts too)."""
    return [p for p in rule_params(calls) if _numeric(
        p.values[0].args[p.values[3]] if isinstance(p.values[3], int)
        else p.values[0].kwargs[p.values[3]])]


ORACLE_CALLS = [c for c in CALLS if c.primal not in (rt.einsum_adjoint, rt.einsum_of)]


@pytest.mark.parametrize("call, param, argnum, position", _array_params(ORACLE_CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("call, param, argnum, position",
                         [p for p in rule_params(EINSUM_HELPER_CALLS) if p.values[1] == "g_in"])
def test_einsum_adjoint_matches_finite_differences_in_the_cotangent(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("call", EINSUM_HELPER_CALLS, ids=lambda c: c.label())
def test_einsum_helpers_match_finite_differences_in_the_operands(call):
    # the adjoint of the operands is a list, 0.0 where the subscripts stand (the
    # oracle would perturb them): each array is perturbed in turn
    vjp = rule_of(call.primal).vjp_function("operands")
    *lead, operands = call.args[:-1] if call.primal is rt.einsum_adjoint else call.args
    tail = call.args[-1:] if call.primal is rt.einsum_adjoint else ()
    ans = call.primal(*call.args)
    g = normal(*np.shape(ans))
    adjoint = vjp(g, ans, *call.args)
    _, _, positions = rt.contractions.einsum_form(operands)
    assert len(adjoint) == len(operands)
    for k, item in enumerate(operands):
        if k not in positions:
            assert adjoint[k] == 0.0, adjoint[k]
            continue
        v = normal(*np.shape(item))

        def at(step):
            moved = list(operands)
            moved[k] = item + step * v
            return np.sum(g * call.primal(*lead, tuple(moved), *tail))
        numeric = (at(1e-6) - at(-1e-6)) / 2e-6
        analytic = np.sum(np.broadcast_to(adjoint[k], np.shape(item)) * v)
        assert np.isclose(analytic, numeric, rtol=1e-5, atol=1e-6), (k, analytic, numeric)


def _einsum_slots(call):
    """(position of the operands in the call, the operands, positions of their arrays) of
    an np.einsum, rt.einsum_adjoint or rt.einsum_of row."""
    where = 2 if call.primal is rt.einsum_adjoint else 0
    operands = call.args if call.primal is np.einsum else call.args[where]
    return where, operands, rt.contractions.einsum_form(operands)[2]


@pytest.mark.parametrize("call", EINSUM_CALLS + EINSUM_HELPER_CALLS, ids=lambda c: c.label())
def test_einsum_tangents_match_differences_and_the_adjoints(call):
    # test_jvp.py's oracle would perturb the subscripts: here only the arrays move (all
    # at once for the helpers' operand list), the subscripts' slots of np.einsum carry
    # a zero tangent, and <jvp(t), g> == <t, vjp(g)> sums over the arrays alone
    where, operands, positions = _einsum_slots(call)
    ans = call.primal(*call.args)
    g = normal(*np.shape(ans))

    def moved(step, k, v):
        items = list(operands)
        items[k] = np.asarray(items[k]) + step * v
        if call.primal is np.einsum:
            return call.primal(*items)
        args = list(call.args)
        args[where] = tuple(items)
        return call.primal(*args)

    rule = rule_of(call.primal)
    for k in range(len(operands)):
        if call.primal is np.einsum:
            jvp = rule.jvp_function(argnum=k, nargs=len(call.args))
            if k not in positions:
                tangent = jvp(operands[k], ans, *call.args)
                assert np.shape(tangent) == np.shape(ans) and not np.any(tangent)
                continue
            v = normal(*np.shape(operands[k]))
            tangent = jvp(v, ans, *call.args)
            adjoint = rule.vjp_function(argnum=k)(g, ans, *call.args)
        elif k in positions:
            jvp = rule.jvp_function("operands", nargs=len(call.args))
            v = normal(*np.shape(operands[k]))
            t = [v if j == k else (np.zeros(np.shape(o)) if j in positions else o)
                 for j, o in enumerate(operands)]
            tangent = jvp(t, ans, *call.args)
            adjoint = rule.vjp_function("operands")(g, ans, *call.args)[k]
        else:
            continue
        assert np.shape(tangent) == np.shape(ans)
        numeric = (moved(1e-6, k, v) - moved(-1e-6, k, v)) / 2e-6
        np.testing.assert_allclose(tangent, numeric, rtol=1e-5, atol=1e-5)
        backward = np.sum(np.broadcast_to(adjoint, np.shape(v)) * v)
        assert np.isclose(np.sum(tangent * g), backward, rtol=1e-9, atol=1e-9), (k, backward)


def test_the_bilinear_products_are_numpys():
    for product, a, b, options in PRODUCTS:
        np.testing.assert_allclose(rt.bilinear(product, a, b, options),
                                   getattr(np, product)(a, b, *options), rtol=1e-14)


# ------------------------------------------------------------ through tp.grad

def cross_function(x, y):
    return weigh(np.cross(x, y))


def cross_axes(x, y):
    return weigh(np.cross(x, y, axisa=0, axisb=0, axisc=0)) + weigh(np.cross(x, y, axis=0))


def cross_itself(x):
    return weigh(np.cross(x, x)) + weigh(np.cross(x, x[::-1]))


def kron_function(x, y):
    return weigh(np.kron(x, y))


def kron_itself(x):
    return weigh(np.kron(x, x))


def tensordot_function(x, y):
    return weigh(np.tensordot(x, y, 1)) + weigh(np.tensordot(x, y, axes=([1, 0], [0, 1])))


def tensordot_outer_itself(x):
    return weigh(np.tensordot(x, x, 0)) + weigh(np.tensordot(x, x)) + weigh(np.tensordot(x, x, 1))


def einsum_ellipsis(x, y):
    return weigh(np.einsum("...ij,...jk->...ik", x, y)) + weigh(np.einsum("...ij,jk", x, y)) \
        + weigh(np.einsum("...ij,jk", x, y, optimize=True))


def einsum_ellipsis_itself(x):
    return weigh(np.einsum("...i,...i", x, x)) + weigh(np.einsum("...ii->...i", x))


def einsum_sublist_transpose(x):
    # gave a zero gradient before (x was taken for the subscripts)
    return weigh(np.einsum(x, [0, 1], [1, 0]))


def einsum_sublists(x, y):
    return weigh(np.einsum(x, [0, 1], y, [1, 2], [0, 2])) + weigh(np.einsum(x, [0, 1], y, [1, 2])) \
        + weigh(np.einsum(x, [Ellipsis, 1], y, [1, 2], [Ellipsis, 2]))


def einsum_sublist_itself(x):
    return weigh(np.einsum(x, [0, 1], x, [1, 2])) + weigh(np.einsum(x, [0, 0]))


def convolve_modes(x, y):
    return weigh(np.convolve(x, y)) + weigh(np.convolve(x, y, "same")) \
        + weigh(np.convolve(x, y, mode="valid"))


def correlate_modes(x, y):
    return weigh(np.correlate(x, y)) + weigh(np.correlate(x, y, "same")) \
        + weigh(np.correlate(x, y, mode="full"))


def convolve_itself(x):
    return weigh(np.convolve(x, x, "same")) + weigh(np.correlate(x, x, "full"))


def bilinear_helpers(g, x, y):
    # what generated code calls, on an output computed here
    ans = rt.bilinear("kron", x, y, ())
    return weigh(rt.bilinear_adjoint("kron", g, ans, x, y, (), 0)) \
        + weigh(rt.bilinear_adjoint("kron", g * 2.0, ans, x, y, (), 1)) + weigh(ans)


def einsum_helpers(g, x, y):
    operands = (x, [0, 1], y, [1, 2], [0, 2])
    ans = rt.einsum_of(operands)
    return weigh(rt.einsum_adjoint(g, ans, operands, 0)) \
        + weigh(rt.einsum_adjoint(g * 2.0, ans, operands, 2)) + weigh(ans)


CASES = [Grad(np.cross, cross_function, normal(4, 3), normal(3), argnums=(0, 1)),
         Grad(np.linalg.cross, lambda a, b: weigh(np.linalg.cross(a, b) * a), normal(4, 3),
              normal(3), argnums=(0, 1)),
         Grad(np.cross, cross_function, normal(4, 2), normal(2), argnums=(0, 1), note="-2d"),
         Grad(np.cross, cross_function, normal(4, 2), normal(3), argnums=(0, 1), note="-mixed"),
         Grad(np.cross, cross_axes, normal(3, 4), normal(3, 4), argnums=(0, 1)),
         Grad(np.cross, cross_itself, normal(3)), Grad(np.cross, cross_itself, normal(2)),
         Grad(np.kron, kron_function, normal(2, 3), normal(3), argnums=(0, 1)),
         Grad(np.kron, kron_function, normal(2), normal(2, 2), argnums=(0, 1)),
         Grad(np.kron, kron_itself, normal(2, 2)),
         # integer operands (not differentiated) and float32 ones
         Grad(np.kron, kron_function, normal(2, 3), np.arange(3), note="-int"),
         Grad(np.cross, cross_function, np.arange(6).reshape(2, 3), normal(3), argnums=1,
              note="-int"),
         Grad(np.tensordot, tensordot_function, normal(3, 2).astype(np.float32),
              normal(2, 3).astype(np.float32), argnums=(0, 1), note="-float32", eps=1e-2,
              rtol=1e-2, atol=1e-2),
         Grad(np.tensordot, tensordot_function, normal(3, 2), normal(2, 3), argnums=(0, 1)),
         Grad(np.tensordot, tensordot_outer_itself, normal(3, 3)),
         Grad(np.einsum, einsum_ellipsis, normal(2, 2, 3), normal(3, 2), argnums=(0, 1)),
         Grad(np.einsum, einsum_ellipsis_itself, normal(2, 3, 3)),
         Grad(np.einsum, einsum_sublist_transpose, normal(2, 3)),
         Grad(np.einsum, einsum_sublists, normal(2, 3), normal(3, 4), argnums=(0, 1)),
         Grad(np.einsum, einsum_sublist_itself, normal(3, 3)),
         Grad(np.convolve, convolve_modes, normal(5), normal(3), argnums=(0, 1)),
         Grad(np.convolve, convolve_modes, normal(2), normal(4), argnums=(0, 1), note="-longer"),
         Grad(np.correlate, correlate_modes, normal(5), normal(3), argnums=(0, 1)),
         Grad(np.correlate, correlate_modes, normal(2), normal(4), argnums=(0, 1), note="-longer"),
         Grad((np.convolve, np.correlate), convolve_itself, normal(4)),
         Grad((rt.bilinear, rt.bilinear_adjoint), bilinear_helpers, normal(2, 9), normal(2, 3),
              normal(3), argnums=(0, 1, 2)),
         Grad((rt.einsum_adjoint, rt.einsum_of), einsum_helpers, normal(2, 4), normal(2, 3),
              normal(3, 4), argnums=(0, 1, 2))]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


# ------------------------------------------------------------ second order

def products(x, y):
    return weigh(np.cross(x, y[:2])) + weigh(np.kron(x, y)) + weigh(np.tensordot(x, y, 1)) \
        + weigh(np.tensordot(x, x, 0)) + weigh(np.cross(x[:, :2], y[1:, 1:]))


def contractions(x, y):
    return weigh(np.einsum("...i,...i", x, y[1:])) + weigh(np.einsum(x, [0, 1], [1, 0]) ** 2) \
        + weigh(np.einsum(x, [0, 1], y, [1, 2], [0, 2])) \
        + weigh(np.einsum("...ij,jk->...ik", x[None], y) ** 2)


def convolutions(x, y):
    return weigh(np.convolve(x[0], y[1], "same") ** 2) + weigh(np.correlate(x[1], y[0], "full") ** 2) \
        + weigh(np.convolve(y[2], x[0]) ** 2)


SECOND = [(f, (normal(2, 3), normal(3, 3)), wrt) for f in (products, contractions, convolutions)
          for wrt in (0, 1)]


@pytest.mark.parametrize("f, args, wrt", SECOND,
                         ids=["%s-%d" % (f.__name__, wrt) for f, _, wrt in SECOND])
def test_gradient_of_a_generated_gradient_matches_finite_differences(f, args, wrt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        generated = tp.grad(f, argnums=wrt).specialised(*args)
        check_grads(weighed(generated, len(args)), args, argnums=(0, 1))


# ------------------------------------------------------------ differences

DIFF_SHAPES = [((6,), -1), ((3, 5), 0), ((3, 5), 1), ((3, 5), -1), ((2, 3, 4), -2)]
DIFF_CALLS = []
for shape, axis in DIFF_SHAPES:
    a = normal(*shape)
    edge = np.shape(np.take(a, [0, 1], axis=axis))
    DIFF_CALLS += [Call(np.diff, a, n, axis) for n in (1, 2, 3)]
    DIFF_CALLS += [Call(np.diff, a, axis=axis, prepend=normal()),
                   Call(np.diff, a, 2, axis, append=normal(*edge)),
                   Call(np.diff, a, 1, axis, prepend=normal(*edge), append=normal()),
                   Call(np.diff, a, 3, axis, normal(), normal(*edge))]
DIFF_CALLS += [Call(np.diff, normal(5)), Call(np.diff, normal(5), 0, prepend=normal()),
               Call(np.diff, normal(4), n=4), Call(np.diff, normal(3, 4), n=1, axis=0, prepend=0.5)]
GRADIENT_CALLS = []
for shape in [(5,), (2,), (3, 4), (4, 3, 5)]:
    f = normal(*shape)
    coordinates = [np.cumsum(RNG.uniform(0.5, 1.5, n)) for n in shape]
    for order in (1, 2):
        if min(shape) <= order:
            continue
        GRADIENT_CALLS += [Call(np.gradient, f, edge_order=order),
                           Call(np.gradient, f, 0.7, edge_order=order),
                           Call(np.gradient, f, *coordinates, edge_order=order),
                           Call(np.gradient, f, *[0.5 + k for k in range(len(shape))],
                                edge_order=order),
                           Call(np.gradient, f, coordinates[-1], axis=-1, edge_order=order),
                           Call(np.gradient, f, 1.5, axis=0, edge_order=order)]
GRADIENT_CALLS += [Call(np.gradient, normal(3, 4), axis=(1, 0)),
                   Call(np.gradient, normal(3, 4), 0.5, 2.0, axis=(0, 1)),
                   Call(np.gradient, normal(2, 3, 4), axis=(-1,))]
DIFF_HELPER_CALLS = []
for a, n, axis, prepend, append in [(normal(6), 1, -1, None, None), (normal(3, 5), 2, 0, normal(), None),
                                    (normal(3, 5), 1, 1, normal(3, 2), normal()),
                                    (normal(4), 0, -1, normal(), None)]:
    ans = np.diff(a, n, axis, **{k: v for k, v in (("prepend", prepend), ("append", append))
                                 if v is not None})
    for k, operand in enumerate((a, prepend, append)):
        if operand is None:
            continue
        DIFF_HELPER_CALLS += [Call(rt.diff_adjoint, g, ans, a, n, axis, prepend, append, k)
                              for g in cotangents(ans)]
        DIFF_HELPER_CALLS += [Call(rt.diff_join, c, a, n, axis, prepend, append, k)
                              for c in cotangents(operand)]
for f, spacing, kw in [(normal(5), (), {}), (normal(3, 4), (0.5,), {}),
                       (normal(3, 4), (np.cumsum(RNG.uniform(0.5, 1.5, 3)), 2.0), dict(edge_order=2)),
                       (normal(3, 4), (), dict(axis=-1))]:
    ans = np.gradient(f, *spacing, **kw)
    DIFF_HELPER_CALLS += [Call(rt.gradient_of, f, spacing, **kw)]
    lazy = [0.7] + ([[normal(*np.shape(p)) if k else 0.0 for k, p in enumerate(ans)]]
                    if isinstance(ans, tuple) else [normal(1, *np.shape(ans)[1:])])
    DIFF_HELPER_CALLS += [Call(rt.gradient_adjoint, g, ans, f, spacing, **kw)
                          for g in [[normal(*np.shape(p)) for p in ans]
                                    if isinstance(ans, tuple) else normal(*np.shape(ans))] + lazy]
CALLS += DIFF_CALLS + GRADIENT_CALLS + DIFF_HELPER_CALLS


# np.gradient's spacings are not differentiated (refused: below)
@pytest.mark.parametrize("call, param, argnum, position",
                         rule_params(DIFF_CALLS + GRADIENT_CALLS + DIFF_HELPER_CALLS))
def test_difference_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


def diff_function(x, y):
    return weigh(np.diff(x)) + weigh(np.diff(x, 2, axis=0)) \
        + weigh(np.diff(x, axis=0, prepend=y[:1], append=y[1:])) + weigh(np.diff(x, prepend=y[0, 0]))


def diff_itself(x):
    return weigh(np.diff(x, prepend=x[0], append=x[-1])) + weigh(np.diff(x, n=0))


def gradient_function(x, y):
    parts = np.gradient(x)
    return weigh(parts[0]) + weigh(parts[1] * 2.0) + weigh(np.gradient(x, 0.5, axis=1)) \
        + weigh(np.gradient(x, y, 2.0, edge_order=2)[0]) + weigh(np.gradient(y, y))


def gradient_one_part(x):
    # the other part has no cotangent
    return weigh(np.gradient(x, 0.5, 2.0)[1])


DIFF_CASES = [Grad(np.diff, diff_function, normal(3, 4), normal(3, 4), argnums=(0, 1)),
              Grad(np.diff, diff_itself, normal(5)),
              Grad(np.gradient, gradient_function, normal(4, 5), np.array([0.0, 0.6, 1.5, 1.9]),
                   argnums=0),
              Grad(np.gradient, gradient_one_part, normal(3, 4)),
              Grad((rt.diff_adjoint, rt.diff_join, rt.gradient_adjoint, rt.gradient_of),
                   lambda g, x: weigh(rt.diff_adjoint(g[1:], np.diff(x, 2, prepend=x[0]), x, 2, -1, x[0], None, 0))
                   + weigh(rt.diff_join(g, x, 1, -1, None, None, 0))
                   + weigh(rt.gradient_adjoint(g, np.gradient(x), x, ()))
                   + weigh(rt.gradient_of(x * g, (0.5,), None, 2)),
                   normal(5), normal(5), argnums=(0, 1), note="-helpers")]
CASES += DIFF_CASES


@pytest.mark.parametrize("case", grad_params(DIFF_CASES))
def test_difference_grad_matches_finite_differences(case):
    check_case(case)


def differences(x, y):
    return weigh(np.diff(x * y, 2, axis=0, prepend=y[:1])) \
        + weigh(np.gradient(x * x, 0.5, edge_order=2)[1]) + weigh(np.gradient(y[0] * x[1]))


@pytest.mark.parametrize("wrt", [0, 1])
def test_gradient_of_a_generated_gradient_of_differences_matches_finite_differences(wrt):
    args = (normal(3, 4), normal(3, 4))
    generated = tp.grad(differences, argnums=wrt).specialised(*args)
    check_grads(weighed(generated, 2), args, argnums=(0, 1))


def gradient_with_active_spacing(x, h):
    return np.sum(np.gradient(x, h))


def diff_with_none(x):
    return np.sum(np.diff(x, prepend=None))


def test_an_active_spacing_of_gradient_is_refused_not_a_zero():
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(gradient_with_active_spacing, argnums=(0, 1))
    assert "with respect to its argument `spacing`" in str(info.value)
    # a spacing that is not differentiated is fine
    check_grads(gradient_with_active_spacing, (normal(4), 0.5))


def test_diff_with_prepend_none_is_refused_at_transform_time():
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(diff_with_none)(normal(4))
    assert "np.diff(x, prepend=None)" in str(info.value)


# ------------------------------------------------------------ polynomials

POLYVAL_CALLS = [Call(np.polyval, normal(4), normal(5)), Call(np.polyval, normal(3), normal(2, 3)),
                 Call(np.polyval, normal(1), normal(3)), Call(np.polyval, normal(4), normal()),
                 Call(np.polyval, [normal(), normal(), normal()], normal(3)),
                 Call(np.polyval, normal(3, 2), normal(2)), Call(np.polyval, normal(2, 1), normal(3)),
                 Call(np.polyval, normal(3), np.array([0.0, 1.5, -2.0]))]
CALLS += POLYVAL_CALLS


@pytest.mark.parametrize("call, param, argnum, position", rule_params(POLYVAL_CALLS))
def test_polyval_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


def polyval_function(p, x):
    return weigh(np.polyval(p, x)) + weigh(np.polyval([p[0], 2.0, p[1]], x[0]))


def polyval_batched(p, x):
    # each coefficient an array broadcast against x
    return weigh(np.polyval(p, x)) + weigh(np.polyval(p[:, :1], x))


def polyval_itself(x):
    return weigh(np.polyval(x, x)) + weigh(np.polyval(x, x[1]))


def polynomial_second(p, x):
    return weigh(np.polyval(p, x) ** 2) + weigh(np.polyval(x, p[0]))


POLY_CASES = [Grad(np.polyval, polyval_function, normal(4), normal(3), argnums=(0, 1)),
              Grad(np.polyval, polyval_itself, normal(3)),
              Grad(np.polyval, polyval_batched, normal(4, 2), normal(3, 2), argnums=(0, 1))]
CASES += POLY_CASES


@pytest.mark.parametrize("case", grad_params(POLY_CASES))
def test_polyval_grad_matches_finite_differences(case):
    check_case(case)


@pytest.mark.parametrize("wrt", [0, 1])
def test_gradient_of_a_generated_gradient_of_polyval_matches_finite_differences(wrt):
    args = (normal(4) * 0.5, normal(3) * 0.5)
    generated = tp.grad(polynomial_second, argnums=wrt).specialised(*args)
    check_grads(weighed(generated, 2), args, argnums=(0, 1))
