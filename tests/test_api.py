"""The public API: transforms, argnums, has_aux, pytrees, keyword arguments, caching."""
import collections

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads

Params = collections.namedtuple("Params", ["w", "b"])


def loss(params, x, y):
    prediction = np.tanh(x @ params["w"] + params["b"])
    return np.mean((prediction - y) ** 2)


def sse(x, y):
    return np.sum((x - y) ** 2)


def scaled(x, scale=2.0, power=2):
    return scale * np.sum(x ** power)


def with_aux(x):
    value = np.sum(np.sin(x))
    return value, {"size": x.size, "mean": np.mean(x)}


def nested(tree):
    a, (b, c) = tree["pair"], tree["rest"]
    return np.sum(a * b) + c * np.sum(tree["pair"])


def namedtuple_loss(p, x):
    return np.sum((p.w * x + p.b) ** 2)


def list_loss(ws, x):
    total = 0.0
    for w in ws:
        total = total + np.sum(w * x)
    return total


def ignores_second(x, y):
    return np.sum(x ** 3)


def test_grad_of_sum_of_squares():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tp.grad(lambda v: np.sum(v ** 2))(x), 2 * x)


@pytest.mark.parametrize("argnums", [0, 1, -1, -2, (0, 1), [1, 0], (1,)])
def test_argnums_forms(argnums):
    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    grads = tp.grad(sse, argnums=argnums)(x, y)
    expected = {0: 2 * (x - y), 1: -2 * (x - y)}
    if isinstance(argnums, int):
        np.testing.assert_allclose(grads, expected[argnums % 2])
    else:
        assert isinstance(grads, tuple) and len(grads) == len(argnums)
        for g, k in zip(grads, argnums):
            np.testing.assert_allclose(g, expected[k % 2])


def test_bad_argnums():
    with pytest.raises(ValueError):
        tp.grad(sse, argnums=2)
    with pytest.raises(TypeError):
        tp.grad(sse, argnums=1.5)


def test_dict_params_gradient_has_the_dict_structure():
    rng = np.random.default_rng(1)
    params = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    grads = check_grads(loss, (params, x, y))
    assert set(grads) == {"w", "b"}
    assert grads["w"].shape == (3, 2) and grads["b"].shape == (2,)


def test_nested_pytree_and_namedtuple_and_list():
    tree = {"pair": np.array([1.0, 2.0]), "rest": (np.array([3.0, -1.0]), 0.5)}
    grads = check_grads(nested, (tree,))
    assert isinstance(grads["rest"], tuple) and isinstance(grads["rest"][1], np.float64)
    p = Params(w=np.array([1.0, -2.0]), b=0.3)
    g = check_grads(namedtuple_loss, (p, np.array([0.5, 2.0])))
    assert isinstance(g, Params)
    ws = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]
    g = check_grads(list_loss, (ws, np.array([0.5, -0.5])))
    assert isinstance(g, list) and len(g) == 2


def test_none_leaves_stay_none():
    def f(tree):
        return np.sum(tree["x"] ** 2)
    g = tp.grad(f)({"x": np.array([1.0, 2.0]), "nothing": None})
    assert g["nothing"] is None
    np.testing.assert_allclose(g["x"], [2.0, 4.0])


def test_keyword_arguments_pass_through():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(tp.grad(scaled)(x, scale=3.0), 6 * x)
    np.testing.assert_allclose(tp.grad(scaled)(x, power=3), 6 * x ** 2)
    value, grad = tp.value_and_grad(scaled)(x, scale=0.5)
    assert value == pytest.approx(0.5 * 5.0)


def test_has_aux_and_value_and_grad_forms():
    x = np.array([0.1, 0.2, 0.3])
    grad, aux = tp.grad(with_aux, has_aux=True)(x)
    np.testing.assert_allclose(grad, np.cos(x))
    assert aux["size"] == 3
    (value, aux2), grad2 = tp.value_and_grad(with_aux, has_aux=True)(x)
    assert value == pytest.approx(np.sum(np.sin(x)))
    np.testing.assert_allclose(grad2, grad)
    assert aux2["mean"] == pytest.approx(0.2)
    value, grad3 = tp.value_and_grad(lambda v: np.sum(v ** 2))(x)
    assert isinstance(value, np.float64)


def test_scalar_results_are_numpy_scalars_and_dtypes_follow_inputs():
    g = tp.grad(lambda v: v ** 3)(2.0)
    assert isinstance(g, np.float64) and g == 12.0
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    assert tp.grad(lambda v: np.sum(v * v))(x32).dtype == np.float32


