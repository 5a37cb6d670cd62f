"""Small read-only queries over gast trees shared by passes and analyses."""
import ast
import collections

import gast

from .core import CORE


def subnodes(node):
    """``node`` and every node under it, breadth first: ``ast.walk``, without its two
    generator layers per node (the compiler's analyses walk trees a great deal)."""
    todo = collections.deque((node,))
    pop, push = todo.popleft, todo.append
    while todo:
        node = pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)


def parents(tree):
    """``{id(node): its parent}`` for every node under ``tree`` (valid while the tree is
    not changed: the ids are those of its live nodes)."""
    found = {}
    for node in subnodes(tree):
        for child in gast.iter_child_nodes(node):
            found[id(child)] = node
    return found


def loaded_names(node):
    """Names read by ``node`` (an expression or statement), in order, with repeats."""
    return [n.id for n in subnodes(node)
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def all_stored(stmts):
    """Every name bound anywhere in a statement list (recursing into blocks), including
    the names of nested function definitions."""
    names = set()
    for stmt in stmts:
        for node in subnodes(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
                names.add(node.id)
            elif isinstance(node, gast.FunctionDef):
                names.add(node.name)
    return names


class Renamer(gast.NodeTransformer):
    """Renames names in place: ``Renamer({"x": "x_2"}).visit(tree)``."""

    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        node.id = self.mapping.get(node.id, node.id)
        return node


def dotted_name(node):
    """``np.linalg.norm`` for an Attribute chain on a Name, else None."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def is_static_ref(node, env, local_names):
    """True if ``node`` names something in the environment (np.exp, a user function...)."""
    path = dotted_name(node)
    if path is None:
        return False
    root = path.split(".")[0]
    if root in local_names:
        return False
    return root in env.bindings or root in CORE or env.lookup(gast.Name(
        id=root, ctx=gast.Load(), annotation=None, type_comment=None)) is not None


def blocks(stmt):
    """The statement lists directly nested in ``stmt``."""
    if isinstance(stmt, (gast.If, gast.For, gast.While)):
        return [stmt.body, stmt.orelse]
    return []


def iter_statements(stmts):
    """Every statement in a list, recursively, outer before inner (not into nested defs)."""
    for stmt in stmts:
        yield stmt
        for block in blocks(stmt):
            yield from iter_statements(block)


def map_statements(stmts, fn):
    """Rebuild a statement list, replacing each statement by ``fn(stmt)`` (a list).

    ``fn`` is applied after the statement's nested blocks have been rebuilt.
    """
    out = []
    for stmt in stmts:
        for attr in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                setattr(stmt, attr, map_statements(getattr(stmt, attr), fn))
        out.extend(fn(stmt))
    return out
