"""Pytree arguments: dicts of parameters, lists, tuples, namedtuples, nested dicts of
tuples, lists of dicts, None leaves and scalar leaves; argnums selecting them (alone,
negative, several); gradients must mirror the argument's structure."""
import collections

import numpy as np
import pytest

import transpiler as tp
from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=109)

Linear = collections.namedtuple("Linear", ["w", "b"])
Model = collections.namedtuple("Model", ["encoder", "scale"])


def dict_params(params, x):
    return np.sum((x @ params["w"] + params["b"]) ** 2)


def list_of_weights(ws, x):
    h = x
    for w in ws:
        h = np.tanh(w @ h)
    return np.sum(h)


def tuple_params(p, x):
    w, b = p
    return np.sum(np.tanh(x * w + b))


def namedtuple_params(p, x):
    return np.sum((p.w * x + p.b) ** 2)


def nested_dict_of_tuples(tree, x):
    w1, b1 = tree["layer1"]
    w2, b2 = tree["layer2"]
    h = np.tanh(x @ w1 + b1)
    return np.sum(h @ w2 + b2) * tree["scale"]


def list_of_dicts(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer["w"] + layer["b"])
    return np.sum(h ** 2)


def namedtuple_of_namedtuple(model, x):
    enc = model.encoder
    return model.scale * np.sum(np.sin(x @ enc.w + enc.b))


def tree_with_none_and_unused_leaves(tree, x):
    return np.sum(tree["w"] * x)


def two_trees(a, b):
    return np.sum(a["x"] * b[0]) + np.sum(b[1] ** 2) * a["y"]


def tree_with_integer_leaf(tree, x):
    s = 0.0
    for _ in range(tree["steps"]):
        s = s + np.sum(tree["w"] * x)
    return s


def dict_of_lists(tree):
    return np.sum(tree["a"][0] * tree["a"][1]) + tree["b"][0] ** 2


def tuple_of_scalars(p):
    a, b, c = p
    return a * b + np.sin(c) * a


W, B, X = normal(3, 2), normal(2), normal(4, 3)

CASES = [
    *cases(dict_params, ({"w": W, "b": B}, X), ({"b": B, "w": W}, normal(3))),
    *cases(dict_params, ({"w": W, "b": B}, X), argnums=(0, 1)),
    *cases(list_of_weights, ([normal(3, 3), normal(2, 3)], normal(3)), argnums=0),
    *cases(list_of_weights, ([normal(2, 2)], normal(2)), argnums=(0, -1)),
    *cases(tuple_params, ((normal(3), normal(3)), normal(3)),
           ((0.5, normal(2)), normal(2))),
    *cases(namedtuple_params, (Linear(normal(3), 0.3), normal(3))),
    *cases(namedtuple_params, (Linear(normal(2, 2), normal(2)), normal(2)),
           argnums=(0, 1)),
    *cases(nested_dict_of_tuples, ({"layer1": (normal(3, 4), normal(4)),
                                    "layer2": (normal(4, 2), normal(2)),
                                    "scale": 0.8}, normal(3))),
    *cases(list_of_dicts, ([{"w": normal(3, 4), "b": normal(4)},
                            {"w": normal(4, 2), "b": normal(2)}], normal(2, 3))),
    *cases(namedtuple_of_namedtuple, (Model(Linear(normal(3, 2), normal(2)), 1.5),
                                      normal(3))),
    *cases(tree_with_none_and_unused_leaves, ({"w": normal(3), "unused": normal(2),
                                               "nothing": None}, normal(3))),
    *cases(two_trees, ({"x": normal(3), "y": 0.4}, (normal(3), normal(2))), argnums=(0, 1)),
    *cases(two_trees, ({"x": normal(3), "y": 0.4}, (normal(3), normal(2))), argnums=-1),
    *cases(tree_with_integer_leaf, ({"steps": 3, "w": normal(3)}, normal(3)), argnums=1),
    *cases(dict_of_lists, ({"a": [normal(2), normal(2)], "b": (0.3, normal(2))},)),
    *cases(tuple_of_scalars, ((0.5, -1.2, 0.3),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)


def test_gradient_containers_have_the_argument_types():
    grads = tp.grad(nested_dict_of_tuples)(
        {"layer1": (W, B), "layer2": (normal(2, 2), normal(2)), "scale": 0.8}, normal(3))
    assert isinstance(grads, dict) and sorted(grads) == ["layer1", "layer2", "scale"]
    assert isinstance(grads["layer1"], tuple) and len(grads["layer1"]) == 2
    g = tp.grad(namedtuple_of_namedtuple)(Model(Linear(W, B), 1.5), normal(3))
    assert isinstance(g, Model) and isinstance(g.encoder, Linear)
    g = tp.grad(list_of_weights)([normal(2, 2), normal(2, 2)], normal(2))
    assert isinstance(g, list) and len(g) == 2
    g = tp.grad(tree_with_none_and_unused_leaves)(
        {"w": normal(3), "unused": normal(2), "nothing": None}, normal(3))
    assert g["nothing"] is None
    np.testing.assert_array_equal(g["unused"], np.zeros(2))


def test_integer_leaf_in_a_differentiated_tree_is_a_type_error():
    # as in JAX: every leaf of a differentiated argument must be floating point
    with pytest.raises(TypeError, match="`tree`.*int"):
        tp.grad(tree_with_integer_leaf)({"steps": 3, "w": normal(3)}, normal(3))
