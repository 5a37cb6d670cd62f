"""jit(..., backend="cuda"): elementwise functions (one thread per element) and vmapped
per-example functions (one thread per example), their gradients included, against the
NumPy code and central finite differences; device arrays in and out; what is refused.

Written for Numba's CUDA simulator (conftest.py) and a real GPU alike: small arrays, and
nothing that reads how the simulator runs.
"""
import math
import os

import numpy as np
import pytest
from numba import cuda

import transpiler as tp
from transpiler.backends.cuda_launch import on_device


def cuda_jit(fun, **options):
    return tp.jit(fun, backend="cuda", **options)


def central_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def line_of(text):
    """The line of this file that holds ``text`` (where a refusal must point)."""
    with open(__file__) as source:
        return next(k + 1 for k, line in enumerate(source) if text in line)


# ------------------------------------------------------------ elementwise

def bent(x):
    return math.sin(x) * x if x > 0 else x * x


def mix(x, y):
    z = np.exp(-x * x) * y
    if z > 0.5:
        z = z - np.tanh(y)
    return z + 2.0 * abs(x)


def newton_sqrt(a):
    x = a + 1.0
    while abs(x * x - a) > 1e-12 * (a + 1.0):
        x = 0.5 * (x + a / x)
    return x


def steps(x):
    s = 0.0
    while s < x:
        s += 0.5 * x + 0.1
    return s * x


def elementwise(f, *args):
    return np.vectorize(f, otypes=[float])(*args)


@pytest.mark.parametrize("shape", [(7,), (2, 3), (1,), (0,)])
def test_an_elementwise_function_runs_one_thread_per_element(shape):
    x = np.linspace(-1.5, 1.5, math.prod(shape)).reshape(shape)
    out = cuda_jit(bent)(x)
    assert isinstance(out, np.ndarray) and out.shape == shape and out.dtype == np.float64
    np.testing.assert_allclose(out, elementwise(bent, x), rtol=1e-14)


def test_scalars_and_broadcasting():
    g = cuda_jit(mix)
    x = np.linspace(-1.0, 1.0, 3)[:, None]
    y = np.linspace(0.0, 2.0, 4)
    np.testing.assert_allclose(g(x, y), elementwise(mix, x, y), rtol=1e-14)
    np.testing.assert_allclose(g(x, 0.7), elementwise(mix, x, 0.7), rtol=1e-14)
    np.testing.assert_allclose(g(x, np.array(0.7)), elementwise(mix, x, 0.7), rtol=1e-14)
    value = g(0.3, 1.2)
    assert isinstance(value, np.float64) and value == pytest.approx(mix(0.3, 1.2), rel=1e-14)


def test_float32_and_int_inputs_keep_numpy_dtypes():
    g = cuda_jit(mix)
    x = np.linspace(-1.0, 1.0, 5, dtype=np.float32)
    out = g(x, np.float32(0.5))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, elementwise(mix, x.astype(float), 0.5), rtol=1e-6)
    square = cuda_jit(lambda k: k * k + 1)
    n = np.arange(-3, 4)
    out = square(n)
    assert out.dtype == n.dtype and out.tolist() == [k * k + 1 for k in range(-3, 4)]


def test_while_loops_per_element():
    a = np.array([0.25, 2.0, 9.0, 30.0])
    np.testing.assert_allclose(cuda_jit(newton_sqrt)(a), np.sqrt(a), rtol=1e-12)
    np.testing.assert_allclose(cuda_jit(steps)(a), elementwise(steps, a), rtol=1e-14)


@pytest.mark.parametrize("f", [bent, steps])
def test_gradients_of_scalar_functions_per_element(f):
    x = np.array([0.3, 0.9, 1.7, 2.45])
    expected = central_difference(np.vectorize(f), x)
    np.testing.assert_allclose(cuda_jit(tp.grad(f))(x), expected, rtol=1e-6)
    np.testing.assert_allclose(cuda_jit(tp.vmap(tp.grad(f)))(x), expected, rtol=1e-6)
    assert cuda_jit(tp.grad(f))(0.9) == pytest.approx(tp.grad(f)(0.9), rel=1e-14)


def test_gradient_with_respect_to_a_second_argument_broadcast():
    x = np.array([-0.5, 0.2, 0.8])
    y = np.array([[0.1], [1.5]])
    dy = cuda_jit(tp.grad(mix, argnums=1))(x, y)
    expected = central_difference(lambda t: elementwise(mix, x, t), np.broadcast_to(y, (2, 3)))
    np.testing.assert_allclose(dy, expected, rtol=1e-6)


def numpy_of_scalars(x, y):
    return (np.maximum(x, y) + np.minimum(x, y) * np.sign(x) + np.where(x > y, x, y)
            + np.divide(x, y) + np.power(np.abs(x), y) + np.square(y))


