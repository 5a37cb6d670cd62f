"""jit against hand-written Numba and NumPy code (and JAX when installed).

    python benchmarks/jit.py             # ratios measured in one run
    python benchmarks/jit.py --repeat 3

Rows (issue 7's targets):
  euler-10k   the gradient of a 10,000-step explicit-Euler pendulum written as a plain
              Python loop over scalars, jit(grad(f)) on Numba / a gradient written by
              hand with @numba.njit (target <= 1.3x)
  euler-first the same loop at 1,000 steps, first call in a fresh process: transform +
              compile + run (target <= 1 s); and again in another fresh process with the
              disk cache warm (target <= 0.3 s), beside a hand-written
              @numba.njit(cache=True) gradient's first call there (Numba's own floor:
              loading its compiler and the cached machine code)
  jit-in-loop per call of jit(lambda x: body(x)) and jit(partial(body)) made afresh in the
              loop / the hoisted jit(body) (target <= 1.5x)
  mlp         jit(grad(mlp_loss)), 784-512-10, batch 128 / the hand-written NumPy
              gradient (target <= 1.2x), and whether batch 129 reused the code
  selu        jit(selu) and jit(grad(sum . selu)) on 1e6 / NumPy (JAX: target <= 1.5x)
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile
import textwrap

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import functions as F  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "samples"))
import jit_tutorial as seed  # noqa: E402
import run as R  # noqa: E402
import transpiler as tp  # noqa: E402


def euler(theta, omega, g, length, damping, steps):
    dt = 0.001
    for _ in range(steps):
        accel = -(g / length) * math.sin(theta) - damping * omega
        theta = theta + dt * omega
        omega = omega + dt * accel
    return 0.5 * omega * omega + (g / length) * (1.0 - math.cos(theta))


def euler_gradient_by_hand(theta, omega, g, length, damping, steps):
    """d energy / d (theta0, omega0), the reverse sweep written by hand over saved states
    (compiled by ``numba.njit`` below, and with ``cache=True`` in HAND_FIRST_CALL)."""
    dt = 0.001
    c = g / length
    thetas = np.empty(steps)
    for k in range(steps):
        thetas[k] = theta
        accel = -c * math.sin(theta) - damping * omega
        theta = theta + dt * omega
        omega = omega + dt * accel
    dtheta, domega = c * math.sin(theta), omega
    for k in range(steps - 1, -1, -1):
        daccel = dt * domega
        dtheta, domega = (dtheta - daccel * c * math.cos(thetas[k]),
                          domega + dt * dtheta - daccel * damping)
    return dtheta, domega


euler_grad_by_hand = numba.njit(euler_gradient_by_hand)


FIRST_CALL = textwrap.dedent("""
    import math, sys, time
    start = time.perf_counter()
    sys.path.insert(0, %r)
    import transpiler as tp
    from jit import euler
    imported = time.perf_counter()
    g = tp.jit(tp.grad(euler, argnums=(0, 1)), backend="numba")
    g(1.2, 0.0, 9.81, 1.5, 0.3, 1000)
    done = time.perf_counter()
    print(done - start, done - imported)
""")

HAND_FIRST_CALL = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, %r)
    import numba
    from jit import euler_gradient_by_hand
    start = time.perf_counter()
    cached = numba.njit(cache=True)(euler_gradient_by_hand)
    cached(1.2, 0.0, 9.81, 1.5, 0.3, 1000)
    print(time.perf_counter() - start)
""")


JAX_FIRST_CALL = textwrap.dedent("""
    import time
    start = time.perf_counter()
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def euler(theta, omega, g, length, damping, steps):
        dt = 0.001
        for _ in range(steps):                  # a plain Python loop: jit unrolls it
            accel = -(g / length) * jnp.sin(theta) - damping * omega
            theta = theta + dt * omega
            omega = omega + dt * accel
        return 0.5 * omega * omega + (g / length) * (1.0 - jnp.cos(theta))

    imported = time.perf_counter()
    g = jax.jit(jax.grad(euler, argnums=(0, 1)), static_argnums=5)
    jax.block_until_ready(g(1.2, 0.0, 9.81, 1.5, 0.3, 1000))
    done = time.perf_counter()
    print(done - start, done - imported)
""")


