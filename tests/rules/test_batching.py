"""The runtime helpers batched code calls (``rt.broadcast_batch``, ``rt.example_of``,
``rt.stack_examples`` and their adjoints), each rule checked on its own against central
finite differences, and through tp.grad; and the batch slot of the primitive table."""
import numpy as np
import pytest

import runtime as rt
from transpiler.rules import registry
from transpiler.rules.batching import LOOP

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_params

RNG = np.random.default_rng(41)
BATCH = RNG.standard_normal((3, 2))                       # 3 examples of a (2,) value
TREE = {"a": RNG.standard_normal((3, 2)), "b": RNG.standard_normal(3)}
RESULTS = [(RNG.standard_normal(2), float(RNG.standard_normal())) for _ in range(3)]
# an argument mapped by the pytree prefix {"a": 1, "b": None}: 3 examples along a's axis 1
MIXED = {"a": RNG.standard_normal((2, 3)), "b": RNG.standard_normal(2)}
MIXED_AXES = {"a": 1, "b": None}

CALLS = [
    Call(rt.broadcast_batch, RNG.standard_normal(2), 3),
    Call(rt.broadcast_batch, 0.5, 4),
    Call(rt.broadcast_batch, RNG.standard_normal((2, 1)), 1),
    Call(rt.example_of, BATCH, 1), Call(rt.example_of, TREE, 2),
    Call(rt.example_of, [BATCH, RNG.standard_normal(3)], 0),
    Call(rt.example_adjoint, RNG.standard_normal(2), BATCH, 1),
    Call(rt.example_adjoint, {"a": RNG.standard_normal(2), "b": 0.5}, TREE, 0),
    Call(rt.stack_examples, [RNG.standard_normal(2) for _ in range(3)]),
    Call(rt.stack_examples, RESULTS),
    Call(rt.stack_examples, [RNG.standard_normal(2) for _ in range(3)], 1),
    Call(rt.unstack_examples, RNG.standard_normal((3, 2)), [RNG.standard_normal(2)] * 3),
    Call(rt.unstack_examples, (RNG.standard_normal((3, 2)), RNG.standard_normal(3)), RESULTS),
    Call(rt.unstack_examples, RNG.standard_normal((2, 3)), [RNG.standard_normal(2)] * 3, 1),
    Call(rt.stack_examples, RESULTS, (1, 0)),
    Call(rt.unstack_examples, (RNG.standard_normal((2, 3)), RNG.standard_normal(3)), RESULTS,
         (1, 0)),
    Call(rt.move_batch_axes, MIXED, MIXED_AXES, 3),
    Call(rt.move_batch_axes, [MIXED["a"], (MIXED["b"], MIXED["a"])], [1, (None, -1)], 3),
    Call(rt.move_batch_axes_adjoint, {"a": RNG.standard_normal((3, 2)),
                                      "b": RNG.standard_normal((3, 2))}, MIXED, MIXED_AXES),
    Call(rt.move_batch_axes_adjoint, {"a": RNG.standard_normal((3, 2)), "b": 0.5}, MIXED,
         MIXED_AXES),
    Call(rt.place_batch_axes, TREE, {"a": 1, "b": 0}),
    Call(rt.place_batch_axes, (BATCH, TREE), (-1, {"a": 0, "b": 0})),
    Call(rt.place_batch_axes_adjoint, {"a": RNG.standard_normal((2, 3)),
                                       "b": RNG.standard_normal(3)}, TREE, {"a": 1, "b": 0}),
    # per-example gradients: an adjoint per example (lazily broadcast: fewer axes), made
    # the shape of an argument batched or the same for every example
    Call(rt.as_batch_gradient, RNG.standard_normal(3), RNG.standard_normal((3, 2)), 3, True),
    Call(rt.as_batch_gradient, RNG.standard_normal((3, 2)), RNG.standard_normal(2), 3, False),
    Call(rt.as_batch_gradient, {"a": RNG.standard_normal((3, 1)), "b": RNG.standard_normal(3)},
         {"a": RNG.standard_normal((2, 4)), "b": 1.0}, 3, False),
    Call(rt.as_batch_gradient_adjoint, RNG.standard_normal((3, 2)), RNG.standard_normal(3),
         RNG.standard_normal((3, 2)), True),
    Call(rt.as_batch_gradient_adjoint, {"a": RNG.standard_normal((3, 2, 4)), "b": 0.5},
         {"a": RNG.standard_normal((3, 1)), "b": RNG.standard_normal(3)},
         {"a": RNG.standard_normal((2, 4)), "b": 1.0}, False),
    Call(rt.as_batch_gradients, [RNG.standard_normal((3, 2)), RNG.standard_normal(3)],
         (RNG.standard_normal(2), 2.0), 3, False),
]


