"""Matrix decompositions and least squares (``rules/decompositions.py``): each rule alone
against central finite differences (``CALLS``), through ``tp.grad`` (``CASES``), the
derivative of the generated gradient (second order), and the refusals.

Test matrices keep their eigenvalues (singular values) apart, where the derivatives of
eigenvectors (singular vectors) are defined; functions of eigenvectors are sums of their
squares, which do not depend on the sign LAPACK picks.
"""
import numpy as np
import pytest

import runtime as rt
import transpiler as tp
from helpers.check_grads import check_grads

from transpiler.rules import registry

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_params
from .test_grad_runtime import weigh
from .test_higher_order import weighed

RNG = np.random.default_rng(19)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def orthogonal(*shape):
    """Random orthogonal matrices (a stack of them for a longer shape)."""
    q, r = np.linalg.qr(normal(*shape))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def spread_values(*shape):
    """Values at least 0.5 apart along the last axis, in random order."""
    n = shape[-1]
    base = np.arange(n) * 0.7 - 0.3 * n
    return RNG.permuted(np.broadcast_to(base, shape), axis=-1) + RNG.uniform(0, 0.2, shape)


def symmetric(*shape):
    """Symmetric matrices with eigenvalues at least 0.5 apart."""
    q = orthogonal(*shape)
    return np.matmul(q * spread_values(*shape[:-1])[..., None, :], np.swapaxes(q, -1, -2))


def lopsided(*shape, upper=False):
    """``symmetric`` with the triangle eigh does not read (above the diagonal, or below
    with ``upper``) overwritten by noise."""
    a = symmetric(*shape)
    mask = np.tri(shape[-1], k=-1, dtype=bool)
    noise = normal(*shape)
    return np.where(mask if upper else mask.T, noise, a)


def separated(*shape):
    """Matrices whose singular values are at least 0.5 apart and at least 0.5."""
    m, n = shape[-2:]
    k = min(m, n)
    s = np.abs(spread_values(*shape[:-2], k)) + 0.5 + np.arange(k) * 0.6
    u, v = orthogonal(*shape[:-2], m, m)[..., :k], orthogonal(*shape[:-2], n, n)[..., :k]
    return np.matmul(u * s[..., None, :], np.swapaxes(v, -1, -2))


def well_conditioned(*shape):
    return normal(*shape) * 0.3 + 2.0 * np.eye(shape[-1])


def positive_definite(*shape):
    b = normal(*shape)
    return np.matmul(b, np.swapaxes(b, -1, -2)) + shape[-1] * np.eye(shape[-1])


CALLS = []
CASES = []
SECOND = []

# ------------------------------------------------------------ slogdet

CALLS += [Call(np.linalg.slogdet, well_conditioned(3, 3)),
          Call(np.linalg.slogdet, -well_conditioned(3, 3)),        # a negative determinant
          Call(np.linalg.slogdet, well_conditioned(2, 3, 3)),
          Call(np.linalg.slogdet, well_conditioned(2, 2, 4, 4))]


def logabsdet_unpacked(a):
    sign, logdet = np.linalg.slogdet(a)
    return logdet * 2.0 + sign


def logabsdet_field(a):
    result = np.linalg.slogdet(a)
    return np.sum(np.sin(result.logabsdet) * result.sign)


def logabsdet_indexed(a):
    return np.sum(np.linalg.slogdet(a)[1] ** 2)


CASES += [Grad(np.linalg.slogdet, logabsdet_unpacked, -well_conditioned(3, 3)),
          Grad(np.linalg.slogdet, logabsdet_field, well_conditioned(2, 3, 3)),
          Grad(np.linalg.slogdet, logabsdet_indexed, well_conditioned(3, 3)),
          Grad(np.linalg.slogdet, logabsdet_indexed, well_conditioned(2, 2, 3, 3))]
