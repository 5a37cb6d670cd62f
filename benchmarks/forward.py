"""Forward mode and Jacobians against hand-written NumPy (and JAX when installed).

    python benchmarks/forward.py             # ratios measured in one run
    python benchmarks/forward.py --repeat 3

Rows: `jacfwd` and `jacrev` of x -> tanh(A @ x) + sin(x) on R^200 against the Jacobian
written by hand (target ≤ 1.5×); a Hessian-vector product of the MLP loss
(`jvp(grad(loss))`) against the same loss's gradient (target ≤ 4×) and against the
product written by hand.  Until vmap exists, the Jacobians loop over the basis: one
forward pass per entry of x (jacfwd), one backward sweep per entry of the output
(jacrev), where the hand-written Jacobian is one broadcast product.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import functions as F  # noqa: E402
import run as R  # noqa: E402
import transpiler as tp  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.05)
    options = parser.parse_args(argv)
    rng = np.random.default_rng(0)

    n = 200
    A = rng.normal(size=(n, n)) / np.sqrt(n)
    x = rng.normal(size=n)
    hand = F.tanh_layer_jacobian_by_hand(x, A)
    forward, reverse = tp.jacfwd(F.tanh_layer), tp.jacrev(F.tanh_layer)
    np.testing.assert_allclose(forward(x, A), hand, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(reverse(x, A), hand, rtol=1e-10, atol=1e-12)
    variants = {"hand": lambda: F.tanh_layer_jacobian_by_hand(x, A),
                "jacfwd": lambda: forward(x, A), "jacrev": lambda: reverse(x, A),
                "primal": lambda: F.tanh_layer(x, A)}
    jax_modules, _ = R.load_jax()
    if jax_modules is not None:
        jax, jnp = jax_modules
        jfun = lambda x, A: jnp.tanh(A @ x) + jnp.sin(x)          # noqa: E731
        jf, jr = jax.jit(jax.jacfwd(jfun)), jax.jit(jax.jacrev(jfun))
        variants["jax_jacfwd"] = lambda: jax.block_until_ready(jf(x, A))
        variants["jax_jacrev"] = lambda: jax.block_until_ready(jr(x, A))
    jac = R.median_times(variants, options.repeat, options.min_time)

    params = F.mlp_params(rng)
    xb, yb = F.mlp_batch(rng)
    v = {k: rng.normal(size=np.shape(p)) for k, p in params.items()}
    grad = tp.grad(F.mlp_loss)

    def gradient_of_params(p):
        return grad(p, xb, yb)

    hvp = lambda: tp.jvp(gradient_of_params, (params,), (v,))[1]        # noqa: E731
    expected = F.mlp_hvp_by_hand(params, xb, yb, v)
    for key in params:
        np.testing.assert_allclose(hvp()[key], expected[key], rtol=1e-8, atol=1e-10)
    second = R.median_times({"grad": lambda: grad(params, xb, yb), "hvp": hvp,
                             "hand": lambda: F.mlp_hvp_by_hand(params, xb, yb, v)},
                            options.repeat, options.min_time)

    print("| benchmark | transpiler / hand-written | target | JAX (jit) / transpiler |")
    print("|---|---|---|---|")
    for name, key in (("jacfwd of tanh(A @ x) + sin(x), R^200", "jacfwd"),
                      ("jacrev of tanh(A @ x) + sin(x), R^200", "jacrev")):
        peer = jac.get("jax_" + key)
        print("| %s | %.1f× %s | ≤ 1.5× | %s |" % (
            name, jac[key] / jac["hand"], R.verdict(jac[key] / jac["hand"], 1.5),
            "n/a" if peer is None else "%.2f×" % (peer / jac[key])))
    print("| HVP of the MLP loss, jvp(grad) | %.2f× the hand-written HVP; %.2f× the "
          "gradient %s | ≤ 4× the gradient | n/a |" % (
              second["hvp"] / second["hand"], second["hvp"] / second["grad"],
              R.verdict(second["hvp"] / second["grad"], 4.0)))
    print()
    print("ms: jacobian by hand %.3f, jacfwd %.3f, jacrev %.3f, primal %.3f; MLP grad %.2f, "
          "hvp %.2f, hvp by hand %.2f" % tuple(1e3 * t for t in (
              jac["hand"], jac["jacfwd"], jac["jacrev"], jac["primal"], second["grad"],
              second["hvp"], second["hand"])))


if __name__ == "__main__":
    main()
