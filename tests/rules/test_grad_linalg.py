"""Linear algebra through ``tp.grad``: ``@``/matmul/dot in every rank combination,
outer, inner, vdot, einsum, norms, inv, det, solve and trace."""
import operator

import numpy as np
import pytest

from .oracle import Grad, check_case, grad_params

RNG = np.random.default_rng(5)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def well_conditioned(*shape):
    return normal(*shape) * 0.3 + 2.0 * np.eye(shape[-1])


def at_operator(x, y):
    return np.sum(np.sin(x @ y))


def matmul_function(x, y):
    return np.sum(np.sin(np.matmul(x, y)))


def dot_function(x, y):
    return np.sum(np.sin(np.dot(x, y)))


def matmul_in_place(x, y):
    z = x * 1.0
    z @= y
    return np.sum(np.sin(z))


def vector_method_mix(x, y):
    z = x @ y
    return np.sum(z * z) + np.dot(x, y).sum()


PRODUCT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                  ((2, 2, 3), (2, 3, 4)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4))]
CASES = []
for f, primal in ((at_operator, operator.matmul), (matmul_function, np.matmul),
                  (dot_function, np.dot)):
    CASES += [Grad(primal, f, normal(*s), normal(*t), argnums=(0, 1), note="-" + f.__name__)
              for s, t in PRODUCT_SHAPES if not (f is dot_function and len(s) == 3)]
CASES += [Grad(np.dot, dot_function, normal(), normal(3, 4), argnums=(0, 1)),
          Grad(np.dot, dot_function, normal(2, 3), normal(4, 3, 2), argnums=(0, 1)),
          Grad((operator.matmul, np.dot), vector_method_mix, normal(2, 3), normal(3, 2),
               argnums=(0, 1)),
          Grad(operator.imatmul, matmul_in_place, normal(2, 3), normal(3, 3), argnums=(0, 1))]


def numpy2_products(x, y):
    return np.sum(np.sin(np.vecdot(x, y))) + np.sum(np.linalg.vecdot(x[0], y[1]) ** 2) \
        + np.linalg.trace(np.linalg.matmul(x, y.T)) ** 2 + np.sum(np.linalg.outer(x[0], y[0]))


CASES += [Grad((np.vecdot, np.linalg.vecdot, np.linalg.trace, np.linalg.matmul,
                np.linalg.outer), numpy2_products, normal(2, 3), normal(2, 3), argnums=(0, 1))]


def outer(x, y):
    return np.sum(np.sin(np.outer(x, y)))


def inner(x, y):
    return np.sum(np.sin(np.inner(x, y)))


def vdot(x, y):
    return np.sin(np.vdot(x, y))


CASES += [Grad(np.outer, outer, normal(3), normal(4), argnums=(0, 1)),
          Grad(np.outer, outer, normal(2, 2), normal(3), argnums=(0, 1)),
          Grad(np.inner, inner, normal(3), normal(3), argnums=(0, 1)),
          Grad(np.inner, inner, normal(2, 3), normal(4, 3), argnums=(0, 1)),
          Grad(np.inner, inner, normal(), normal(2, 3), argnums=(0, 1)),
          Grad(np.vdot, vdot, normal(3), normal(3), argnums=(0, 1)),
          Grad(np.vdot, vdot, normal(2, 3), normal(2, 3), argnums=(0, 1))]


def einsum_matrix_product(x, y):
    return np.sum(np.sin(np.einsum("ij,jk->ik", x, y)))


def einsum_inner(x, y):
    return np.sin(np.einsum("i,i->", x, y))


def einsum_column_sums(x):
    return np.sum(np.sin(np.einsum("ij->j", x)))


def einsum_batched(x, y):
    return np.sum(np.sin(np.einsum("bij,bjk->bik", x, y)))


def einsum_implicit(x, y):
    return np.sum(np.sin(np.einsum("ij,jk", x, y)))


def einsum_diagonal_and_trace(x):
    return np.sum(np.sin(np.einsum("ii->i", x))) + np.einsum("ii", x) ** 2


def einsum_three_operands(x, y, z):
    return np.sum(np.sin(np.einsum("ij,jk,k->i", x, y, z)))


