"""The tape is Numba-ready: generated gradients of loops compile in nopython mode.

The reverse sweep's stacks are plain local lists, and every runtime helper the loops
call has a Numba implementation (runtime/numba_support.py), so ``numba.njit`` compiles
the generated source unchanged and agrees with the Python version.
"""
import math

import numba
import numpy as np
import pytest

import runtime.numba_support  # noqa: F401  (registers the nopython helpers)
import transpiler as tp
from helpers.check_grads import check_grads


def scalar_for(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * i) * x
    return s


def scalar_while(x, a):
    t = x
    while t > 0.01:
        t = t * a + 0.001 * x
    return t


def for_with_break(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.cos(s) * x
        if s > 3.0:
            break
    return s


def array_recurrence(x):
    out = np.zeros(len(x))
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = 0.5 * out[i - 1] + math.tanh(x[i])
    return np.sum(out)


CASES = [
    (scalar_for, (0.5, 10), 0),
    (scalar_for, (1.3, 0), 0),
    (scalar_while, (3.0, 0.5), (0, 1)),
    (for_with_break, (0.7, 20), 0),
    (array_recurrence, (np.linspace(-1.0, 1.0, 7),), 0),
]


@pytest.mark.parametrize("f, args, argnums", CASES)
def test_numba_compiles_the_specialised_gradient(f, args, argnums):
    g = tp.grad(f, argnums=argnums)
    expected = g(*args)
    compiled = numba.njit(g.specialised(*args))
    got = compiled(*args)
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(expected, float),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f, args, argnums", [c for c in CASES if c[0] is not array_recurrence])
def test_numba_compiles_the_shape_generic_gradient(f, args, argnums):
    g = tp.grad(f, argnums=argnums)
    compiled = numba.njit(g._entry.function)
    np.testing.assert_allclose(np.asarray(compiled(*args), float),
                               np.asarray(g(*args), float), rtol=1e-12)


@pytest.mark.parametrize("f, args, argnums", CASES)
def test_loop_gradients_match_finite_differences(f, args, argnums):
    check_grads(f, args, argnums=argnums)


def test_tape_stacks_are_typed_lists():
    source = tp.source(tp.grad(scalar_for), 0.5, 10)
    assert "_stack = []" in source
    assert ".append(" in source and ".pop()" in source


def euler_step(theta, omega, g, dt):
    acceleration = -g * math.sin(theta) - 0.1 * omega
    return theta + dt * omega, omega + dt * acceleration


def pendulum_energy(theta0, omega0, g, n):
    theta, omega = theta0, omega0
    for _ in range(n):
        theta, omega = euler_step(theta, omega, g, 0.01)
    return 0.5 * omega ** 2 + g * (1.0 - math.cos(theta))


def test_numba_compiles_gradients_that_call_user_functions():
    # the tape holds the callee's saved values (tuples) per step; njit of the gradient
    # compiles the callee's generated forward/backward pair with it
    g = tp.grad(pendulum_energy, argnums=(0, 1, 2))
    args = (1.2, 0.0, 9.81, 300)
    compiled = runtime.numba_support.njit(g.specialised(*args))
    np.testing.assert_allclose(compiled(*args), g(*args), rtol=1e-12)
    check_grads(pendulum_energy, (1.2, 0.3, 9.81, 40), argnums=(0, 1, 2))