def test_unused_argument_gets_zero_gradient():
    x, y = np.array([1.0, 2.0]), np.array([3.0])
    gx, gy = tp.grad(ignores_second, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, 3 * x ** 2)
    np.testing.assert_array_equal(gy, [0.0])


def test_inputs_are_never_mutated():
    params = {"w": np.ones((3, 2)), "b": np.zeros(2)}
    x, y = np.ones((4, 3)), np.zeros((4, 2))
    copies = [params["w"].copy(), params["b"].copy(), x.copy(), y.copy()]
    grads = tp.grad(loss)(params, x, y)
    grads["w"][...] = 123.0                     # gradients are independent arrays
    for before, after in zip(copies, [params["w"], params["b"], x, y]):
        np.testing.assert_array_equal(before, after)


def test_gradients_of_several_arguments_do_not_share_memory():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    gx, gy = tp.grad(lambda a, b: np.sum(a + b), argnums=(0, 1))(x, y)
    gx[0] = 99.0
    assert gy[0] == 1.0


def test_transforms_are_cached():
    tp.clear_caches()
    tp.grad(sse)
    before = tp.cache_info()
    tp.grad(sse)
    after = tp.cache_info()
    assert after["hits"] == before["hits"] + 1


def test_lambda_made_afresh_in_a_loop_reuses_the_cache():
    tp.clear_caches()
    results = []
    for k in range(3):
        results.append(tp.grad(lambda v: np.sum(sse(v, v * 0.5)))(np.array([1.0, 2.0])))
    info = tp.cache_info()
    assert info["hits"] >= 2
    for r in results:
        np.testing.assert_allclose(r, results[0])


SCALE = 2.0


def uses_global(x):
    return SCALE * np.sum(x)


def test_cache_notices_rebound_globals():
    global SCALE
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(tp.grad(uses_global)(x), [2.0, 2.0])
    SCALE = 5.0
    try:
        np.testing.assert_allclose(tp.grad(uses_global)(x), [5.0, 5.0])
    finally:
        SCALE = 2.0


def test_source_is_deterministic_and_specialised_on_request():
    tp.clear_caches()
    first = tp.source(tp.grad(loss))
    tp.clear_caches()
    second = tp.source(tp.grad(loss))
    assert first == second
    assert first.startswith("def grad_loss(params, x, y):")
    x = np.array([1.0, 2.0])
    specialised = tp.source(tp.grad(sse), x, x)
    assert "def grad_sse(x, y):" in specialised
    assert "rt.seed" not in specialised          # a scalar output is known to be scalar


def test_specialised_function_is_shippable():
    x, y = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    f = tp.grad(sse).specialised(x, y)
    np.testing.assert_allclose(f(x, y), 2 * (x - y))


def test_generated_functions_have_source_for_tracebacks():
    import inspect
    f = tp.grad(sse).specialised(np.ones(2), np.ones(2))
    assert "def grad_sse" in inspect.getsource(f)


def test_many_shapes_fall_back_to_generic_code():
    g = tp.grad(lambda v: np.sum(np.sin(v)))
    for n in range(1, 12):
        x = np.linspace(0.0, 1.0, n)
        np.testing.assert_allclose(g(x), np.cos(x))


@tp.custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(residuals, g):
    return (np.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def through_custom(x):
    return np.sum(clip_gradient(x) * 10.0)


@tp.custom_vjp
def softplus(x):
    return np.log1p(np.exp(x))


def _softplus_fwd(x):
    return np.log1p(np.exp(x)), x


def _softplus_bwd(x, g):
    return (g / (1.0 + np.exp(-x)),)


softplus.defvjp(_softplus_fwd, _softplus_bwd)


def test_custom_vjp_rules_are_used():
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(tp.grad(through_custom)(x), [1.0, 1.0])
    np.testing.assert_allclose(tp.grad(clip_gradient)(3.0), 1.0)
    check_grads(lambda v: np.sum(softplus(v) * v), (np.array([0.3, -1.2, 2.0]),))


def test_integer_argument_is_refused_with_its_dtype():
    with pytest.raises(TypeError, match="argument `n`.*int"):
        tp.grad(lambda x, n: x * n, argnums=1)(2.0, 3)


def test_non_scalar_output_is_refused_with_its_shape():
    with pytest.raises(TypeError, match=r"\(2,\)"):
        tp.grad(lambda v: v * 2.0)(np.ones(2))
    with pytest.raises(TypeError, match=r"\(1,\)"):
        tp.grad(lambda v: v * 2.0)(np.ones(1))


def test_version_and_exports():
    assert isinstance(tp.__version__, str) and tp.__version__.count(".") == 2
    for name in ("grad", "value_and_grad", "source", "custom_vjp", "tree_util",
                 "TranspileError", "clear_caches"):
        assert hasattr(tp, name)
