"""vmap against hand-vectorised NumPy, hand-written Numba loops and JAX (when installed).

    python benchmarks/vmap.py             # ratios measured in one run
    python benchmarks/vmap.py --repeat 3

Rows (issue 8's targets):
  convolve     the seed's convolve over 1000 examples of 100 samples (3-tap windows):
               vmap / the seed's hand-vectorised NumPy (target <= 1.5x), and jit(vmap) /
               a hand-written @numba.njit loop over examples and taps (target <= 1.5x)
  per-example  per-example gradients of a logistic loss, 4096 examples x 256 features,
               vmap(grad(loss), in_axes=(None, None, 0, 0)) / JAX's
               jit(vmap(grad(loss))) (target <= 1.0x); and / the hand-written NumPy
               gradient (for reference)
  prange       jit(vmap(escape_time)) over 20,000 points, a loop with a per-example
               break (the parallel loop form): one Numba thread / all (two) threads
               (target >= 1.6x)
  jacobians    jacfwd and jacrev of tanh(A @ x) + sin(x) on R^200, the basis through
               vmap / the looped basis they replace (a loop of tp.jvp over the basis of
               x, of a vjp's backward pass over the basis of the output) (target <= 1x)
"""
import argparse
import os
import sys

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "samples"))
import functions as F  # noqa: E402
import run as R  # noqa: E402
import transpiler as tp  # noqa: E402
from vmap_tutorial import convolve  # noqa: E402  (the seed's, unchanged)


def convolve_by_hand(xs, ws):
    """The seed's manually vectorised convolve."""
    output = []
    for i in range(1, xs.shape[-1] - 1):
        output.append(np.sum(xs[:, i - 1:i + 2] * ws, axis=1))
    return np.stack(output, axis=1)


@numba.njit(cache=False)
def convolve_numba(xs, ws):
    n, m = xs.shape
    out = np.empty((n, m - 2))
    for b in range(n):
        for i in range(1, m - 1):
            total = 0.0
            for k in range(3):
                total += xs[b, i - 1 + k] * ws[b, k]
            out[b, i - 1] = total
    return out


def logistic_loss(w, b, x, y):
    z = x @ w + b
    return np.logaddexp(0.0, z) - y * z


def logistic_grads_by_hand(w, b, xs, ys):
    z = xs @ w + b
    residual = 1.0 / (1.0 + np.exp(-z)) - ys
    return residual[:, None] * xs, residual