CASES += [Grad(np.einsum, einsum_matrix_product, normal(2, 3), normal(3, 4), argnums=(0, 1)),
          Grad(np.einsum, einsum_inner, normal(3), normal(3), argnums=(0, 1)),
          Grad(np.einsum, einsum_column_sums, normal(3, 4)),
          Grad(np.einsum, einsum_batched, normal(2, 2, 3), normal(2, 3, 2), argnums=(0, 1)),
          Grad(np.einsum, einsum_implicit, normal(2, 3), normal(3, 4), argnums=(0, 1)),
          Grad(np.einsum, einsum_diagonal_and_trace, normal(3, 3)),
          Grad(np.einsum, einsum_three_operands, normal(2, 3), normal(3, 4), normal(4),
               argnums=(0, 1, 2))]


def norm_default(x):
    return np.sin(np.linalg.norm(x))


def norm_order(order):
    return lambda x: np.sin(np.linalg.norm(x, ord=order))


def norm_axis(axis, keepdims):
    return lambda x: np.sum(np.sin(np.linalg.norm(x, axis=axis, keepdims=keepdims)))


def norm_order_axis(order, axis):
    return lambda x: np.sum(np.sin(np.linalg.norm(x, order, axis)))


def norm_positional(x):
    return np.linalg.norm(x, 2) + np.linalg.norm(x, 1) ** 2


DISTINCT = RNG.permutation(np.arange(12.0)).reshape(3, 4) * 0.3 - 1.6
CASES += [Grad(np.linalg.norm, norm_default, normal(4)),
          Grad(np.linalg.norm, norm_default, normal(3, 4)),
          Grad(np.linalg.norm, norm_order(1), normal(4), note="-ord=1"),
          Grad(np.linalg.norm, norm_order(2), normal(4), note="-ord=2"),
          Grad(np.linalg.norm, norm_order(np.inf), DISTINCT[0], note="-ord=inf"),
          Grad(np.linalg.norm, norm_order(-np.inf), DISTINCT[0], note="-ord=-inf"),
          Grad(np.linalg.norm, norm_order(3), normal(4), note="-ord=3"),
          Grad(np.linalg.norm, norm_order("fro"), normal(3, 4), note="-ord=fro"),
          Grad(np.linalg.norm, norm_axis(0, False), normal(3, 4), note="-axis=0"),
          Grad(np.linalg.norm, norm_axis(-1, True), normal(3, 4), note="-axis=-1,keepdims"),
          Grad(np.linalg.norm, norm_axis(None, True), normal(3, 4), note="-keepdims"),
          Grad(np.linalg.norm, norm_axis((0, 1), False), normal(3, 4), note="-axis=(0,1)"),
          Grad(np.linalg.norm, norm_axis((1, 2), True), normal(2, 3, 4), note="-axis=(1,2)"),
          Grad(np.linalg.norm, norm_order_axis(1, 1), normal(3, 4), note="-ord=1,axis=1"),
          Grad(np.linalg.norm, norm_order_axis(np.inf, 0), DISTINCT, note="-ord=inf,axis=0"),
          Grad(np.linalg.norm, norm_positional, normal(5)),
          Grad(np.linalg.norm, norm_order(-1.5), normal(4), note="-ord=-1.5"),
          Grad(np.linalg.norm, norm_order(0.5), normal(4), note="-ord=0.5")]


def matrix_norm_axes(order, axes, keepdims):
    return lambda x: np.sum(np.sin(np.linalg.norm(x, order, axes, keepdims)))


MATRIX_ORDERS = [None, "fro", 1, -1, 2, -2, np.inf, -np.inf, "nuc"]
for order in MATRIX_ORDERS:
    CASES += [Grad(np.linalg.norm, norm_order(order), normal(3, 4), note="-matrix-ord=%s" % order),
              Grad(np.linalg.norm, norm_order(order), normal(4, 2), note="-matrix-ord=%s" % order),
              Grad(np.linalg.norm, matrix_norm_axes(order, (1, 2), False), normal(2, 3, 4),
                   note="-ord=%s,axis=(1,2)" % order),
              Grad(np.linalg.norm, matrix_norm_axes(order, (2, 0), True), normal(2, 3, 4),
                   note="-ord=%s,axis=(2,0),keepdims" % order)]


