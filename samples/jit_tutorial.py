"""The jit part of a JAX tutorial, ported by swapping `jax` for `transpiler`.

`tp.jit` specialises a function and compiles it (Numba in nopython mode where it can;
else the generated NumPy code, saying why).  What differs from JAX, for the better:

* Python control flow on traced values is real control flow: `f` below (`if x > 0`)
  works under `jit` as it is (JAX raises a tracer error and asks for static_argnums).
* Static arguments are compile-time constants and the code that depends only on them
  runs at compile time: `g` with `n=20` static becomes `return x + 20`
  (`transpiler jit samples/jit_tutorial.py:g --static n=20`).
* `jit(partial(f))` and `jit(lambda x: f(x))` made afresh in a loop reuse the cache.

Print the specialised source:

    transpiler jit samples/jit_tutorial.py:g --static n=20 --args 1.0
    transpiler jit samples/jit_tutorial.py:selu --args "X"

Run it:

    python samples/jit_tutorial.py
"""
import functools
import time

import numpy as np

import transpiler as tp

X = np.random.default_rng(0).normal(size=1000)


def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * np.where(x > 0, x, alpha * np.exp(x) - alpha)


def sum_logistic(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def norm(X):
    X = X - X.mean(0)
    return X / X.std(0)


def get_negatives(x):
    return x[x < 0]


def f(x):
    if x > 0:
        return x
    else:
        return 2 * x


def g(x, n):
    i = 0
    while i < n:
        i += 1
    return x + i


def loop_body(prev_i):
    return prev_i + 1


def g_inner_jitted_partial(x, n):
    i = 0
    while i < n:
        # JAX: don't do this (a new partial, a new hash, a recompilation each time);
        # here the same code is found in the cache
        i = tp.jit(functools.partial(loop_body))(i)
    return x + i


def g_inner_jitted_lambda(x, n):
    i = 0
    while i < n:
        # JAX: don't do this either (a new lambda each time); here the cache serves it
        i = tp.jit(lambda x: loop_body(x))(i)
    return x + i


def g_inner_jitted_hash(x, n):
    i = 0
    while i < n:
        i = tp.jit(loop_body)(i)
    return x + i


jitted_loop_body = tp.jit(loop_body)


def g_inner_jitted_normal(x, n):
    i = 0
    while i < n:
        i = jitted_loop_body(i)
    return x + i


def main():
    selu_jit = tp.jit(selu)
    assert np.allclose(selu_jit(X), selu(X))
    grad_sum_logistic = tp.jit(tp.grad(sum_logistic))
    s = 1.0 / (1.0 + np.exp(-X))
    assert np.allclose(grad_sum_logistic(X), s * (1 - s))
    Y = np.random.default_rng(1).normal(size=(50, 3))
    assert np.allclose(tp.jit(norm)(Y), norm(Y))
    assert np.array_equal(tp.jit(get_negatives)(X), get_negatives(X))
    f_jit = tp.jit(f)                      # JAX raises here; real control flow works
    assert f_jit(10.0) == 10.0 and f_jit(-10.0) == -20.0
    g_jit = tp.jit(g, static_argnames=["n"])
    assert g_jit(10.0, 20) == 30.0
    print(tp.source(g_jit, 10.0, 20))
    for fn in (g_inner_jitted_partial, g_inner_jitted_lambda, g_inner_jitted_hash,
               g_inner_jitted_normal):
        assert fn(10, 20) == 30
        start = time.perf_counter()
        fn(10, 20)
        print("%-24s %7.1f us per call of the jitted body"
              % (fn.__name__, (time.perf_counter() - start) / 20 * 1e6))
    print("ok")


if __name__ == "__main__":
    main()