def test_numpy_functions_of_scalars_keep_numpy_semantics():
    # nan propagates through maximum and minimum, division by zero gives inf or nan
    x = np.array([np.nan, 1.0, -2.0, 0.0, 3.0, -1.5, 0.0])
    y = np.array([1.0, np.nan, 0.0, 0.0, -1.0, 2.0, -2.0])
    with np.errstate(all="ignore"):
        expected = elementwise(numpy_of_scalars, x, y)
    np.testing.assert_allclose(cuda_jit(numpy_of_scalars)(x, y), expected, rtol=1e-14)


def repeated(x, n, mode):
    acc = x
    for _ in range(n):
        if mode == "square":
            acc = acc * acc
        else:
            acc = acc + x
    return acc


def test_static_arguments_are_constants_of_the_kernel():
    g = cuda_jit(repeated, static_argnames=("n", "mode"))
    x = np.array([0.5, 1.5, -2.0])
    np.testing.assert_allclose(g(x, 2, "square"), x ** 4, rtol=1e-14)
    np.testing.assert_allclose(g(x, n=3, mode="add"), 4 * x, rtol=1e-14)
    assert "range(3)" in tp.source(g, x, 3, "add")


# ------------------------------------------------------------ one thread per example

def dot(x, w):
    s = 0.0
    for j in range(x.shape[0]):
        s += x[j] * w[j]
    return s


def soft_hinge(x, w):
    s = 0.0
    for j in range(x.shape[0]):
        s += x[j] * w[j]
    return np.log1p(np.exp(-s))


@pytest.mark.parametrize("batch, width", [(5, 3), (1, 4), (3, 1)])
def test_a_per_example_loop_runs_one_thread_per_example(batch, width):
    X = np.random.randn(batch, width)
    w = np.random.randn(width)
    out = cuda_jit(tp.vmap(dot, in_axes=(0, None)))(X, w)
    assert out.shape == (batch,)
    np.testing.assert_allclose(out, X @ w, rtol=1e-13)


