import os
import sys

# every pass and every generated function is checked against the core language
os.environ["TRANSPILER_VERIFY"] = "1"

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _seeded_numpy():
    np.random.seed(0)
    yield
