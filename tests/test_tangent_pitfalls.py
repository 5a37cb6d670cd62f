"""The ways Tangent returned silently wrong gradients: right here, or refused loudly."""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads


def accumulate_in_loop(x):
    y = np.zeros(3)
    for i in range(len(x)):
        y[i % 3] += x[i] * x[i]
    return np.sum(y * y)


def accumulate_rows(x):
    acc = np.zeros((2, 3))
    for i in range(x.shape[0]):
        acc[i % 2] += np.sin(x[i])
        acc[i % 2] *= 1.5
    return np.sum(acc ** 2)


def recurrence_reads_what_it_wrote(x):
    y = np.zeros(len(x))
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] += y[i - 1] * x[i] + x[i]
    return y[-1] + np.sum(y)


@pytest.mark.parametrize("f, shape", [(accumulate_in_loop, (7,)),
                                      (accumulate_rows, (5, 3)),
                                      (recurrence_reads_what_it_wrote, (6,))])
def test_augmented_element_writes_in_loops(f, shape):
    x = np.random.default_rng(3).uniform(-1.0, 1.0, size=shape)
    check_grads(f, (x,))


def alias_of_local_then_write(x):
    y = x * 2.0
    z = y
    z[0] = 0.0
    return np.sum(y * x)


def alias_of_argument_then_write(x):
    z = x
    z[0] = 0.0
    return np.sum(z)


def alias_without_write(x):
    y = x * 2.0
    z = y
    return np.sum(z * y)


def test_aliasing_writes_are_refused_at_transform_time():
    with pytest.raises(tp.TranspileError, match="shares its memory"):
        tp.grad(alias_of_local_then_write)(np.ones(3))
    with pytest.raises(tp.TranspileError, match="argument `x`"):
        tp.grad(alias_of_argument_then_write)


def test_aliases_that_are_only_read_are_fine():
    check_grads(alias_without_write, (np.array([1.0, -2.0, 0.5]),))


def scaled_by_int(x, n):
    total = 0.0
    for k in range(n):
        total = total + x * k
    return total * (n // 2)


def int_array_times_float(x, idx):
    return np.sum(np.arange(len(idx)) * x[idx])


def test_integer_inputs():
    check_grads(scaled_by_int, (1.5, 5))
    check_grads(int_array_times_float, (np.array([1.0, 2.0, 3.0]), np.array([2, 0, 2])))
    with pytest.raises(TypeError, match="argument `n`"):
        tp.grad(scaled_by_int, argnums=1)(1.5, 5)
    with pytest.raises(TypeError, match="int64"):
        tp.grad(lambda v: np.sum(v * 2.0))(np.array([1, 2, 3]))


def identity_arithmetic_then_write(x):
    a = x + 0
    a[0] = 5.0
    return np.sum(a * x)


def copy_then_write(x):
    z = x.copy()
    z[0] = 0.0
    return np.sum(z) + np.sum(x * x)


def test_the_optimiser_introduces_no_alias():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    grad = check_grads(identity_arithmetic_then_write, (x,))
    np.testing.assert_array_equal(x, before)          # the argument was not written
    np.testing.assert_allclose(grad, [5.0, 4.0, 6.0])
    check_grads(copy_then_write, (x,))
    np.testing.assert_array_equal(x, before)
