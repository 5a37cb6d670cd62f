"""The CUDA backend's tests run on Numba's CUDA simulator unless told otherwise:
``NUMBA_ENABLE_CUDASIM=0 python -m pytest tests/cuda`` runs them on a GPU.

Numba reads ``NUMBA_ENABLE_CUDASIM`` when ``numba.cuda`` is first imported, and nothing
the rest of the suite runs imports it (the CPU backend never does), so choosing the
simulator here changes nothing for the other tests.
"""
import os

import pytest

os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

from numba.core import config  # noqa: E402

config.reload_config()

from numba import cuda  # noqa: E402

if config.ENABLE_CUDASIM and not hasattr(cuda, "FakeCUDAKernel"):
    raise pytest.UsageError("numba.cuda was imported for a GPU before the CUDA tests chose the "
                            "simulator: run them on their own (python -m pytest tests/cuda)")
