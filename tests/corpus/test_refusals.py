"""Constructs outside SPEC's supported Python are refused with a TranspileError that
points at this file and line (SPEC: "Errors a user gets"), never silently
mis-differentiated: dict comprehensions, generator expressions, recursion, for/else
and while/else, in-place writes into arguments, try, starred unpacking and `:=`."""
import numpy as np
import pytest

import transpiler as tp


def dict_comprehension(x):
    d = {k: x * (i + 1) for i, k in enumerate(["a", "b"])}
    return np.sum(d["a"] * d["b"])


def generator_expression(params):
    return sum(np.sum(v ** 2) for v in params.values())


def _halve_n_times(v, n):
    if n == 0:
        return v
    return _halve_n_times(v * 0.5, n - 1)


def recursion(x):
    return np.sum(_halve_n_times(x, 3))


def for_else(x):
    s = 0.0
    for v in x:
        s = s + v
    else:
        s = s * 2.0
    return s


def while_else(x):
    i = 0
    while i < 2:
        i += 1
    else:
        x = x * 3.0
    return np.sum(x)


def write_into_argument(x):
    x[0] = 1.0
    return np.sum(x ** 2)


def augmented_write_into_argument(x):
    x[1:] += 1.0
    return np.sum(x ** 2)


def try_block(x):
    try:
        y = np.log(x)
    except FloatingPointError:
        y = x
    return np.sum(y)


def starred_unpacking(x):
    first, *rest = x
    return first * np.sum(np.array(rest))


def assignment_expression(x):
    if (n := np.sum(x)) > 0:
        return n ** 2
    return n


REFUSED = [dict_comprehension, generator_expression, recursion, for_else, while_else,
           write_into_argument, augmented_write_into_argument, try_block,
           starred_unpacking, assignment_expression]


@pytest.mark.parametrize("fn", REFUSED, ids=[f.__name__ for f in REFUSED])
def test_refused_with_a_located_error(fn):
    arg = {"a": np.ones(2)} if fn is generator_expression else np.array([0.5, 1.5, 2.5])
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)(arg)
    message = str(info.value)
    assert message.startswith(__file__.rstrip("c") + ":"), message
    assert "hint" in message, message


def test_writes_into_arguments_suggest_at():
    with pytest.raises(tp.TranspileError, match=r"\.at\["):
        tp.grad(write_into_argument)
