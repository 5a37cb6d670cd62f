"""jit: static specialisation (static arguments made constants, the code that depends only
on them run at compile time), the API forms, composition with the other transforms, the
cache that serves ``jit(lambda)``/``jit(partial)`` made afresh, and the backends.

Numbers are checked against the plain function (and, for derivatives, against the
un-jitted transform, itself checked against finite differences elsewhere).
"""
import functools
import math
import os
import sys
import warnings

import numpy as np
import pytest

import transpiler as tp
from transpiler.backends.nopython import NopythonWarning

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "samples"))
import jit_tutorial as seed  # noqa: E402


def python_jit(fun=None, **options):
    return tp.jit(fun, backend="python", **options)


# ------------------------------------------------------------ static specialisation

def test_the_seed_counter_folds_to_its_result():
    g = python_jit(seed.g, static_argnames="n")
    assert g(10.0, 20) == 30.0
    assert tp.source(g, 10.0, 20) == "def jit_g(x, n):\n    return x + 20\n"
    assert g(1.5, 3) == 4.5                              # a new static value: new code
    assert "return x + 3" in tp.source(g, 1.5, 3)


def test_static_argnums_and_argnames_name_the_same_parameter():
    for options in ({"static_argnums": 1}, {"static_argnums": (1,)}, {"static_argnums": -1},
                    {"static_argnames": "n"}, {"static_argnames": ["n"]}):
        g = python_jit(seed.g, **options)
        assert g(2.0, 5) == 7.0
        assert g(2.0, n=6) == 8.0
        assert "return x + 6" in tp.source(g, 2.0, n=6)


def branchy(x, n, mode):
    acc = x
    for k in range(n):
        if mode == "square":
            acc = acc * acc
        elif k % 2 == 0:
            acc = acc + 1.0
    total = 0
    for k in range(n):
        total += k * k
    return acc + total


@pytest.mark.parametrize("n, mode", [(0, "add"), (1, "square"), (5, "add"), (3, "square")])
def test_static_branches_inside_a_dynamic_loop_are_resolved(n, mode):
    h = python_jit(branchy, static_argnums=(1, 2))
    x = 1.1
    assert h(x, n, mode) == pytest.approx(branchy(x, n, mode), rel=1e-15)
    source = tp.source(h, x, n, mode)
    assert "mode" not in source.split(":", 1)[1]          # every test on mode resolved
    total = sum(k * k for k in range(n))
    assert source.count("for ") == (1 if n else 0)       # the static loop folded ...
    assert ("+ %d" % total in source) == (total != 0)      # ... to its result


def data_dependent(x, n):
    s = 0.0
    i = 0
    while s < n:                  # a loop on a traced value: real control flow
        s = s + x
        i += 1
    if s > 2 * n:
        return -s
    return s * i


def test_data_dependent_control_flow_stays_real_under_jit():
    h = python_jit(data_dependent, static_argnames="n")
    for x in (0.3, 1.0, 7.0):
        assert h(x, 3) == data_dependent(x, 3)
    assert "while" in tp.source(h, 0.3, 3)


def big_static_loop(x, n):
    total = 0
    for k in range(n):
        total = total + k % 7
    return x * total


def test_a_static_loop_past_the_budget_stays_a_loop():
    h = python_jit(big_static_loop, static_argnums=1)
    assert h(2.0, 10) == big_static_loop(2.0, 10)
    assert "for" not in tp.source(h, 2.0, 10)
    n = 300_000                                    # more statements than folding runs
    assert h(2.0, n) == big_static_loop(2.0, n)
    assert "range(%d)" % n in tp.source(h, 2.0, n)


def static_errors(x, n):
    if n < 0:
        raise ValueError("n must be non-negative")
    return x * math.factorial(n)


def test_static_folding_keeps_what_raises_and_runs_pure_math():
    h = python_jit(static_errors, static_argnums=1)
    assert h(2.0, 4) == 48.0
    assert "24" in tp.source(h, 2.0, 4) and "raise" not in tp.source(h, 2.0, 4)
    with pytest.raises(ValueError, match="non-negative"):
        h(2.0, -1)


