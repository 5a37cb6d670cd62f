"""Batched functions on a Dask cluster: ``tp.dask.vmap``.

``tp.dask.vmap(f, in_axes, out_axes)`` is ``tp.vmap(f, in_axes, out_axes)`` mapped over
the chunks of ``dask.array`` arrays along their batch axis: each chunk of examples is one
task, which runs the batched code on it.  The batched function travels to the workers
by source (``transpiler/pickling.py``), so a function defined in ``__main__`` or a
notebook runs on them; each worker process makes its code once.

Imported when ``tp.dask`` is first used: ``import transpiler`` does not import Dask.
"""
import itertools
import operator

import numpy as np

try:
    import dask.array as da
except ImportError as exc:                    # pragma: no cover (the extra is missing)
    raise ImportError("tp.dask needs Dask: pip install 'transpiler[dask]' (or "
                      "pip install 'dask[array,distributed]')") from exc

from . import api, pickling
from runtime.pytree import tree_flatten, tree_leaves, tree_unflatten


def vmap(fun, in_axes=0, out_axes=0):
    """``tp.vmap(fun, in_axes, out_axes)`` over the chunks of Dask arrays.

    Args:
      fun: a Python function of one example, or a transformed one (``tp.grad(loss)``).
      in_axes: as for ``tp.vmap``: an int or None, or a tuple/list with one int or None
        per positional argument.  A batched argument is a ``dask.array`` array (or a
        NumPy array, cut into the same chunks as the others); it is split along its
        batch axis only -- chunks along its other axes are joined.  An argument with
        ``None`` is a NumPy array or any picklable value, sent whole to every chunk.
      out_axes: the batch axis of every output array (an int).

    Returns:
      A function of the same positional arguments returning Dask arrays, one per leaf
      of ``fun``'s result (a single array, or a tuple, dict... of them), chunked along
      their batch axis as the inputs are.  Nothing runs until they are computed; the
      shapes and dtypes of the result are found by running the batched function once,
      here, on zeros shaped like two examples.

    Example:
      >>> import numpy as np, dask.array as da, transpiler as tp
      >>> xs = da.from_array(np.arange(6.0).reshape(3, 2), chunks=(2, 2))
      >>> tp.dask.vmap(lambda x, w: x @ w, in_axes=(0, None))(xs, np.ones(2)).compute()
      array([1., 5., 9.])
    """
    if isinstance(in_axes, (tuple, list)):
        for axis in in_axes:
            if axis is not None and not _is_int(axis):
                raise TypeError("tp.dask.vmap takes in_axes entries that are ints or None, "
                                "got %r: pass each leaf of a structured argument as an "
                                "argument of its own" % (axis,))
    if not _is_int(out_axes):
        raise TypeError("tp.dask.vmap takes out_axes as an int (every output batched), got "
                        "%r: for a result the same for every example, call the function "
                        "on one example instead" % (out_axes,))
    return Mapped(api.vmap(fun, in_axes=in_axes, out_axes=out_axes), in_axes, out_axes)


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


