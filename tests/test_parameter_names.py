"""Parameters named like what generated code uses (``np``, ``rt``, ``math``).

The compiler renames them inside the body (generated code calls ``np.cos``), but the
generated functions keep the user's parameter names, so that keyword calls work, and
the gradient with respect to them is the gradient, not a silent zero.
"""
import builtins

import gast
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads
from transpiler.ir.core import GENERATED_BUILTINS
from transpiler.rules.registry import all_rules


def scale_named_np(np, x):
    return (np * x) ** 2


def sine_named_rt(rt, x):
    return np.sum(np.sin(rt) * x)


def keyword_only_math(x, *, math=2.0):
    return np.sum(np.exp(x) * math)


def default_named_np(x, np=3.0):
    return x * np ** 3


def arrays_named_np_and_rt(np, rt):
    return (np * rt).sum() + (rt ** 2).sum()


def _helper_named_np(x, np):
    return x * np ** 2


def calls_helper_by_keyword(x, y):
    return _helper_named_np(np=y, x=x) + _helper_named_np(y, x)


def _helper_named_math(math):
    return np.tanh(math) * 2.0


def calls_helper_named_math(x):
    return _helper_named_math(math=x * 3.0)


def loop_with_parameters_named_range_and_len(x, range, len):
    total = 0.0
    for v in x:                      # lowered to a loop over range(len(...))
        total = total + v * range * len
    return total


def indexing_with_parameters_named_slice_and_min(x, slice, min):
    parts = []
    for v in x[1:]:
        parts.append(v * slice)
    for a, b in zip(x, x[::-1]):     # zip's length is a min(...)
        parts.append(a * b * min)
    return np.sum(np.stack(parts))


def power_with_parameters_named_int_and_isinstance(int, isinstance):
    return int ** 2 * isinstance


def renamed_next_to_its_rename(rt, rt_, np_):
    np = rt * 2.0
    return np * rt_ + np_ ** 2


ARRAY = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("fn, args, argnums", [
    (scale_named_np, (2.0, 3.0), (0, 1)),
    (sine_named_rt, (ARRAY, ARRAY * 2.0), (0, 1)),
    (keyword_only_math, (ARRAY,), 0),
    (default_named_np, (1.5,), 0),
    (default_named_np, (1.5, -0.7), (0, 1)),
    (arrays_named_np_and_rt, (ARRAY, ARRAY + 1.0), (0, 1)),
    (calls_helper_by_keyword, (2.0, 3.0), (0, 1)),
    (calls_helper_named_math, (0.3,), 0),
    (loop_with_parameters_named_range_and_len, (ARRAY, 2.0, -1.5), (0, 1, 2)),
    (indexing_with_parameters_named_slice_and_min, (ARRAY, 2.0, -1.5), (0, 1, 2)),
    (power_with_parameters_named_int_and_isinstance, (1.5, -2.0), (0, 1)),
    (renamed_next_to_its_rename, (1.5, -2.0, 0.5), (0, 1, 2)),
])
def test_gradient_with_respect_to_parameters_named_like_modules(fn, args, argnums):
    check_grads(fn, args, argnums=argnums)


def test_analytic_values():
    assert tp.grad(scale_named_np, argnums=(0, 1))(2.0, 3.0) == pytest.approx((36.0, 24.0))
    assert tp.grad(default_named_np, argnums=1)(2.0, 0.5) == pytest.approx(1.5)
    assert tp.grad(calls_helper_by_keyword, argnums=(0, 1))(2.0, 3.0) == pytest.approx(
        (9.0 + 12.0, 12.0 + 4.0))


@pytest.mark.parametrize("kind", ["grad", "value_and_grad"])
def test_parameters_named_like_modules_passed_by_keyword(kind):
    transform = getattr(tp, kind)
    derived = transform(scale_named_np, argnums=(0, 1))
    positional = derived(2.0, 3.0)
    for call in (derived, derived.call_generic, derived.specialised(np=2.0, x=3.0)):
        by_keyword = call(np=2.0, x=3.0)
        np.testing.assert_allclose(np.hstack(by_keyword), np.hstack(positional))
        reordered = call(x=3.0, np=2.0)
        np.testing.assert_allclose(np.hstack(reordered), np.hstack(positional))
    g_rt = transform(arrays_named_np_and_rt, argnums=1)
    np.testing.assert_allclose(np.hstack(g_rt(rt=ARRAY + 1.0, np=ARRAY)),
                               np.hstack(g_rt(ARRAY, ARRAY + 1.0)))


def test_keyword_only_and_default_parameters_named_like_modules():
    derived = tp.grad(keyword_only_math)
    np.testing.assert_allclose(derived(ARRAY, math=5.0), 5.0 * np.exp(ARRAY))
    np.testing.assert_allclose(derived(ARRAY), 2.0 * np.exp(ARRAY))
    g_default = tp.grad(default_named_np, argnums=(0, 1))
    assert g_default(1.5) == pytest.approx((27.0, 3 * 1.5 * 9.0))
    assert g_default(1.5, np=2.0) == pytest.approx((8.0, 3 * 1.5 * 4.0))
    assert g_default(x=1.5, np=2.0) == pytest.approx((8.0, 3 * 1.5 * 4.0))


