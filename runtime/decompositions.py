"""Helpers of the derivatives of NumPy's matrix decompositions (``transpiler/rules/
decompositions.py``): folding an adjoint onto the triangle a routine reads, and the checks
that refuse, at run time, the points where a derivative is not defined.
"""
import numpy as np


def triangle_weights(n, upper=False):
    """The ``(n, n)`` weights of ``triangle_adjoint``: ones strictly inside the triangle
    read (lower, or upper), one half on the diagonal, zeros elsewhere."""
    lower = np.tri(n) - 0.5 * np.eye(n)
    return lower.T if upper else lower


def triangle_adjoint(c, upper=False):
    """The adjoint of the square matrix (or stack) ``a`` when a routine reads only its lower
    (or upper) triangle and mirrors it, given the adjoint ``c`` of the symmetric matrix it
    read (valid for symmetric perturbations).

    ``eigh``, ``eigvalsh``, ``cholesky`` and ``svd``/``pinv`` with ``hermitian=True`` never
    read the other triangle: an entry below the diagonal stands for itself and its mirror
    (``c[i, j] + c[j, i]``), a diagonal entry for itself, an entry above for nothing.
    """
    c = np.asarray(c)
    return (c + np.swapaxes(c, -1, -2)) * triangle_weights(c.shape[-1], upper)


def mirrored(h, upper=False):
    """``triangle_adjoint`` transposed: the weighted triangle of ``h`` mirrored into a
    symmetric matrix (``h * w + (h * w)^T``)."""
    h = np.asarray(h)
    weighed = h * triangle_weights(h.shape[-1], upper)
    return weighed + np.swapaxes(weighed, -1, -2)


def require_zero(c, what, instead):
    """Refuse, at run time, a derivative flowing into the part ``c`` of a result that is not
    unique (the last columns of a full U, of a complete Q): a ValueError naming ``what``
    and saying what to write ``instead``."""
    if np.any(np.asarray(c) != 0):
        raise ValueError("a derivative flows into %s, which is not unique (any orthonormal "
                         "basis of the same space would do), so it has none; %s"
                         % (what, instead))


def refuse(what, value):
    """A derivative generated code cannot give: NotImplementedError naming ``what`` (for
    the argument ``value``)."""
    raise NotImplementedError("%s: %r" % (what, value))


def require_full_rank(a, kept, what):
    """Refuse, at run time, a rank-deficient ``a``: ``kept`` singular values (or the rank
    NumPy found) of ``min(m, n)``.  Below full rank ``what`` (np.linalg.pinv, lstsq) drops
    directions, and its derivative is not the one of a smooth function."""
    full = min(np.shape(a)[-2:])
    if np.any(np.asarray(kept) < full):
        raise ValueError("%s is differentiated only for matrices of full rank (rank %d here, "
                         "of %d): singular values below the cutoff are dropped, which is not "
                         "differentiable; regularise the matrix (a + eps * I) or raise the "
                         "cutoff `rcond`" % (what, int(np.min(kept)), full))


def pinv_rank(a, rcond=None, hermitian=False):
    """How many singular values ``np.linalg.pinv(a, rcond, hermitian)`` keeps, matrix by
    matrix: those above ``rcond`` (by default 1e-15, as NumPy's) times the largest."""
    a = np.asarray(a)
    if rcond is None:
        rcond = 1e-15
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(a))
    else:
        s = np.linalg.svd(a, compute_uv=False)
    cutoff = np.asarray(rcond)[..., None] * np.max(s, axis=-1, keepdims=True)
    return np.sum(s > cutoff, axis=-1)


def multi_dot_subscripts(arrays):
    """The ``np.einsum`` subscripts of ``np.linalg.multi_dot(arrays)``: a chain of matrix
    products whose first and last operands may be vectors."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    count = len(arrays)
    specs = [letters[k] + letters[k + 1] for k in range(count)]
    if np.ndim(arrays[0]) == 1:
        specs[0] = specs[0][1]
    if np.ndim(arrays[-1]) == 1:
        specs[-1] = specs[-1][0]
    output = (specs[0][0] if len(specs[0]) == 2 else "") + \
        (specs[-1][-1] if len(specs[-1]) == 2 else "")
    return ",".join(specs) + "->" + output


def matrix_axes(x, ord=None, axis=None):
    """The two axes (non-negative) over which ``np.linalg.norm(x, ord, axis)`` takes a
    matrix norm, or None when it takes a vector norm (or the 2-norm of all entries)."""
    ndim = np.ndim(x)
    if axis is None:
        return (0, 1) if ord is not None and ndim == 2 else None
    if isinstance(axis, tuple) and len(axis) == 2:
        return (axis[0] % ndim, axis[1] % ndim)
    return None


def spectral_weights(s, ord):
    """How the matrix norm ``ord`` (2, -2 or 'nuc') weighs the singular values ``s`` (along
    the last axis): all of them for 'nuc', the largest (2) or smallest (-2) for the others,
    ties sharing it equally (a subgradient, as for ``max``).  A singular value exactly 0
    weighs nothing: it is |s| at s = 0, whose slope is taken as 0 (as ``sign(0)`` in the
    vector norms), so the norm of a zero matrix has slope 0, not an arbitrary u v^T."""
    if ord == "nuc":
        return np.ones_like(s) * (s != 0)
    pick = np.max if ord == 2 else np.min
    chosen = s == pick(s, axis=-1, keepdims=True)
    return chosen / np.sum(chosen, axis=-1, keepdims=True) * (s != 0)
