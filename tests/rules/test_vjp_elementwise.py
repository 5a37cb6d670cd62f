"""Elementwise and broadcasting rules, each adjoint checked on its own.

Every rule of ``arithmetic.py`` and ``elementwise.py`` is called on random inputs from a
domain where it is smooth, for scalars, vectors, matrices and broadcasting pairs; the
adjoint built by ``Rule.vjp_function`` must match central finite differences and have
its argument's shape (after unbroadcasting).
"""
import operator

import numpy as np
import pytest

from . import domains
from .domains import BINARY, SCALAR_BINARY, SCALAR_UNARY, UNARY, as_sample, sample
from .oracle import Call, check_call, rule_params

RNG = np.random.default_rng(20240601)


def ANY(shape):
    return domains.ANY(RNG, shape)


SHAPES = [(), (3,), (3, 4)]

CALLS = [Call(f, domain(RNG, shape)) for fs, domain in UNARY for f in fs for shape in SHAPES]
CALLS += [Call(f, np.asarray(domain(RNG, ()))) for fs, domain in UNARY for f in fs[:1]]   # 0-d
CALLS += [Call(f, domain(RNG, ())) for fs, domain in SCALAR_UNARY for f in fs]
# float32 results: finite differences need a larger step
CALLS += [Call(np.float32, ANY(shape), tol=dict(eps=1e-2, rtol=1e-4, atol=1e-4))
          for shape in SHAPES]

PAIRS = [((), ()), ((3,), (3,)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)),
         ((), (2, 3)), ((2, 3), ())]
CALLS += [Call(f, *sample(RNG, doms, pair, safe))
          for fs, doms, safe in BINARY for f in fs for pair in PAIRS]
CALLS += [Call(f, *sample(RNG, doms, ((), ()), safe))
          for fs, doms, safe in SCALAR_BINARY for f in fs]
# augmented assignment (``x += y`` is ``x = iadd(x, y)``): on numbers, a new value
IN_PLACE = [((operator.iadd, operator.isub, operator.imul), (domains.ANY, domains.ANY), None),
            ((operator.itruediv,), (domains.ANY, domains.away_from_zero(0.4, 2.0)), None),
            ((operator.ipow,), (domains.POSITIVE, domains.ANY), None),
            ((operator.imod,), (domains.uniform(-3.0, 3.0), domains.away_from_zero(0.5, 1.5)),
             domains.fraction_inside)]
CALLS += [Call(f, *sample(RNG, doms, ((), ()), safe)) for fs, doms, safe in IN_PLACE for f in fs]

# where and clip: a mask or bounds that broadcast
MASK = RNG.uniform(size=(3, 4)) > 0.5
CALLS += [
    Call(np.where, MASK, ANY((3, 4)), ANY((3, 4))),
    Call(np.where, MASK, ANY((4,)), ANY((3, 1))),
    Call(np.where, MASK[0], ANY((3, 4)), 0.5),
    Call(np.where, MASK, ANY(()), ANY((3, 4))),
]


def _clip_sample(shape, lo_shape, hi_shape):
    a = RNG.choice([-1.6, -0.5, -0.2, 0.1, 0.4, 1.7], shape) + RNG.uniform(-0.05, 0.05, shape)
    lo = RNG.uniform(-1.1, -0.9, lo_shape)
    hi = RNG.uniform(0.9, 1.1, hi_shape)
    return as_sample(a), as_sample(lo), as_sample(hi)


# heaviside(x1, x2) is x2 where x1 == 0
STEPS = np.array([[0.0, 1.2, -0.5, 0.0], [0.7, 0.0, 0.0, -2.0], [0.0, 0.3, 0.9, -0.1]])
CALLS += [Call(np.heaviside, STEPS, 0.3), Call(np.heaviside, STEPS, ANY((4,))),
          Call(np.heaviside, STEPS[0], ANY((3, 4))), Call(np.heaviside, 0.0, 0.7)]

CALLS += [Call(np.clip, *_clip_sample(*shapes)) for shapes in
          [((), (), ()), ((3, 4), (), ()), ((3, 4), (4,), (3, 1)), ((2, 3), (2, 3), (2, 3))]]
CALLS += [Call(np.clip, _clip_sample((3, 4), (), ())[0], None, 1.0),
          Call(np.clip, _clip_sample((3, 4), (), ())[0], -1.0, None),
          Call(np.clip, ANY((5,)), a_min=-0.5, a_max=0.5)]


@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position, exact_shape=True)
