"""What batched code (``tp.vmap``) calls at run time.

Batched code keeps the batch axis of every batched value first; a value that is the
same for every example has no batch axis.  Where one must get it (a buffer that batched
values are written into, a value carried around a loop with batched ones), it is
broadcast and copied: the copy may be written in place.
"""
import numpy as np

from .adjoint import _float_dtype, check_real, part


# the loop over the examples of vmap's loop form under jit: Numba's prange where Numba
# compiles the code (``backends/nopython.py``), a plain range otherwise
prange = range


def batch_buffer(first, size):
    """The array the loop form writes each example's result into, shaped and typed by
    example 0's result ``first``."""
    first = np.asarray(first)
    return np.empty((size,) + first.shape, first.dtype)


def broadcast_batch(value, size):
    """``value`` repeated ``size`` times along a new first axis, as a new array."""
    value = np.asarray(value)
    out = np.empty((size,) + value.shape, dtype=value.dtype)
    out[...] = value
    return out



def _leaves_map(fn, tree, *others, shared=None):
    """``fn`` on each leaf of ``tree`` and the matching parts of ``others`` (adjoints of
    the same structure, or a number standing for every leaf: ``part``).  With
    ``shared`` (a dict), a list or dict met twice (the same object: a saved value
    holding a list that is also held elsewhere) gives the same new object both times,
    so what the code does to one the other sees, as it did; likewise an array (the
    same array object; a view of another is not kept one)."""
    if isinstance(tree, (dict, list)) and shared is not None and id(tree) in shared:
        return shared[id(tree)][1]
    if isinstance(tree, dict):
        out = {}
        if shared is not None:
            shared[id(tree)] = (tree, out)          # (the object kept alive with its id)
        out.update((k, _leaves_map(fn, v, *[part(o, k) for o in others], shared=shared))
                   for k, v in tree.items())
        return out
    if isinstance(tree, (list, tuple)):
        out = []
        if shared is not None and isinstance(tree, list):
            shared[id(tree)] = (tree, out)
        out.extend(_leaves_map(fn, v, *[part(o, k) for o in others], shared=shared)
                   for k, v in enumerate(tree))
        return out if isinstance(tree, list) else tuple(out)
    if tree is None:
        return None
    if shared is not None and isinstance(tree, np.ndarray):
        # an array held in two places: one array in the batch too
        if id(tree) not in shared:
            shared[id(tree)] = (tree, fn(tree, *others))
        return shared[id(tree)][1]
    return fn(tree, *others)


def example_of(tree, index):
    """Example ``index`` of a batched value (every array leaf indexed along its first
    axis; a string or None in it is the same for every example)."""
    return _leaves_map(lambda leaf: leaf[index] if isinstance(leaf, np.ndarray) else leaf,
                       tree, shared={})


def example_adjoint(g, tree, index):
    """The adjoint of ``example_of(tree, index)``: ``g`` in example ``index`` of zeros
    shaped like ``tree``."""
    def leaf(x, d):
        out = np.zeros(np.shape(x))
        out[index] = d
        return out
    return _leaves_map(leaf, tree, g)


def _along(fn, tree, axes, *others, shared=None):
    """``fn(leaf, axis, *parts)`` on each leaf of ``tree``, ``axis`` its entry in the
    pytree prefix ``axes`` (an int or None stands for every leaf under it); ``shared``
    as for ``_leaves_map``."""
    if isinstance(axes, dict):
        if not isinstance(tree, dict) or set(tree) != set(axes):
            raise _mismatch(tree, axes)
        return {k: _along(fn, v, axes[k], *[part(o, k) for o in others], shared=shared)
                for k, v in tree.items()}
    if isinstance(axes, (list, tuple)):
        if not isinstance(tree, (list, tuple)) or len(tree) != len(axes):
            raise _mismatch(tree, axes)
        items = [_along(fn, v, axes[k], *[part(o, k) for o in others], shared=shared)
                 for k, v in enumerate(tree)]
        return items if isinstance(tree, list) else tuple(items)
    return _leaves_map(lambda leaf, *rest: fn(leaf, axes, *rest), tree, *others,
                       shared=shared)


def _mismatch(tree, axes):
    kind = type(tree).__name__
    size = " of %d" % len(tree) if isinstance(tree, (list, tuple, dict)) else ""
    return ValueError("vmap axes %r do not match the structure of the value (a %s%s)"
                      % (axes, kind, size))


def _same_for_every_example(leaf):
    """Example 0 of a batched leaf that ``out_axes`` None says is the same for every
    example (a ValueError if it is not)."""
    leaf = np.asarray(leaf)
    if not all(np.array_equal(leaf[0], other, equal_nan=True) for other in leaf[1:]):
        raise ValueError("vmap: an output whose out_axes entry is None differs between "
                         "examples; give it an int (where its batch axis goes)")
    return leaf[0]


def stack_examples(results, axis=0):
    """Per-example results (one structure, arrays or numbers at the leaves) stacked
    leaf by leaf along a new axis ``axis`` (an int, None for a leaf the same in every
    example, or a pytree prefix of them)."""
    def leaf(first, axis, *rest):
        if axis is None:
            return _same_for_every_example([first] + list(rest))
        return np.stack([first] + list(rest), axis=axis)
    # a list held twice in each example's result is one list in the batch's
    return _along(leaf, results[0], axis, *results[1:], shared={})