def test_vjp_with_respect_to_parameters_named_like_modules():
    out, pull = tp.vjp(scale_named_np, 2.0, 3.0)
    assert out == pytest.approx(36.0)
    assert pull(1.0) == pytest.approx((36.0, 24.0))
    out, pull = tp.vjp(sine_named_rt, ARRAY, ARRAY * 2.0)
    d_rt, d_x = pull(2.0)
    np.testing.assert_allclose(d_rt, 2.0 * np.cos(ARRAY) * ARRAY * 2.0)
    np.testing.assert_allclose(d_x, 2.0 * np.sin(ARRAY))


def test_generated_signature_keeps_the_users_names():
    source = tp.source(tp.grad(sine_named_rt, argnums=(0, 1)), ARRAY, ARRAY)
    assert "def grad_sine_named_rt(rt, x):" in source
    assert "np.cos(rt)" in source
    source = tp.source(tp.grad(calls_helper_by_keyword), 2.0, 3.0)
    assert "(x, np):" in source


def adds_into_np(np, x):
    np += x
    return (np * x).sum()


def test_in_place_update_of_a_parameter_named_np_is_still_caught():
    with pytest.raises(tp.TranspileError, match="updates the argument `np` in place"):
        tp.grad(adds_into_np)(np.ones(2), np.ones(2))
    assert tp.grad(adds_into_np)(1.0, 2.0) == pytest.approx(2.0)


def test_builtins_named_by_keyword():
    derived = tp.grad(loop_with_parameters_named_range_and_len, argnums=(1, 2))
    expected = (np.sum(ARRAY) * -1.5, np.sum(ARRAY) * 2.0)
    assert derived(ARRAY, 2.0, -1.5) == pytest.approx(expected)
    assert derived(ARRAY, len=-1.5, range=2.0) == pytest.approx(expected)
    assert derived.call_generic(x=ARRAY, len=-1.5, range=2.0) == pytest.approx(expected)


def test_rule_templates_call_only_builtins_that_user_names_cannot_shadow():
    for rule in all_rules():
        if rule.template is None:
            continue
        params = set(rule.template.params) | set(rule.template.kwonly)
        called = {node.id for node in gast.walk(rule.template.node)
                  if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)
                  and hasattr(builtins, node.id) and node.id not in params}
        assert called <= set(GENERATED_BUILTINS), (rule.name, called)


def test_a_rename_does_not_take_another_parameters_name():
    derived = tp.grad(renamed_next_to_its_rename, argnums=(0, 1, 2))
    expected = (2.0 * -2.0, 2.0 * 1.5, 2.0 * 0.5)
    assert derived(1.5, -2.0, 0.5) == pytest.approx(expected)
    assert derived(rt_=-2.0, np_=0.5, rt=1.5) == pytest.approx(expected)


# A helper's local named like a value the caller reads from outside (a global, a
# closure value): both live in one generated module, where the helper's saved value must
# not be mistaken for the module's binding (the backward function read the global).
W = np.array([1.0, 2.0, 3.0])


def _helper_with_a_parameter_named_like_a_global(W):
    return np.sum(np.sin(W) * W)


def reads_a_global_its_helper_names_as_a_parameter(x):
    return _helper_with_a_parameter_named_like_a_global(x * W) + np.sum(W * x)


def _helper_with_a_local_named_like_a_closure_value(x):
    v = x * 2.0
    return np.sum(v ** 3)


def test_a_helper_local_named_like_a_module_binding():
    x = np.array([0.3, -0.2, 0.5])
    u = x * W
    expected = W * (np.cos(u) * u + np.sin(u)) + W
    np.testing.assert_allclose(tp.grad(reads_a_global_its_helper_names_as_a_parameter)(x),
                               expected)
    check_grads(reads_a_global_its_helper_names_as_a_parameter, (x,))
    v = np.array([1.5, -0.5, 2.0])

    def caller(x):
        return _helper_with_a_local_named_like_a_closure_value(x) * np.sum(v * x)
    check_grads(caller, (x,))


def names_whose_adjoint_would_be_a_keyword(x, ef):
    el = x * 2.0
    el = el * el
    total = 0.0
    for el_row in [el, x]:
        total = total + np.sum(el_row * ef)
    return total


def test_adjoint_names_are_never_keywords():
    """The adjoint of `el` is not `del`, nor that of `ef` `def` (a SyntaxError)."""
    x, ef = np.array([0.3, -0.2, 0.5]), 1.5
    source = tp.source(tp.grad(names_whose_adjoint_would_be_a_keyword, argnums=(0, 1)), x, ef)
    assert "d_el" in source and "d_ef" in source
    check_grads(names_whose_adjoint_would_be_a_keyword, (x, ef), argnums=(0, 1))
    np.testing.assert_allclose(
        tp.grad(names_whose_adjoint_would_be_a_keyword)(x, ef), (8 * x + 1) * ef)
