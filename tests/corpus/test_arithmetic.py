"""Arithmetic chains and operator mixes: + - * / ** % //, unary operators, augmented
assignment, Python scalars mixed with arrays, and broadcasting between them."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=100)


def polynomial_chain(x):
    return np.sum(3.0 * x ** 3 - 2.0 * x ** 2 + x - 7.0)


def difference_of_squares_ratio(x, y):
    return np.sum((x + y) * (x - y) / (1.0 + y * y))


def unary_operators(x):
    return np.sum(-x * +x - (-(x ** 2)) + -(-x))


def powers_every_way(x, y):
    # x > 0: fractional powers, a variable base and a variable exponent
    return np.sum(x ** 2.5 + x ** y + 2.0 ** y + y ** 2)


def division_chain(x, y):
    return np.sum(1.0 / x / y + x / (y * y) - 3.0 / (x + y))


def reflected_operators(x):
    s = np.sum(x ** 2)
    return (2.0 - np.sum(x)) * (3.0 / s) + 1.0 / (4.0 + s) - 5 ** 0.5 * s


def scalar_times_array(a, x):
    return a * np.sum(x) + a ** 2 * np.sum(x * x) - a / (1.0 + np.sum(x ** 2))


def operator_precedence(x, y):
    return np.sum(x + y * x - y / 2.0 ** 2 + -x ** 2 * 3 - (x - y) ** 2 / 4)


def modulo_sawtooth(x):
    # away from the jumps, d(x % c)/dx = 1
    return np.sum((x % 1.5) * x)


def floor_division_steps(x):
    # x // c is piecewise constant: only the outer factor carries a derivative
    return np.sum(x * (x // 0.7) + (x // 0.3) ** 2)


def augmented_operators(x, y):
    z = x * 1.0
    z += y
    z -= 0.5 * x
    z *= y
    z /= 1.0 + x * x
    z **= 2
    return np.sum(z)


def python_scalar_arithmetic(a, b):
    c = a * b + a / b - b ** 2
    return c * c + abs(a - 3.0 * b) - (-a) ** 3


def integer_constants_mixed(x):
    return np.sum(2 * x + 1) * 3 - np.sum(x // 1 * 0 + x ** 3) / 7


def broadcast_chain(x, row, col):
    return np.sum((x - row) * col + row * col - x / (2.0 + col ** 2))


def scalar_broadcast_accumulate(a, x):
    t = x + a
    t = t * a - x
    return np.sum(t ** 2) / (1.0 + a * a)


def matmul_operator_chain(A, x):
    return x @ A @ x + np.sum(A @ A) - (A @ x) @ (A.T @ x)


def comparison_weights(x, y):
    # comparisons produce constant masks; arithmetic on them is not differentiated
    return np.sum((x > y) * x ** 2 + (x <= y) * y ** 2 + (x != 0) * x * y)


def python_builtins(x):
    return (max(x[0], x[1]) * min(x[2], x[3]) + abs(x[0]) + pow(x[1], 2)
            + float(x[2]) * x[3] + np.sum(abs(x)))


def negative_and_fractional_exponents(x):
    return np.sum(x ** 0.5 + x ** -1 + x ** -2.5 + np.sqrt(x) ** 3)


X3, Y3 = normal(3), normal(3)
M34 = normal(3, 4)

CASES = [
    *cases(polynomial_chain, (normal(5),), (normal(2, 3),), (1.7,)),
    *cases(difference_of_squares_ratio, (X3, Y3), (normal(2, 3), normal(3)),
           argnums=(0, 1)),
    *cases(unary_operators, (normal(4),), (0.3,)),
    *cases(powers_every_way, (positive(4), normal(4)), (positive(2, 2), normal(2)),
           argnums=(0, 1)),
    *cases(division_chain, (positive(3), positive(3)), (positive(2, 3), positive(2, 1)),
           argnums=(0, 1)),
    *cases(reflected_operators, (normal(4),), (normal(2, 2),)),
    *cases(scalar_times_array, (0.7, normal(3)), (-1.3, normal(2, 2)), argnums=(0, 1)),
    *cases(operator_precedence, (X3, Y3), (normal(3, 2), normal(2)), argnums=(0, 1)),
    *cases(modulo_sawtooth, (uniform(0.1, 1.4, 4),), (uniform(1.6, 2.9, 2, 2),)),
    *cases(floor_division_steps, (np.array([0.35, 0.8, 1.1, 2.5]),)),
    *cases(augmented_operators, (X3, Y3), (normal(2, 3), normal(3)), argnums=(0, 1)),
    *cases(python_scalar_arithmetic, (1.3, 0.6), (-0.4, 2.1), argnums=(0, 1)),
    *cases(integer_constants_mixed, (normal(4),)),
    *cases(broadcast_chain, (M34, normal(4), normal(3, 1)), argnums=(0, 1, 2)),
    *cases(broadcast_chain, (normal(2, 3, 4), normal(1, 4), normal(3, 1)),
           argnums=(0, 1, 2)),
    *cases(scalar_broadcast_accumulate, (0.4, normal(3)), (1.5, normal(2, 3)),
           argnums=(0, 1)),
    *cases(matmul_operator_chain, (normal(3, 3), normal(3)), argnums=(0, 1)),
    *cases(python_builtins, (normal(4),)),
    *cases(negative_and_fractional_exponents, (positive(4),)),
    *cases(comparison_weights, (X3, Y3), (normal(2, 3), normal(3)), argnums=(0, 1)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
