import collections

import pytest

from transpiler import tree_util as tu

Point = collections.namedtuple("Point", "x y")


def test_flatten_orders_dict_keys_and_skips_none():
    leaves, treedef = tu.tree_flatten({"b": [1, 2], "a": None, "c": (3, Point(4, 5))})
    assert leaves == [1, 2, 3, 4, 5]
    assert treedef.num_leaves == 5
    rebuilt = tu.tree_unflatten(treedef, leaves)
    assert rebuilt == {"a": None, "b": [1, 2], "c": (3, Point(4, 5))}
    assert isinstance(rebuilt["c"][1], Point)


def test_map_over_several_trees():
    assert tu.tree_map(lambda a, b: a + b, (1, [2]), (10, [20])) == (11, [22])
    with pytest.raises(ValueError):
        tu.tree_map(lambda a, b: a, (1, 2), [1, 2])


def test_leaf_and_structure_helpers():
    assert tu.tree_leaves([1, (2, None), {"z": 3}]) == [1, 2, 3]
    assert tu.tree_structure(5).num_leaves == 1


def test_registered_node_type():
    class Box:
        def __init__(self, items, label):
            self.items, self.label = items, label

    tu.register_pytree_node(Box, lambda b: (b.items, b.label),
                            lambda label, children: Box(list(children), label))
    leaves, treedef = tu.tree_flatten(Box([1, 2], "tag"))
    assert leaves == [1, 2]
    box = tu.tree_unflatten(treedef, [5, 6])
    assert box.items == [5, 6] and box.label == "tag"


def test_unflatten_checks_leaf_count():
    _, treedef = tu.tree_flatten((1, 2))
    with pytest.raises(ValueError):
        tu.tree_unflatten(treedef, [1])
    with pytest.raises(ValueError):
        tu.tree_unflatten(treedef, [1, 2, 3])