def inverse(a):
    return np.sum(np.sin(np.linalg.inv(a)))


def determinant(a):
    return np.sum(np.linalg.det(a) ** 2)


def solve(a, b):
    return np.sum(np.sin(np.linalg.solve(a, b)))


def trace(a):
    return np.sin(np.trace(a)) + np.trace(a * a, 1)


def trace_of_stack(a):
    return np.sum(np.sin(np.trace(a)))


CASES += [Grad(np.linalg.inv, inverse, well_conditioned(3, 3)),
          Grad(np.linalg.inv, inverse, well_conditioned(2, 3, 3)),
          Grad(np.linalg.det, determinant, well_conditioned(3, 3)),
          Grad(np.linalg.det, determinant, well_conditioned(2, 3, 3)),
          Grad(np.linalg.solve, solve, well_conditioned(3, 3), normal(3), argnums=(0, 1)),
          Grad(np.linalg.solve, solve, well_conditioned(3, 3), normal(3, 2), argnums=(0, 1)),
          Grad(np.linalg.solve, solve, well_conditioned(2, 3, 3), normal(3), argnums=(0, 1)),
          Grad(np.linalg.solve, solve, well_conditioned(2, 3, 3), normal(2, 3, 2),
               argnums=(0, 1)),
          Grad(np.trace, trace, normal(3, 4)),
          Grad(np.trace, trace_of_stack, normal(3, 3, 2))]


def determinant_alone(a):
    return np.sum(np.linalg.det(a))


def sine_of_determinant(a):
    return np.sum(np.sin(np.linalg.det(a) * 0.5))


# singular matrices: the gradient of det is the cofactor matrix, which exists for them
SINGULAR = {
    "2x2-rank-1": np.array([[1.0, 2.0], [2.0, 4.0]]),
    "3x3-rank-1": np.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0]),
    "3x3-rank-2": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
    "3x3-zero": np.zeros((3, 3)),
    "1x1-zero": np.zeros((1, 1)),
    "4x4-rank-3": np.array([[1.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, 1.0], [1.0, 1.0, 3.0, 2.0],
                            [2.0, -1.0, 0.5, 3.0]]),
}
SINGULAR_BATCH = np.stack([SINGULAR["3x3-rank-1"], SINGULAR["3x3-rank-2"],
                           SINGULAR["3x3-zero"], well_conditioned(3, 3)])
for name, a in SINGULAR.items():
    CASES += [Grad(np.linalg.det, f, a, note="-singular-" + name)
              for f in (determinant_alone, sine_of_determinant)]
CASES += [Grad(np.linalg.det, sine_of_determinant, SINGULAR_BATCH, note="-singular-batch"),
          Grad(np.linalg.det, sine_of_determinant, SINGULAR_BATCH.reshape(2, 2, 3, 3),
               note="-singular-batch-2d")]

# plainly summed: the rules receive the lazily broadcast seed (a scalar 1.0)
PLAIN = [
    (np.matmul, lambda x, y: np.sum(x @ y), ((2, 2, 3), (3, 4))),
    (np.matmul, lambda x, y: np.sum(np.matmul(x, y)), ((3,), (2, 3, 4))),
    (np.dot, lambda x, y: np.sum(np.dot(x, y)), ((2, 3), (2, 3, 4))),
    (np.outer, lambda x, y: np.sum(np.outer(x, y)), ((3,), (4,))),
    (np.inner, lambda x, y: np.sum(np.inner(x, y)), ((2, 3), (4, 3))),
    (np.einsum, lambda x, y: np.sum(np.einsum("ij,jk->ik", x, y)), ((2, 3), (3, 4))),
    (np.einsum, lambda x, y: np.sum(np.einsum("bij,bjk->bik", x, y)), ((2, 2, 3), (2, 3, 2))),
    (np.linalg.norm, lambda x, y: np.sum(np.linalg.norm(x * y, axis=0)), ((3, 4), (3, 4))),
    (np.linalg.inv, lambda x, y: np.sum(np.linalg.inv(x + y)), ((3, 3), (3, 3))),
    (np.linalg.det, lambda x, y: np.sum(np.linalg.det(x + y)), ((2, 3, 3), (2, 3, 3))),
    (np.linalg.solve, lambda x, y: np.sum(np.linalg.solve(x, y)), ((3, 3), (3, 2))),
    (np.linalg.solve, lambda x, y: np.sum(np.linalg.solve(x, y)), ((2, 3, 3), (3,))),
    (np.trace, lambda x, y: np.sum(np.trace(x * y)), ((3, 3, 2), (3, 3, 2))),
]
for primal, f, (s, t) in PLAIN:
    x = well_conditioned(*s) if len(s) >= 2 and s[-1] == s[-2] else normal(*s)
    CASES.append(Grad(primal, f, x, normal(*t) * 0.1, argnums=(0, 1), note="-summed"))


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


