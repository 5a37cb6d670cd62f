"""The vmap part of a JAX tutorial ("Automatic vectorization"), ported by swapping
`jax` for `transpiler` and `jax.numpy` for `transpiler.numpy`.

`tp.vmap` writes the batched function as source: the per-example loop of `convolve`
stays a loop over the window, and each window becomes a slice of the whole batch
(`x[:, i - 1:i + 2]`) contracted with the weights -- the manually vectorised form.

Print the batched source:

    transpiler vmap samples/vmap_tutorial.py:convolve --args "xs, ws"
    transpiler vmap samples/vmap_tutorial.py:convolve --in-axes 1 --out-axes 1 --args "xs.T, ws.T"

Run it:

    python samples/vmap_tutorial.py
"""
import numpy as np

import transpiler as tp
import transpiler.numpy as jnp

x = jnp.arange(5)
w = jnp.array([2., 3., 4.])


def convolve(x, w):
    output = []
    for i in range(1, len(x) - 1):
        output.append(jnp.dot(x[i - 1:i + 2], w))
    return jnp.array(output)


xs = jnp.stack([x, x])
ws = jnp.stack([w, w])


def manually_batched_convolve(xs, ws):
    output = []
    for i in range(xs.shape[0]):
        output.append(convolve(xs[i], ws[i]))
    return jnp.stack(output)


def manually_vectorized_convolve(xs, ws):
    output = []
    for i in range(1, xs.shape[-1] - 1):
        output.append(jnp.sum(xs[:, i - 1:i + 2] * ws, axis=1))
    return jnp.stack(output, axis=1)


auto_batch_convolve = tp.vmap(convolve)
auto_batch_convolve_v2 = tp.vmap(convolve, in_axes=1, out_axes=1)
batch_convolve_v3 = tp.vmap(convolve, in_axes=[0, None])

if __name__ == "__main__":
    print(convolve(x, w))
    print(manually_batched_convolve(xs, ws))
    print(manually_vectorized_convolve(xs, ws))
    print(auto_batch_convolve(xs, ws))
    xst = jnp.transpose(xs)
    wst = jnp.transpose(ws)
    print(auto_batch_convolve_v2(xst, wst))
    print(batch_convolve_v3(xs, w))
    expected = manually_batched_convolve(xs, ws)
    assert np.allclose(auto_batch_convolve(xs, ws), expected)
    assert np.allclose(auto_batch_convolve_v2(xst, wst), expected.T)
    assert np.allclose(batch_convolve_v3(xs, w), expected)
    print(tp.source(auto_batch_convolve, xs, ws))
