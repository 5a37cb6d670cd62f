"""Benchmark transpiler's gradients against the primal, hand-written NumPy, JAX and autograd.

    python benchmarks/run.py                 # full run (about 20 s with the peers)
    python benchmarks/run.py --repeat 3      # quicker, noisier
    python benchmarks/run.py --no-peers      # transpiler and NumPy only
    python benchmarks/run.py --single-thread # one BLAS/XLA thread: steadier when busy

Prints a markdown table of ratios measured in this run, then the absolute times.  Every
time is the median of `--repeat` timed repeats, each the mean of enough calls to last
`--min-time` seconds, taken after a warm-up call (timeit-style, garbage collector off);
the repeats of one benchmark's variants are interleaved.
JAX and autograd are measured when they can be imported (`pip install jax autograd`, or
`pip install -e ".[bench]"`); the script runs without them.  See benchmarks/README.md.
"""
import argparse
import gc
import os
import platform
import statistics
import sys
import time
import timeit

if "--single-thread" in sys.argv[1:]:
    # Read once, when NumPy's BLAS and JAX's XLA start: so before they are imported.
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_variable] = "1"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen"
                               "=false intra_op_parallelism_threads=1").strip()

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import functions as F  # noqa: E402  (benchmarks/functions.py: real source for the compiler)
import transpiler as tp  # noqa: E402

TARGET_VS_PRIMAL = 3.0
TARGET_VS_HAND = 1.3
TARGET_TRANSFORM_MS = 50.0


# ------------------------------------------------------------------ timing

