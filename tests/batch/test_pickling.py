"""Transformed functions pickle by source: another process remakes them from the pickle
alone, without importing this file (transpiler/pickling.py)."""
import os
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest

import transpiler as tp

RNG = np.random.default_rng(8)
L2 = 1e-2


def predict(w, x):
    return 1.0 / (1.0 + np.exp(-(x @ w)))


def loss(w, x, y, l2=L2):
    p = predict(w, x)
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) + l2 * np.sum(w ** 2)


def scaled_sine(scale):
    return lambda x: scale * np.sin(x)


@tp.jit
def decorated(x):
    return np.cos(x) * L2


def run_elsewhere(cases):
    """Call each ``(function, args)`` of ``cases`` in a fresh Python process that has
    only their pickle (and transpiler, but not this file); their results."""
    program = ("import pickle, sys\n"
               "cases = pickle.loads(sys.stdin.buffer.read())\n"
               "assert not any('test_pickling' in name for name in sys.modules)\n"
               "sys.stdout.buffer.write(pickle.dumps([f(*args) for f, args in cases]))\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root)          # transpiler, not this test file
    done = subprocess.run([sys.executable, "-c", program], input=pickle.dumps(cases),
                          capture_output=True, cwd=os.path.dirname(sys.executable), env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return pickle.loads(done.stdout)


def close(got, expected):
    got, expected = tp.tree_util.tree_flatten(got), tp.tree_util.tree_flatten(expected)
    assert got[1] == expected[1]
    for a, b in zip(got[0], expected[0]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_transformed_functions_run_in_a_process_that_never_saw_this_file():
    w, xs, ys = RNG.normal(size=3), RNG.normal(size=(6, 3)), (RNG.random(6) > 0.5) * 1.0
    cases = [(tp.vmap(tp.grad(loss), in_axes=(None, 0, 0)), (w, xs, ys)),   # a default
             (tp.jit(tp.vmap(scaled_sine(3.0))), (xs,)),          # a closure, a lambda
             (tp.grad(lambda v: np.sum(v ** 3)), (w,)),
             (decorated, (w,)),                                   # its decorator dropped
             (tp.hessian(lambda v: np.sum(np.sin(v) * v)), (w,)),
             (tp.vmap(tp.value_and_grad(loss, argnums=(0, 1)), in_axes=(None, 0, 0)),
              (w, xs, ys))]
    for (function, args), got in zip(cases, run_elsewhere(cases)):
        expected = function(*args)
        close(got, expected)
        close(pickle.loads(pickle.dumps(function))(*args), expected)    # here too


SCALE = 2.0


def scaled_square(x):
    return SCALE * x * x


def test_a_pickle_holds_the_values_read_when_it_was_made(monkeypatch):
    derivative, xs = tp.vmap(tp.grad(scaled_square)), np.arange(3.0)
    before = pickle.dumps(derivative)
    assert pickle.loads(before) is pickle.loads(before)      # remade once per process
    monkeypatch.setattr(sys.modules[__name__], "SCALE", 5.0)
    after = pickle.dumps(derivative)
    close(pickle.loads(before)(xs), 4.0 * xs)
    close(pickle.loads(after)(xs), 10.0 * xs)                # new code for the new value
    close(derivative(xs), 10.0 * xs)


LOCK = threading.Lock()


def locked_sine(x):
    if LOCK is None:
        return x
    return np.sin(x)


def test_a_value_that_cannot_travel_is_named():
    with pytest.raises(pickle.PicklingError) as info:
        pickle.dumps(tp.vmap(locked_sine))
    message = str(info.value)
    assert "locked_sine reads `LOCK`, a lock, which cannot be pickled" in message, message
    assert "pass the others as arguments" in message


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def test_functions_that_read_each_other_travel_together():
    from transpiler import pickling
    remade = pickle.loads(pickling.dumps(is_even))
    assert remade is not is_even and remade(10) and not remade(7)
    assert remade.__globals__["is_odd"].__globals__["is_even"] is remade
