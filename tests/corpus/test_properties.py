"""Property tests: random shapes and broadcast-compatible shape pairs for elementwise
and broadcasting binary operations, reductions over random axes with and without
keepdims, and matmul of random compatible shapes, all against finite differences."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from helpers.check_grads import check_grads

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None)
seeds = st.integers(0, 2 ** 32 - 1)


def values(seed, shape, positive=False):
    rng = np.random.default_rng(seed)
    if positive:
        return rng.uniform(0.5, 2.0, size=shape)
    return rng.standard_normal(shape)


# ------------------------------------------------------------ elementwise, unary

def sin_times_square(x):
    return np.sum(np.sin(x) * x ** 2)


def tanh_and_exp(x):
    return np.sum(np.tanh(x) + np.exp(-x * x))


def softplus_sum(x):
    return np.sum(np.logaddexp(0.0, x) * np.cos(x))


def rational(x):
    return np.sum(x / (1.0 + x * x))


UNARY = [sin_times_square, tanh_and_exp, softplus_sum, rational]


@SETTINGS
@given(fn=st.sampled_from(UNARY), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
       seed=seeds)
def test_elementwise_unary_any_shape(fn, shape, seed):
    check_grads(fn, (values(seed, shape),))


# ------------------------------------------------------------ broadcasting, binary

def add_then_square(x, y):
    return np.sum((x + y) ** 2)


def multiply_and_subtract(x, y):
    return np.sum(x * y - np.sin(y - x))


def divide_positive(x, y):
    return np.sum(x / y + y / x)


def maximum_and_power(x, y):
    return np.sum(np.maximum(x, y) ** 2 + x ** y)


def arctan2_hypot(x, y):
    return np.sum(np.arctan2(x, y) + np.hypot(x, y))


BINARY = [add_then_square, multiply_and_subtract, divide_positive, maximum_and_power,
          arctan2_hypot]


@SETTINGS
@given(fn=st.sampled_from(BINARY),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=3),
       seed=seeds)
def test_broadcasting_binary(fn, shapes, seed):
    shape_x, shape_y = shapes.input_shapes
    x = values(seed, shape_x, positive=True)
    y = values(seed + 1, shape_y, positive=True)
    check_grads(fn, (x, y), argnums=(0, 1))


# ------------------------------------------------------------ reductions

def sum_reduce(x, axis=None, keepdims=False):
    return np.sum(np.sum(x, axis=axis, keepdims=keepdims) ** 2)


def mean_reduce(x, axis=None, keepdims=False):
    return np.sum(np.sin(np.mean(x, axis=axis, keepdims=keepdims)))


def prod_reduce(x, axis=None, keepdims=False):
    return np.sum(np.prod(x, axis=axis, keepdims=keepdims) * 0.5)


def max_reduce(x, axis=None, keepdims=False):
    return np.sum(np.max(x, axis=axis, keepdims=keepdims) ** 3)


def min_reduce(x, axis=None, keepdims=False):
    return np.sum(np.exp(np.min(x, axis=axis, keepdims=keepdims)))


REDUCTIONS = [sum_reduce, mean_reduce, prod_reduce, max_reduce, min_reduce]


@st.composite
def shapes_and_axes(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    ndim = len(shape)
    axis = draw(st.one_of(
        st.none(),
        st.integers(-ndim, ndim - 1),
        hnp.valid_tuple_axes(ndim, min_size=1)))
    return shape, axis


@SETTINGS
@given(fn=st.sampled_from(REDUCTIONS), shape_axis=shapes_and_axes(), keepdims=st.booleans(),
       seed=seeds)
def test_reductions_random_axes(fn, shape_axis, keepdims, seed):
    shape, axis = shape_axis
    check_grads(fn, (values(seed, shape),), kwargs={"axis": axis, "keepdims": keepdims})


# ------------------------------------------------------------ matmul

def matmul_loss(a, b):
    return np.sum(np.tanh(a @ b))


@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    left = draw(st.sampled_from([(k,), (n, k), (2, n, k)]))
    right = draw(st.sampled_from([(k,), (k, m), (2, k, m)]))
    if len(left) == 3 and len(right) == 3:
        batch = draw(st.sampled_from([(2,), (1,)]))
        right = batch + right[1:]
    return left, right


@SETTINGS
@given(shapes=matmul_shapes(), seed=seeds)
def test_matmul_compatible_shapes(shapes, seed):
    left, right = shapes
    check_grads(matmul_loss, (values(seed, left), values(seed + 1, right)), argnums=(0, 1))
