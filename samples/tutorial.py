"""The gradient part of a JAX autodiff tutorial, ported by swapping `jax` for `transpiler`.

Shows `tp.grad` of a scalar function, gradients with respect to several arguments
(`argnums=(0, 1)`), gradients over a dict of parameters (the result is a dict with the
same keys), `has_aux` (a loss returned together with auxiliary data) and
`value_and_grad`.  Each result is compared with central finite differences.

Print the generated derivative code:

    transpiler grad samples/tutorial.py:sum_of_squares
    transpiler grad samples/tutorial.py:sum_squared_error --argnums 0 1
    transpiler grad samples/tutorial.py:loss --args "PARAMS, X, Y"
    transpiler grad samples/tutorial.py:loss_with_aux --has-aux

Run it:

    python samples/tutorial.py
"""
import numpy as np

import transpiler as tp


def sum_of_squares(x):
    return np.sum(x ** 2)


def sum_squared_error(x, y):
    return np.sum((x - y) ** 2)


def predict(params, x):
    return x @ params["w"] + params["b"]


def loss(params, x, y):
    """Mean squared error of a linear model; `params` is {'w': (3,), 'b': scalar}."""
    return np.mean((predict(params, x) - y) ** 2)


def loss_with_aux(params, x, y):
    """The same loss, also returning the predictions (auxiliary data, not differentiated)."""
    prediction = predict(params, x)
    return np.mean((prediction - y) ** 2), prediction


# Example data for the linear model (also used by the CLI's --args).
_RNG = np.random.default_rng(0)
X = _RNG.normal(size=(8, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
PARAMS = {"w": np.zeros(3), "b": 0.0}


def finite_difference(f, args, argnum, eps=1e-6):
    """Central differences of scalar `f` w.r.t. args[argnum] (an array, scalar or dict)."""
    args = list(args)
    target = args[argnum]
    if isinstance(target, dict):
        result = {}
        for key in target:
            def f_key(value, key=key):
                changed = dict(target)
                changed[key] = value
                return f(*args[:argnum], changed, *args[argnum + 1:])
            result[key] = finite_difference(f_key, [target[key]], 0, eps)
        return result
    array = np.array(target, dtype=float)
    gradient = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        up, down = array.copy(), array.copy()
        up[index] += eps
        down[index] -= eps
        args[argnum] = up if array.ndim else float(up)
        f_up = f(*args)
        args[argnum] = down if array.ndim else float(down)
        f_down = f(*args)
        gradient[index] = (f_up - f_down) / (2 * eps)
    return gradient if array.ndim else float(gradient)


def max_error(a, b):
    """Largest absolute difference between two gradients (arrays, scalars or dicts)."""
    if isinstance(a, dict):
        return max(max_error(a[key], b[key]) for key in a)
    if isinstance(a, tuple):
        return max(max_error(u, v) for u, v in zip(a, b))
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def check(name, computed, expected):
    error = max_error(computed, expected)
    print("  check (%s): max error %.1e %s" % (name, error, "ok" if error < 1e-5 else "MISMATCH"))
    assert error < 1e-5, (name, computed, expected)


if __name__ == "__main__":
    np.set_printoptions(precision=4, suppress=True)

    # 1. The gradient of a scalar function.
    x = np.arange(1.0, 5.0)
    sum_of_squares_dx = tp.grad(sum_of_squares)
    print("x =", x)
    print("sum_of_squares(x) =", sum_of_squares(x))
    print("grad(sum_of_squares)(x) =", sum_of_squares_dx(x), "  (2 * x)")
    check("vs finite differences", sum_of_squares_dx(x), finite_difference(sum_of_squares, [x], 0))

    # 2. Gradients with respect to several arguments: a tuple of gradients.
    y = np.array([0.5, 2.5, 3.0, 3.5])
    dx, dy = tp.grad(sum_squared_error, argnums=(0, 1))(x, y)
    print()
    print("y =", y)
    print("grad(sum_squared_error, argnums=(0, 1))(x, y) =")
    print("  d/dx:", dx)
    print("  d/dy:", dy)
    check("d/dx vs finite differences", dx, finite_difference(sum_squared_error, [x, y], 0))
    check("d/dy vs finite differences", dy, finite_difference(sum_squared_error, [x, y], 1))

    # 3. A loss over a dict of parameters: the gradient is a dict with the same keys.
    params = {"w": np.array([0.5, -1.0, 0.0]), "b": 0.1}
    loss_grad = tp.grad(loss)(params, X, Y)
    print()
    print("params =", params)
    print("loss(params, X, Y) = %.6f" % loss(params, X, Y))
    print("grad(loss)(params, X, Y) =")
    print("  w:", loss_grad["w"], " b: %.4f" % loss_grad["b"])
    check("dict vs finite differences", loss_grad, finite_difference(loss, [params, X, Y], 0))

    # 4. has_aux: the function returns (loss, aux); grad returns (gradient, aux).
    aux_grad, prediction = tp.grad(loss_with_aux, has_aux=True)(params, X, Y)
    print()
    print("grad(loss_with_aux, has_aux=True)(params, X, Y) =")
    print("  gradient w:", aux_grad["w"], " b: %.4f" % aux_grad["b"])
    print("  aux (predictions):", prediction)
    check("has_aux gradient = grad(loss)", aux_grad, loss_grad)

    # 5. value_and_grad: the value and the gradient in one pass.
    value, value_grad = tp.value_and_grad(loss)(params, X, Y)
    print()
    print("value_and_grad(loss)(params, X, Y) =")
    print("  value: %.6f" % value)
    print("  gradient w:", value_grad["w"], " b: %.4f" % value_grad["b"])
    check("value = loss(params, X, Y)", value, loss(params, X, Y))
    check("gradient = grad(loss)", value_grad, loss_grad)

    (value, aux), value_grad = tp.value_and_grad(loss_with_aux, has_aux=True)(params, X, Y)
    print("value_and_grad(loss_with_aux, has_aux=True): value %.6f, aux shape %s"
          % (value, aux.shape))

    # 6. A few steps of gradient descent on the linear model.
    print()
    print("gradient descent on the linear model:")
    params = PARAMS
    step = tp.value_and_grad(loss)
    for iteration in range(101):
        value, gradient = step(params, X, Y)
        if iteration % 25 == 0:
            print("  step %3d  loss %.6f" % (iteration, value))
        params = {key: params[key] - 0.1 * gradient[key] for key in params}
    print("  learned w = %s, b = %.4f  (true: [1, -2, 0.5], 0.3)" % (params["w"], params["b"]))
