"""How the transforms are called: argnums as int, negative int, tuple and list;
has_aux (gradients and aux); value_and_grad (the value is f(*args)); keyword
arguments passed through; integer arguments used as loop counts; inputs never
mutated; the same transform called twice gives equal results."""
import copy

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads, tree_leaves
from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=121)


def three_inputs(x, y, z):
    return np.sum(x * y ** 2) + np.sum(np.sin(z) * x)


def scaled_power(x, scale=2.0, power=2):
    return scale * np.sum(x ** power)


def with_keyword_only(x, *, shift, gain=1.0):
    return gain * np.sum((x - shift) ** 2)


def keyword_selects_branch(x, mode="square"):
    if mode == "square":
        return np.sum(x ** 2)
    return np.sum(np.abs(x) ** 3)


def repeated_map(x, n):
    for _ in range(n):
        x = np.cos(x) + 0.5 * x
    return np.sum(x)


def integer_count_and_stride(x, count, stride):
    s = 0.0
    for i in range(0, count * stride, stride):
        s = s + x[i] ** 2 * i
    return s


def loss_with_aux(w, X, y):
    pred = X @ w
    loss = np.mean((pred - y) ** 2)
    return loss, {"pred": pred, "residual_norm": np.linalg.norm(pred - y)}


def loss_with_scalar_aux(x):
    s = np.sum(np.exp(x))
    return np.log(s), s


def loss_with_tuple_aux(x, y):
    d = x - y
    return np.sum(d ** 2), (d, np.max(d))


def tree_loss(params, x):
    return np.sum(np.tanh(x @ params["w"] + params["b"]) ** 2)


X, Y, Z = normal(3), normal(3), normal(3)

CASES = [
    *cases(three_inputs, (X, Y, Z), argnums=0),
    *cases(three_inputs, (X, Y, Z), argnums=-1),
    *cases(three_inputs, (X, Y, Z), argnums=-2),
    *cases(three_inputs, (X, Y, Z), argnums=(0, 2)),
    *cases(three_inputs, (X, Y, Z), argnums=(2, 0, 1)),
    *cases(three_inputs, (X, Y, Z), argnums=[1]),
    *cases(scaled_power, (X,), kwargs={"scale": 3.0}),
    *cases(scaled_power, (X,), kwargs={"power": 3}),
    *cases(scaled_power, (X, 0.5, 4)),
    *cases(with_keyword_only, (X,), kwargs={"shift": Y}),
    *cases(with_keyword_only, (X,), kwargs={"shift": 1.0, "gain": 0.2}),
    *cases(keyword_selects_branch, (X,), kwargs={"mode": "cube"}),
    *cases(keyword_selects_branch, (X,)),
    *cases(repeated_map, (X, 0), (X, 3), (normal(2, 2), 5)),
    *cases(integer_count_and_stride, (normal(7), 3, 2), (normal(7), 2, 3)),
    *cases(loss_with_aux, (normal(3), normal(5, 3), normal(5)), has_aux=True),
    *cases(loss_with_scalar_aux, (normal(4),), has_aux=True),
    *cases(loss_with_tuple_aux, (X, Y), argnums=(0, 1), has_aux=True),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)


def assert_tree_close(actual, expected):
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(actual) == sorted(expected)
        for k in expected:
            assert_tree_close(actual[k], expected[k])
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_tree_close(a, e)
    else:
        assert np.shape(actual) == np.shape(expected)
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-14)


def test_keyword_argument_passed_through_grad():
    g = tp.grad(scaled_power)(X, scale=2.0)
    np.testing.assert_allclose(g, 4.0 * X)
    g = tp.grad(scaled_power)(X, power=3, scale=0.5)
    np.testing.assert_allclose(g, 1.5 * X ** 2)


@pytest.mark.parametrize("fn, args, argnums", [
    (loss_with_aux, (normal(3), normal(5, 3), normal(5)), 0),
    (loss_with_scalar_aux, (normal(4),), 0),
    (loss_with_tuple_aux, (X, Y), (0, 1)),
])
def test_has_aux_returns_the_aux_value(fn, args, argnums):
    grads, aux = tp.grad(fn, argnums=argnums, has_aux=True)(*args)
    assert_tree_close(aux, fn(*args)[1])
    (value, aux2), grads2 = tp.value_and_grad(fn, argnums=argnums, has_aux=True)(*args)
    np.testing.assert_allclose(value, fn(*args)[0], rtol=1e-12)
    assert_tree_close(aux2, fn(*args)[1])
    assert_tree_close(grads2, grads)


@pytest.mark.parametrize("fn, args, kwargs, argnums", [
    (three_inputs, (X, Y, Z), {}, (0, 1)),
    (scaled_power, (X,), {"scale": 3.0, "power": 3}, 0),
    (repeated_map, (X, 4), {}, 0),
    (tree_loss, ({"w": normal(3, 2), "b": normal(2)}, normal(4, 3)), {}, 0),
    (with_keyword_only, (X,), {"shift": Y}, 0),
])
def test_value_and_grad_value_is_f(fn, args, kwargs, argnums):
    value, grads = tp.value_and_grad(fn, argnums=argnums)(*args, **kwargs)
    expected = fn(*args, **kwargs)
    assert np.ndim(value) == 0
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    assert_tree_close(grads, tp.grad(fn, argnums=argnums)(*args, **kwargs))
    check_grads(fn, args, argnums=argnums, kwargs=kwargs)


