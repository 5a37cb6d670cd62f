"""The value and the aux data are what the function returned, also after a reverse sweep.

Reverse-mode code pops taped values back into their variables and undoes the function's
appends and in-place writes, so that each adjoint sees the values of its statement.
What ``value_and_grad`` and ``has_aux`` return is taken before that: the output of the
last iteration, not of the first; the list as the function left it, not emptied.
"""
import numpy as np
import pytest

import transpiler as tp


def _last_doubled(items):
    return items[-1] * 2.0


def loop_with_taped_output(x):
    items = []
    total = 0.0
    for i in range(3):
        items.append(x * (i + 1.0))
        stacked = np.array(items)
        total = total + np.sum(stacked * stacked)
    return total


def loop_returning_its_list(x):
    items = []
    total = 0.0
    for i in range(3):
        items.append(x * (i + 1.0))
        total = total + _last_doubled(items)
    return total, items


def loop_returning_a_buffer(x):
    out = np.zeros(3)
    total = 0.0
    for i in range(3):
        out[i] = x * (i + 1.0)
        total = total + out[i] * out[0]
    return total, {"buffer": out, "last": total}


def test_value_and_grad_returns_the_last_value_of_a_loop():
    value, grad = tp.value_and_grad(loop_with_taped_output)(1.5)
    assert value == pytest.approx(loop_with_taped_output(1.5)) == pytest.approx(45.0)
    assert grad == pytest.approx(2 * 1.5 * (1 + 5 + 14))
    value, grad = tp.value_and_grad(loop_with_taped_output).call_generic(1.5)
    assert value == pytest.approx(45.0)


@pytest.mark.parametrize("call", ["__call__", "call_generic"])
def test_aux_is_what_the_function_returned(call):
    grad, aux = getattr(tp.grad(loop_returning_its_list, has_aux=True), call)(1.5)
    assert grad == pytest.approx(12.0)
    assert aux == [1.5, 3.0, 4.5]
    (value, aux), grad = getattr(tp.value_and_grad(loop_returning_a_buffer, has_aux=True),
                                 call)(2.0)
    np.testing.assert_allclose(aux["buffer"], [2.0, 4.0, 6.0])
    assert value == aux["last"] == pytest.approx(4.0 + 8.0 + 12.0)
    assert grad == pytest.approx(2 * 2.0 * (1 + 2 + 3))


def test_vjp_aux_and_repeated_pullbacks():
    out, pull, aux = tp.vjp(loop_returning_its_list, 1.5, has_aux=True)
    assert out == pytest.approx(18.0) and aux == [1.5, 3.0, 4.5]
    assert pull(1.0)[0] == pytest.approx(12.0)
    assert pull(2.0)[0] == pytest.approx(24.0)
    assert aux == [1.5, 3.0, 4.5]
