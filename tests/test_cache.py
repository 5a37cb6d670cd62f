"""The generated-code cache: never stale, never shared between functions that differ, bounded.

Globals, attributes (of modules, classes, namedtuples, plain objects) and closure values
are read when code is generated; rebinding any of them is noticed by a new transform and
by an existing one at its next call.  Defaults are the objects Python stored.  Every
test checks numbers against the analytic derivative with the values in force.
"""
import gc
import importlib.util
import inspect
import linecache
import math
import os
import weakref

import numpy as np
import pytest

import transpiler as tp
from transpiler import cache
from cachemods import settings, user
from helpers.check_grads import check_grads

X = np.array([1.0, -2.0, 3.0])


@pytest.fixture(autouse=True)
def _fresh_cache():
    tp.clear_caches()
    yield
    cache.set_maxsize(cache.DEFAULT_MAXSIZE)


def value_grad_vjp(fn, x):
    """The gradient of ``fn`` at ``x`` three ways: grad, value_and_grad, vjp."""
    value, via_value_and_grad = tp.value_and_grad(fn)(x)
    out, pull = tp.vjp(fn, x)
    assert out == pytest.approx(fn(x)) and value == pytest.approx(fn(x))
    return tp.grad(fn)(x), via_value_and_grad, pull(1.0)[0]


def assert_all(gradients, expected):
    for gradient in gradients:
        np.testing.assert_allclose(gradient, expected, rtol=1e-12)


# ------------------------------------------------------------ attribute chains

@pytest.mark.parametrize("fn, attribute, old, new, gradient", [
    (user.module_float, "ALPHA", 2.0, 3.0, lambda v, x: 2.0 * v * x),
    (user.module_int_power, "POWER", 2, 3, lambda v, x: v * x ** (v - 1)),
    (user.module_tuple, "COEFFS", (1.5, -0.5), (0.5, 2.0),
     lambda v, x: v[0] + 2.0 * v[1] * x),
    (user.module_array, "W", settings.W, np.array([3.0, 0.0, -1.0]), lambda v, x: v),
    (user.package_module_float, "ALPHA", 2.0, 7.0, lambda v, x: v + 0.0 * x),
    (user.namedtuple_field, "PAIR", settings.PAIR, settings.Pair(scale=-1.5, shift=4.0),
     lambda v, x: 2.0 * v.scale * x),
    (user.calls_a_reader, "ALPHA", 2.0, 5.0, lambda v, x: 2.0 * v * x + 1.0),
])
def test_module_attribute_rebound(monkeypatch, fn, attribute, old, new, gradient):
    existing = [tp.grad(fn), tp.value_and_grad(fn)]
    assert_all(value_grad_vjp(fn, X), gradient(old, X))
    monkeypatch.setattr(settings, attribute, new)
    assert_all(value_grad_vjp(fn, X), gradient(new, X))          # new transforms
    assert_all([existing[0](X), existing[1](X)[1]], gradient(new, X))   # existing ones
    check_grads(fn, (X,))
    monkeypatch.setattr(settings, attribute, old)
    assert_all([existing[0](X), tp.grad(fn)(X)], gradient(old, X))


def test_class_attribute_rebound(monkeypatch):
    existing = tp.grad(user.class_attribute)
    assert_all(value_grad_vjp(user.class_attribute, X), np.full(3, 3.0))
    monkeypatch.setattr(settings.Config, "k", 5.0)
    assert_all(value_grad_vjp(user.class_attribute, X), np.full(3, 5.0))
    assert_all([existing(X)], np.full(3, 5.0))


def test_instance_attribute_set_in_place(monkeypatch):
    existing = tp.grad(user.instance_attribute)
    assert_all([existing(X)], np.full(3, 2.0))
    monkeypatch.setattr(user.HOLDER, "scale", -4.0)
    assert_all(value_grad_vjp(user.instance_attribute, X), np.full(3, -4.0))
    assert_all([existing(X)], np.full(3, -4.0))


def closure_over_an_object(holder):
    def f(x):
        return holder.scale * np.sum(x ** 2)

    def replace(new):
        nonlocal holder
        holder = new
    return f, replace


