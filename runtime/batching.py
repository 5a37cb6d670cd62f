"""What batched code (``tp.vmap``) calls at run time.

Batched code keeps the batch axis of every batched value first; a value that is the
same for every example has no batch axis.  Where one must get it (a buffer that batched
values are written into, a value carried around a loop with batched ones), it is
broadcast and copied: the copy may be written in place.
"""
import numpy as np

from .adjoint import part


def broadcast_batch(value, size):
    """``value`` repeated ``size`` times along a new first axis, as a new array."""
    value = np.asarray(value)
    out = np.empty((size,) + value.shape, dtype=value.dtype)
    out[...] = value
    return out



def _leaves_map(fn, tree, *others):
    """``fn`` on each leaf of ``tree`` and the matching parts of ``others`` (adjoints of
    the same structure, or a number standing for every leaf: ``part``)."""
    if isinstance(tree, dict):
        return {k: _leaves_map(fn, v, *[part(o, k) for o in others]) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        items = [_leaves_map(fn, v, *[part(o, k) for o in others])
                 for k, v in enumerate(tree)]
        return items if isinstance(tree, list) else tuple(items)
    if tree is None:
        return None
    return fn(tree, *others)


def example_of(tree, index):
    """Example ``index`` of a batched value (every array leaf indexed along its first
    axis)."""
    return _leaves_map(lambda leaf: leaf[index], tree)


def example_adjoint(g, tree, index):
    """The adjoint of ``example_of(tree, index)``: ``g`` in example ``index`` of zeros
    shaped like ``tree``."""
    def leaf(x, d):
        out = np.zeros(np.shape(x))
        out[index] = d
        return out
    return _leaves_map(leaf, tree, g)


def stack_examples(results, axis=0):
    """Per-example results (one structure, arrays or numbers at the leaves) stacked
    along a new axis ``axis``, leaf by leaf."""
    first = results[0]
    return _leaves_map(lambda leaf, *rest: np.stack([leaf] + list(rest), axis=axis), first,
                       *results[1:])


def unstack_examples(g, results, axis=0):
    """The adjoint of ``stack_examples(results, axis)``: one part of ``g`` per example."""
    return [_leaves_map(lambda leaf: np.take(leaf, k, axis=axis), g)
            for k in range(len(results))]


def batch_size_of(tree):
    """The batch size of a batched value: the length of its first array leaf."""
    if isinstance(tree, dict):
        tree = [tree[k] for k in tree]
    if isinstance(tree, (list, tuple)):
        for item in tree:
            size = batch_size_of(item)
            if size is not None:
                return size
        return None
    return len(tree) if np.ndim(tree) else None
