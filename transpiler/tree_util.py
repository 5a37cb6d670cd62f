"""``tp.tree_util``: pytrees (nested tuples, lists, dicts, namedtuples, None), as in JAX.

    >>> from transpiler import tree_util
    >>> tree_util.tree_map(lambda x: x * 2, {"b": 1, "a": (2, None)})
    {'a': (4, None), 'b': 2}
"""
from runtime.pytree import (PyTreeDef, register_pytree_node, tree_flatten, tree_leaves,
                            tree_map, tree_structure, tree_unflatten)

__all__ = ["PyTreeDef", "register_pytree_node", "tree_flatten", "tree_leaves", "tree_map",
           "tree_structure", "tree_unflatten"]