def test_integer_argument_is_not_differentiated():
    g = tp.grad(repeated_map)(X, 3)
    assert np.shape(g) == X.shape
    with pytest.raises(TypeError, match="`n`.*int"):
        tp.grad(repeated_map, argnums=1)(X, 3)


def array_in_array_out_chain(x, y):
    z = x * 2.0
    z = z + y
    buffer = np.zeros(len(x))
    for i in range(len(x)):
        buffer[i] = z[i] * x[i]
    return np.sum(buffer) + np.sum(y ** 2)


def tree_consumer(params, x):
    total = 0.0
    for layer in params["layers"]:
        x = np.tanh(layer[0] @ x + layer[1])
    total = total + np.sum(x ** 2) + params["scale"] * np.sum(x)
    return total


MUTATION_CASES = [
    (array_in_array_out_chain, (normal(4), normal(4)), (0, 1)),
    (tree_consumer, ({"layers": [(normal(3, 3), normal(3)), (normal(2, 3), normal(2))],
                      "scale": 0.3}, normal(3)), (0, 1)),
    (repeated_map, (normal(3), 2), 0),
    (loss_with_aux, (normal(3), normal(5, 3), normal(5)), 0),
]


@pytest.mark.parametrize("fn, args, argnums", MUTATION_CASES,
                         ids=[c[0].__name__ for c in MUTATION_CASES])
def test_inputs_are_never_mutated(fn, args, argnums):
    before = copy.deepcopy(args)
    has_aux = fn is loss_with_aux
    tp.grad(fn, argnums=argnums, has_aux=has_aux)(*args)
    tp.value_and_grad(fn, argnums=argnums, has_aux=has_aux)(*args)
    tp.grad(fn, argnums=argnums, has_aux=has_aux).call_generic(*args)
    for a, b in zip(tree_leaves(args), tree_leaves(before)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("fn, args, argnums", MUTATION_CASES,
                         ids=[c[0].__name__ for c in MUTATION_CASES])
def test_calling_twice_gives_equal_results(fn, args, argnums):
    has_aux = fn is loss_with_aux
    g = tp.grad(fn, argnums=argnums, has_aux=has_aux)
    first = g(*args)
    second = g(*args)
    third = tp.grad(fn, argnums=argnums, has_aux=has_aux)(*args)
    for a, b, c in zip(tree_leaves(first), tree_leaves(second), tree_leaves(third)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_returned_gradients_are_not_shared_between_calls():
    # a caller modifying one result must not change the next one
    g = tp.grad(array_in_array_out_chain, argnums=(0, 1))
    args = (normal(4), normal(4))
    first = g(*args)
    expected = copy.deepcopy(first)
    first[0][...] = 1e9
    first[1][...] = -1e9
    second = g(*args)
    for a, b in zip(second, expected):
        np.testing.assert_array_equal(a, b)


def sine_weighted(x):
    return np.sum(np.sin(x) * x)


def test_many_shapes_fall_back_to_the_generic_code():
    # past the specialisation limit the generic code runs: results must not change
    g = tp.grad(sine_weighted)
    rng = np.random.default_rng(5)
    shapes = [(n,) for n in range(1, 12)] + [(2, 2), (1, 1, 2), ()]
    for shape in shapes:
        x = rng.standard_normal(shape)
        np.testing.assert_allclose(g(x), np.cos(x) * x + np.sin(x), rtol=1e-12)


def optional_second(x, y=None, *, w):
    if y is None:
        return np.sum(x * w)
    return np.sum(x * y * w)


def test_optional_positional_and_keyword_only():
    x, y, w = normal(3), normal(3), normal(3)
    np.testing.assert_allclose(tp.grad(optional_second)(x, w=w), w)
    np.testing.assert_allclose(tp.grad(optional_second)(x, y, w=w), y * w)
    np.testing.assert_allclose(tp.grad(optional_second, argnums=1)(x, y, w=w), x * w)
    check_grads(optional_second, (x, y), argnums=(0, 1), kwargs={"w": w})


def loss_with_mixed_aux(x):
    return np.sum(x ** 2), {"n": len(x), "tag": "squares", "nothing": None, "x": x * 2.0}


def test_aux_may_hold_non_arrays():
    x = normal(3)
    g, aux = tp.grad(loss_with_mixed_aux, has_aux=True)(x)
    np.testing.assert_allclose(g, 2.0 * x)
    assert aux["n"] == 3 and aux["tag"] == "squares" and aux["nothing"] is None
    np.testing.assert_allclose(aux["x"], 2.0 * x)


def test_scalar_results_and_dtypes():
    value, grad = tp.value_and_grad(scaled_power)(1.5)
    assert isinstance(value, np.float64) and value == pytest.approx(4.5)
    assert grad == pytest.approx(6.0)
    x32 = normal(3).astype(np.float32)
    assert tp.grad(sine_weighted)(x32).dtype == np.float32
