"""lower_methods: array methods and attributes become NumPy (or runtime) calls, so that
every operation is a call with a derivative rule; `.at[...]` updates become functional
runtime calls that leave the array as it was."""
import numpy as np

from .corelang import after_pass, assert_same_outputs, matrix, random_inputs, vector


def reductions(x):
    return x.sum(axis=0), x.mean(), x.max(axis=1), x.min(), x.prod(axis=0, keepdims=True)


def transpose_and_matmul(x, w):
    return x.T @ w


def reshape_with_several_arguments(x):
    return x.reshape(3, -1)


def reshape_with_a_tuple(x):
    return x.reshape((2, 6)).sum(axis=1)


def shape_ndim_size(x):
    n = x.shape[0]
    return n * 2.0 + x.ndim + x.size + x.shape[-1]


def at_set(x, i, v):
    y = x.at[i].set(v)
    return y, x


def at_set_by_hand(x, i, v):
    y = x.copy()
    y[i] = v
    return y, x


def at_updates(x):
    a = x.at[0].add(1.0)
    b = x.at[1:3].multiply(2.0)
    c = x.at[-1].divide(4.0)
    d = x.at[2].power(2)
    e = x.at[0].min(-5.0)
    f = x.at[1].max(5.0)
    g = x.at[3].get()
    return a, b, c, d, e, f, g, x


def at_updates_by_hand(x):
    def updated(index, fn):
        y = x.copy()
        y[index] = fn(y[index])
        return y
    return (updated(0, lambda v: v + 1.0), updated(slice(1, 3), lambda v: v * 2.0),
            updated(-1, lambda v: v / 4.0), updated(2, lambda v: v ** 2),
            updated(0, lambda v: min(v, -5.0)), updated(1, lambda v: max(v, 5.0)),
            x[3], x)


def at_on_an_expression(x, w):
    return (x * w).at[0].set(x[1])


def at_on_an_expression_by_hand(x, w):
    y = x * w
    y[0] = x[1]
    return y


def method_chain(x):
    return x.T.reshape(-1).sum()


def methods_on_an_expression(x, y):
    return (x + y).sum(axis=0).max()


def astype_and_copy(x):
    y = x.copy()
    return y.astype(np.float32), x.astype(int)


def test_methods_become_numpy_calls():
    text = after_pass(reductions, "lower_methods")
    assert "np.sum(x, axis=0)" in text
    assert "np.mean(x)" in text
    assert "np.max(x, axis=1)" in text
    assert "np.prod(x, axis=0, keepdims=True)" in text
    assert "x.sum(" not in text and "x.mean(" not in text
    assert_same_outputs(reductions, random_inputs(matrix(3, 4)))


def test_transpose_attribute():
    text = after_pass(transpose_and_matmul, "lower_methods")
    assert "np.transpose(x)" in text and ".T" not in text
    assert_same_outputs(transpose_and_matmul, random_inputs(matrix(4, 3), matrix(4, 2)))


def test_reshape_packs_its_arguments_into_a_shape():
    text = after_pass(reshape_with_several_arguments, "lower_methods")
    assert "np.reshape(x, (3, -1))" in text
    assert_same_outputs(reshape_with_several_arguments, random_inputs(matrix(2, 6)))
    assert_same_outputs(reshape_with_a_tuple, random_inputs(matrix(3, 4)))


def test_shape_ndim_and_size():
    text = after_pass(shape_ndim_size, "lower_methods")
    assert "np.shape(x)[0]" in text
    assert "np.ndim(x)" in text and "np.size(x)" in text
    assert_same_outputs(shape_ndim_size, random_inputs(matrix(3, 5)))


def test_at_set_is_functional():
    text = after_pass(at_set, "lower_methods")
    assert "rt.at_set(x, i, v)" in text
    assert_same_outputs(at_set, [(np.arange(4.0), 1, 9.0), (np.arange(4.0), -1, -2.0)],
                        reference=at_set_by_hand)


def test_at_updates():
    text = after_pass(at_updates, "lower_methods")
    for op in ("add", "multiply", "divide", "power", "min", "max"):
        assert "rt.at_%s(" % op in text
    assert "x[3]" in text
    assert_same_outputs(at_updates, random_inputs(vector(5)), reference=at_updates_by_hand)


def test_at_on_an_expression():
    assert_same_outputs(at_on_an_expression, random_inputs(vector(3), vector(3)),
                        reference=at_on_an_expression_by_hand)


def test_method_and_attribute_chains():
    assert_same_outputs(method_chain, random_inputs(matrix(2, 3)))
    assert_same_outputs(methods_on_an_expression, random_inputs(matrix(3, 2), matrix(3, 2)))


def test_astype_and_copy():
    assert_same_outputs(astype_and_copy, random_inputs(vector(3)))