def test_attribute_of_a_closure_variable():
    holder = settings.Holder(2.0)
    f, replace = closure_over_an_object(holder)
    g = tp.grad(f)
    assert_all([g(X)], 4.0 * X)
    holder.scale = 0.5                               # set in place
    assert_all([g(X)], 1.0 * X)
    assert_all(value_grad_vjp(f, X), 1.0 * X)
    replace(settings.Holder(-1.0))                   # the cell rebound
    assert_all([g(X)], -2.0 * X)
    assert_all(value_grad_vjp(f, X), -2.0 * X)


def test_instance_replaced(monkeypatch):
    existing = tp.grad(user.instance_attribute)
    assert_all([existing(X)], np.full(3, 2.0))
    monkeypatch.setattr(user, "HOLDER", settings.Holder(0.25))
    assert_all(value_grad_vjp(user.instance_attribute, X), np.full(3, 0.25))
    assert_all([existing(X)], np.full(3, 0.25))


def test_property_read_again_gives_an_equal_value_and_the_cache_still_hits(monkeypatch):
    g = tp.grad(user.property_attribute)
    assert_all([g(X)], np.full(3, 4.0))
    before = tp.cache_info()
    assert_all([g(X), tp.grad(user.property_attribute)(X)], np.full(3, 4.0))
    after = tp.cache_info()
    assert after["invalidations"] == before["invalidations"]
    assert after["hits"] > before["hits"]
    monkeypatch.setattr(user.HOLDER, "scale", 1.5)
    assert_all([g(X)], np.full(3, 3.0))


def test_bound_method_read_each_time_is_the_same_method(monkeypatch):
    g = tp.grad(user.bound_method)
    assert_all([g(X), g(X)], np.full(3, 2.0))
    assert tp.cache_info()["invalidations"] == 0
    monkeypatch.setattr(user.HOLDER, "scale", 6.0)     # read by the method at run time
    assert_all([g(X), tp.grad(user.bound_method)(X)], np.full(3, 6.0))


def test_array_attribute_changed_in_place_is_seen_at_the_next_call(monkeypatch):
    # generated code refers to the array object: in-place changes of its contents are
    # seen without regenerating (JAX would have baked the old contents in)
    w = settings.W.copy()
    monkeypatch.setattr(settings, "W", w)
    g = tp.grad(user.module_array)
    assert_all([g(X)], w)
    w *= -3.0
    assert_all([g(X), tp.grad(user.module_array)(X)], w)


def test_array_global_reshaped_in_place_regenerates(monkeypatch):
    w = np.arange(6.0)
    monkeypatch.setattr(settings, "W", w)
    g = tp.grad(user.module_array)
    x = np.ones(6)
    assert_all([g(x)], w)
    w.shape = (2, 3)                          # same object, other shape
    x = np.ones((2, 3))
    assert_all([g(x), tp.grad(user.module_array)(x)], w)
    assert tp.cache_info()["invalidations"] >= 1


def test_attribute_deleted_is_a_located_error(monkeypatch):
    g = tp.grad(user.module_float)
    assert_all([g(X)], 4.0 * X)
    monkeypatch.delattr(settings, "ALPHA")
    with pytest.raises(tp.TranspileError) as info:
        g(X)
    assert "ALPHA" in str(info.value) and "user.py" in str(info.value)
    with pytest.raises(tp.TranspileError):
        tp.grad(user.module_float)


def test_rebinding_back_and_forth(monkeypatch):
    g = tp.grad(user.module_float)
    for alpha in (2.0, -1.0, 2.0, 0.0, -0.0, 1e-300, 2.0):
        monkeypatch.setattr(settings, "ALPHA", alpha)
        assert_all([g(X), tp.grad(user.module_float)(X)], 2.0 * alpha * X)


def test_rebinding_to_an_equal_value_keeps_the_code(monkeypatch):
    g = tp.grad(user.module_float)
    g(X)
    monkeypatch.setattr(settings, "ALPHA", float("2.0"))
    before = tp.cache_info()
    assert_all([g(X), tp.grad(user.module_float)(X)], 4.0 * X)
    assert tp.cache_info()["invalidations"] == before["invalidations"]