SECOND += [(logabsdet_field, (well_conditioned(2, 3, 3),)),
           (logabsdet_indexed, (-well_conditioned(3, 3),))]

# ------------------------------------------------------------ eigh, eigvalsh

CALLS += [Call(np.linalg.eigh, symmetric(3, 3)), Call(np.linalg.eigh, symmetric(2, 4, 4)),
          Call(np.linalg.eigh, lopsided(3, 3)), Call(np.linalg.eigh, lopsided(3, 3), "L"),
          Call(np.linalg.eigh, lopsided(3, 3, upper=True), UPLO="U"),
          Call(np.linalg.eigh, lopsided(2, 3, 3, upper=True), "U"),
          Call(np.linalg.eigh, symmetric(1, 1)),
          Call(np.linalg.eigvalsh, symmetric(3, 3)), Call(np.linalg.eigvalsh, lopsided(2, 4, 4)),
          Call(np.linalg.eigvalsh, lopsided(3, 3, upper=True), UPLO="U"),
          Call(rt.triangle_adjoint, normal(3, 3)), Call(rt.triangle_adjoint, normal(2, 3, 3), True),
          Call(rt.mirrored, normal(3, 3), False), Call(rt.mirrored, normal(2, 3, 3), True)]
WEIGHTS = normal(4, 4)


def eigen_mix(a):
    w, v = np.linalg.eigh(a)
    return np.sum(np.sin(w)) + np.sum(v ** 2 * WEIGHTS[:a.shape[-1], :a.shape[-1]])


def eigen_upper(a):
    result = np.linalg.eigh(a, UPLO="U")
    return np.sum(result.eigenvalues ** 3) + np.sum(result.eigenvectors[..., 0] ** 2 * a[..., 0])


def eigenvalues_only(a):
    # a symmetric function of the eigenvalues: smooth at repeated ones too
    return np.sum(np.linalg.eigh(a)[0] ** 2) + np.sum(np.exp(np.linalg.eigvalsh(a)))


def eigvalsh_mix(a):
    return np.sum(np.linalg.eigvalsh(a) ** 2) + np.sum(np.linalg.eigvalsh(a, "U")[..., 0])


CASES += [Grad(np.linalg.eigh, eigen_mix, symmetric(3, 3)),
          Grad(np.linalg.eigh, eigen_mix, lopsided(4, 4)),
          Grad(np.linalg.eigh, eigen_mix, symmetric(2, 3, 3)),
          Grad(np.linalg.eigh, eigen_upper, lopsided(3, 3, upper=True)),
          Grad(np.linalg.eigh, eigen_upper, symmetric(2, 3, 3)),
          Grad((np.linalg.eigh, np.linalg.eigvalsh), eigenvalues_only, np.diag([1.0, 1.0, 2.0]),
               note="-repeated"),
          Grad(np.linalg.eigvalsh, eigvalsh_mix, symmetric(3, 3)),
          Grad(np.linalg.eigvalsh, eigvalsh_mix, symmetric(2, 3, 3))]
SECOND += [(eigen_mix, (lopsided(3, 3),)), (eigen_upper, (symmetric(3, 3),)),
           (eigvalsh_mix, (symmetric(2, 3, 3),))]


def triangle_helpers(c, h):
    # the helpers eigh's adjoint code calls, differentiated as generated code would be
    return weigh(rt.triangle_adjoint(c, False)) + weigh(rt.triangle_adjoint(c[0], True)) \
        + weigh(rt.mirrored(h, True)) + weigh(rt.mirrored(h[1], False))


CASES += [Grad((rt.triangle_adjoint, rt.mirrored), triangle_helpers, normal(2, 3, 3),
               normal(2, 3, 3), argnums=(0, 1))]


