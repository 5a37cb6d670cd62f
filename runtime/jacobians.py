"""Jacobians assembled from forward or reverse passes (what ``jacfwd``/``jacrev`` call).

A pytree ``x`` is seen through its leaves, in order, flattened: its basis (``basis``) is
one tangent per entry of every float leaf, each with ``x``'s structure.  A Jacobian of
``out`` with respect to ``x`` has ``out``'s structure, each leaf replaced by ``x``'s
structure, each of those leaves an array of shape ``out_leaf.shape + x_leaf.shape`` (as
JAX's ``jacfwd``/``jacrev``).
"""
import numpy as np

from .adjoint import as_gradient
from .pytree import tree_flatten, tree_unflatten


def _float_dtype(leaf):
    dtype = np.result_type(leaf)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def basis(x):
    """The tangents of the standard basis of ``x`` (a list, one per entry of its leaves).
    An ``x`` without entries has one zero tangent, so that a loop over the basis runs
    the function once (its output's shape is part of the Jacobian's)."""
    leaves, tree = tree_flatten(x)
    if sum(int(np.size(leaf)) for leaf in leaves) == 0:
        from .adjoint import zero_tangent
        return [zero_tangent(x)]
    out = []
    for k, leaf in enumerate(leaves):
        for index in np.ndindex(np.shape(leaf)):
            parts = [np.zeros(np.shape(other), _float_dtype(other)) if np.ndim(other)
                     else _float_dtype(other).type(0.0) for other in leaves]
            if np.ndim(leaf):
                parts[k][index] = 1.0
            else:
                parts[k] = _float_dtype(leaf).type(1.0)
            out.append(tree_unflatten(tree, parts) if tree.kind is not None else parts[0])
    return out


def _flat(tree):
    return [np.reshape(np.asarray(leaf, dtype=_float_dtype(leaf)), -1)
            for leaf in tree_flatten(tree)[0]]


def _assemble(table, out, x):
    """``table[i][j]``: the block of out leaf i and x leaf j, flat (m_i, n_j) -> pytree."""
    out_leaves, out_tree = tree_flatten(out)
    x_leaves, x_tree = tree_flatten(x)
    blocks = []
    for i, out_leaf in enumerate(out_leaves):
        row = [np.reshape(table[i][j], np.shape(out_leaf) + np.shape(x_leaf))
               for j, x_leaf in enumerate(x_leaves)]
        blocks.append(tree_unflatten(x_tree, row) if x_tree.kind is not None else row[0])
    return tree_unflatten(out_tree, blocks) if out_tree.kind is not None else blocks[0]


def _sizes(tree):
    return [int(np.size(leaf)) for leaf in tree_flatten(tree)[0]]


def _splits(sizes):
    return np.cumsum(sizes)[:-1]


def _gather(vectors, count, like):
    """One ``(count, size)`` array per leaf of ``like``: row k holds that leaf of
    ``vectors[k]`` (which may be a lazily broadcast value; a list's whole cotangent may be
    one value standing for every item)."""
    if not isinstance(vectors, (list, tuple)):
        vectors = [vectors] * count
    blocks = [np.zeros((count, int(np.size(leaf))), _float_dtype(leaf))
              for leaf in tree_flatten(like)[0]]
    for k, vector in enumerate(vectors[:count]):
        for block, part in zip(blocks, _flat(as_gradient(vector, like))):
            block[k] = part
    return blocks


def jacobian_of_columns(columns, x, out):
    """The Jacobian from ``columns[k]``, the tangent of ``out`` along ``basis(x)[k]``."""
    n_sizes = _sizes(x)
    flat = [block.T for block in _gather(columns, sum(n_sizes), out)]      # (m_i, n)
    table = [np.split(block, _splits(n_sizes), axis=1) for block in flat]
    return _assemble(table, out, x)


def jacobian_of_rows(rows, x, out):
    """The Jacobian from ``rows[k]``, the adjoint of ``x`` for ``basis(out)[k]`` (rows may
    be lazily broadcast adjoints)."""
    m_sizes = _sizes(out)
    flat = _gather(rows, sum(m_sizes), x)                                   # (m, n_j)
    table = list(zip(*[np.split(block, _splits(m_sizes), axis=0) for block in flat])) \
        if flat else [[] for _ in m_sizes]
    return _assemble(table, out, x)


def columns_of_jacobian(g, columns, x, out):
    """The transpose of ``jacobian_of_columns``: the cotangent of each column."""
    out_leaves, _ = tree_flatten(out)
    blocks = _blocks(g, out, x)
    result = []
    for k in range(len(columns)):
        parts = [block[:, k].reshape(np.shape(leaf)) for block, leaf in zip(blocks, out_leaves)]
        result.append(_rebuild(out, parts))
    return result


def rows_of_jacobian(g, rows, x, out):
    """The transpose of ``jacobian_of_rows``: the cotangent of each row."""
    x_leaves, _ = tree_flatten(x)
    blocks = _blocks(g, out, x)                     # (m_i, n) per out leaf
    whole = np.concatenate(blocks, axis=0) if blocks else np.zeros((0, sum(_sizes(x))))
    cuts = _splits(_sizes(x))
    result = []
    for k in range(len(rows)):
        parts = [p.reshape(np.shape(leaf)) for p, leaf in
                 zip(np.split(whole[k], cuts), x_leaves)]
        result.append(_as_lazy(_rebuild(x, parts), rows[k]))
    return result


def _as_lazy(cotangent, row):
    """The cotangent of a row that may be a lazily broadcast adjoint (a scalar standing
    for a whole pytree, an array standing for a larger one): summed down to it."""
    from .adjoint import sum_to
    if isinstance(row, (list, tuple, dict)):
        if isinstance(row, dict):
            return {key: _as_lazy(cotangent[key], value) for key, value in row.items()}
        return type(row)(_as_lazy(c, r) for c, r in zip(cotangent, row)) \
            if not hasattr(row, "_fields") else type(row)(*[_as_lazy(c, r) for c, r in
                                                             zip(cotangent, row)])
    if isinstance(cotangent, (list, tuple, dict)):
        return sum(float(np.sum(leaf)) for leaf in tree_flatten(cotangent)[0])
    if np.shape(cotangent) != np.shape(row):
        return sum_to(cotangent, np.shape(row), np.shape(cotangent))
    return cotangent


def _blocks(g, out, x):
    """A Jacobian-shaped pytree ``g`` as one (m_i, n) array per out leaf."""
    out_leaves, out_tree = tree_flatten(out)
    n = sum(_sizes(x))
    k_x = len(tree_flatten(x)[0])
    per_out = tree_flatten(g)[0]
    if len(per_out) != k_x * len(out_leaves):
        per_out = per_out * (k_x * len(out_leaves))      # a scalar standing for every block
    blocks = []
    for i, leaf in enumerate(out_leaves):
        parts = per_out[i * k_x:(i + 1) * k_x]
        m = int(np.size(leaf))
        blocks.append(np.concatenate([np.reshape(np.broadcast_to(p, np.shape(leaf) + np.shape(xl)),
                                                 (m, -1)) for p, xl in
                                      zip(parts, tree_flatten(x)[0])], axis=1)
                      if parts else np.zeros((m, n)))
    return blocks


def _rebuild(like, parts):
    _, tree = tree_flatten(like)
    return tree_unflatten(tree, parts) if tree.kind is not None else parts[0]