def escape_time(c_re, c_im):
    z_re = 0.0
    z_im = 0.0
    count = 0
    for k in range(500):
        z_re, z_im = z_re * z_re - z_im * z_im + c_re, 2.0 * z_re * z_im + c_im
        if z_re * z_re + z_im * z_im > 4.0:
            break
        count = count + 1
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.05)
    options = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    jax_modules, jax_note = R.load_jax()

    # convolve
    xs, ws = rng.normal(size=(1000, 100)), rng.normal(size=(1000, 3))
    batched = tp.vmap(convolve)
    jitted = tp.jit(tp.vmap(convolve))
    expected = convolve_by_hand(xs, ws)
    for result in (batched(xs, ws), jitted(xs, ws), convolve_numba(xs, ws)):
        np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)
    t = R.median_times({"vmap": lambda: batched(xs, ws), "hand": lambda: convolve_by_hand(xs, ws),
                        "jit": lambda: jitted(xs, ws), "numba": lambda: convolve_numba(xs, ws)},
                       options.repeat, options.min_time)
    rows.append(("convolve", "vmap(convolve) 1000x100 / hand-vectorised NumPy",
                 t["vmap"] / t["hand"], 1.5, "<="))
    rows.append(("convolve", "jit(vmap(convolve)) / hand-written Numba loop",
                 t["jit"] / t["numba"], 1.5, "<="))

    # per-example gradients
    w, b = rng.normal(size=256) * 0.1, 0.1
    xs, ys = rng.normal(size=(4096, 256)), (rng.random(4096) > 0.5) * 1.0
    per_example = tp.vmap(tp.grad(logistic_loss, argnums=(0, 1)), in_axes=(None, None, 0, 0))
    by_hand = logistic_grads_by_hand(w, b, xs, ys)
    for ours, hand in zip(per_example(w, b, xs, ys), by_hand):
        np.testing.assert_allclose(ours, hand, rtol=1e-10, atol=1e-12)
    variants = {"ours": lambda: per_example(w, b, xs, ys),
                "hand": lambda: logistic_grads_by_hand(w, b, xs, ys)}
    if jax_modules is not None:
        jax, jnp = jax_modules

        def jax_loss(w, b, x, y):
            z = x @ w + b
            return jnp.logaddexp(0.0, z) - y * z
        jax_grads = jax.jit(jax.vmap(jax.grad(jax_loss, argnums=(0, 1)),
                                     in_axes=(None, None, 0, 0)))
        jw, jxs, jys = jnp.asarray(w), jnp.asarray(xs), jnp.asarray(ys)
        for theirs, hand in zip(jax_grads(jw, b, jxs, jys), by_hand):
            np.testing.assert_allclose(np.asarray(theirs), hand, rtol=1e-10, atol=1e-12)
        variants["jax"] = lambda: jax.block_until_ready(jax_grads(jw, b, jxs, jys))
    t = R.median_times(variants, options.repeat, options.min_time)
    if "jax" in t:
        rows.append(("per-example", "vmap(grad(loss)) 4096x256 / JAX jit(vmap(grad))",
                     t["ours"] / t["jax"], 1.0, "<="))
    rows.append(("per-example", "vmap(grad(loss)) 4096x256 / hand-written NumPy",
                 t["ours"] / t["hand"], None, "<="))

    # prange
    c_re, c_im = rng.uniform(-2.0, 0.5, 20_000), rng.uniform(-1.2, 1.2, 20_000)
    escape = tp.jit(tp.vmap(escape_time), backend="numba")
    np.testing.assert_array_equal(escape(c_re[:100], c_im[:100]),
                                  [escape_time(a, c) for a, c in zip(c_re[:100], c_im[:100])])
    threads = numba.get_num_threads()
    t_all = R.median_times({"all": lambda: escape(c_re, c_im)}, options.repeat,
                           options.min_time)["all"]
    numba.set_num_threads(1)
    try:
        t_one = R.median_times({"one": lambda: escape(c_re, c_im)}, options.repeat,
                               options.min_time)["one"]
    finally:
        numba.set_num_threads(threads)
    rows.append(("prange", "jit(vmap(escape_time)) 20k points: 1 thread / %d threads" % threads,
                 t_one / t_all, 1.6, ">="))

    # jacobians: the basis through vmap against the loops it replaces
    n = 200
    A, x = rng.normal(size=(n, n)) / np.sqrt(n), rng.normal(size=n)
    forward, reverse = tp.jacfwd(F.tanh_layer), tp.jacrev(F.tanh_layer)
    zeros = np.zeros_like(A)

    def forward_loop():
        basis = np.eye(n)
        return np.stack([tp.jvp(F.tanh_layer, (x, A), (e, zeros))[1] for e in basis], axis=1)

    def reverse_loop():
        out, pullback = tp.vjp(F.tanh_layer, x, A)
        return np.stack([pullback(e)[0] for e in np.eye(n)])
    expected = F.tanh_layer_jacobian_by_hand(x, A)
    for result in (forward(x, A), reverse(x, A), forward_loop(), reverse_loop()):
        np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12)
    t = R.median_times({"jacfwd": lambda: forward(x, A), "jvp loop": forward_loop,
                        "jacrev": lambda: reverse(x, A), "vjp loop": reverse_loop},
                       options.repeat, options.min_time)
    rows.append(("jacobians", "jacfwd (basis through vmap) / a loop of tp.jvp over the basis",
                 t["jacfwd"] / t["jvp loop"], 1.0, "<="))
    rows.append(("jacobians", "jacrev (basis through vmap) / a loop of the vjp's backward "
                 "pass", t["jacrev"] / t["vjp loop"], 1.0, "<="))

    print("transpiler %s, numba %s, numpy %s; %d cores; %s" % (
        tp.__version__, numba.__version__, np.__version__, os.cpu_count(), jax_note))
    print("| row | measured | value | target |")
    print("|---|---|---|---|")
    for name, what, value, target, sense in rows:
        verdict = ""
        if target is not None:
            met = value <= target if sense == "<=" else value >= target
            verdict = "%s %.1f: %s" % (sense, target, "met" if met else "MISSED")
        print("| %s | %s | %.2f | %s |" % (name, what, value, verdict))


if __name__ == "__main__":
    main()
