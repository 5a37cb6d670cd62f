import os
import sys

# every pass and every generated function is checked against the core language
os.environ["TRANSPILER_VERIFY"] = "1"
# the disk cache of this run: fresh, and never the user's own
import atexit
import shutil
import tempfile

_CACHE_DIR = tempfile.mkdtemp(prefix="transpiler-test-cache-")
os.environ["TRANSPILER_CACHE_DIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, True)

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _seeded_numpy():
    np.random.seed(0)
    yield
