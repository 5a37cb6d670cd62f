"""Linear algebra: @ / matmul on 1-D, 2-D and batched operands, dot, einsum, outer,
inner, trace, linalg.norm (vector, Frobenius, along an axis), solve and inv."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=116)


def quadratic_form(A, x):
    return x @ A @ x


def matmul_shapes(A, B):
    return np.sum(np.matmul(A, B) ** 2)


def batched_matmul(A, B):
    return np.sum(np.tanh(A @ B))


def matrix_vector_both_sides(A, x, y):
    return np.sum((A @ x) * (y @ A))


def dot_variants(x, y, A):
    return np.dot(x, y) + np.sum(np.dot(A, x) ** 2) + np.sum(np.dot(A.T, A))


def dot_with_scalar(x, a):
    return np.sum(np.dot(a, x) ** 2)


def einsum_matrix_product(A, B):
    return np.sum(np.einsum("ij,jk->ik", A, B) ** 2)


def einsum_contractions(x, A):
    return np.einsum("i,i->", x, x) + np.einsum("ij,j->", A, x)


def einsum_trace(A):
    return np.einsum("ii", A @ A.T) + np.einsum("ii->i", A) @ np.arange(A.shape[0])


def einsum_batched(A, B):
    return np.sum(np.einsum("bij,bjk->bik", A, B) ** 2)


def einsum_outer_and_trace(x, y):
    return np.sum(np.einsum("i,j->ij", x, y) ** 2) + np.einsum("i,i", x, y)


def outer_products(x, y):
    return np.sum(np.outer(x, y) * np.outer(y, x).T) + np.sum(np.outer(x, x) ** 2)


def inner_and_trace(x, A):
    return np.inner(x, x) * np.trace(A @ A)


def vector_norms(x):
    return np.linalg.norm(x) + np.linalg.norm(x - 1.0) ** 2


def vector_norm_orders(x):
    return (np.linalg.norm(x, ord=1) + np.linalg.norm(x, ord=np.inf) + np.linalg.norm(x, 3)
            + np.linalg.norm(x, ord=2))


def vector_norm_positional_infinity(x):
    return np.linalg.norm(x, np.inf) * np.linalg.norm(x, -np.inf)


def frobenius_norm(A):
    return np.linalg.norm(A) + np.sum(np.linalg.norm(A, axis=0, keepdims=True) * A)


def row_norms_summed(A):
    return np.sum(np.linalg.norm(A, axis=1))


def normalised_vector(x):
    u = x / np.linalg.norm(x)
    return np.sum(u * np.arange(len(x)))


def gram_matrix_loss(X):
    G = X.T @ X
    return np.sum((G - np.eye(G.shape[0])) ** 2)


def linear_solve(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2)


def inverse_summed(A):
    return np.sum(np.linalg.inv(A))


def determinant_and_inverse_quadratic(A, b):
    return np.linalg.det(A) + b @ np.linalg.inv(A) @ b


def least_squares_residual(w, X, y):
    r = X @ w - y
    return 0.5 * r @ r + 0.1 * w @ w


WELL_CONDITIONED = np.eye(3) * 3.0 + normal(3, 3) * 0.3

CASES = [
    *cases(quadratic_form, (normal(3, 3), normal(3)), argnums=(0, 1)),
    *cases(matmul_shapes, (normal(2, 3), normal(3, 4)), (normal(3), normal(3, 2)),
           (normal(2, 3), normal(3)), argnums=(0, 1)),
    *cases(batched_matmul, (normal(2, 2, 3), normal(2, 3, 2)), (normal(2, 2, 3), normal(3, 2)),
           argnums=(0, 1)),
    *cases(matrix_vector_both_sides, (normal(3, 3), normal(3), normal(3)), argnums=(0, 1, 2)),
    *cases(dot_variants, (normal(3), normal(3), normal(2, 3)), argnums=(0, 1, 2)),
    *cases(dot_with_scalar, (normal(3), 0.7), argnums=(0, 1)),
    *cases(einsum_matrix_product, (normal(2, 3), normal(3, 2)), argnums=(0, 1)),
    *cases(einsum_contractions, (normal(3), normal(3, 3)), argnums=(0, 1)),
    *cases(einsum_trace, (normal(3, 3),)),
    *cases(einsum_batched, (normal(2, 2, 3), normal(2, 3, 2)), argnums=(0, 1)),
    *cases(einsum_outer_and_trace, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(outer_products, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(inner_and_trace, (normal(3), normal(3, 3)), argnums=(0, 1)),
    *cases(vector_norms, (normal(4),)),
    *cases(vector_norm_orders, (np.array([0.3, -1.7, 0.9, 1.2]),)),
    *cases(vector_norm_positional_infinity, (np.array([0.3, -1.7, 0.9, 1.2]),)),
    *cases(frobenius_norm, (normal(3, 2),)),
    *cases(row_norms_summed, (normal(3, 2),)),
    *cases(normalised_vector, (normal(4),)),
    *cases(gram_matrix_loss, (normal(4, 3),)),
    *cases(linear_solve, (WELL_CONDITIONED, normal(3)), argnums=(0, 1)),
    *cases(inverse_summed, (WELL_CONDITIONED,)),
    *cases(determinant_and_inverse_quadratic, (WELL_CONDITIONED, normal(3)), argnums=(0, 1)),
    *cases(least_squares_residual, (normal(3), normal(5, 3), normal(5)), argnums=(0, 1, 2)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
