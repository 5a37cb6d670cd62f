"""Per-example gradients of a logistic regression on a Dask cluster, with `tp.dask.vmap`.

The loss of one example is written as usual; `tp.grad(loss, argnums=(0, 1))` is its
gradient with respect to the weights and the bias, and `tp.dask.vmap(...)` maps that
gradient over the chunks of Dask arrays of examples: each chunk is one task, run on a
worker by the batched code `tp.vmap` generates.  The function travels to the workers by
source (it is defined here, in `__main__`, which they cannot import).  The result is
checked against the same per-example gradients computed in this process with `tp.vmap`,
and their mean against `tp.grad` of the mean loss.

Run it (it starts a local cluster of two worker processes):

    python samples/dask_per_example.py
"""
import numpy as np

import transpiler as tp

N_EXAMPLES, N_FEATURES, CHUNK = 20000, 8, 2500


def make_dataset(n=N_EXAMPLES, seed=0):
    """Two Gaussian blobs, labels 0 and 1 (float64)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n).astype(np.float64)
    centres = np.where(labels[:, None] > 0.5, 1.0, -1.0) * np.linspace(1.0, 0.1, N_FEATURES)
    return centres + rng.normal(scale=1.5, size=(n, N_FEATURES)), labels


def loss(w, b, x, y):
    """Binary cross-entropy of one example; log(1 + e^z) as logaddexp(0, z)."""
    z = np.dot(x, w) + b
    return np.logaddexp(0.0, z) - y * z


def mean_loss(w, b, xs, ys):
    z = xs @ w + b
    return np.mean(np.logaddexp(0.0, z) - ys * z)


def run(x, y, w, b):
    """Per-example gradients over the cluster the current Dask client talks to, checked
    against the in-process ones; returns them, as NumPy arrays."""
    import dask
    import dask.array as da
    per_example = tp.grad(loss, argnums=(0, 1))
    on_cluster = tp.dask.vmap(per_example, in_axes=(None, None, 0, 0))
    xs, ys = da.from_array(x, chunks=(CHUNK, N_FEATURES)), da.from_array(y, chunks=CHUNK)
    lazy_w, lazy_b = on_cluster(w, b, xs, ys)
    print("per-example gradients: %s in %d chunks of %d examples"
          % (lazy_w, lazy_w.numblocks[0], CHUNK))
    grads_w, grads_b = dask.compute(lazy_w, lazy_b)

    here_w, here_b = tp.vmap(per_example, in_axes=(None, None, 0, 0))(w, b, x, y)
    error = max(np.max(np.abs(grads_w - here_w)), np.max(np.abs(grads_b - here_b)))
    mean_w, mean_b = tp.grad(mean_loss, argnums=(0, 1))(w, b, x, y)
    mean_error = max(np.max(np.abs(grads_w.mean(axis=0) - mean_w)),
                     abs(grads_b.mean() - mean_b))
    norms = np.sqrt(np.sum(grads_w ** 2, axis=1) + grads_b ** 2)
    worst = int(np.argmax(norms))
    print("  example 0: dw =", np.array2string(grads_w[0], precision=3), " db = %.3f"
          % grads_b[0])
    print("  largest gradient: example %d, norm %.3f (label %d)" % (worst, norms[worst],
                                                                    y[worst]))
    print("  max difference from tp.vmap in this process: %.1e" % error)
    print("  mean of the per-example gradients vs tp.grad of the mean loss: %.1e"
          % mean_error)
    assert error < 1e-12 and mean_error < 1e-12
    return grads_w, grads_b


if __name__ == "__main__":
    from dask.distributed import Client, LocalCluster

    x, y = make_dataset()
    w, b = np.linspace(-0.5, 0.5, N_FEATURES), 0.1
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        print("Dask cluster: %d workers" % len(client.scheduler_info()["workers"]))
        run(x, y, w, b)