def batched_sum(x):
    # x: one example's value; broadcast to 3 examples, each picked out, stacked again
    many = rt.broadcast_batch(x, 3)
    first = rt.example_of(many, 0) * 2.0
    again = rt.stack_examples([first, rt.example_of(many, 2) ** 2, np.sin(first)])
    parts = rt.unstack_examples(again * again, [first, first, first])
    spread = rt.example_adjoint(parts[1], many, 1)
    return np.sum(again * np.cos(again)) + np.sum(parts[0] * x) + np.sum(spread ** 2)


def prefixed_sum(x):
    # x: (2, 3), mapped along axis 1 next to a leaf the same for every example
    tree = rt.move_batch_axes({"a": x, "b": x[:, 0]}, {"a": 1, "b": None}, 3)
    back = rt.move_batch_axes_adjoint(tree, {"a": x, "b": x[:, 0]}, {"a": 1, "b": None})
    placed = rt.place_batch_axes({"a": tree["a"] * tree["b"], "b": tree["a"]}, {"a": 1, "b": 0})
    spread = rt.place_batch_axes_adjoint(placed, tree, {"a": 1, "b": 0})
    return (np.sum(np.sin(placed["a"]) * placed["b"].T) + np.sum(back["a"] ** 2)
            + np.sum(back["b"] * x[:, 1]) + np.sum(spread["a"] ** 3))


def batch_gradients(x):
    # x: (3, 2), three examples' adjoints of a (2,) argument
    made = rt.as_batch_gradient({"w": x, "b": x[:, 0]}, {"w": x[0], "b": 1.0}, 3, False)
    pair = rt.as_batch_gradients((x * 2.0, x[:, 1]), (x[0], 0.5), 3, False)
    back = rt.as_batch_gradient_adjoint(made["w"] ** 2, x, x, True)
    return np.sum(np.sin(made["w"]) * made["b"][:, None]) + np.sum(pair[0] * pair[1][:, None]) \
        + np.sum(back * x)


CASES = [Grad((rt.broadcast_batch, rt.example_of, rt.stack_examples, rt.unstack_examples,
               rt.example_adjoint), batched_sum, RNG.standard_normal(2)),
         Grad((rt.move_batch_axes, rt.move_batch_axes_adjoint, rt.place_batch_axes,
               rt.place_batch_axes_adjoint), prefixed_sum, RNG.standard_normal((2, 3))),
         Grad((rt.as_batch_gradient, rt.as_batch_gradients, rt.as_batch_gradient_adjoint),
              batch_gradients, RNG.standard_normal((3, 2)))]

NONDIFF = [((rt.batch_size_of,), lambda x: rt.batch_size_of({"a": [x, x]}),
            RNG.standard_normal((3, 2))),
           ((rt.batch_size_along,), lambda x: rt.batch_size_along((x, x), (None, 1)),
            RNG.standard_normal((3, 2))),
           ((rt.batch_buffer,), lambda x: np.size(rt.batch_buffer(x, 4)) * 1.0,
            RNG.standard_normal(3)),
           ((rt.example_like,), lambda x: np.sum(rt.example_like({"a": x, "b": "k"})["a"]),
            RNG.standard_normal((3, 2)))]


@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("case", grad_params(CASES))
def test_gradient(case):
    check_case(case)


def test_helpers():
    out = rt.broadcast_batch(np.arange(2.0), 3)
    assert out.shape == (3, 2) and out.flags.writeable
    out[0, 0] = 9.0                         # a copy: writing one example leaves the others
    assert out[1, 0] == 0.0
    assert rt.batch_size_of({"a": 2.0, "b": [np.ones((4, 2))]}) == 4
    stacked = rt.stack_examples(RESULTS)
    assert stacked[0].shape == (3, 2) and stacked[1].shape == (3,)
    assert rt.example_of(stacked, 1)[1] == RESULTS[1][1]


def test_every_primitive_has_a_batching_rule():
    """The batch slot is filled for every record; elementwise, broadcasting and
    reduction families never fall back to the per-example loop."""
    missing = [rule.name for rule in registry.all_rules() if rule.batch is None]
    assert not missing, "no batching rule: " + ", ".join(missing)
    looped = [rule.name for rule in registry.all_rules() if rule.batch is LOOP
              and rule.family in ("elementwise", "broadcasting", "reduction")]
    assert not looped, "families with a rule of their own fall back to the loop: " + \
        ", ".join(looped)
