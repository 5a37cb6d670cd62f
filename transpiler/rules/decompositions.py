"""Matrix decompositions, least squares and chains of products: slogdet, eigh, eigvalsh,
svd, svdvals, cholesky, qr, pinv, lstsq, multi_dot, matrix_power; the refusal of eig.

Each rule is written with NumPy primitives that have rules of their own (matmul,
swapaxes, the decomposition itself through ``ans``), so the derivative of generated code
-- a Hessian -- comes from those rules.  Where a result is not a smooth function of the
matrix the rule says so: a repeated eigenvalue (or singular value) makes the rotation of
its eigenvectors undefined and the adjoint of the eigenvectors infinite or NaN there, as
in JAX (values alone, whose symmetric functions stay smooth, keep their derivative);
parts of a result that are not unique (the last columns of a full U) and matrices below
full rank in pinv and lstsq are refused at run time (the shapes and the rank decide) with
a ValueError saying what to write instead.

Routines that read one triangle of ``a`` (``eigh``, ``eigvalsh``, ``cholesky``) are
differentiated as what NumPy computes: a function of that triangle alone, the other
ignored (``rt.triangle_adjoint``) -- for a symmetric ``a`` it agrees with treating the
matrix as symmetric, for any other it matches finite differences of NumPy's results.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from .registry import IMPURE, RuleError, custom, jvp_rule, nondiff


def _internal(*primals, **options):
    return custom(*primals, internal=True, **options)


@custom(np.linalg.slogdet, abstract_eval=E.slogdet)
def slogdet(g, ans, a):
    # the sign is piecewise constant; d logabsdet = tr(a^-1 da)
    g_log = rt.broadcast_to(rt.part(g, 1), ans[1])
    return np.expand_dims(g_log, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@jvp_rule(np.linalg.slogdet)
def slogdet(t, ans, a):
    # the sign does not move; d logabsdet = tr(a^-1 t)
    tangents = (np.zeros_like(ans[0]), np.trace(np.linalg.solve(a, t), axis1=-2, axis2=-1))
    return tangents


# ------------------------------------------------------------ symmetric eigenproblems

@custom(np.linalg.eigh, only={"UPLO": ("L", "U")}, abstract_eval=E.eigh)
def eigh(g, ans, a, UPLO="L"):
    # the matrix read is v diag(w) v^T: dw_i = v_i^T da v_i, and eigenvector j turns
    # towards i by (v^T da v)_ij / (w_j - w_i) (infinite at a repeated eigenvalue)
    w = ans[0]
    v = ans[1]
    v_t = np.swapaxes(v, -1, -2)
    eye = np.eye(np.shape(a)[-1])
    inner = np.expand_dims(rt.broadcast_to(rt.part(g, 0), w), -2) * eye
    g_v = rt.part(g, 1)
    if np.any(g_v != 0):
        gaps = np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye
        inner = inner + np.matmul(v_t, rt.broadcast_to(g_v, v)) / gaps * (1.0 - eye)
    if UPLO == "U":
        return rt.triangle_adjoint(np.matmul(v, np.matmul(inner, v_t)), True)
    return rt.triangle_adjoint(np.matmul(v, np.matmul(inner, v_t)), False)


@jvp_rule(np.linalg.eigh)
def eigh(t, ans, a, UPLO="L"):
    # the tangent of the matrix read is t's triangle mirrored; in the eigenbasis it is
    # m = v^T read v: dw_i = m_ii, and eigenvector j turns towards i by m_ij / (w_j - w_i)
    # (infinite or NaN at a repeated eigenvalue, as the adjoint; dw stays finite)
    w = ans[0]
    v = ans[1]
    if UPLO == "U":
        read = rt.mirrored(t, True)
    else:
        read = rt.mirrored(t, False)
    turned = np.matmul(read, v)
    eye = np.eye(np.shape(a)[-1])
    gaps = np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye
    turns = np.matmul(np.swapaxes(v, -1, -2), turned) / gaps * (1.0 - eye)
    tangents = (np.sum(v * turned, axis=-2), np.matmul(v, turns))
    return tangents


@custom(np.linalg.eigvalsh, only={"UPLO": ("L", "U")}, abstract_eval=E.eigvalsh)
def eigvalsh(g, ans, a, UPLO="L"):
    # dw_i = v_i^T da v_i
    v = np.linalg.eigh(a, UPLO)[1]
    weighed = np.matmul(v * np.expand_dims(rt.broadcast_to(g, ans), -2), np.swapaxes(v, -1, -2))
    if UPLO == "U":
        return rt.triangle_adjoint(weighed, True)
    return rt.triangle_adjoint(weighed, False)


@jvp_rule(np.linalg.eigvalsh)
def eigvalsh(t, ans, a, UPLO="L"):
    # dw_i = v_i^T read v_i, read the tangent of the matrix read (t's triangle mirrored)
    v = np.linalg.eigh(a, UPLO)[1]
    if UPLO == "U":
        return np.sum(v * np.matmul(rt.mirrored(t, True), v), axis=-2)
    return np.sum(v * np.matmul(rt.mirrored(t, False), v), axis=-2)


@_internal(rt.triangle_adjoint, diff=("c",), abstract_eval=E.same_as_first("float"), linear=True)
def triangle_adjoint(g, ans, c, upper=False):
    # linear in c: its transpose mirrors the weighted triangle
    return rt.unbroadcast(rt.mirrored(rt.broadcast_to(g, ans), upper), c, ans)


@_internal(rt.mirrored, diff=("h",), abstract_eval=E.same_as_first("float"), linear=True)
def mirrored(g, ans, h, upper=False):
    return rt.unbroadcast(rt.triangle_adjoint(rt.broadcast_to(g, ans), upper), h, ans)


# ------------------------------------------------------------ singular values

_NOT_HERMITIAN = {"hermitian": (False,)}


@custom(np.linalg.svd, abstract_eval=E.svd,
        only=dict(_NOT_HERMITIAN, full_matrices=(True, False), compute_uv=(True, False)))
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        # ans = s: ds_i = u_i^T da v_i
        factors = np.linalg.svd(a, full_matrices=False)
        return np.matmul(factors[0] * np.expand_dims(rt.broadcast_to(g, ans), -2), factors[2])
    m = np.shape(a)[-2]
    n = np.shape(a)[-1]
    k = min(m, n)
    s = ans[1]
    u = ans[0][..., :, :k]
    vh = ans[2][..., :k, :]
    g_u = rt.broadcast_to(rt.part(g, 0), ans[0])
    g_vh = rt.broadcast_to(rt.part(g, 2), ans[2])
    if full_matrices:
        # beyond the first min(m, n) columns of U (rows of Vh) the basis is arbitrary
        rt.require_zero(g_u[..., :, k:], "the last m - n columns of U of np.linalg.svd(a) "
                        "(a is m x n, m > n)", "write np.linalg.svd(a, full_matrices=False)")
        rt.require_zero(g_vh[..., k:, :], "the last n - m rows of Vh of np.linalg.svd(a) "
                        "(a is m x n, n > m)", "write np.linalg.svd(a, full_matrices=False)")
        g_u = g_u[..., :, :k]
        g_vh = g_vh[..., :k, :]
    eye = np.eye(k)
    core = np.expand_dims(rt.broadcast_to(rt.part(g, 1), s), -2) * eye
    adjoint = 0.0
    if np.any(g_u != 0) or np.any(g_vh != 0):
        # singular vectors i and j turn towards each other by 1 / (s_j^2 - s_i^2) (infinite
        # at a repeated singular value); those beyond the square part by 1 / s_i
        squares = s ** 2
        gaps = np.expand_dims(squares, -2) - np.expand_dims(squares, -1) + eye
        ut_gu = np.matmul(np.swapaxes(u, -1, -2), g_u)
        vt_gv = np.matmul(vh, np.swapaxes(g_vh, -1, -2))
        turns = (ut_gu - np.swapaxes(ut_gu, -1, -2)) * np.expand_dims(s, -2) \
            + np.expand_dims(s, -1) * (vt_gv - np.swapaxes(vt_gv, -1, -2))
        core = core + turns / gaps * (1.0 - eye)
        if m > k:
            adjoint = np.matmul((g_u - np.matmul(u, ut_gu)) / np.expand_dims(s, -2), vh)
        if n > k:
            adjoint = np.matmul(u, (g_vh - np.matmul(np.swapaxes(vt_gv, -1, -2), vh))
                                / np.expand_dims(s, -1))
    return adjoint + np.matmul(u, np.matmul(core, vh))


@jvp_rule(np.linalg.svd)
def svd(t, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        # ans = s: ds_i = u_i^T t v_i
        factors = np.linalg.svd(a, full_matrices=False)
        return np.sum(factors[0] * np.matmul(t, np.swapaxes(factors[2], -1, -2)), axis=-2)
    m = np.shape(a)[-2]
    n = np.shape(a)[-1]
    k = min(m, n)
    s = ans[1]
    u = ans[0][..., :, :k]
    v = np.swapaxes(ans[2][..., :k, :], -1, -2)
    t_v = np.matmul(t, v)
    moved = np.matmul(np.swapaxes(u, -1, -2), t_v)          # u^T t v: ds is its diagonal
    # singular vectors i and j turn towards each other by 1 / (s_j^2 - s_i^2) (infinite
    # at a repeated singular value, as the adjoint)
    eye = np.eye(k)
    squares = s ** 2
    spread = (1.0 - eye) / (np.expand_dims(squares, -2) - np.expand_dims(squares, -1) + eye)
    right = moved * np.expand_dims(s, -2)                    # moved_ij s_j
    left = np.expand_dims(s, -1) * moved                     # s_i moved_ij
    d_u = np.matmul(u, (right + np.swapaxes(right, -1, -2)) * spread)
    d_v = np.matmul(v, (left + np.swapaxes(left, -1, -2)) * spread)
    if m > k:
        # the part of t v outside the span of u turns u's columns by 1 / s_i
        d_u = d_u + (t_v - np.matmul(u, moved)) / np.expand_dims(s, -2)
    if n > k:
        t_u = np.matmul(np.swapaxes(t, -1, -2), u)
        d_v = d_v + (t_u - np.matmul(v, np.swapaxes(moved, -1, -2))) / np.expand_dims(s, -2)
    d_vh = np.swapaxes(d_v, -1, -2)
    if full_matrices:
        # the last m - n columns of a full U (rows of Vh) are any orthonormal basis of
        # what is left, with no derivative: NaN (the adjoint refuses a cotangent there)
        if m > k:
            d_u = np.concatenate([d_u, np.full(np.shape(ans[0][..., :, k:]), np.nan)], axis=-1)
        if n > k:
            d_vh = np.concatenate([d_vh, np.full(np.shape(ans[2][..., k:, :]), np.nan)], axis=-2)
    tangents = (d_u, np.sum(u * t_v, axis=-2), d_vh)
    return tangents


@custom(np.linalg.svdvals, abstract_eval=E.svdvals)
def svdvals(g, ans, x):
    # ds_i = u_i^T dx v_i
    factors = np.linalg.svd(x, full_matrices=False)
    return np.matmul(factors[0] * np.expand_dims(rt.broadcast_to(g, ans), -2), factors[2])


@jvp_rule(np.linalg.svdvals)
def svdvals(t, ans, x):
    # ds_i = u_i^T t v_i
    factors = np.linalg.svd(x, full_matrices=False)
    return np.sum(factors[0] * np.matmul(t, np.swapaxes(factors[2], -1, -2)), axis=-2)


nondiff(rt.require_zero, rt.require_full_rank, rt.refuse, abstract_eval=E.const(None),
        effects=IMPURE, internal=True)
# what np.linalg.norm's rule reads: the axes of a matrix norm, the singular values weighed
nondiff(rt.matrix_axes, rt.spectral_weights, abstract_eval=E.unknown, internal=True)


# ------------------------------------------------------------ cholesky, qr

@custom(np.linalg.cholesky, only={"upper": (False, True)},
        abstract_eval=E.same_as_first("float"))
def cholesky(g, ans, a, upper=False):
    # a = l l^T (l = ans^T with upper=True), read from one triangle of a:
    # dl = l phi(l^-1 da l^-T), phi the lower triangle with half the diagonal
    if upper:
        lower = np.swapaxes(ans, -1, -2)
        g_l = np.swapaxes(rt.broadcast_to(g, ans), -1, -2)
    else:
        lower = ans
        g_l = rt.broadcast_to(g, ans)
    n = np.shape(a)[-1]
    inverse = np.linalg.inv(lower)
    phi = np.matmul(np.swapaxes(lower, -1, -2), g_l) * (np.tri(n) - 0.5 * np.eye(n))
    return rt.triangle_adjoint(np.matmul(np.swapaxes(inverse, -1, -2), np.matmul(phi, inverse)),
                               upper)


@jvp_rule(np.linalg.cholesky)
def cholesky(t, ans, a, upper=False):
    # dl = l phi(l^-1 read l^-T), read the tangent of the matrix read (t's triangle
    # mirrored, symmetric: l^-1 read l^-T = l^-1 (l^-1 read)^T)
    if upper:
        lower = np.swapaxes(ans, -1, -2)
        read = rt.mirrored(t, True)
    else:
        lower = ans
        read = rt.mirrored(t, False)
    n = np.shape(a)[-1]
    moved = np.linalg.solve(lower, np.swapaxes(np.linalg.solve(lower, read), -1, -2))
    d_lower = np.matmul(lower, moved * (np.tri(n) - 0.5 * np.eye(n)))
    if upper:
        return np.swapaxes(d_lower, -1, -2)
    return d_lower


@custom(np.linalg.qr, only={"mode": ("reduced", "complete", "r")}, abstract_eval=E.qr)
def qr(g, ans, a, mode="reduced"):
    m = np.shape(a)[-2]
    n = np.shape(a)[-1]
    k = min(m, n)
    if mode == "r":
        q = np.linalg.qr(a)[0]
        r = ans
        g_q = np.zeros(np.shape(q))
        g_r = rt.broadcast_to(g, ans)
    else:
        q = ans[0][..., :, :k]
        r = ans[1][..., :k, :]
        g_q = rt.broadcast_to(rt.part(g, 0), ans[0])
        if mode == "complete":
            # beyond the first n columns of a complete Q the basis is arbitrary
            rt.require_zero(g_q[..., :, k:], "the last m - n columns of Q of np.linalg.qr(a, "
                            "'complete') (a is m x n, m > n)", "write np.linalg.qr(a)")
            g_q = g_q[..., :, :k]
        g_r = rt.broadcast_to(rt.part(g, 1), ans[1])[..., :k, :]
    if n > m:
        # a = q [u | v]: the columns beyond the square part are v = q^T y
        g_v = g_r[..., :, m:]
        g_q = g_q + np.matmul(a[..., :, m:], np.swapaxes(g_v, -1, -2))
    # the square (or tall) part: a = q u, u upper triangular, q^T q = I
    square = r[..., :, :k]
    core = np.matmul(square, np.swapaxes(g_r[..., :, :k], -1, -2)) - \
        np.matmul(np.swapaxes(g_q, -1, -2), q)
    below = core * np.tri(k)
    mirrored = below + np.swapaxes(below, -1, -2) - core * np.eye(k)
    b = g_q + np.matmul(q, mirrored)
    adjoint = np.swapaxes(np.linalg.solve(square, np.swapaxes(b, -1, -2)), -1, -2)
    if n > m:
        return np.concatenate([adjoint, np.matmul(q, g_v)], axis=-1)
    return adjoint


@jvp_rule(np.linalg.qr)
def qr(t, ans, a, mode="reduced"):
    m = np.shape(a)[-2]
    k = min(np.shape(a)[-2:])
    # r = [u | beyond]: u square upper triangular, beyond = q^T a[:, m:] (a wide a only)
    if mode == "r":
        q = np.linalg.qr(a)[0]
        square = ans[..., :, :k]
        beyond = ans[..., :, k:]
    else:
        q = ans[0][..., :, :k]
        square = ans[1][..., :k, :k]
        beyond = ans[1][..., :k, k:]
    # the square (or tall) part a[:, :k] = q u: with c = q^T t u^-1, q^T dq is the
    # antisymmetric turn whose strict lower triangle is c's, and du = (c - turn) u
    spread = np.swapaxes(np.linalg.solve(np.swapaxes(square, -1, -2),
                                         np.swapaxes(t[..., :, :k], -1, -2)), -1, -2)
    core = np.matmul(np.swapaxes(q, -1, -2), spread)
    below = core * np.tri(k, k, -1)
    turn = below - np.swapaxes(below, -1, -2)
    d_q = np.matmul(q, turn - core) + spread
    d_r = np.matmul(core - turn, square)
    if k < np.shape(a)[-1]:
        # beyond = q^T y with q square: d beyond = dq^T y + q^T dy, dq = q turn
        d_r = np.concatenate([d_r, np.matmul(np.swapaxes(q, -1, -2), t[..., :, m:])
                              - np.matmul(turn, beyond)], axis=-1)
    if mode == "r":
        return d_r
    if mode == "complete" and m > k:
        # the last m - n columns of a complete Q are any orthonormal basis of what is left,
        # with no derivative: NaN (the adjoint refuses a cotangent there); R's rows are 0
        d_q = np.concatenate([d_q, np.full(np.shape(ans[0][..., :, k:]), np.nan)], axis=-1)
        d_r = np.concatenate([d_r, np.zeros(np.shape(ans[1][..., k:, :]))], axis=-2)
    tangents = (d_q, d_r)
    return tangents


# ------------------------------------------------------------ pinv, lstsq
# For a matrix of full rank (the rank pinv and lstsq keep: checked at run time), with
# x = pinv(a): dx = -x da x + x x^T da^T (I - a x) + (I - x a) da^T x^T x.

@custom(np.linalg.pinv, only={"hermitian": (False, True)}, abstract_eval=E.pinv)
def pinv(g, ans, a, rcond=None, hermitian=False):
    rt.require_full_rank(a, rt.pinv_rank(a, rcond, hermitian), "np.linalg.pinv")
    n = np.shape(a)[-1]
    if hermitian:
        # the matrix read: a's lower triangle, mirrored
        below = a * np.tri(n)
        matrix = below + np.swapaxes(below, -1, -2) - a * np.eye(n)
    else:
        matrix = a
    h_t = np.swapaxes(rt.broadcast_to(g, ans), -1, -2)
    x_t = np.swapaxes(ans, -1, -2)
    left = np.matmul(h_t, np.matmul(ans, x_t))
    right = np.matmul(np.matmul(x_t, ans), h_t)
    adjoint = np.matmul(x_t, np.matmul(-np.swapaxes(h_t, -1, -2), x_t)) \
        + left - np.matmul(matrix, np.matmul(ans, left)) \
        + right - np.matmul(np.matmul(right, ans), matrix)
    if hermitian:
        return rt.triangle_adjoint(adjoint, False)
    return adjoint


@jvp_rule(np.linalg.pinv)
def pinv(t, ans, a, rcond=None, hermitian=False):
    # dx = -x da x + x x^T da^T (I - a x) + (I - x a) da^T x^T x, where the matrix a read
    # is a's lower triangle mirrored when hermitian (and da is t's)
    rt.require_full_rank(a, rt.pinv_rank(a, rcond, hermitian), "np.linalg.pinv")
    if hermitian:
        matrix = rt.mirrored(a, False)
        d_t = np.swapaxes(rt.mirrored(t, False), -1, -2)
    else:
        matrix = a
        d_t = np.swapaxes(t, -1, -2)
    left = np.matmul(ans, np.matmul(np.swapaxes(ans, -1, -2), d_t))
    right = np.matmul(d_t, np.matmul(np.swapaxes(ans, -1, -2), ans))
    return np.matmul(ans, np.matmul(-np.swapaxes(d_t, -1, -2), ans)) \
        + left - np.matmul(np.matmul(left, matrix), ans) \
        + right - np.matmul(ans, np.matmul(matrix, right))


@custom(np.linalg.lstsq, abstract_eval=E.lstsq)
def lstsq(g, ans, a, b, rcond=None):
    # x = pinv(a) b for a of full rank; residuals |b - a x|^2 (a tall), minimal in x
    rt.require_full_rank(a, ans[2], "np.linalg.lstsq")
    m = np.shape(a)[-2]
    n = np.shape(a)[-1]
    p = np.linalg.pinv(a)
    p_t = np.swapaxes(p, -1, -2)
    columns = np.reshape(b, (m, -1))
    x = np.reshape(ans[0], (n, -1))
    g_x = np.reshape(rt.broadcast_to(rt.part(g, 0), ans[0]), (n, -1))
    g_b = np.matmul(p_t, g_x)
    residual = columns - np.matmul(a, x)
    g_a = -np.matmul(g_b, np.swapaxes(x, -1, -2)) \
        + np.matmul(residual, np.matmul(np.swapaxes(g_x, -1, -2), np.matmul(p, p_t))) \
        + np.matmul(np.matmul(p_t, x), np.swapaxes(g_x, -1, -2) - np.matmul(
            np.swapaxes(g_x, -1, -2), np.matmul(p, a)))
    if np.size(ans[1]) > 0:
        weighed = residual * rt.broadcast_to(rt.part(g, 1), ans[1])
        g_b = g_b + 2.0 * weighed
        g_a = g_a - 2.0 * np.matmul(weighed, np.swapaxes(x, -1, -2))
    g_s = rt.part(g, 3)
    if np.any(g_s != 0):
        factors = np.linalg.svd(a, full_matrices=False)
        g_a = g_a + np.matmul(factors[0] * rt.broadcast_to(g_s, ans[3]), factors[2])
    return g_a, np.reshape(g_b, np.shape(b))


@jvp_rule(np.linalg.lstsq)
def lstsq(t, ans, a, b, rcond=None):
    # x = pinv(a) b for a of full rank: dx = dpinv b + pinv db (dpinv as in pinv's rule);
    # the residuals |b - a x|^2 are minimal in x, so only b - a x moves them: 2 r.(db - da x)
    # (NumPy gives them for a tall a only, else an empty array: [:size] keeps that shape);
    # the rank does not move; ds_i = u_i^T da v_i.  Each contribution is computed in its
    # return, where t has the shape of its own argument.
    rt.require_full_rank(a, ans[2], "np.linalg.lstsq")
    m = np.shape(a)[-2]
    n = np.shape(a)[-1]
    factors = np.linalg.svd(a, full_matrices=False)
    # pinv(a), a of full rank
    p = np.matmul(np.swapaxes(factors[2], -1, -2) / factors[1], np.swapaxes(factors[0], -1, -2))
    x = np.reshape(ans[0], (n, -1))
    residual = np.reshape(b, (m, -1)) - np.matmul(a, x)
    square = np.matmul(p, np.swapaxes(p, -1, -2))
    off_rows = np.eye(n) - np.matmul(p, a)
    back = np.matmul(np.swapaxes(p, -1, -2), x)
    size = np.size(ans[1])
    no_rank = np.zeros(np.shape(ans[2]))
    return (np.reshape(np.matmul(square, np.matmul(np.swapaxes(t, -1, -2), residual))
                       + np.matmul(off_rows, np.matmul(np.swapaxes(t, -1, -2), back))
                       - np.matmul(p, np.matmul(t, x)), np.shape(ans[0])),
            (-2.0 * np.sum(residual * np.matmul(t, x), axis=0))[:size], no_rank,
            np.sum(factors[0] * np.matmul(t, np.swapaxes(factors[2], -1, -2)), axis=-2)), \
        (np.matmul(p, t), (2.0 * np.sum(residual * np.reshape(t, (m, -1)), axis=0))[:size],
         no_rank, np.zeros(np.shape(ans[3])))


# ------------------------------------------------------------ eig: refused

def _refuse_eig(constants):
    raise RuleError("the eigenvalues and eigenvectors of a general matrix are complex (NumPy "
                    "returns complex arrays even when they are real), and transpiler "
                    "differentiates real functions only",
                    "for a symmetric matrix write np.linalg.eigh(a) (or np.linalg.eigvalsh(a)); "
                    "otherwise give the derivative with @transpiler.custom_vjp")


# no parameter is differentiable: the check refuses every call a derivative flows through
@custom(np.linalg.eig, np.linalg.eigvals, diff=(), check=_refuse_eig, abstract_eval=E.unknown)
def eig(g, ans, a):
    pass


# ------------------------------------------------------------ products of matrices

@custom(np.linalg.multi_dot, diff=("arrays",), only={"out": (None,)},
        abstract_eval=E.multi_dot)
def multi_dot(g, ans, arrays, out=None):
    # a chain of products, whatever order NumPy multiplies in: each array's adjoint is
    # the product of g with all the others (rt.einsum_adjoint, whose rule is the next order)
    operands = [rt.multi_dot_subscripts(arrays)] + list(arrays)      # np.einsum's arguments
    return list([rt.einsum_adjoint(g, ans, operands, k + 1) for k in range(len(arrays))])


@jvp_rule(np.linalg.multi_dot)
def multi_dot(t, ans, arrays, out=None):
    # linear in each array: the sum of the chains with one array's tangent in its place
    return sum([np.linalg.multi_dot(list(arrays[:k]) + [t[k]] + list(arrays[k + 1:]))
                for k in range(len(arrays))])


@custom(np.linalg.matrix_power, diff=("a",), abstract_eval=E.matrix_power)
def matrix_power(g, ans, a, n):
    # d(b^k) = sum_j b^j db b^(k-1-j), with b = a (n >= 0) or inv(a) (n < 0)
    h = rt.broadcast_to(g, ans)
    if n < 0:
        base_t = np.swapaxes(np.linalg.inv(a), -1, -2)
        count = -n
    else:
        base_t = np.swapaxes(a, -1, -2)
        count = n
    total = sum([np.matmul(np.linalg.matrix_power(base_t, j),
                           np.matmul(h, np.linalg.matrix_power(base_t, count - 1 - j)))
                 for j in range(count)])
    if n < 0:
        return -np.matmul(base_t, np.matmul(total, base_t))
    return total + np.zeros(np.shape(a))


@jvp_rule(np.linalg.matrix_power)
def matrix_power(t, ans, a, n):
    # d(a^k) = sum_j a^j t a^(k-1-j); a^-k is the inverse of a^k: d(a^-k) = -ans d(a^k) ans
    count = abs(n)
    total = sum([np.matmul(np.linalg.matrix_power(a, j),
                           np.matmul(t, np.linalg.matrix_power(a, count - 1 - j)))
                 for j in range(count)]) + np.zeros(np.shape(ans))
    if n < 0:
        return -np.matmul(ans, np.matmul(total, ans))
    return total


nondiff(rt.multi_dot_subscripts, abstract_eval=E.unknown, internal=True)