def test_rebinding_an_int_to_an_equal_float_regenerates(monkeypatch):
    g = tp.grad(user.module_int_power)
    assert_all([g(X)], 2.0 * X)
    monkeypatch.setattr(settings, "POWER", 2.0)
    assert_all([g(X)], 2.0 * X)
    assert tp.cache_info()["invalidations"] >= 1


# ------------------------------------------------------------ globals and closures

SCALE = 2.0


def scaled_sum(x):
    return SCALE * np.sum(x)


def uses_abs(x):
    return np.sum(abs(x))


def test_global_rebound_existing_and_new_transforms(monkeypatch):
    existing = tp.value_and_grad(scaled_sum)
    assert_all([existing(X)[1]], np.full(3, 2.0))
    monkeypatch.setitem(globals(), "SCALE", -3.0)
    value, gradient = existing(X)
    assert value == pytest.approx(-3.0 * np.sum(X))
    assert_all([gradient], np.full(3, -3.0))
    assert_all(value_grad_vjp(scaled_sum, X), np.full(3, -3.0))


def test_a_global_defined_later_shadows_a_builtin(monkeypatch):
    g = tp.grad(uses_abs)
    assert_all([g(X)], np.sign(X))
    monkeypatch.setitem(globals(), "abs", lambda v: v * v)
    assert_all([g(X), tp.grad(uses_abs)(X)], 2.0 * X)


def make_settable(k):
    def f(x):
        return k * np.sum(x ** 2)

    def set_k(value):
        nonlocal k
        k = value
    return f, set_k


def make_caller_of_a_closure(k):
    def inner(x):
        return k * x

    def outer(x):
        return np.sum(inner(x) * x)

    def set_k(value):
        nonlocal k
        k = value
    return outer, set_k


@pytest.mark.parametrize("make", [make_settable, make_caller_of_a_closure])
def test_closure_variable_rebound_after_the_transform(make):
    f, set_k = make(2.0)                      # the function's own cell, or its callee's
    g = tp.grad(f)
    assert_all([g(X)], 4.0 * X)
    set_k(-0.5)
    assert_all([g(X)], -1.0 * X)
    assert_all(value_grad_vjp(f, X), -1.0 * X)


later = 5.0


def test_closure_variable_not_yet_assigned_is_an_error_not_the_global():
    def f(x):
        return later * x
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(f)
    assert "later" in str(info.value)
    later = 2.0                                   # noqa: F841  (makes `later` a cell)
    assert tp.grad(f)(1.0) == pytest.approx(2.0)


# ------------------------------------------------------------ two modules, one text

def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TWIN_TEXT = '''import numpy as np

SCALE = {scale!r}


def helper(x):
    return x * {factor!r}


def f(x, k={k!r}):
    return SCALE * k * np.sum(x ** 2)


def g(x):
    return np.sum(helper(x))
'''


def twins(tmp_path, values, prefix="twin"):
    """Modules with the same function text and other globals, defaults and callees."""
    modules = []
    for n, (scale, k, factor) in enumerate(values):
        path = tmp_path / ("%s_%d.py" % (prefix, n))
        path.write_text(TWIN_TEXT.format(scale=scale, k=k, factor=factor))
        modules.append(load_module(path, "cache_%s_%d" % (prefix, n)))
    return modules


def test_same_text_in_modules_keeps_its_own_globals_defaults_and_callees(tmp_path):
    values = [(2.0, 1.0, 10.0), (3.0, 1.0, 100.0), (2.0, -1.0, 10.0), (2, 1.0, -0.0)]
    modules = twins(tmp_path, values)
    assert modules[0].f.__code__ == modules[1].f.__code__     # why the key needs more
    assert modules[0].g.__code__ == modules[1].g.__code__
    for module, (scale, k, factor) in list(zip(modules, values)) * 2:
        assert_all(value_grad_vjp(module.f, X), 2.0 * scale * k * X)
        assert_all(value_grad_vjp(module.g, X), np.full(3, factor))