def test_per_example_gradients_are_rows_written_in_place():
    X = np.random.randn(6, 3)
    w = np.random.randn(3)
    dX = cuda_jit(tp.vmap(tp.grad(soft_hinge), in_axes=(0, None)))(X, w)
    dW = cuda_jit(tp.vmap(tp.grad(soft_hinge, argnums=1), in_axes=(0, None)))(X, w)
    np.testing.assert_allclose(dX, tp.vmap(tp.grad(soft_hinge), in_axes=(0, None))(X, w),
                               rtol=1e-13)
    for k in range(3):
        e = np.eye(3)[k] * 1e-6
        fd_x = (np.array([soft_hinge(x + e, w) for x in X])
                - np.array([soft_hinge(x - e, w) for x in X])) / 2e-6
        fd_w = (np.array([soft_hinge(x, w + e) for x in X])
                - np.array([soft_hinge(x, w - e) for x in X])) / 2e-6
        np.testing.assert_allclose(dX[:, k], fd_x, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(dW[:, k], fd_w, rtol=1e-6, atol=1e-9)


def test_in_axes_other_than_zero_and_float32_rows():
    X = np.random.randn(3, 5).astype(np.float32)          # examples along axis 1
    w = np.random.randn(3).astype(np.float32)
    out = cuda_jit(tp.vmap(dot, in_axes=(1, None)))(X, w)
    assert out.shape == (5,)
    np.testing.assert_allclose(out, X.T.astype(float) @ w, rtol=1e-5)


# ------------------------------------------------------------ device arrays

def test_device_arrays_in_give_a_device_array_out():
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    g = cuda_jit(bent)
    out = g(cuda.to_device(x))
    assert on_device(out) and tuple(out.shape) == (2, 3)
    np.testing.assert_allclose(out.copy_to_host(), elementwise(bent, x), rtol=1e-14)
    X, w = np.random.randn(4, 3), np.random.randn(3)
    per_example = cuda_jit(tp.vmap(tp.grad(dot, argnums=1), in_axes=(0, None)))
    rows = per_example(cuda.to_device(X), cuda.to_device(w))
    assert on_device(rows)
    np.testing.assert_allclose(rows.copy_to_host(), X, rtol=1e-14)
    mixed = per_example(cuda.to_device(X), w)              # a NumPy argument: NumPy back
    assert isinstance(mixed, np.ndarray)
    np.testing.assert_allclose(mixed, X, rtol=1e-14)


def test_a_device_array_is_not_broadcast_or_transposed_silently():
    with pytest.raises(ValueError, match="broadcast"):
        cuda_jit(mix)(cuda.to_device(np.ones((2, 1))), np.ones(3))
    with pytest.raises(ValueError, match="axis 0"):
        cuda_jit(tp.vmap(dot, in_axes=(1, None)))(cuda.to_device(np.ones((3, 2))), np.ones(3))


# ------------------------------------------------------------ source and refusals

def test_source_shows_the_kernel_and_the_device_function():
    text = tp.source(cuda_jit(tp.vmap(dot, in_axes=(0, None))), np.ones((2, 3)), np.ones(3))
    assert "def jit_dot_kernel(x, w, out):" in text
    assert "i = cuda.grid(1)" in text and "out[i] = jit_dot(x[i], w)" in text
    assert "def jit_dot(x, w):" in text
    text = tp.source(cuda_jit(tp.grad(bent)), np.ones(3))
    assert "math.cos(x)" in text and "np." not in text and "rt.as_gradient" not in text


def never_called(x):
    return x * x


def test_the_source_needs_the_arguments_types():
    # (after a call, tp.source without arguments shows the code that call used)
    with pytest.raises(tp.TranspileError, match="not known yet") as info:
        tp.source(cuda_jit(never_called))
    assert "%s:%d:" % (os.path.basename(__file__), line_of("def never_called(x):")) \
        in str(info.value)


def total(x):
    return np.sum(x * x)                                   # refused: an array function


def made_array(x):
    t = np.zeros(2)                                        # refused: allocates
    t[0] = x
    return t[0] * x


@pytest.mark.parametrize("fun, line_text, what", [
    (total, "return np.sum(x * x)", "np.sum"),
    (made_array, "t = np.zeros(2)", "an array made inside"),
])
def test_what_cannot_be_device_code_is_refused_at_its_line(fun, line_text, what):
    with pytest.raises(tp.TranspileError) as info:
        cuda_jit(fun)(np.ones(3))
    text = str(info.value)
    assert "%s:%d:" % (os.path.basename(__file__), line_of(line_text)) in text
    assert what in text and "CUDA device function" in text and "hint:" in text


def test_a_gradient_that_needs_a_tape_is_refused():
    # each Newton step's x is read by the reverse sweep: a list the device cannot keep
    with pytest.raises(tp.TranspileError, match="tape") as info:
        cuda_jit(tp.grad(newton_sqrt))(np.ones(3))
    assert "%s:%d:" % (os.path.basename(__file__), line_of("def newton_sqrt")) in str(info.value)


def test_out_axes_and_array_results_per_element_are_refused():
    with pytest.raises(tp.TranspileError, match="out_axes"):
        cuda_jit(tp.vmap(tp.grad(dot, argnums=1), in_axes=(0, None), out_axes=1))(
            np.ones((2, 3)), np.ones(3))
    with pytest.raises(tp.TranspileError, match="once per element"):
        cuda_jit(lambda x: np.array([x, 2.0 * x]))(np.ones(3))


def softplus(z):
    return math.log1p(math.exp(-abs(z))) + z * (z > 0)


def through_a_helper(x, y):
    return softplus(x * y) * x + np.sqrt(y * y + 1.0)


def test_user_functions_called_become_device_functions():
    x, y = np.linspace(-2.0, 2.0, 5), np.linspace(0.5, 1.5, 5)
    g = cuda_jit(tp.grad(through_a_helper))
    np.testing.assert_allclose(g(x, y), [tp.grad(through_a_helper)(a, b) for a, b in zip(x, y)],
                               rtol=1e-14)
    text = tp.source(g, x, y)
    assert "def softplus_fwd(z):" in text and "def softplus_bwd(saved, dplus):" in text
    np.testing.assert_allclose(cuda_jit(through_a_helper)(x, y),
                               elementwise(through_a_helper, x, y), rtol=1e-14)


def row_arithmetic(x, w):
    return np.log1p(np.exp(-(x * w)))[0]                   # refused: x * w is an array


def test_array_arithmetic_per_example_is_refused():
    with pytest.raises(tp.TranspileError, match="making an array") as info:
        cuda_jit(tp.vmap(row_arithmetic, in_axes=(0, None)))(np.ones((2, 3)), np.ones(3))
    assert "%s:%d:" % (os.path.basename(__file__), line_of("return np.log1p(np.exp(-(x * w)))")) \
        in str(info.value)


def logistic_loss(x, w):
    return math.log1p(math.exp(-dot(x, w)))


def test_a_per_example_function_calling_a_helper_and_its_refused_gradient():
    X, w = np.random.randn(5, 3), np.random.randn(3)
    np.testing.assert_allclose(cuda_jit(tp.vmap(logistic_loss, in_axes=(0, None)))(X, w),
                               np.log1p(np.exp(-(X @ w))), rtol=1e-13)
    # the gradient's row would come from dot's backward function, which allocates it
    with pytest.raises(tp.TranspileError, match="written in place|write into the output row"):
        cuda_jit(tp.vmap(tp.grad(logistic_loss), in_axes=(0, None)))(X, w)