def test_eigenvectors_at_a_repeated_eigenvalue_have_no_derivative():
    # as in JAX: infinite or NaN (never a finite guess), with NumPy's warnings
    a = np.diag([1.0, 1.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = tp.grad(eigen_mix)(a)
    assert not np.all(np.isfinite(grad))


def test_the_tangent_of_eigenvectors_at_a_repeated_eigenvalue_is_not_finite():
    # forward mode as the adjoint: the eigenvectors' tangent inf/NaN, the eigenvalues' kept
    # (the trace's tangent is the sum of theirs)
    a = np.diag([1.0, 1.0, 2.0])
    t = normal(3, 3)
    jvp = registry.lookup(np.linalg.eigh).jvp_function(nargs=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_w, d_v = jvp(t, np.linalg.eigh(a), a)
    assert not np.all(np.isfinite(d_v))
    np.testing.assert_allclose(np.sum(d_w), np.trace(t), atol=1e-12)


def test_eigenvalues_at_a_repeated_eigenvalue_keep_their_derivative():
    # the sum of the eigenvalues is the trace, smooth everywhere
    grad = tp.grad(lambda a: np.sum(np.linalg.eigh(a)[0]))(np.eye(3))
    np.testing.assert_allclose(grad, np.eye(3), atol=1e-12)


# ------------------------------------------------------------ svd, svdvals

SVD_SHAPES = [(3, 3), (4, 3), (3, 4), (2, 4, 3), (2, 3, 4), (2, 2, 3, 3)]
CALLS += [Call(np.linalg.svd, separated(*s), full_matrices=False) for s in SVD_SHAPES]
CALLS += [Call(np.linalg.svd, separated(*s), compute_uv=False) for s in SVD_SHAPES]
CALLS += [Call(np.linalg.svd, separated(3, 3)), Call(np.linalg.svd, separated(2, 3, 3), True),
          Call(np.linalg.svd, separated(4, 3), False, True, False),
          Call(np.linalg.svd, separated(4, 3), True, False)]
CALLS += [Call(np.linalg.svdvals, separated(*s)) for s in SVD_SHAPES]


def singular_mix(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    k = s.shape[-1]
    return np.sum(np.sqrt(s)) + np.sum(u ** 2 * WEIGHTS[:u.shape[-2], :k]) \
        + np.sum(vh ** 2 * WEIGHTS[:k, :vh.shape[-1]])


def singular_full_square(a):
    result = np.linalg.svd(a)
    return np.sum(result.S ** 2) + np.sum(result.U[..., 0] ** 2 * a[..., 1]) \
        + np.sum(result.Vh ** 3 * result.U)


def singular_full_used_part(a):
    # the first n columns of a full U are unique: their derivative is defined
    u, s, vh = np.linalg.svd(a)
    return np.sum(u[:, :2] ** 2 * a[:, :2]) + np.sum(s)


def singular_values(a):
    return np.sum(np.log(np.linalg.svd(a, compute_uv=False))) \
        + np.sum(np.linalg.svdvals(a) ** 3)


CASES += [Grad(np.linalg.svd, singular_mix, separated(*s)) for s in SVD_SHAPES[:5]]
CASES += [Grad(np.linalg.svd, singular_full_square, separated(3, 3)),
          Grad(np.linalg.svd, singular_full_square, separated(2, 3, 3)),
          Grad(np.linalg.svd, singular_full_used_part, separated(4, 2)),
          Grad((np.linalg.svd, np.linalg.svdvals), singular_values, separated(3, 4)),
          Grad((np.linalg.svd, np.linalg.svdvals), singular_values, separated(2, 4, 3))]
SECOND += [(singular_mix, (separated(4, 3),)), (singular_mix, (separated(3, 4),)),
           (singular_full_square, (separated(3, 3),)), (singular_values, (separated(3, 4),))]


def singular_full_tall(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u ** 2 * WEIGHTS[:, :a.shape[0]][:a.shape[0]])


def test_the_last_columns_of_a_full_u_are_refused_where_a_derivative_flows_into_them():
    # at run time (the shape decides): the reverse sweep's lines carry no user line yet
    with pytest.raises(ValueError, match=r"last m - n columns of U .*full_matrices=False"):
        tp.grad(singular_full_tall)(separated(4, 2))


def _jvp_against_differences(primal, a, t, *options, eps=1e-6):
    """The tangent of ``primal(a, *options)`` along ``t`` (the jvp template run as Python)
    and its central differences, part by part."""
    tangent = registry.lookup(primal).jvp.fn(t, primal(a, *options), a, *options)
    plus, minus = primal(a + eps * t, *options), primal(a - eps * t, *options)
    return [(d, (p - m) / (2 * eps)) for d, p, m in zip(tangent, plus, minus)]


@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (2, 4, 3)])
def test_the_tangent_of_the_last_columns_of_a_full_u_is_nan(shape):
    # no derivative there (any basis of the rest would do): NaN, never a finite guess;
    # the first min(m, n) columns (rows of Vh) and s have theirs
    a = separated(*shape)
    k = min(shape[-2:])
    (d_u, u), (d_s, s), (d_vh, vh) = _jvp_against_differences(np.linalg.svd, a, normal(*shape))
    np.testing.assert_allclose(d_u[..., :, :k], u[..., :, :k], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(d_s, s, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(d_vh[..., :k, :], vh[..., :k, :], rtol=1e-5, atol=1e-7)
    assert np.all(np.isnan(d_u[..., :, k:])) and np.all(np.isnan(d_vh[..., k:, :]))


# ------------------------------------------------------------ cholesky

def lopsided_definite(*shape, upper=False):
    """Positive definite matrices with the triangle cholesky does not read overwritten."""
    a = positive_definite(*shape)
    mask = np.tri(shape[-1], k=-1, dtype=bool)
    return np.where(mask if upper else mask.T, normal(*shape), a)


CALLS += [Call(np.linalg.cholesky, positive_definite(3, 3)),
          Call(np.linalg.cholesky, lopsided_definite(2, 4, 4)),
          Call(np.linalg.cholesky, lopsided_definite(3, 3, upper=True), upper=True),
          Call(np.linalg.cholesky, positive_definite(2, 3, 3), upper=False),
          Call(np.linalg.cholesky, positive_definite(1, 1))]


def cholesky_mix(a):
    lower = np.linalg.cholesky(a)
    return np.sum(np.sin(lower)) + np.sum(lower ** 3)


def cholesky_upper(a):
    return np.sum(np.linalg.cholesky(a, upper=True) ** 2 * a)


CASES += [Grad(np.linalg.cholesky, cholesky_mix, positive_definite(3, 3)),
          Grad(np.linalg.cholesky, cholesky_mix, lopsided_definite(2, 3, 3)),
          Grad(np.linalg.cholesky, cholesky_upper, lopsided_definite(3, 3, upper=True)),
          Grad(np.linalg.cholesky, cholesky_upper, positive_definite(2, 3, 3))]
SECOND += [(cholesky_mix, (lopsided_definite(3, 3),)), (cholesky_upper, (positive_definite(3, 3),))]

# ------------------------------------------------------------ qr

QR_SHAPES = [(3, 3), (5, 3), (3, 5), (2, 4, 3), (2, 3, 3), (2, 3, 4)]
CALLS += [Call(np.linalg.qr, well_conditioned(*s[:-1], s[-1]) if s[-1] == s[-2] else normal(*s))
          for s in QR_SHAPES]
CALLS += [Call(np.linalg.qr, normal(4, 3), "r"), Call(np.linalg.qr, normal(2, 3, 4), mode="r"),
          Call(np.linalg.qr, well_conditioned(3, 3), mode="complete"),
          Call(np.linalg.qr, normal(3, 5), "complete")]


def qr_mix(a):
    q, r = np.linalg.qr(a)
    return np.sum(q ** 2 * a[..., :q.shape[-1]][..., :q.shape[-2], :]) + np.sum(np.sin(r))


def qr_r_only(a):
    return np.sum(np.linalg.qr(a, mode="r") ** 2 * np.arange(1.0, a.shape[-1] + 1.0))


def qr_complete_used_part(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q[:, :3] ** 3) + np.sum(r ** 2)


CASES += [Grad(np.linalg.qr, qr_mix, normal(*s)) for s in QR_SHAPES]
CASES += [Grad(np.linalg.qr, qr_r_only, normal(5, 3)), Grad(np.linalg.qr, qr_r_only, normal(2, 3, 4)),
          Grad(np.linalg.qr, qr_complete_used_part, normal(5, 3))]
SECOND += [(qr_mix, (normal(4, 3),)), (qr_mix, (normal(3, 4),)), (qr_r_only, (normal(3, 3),))]


def qr_complete_tall(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q ** 3)


def test_the_last_columns_of_a_complete_q_are_refused_where_a_derivative_flows_into_them():
    with pytest.raises(ValueError, match=r"last m - n columns of Q .*np.linalg.qr\(a\)"):
        tp.grad(qr_complete_tall)(normal(5, 3))


def test_the_tangent_of_the_last_columns_of_a_complete_q_is_nan():
    a = normal(5, 3)
    (d_q, q), (d_r, r) = _jvp_against_differences(np.linalg.qr, a, normal(5, 3), "complete")
    np.testing.assert_allclose(d_q[:, :3], q[:, :3], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(d_r, r, rtol=1e-5, atol=1e-7)      # its last rows stay 0
    assert np.all(np.isnan(d_q[:, 3:]))


def test_qr_raw_mode_is_refused_at_its_line():
    def raw(a):
        h, tau = np.linalg.qr(a, mode="raw")
        return np.sum(h)
    with pytest.raises(tp.TranspileError, match="mode='reduced'") as info:
        tp.grad(raw)(normal(3, 3))
    assert 'np.linalg.qr(a, mode="raw")' in str(info.value)


# ------------------------------------------------------------ pinv, lstsq

PINV_SHAPES = [(3, 3), (5, 3), (3, 5), (2, 4, 3), (2, 3, 4)]
CALLS += [Call(np.linalg.pinv, separated(*s)) for s in PINV_SHAPES]
CALLS += [Call(np.linalg.pinv, separated(4, 3), 1e-10), Call(np.linalg.pinv, separated(3, 4), rcond=0.01),
          Call(np.linalg.pinv, symmetric(3, 3) + 1.5 * np.eye(3), hermitian=True),
          Call(np.linalg.pinv, lopsided(2, 3, 3) + 1.5 * np.eye(3), None, True)]


def pinv_mix(a):
    return np.sum(np.sin(np.linalg.pinv(a))) + np.sum(np.linalg.pinv(a, rcond=1e-8) ** 2)


def pinv_hermitian(a):
    return np.sum(np.linalg.pinv(a, hermitian=True) ** 3)


CASES += [Grad(np.linalg.pinv, pinv_mix, separated(*s)) for s in PINV_SHAPES]
# eigenvalues at least 0.6 from 0 (pinv's entries are their inverses)
CASES += [Grad(np.linalg.pinv, pinv_hermitian, lopsided(3, 3) + 1.5 * np.eye(3)),
          Grad(np.linalg.pinv, pinv_hermitian, symmetric(2, 3, 3) + 1.5 * np.eye(3))]
SECOND += [(pinv_mix, (separated(4, 3),)), (pinv_mix, (separated(3, 3),)),
           (pinv_hermitian, (lopsided(3, 3) + 1.5 * np.eye(3),))]

LSTSQ_SHAPES = [((5, 3), (5,)), ((5, 3), (5, 2)), ((3, 3), (3,)), ((3, 5), (3,)), ((3, 5), (3, 2))]
CALLS += [Call(np.linalg.lstsq, separated(*s), normal(*t)) for s, t in LSTSQ_SHAPES]
CALLS += [Call(np.linalg.lstsq, separated(5, 3), normal(5, 2), rcond=None),
          Call(np.linalg.lstsq, separated(5, 3), normal(5), 1e-12)]


def least_squares(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return np.sum(np.sin(x)) + np.sum(residuals) * 0.5 + np.sum(s ** 2) + rank * 0.0


def least_squares_solution(a, b):
    return np.sum(np.linalg.lstsq(a, b, rcond=None)[0] ** 2)


CASES += [Grad(np.linalg.lstsq, least_squares, separated(*s), normal(*t), argnums=(0, 1))
          for s, t in LSTSQ_SHAPES]
CASES += [Grad(np.linalg.lstsq, least_squares_solution, separated(4, 2), normal(4, 3),
               argnums=(0, 1))]
SECOND += [(least_squares, (separated(5, 3), normal(5))),
           (least_squares, (separated(3, 4), normal(3, 2))),
           (least_squares_solution, (separated(4, 3), normal(4)))]


def test_pinv_and_lstsq_of_rank_deficient_matrices_are_refused():
    # below full rank pinv drops singular values: not a smooth function
    low = np.outer(normal(4), normal(3))
    with pytest.raises(ValueError, match="np.linalg.pinv is differentiated only for matrices of "
                                         "full rank"):
        tp.grad(pinv_mix)(low)
    with pytest.raises(ValueError, match=r"np.linalg.lstsq .* \(rank 1 here, of 3\)"):
        tp.grad(least_squares_solution)(low, normal(4))


# ------------------------------------------------------------ multi_dot, matrix_power

CALLS += [Call(np.linalg.multi_dot, [normal(2, 3), normal(3, 4), normal(4, 2)]),
          Call(np.linalg.multi_dot, [normal(3), normal(3, 4), normal(4)]),
          Call(np.linalg.multi_dot, [normal(3), normal(3, 4), normal(4, 2), normal(2, 5)]),
          Call(np.linalg.multi_dot, [normal(2, 3), normal(3)]),
          Call(np.linalg.multi_dot, [normal(3), normal(3)])]
CALLS += [Call(np.linalg.matrix_power, normal(3, 3) * 0.5, 3),
          Call(np.linalg.matrix_power, normal(2, 3, 3) * 0.5, 2),
          Call(np.linalg.matrix_power, normal(3, 3), 1), Call(np.linalg.matrix_power, normal(3, 3), 0),
          Call(np.linalg.matrix_power, well_conditioned(3, 3), -2),
          Call(np.linalg.matrix_power, well_conditioned(2, 3, 3), n=-1)]


def chain(a, b):
    # the same array twice: each use has its adjoint
    return np.sum(np.sin(np.linalg.multi_dot([a, b, np.sin(b).T, a.T])))


def chain_of_vectors(x, b):
    return np.linalg.multi_dot([x, b, b.T, x]) + np.sum(np.linalg.multi_dot([b.T, x]) ** 2)


def powers(a):
    return np.sum(np.linalg.matrix_power(a, 3)) + np.sum(np.linalg.matrix_power(a, -2) ** 2) \
        + np.sum(np.linalg.matrix_power(a, 0)) + np.sum(np.sin(np.linalg.matrix_power(a, 1)))


CASES += [Grad(np.linalg.multi_dot, chain, normal(2, 3), normal(3, 4), argnums=(0, 1)),
          Grad(np.linalg.multi_dot, chain_of_vectors, normal(3), normal(3, 2), argnums=(0, 1)),
          Grad(np.linalg.matrix_power, powers, well_conditioned(3, 3)),
          Grad(np.linalg.matrix_power, powers, well_conditioned(2, 3, 3))]
SECOND += [(chain, (normal(2, 3), normal(3, 4))),
           (chain_of_vectors, (normal(3), normal(3, 2))), (powers, (well_conditioned(3, 3),))]


# ------------------------------------------------------------ matrix norms, second order
# np.linalg.norm's rule writes the norms of singular values (2, -2, 'nuc') with
# np.linalg.svd; the others' slopes are piecewise constant (1, -1, inf, -inf) or smooth


def spectral_norms(x):
    return np.linalg.norm(x, 2) ** 2 + np.linalg.norm(x, -2) ** 3 + np.linalg.norm(x, "nuc") ** 2


def sum_norms(x):
    return np.linalg.norm(x, 1) ** 2 + np.linalg.norm(x, -1) ** 2 + np.linalg.norm(x, np.inf) ** 2 \
        + np.linalg.norm(x, -np.inf) ** 2 + np.linalg.norm(x, "fro") ** 3 + np.linalg.norm(x) ** 3


def norms_over_axes(x):
    return np.sum(np.linalg.norm(x, 2, (2, 0), True) ** 2) \
        + np.sum(np.linalg.norm(x, "nuc", (-1, -2)) ** 2) \
        + np.sum(np.sin(np.linalg.norm(x, -2, axis=(1, 2)))) \
        + np.sum(np.linalg.norm(x, 2, axis=1) ** 3) + np.sum(np.linalg.norm(x, -2, axis=-1))


CASES += [Grad(np.linalg.norm, spectral_norms, separated(3, 4)),
          Grad(np.linalg.norm, spectral_norms, separated(4, 3)),
          Grad(np.linalg.norm, norms_over_axes, normal(2, 3, 4))]
SECOND += [(spectral_norms, (separated(3, 4),)), (spectral_norms, (separated(4, 4),)),
           (sum_norms, (normal(3, 4),)), (norms_over_axes, (normal(2, 3, 4),))]


def test_the_spectral_norm_at_tied_singular_values_shares_its_slope():
    # a subgradient, as before (each of the tied u_i v_i^T weighs one half)
    grad = tp.grad(lambda x: np.linalg.norm(x, 2))(np.diag([2.0, 2.0, 1.0]))
    np.testing.assert_allclose(grad, np.diag([0.5, 0.5, 0.0]), atol=1e-12)


def _nested_return(g, ans, x, flag=None):
    if flag is None:
        if np.ndim(x) == 0:
            return g * 2.0
    return g * 3.0


def test_a_return_nested_in_an_inner_if_is_not_followed_by_the_rest_of_the_rule():
    # rules inline as templates (np.linalg.norm's above): the statements after an `if`
    # that returns only sometimes run only where it did not return
    from transpiler.rules.registry import Primitive
    vjp = Primitive((np.negative,), "custom", _nested_return).vjp_function(param="x")
    assert vjp(1.0, None, 0.5) == 2.0
    assert vjp(1.0, None, np.ones(2)) == 3.0
    assert vjp(1.0, None, 0.5, True) == 3.0


# ------------------------------------------------------------ refused at the user's line

C = np.array([[2.0, 1.0], [0.5, 3.0]])


def general_eigenvectors(a):
    w, v = np.linalg.eig(a)
    return np.sum(np.real(v))


def general_eigenvalues(a):
    return np.sum(np.real(np.linalg.eigvals(a)))


def constant_eigenvalues(x):
    return np.sum(x * np.real(np.linalg.eigvals(C)))


def hermitian_svd(a):
    return np.sum(np.linalg.svd(a, hermitian=True)[1])


def variable_triangle(a, side):
    return np.sum(np.linalg.eigvalsh(a, side))


# primals refused wherever a derivative flows through them (tests/rules/test_coverage.py)
REFUSED = [np.linalg.eig, np.linalg.eigvals]


@pytest.mark.parametrize("fn, hint", [
    (general_eigenvectors, "np.linalg.eigh"), (general_eigenvalues, "np.linalg.eigh"),
    (hermitian_svd, "hermitian"), (variable_triangle, "UPLO")])
def test_refused_at_the_users_line(fn, hint):
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)(symmetric(3, 3), "L") if fn is variable_triangle else tp.grad(fn)(C)
    message = str(info.value)
    assert message.startswith("%s:" % __file__), message
    assert "np.linalg." in message.splitlines()[1], message
    assert hint in message and "hint:" in message, message


def test_eigenvalues_of_a_constant_matrix_need_no_derivative():
    np.testing.assert_allclose(tp.grad(constant_eigenvalues)(np.ones(2)),
                               np.real(np.linalg.eigvals(C)))


# ------------------------------------------------------------ run-time checks

def run_time_checks(x):
    # what adjoint code calls to refuse points without a derivative: here they pass
    rt.require_zero(x * 0.0, "nothing", "")
    rt.require_full_rank(np.eye(2), np.array([2, 2]), "np.linalg.pinv")
    return float(len(x))


def chain_subscripts(x):
    # the einsum subscripts multi_dot's adjoint code reads
    return float(len(rt.multi_dot_subscripts([x, np.outer(x, x), x])))


def norm_choices(x):
    # what np.linalg.norm's rule reads: the axes of a matrix norm, the weights of singular
    # values (piecewise constant)
    axes = rt.matrix_axes(x, 2, (-1, 0))
    return np.sum(rt.spectral_weights(np.abs(x), 2)) + axes[0] + np.sum(
        rt.spectral_weights(np.abs(x), "nuc"))


def refused(x):
    if np.max(x) > 100.0:
        rt.refuse("no derivative here", 2)
    return 1.0


def test_the_adjoint_of_a_spectral_norm_refuses_its_own_derivative():
    # np.linalg.norm's rule never emits it for 2, -2 or 'nuc' of a matrix; if it did, the
    # vector formula would be silently wrong there (in reverse mode or in forward mode)
    from transpiler.rules import registry
    x = normal(3, 4)
    rule = registry.lookup(rt.norm_adjoint)
    vjp = rule.vjp_function(param="x")
    jvps = [(rule.jvp_function(param=p, nargs=4), t) for p, t in (("out", normal()),
                                                                   ("x", normal(3, 4)))]
    for order in (2, -2, "nuc"):
        out = np.linalg.norm(x, order)
        ans = rt.norm_adjoint(1.0, out, x, order)
        with pytest.raises(NotImplementedError, match="rt.norm_adjoint"):
            vjp(normal(3, 4), ans, 1.0, out, x, order)
        for jvp, t in jvps:
            with pytest.raises(NotImplementedError, match="rt.norm_adjoint"):
                jvp(t, ans, 1.0, out, x, order)
    out = np.linalg.norm(x, -1)         # piecewise linear: nothing to add
    assert vjp(normal(3, 4), rt.norm_adjoint(1.0, out, x, -1), 1.0, out, x, -1) == 0.0


# rows of tests/rules/test_nondiff.py's table (primals, function using them, argument)
NONDIFF = [((rt.require_zero, rt.require_full_rank), run_time_checks, normal(3)),
           ((rt.matrix_axes, rt.spectral_weights), norm_choices, normal(2, 3)),
           ((rt.refuse,), refused, normal(3)), ((rt.multi_dot_subscripts,), chain_subscripts, normal(3))]


# ------------------------------------------------------------ the tables' checks

@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("case", grad_params(CASES))
def test_gradient_matches_finite_differences(case):
    check_case(case)


SECOND = [(f, args, wrt) for f, args in SECOND for wrt in range(len(args))]


@pytest.mark.parametrize("f, args, wrt", SECOND, ids=["%s-%d" % (f.__name__, k)
                                                      for k, (f, _, wrt) in enumerate(SECOND)])
def test_gradient_of_the_gradient_matches_finite_differences(f, args, wrt):
    generated = tp.grad(f, argnums=wrt).specialised(*args)
    check_grads(weighed(generated, len(args)), args, argnums=tuple(range(len(args))), rtol=1e-4)
