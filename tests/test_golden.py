"""Generated source is a product: the derivative code of the samples, checked byte for byte.

A change to the compiler that changes what users read shows up here.  After checking
the new output by eye, regenerate with:

    TRANSPILER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""
import importlib.util
import os

import numpy as np
import pytest

import transpiler as tp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")


def _sample(name):
    path = os.path.join(ROOT, "samples", name + ".py")
    spec = importlib.util.spec_from_file_location("golden_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _numba_cases():
    import importlib
    return importlib.import_module("test_numba_tape")


# (golden file, sample or module, function, transform options, example arguments or None)
CASES = [
    ("tutorial_sum_of_squares", "tutorial", "sum_of_squares", {}, None),
    ("tutorial_sum_of_squares_specialised", "tutorial", "sum_of_squares", {},
     lambda m: (np.ones(4),)),
    ("tutorial_sum_squared_error", "tutorial", "sum_squared_error", {"argnums": (0, 1)},
     lambda m: (np.ones(4), np.zeros(4))),
    ("tutorial_loss", "tutorial", "loss", {}, lambda m: (m.PARAMS, m.X, m.Y)),
    ("tutorial_loss_with_aux", "tutorial", "loss_with_aux", {"has_aux": True},
     lambda m: (m.PARAMS, m.X, m.Y)),
    ("ode_final_energy", "ode_euler", "final_energy", {}, lambda m: (m.PARAMS, 200)),
    ("logistic_loss", "logistic_regression", "loss", {},
     lambda m: (m.init_params(), m.X, m.Y)),
    ("mlp_loss", "mlp", "loss", {}, lambda m: (m.init_params(), m.X, m.LABELS)),
]


def _generated(sample, function, options, make_args):
    module = _sample(sample)
    g = tp.grad(getattr(module, function), **options)
    if make_args is None:
        return tp.source(g)
    return tp.source(g, *make_args(module))


def _compare(golden, source, what):
    path = os.path.join(GOLDEN, golden + ".py.txt")
    if os.environ.get("TRANSPILER_UPDATE_GOLDEN"):
        with open(path, "w") as handle:
            handle.write(source)
    with open(path) as handle:
        expected = handle.read()
    assert source == expected, "generated source of %s changed (see the module docstring)" \
        % what


@pytest.mark.parametrize("golden, sample, function, options, make_args", CASES,
                         ids=[c[0] for c in CASES])
def test_generated_source_matches_golden_file(golden, sample, function, options, make_args):
    _compare(golden, _generated(sample, function, options, make_args),
             "%s.%s" % (sample, function))


def _jvp_source(module, function, args):
    from transpiler.api import _jvp_of, _zero_tangents
    forward = _jvp_of(getattr(module, function), len(args))
    return tp.source(forward, *args, **_zero_tangents(forward, args))


# forward mode and the Jacobians: (golden file, sample, function, transform, arguments)
FORWARD = [
    ("tutorial_loss_jvp", "tutorial", "loss", "jvp", lambda m: (m.PARAMS, m.X, m.Y)),
    ("ode_final_energy_jvp", "ode_euler", "final_energy", "jvp", lambda m: (m.PARAMS, 200)),
    ("mlp_loss_jvp", "mlp", "loss", "jvp", lambda m: (m.init_params(), m.X, m.LABELS)),
    ("logistic_loss_jvp", "logistic_regression", "loss", "jvp",
     lambda m: (m.init_params(), m.X, m.Y)),
    ("jacobians_predict_jacfwd", "jacobians", "predict", "jacfwd",
     lambda m: (m.W, m.B, m.INPUTS)),
    ("jacobians_predict_jacrev", "jacobians", "predict", "jacrev",
     lambda m: (m.W, m.B, m.INPUTS)),
    ("jacobians_rosenbrock_hessian", "jacobians", "rosenbrock", "hessian",
     lambda m: (np.ones(4),)),
]


@pytest.mark.parametrize("golden, sample, function, transform, make_args", FORWARD,
                         ids=[c[0] for c in FORWARD])
def test_forward_mode_source_matches_golden_file(golden, sample, function, transform,
                                                 make_args):
    module = _sample(sample)
    args = make_args(module)
    if transform == "jvp":
        source = _jvp_source(module, function, args)
    else:
        source = tp.source(getattr(tp, transform)(getattr(module, function)), *args)
    _compare(golden, source, "%s.%s (%s)" % (sample, function, transform))


@pytest.mark.parametrize("golden, sample, function, options, make_args", CASES[:4],
                         ids=[c[0] for c in CASES[:4]])
def test_generation_is_deterministic_across_cache_clears(golden, sample, function, options,
                                                         make_args):
    first = _generated(sample, function, options, make_args)
    tp.clear_caches()
    assert _generated(sample, function, options, make_args) == first