class Mapped:
    """A batched function mapped over the chunks of Dask arrays (``vmap``)."""

    def __init__(self, batched, in_axes, out_axes):
        self.batched = batched
        self.in_axes = in_axes
        self.out_axes = int(out_axes)
        self.__name__ = "dask_" + batched.__name__
        self.__doc__ = batched.__doc__

    def __call__(self, *args, **kwargs):
        if kwargs:
            raise TypeError("%s takes its arguments by position, got keyword argument(s) %s"
                            % (self.__name__, ", ".join(sorted(kwargs))))
        axes = self._axes(len(args))
        batched = {k: self._batched_argument(k, arg, axis)
                   for k, (arg, axis) in enumerate(zip(args, axes)) if axis is not None}
        for k, axis in enumerate(axes):
            if axis is None and isinstance(args[k], da.Array):
                raise TypeError("%s: argument %d is not batched (in_axes None) but is a Dask "
                                "array; pass it as a NumPy array (x.compute()), sent whole to "
                                "every chunk" % (self.__name__, k))
        chunks = self._batch_chunks(batched)
        arrays = {}
        for k, (arg, axis) in batched.items():
            if not isinstance(arg, da.Array):
                arg = da.from_array(arg, chunks={axis: chunks})
            whole = {d: -1 for d in range(arg.ndim) if d != axis and len(arg.chunks[d]) > 1}
            arrays[k] = arg.rechunk(whole) if whole else arg
        fixed = [None if k in batched else arg for k, arg in enumerate(args)]
        leaves, tree = tree_flatten(self._example_result(arrays, batched, fixed))
        blocks = _Blocks(self.batched, pickling.dumps(self.batched), fixed, sorted(arrays))
        # one task per chunk of examples: index 0 is the batch axis; every other axis of
        # an argument has an index of its own (one chunk: joined, concatenate=True)
        pattern, fresh = [], itertools.count(1)
        for k in sorted(arrays):
            array, axis = arrays[k], batched[k][1]
            pattern += [array, tuple(0 if d == axis else next(fresh) for d in range(array.ndim))]
        results = da.blockwise(blocks, (0,), *pattern, concatenate=True,
                               meta=np.empty((0,), dtype=object))
        outputs = [self._leaf(results, k, leaf) for k, leaf in enumerate(leaves)]
        return tree_unflatten(tree, outputs)

    def _axes(self, count):
        if not isinstance(self.in_axes, (tuple, list)):
            return [self.in_axes] * count
        if len(self.in_axes) != count:
            raise ValueError("%s: in_axes has %d entries (%r) but %d arguments were given: "
                             "give one entry per positional argument"
                             % (self.__name__, len(self.in_axes), self.in_axes, count))
        return list(self.in_axes)

    def _batched_argument(self, k, arg, axis):
        """``(array, axis)`` for a batched argument, its axis counted from the front."""
        if not isinstance(arg, da.Array):
            if isinstance(arg, (tuple, list, dict)) or arg is None:
                raise TypeError("%s: batched argument %d is a %s; tp.dask.vmap maps arrays: "
                                "pass each leaf as an argument of its own"
                                % (self.__name__, k, type(arg).__name__))
            arg = np.asarray(arg)
        if not -arg.ndim <= axis < arg.ndim:
            raise ValueError("%s was asked to map argument %d along axis %d, but it has rank "
                             "%d (shape %s)" % (self.__name__, k, axis, arg.ndim, arg.shape))
        return arg, axis % arg.ndim

    def _batch_chunks(self, batched):
        """The chunks of the batch axis: those of the first Dask array (the others are
        cut alike); every batched argument has the same batch size."""
        dask_arrays = [(k, arg, axis) for k, (arg, axis) in batched.items()
                       if isinstance(arg, da.Array)]
        if not dask_arrays:
            raise TypeError("%s maps over the chunks of Dask arrays, but no batched argument "
                            "is one: wrap one with dask.array.from_array(x, chunks=...)"
                            % self.__name__)
        sizes = [(k, arg.shape[axis], axis) for k, (arg, axis) in batched.items()]
        for k, size, axis in sizes:
            if np.isnan(size):
                raise ValueError("%s: argument %d has an unknown size along its batch axis "
                                 "%d; call x.compute_chunk_sizes() first" % (self.__name__, k,
                                                                             axis))
        if len({size for _, size, _ in sizes}) > 1:
            raise ValueError("%s got batch sizes that disagree:\n" % self.__name__ + "\n".join(
                "  argument %d has size %d along axis %d" % size for size in sizes))
        _, first, axis = dask_arrays[0]
        return first.chunks[axis]

    def _example_result(self, arrays, batched, fixed):
        """The batched function's result for two examples of zeros: its structure, and
        each leaf's dtype and shape (beside the batch axis)."""
        args = list(fixed)
        for k, array in arrays.items():
            axis = batched[k][1]
            shape = array.shape[:axis] + (2,) + array.shape[axis + 1:]
            args[k] = np.zeros(shape, dtype=array.dtype)
        with np.errstate(all="ignore"):
            return self.batched(*args)

    def _leaf(self, results, k, example):
        """The Dask array of leaf ``k`` of the results (``example``: that leaf for two
        examples), its batch axis at ``out_axes``, whole along the others."""
        example = np.asarray(example)
        axis = self.out_axes % example.ndim
        others = iter(range(1, example.ndim))
        pattern = tuple(0 if d == axis else next(others) for d in range(example.ndim))
        sizes = {index: example.shape[d] for d, index in enumerate(pattern) if index}
        return da.blockwise(operator.getitem, pattern, results, (0,), k, None,
                            new_axes=sizes, meta=np.empty((0,) * example.ndim, example.dtype))

    def __repr__(self):
        return "<transpiler dask.vmap of %s>" % self.batched.__name__


class _Blocks:
    """What each task runs: the batched function on one chunk of every batched argument
    (at ``positions``), the other arguments whole (``fixed``); it returns the result's
    leaves.  It travels as ``payload`` (the batched function pickled when the graph was
    made); a worker remakes the function from it once (``pickling.loads``)."""

    def __init__(self, batched, payload, fixed, positions):
        self.batched = batched
        self.payload = payload
        self.fixed = fixed
        self.positions = positions

    def __call__(self, *blocks):
        if self.batched is None:
            self.batched = pickling.loads(self.payload)
        args = list(self.fixed)
        for k, block in zip(self.positions, blocks):
            args[k] = block
        return tuple(tree_leaves(self.batched(*args)))

    def __reduce__(self):
        return _Blocks, (None, self.payload, self.fixed, self.positions)

    def __dask_tokenize__(self):
        return ("transpiler.dask", self.payload, self.fixed, self.positions)
