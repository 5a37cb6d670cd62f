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


# ------------------------------------------------------------ from a batch of tangents

def _batch_count(x):
    """How many basis vectors ``basis(x)`` has (one, a zero tangent, where x is empty)."""
    return max(sum(_sizes(x)), 1)


def _single_arrays(stacked, x, out):
    """Are ``x`` and ``out`` single arrays (no pytree) and ``stacked`` full-size?"""
    return (not isinstance(x, (list, tuple, dict)) and not isinstance(out, (list, tuple, dict))
            and np.size(x) > 0 and isinstance(stacked, np.ndarray)
            and stacked.shape == (_batch_count(x),) + np.shape(out))


def basis_batch(x):
    """``basis(x)`` as one batch: each leaf with the basis index as a first axis (an
    identity matrix, shaped, for an array)."""
    leaves, tree = tree_flatten(x)
    n = _batch_count(x)
    if tree.kind is None and np.size(x):
        eye = np.eye(n, dtype=_float_dtype(x))
        return eye.reshape((n,) + np.shape(x))
    from .batching import stack_examples
    return stack_examples(basis(x))


def jacobian_of_batch(stacked, x, out):
    """The Jacobian from the tangents of ``out`` along every basis vector of ``x``, as a
    batch (each leaf's first axis the basis index; a leaf may be lazily broadcast per
    basis vector): ``jacobian_of_columns`` of its examples, at once for arrays."""
    if _single_arrays(stacked, x, out):
        jacobian = np.moveaxis(stacked, 0, -1).reshape(np.shape(out) + np.shape(x))
        return np.array(jacobian, dtype=_float_dtype(out))
    from .batching import example_of
    columns = [example_of(stacked, k) for k in range(_batch_count(x))]
    return jacobian_of_columns(columns, x, out)


def batch_of_jacobian(g, stacked, x, out):
    """The transpose of ``jacobian_of_batch``: the cotangent of the batch of tangents."""
    n = _batch_count(x)
    if _single_arrays(stacked, x, out):
        g = np.broadcast_to(g, np.shape(out) + np.shape(x))
        return np.moveaxis(np.reshape(g, np.shape(out) + (n,)), -1, 0)
    from .batching import example_of, stack_examples
    columns = [example_of(stacked, k) for k in range(n)]
    return _summed_per_example(stack_examples(columns_of_jacobian(g, columns, x, out)),
                               stacked)


def _summed_per_example(full, like):
    """``full`` (a batch, full-size leaves) summed, example by example, down to the
    leaves of the batch ``like`` that stand for their broadcast."""
    from .adjoint import sum_to
    if isinstance(like, dict):
        return {k: _summed_per_example(full[k], v) for k, v in like.items()}
    if isinstance(like, (list, tuple)):
        items = [_summed_per_example(f, v) for f, v in zip(full, like)]
        return type(like)(*items) if hasattr(like, "_fields") else type(like)(items)
    shape = np.shape(like)
    if np.shape(full) == shape:
        return full
    return np.stack([sum_to(f, shape[1:], np.shape(f)) for f in full])


def _single_rows(stacked, x, out, count):
    """Are ``x`` and ``out`` single arrays (no pytree) and the rows full-size?"""
    return (not isinstance(x, (list, tuple, dict)) and not isinstance(out, (list, tuple, dict))
            and np.size(out) > 0 and isinstance(stacked, np.ndarray)
            and stacked.shape == (count,) + np.shape(x))


def jacobian_of_row_batch(stacked, x, out):
    """The Jacobian from the adjoints of ``x`` for every basis vector of ``out``, as a
    batch (the basis index first on each leaf): ``jacobian_of_rows`` of its examples,
    at once for arrays."""
    count = _batch_count(out)
    if _single_rows(stacked, x, out, count):
        return np.array(stacked.reshape(np.shape(out) + np.shape(x)), dtype=_float_dtype(x))
    from .batching import example_of
    return jacobian_of_rows([example_of(stacked, k) for k in range(count)], x, out)


def row_batch_of_jacobian(g, stacked, x, out):
    """The transpose of ``jacobian_of_row_batch``: the cotangent of the batch of rows."""
    count = _batch_count(out)
    if _single_rows(stacked, x, out, count):
        return np.reshape(np.broadcast_to(g, np.shape(out) + np.shape(x)), stacked.shape)
    from .batching import example_of, stack_examples
    rows = [example_of(stacked, k) for k in range(count)]
    return _summed_per_example(stack_examples(rows_of_jacobian(g, rows, x, out)), stacked)