def signed(x, s):
    return x * math.copysign(1.0, s)


def test_static_values_that_compare_equal_but_differ_are_kept_apart():
    h = python_jit(signed, static_argnums=1)
    assert h(3.0, 0.0) == 3.0
    assert h(3.0, -0.0) == -3.0
    assert h(3.0, 1) == 3.0 and h(3.0, True) == 3.0


def test_an_unhashable_static_argument_is_a_type_error_naming_it():
    h = python_jit(seed.g, static_argnames="n")
    with pytest.raises(TypeError, match="'n'.*unhashable"):
        h(1.0, [3])
    with pytest.raises(ValueError, match="out of range"):
        tp.jit(seed.g, static_argnums=2)
    with pytest.raises(ValueError, match="'m' is not a parameter"):
        tp.jit(seed.g, static_argnames="m")
    with pytest.raises(ValueError, match="backend"):
        tp.jit(seed.g, backend="tpu")


# ------------------------------------------------------------ API forms

def test_decorator_plain_call_and_partial_forms():
    @tp.jit
    def double(x):
        return x * 2

    @tp.jit(static_argnames="n", backend="python")
    def times(x, n):
        return x * n

    @functools.partial(tp.jit, static_argnums=1, backend="python")
    def power(x, n):
        return x ** n

    assert double(3.0) == 6.0 and times(3.0, 4) == 12.0 and power(3.0, 2) == 9.0
    assert "x * 4" in tp.source(times, 3.0, 4) and "x ** 2" in tp.source(power, 3.0, 2)


def test_the_seed_examples_run_unchanged():
    x = seed.X
    np.testing.assert_allclose(python_jit(seed.selu)(x), seed.selu(x), rtol=1e-15)
    y = np.random.default_rng(3).normal(size=(20, 3))
    np.testing.assert_allclose(python_jit(seed.norm)(y), seed.norm(y), rtol=1e-14)
    np.testing.assert_array_equal(python_jit(seed.get_negatives)(x), seed.get_negatives(x))
    assert python_jit(seed.f)(10.0) == 10.0 and python_jit(seed.f)(-10.0) == -20.0
    for fn in (seed.g_inner_jitted_partial, seed.g_inner_jitted_lambda,
               seed.g_inner_jitted_hash, seed.g_inner_jitted_normal):
        assert fn(10, 20) == 30


def test_jit_made_afresh_in_a_loop_is_the_same_function():
    made = {tp.jit(lambda x: seed.loop_body(x)) for _ in range(3)}
    assert len(made) == 1
    partials = {tp.jit(functools.partial(seed.loop_body)) for _ in range(3)}
    assert len(partials) == 1
    scale = 2.0
    a = tp.jit(lambda x: x * scale, backend="python")
    scale = 3.0
    b = tp.jit(lambda x: x * scale, backend="python")
    assert a is not b and a(1.0) == 3.0 and b(1.0) == 3.0   # a closure cell: read each call


def test_partial_with_bound_arguments():
    def affine(a, x, shift=0.0):
        return a * x + shift

    h = python_jit(functools.partial(affine, 3.0, shift=1.0))
    assert h(2.0) == 7.0 and h(2.0, shift=0.5) == 6.5
    g = tp.grad(functools.partial(affine, 3.0))
    assert g(2.0) == 3.0


# ------------------------------------------------------------ composition

def loss(w, x, n):
    h = x
    for _ in range(n):
        h = np.tanh(h * w)
    return np.sum(h ** 2)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_jit_of_grad_and_grad_of_jit_agree_with_grad(backend):
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=3), rng.normal(size=3)
    want = tp.grad(loss)(w, x, 4)
    got = tp.jit(tp.grad(loss), static_argnames="n", backend=backend)(w, x, 4)
    np.testing.assert_allclose(got, want, rtol=1e-13)
    got = tp.grad(tp.jit(loss, static_argnames="n", backend=backend))(w, x, 4)
    np.testing.assert_allclose(got, want, rtol=1e-13)

    def outer(w):
        return tp.jit(loss, static_argnums=2, backend=backend)(w, x, 4) * 2.0
    np.testing.assert_allclose(tp.grad(outer)(w), 2 * want, rtol=1e-13)
    _, tangent = tp.jvp(tp.jit(loss, static_argnums=2, backend=backend), (w, x, 4),
                        (np.ones(3), np.zeros(3), 0))
    assert tangent == pytest.approx(np.sum(want), rel=1e-12)