def test_a_module_and_its_functions_are_freed_once_out_of_the_cache(tmp_path):
    module, = twins(tmp_path, [(2.0, 1.0, 1.0)], "freed")
    g = tp.grad(module.f)
    assert_all([g(X)], 4.0 * X)
    function, namespace = weakref.ref(module.f), weakref.ref(module)
    del module, g
    tp.clear_caches()
    tp.grad(scaled_sum)       # normalisation passes hold the last function they ran on
    gc.collect()
    assert function() is None and namespace() is None


def test_evicted_entries_free_their_functions(tmp_path):
    cache.set_maxsize(2)
    refs = []
    for n, module in enumerate(twins(tmp_path, [(float(n), 1.0, 1.0) for n in range(4)],
                                     "evicted")):
        assert_all([tp.grad(module.f)(X)], 2.0 * n * X)
        refs.append(weakref.ref(module.f))
    del module
    tp.grad(scaled_sum)(X)
    gc.collect()
    assert [ref() is None for ref in refs] == [True, True, True, True]


# ------------------------------------------------------------ closure values, exactly

def closure_over(c):
    return lambda x: x * c


def closure_copysign(c):
    return lambda x: x * math.copysign(1.0, c)


def closure_is_float(c):
    return lambda x: x * (2.0 if isinstance(c, float) else 3.0)


def closure_is_true(c):
    return lambda x: x * (2.0 if c == 1 and isinstance(c, bool) else 3.0)


def closure_first_is_int(t):
    return lambda x: x * (2.0 if isinstance(t[0], int) else 3.0)


def closure_array_sum(c):
    return lambda x: np.sum(x * c)


@pytest.mark.parametrize("make, first, second, first_grad, second_grad", [
    (closure_copysign, 0.0, -0.0, 1.0, -1.0),
    (closure_is_float, 1, 1.0, 3.0, 2.0),
    (closure_is_float, True, 1.0, 3.0, 2.0),
    (closure_is_true, 1, True, 3.0, 2.0),
    (closure_is_true, 1.0, True, 3.0, 2.0),
    (closure_first_is_int, (3, 1), (3.0, 1.0), 2.0, 3.0),
    (closure_first_is_int, ((3, 1),), ((3.0, 1.0),), 3.0, 3.0),
    (closure_over, 2.0, 2, 2.0, 2.0),
])
def test_closure_values_equal_by_eq_do_not_share_code(make, first, second, first_grad,
                                                      second_grad):
    for _ in range(2):                     # and each hits its own entry the second time
        assert tp.grad(make(first))(1.5) == first_grad
        assert tp.grad(make(second))(1.5) == second_grad
    assert tp.cache_info()["hits"] >= 2


def test_numpy_scalar_closures_keep_their_dtype():
    x = np.ones(2, np.float32)
    single, _ = tp.value_and_grad(closure_array_sum(np.float32(2.0)))(x)
    double, gradient = tp.value_and_grad(closure_array_sum(np.float64(2.0)))(x)
    assert single.dtype == np.float32 and double.dtype == np.float64
    assert single == double == 4.0
    assert_all([gradient], [2.0, 2.0])


def test_nan_closure_hits_the_cache():
    f = closure_over(float("nan"))
    assert np.isnan(tp.grad(f)(1.0))
    before = tp.cache_info()
    assert np.isnan(tp.grad(f)(1.0))
    after = tp.cache_info()
    assert after["hits"] > before["hits"] and after["entries"] == before["entries"]


def test_lambdas_made_in_a_loop_reuse_the_cache_per_value():
    for repeat in range(3):
        for c in (1.0, 2.0, -3.0):
            assert tp.grad(closure_over(c))(4.0) == c
    info = tp.cache_info()
    assert info["entries"] == 6                 # 3 values x (checked, specialised)
    assert info["hits"] == 12 and info["invalidations"] == 0


def test_closures_over_equal_dicts_keep_their_own_dict():
    first, second = {"w": 2.0}, {"w": 2.0}

    def make(params):
        return lambda x: params["w"] * x
    f, g = make(first), make(second)
    assert tp.grad(f)(1.0) == 2.0 and tp.grad(g)(1.0) == 2.0
    second["w"] = 7.0                           # contents are read when the code runs
    assert tp.grad(f)(1.0) == 2.0 and tp.grad(g)(1.0) == 7.0


