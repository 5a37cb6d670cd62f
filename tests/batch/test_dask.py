"""tp.dask.vmap on a local distributed cluster (two worker processes): the same numbers
as tp.vmap in this process; and its errors."""
import os
import subprocess
import sys

import numpy as np
import pytest

import transpiler as tp

pytest.importorskip("dask", reason="tp.dask needs Dask: pip install 'transpiler[dask]'")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RNG = np.random.default_rng(11)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def close(got, expected):
    got, expected = tp.tree_util.tree_flatten(got), tp.tree_util.tree_flatten(expected)
    assert got[1] == expected[1]
    for a, b in zip(got[0], expected[0]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def squashed(x, w):
    h = np.tanh(x * w)
    return np.sum(h ** 2) - h[0]


@pytest.mark.parametrize("chunks", [(23, 5), (5, 5), (7, 2), (1, 5)],
                         ids=["one chunk", "uneven", "split features", "one example each"])
def test_a_batched_function_gives_what_vmap_gives(client, chunks):
    xs, w = RNG.normal(size=(23, 5)), RNG.normal(size=5)
    got = tp.dask.vmap(squashed, in_axes=(0, None))(da.from_array(xs, chunks=chunks), w)
    assert isinstance(got, da.Array) and got.shape == (23,)
    assert got.chunks[0] == da.from_array(xs, chunks=chunks).chunks[0]
    close(got.compute(), tp.vmap(squashed, in_axes=(0, None))(xs, w))


def loss(params, x, y):
    """Binary cross-entropy of one example, for parameters {'w', 'b'}."""
    z = np.dot(x, params["w"]) + params["b"]
    return np.logaddexp(0.0, z) - y * z


def test_per_example_gradients_of_a_logistic_regression(client):
    params = {"w": RNG.normal(size=4), "b": 0.2}
    xs, ys = RNG.normal(size=(50, 4)), (RNG.random(50) > 0.5) * 1.0
    per_example = tp.dask.vmap(tp.grad(loss), in_axes=(None, 0, 0))
    got = per_example(params, da.from_array(xs, chunks=(16, 4)), da.from_array(ys, chunks=16))
    assert set(got) == {"w", "b"} and got["w"].shape == (50, 4) and got["b"].shape == (50,)
    with distributed.get_task_stream(client) as tasks:
        got = client.compute(got, sync=True)
    assert len({task["worker"] for task in tasks.data}) == 2        # both workers ran
    close(got, tp.vmap(tp.grad(loss), in_axes=(None, 0, 0))(params, xs, ys))


def window_sums(x, w):
    return np.array([np.dot(x[i:i + 3], w) for i in range(len(x) - 2)])


@pytest.mark.parametrize("axis", [1, -1])
def test_in_axes_and_out_axes_1_and_numpy_arguments_cut_alike(client, axis):
    xs, ws = RNG.normal(size=(7, 30)), RNG.normal(size=(3, 30))
    mapped = tp.dask.vmap(window_sums, in_axes=axis, out_axes=axis)
    got = mapped(da.from_array(xs, chunks=(7, 8)), ws)      # ws: NumPy, batched too
    assert got.shape == (5, 30) and got.chunks == ((5,), (8, 8, 8, 6))
    close(got.compute(), tp.vmap(window_sums, in_axes=1, out_axes=1)(xs, ws))


def test_the_sample_runs():
    # as its docstring says: `python samples/dask_per_example.py` (its own local cluster)
    done = subprocess.run([sys.executable, os.path.join(ROOT, "samples", "dask_per_example.py")],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT),
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Dask cluster: 2 workers" in done.stdout
    assert "max difference from tp.vmap in this process" in done.stdout


@pytest.mark.parametrize("call, error, message", [
    (lambda: tp.dask.vmap(squashed, in_axes=(0, None))(np.ones((4, 5)), np.ones(5)),
     TypeError, "no batched argument is one: wrap one with dask.array.from_array"),
    (lambda: tp.dask.vmap(squashed, in_axes=(0, None))(da.ones((4, 5)), da.ones(5)),
     TypeError, "argument 1 is not batched (in_axes None) but is a Dask array"),
    (lambda: tp.dask.vmap(squashed)(da.ones((4, 5)), da.ones((3, 5))),
     ValueError, "argument 1 has size 3 along axis 0"),
    (lambda: tp.dask.vmap(squashed, in_axes=(2, None))(da.ones((4, 5)), np.ones(5)),
     ValueError, "map argument 0 along axis 2, but it has rank 2"),
    (lambda: tp.dask.vmap(squashed, in_axes=(0, None))(da.ones((4, 5)), w=np.ones(5)),
     TypeError, "takes its arguments by position"),
    (lambda: tp.dask.vmap(squashed, in_axes=(0, None))(da.ones((4, 5))),
     ValueError, "in_axes has 2 entries ((0, None)) but 1 arguments were given"),
    (lambda: tp.dask.vmap(squashed, in_axes=((0,), None)),
     TypeError, "entries that are ints or None, got (0,)"),
    (lambda: tp.dask.vmap(squashed, out_axes=None),
     TypeError, "out_axes as an int"),
    (lambda: tp.dask.vmap(squashed)((da.ones((4, 5)),), da.ones((4, 5))),
     TypeError, "batched argument 0 is a tuple"),
    (lambda: tp.dask.vmap(squashed, in_axes=(0, None))(
        da.ones((4, 5))[da.ones(4) > 0], np.ones(5)),
     ValueError, "call x.compute_chunk_sizes() first"),
])
def test_errors_say_what_to_write(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value), str(info.value)


def test_import_transpiler_does_not_import_dask():
    program = ("import sys, transpiler as tp\n"
               "assert 'dask' not in sys.modules\n"
               "tp.dask.vmap\n"
               "assert 'dask.array' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT), timeout=120)
    assert done.returncode == 0, done.stderr
