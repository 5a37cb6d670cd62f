"""Pytrees: nested tuples, lists, dicts, namedtuples and None, as in JAX.

Dict children are visited in sorted key order; ``None`` is a node without leaves; other
types become containers with ``register_pytree_node``.
"""
from collections import OrderedDict, namedtuple

_REGISTRY = {}


class PyTreeDef:
    """The structure of a pytree without its leaves."""

    __slots__ = ("kind", "aux", "children")

    def __init__(self, kind, aux, children):
        self.kind = kind              # None for a leaf
        self.aux = aux
        self.children = tuple(children)

    @property
    def num_leaves(self):
        if self.kind is None:
            return 1
        return sum(child.num_leaves for child in self.children)

    @property
    def num_nodes(self):
        return 1 + sum(child.num_nodes for child in self.children)

    def __eq__(self, other):
        return (isinstance(other, PyTreeDef) and self.kind == other.kind
                and self.aux == other.aux and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, repr(self.aux), self.children))

    def __repr__(self):
        return "PyTreeDef(%s)" % self._render()

    def _render(self):
        if self.kind is None:
            return "*"
        inner = ", ".join(child._render() for child in self.children)
        name = getattr(self.kind, "__name__", str(self.kind))
        if self.kind is dict:
            keys = self.aux
            return "{%s}" % ", ".join("%r: %s" % (k, c._render()) for k, c in
                                      zip(keys, self.children))
        if self.kind is type(None):
            return "None"
        return "%s(%s)" % (name, inner)


_LEAF = PyTreeDef(None, None, ())


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _node(x):
    """(kind, aux, children) for a container, or None for a leaf."""
    if x is None:
        return type(None), None, ()
    kind = type(x)
    if kind in _REGISTRY:
        flatten, _ = _REGISTRY[kind]
        children, aux = flatten(x)
        return kind, aux, tuple(children)
    if isinstance(x, dict):
        keys = sorted(x)
        return (dict if kind is dict else kind), tuple(keys), tuple(x[k] for k in keys)
    if _is_namedtuple(x):
        return kind, None, tuple(x)
    if isinstance(x, (tuple, list)):
        return kind, None, tuple(x)
    return None


def tree_flatten(tree):
    """``(leaves, treedef)``: the leaves in order and the structure to rebuild the tree."""
    leaves = []
    treedef = _flatten(tree, leaves)
    return leaves, treedef


def _flatten(tree, leaves):
    node = _node(tree)
    if node is None:
        leaves.append(tree)
        return _LEAF
    kind, aux, children = node
    return PyTreeDef(kind, aux, [_flatten(child, leaves) for child in children])


def tree_unflatten(treedef, leaves):
    """The tree with structure ``treedef`` and the given leaves."""
    it = iter(leaves)
    tree = _build(treedef, it)
    rest = list(it)
    if rest:
        raise ValueError("too many leaves for %r: %d left over" % (treedef, len(rest)))
    return tree


def _build(treedef, it):
    if treedef.kind is None:
        try:
            return next(it)
        except StopIteration:
            raise ValueError("too few leaves for the tree structure") from None
    children = [_build(child, it) for child in treedef.children]
    kind = treedef.kind
    if kind is type(None):
        return None
    if kind in _REGISTRY:
        return _REGISTRY[kind][1](treedef.aux, children)
    if kind is dict or issubclass(kind, dict):
        pairs = list(zip(treedef.aux, children))
        return dict(pairs) if kind is dict else kind(pairs)
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return kind(*children)
    return kind(children)


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_structure(tree):
    return tree_flatten(tree)[1]


def tree_map(f, tree, *rest):
    """Apply ``f`` to the leaves of ``tree`` (and the matching leaves of ``rest``)."""
    leaves, treedef = tree_flatten(tree)
    others = []
    for other in rest:
        other_leaves, other_def = tree_flatten(other)
        if other_def != treedef:
            raise ValueError("tree_map: structures differ: %r and %r" % (treedef, other_def))
        others.append(other_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def register_pytree_node(nodetype, flatten_func, unflatten_func):
    """Make ``nodetype`` a container: ``flatten_func(x) -> (children, aux)`` and
    ``unflatten_func(aux, children) -> x``."""
    _REGISTRY[nodetype] = (flatten_func, unflatten_func)


__all__ = ["PyTreeDef", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure",
           "tree_map", "register_pytree_node", "OrderedDict", "namedtuple"]
