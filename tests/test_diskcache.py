"""The cache on disk (transpiler/diskcache.py): a new process skips generation and Numba's
compilation, and never runs code made from what has since changed.

Each test runs fresh Python processes over a module written in a temporary directory,
with its own cache directory, and changes what the code was made from between them: a
global constant, a helper in another module, the function itself.
"""
import json
import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import transpiler as tp
from transpiler import diskcache

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODEL = '''
import numpy as np
import helpers

K = 0.5


def simulate(x0, dt, n):
    x = x0
    for i in range(n):
        x = x + dt * (-K * x + helpers.force(x))
    return x


def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2) * K
'''

HELPERS = '''
import numpy as np


def force(x):
    return np.sin(x)
'''

RUN = '''
import json, sys
import numpy as np
import transpiler as tp
import model

g = tp.jit(tp.grad(model.simulate), backend="numba")
value = g(1.0, 0.01, 200)
stats = g.entry(1.0, 0.01, 200).function.dispatcher.stats
dloss = tp.grad(model.loss)
w, x = np.linspace(-1, 1, 3), np.linspace(0, 1, 12).reshape(4, 3)
loss = dloss(w, x).tolist()
source = tp.source(dloss, w, x)
info = tp.cache_info()
print(json.dumps({"value": float(value), "loss": loss, "source": source,
                  "numba_hits": sum(stats.cache_hits.values()),
                  "hits": info["disk_hits"], "writes": info["disk_writes"]}))
'''


def run(workdir, cache, script=RUN, **env):
    environment = dict(os.environ, TRANSPILER_CACHE_DIR=str(cache),
                       PYTHONPATH=os.pathsep.join([str(workdir), ROOT]), **env)
    environment.pop("TRANSPILER_VERIFY", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=str(workdir), env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def expected(k=0.5, force=np.sin, n=200):
    # the gradient of the Euler loop with respect to x0, by the chain rule, and the loss's
    x, d = 1.0, 1.0
    for _ in range(n):
        h = 1e-7
        slope = (force(x + h) - force(x - h)) / (2 * h)
        d *= 1 + 0.01 * (-k + slope)
        x = x + 0.01 * (-k * x + force(x))
    return d


@pytest.fixture
def project(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "helpers.py").write_text(HELPERS)
    return tmp_path


def test_a_new_process_reads_the_code_and_numbas_machine_code_back(project):
    cache = project / "cache"
    first = run(project, cache)
    assert first["writes"] >= 2 and first["hits"] == 0 and first["numba_hits"] == 0
    assert first["value"] == pytest.approx(expected(), rel=1e-6)
    second = run(project, cache)
    assert second["hits"] >= 2 and second["writes"] == 0
    assert second["numba_hits"] == 1                       # Numba's cache: no compilation
    assert second["value"] == first["value"] and second["loss"] == first["loss"]
    assert second["source"] == first["source"]
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700


def test_a_changed_global_helper_or_function_is_never_served_stale(project):
    cache = project / "cache"
    run(project, cache)
    # a global the code read
    (project / "model.py").write_text(MODEL.replace("K = 0.5", "K = 0.25"))
    changed = run(project, cache)
    assert changed["value"] == pytest.approx(expected(k=0.25), rel=1e-6)
    assert changed["writes"] >= 1
    # a helper in another module, inlined into the code
    (project / "helpers.py").write_text(HELPERS.replace("np.sin(x)", "np.cos(x)"))
    helper = run(project, cache)
    assert helper["value"] == pytest.approx(expected(k=0.25, force=np.cos), rel=1e-6)
    assert helper["writes"] >= 1
    # and back: the first entries are still right, and used
    (project / "model.py").write_text(MODEL)
    (project / "helpers.py").write_text(HELPERS)
    back = run(project, cache)
    assert back["value"] == pytest.approx(expected(), rel=1e-6)
    assert back["writes"] == 0 and back["hits"] >= 2


def test_a_value_changed_before_the_call_in_the_same_process_is_seen(project):
    cache = project / "cache"
    run(project, cache)
    script = "import model\nmodel.K = 0.25\n" + RUN
    changed = run(project, cache, script=script)
    assert changed["value"] == pytest.approx(expected(k=0.25), rel=1e-6)


def test_damaged_entries_are_ignored(project):
    cache = project / "cache"
    first = run(project, cache)
    for name in os.listdir(cache):
        if name.endswith(".json"):
            (cache / name).write_text("{not json")
    again = run(project, cache)
    assert again["value"] == first["value"] and again["hits"] == 0 and again["writes"] >= 2


def test_off_and_unsafe_directories_are_not_used(project, tmp_path):
    off = run(project, project / "off", TRANSPILER_DISK_CACHE="0")
    assert off["writes"] == 0 and not os.path.exists(project / "off")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)                                # others could plant code here
    unsafe = run(project, shared)
    assert unsafe["writes"] == 0 and os.listdir(shared) == []


def test_clear_caches_empties_the_directory(project):
    cache = project / "cache"
    run(project, cache)
    assert any(name.endswith(".py") for name in os.listdir(cache))
    run(project, cache, script="import transpiler as tp\ntp.clear_caches()\nprint('{}')")
    assert [n for n in os.listdir(cache) if n.endswith((".py", ".json"))] == []


class Scale:
    def __init__(self, k):
        self.k = k


def test_code_bound_to_objects_a_new_process_cannot_find_is_not_kept():
    scale = Scale(3.0)

    def f(x):
        return np.sum(x * scale.k)

    before = tp.cache_info()["disk_writes"]
    assert tp.grad(f)(np.ones(3)) == pytest.approx(np.full(3, 3.0))
    assert tp.cache_info()["disk_writes"] == before


def test_descriptions_tell_apart_what_generated_code_can():
    assert diskcache.describe(0.0) != diskcache.describe(-0.0)
    assert diskcache.describe(1) != diskcache.describe(1.0) != diskcache.describe(True)
    assert diskcache.describe((1, 2.5)) == diskcache.describe((1, 2.5))
    assert diskcache.describe(np.float32(1)) != diskcache.describe(np.float64(1))
    with pytest.raises(diskcache.NotPersistent):
        diskcache.describe(Scale(1.0))
    code = textwrap.dedent("def f(x):\n    return x + 1\n")
    first, second = {}, {}
    exec(compile(code, "<one>", "exec"), first)
    exec(compile(code.replace("+ 1", "+ 2"), "<one>", "exec"), second)
    assert diskcache.code_digest(first["f"].__code__) != diskcache.code_digest(second["f"].__code__)