def spectral_norm(x):
    return np.linalg.norm(x, 2)


def smallest_singular_value(x):
    return np.linalg.norm(x, -2)


def nuclear_norm(x):
    return np.linalg.norm(x, "nuc")


def test_spectral_and_nuclear_norm_gradients_are_singular_vectors():
    import transpiler as tp
    a = normal(4, 3)
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    for call in ("__call__", "call_generic"):
        np.testing.assert_allclose(getattr(tp.grad(spectral_norm), call)(a),
                                   np.outer(u[:, 0], vt[0]), atol=1e-12)
        np.testing.assert_allclose(getattr(tp.grad(smallest_singular_value), call)(a),
                                   np.outer(u[:, -1], vt[-1]), atol=1e-12)
        np.testing.assert_allclose(getattr(tp.grad(nuclear_norm), call)(a), u @ vt, atol=1e-12)


def test_matrix_norm_ties_share_the_gradient():
    import transpiler as tp
    eye = np.eye(3)
    np.testing.assert_allclose(tp.grad(spectral_norm)(eye), eye / 3.0, atol=1e-12)
    np.testing.assert_allclose(tp.grad(nuclear_norm)(eye), eye, atol=1e-12)
    ones = np.ones((2, 3))
    np.testing.assert_allclose(tp.grad(lambda x: np.linalg.norm(x, 1))(ones), ones / 3.0)
    np.testing.assert_allclose(tp.grad(lambda x: np.linalg.norm(x, np.inf))(ones), ones / 2.0)
    # one largest column sum, a zero entry in it: sign(0) = 0
    a = np.array([[1.0, -5.0], [2.0, 0.0]])
    np.testing.assert_allclose(tp.grad(lambda x: np.linalg.norm(x, 1))(a), [[0.0, -1.0],
                                                                             [0.0, 0.0]])
    np.testing.assert_allclose(tp.grad(lambda x: np.linalg.norm(x, -np.inf))(a), [[0.0, 0.0],
                                                                                   [1.0, 0.0]])


def cofactors(a):
    """The cofactor matrix of a square matrix, from its minors."""
    n = a.shape[0]
    out = np.zeros_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, 0), j, 1)
            out[i, j] = (-1) ** (i + j) * (np.linalg.det(minor) if n > 1 else 1.0)
    return out


@pytest.mark.parametrize("name", sorted(SINGULAR))
def test_gradient_of_det_is_the_cofactor_matrix_also_for_singular_matrices(name):
    import transpiler as tp
    a = SINGULAR[name]
    for call in ("__call__", "call_generic"):
        grad = getattr(tp.grad(determinant_alone), call)(a)
        scale = np.abs(a).max() ** (len(a) - 1)
        np.testing.assert_allclose(grad, cofactors(a), rtol=1e-12, atol=1e-13 * scale)
    batch = tp.grad(determinant_alone)(SINGULAR_BATCH)
    for k, matrix in enumerate(SINGULAR_BATCH):
        np.testing.assert_allclose(batch[k], cofactors(matrix), rtol=1e-10, atol=1e-12)
    out, pull = tp.vjp(lambda m: np.linalg.det(m), a)
    np.testing.assert_allclose(pull(2.0)[0], 2.0 * cofactors(a), atol=1e-11)


def test_gradient_of_det_of_a_float32_matrix():
    import transpiler as tp
    a = SINGULAR["3x3-rank-2"].astype(np.float32)
    grad = tp.grad(determinant_alone)(a)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, cofactors(a.astype(float)), atol=1e-4)
