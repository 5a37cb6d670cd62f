"""Lambdas (module-level and local), nested defs closing over locals, and functions to
differentiate made inside factories (closures over the factory's variables)."""
import numpy as np
import pytest

import transpiler as tp
from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=107)

cube = lambda x: x ** 3  # noqa: E731
smooth_abs = lambda x, eps=1e-3: np.sqrt(x * x + eps)  # noqa: E731
direct_lambda = lambda x, y: np.sum(x * y) ** 2 + np.sum(np.sin(x))  # noqa: E731


def module_lambdas(x):
    return np.sum(cube(x) + smooth_abs(x) + smooth_abs(x, eps=0.5))


def local_lambda_closing_over_argument(x, y):
    f = lambda t: np.sin(t) * y  # noqa: E731
    return np.sum(f(x) + f(2.0 * x))


def local_lambda_in_loop(x):
    g = lambda a, b: a * b + b  # noqa: E731
    s = x
    for _ in range(3):
        s = g(s, x)
    return np.sum(s)


def nested_def_closing_over_argument(x, w):
    def layer(h):
        return np.tanh(h * w)
    return np.sum(layer(layer(x)))


def nested_def_closing_over_local(x):
    scale = np.sum(x)

    def scaled(v):
        return v * scale
    return np.sum(scaled(x) ** 2)


def nested_def_with_default(x):
    def bump(v, height=2.0):
        return height * np.exp(-v * v)
    return np.sum(bump(x) + bump(x, height=0.5))


def nested_def_calling_nested_def(x):
    def inner(v):
        return v * v + 1.0

    def outer(v):
        return np.log(inner(v)) * inner(2.0 * v)
    return np.sum(outer(x))


def nested_def_inside_loop(x):
    total = 0.0
    for k in range(3):
        def scaled(v):
            return v * k
        total = total + np.sum(scaled(x) ** 2)
    return total


def nested_def_appends_to_enclosing_list(x):
    out = []

    def push(v):
        out.append(v * 2.0)
    push(x[0])
    push(x[1])
    return np.sum(np.array(out) ** 2)


def lambda_sees_a_later_rebinding(x):
    k = 2.0
    scale = lambda v: v * k  # noqa: E731
    k = 3.0
    return np.sum(scale(x) * x)


def nested_def_sees_a_later_rebinding(x):
    y = x

    def doubled():
        return y * 2.0
    y = y + np.sin(x)
    return np.sum(doubled() * x)


def make_loss(target, weight):
    def loss(x):
        return weight * np.sum((x - target) ** 2)
    return loss


def make_power_sum(p):
    def power_sum(x):
        return np.sum(np.abs(x) ** p)
    return power_sum


def make_repeated_sine(n):
    def repeated(x):
        y = x
        for _ in range(n):
            y = np.sin(y) + 0.1 * x
        return np.sum(y)
    return repeated


def make_nested(a):
    def outer(x):
        def inner(y):
            return a * y ** 2
        return np.sum(inner(x) + inner(a * x))
    return outer


def make_lambda_model(w, b):
    return lambda x: np.sum(np.tanh(w @ x + b))


def make_with_helper(c):
    def helper(v):
        return np.cos(c * v)

    def model(x):
        return np.sum(helper(x) * helper(2.0 * x))
    return model


closure_loss = make_loss(normal(3), 0.5)
closure_power = make_power_sum(3.0)
closure_repeated = make_repeated_sine(4)
closure_nested = make_nested(1.5)
closure_lambda_model = make_lambda_model(normal(2, 3), normal(2))
closure_with_helper = make_with_helper(0.7)

def lambda_called_where_written(x):
    # a lambda called where it is written is inlined (jit(lambda ...)(x) leaves one)
    return np.sum((lambda t: t ** 2 + t)(x))


CASES = [
    *cases(module_lambdas, (normal(4),), (normal(2, 2),)),
    *cases(direct_lambda, (normal(3), normal(3)), argnums=(0, 1), name="direct_lambda"),
    *cases(local_lambda_closing_over_argument, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(local_lambda_in_loop, (normal(3) * 0.5,)),
    *cases(lambda_called_where_written, (normal(3),), (normal(2, 2),)),
    *cases(nested_def_closing_over_argument, (normal(3), normal(3)), argnums=(0, 1)),
    *cases(nested_def_closing_over_local, (normal(3),)),
    *cases(nested_def_with_default, (normal(4),)),
    *cases(nested_def_calling_nested_def, (normal(3),)),
    *cases(nested_def_inside_loop, (normal(3),)),
    *cases(nested_def_appends_to_enclosing_list, (normal(3),)),
    *cases(lambda_sees_a_later_rebinding, (normal(3),)),
    *cases(nested_def_sees_a_later_rebinding, (normal(3),)),
    *cases(closure_loss, (normal(3),), name="make_loss"),
    *cases(closure_power, (normal(4),), name="make_power_sum"),
    *cases(closure_repeated, (normal(3),), name="make_repeated_sine"),
    *cases(closure_nested, (normal(3),), (normal(2, 2),), name="make_nested"),
    *cases(closure_lambda_model, (normal(3),), name="make_lambda_model"),
    *cases(closure_with_helper, (normal(3),), name="make_with_helper"),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)


def test_factory_closures_are_distinct():
    # two closures of one factory differ only in their closure values
    first, second = make_loss(np.zeros(3), 1.0), make_loss(np.ones(3), 3.0)
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(tp.grad(first)(x), 2.0 * x)
    np.testing.assert_allclose(tp.grad(second)(x), 6.0 * (x - 1.0))


# Functions as values (stored in containers, or a lambda called where it is written)
# are outside the supported Python: a located TranspileError when the transform is made.

def lambdas_stored_in_a_list(x):
    fs = [lambda t: t * 2.0, lambda t: np.sin(t)]
    total = 0.0
    for f in fs:
        total = total + np.sum(f(x))
    return total


@pytest.mark.parametrize("fn", [lambdas_stored_in_a_list])
def test_functions_as_values_are_refused(fn):
    with pytest.raises(tp.TranspileError, match="test_closures.py:[0-9]+:"):
        tp.grad(fn)(np.array([0.5, -1.0]))