# ------------------------------------------------------------ defaults as stored

K = 2.0


def default_from_a_global(x, k=K):
    return k * np.sum(x ** 2)


def keyword_only_default(x, *, k=K, p=2):
    return k * np.sum(x ** p)


def positional_only_default(x, k=K, /):
    return k * np.sum(x)


def callee_with_default(x, k=K):
    return k * x


K = 5.0


def calls_with_default(x):
    return np.sum(callee_with_default(x))


def test_defaults_are_the_values_stored_when_def_ran():
    assert_all(value_grad_vjp(default_from_a_global, X), 4.0 * X)
    assert_all(value_grad_vjp(keyword_only_default, X), 4.0 * X)
    assert_all(value_grad_vjp(positional_only_default, X), np.full(3, 2.0))
    assert_all(value_grad_vjp(calls_with_default, X), np.full(3, 2.0))
    assert tp.grad(keyword_only_default)(X, k=-1.0) == pytest.approx(-2.0 * X)
    assert tp.grad(keyword_only_default)(X, p=3) == pytest.approx(6.0 * X ** 2)
    assert tp.grad(default_from_a_global)(X, 3.0) == pytest.approx(6.0 * X)


def test_defaults_replaced_after_the_transform(monkeypatch):
    g, kw, caller = (tp.grad(default_from_a_global), tp.grad(keyword_only_default),
                     tp.grad(calls_with_default))
    assert_all([g(X)], 4.0 * X)
    monkeypatch.setattr(default_from_a_global, "__defaults__", (-1.0,))
    monkeypatch.setitem(keyword_only_default.__kwdefaults__, "k", 0.5)
    monkeypatch.setattr(callee_with_default, "__defaults__", (3.0,))
    assert_all([g(X), tp.grad(default_from_a_global)(X)], -2.0 * X)
    assert_all([kw(X), tp.grad(keyword_only_default)(X)], 1.0 * X)
    assert_all([caller(X), tp.grad(calls_with_default)(X)], np.full(3, 3.0))


def random_default(x, w=np.random.default_rng(7).standard_normal(3)):
    return np.sum(np.sin(x) * w)


def test_a_random_default_is_not_drawn_again():
    w = random_default.__defaults__[0]
    g = tp.grad(random_default)
    assert_all(value_grad_vjp(random_default, X), np.cos(X) * w)
    assert_all([g(X)], np.cos(X) * w)
    assert "w=w_default" in tp.source(g, X)


def test_lambda_defaults_made_in_a_loop():
    grads = [tp.grad(lambda x, k=k: x * k) for k in range(3)]
    assert [g(1.5) for g in grads] == [0.0, 1.0, 2.0]
    grads = [tp.grad(lambda x, k=k: x ** k) for k in (2.0, 2, 3)]
    assert [g(1.5) for g in grads] == [3.0, 3.0, 3 * 1.5 ** 2]
    pulls = [tp.vjp(lambda x, k=k: x * k, 2.0)[1] for k in (0.5, -0.5)]
    assert [p(1.0)[0] for p in pulls] == [0.5, -0.5]


def array_default(x, w=np.array([1.0, 2.0, 3.0]), s=np.float32(2.0)):
    return np.sum(x * w) * s


def test_array_and_numpy_scalar_defaults():
    w, s = array_default.__defaults__
    assert_all(value_grad_vjp(array_default, X), w * 2.0)
    w[0] = 10.0                                 # Python's semantics: the same object
    try:
        assert_all([tp.grad(array_default)(X)], w * 2.0)
        check_grads(array_default, (X,))
    finally:
        w[0] = 1.0


def mutable_default(x, seen=[]):           # noqa: B006  (the stored list itself)
    return x * float(len(seen) + 1)


def test_mutable_default_is_the_stored_object(monkeypatch):
    g = tp.grad(mutable_default)
    assert g(1.0) == 1.0
    mutable_default.__defaults__[0].append(None)
    try:
        assert g(1.0) == 2.0
    finally:
        mutable_default.__defaults__[0].clear()


# ------------------------------------------------------------ custom_vjp

@tp.custom_vjp
def clipped(x):
    return x


