"""The host side of the CUDA backend (``backends/cuda.py``): arguments to the device,
the grid, the launch, the result back."""
import inspect
import math

import numpy as np

from ..analysis import avals as A
from ..errors import TranspileError

THREADS_PER_BLOCK = 128


def numba_cuda():
    """``numba.cuda`` (numba-cuda's, where installed; the simulator under
    ``NUMBA_ENABLE_CUDASIM=1``), imported when first needed."""
    from numba import cuda
    return cuda


on_device = A.is_device_array


def _rank(value):
    return len(value.shape) if on_device(value) else np.ndim(value)


class Launch:
    """The host side of a kernel: arguments to the device, the grid, the result back."""

    def __init__(self, kernel, python, launch, label):
        self.kernel = kernel
        self.python = python                      # the device function's Python code
        self.launch = launch
        self.label = label
        self.signature = inspect.signature(python)
        self.__name__ = python.__name__
        self.__wrapped__ = python

    def __call__(self, *args, **kwargs):
        cuda = numba_cuda()
        if not cuda.is_available():
            raise RuntimeError("%s: backend=\"cuda\" needs a CUDA GPU, and numba.cuda finds "
                               "none; NUMBA_ENABLE_CUDASIM=1 (set before numba.cuda is "
                               "imported) runs Numba's CUDA simulator instead" % self.label)
        bound = self.signature.bind_partial(*args, **kwargs)
        launch = self.launch
        values = [bound.arguments[p] for p in launch["params"]]
        batched = [p in launch["axes"] for p in launch["params"]]
        arrays = [v for v in values if _rank(v)]
        stay = bool(arrays) and all(on_device(v) for v in arrays)
        if launch["mode"] == "elements":
            values, shape, size = _elements(values, batched)
            examples = None
        else:
            values, size = _examples(values, [launch["axes"].get(p) for p in launch["params"]])
            shape = (size,) + tuple(_dim(d, launch["params"], values, batched)
                                    for d in launch["row"])
            examples = size
        device = [v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else
                  v if on_device(v) or _rank(v) == 0 else cuda.to_device(v) for v in values]
        out = cuda.device_array((size,) + tuple(shape[1:]) if examples is not None
                                else (size,), dtype=np.dtype(launch["dtype"]))
        if size:
            self.run(math.ceil(size / THREADS_PER_BLOCK), device + [out])
        if stay:
            return out.reshape(shape) if examples is None else out
        result = out.copy_to_host().reshape(shape)
        return result[()] if result.ndim == 0 else result


    def run(self, blocks, args):
        """Launch the kernel (numba-cuda compiles it for these types at the first launch:
        what it cannot compile is a TranspileError at the user's line)."""
        from numba.core.errors import NumbaError
        try:
            self.kernel[blocks, THREADS_PER_BLOCK](*args)
        except NumbaError as exc:
            from .nopython import located_reason
            filename, line, text, reason = located_reason(exc, self.python)
            raise TranspileError("numba-cuda cannot compile this for the GPU: %s" % reason,
                                 filename or "<generated>", line or 0, source_line=text or "",
                                 hint="write the function with scalar arithmetic, math "
                                      "functions and loops over array elements") from None


def _elements(values, batched):
    """The arguments broadcast to one shape and flattened (scalars passed as they are):
    (values, shape, number of elements)."""
    shapes = [tuple(v.shape) for v, b in zip(values, batched) if b and _rank(v)]
    shape = np.broadcast_shapes(*shapes) if shapes else ()
    size = math.prod(shape)
    flat = []
    for v, b in zip(values, batched):
        if not b or _rank(v) == 0:
            flat.append(v)
        elif on_device(v):
            if tuple(v.shape) != shape:
                raise ValueError("backend=\"cuda\": a device array of shape %s would be "
                                 "broadcast to %s; broadcast it before copying it to the "
                                 "device" % (tuple(v.shape), shape))
            flat.append(v.reshape(size))
        else:
            flat.append(np.ascontiguousarray(np.broadcast_to(v, shape)).reshape(size))
    return flat, shape, size


def _examples(values, axes):
    """The batched arguments with their batch axis first: (values, batch size)."""
    moved, size = [], None
    for v, axis in zip(values, axes):
        if axis is not None:
            if on_device(v):
                if axis % len(v.shape) != 0:
                    raise ValueError("backend=\"cuda\": a device array must be batched along "
                                     "axis 0 (in_axes=%d)" % axis)
            else:
                v = np.ascontiguousarray(np.moveaxis(np.asarray(v), axis, 0))
            size = v.shape[0]
        moved.append(v)
    return moved, size


def _dim(spec, params, values, batched):
    """One dimension of the result of one example (``_row_spec``)."""
    if spec[0] == "int":
        return spec[1]
    _, param, axis, offset = spec
    k = params.index(param)
    shape = tuple(values[k].shape)[1 if batched[k] else 0:]
    return max(shape[axis] + offset, 0)