def calls_per_repeat(timer, min_time):
    """How many calls a timed repeat needs to last at least `min_time` seconds."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time or number >= 1 << 20:
            return number
        number = max(number * 2, int(number * 1.2 * min_time / max(elapsed, 1e-9)))


def median_times(variants, repeat, min_time):
    """Median seconds per call of each `fn()` in `variants` (a dict), after a warm-up call.

    The repeats of the variants are interleaved (a, b, c, a, b, c, ...), so that a burst of
    load on the machine slows all of them rather than one, and the ratios survive it.
    """
    timers, numbers, samples = {}, {}, {}
    for name, fn in variants.items():
        fn()
        timers[name] = timeit.Timer(fn)
        numbers[name] = calls_per_repeat(timers[name], min_time)
        samples[name] = []
    for _ in range(repeat):
        for name, timer in timers.items():
            samples[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def transform_time(fn, args, repeat):
    """Median seconds to build tp.grad(fn) from nothing and make its first call.

    Returns (total, construction, first call): the first call includes the shape
    specialisation.  Caches (memory and disk) are cleared before each repeat.
    """
    totals, constructions, first_calls = [], [], []
    for _ in range(repeat):
        tp.clear_caches()
        gc.collect()
        start = time.perf_counter()
        grad_fn = tp.grad(fn)
        built = time.perf_counter()
        grad_fn(*args)
        done = time.perf_counter()
        totals.append(done - start)
        constructions.append(built - start)
        first_calls.append(done - built)
    return tuple(statistics.median(v) for v in (totals, constructions, first_calls))


# ------------------------------------------------------------------ checks

def leaves(tree):
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in leaves(tree[key])]
    return [np.asarray(tree)]


def assert_same_gradient(name, reference, other, what, rtol=1e-9, atol=1e-12):
    ref, oth = leaves(reference), leaves(other)
    assert len(ref) == len(oth), (name, what)
    for a, b in zip(ref, oth):
        np.testing.assert_allclose(np.asarray(b, dtype=np.float64), a, rtol=rtol, atol=atol,
                                   err_msg="%s: %s differs from transpiler's gradient"
                                   % (name, what))


# ------------------------------------------------------------------ peers

def load_jax():
    try:
        import jax
        import jax.numpy as jnp
    except Exception as exc:                                    # noqa: BLE001
        return None, "jax not importable (%s)" % type(exc).__name__
    jax.config.update("jax_enable_x64", True)                   # float64, like the others
    return (jax, jnp), "jax %s (x64, %s)" % (jax.__version__, jax.default_backend())


def load_autograd():
    try:
        import autograd
        import autograd.numpy as anp
    except Exception as exc:                                    # noqa: BLE001
        return None, "autograd not importable (%s)" % type(exc).__name__
    version = getattr(autograd, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version
            version = dist_version("autograd")
        except Exception:                                       # noqa: BLE001
            version = "?"
    return (autograd, anp), "autograd %s" % version


# ------------------------------------------------------------------ benchmarks

def benchmark_cases(rng):
    """(name, primal, hand-written gradient, numpy args, index into make_versions)."""
    x_a = rng.normal(size=1_000_000)
    x_b = rng.normal(size=1_000_000)
    params = F.mlp_params(rng)
    x_c, y_c = F.mlp_batch(rng)
    return [
        ("(a) sum(x**2), 1e6 float64", F.sum_of_squares, F.sum_of_squares_grad_by_hand,
         (x_a,), 0),
        ("(b) sum(selu(x)), 1e6 float64", F.sum_selu, F.sum_selu_grad_by_hand, (x_b,), 1),
        ("(c) MLP 784-512-10 tanh, softmax CE, batch 128", F.mlp_loss,
         F.mlp_loss_grad_by_hand, (params, x_c, y_c), 2),
    ]


def run_case(case, peers, repeat, min_time):
    name, primal, by_hand, args, index = case
    grad_fn = tp.grad(primal)
    tp_grad = grad_fn(*args)                                    # warm-up: specialises
    hand_grad = by_hand(*args)
    assert_same_gradient(name, tp_grad, hand_grad, "the hand-written gradient")

    generated = grad_fn.specialised(*args)                      # without the dispatch
    variants = {
        "primal": lambda: primal(*args),
        "hand": lambda: by_hand(*args),
        "tp": lambda: grad_fn(*args),
        "tp_generated": lambda: generated(*args),
    }

    jax_modules = peers.get("jax")
    if jax_modules is not None:
        jax, jnp = jax_modules
        jax_fn = F.make_versions(jnp)[index]
        jax_args = jax.device_put(args)
        eager, jitted = jax.grad(jax_fn), jax.jit(jax.grad(jax_fn))
        assert_same_gradient(name, tp_grad, jax.device_get(jitted(*jax_args)), "jax.grad",
                             rtol=1e-7, atol=1e-10)
        variants["jax_jit"] = lambda: jax.block_until_ready(jitted(*jax_args))
        variants["jax"] = lambda: jax.block_until_ready(eager(*jax_args))

    autograd_modules = peers.get("autograd")
    if autograd_modules is not None:
        autograd, anp = autograd_modules
        autograd_grad = autograd.grad(F.make_versions(anp)[index])
        assert_same_gradient(name, tp_grad, autograd_grad(*args), "autograd.grad")
        variants["autograd"] = lambda: autograd_grad(*args)
    return median_times(variants, repeat, min_time)


# ------------------------------------------------------------------ report

def verdict(value, target, below=True):
    ok = value <= target if below else value < target
    return "✓" if ok else "✗"


def ratio(numerator, denominator):
    if numerator is None or denominator is None:
        return "n/a"
    return "%.2f×" % (numerator / denominator)


def milliseconds(seconds):
    return "n/a" if seconds is None else "%.3f" % (1e3 * seconds)


def print_report(results, transform, environment):
    print("Ratios of median times measured in this run. grad: transpiler's `tp.grad(f)`; "
          "a peer / grad above 1× means transpiler is faster.")
    print()
    print("| benchmark | grad / primal (target ≤ %g×) | grad / hand-written (target ≤ %g×) "
          "| jax.jit(grad) / grad | jax.grad / grad | autograd / grad |"
          % (TARGET_VS_PRIMAL, TARGET_VS_HAND))
    print("|---|---|---|---|---|---|")
    for name, t in results:
        vs_primal = t["tp"] / t["primal"]
        vs_hand = t["tp"] / t["hand"]
        print("| %s | %.2f× %s | %.2f× %s | %s | %s | %s |" % (
            name, vs_primal, verdict(vs_primal, TARGET_VS_PRIMAL),
            vs_hand, verdict(vs_hand, TARGET_VS_HAND),
            ratio(t.get("jax_jit"), t["tp"]), ratio(t.get("jax"), t["tp"]),
            ratio(t.get("autograd"), t["tp"])))
    total, construction, first_call = transform
    print("| transform: `tp.grad` of a 30-line function + first call (target < %g ms) "
          "| %.1f ms %s (tp.grad %.1f ms, first call %.1f ms) | | | | |" % (
              TARGET_TRANSFORM_MS, 1e3 * total,
              verdict(1e3 * total, TARGET_TRANSFORM_MS, below=False),
              1e3 * construction, 1e3 * first_call))
    print()
    print("Times in ms (median per call). grad: `tp.grad(f)(*args)`; generated: the "
          "specialised function it runs, called directly.")
    print()
    print("| benchmark | primal | hand-written | grad | generated | jax.jit(grad) "
          "| jax.grad | autograd |")
    print("|---|---|---|---|---|---|---|---|")
    for name, t in results:
        print("| %s | %s |" % (name, " | ".join(milliseconds(t.get(key)) for key in (
            "primal", "hand", "tp", "tp_generated", "jax_jit", "jax", "autograd"))))
    print()
    print(environment)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7,
                        help="timed repeats per measurement; the median is reported")
    parser.add_argument("--min-time", type=float, default=0.05,
                        help="seconds each timed repeat lasts at least (calls are looped)")
    parser.add_argument("--no-peers", action="store_true",
                        help="do not measure JAX or autograd even if installed")
    parser.add_argument("--single-thread", action="store_true",
                        help="one thread for NumPy's BLAS and for XLA (steadier figures on "
                             "a busy machine)")
    options = parser.parse_args(argv)

    peers, notes = {}, []
    for key, loader in (("jax", load_jax), ("autograd", load_autograd)):
        if options.no_peers:
            notes.append("%s: skipped (--no-peers)" % key)
            continue
        modules, note = loader()
        notes.append(note)
        if modules is not None:
            peers[key] = modules

    rng = np.random.default_rng(0)
    results = [(case[0], run_case(case, peers, options.repeat, options.min_time))
               for case in benchmark_cases(rng)]
    gru_args = F.gru_arguments(np.random.default_rng(1))
    transform = transform_time(F.gru_sequence_loss, gru_args, options.repeat)

    threads = "one thread (--single-thread)" if options.single_thread else \
        "BLAS threads: %s" % os.environ.get("OPENBLAS_NUM_THREADS",
                                            os.environ.get("OMP_NUM_THREADS", "default"))
    environment = "Python %s, NumPy %s, transpiler %s, %s; %s; %d CPUs (%s), %s." % (
        platform.python_version(), np.__version__, tp.__version__, "; ".join(notes),
        platform.machine(), os.cpu_count() or 0, platform.system(), threads)
    print_report(results, transform, environment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