def identity_fwd(x):
    return x, None


def clip_bwd(_, g):
    return (np.clip(g, -1.0, 1.0),)


def double_fwd(x):
    return 2.0 * x, None


def double_bwd(_, g):
    return (2.0 * g,)


def uses_clipped(x):
    return np.sum(clipped(x) * 3.0)


def test_custom_vjp_given_new_rules_after_a_transform():
    clipped.defvjp(identity_fwd, clip_bwd)
    g = tp.grad(uses_clipped)
    assert_all([g(X)], np.ones(3))
    clipped.defvjp(double_fwd, double_bwd)
    try:
        assert_all([g(X), tp.grad(uses_clipped)(X)], np.full(3, 6.0))
        assert tp.value_and_grad(uses_clipped)(X)[0] == pytest.approx(6.0 * np.sum(X))
    finally:
        clipped.defvjp(identity_fwd, clip_bwd)


# ------------------------------------------------------------ bounded and observable

def test_cache_info_reports_every_counter():
    info = tp.cache_info()
    assert set(info) == {"hits", "misses", "invalidations", "evictions", "entries",
                         "maxsize", "disk", "disk_hits", "disk_writes"}
    assert info["disk"] == os.environ["TRANSPILER_CACHE_DIR"]      # the test run's own
    assert info["maxsize"] == cache.DEFAULT_MAXSIZE == 512
    assert info["entries"] == info["hits"] == info["misses"] == 0


def test_least_recently_used_entries_are_evicted():
    cache.set_maxsize(4)
    first = closure_over(1.0)
    for c in range(10):
        assert tp.grad(closure_over(float(c)))(1.0) == float(c)
        assert tp.grad(first)(1.0) == 1.0            # kept: used each time
        assert tp.cache_info()["entries"] <= 4
    info = tp.cache_info()
    assert info["evictions"] >= 14 and info["maxsize"] == 4
    before = info["misses"]
    assert tp.grad(first)(2.0) == 1.0
    assert tp.cache_info()["misses"] == before


def test_shrinking_and_disabling_the_cache():
    for c in range(6):
        tp.grad(closure_over(float(c)))(1.0)
    assert tp.cache_info()["entries"] == 12
    cache.set_maxsize(3)
    assert tp.cache_info()["entries"] == 3
    cache.set_maxsize(0)
    for c in (2.0, 2.0, -1.0):
        assert tp.grad(closure_over(c))(3.0) == c
    assert tp.cache_info()["entries"] == 0
    for bad in (-1, 2.5, "10", None, True):
        with pytest.raises(ValueError):
            cache.set_maxsize(bad)


def generated_filenames():
    return {name for name in linecache.cache if name.startswith("<transpiler")}


def test_generated_source_stays_in_linecache_while_its_function_lives():
    cache.set_maxsize(2)
    kept = tp.grad(closure_over(0.25)).specialised(1.0)
    for c in range(40):
        tp.grad(closure_over(float(c)))(1.0)
    gc.collect()
    tp.grad(closure_over(-1.0))(1.0)          # a compilation drops dead sources
    assert len(generated_filenames()) < 20
    assert "def grad_lambda" in inspect.getsource(kept)
    assert kept.__code__.co_filename in linecache.cache
    assert kept(2.0) == 0.25


def test_a_dropped_source_is_registered_again_when_generated_again():
    cache.set_maxsize(0)
    tp.grad(closure_over(0.125))(1.0)
    gc.collect()
    for c in range(3):
        tp.grad(closure_over(float(c)))(1.0)
    g = tp.grad(closure_over(0.125)).specialised(1.0)
    assert "def grad_lambda" in inspect.getsource(g) and g(1.0) == 0.125


def test_transform_specialisations_and_cache_agree_after_eviction(monkeypatch):
    cache.set_maxsize(1)
    g = tp.grad(user.module_float)
    shapes = [np.ones(n) for n in range(1, 5)]
    for x in shapes:
        assert_all([g(x)], 4.0 * x)
    monkeypatch.setattr(settings, "ALPHA", 0.5)
    for x in shapes:
        assert_all([g(x)], 1.0 * x)