def unstack_examples(g, results, axis=0):
    """The adjoint of ``stack_examples(results, axis)``: one part of ``g`` per example
    (a leaf the same in every example came from example 0)."""
    def leaf(d, axis, k):
        if axis is None:
            return d if k == 0 else np.zeros_like(d)
        return np.take(d, k, axis=axis)
    return [_along(lambda d, axis: leaf(d, axis, k), g, axis) for k in range(len(results))]


def move_batch_axes(tree, axes, size):
    """Each leaf of ``tree`` with its batch axis first: ``axes`` is the argument's
    ``in_axes`` entry (a pytree prefix); a leaf it maps to None is the same for every
    example, broadcast (and copied: batched code may write into it)."""
    return _along(lambda leaf, axis: broadcast_batch(leaf, size) if axis is None
                  else np.moveaxis(leaf, axis, 0), tree, axes)


def move_batch_axes_adjoint(g, tree, axes):
    """The adjoint of ``move_batch_axes(tree, axes, size)`` (a number in ``g`` stands for
    its broadcast over a leaf)."""
    size = batch_size_along(tree, axes)
    def leaf(x, axis, d):
        if np.ndim(d) == 0:
            return d if axis is not None else d * size
        return np.sum(d, axis=0) if axis is None else np.moveaxis(d, 0, axis)
    return _along(leaf, tree, axes, g)


def place_batch_axes(tree, axes):
    """The batched output ``tree`` (batch axes first) with each leaf's batch axis where
    its ``out_axes`` entry puts it; None: the leaf is the same for every example and
    comes back without one."""
    return _along(lambda leaf, axis: _same_for_every_example(leaf) if axis is None
                  else np.moveaxis(leaf, 0, axis), tree, axes)


def place_batch_axes_adjoint(g, tree, axes):
    """The adjoint of ``place_batch_axes(tree, axes)``."""
    def leaf(x, axis, d):
        if axis is None:
            out = np.zeros(np.shape(x))
            out[0] = d
            return out
        return d if np.ndim(d) == 0 else np.moveaxis(d, axis, 0)
    return _along(leaf, tree, axes, g)


def batch_size_along(tree, axes):
    """The batch size of an argument batched by the pytree prefix ``axes``: the length
    of its first leaf mapped along an axis."""
    sizes = []
    _along(lambda leaf, axis: axis is None or sizes.append(np.shape(leaf)[axis]), tree, axes)
    return sizes[0] if sizes else None


def example_like(tree):
    """A value with the shape and dtype of one example of the batched ``tree`` (each
    leaf a read-only view of one zero), for what reads an example's shape alone."""
    return _leaves_map(lambda leaf: np.broadcast_to(np.zeros((), leaf.dtype), leaf.shape[1:])
                       if isinstance(leaf, np.ndarray) else leaf, tree)


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


def _example_leading(d, rank):
    """A batched leaf ``d`` (batch axis first) with axes inserted after the batch axis
    up to ``rank`` axes per example: NumPy then broadcasts it as it would one example."""
    d = np.asarray(d)
    missing = rank - (d.ndim - 1)
    if missing <= 0:
        return d
    return d.reshape(d.shape[:1] + (1,) * missing + d.shape[1:])


def as_batch_gradient(d, x, size, x_batched):
    """``as_gradient`` of each example: ``d`` batched (a batch axis first on every leaf;
    a leaf may stand for its broadcast to the example's shape), ``x`` batched as well
    or the same for every example; the gradients, batch axis first, as new arrays."""
    def leaf(x, d):
        shape = np.shape(x)[1:] if x_batched else np.shape(x)
        check_real(np.result_type(d), "a complex value met the derivative of a real argument")
        dtype = _float_dtype(x)
        if (isinstance(d, np.ndarray) and d.shape == (size,) + shape and d.dtype == dtype
                and d.base is None and d.flags.writeable):
            return d                        # a fresh array of its own: as it is
        if np.ndim(d) == 0:                 # a number: every example's every element
            d = np.reshape(d, (1,) * (len(shape) + 1))
        d = _example_leading(d, len(shape))
        return np.array(np.broadcast_to(d, (size,) + shape), dtype=dtype)
    return _leaves_map(leaf, x, d)


def as_batch_gradient_adjoint(g, d, x, x_batched):
    """The adjoint of ``as_batch_gradient(d, x, size, x_batched)`` for ``d``: each
    leaf's cotangent summed back over the axes its ``d`` was broadcast along."""
    def leaf(x, d, g):
        g = np.asarray(g)
        if np.ndim(d) == 0:
            return np.sum(g)
        shape = np.shape(x)[1:] if x_batched else np.shape(x)
        padded = _example_leading(d, len(shape)).shape
        g = np.broadcast_to(g, padded[:1] + tuple(shape))
        axes = tuple(k for k, n in enumerate(padded) if n == 1 and g.shape[k] != 1)
        return np.sum(g, axis=axes, keepdims=True).reshape(np.shape(d)) if axes else \
            g.reshape(np.shape(d))
    return _leaves_map(leaf, x, d, g)


def as_batch_gradients(ds, xs, size, xs_batched):
    """``as_gradients`` of each example (``as_batch_gradient`` of each argument)."""
    return tuple(as_batch_gradient(part(ds, k), x, size, xs_batched)
                 for k, x in enumerate(xs))