def _jax_euler_fori(jax):
    """The Euler loop with ``lax.fori_loop``, as JAX wants it written."""
    jnp = jax.numpy

    def euler(theta, omega, g, length, damping, steps):
        dt = 0.001

        def step(_, state):
            theta, omega = state
            accel = -(g / length) * jnp.sin(theta) - damping * omega
            return theta + dt * omega, omega + dt * accel
        theta, omega = jax.lax.fori_loop(0, steps, step, (theta, omega))
        return 0.5 * omega * omega + (g / length) * (1.0 - jnp.cos(theta))
    return jax.jit(jax.grad(euler, argnums=(0, 1)), static_argnums=5)


def _fresh_process(script, cache_dir, timeout=None):
    """Run ``script`` (from a file: Numba caches only functions defined in one) in a new
    Python process whose caches are in ``cache_dir``; the numbers it prints."""
    path = os.path.join(cache_dir, "first_call_%d.py" % (hash(script) & 0xffff))
    with open(path, "w") as handle:
        handle.write(script)
    env = dict(os.environ, TRANSPILER_CACHE_DIR=cache_dir, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, path], capture_output=True, text=True,
                         check=True, env=env, cwd=cache_dir, timeout=timeout)
    return [float(v) for v in out.stdout.split()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.05)
    options = parser.parse_args(argv)
    rows = []

    # euler-10k
    args = (1.2, 0.0, 9.81, 1.5, 0.3, 10_000)
    ours = tp.jit(tp.grad(euler, argnums=(0, 1)), backend="numba")
    np.testing.assert_allclose(ours(*args), euler_grad_by_hand(*args), rtol=1e-10)
    t = R.median_times({"ours": lambda: ours(*args), "hand": lambda: euler_grad_by_hand(*args)},
                       options.repeat, options.min_time)
    rows.append(("euler-10k", "jit(grad) on Numba / hand-written Numba gradient",
                 t["ours"] / t["hand"], 1.3))
    jax_modules, jax_note = R.load_jax()
    if jax_modules is not None:
        fori = _jax_euler_fori(jax_modules[0])
        np.testing.assert_allclose(fori(*args), euler_grad_by_hand(*args), rtol=1e-10)
        t = R.median_times({"jax": lambda: jax_modules[0].block_until_ready(fori(*args)),
                            "hand": lambda: euler_grad_by_hand(*args)},
                           options.repeat, options.min_time)
        rows.append(("euler-10k", "JAX jit(grad) with lax.fori_loop / hand-written Numba "
                     "gradient (for reference)", t["jax"] / t["hand"], None))

    # euler-first: a fresh process with an empty disk cache, then another with it warm
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as cache_dir:
        cold, _ = _fresh_process(FIRST_CALL % here, cache_dir)
        _, warm = _fresh_process(FIRST_CALL % here, cache_dir)
        _fresh_process(HAND_FIRST_CALL % here, cache_dir)           # fills Numba's cache
        hand_warm, = _fresh_process(HAND_FIRST_CALL % here, cache_dir)
    rows.append(("euler-first", "seconds, fresh process: import + transform + compile + run, "
                 "1,000 steps", cold, 1.0))
    rows.append(("euler-first", "seconds, fresh process, disk cache warm: transform + first "
                 "call (hand-written njit(cache=True): %.2f s)" % hand_warm, warm, 0.3))
    if jax_modules is not None:
        with tempfile.TemporaryDirectory() as cache_dir:
            try:
                jax_first = _fresh_process(JAX_FIRST_CALL, cache_dir, timeout=300)[1]
                rows.append(("euler-first", "JAX: jit(grad) of the plain Python loop, first "
                             "call, seconds / ours (target: ours <= JAX's)",
                             jax_first / cold, None))
            except subprocess.TimeoutExpired:
                rows.append(("euler-first", "JAX: jit(grad) of the plain Python loop, first "
                             "call: over 300 s", math.inf, None))

    # jit-in-loop: the seed's loops (samples/jit_tutorial.py)
    hoisted_loop = seed.g_inner_jitted_normal
    lambda_loop = seed.g_inner_jitted_lambda
    partial_loop = seed.g_inner_jitted_partial

    t = R.median_times({"hoisted": lambda: hoisted_loop(1, 20), "lambda": lambda: lambda_loop(1, 20),
                        "partial": lambda: partial_loop(1, 20)}, options.repeat, options.min_time)
    rows.append(("jit-in-loop", "jit(lambda) made in the loop / hoisted jit",
                 t["lambda"] / t["hoisted"], 1.5))
    rows.append(("jit-in-loop", "jit(partial) made in the loop / hoisted jit",
                 t["partial"] / t["hoisted"], 1.5))

    # mlp
    rng = np.random.default_rng(0)
    params = F.mlp_params(rng)
    x, y = F.mlp_batch(rng)
    grad = tp.jit(tp.grad(F.mlp_loss))
    R.assert_same_gradient("mlp", F.mlp_loss_grad_by_hand(params, x, y), grad(params, x, y),
                           "jit(grad)")
    t = R.median_times({"ours": lambda: grad(params, x, y),
                        "hand": lambda: F.mlp_loss_grad_by_hand(params, x, y)},
                       options.repeat, options.min_time)
    before = tp.cache_info()["misses"]
    x2, y2 = F.mlp_batch(rng, batch=129)
    grad(params, x2, y2)
    rebuilt = tp.cache_info()["misses"] - before
    rows.append(("mlp", "jit(grad(mlp_loss)) batch 128 / hand NumPy (batch 129: %s)"
                 % ("code reused" if not rebuilt else "generated again"), t["ours"] / t["hand"], 1.2))

    # selu
    xs = rng.normal(size=1_000_000)
    selu = tp.jit(F.selu)
    dselu = tp.jit(tp.grad(F.sum_selu))
    np.testing.assert_allclose(selu(xs), F.selu(xs), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(dselu(xs), F.sum_selu_grad_by_hand(xs), rtol=1e-12)
    variants = {"selu": lambda: selu(xs), "numpy": lambda: F.selu(xs),
                "dselu": lambda: dselu(xs), "dnumpy": lambda: F.sum_selu_grad_by_hand(xs)}
    if jax_modules is not None:
        jax, jnp = jax_modules
        _, jax_sum_selu, _ = F.make_versions(jnp)
        jselu = jax.jit(lambda v: F.SELU_SCALE * jnp.where(v > 0, v, F.SELU_ALPHA * (jnp.exp(v) - 1)))
        jdselu = jax.jit(jax.grad(jax_sum_selu))
        variants["jax"] = lambda: jax.block_until_ready(jselu(xs))
        variants["djax"] = lambda: jax.block_until_ready(jdselu(xs))
    t = R.median_times(variants, options.repeat, options.min_time)
    peer = "jax" if "jax" in t else "numpy"
    rows.append(("selu", "jit(selu) on 1e6 / %s" % peer, t["selu"] / t[peer], 1.5))
    rows.append(("selu", "jit(grad(sum . selu)) on 1e6 / %s" % ("jax" if "djax" in t else
                                                                "hand NumPy"),
                 t["dselu"] / t["djax" if "djax" in t else "dnumpy"], 1.5))

    print("transpiler %s, numba %s, numpy %s; %s" % (tp.__version__, numba.__version__,
                                                      np.__version__, jax_note))
    print("| row | measured | value | target |")
    print("|---|---|---|---|")
    for name, what, value, target in rows:
        verdict = "" if target is None else "<= %.1f: %s" % (
            target, "met" if value <= target else "MISSED")
        print("| %s | %s | %.2f | %s |" % (name, what, value, verdict))


if __name__ == "__main__":
    main()