def test_jit_of_grad_folds_static_arguments_into_the_derivative():
    g = python_jit(tp.grad(loss), static_argnames="n")
    w = np.full(3, 0.5)
    source = tp.source(g, w, w, 2)
    assert "range(2)" in source and "def jit_loss" in source


# ------------------------------------------------------------ backends

def euler(x, steps):
    h = 0.01
    for _ in range(steps):
        x = x + h * (math.sin(x) - 0.1 * x)
    return x


def test_numba_runs_compiled_code_and_agrees_with_python():
    fast = tp.jit(euler, backend="numba")
    slow = tp.jit(euler, backend="python")
    assert fast(0.3, 500) == pytest.approx(slow(0.3, 500), rel=1e-14)
    entry = fast.entry(0.3, 500)
    assert entry.function.dispatcher.signatures             # compiled by Numba
    grad_fast = tp.jit(tp.grad(euler), backend="numba")
    assert grad_fast(0.3, 500) == pytest.approx(tp.grad(euler)(0.3, 500), rel=1e-13)


def uses_mean_axis(X):
    for _ in range(2):                 # a loop: "auto" compiles code with loops
        X = X * 0.5
    return X - np.einsum("ij->j", X)


def test_auto_falls_back_with_one_warning_and_numba_raises_a_located_error():
    X = np.random.default_rng(2).normal(size=(4, 3))
    auto = tp.jit(uses_mean_axis)
    with pytest.warns(NopythonWarning, match=r"test_jit.py:\d+: return X - np.einsum"):
        np.testing.assert_allclose(auto(X), uses_mean_axis(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(auto(X), uses_mean_axis(X))   # said once
    strict = tp.jit(uses_mean_axis, backend="numba")
    with pytest.raises(tp.TranspileError) as info:
        strict(X)
    assert info.value.filename.endswith("test_jit.py")
    assert "np.einsum" in info.value.source_line
    assert "nopython" in info.value.reason


def raises_inside(x, i):
    out = np.zeros(3)
    out[i] = x
    return out


def test_an_exception_of_compiled_code_is_the_users_not_a_fallback():
    fast = tp.jit(raises_inside, backend="auto")
    np.testing.assert_allclose(fast(1.0, 1), [0.0, 1.0, 0.0])
    with pytest.raises(IndexError):
        fast(1.0, 7)


# ------------------------------------------------------------ loops under Numba

def invariant_division(x, g, length, steps):
    for _ in range(steps):
        x = x + 0.01 * (g / length) * math.sin(x)
    return x


def test_hoisted_invariants_raise_exactly_when_the_loop_would():
    fast = tp.jit(invariant_division, backend="numba")
    assert fast(0.5, 9.81, 1.5, 100) == pytest.approx(invariant_division(0.5, 9.81, 1.5, 100),
                                                       rel=1e-14)
    assert "computed once" in tp.source(fast, 0.5, 9.81, 1.5, 100)
    assert fast(0.5, 9.81, 0.0, 0) == 0.5                # the loop never runs: no division
    with pytest.raises(ZeroDivisionError):
        fast(0.5, 9.81, 0.0, 3)
    grad = tp.jit(tp.grad(invariant_division, argnums=(0, 1, 2)), backend="numba")
    want = tp.grad(invariant_division, argnums=(0, 1, 2))(0.5, 9.81, 1.5, 50)
    np.testing.assert_allclose(grad(0.5, 9.81, 1.5, 50), want, rtol=1e-13)
    assert grad(0.5, 9.81, 0.0, 0) == (1.0, 0.0, 0.0)


SCALE = 2.0


def scaled(x):
    return x * SCALE


def test_the_fast_call_path_still_sees_a_changed_global_and_new_types():
    global SCALE
    h = python_jit(scaled)
    assert h(3.0) == 6.0 and h(3.0) == 6.0
    SCALE = 5.0
    try:
        assert h(3.0) == 15.0
        assert h(3) == 15.0 and type(h(3)) is float
        np.testing.assert_allclose(h(np.ones(2)), [5.0, 5.0])
        single = np.ones(3, np.float32)
        np.testing.assert_allclose(h(single), [5.0] * 3)
        assert h(single).dtype == scaled(single).dtype
    finally:
        SCALE = 2.0
    g = python_jit(seed.g, static_argnums=1)
    assert g(1.0, 2) == 3.0 and g(1.0, 3) == 4.0 and g(1.0, 2) == 3.0


def test_explain_says_which_argument_made_new_code(capsys):
    g = tp.jit(seed.g, static_argnames="n", backend="python", explain=True)
    g(1.0, 3)
    g(1.0, 3)
    assert capsys.readouterr().err == ""
    g(1.0, 4)
    assert "n: static 3 -> static 4" in capsys.readouterr().err
    g(np.ones(3), 4)
    assert "x: float -> float64[n]" in capsys.readouterr().err
    g(np.ones(7), 4)                     # another size: the same code, read at run time
    assert capsys.readouterr().err == ""
    g(np.ones(1), 4)                     # a dimension of size 1 broadcasts: new code
    assert "x: float64[n] -> float64[1]" in capsys.readouterr().err
    info = g.cache_info()
    assert info["specialisations"] == 4 and info["generated"] == 4


def softened(x, eps=1e-3):
    return np.sqrt(x * x + eps)


def calls_with_a_default(x):
    return np.sum(softened(x) + softened(x, eps=0.5))


def test_forward_mode_under_numba_fills_left_out_defaults():
    # the callee's jvp, made positional for Numba, is called with its default filled in
    # (shifting the tangent into `eps` gave nan once)
    x = np.array([0.3, -1.2, 2.0])
    forward = tp.api._jvp_of(calls_with_a_default, 1)
    t = np.array([1.0, 0.5, -2.0])
    fast = tp.jit(forward, backend="numba")(x, dot_x=t)
    slow = tp.jit(forward, backend="python")(x, dot_x=t)
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    assert "softened_jvp" in tp.source(tp.jit(forward, backend="numba"), x, dot_x=t)


def square_product_summed(A):
    return np.sum(np.tanh(np.sum(A @ A, axis=0)) ** 2)


def test_a_lazily_broadcast_adjoint_is_made_full_size_before_a_product():
    # the adjoint of A @ A arrives as shape (1, 3) standing for (3, 3); a (1, 3) @ (3, 3)
    # product would run, silently wrong, if it were not broadcast first
    A = np.random.default_rng(4).normal(size=(3, 3))
    fast = tp.jit(tp.grad(square_product_summed), backend="numba")(A)
    np.testing.assert_allclose(fast, tp.grad(square_product_summed)(A), rtol=1e-12)


def apply(x, fn, scale=2.0):
    return fn(x) * scale


def test_a_static_function_argument_is_called():
    h = tp.jit(apply, static_argnames=("fn", "scale"), backend="python")
    x = np.linspace(-1, 1, 4)
    np.testing.assert_allclose(h(x, np.tanh), np.tanh(x) * 2.0)
    np.testing.assert_allclose(h(x, np.sin, scale=-0.5), np.sin(x) * -0.5)
    assert "np.tanh(x) * 2.0" in tp.source(h, x, np.tanh)
    fast = tp.jit(apply, static_argnames="fn", backend="numba")
    np.testing.assert_allclose(fast(x, np.tanh), np.tanh(x) * 2.0, rtol=1e-14)


def test_auto_runs_loop_free_array_code_as_numpy_and_compiles_loops():
    x = np.linspace(-2.0, 2.0, 5)
    selu = tp.jit(seed.selu)
    np.testing.assert_allclose(selu(x), seed.selu(x), rtol=1e-15)
    assert not hasattr(selu.entry(x).function, "dispatcher")          # NumPy runs it
    loop = tp.jit(euler)
    assert loop(0.3, 10) == pytest.approx(euler(0.3, 10), rel=1e-14)
    assert loop.entry(0.3, 10).function.dispatcher.signatures      # Numba runs it
