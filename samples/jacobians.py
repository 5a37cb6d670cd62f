"""Jacobians and Hessians, from the JAX autodiff tutorial, ported by swapping `jax` for
`transpiler`; then Newton's method with `hessian`, and SciPy's trust-region Newton
method given transpiler's gradient and Hessian.

Print the generated code:

    transpiler jacfwd samples/jacobians.py:predict --argnums 0
    transpiler jacrev samples/jacobians.py:predict --argnums 0
    transpiler hessian samples/jacobians.py:rosenbrock
    transpiler jvp samples/jacobians.py:rosenbrock

Run it (SciPy is optional: `pip install -e ".[scipy]"`):

    python samples/jacobians.py
"""
import numpy as np

import transpiler as tp


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2) + 1)


def predict(W, b, inputs):
    """Outputs probabilities of a logistic model for each input row."""
    return sigmoid(inputs @ W + b)


def rosenbrock(x):
    """The Rosenbrock function in any dimension: minimum 0 at (1, ..., 1)."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


INPUTS = np.array([[0.52, 1.12, 0.77],
                   [0.88, -1.08, 0.15],
                   [0.52, 0.06, -1.30],
                   [0.74, -2.49, 1.39]])
W = np.array([0.5, -1.0, 0.25])
B = 0.1


def newton(f, x, steps=20):
    """Newton's method: x <- x - H(x)^-1 grad(x), with transpiler's gradient and Hessian."""
    gradient, hessian = tp.grad(f), tp.hessian(f)
    for step in range(steps):
        g = gradient(x)
        if np.linalg.norm(g) < 1e-10:
            break
        x = x - np.linalg.solve(hessian(x), g)
    return x, step


def numeric_jacobian(f, x, eps=1e-6):
    out = np.asarray(f(x))
    jac = np.zeros(out.shape + x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[index] = eps
        jac[(Ellipsis,) + index] = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * eps)
    return jac


def check(name, computed, expected, tol=1e-5):
    error = float(np.max(np.abs(np.asarray(computed) - np.asarray(expected))))
    print("  check (%s): max error %.1e %s" % (name, error, "ok" if error < tol else "MISMATCH"))
    assert error < tol, (name, computed, expected)


if __name__ == "__main__":
    np.set_printoptions(precision=4, suppress=True)

    # 1. The Jacobian of the predictions with respect to the weights, both ways.
    def f(W):
        return predict(W, B, INPUTS)

    J = tp.jacfwd(f)(W)
    print("jacfwd result, with shape", J.shape)
    print(J)
    check("jacfwd vs finite differences", J, numeric_jacobian(f, W))
    J = tp.jacrev(f)(W)
    print("jacrev result, with shape", J.shape)
    check("jacrev = jacfwd", J, tp.jacfwd(f)(W), tol=1e-12)

    # 2. The Hessian: forward mode over reverse mode.
    H = tp.hessian(f)(W)
    print()
    print("hessian, with shape", H.shape)
    check("hessian vs differences of jacrev", H, numeric_jacobian(tp.jacrev(f), W))

    # 3. A Hessian-vector product without the Hessian: forward mode over the gradient.
    x = np.array([-1.2, 1.0, 0.5, 2.0])
    v = np.array([1.0, 0.0, -1.0, 0.5])
    _, hvp = tp.jvp(tp.grad(rosenbrock), (x,), (v,))
    print()
    print("hessian-vector product of rosenbrock:", hvp)
    check("hvp = hessian @ v", hvp, tp.hessian(rosenbrock)(x) @ v, tol=1e-8)

    # 4. Newton's method with the exact Hessian.
    x_star, steps = newton(rosenbrock, np.array([1.2, 1.2, 1.2, 1.2]))
    print()
    print("Newton's method on rosenbrock from 1.2: x = %s after %d steps" % (x_star, steps))
    check("minimum at (1, 1, 1, 1)", x_star, np.ones(4), tol=1e-8)

    # 5. SciPy's trust-region Newton method, given transpiler's gradient and Hessian.
    try:
        import scipy.optimize
    except ImportError:
        print("\n(scipy is not installed: pip install -e \".[scipy]\" for the last part)")
    else:
        result = scipy.optimize.minimize(rosenbrock, np.array([-1.2, 1.0, -0.5, 2.0]),
                                         jac=tp.grad(rosenbrock), hess=tp.hessian(rosenbrock),
                                         method="trust-exact", options={"gtol": 1e-10})
        print()
        print("scipy.optimize.minimize(..., method='trust-exact'): x = %s, %d iterations"
              % (result.x, result.nit))
        check("minimum at (1, 1, 1, 1)", result.x, np.ones(4), tol=1e-6)
