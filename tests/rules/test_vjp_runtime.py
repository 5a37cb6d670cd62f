"""Rules of the runtime helpers generated code calls (``rt.*``), each adjoint checked on
its own against central finite differences, and through ``tp.grad`` of code calling the
helper as generated code does: what makes the compiler's output valid input again."""
import numpy as np
import pytest

import runtime as rt

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_params

RNG = np.random.default_rng(31)


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


M, ROW, COL = normal(3, 4), normal(4), normal(3, 1)
CALLS = [
    Call(rt.as_value, normal()), Call(rt.as_value, np.asarray(normal())),
    Call(rt.unbroadcast, M, ROW, M), Call(rt.unbroadcast, M, COL, M),
    Call(rt.unbroadcast, M, M, M), Call(rt.unbroadcast, normal(), M, M),
    Call(rt.unbroadcast, ROW, ROW, M), Call(rt.unbroadcast, M, 0.5, M),
    Call(rt.sum_to, M, (4,), (3, 4)), Call(rt.sum_to, M, (3, 1), (3, 4)),
    Call(rt.sum_to, M, (), (3, 4)), Call(rt.sum_to, ROW, (4,), (3, 4)),
    Call(rt.broadcast_to, ROW, M), Call(rt.broadcast_to, normal(), M),
    Call(rt.broadcast_to, M, M), Call(rt.broadcast_to, COL, M),
    Call(rt.dense, ROW, M), Call(rt.dense, normal(), M), Call(rt.dense, M, M),
    Call(rt.masked, M, M > 0.0), Call(rt.masked, ROW, M > 0.0), Call(rt.masked, normal(), M > 0.0),
    Call(rt.as_gradient, M, M), Call(rt.as_gradient, ROW, M), Call(rt.as_gradient, normal(), M),
    Call(rt.as_gradient, normal(), 0.5),
    Call(rt.snapshot, M), Call(rt.snapshot, normal()), Call(rt.snapshot, [ROW, normal()]),
    Call(rt.cast_adjoint, M, M, M), Call(rt.cast_adjoint, ROW, M, M),
    Call(rt.cast_adjoint, M, M, (M * 4).astype(int)),
]


@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


def adjoint_bookkeeping(x, y):
    big = x * y                                       # (3, 4)
    row = rt.unbroadcast(big, y, big) + rt.sum_to(big * 2.0, (4,), (3, 4))
    full = rt.broadcast_to(row, big) * rt.dense(y, big) + rt.as_gradient(x, big)
    kept = rt.snapshot(rt.cast_adjoint(full, full, big))
    return rt.as_value(np.sum(rt.masked(kept, big > 0.0) ** 2))


CASES = [
    Grad((rt.unbroadcast, rt.sum_to, rt.broadcast_to, rt.dense, rt.as_gradient, rt.masked,
          rt.as_value, rt.snapshot, rt.cast_adjoint), adjoint_bookkeeping, M, ROW,
         argnums=(0, 1)),
]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)
