"""Per-example gradients of a logistic regression with `tp.vmap(tp.grad(loss))`.

The loss of `samples/logistic_regression.py`, written for a batch, is called on one
example at a time; `vmap(grad(loss), in_axes=(None, 0, 0))` gives each example's
gradient (the parameters the same for every example, features and labels batched) in
one pass over the batch -- what differentially private SGD clips, and what an influence
or outlier analysis reads.  The batched gradient is written as source: no loop over
the examples, each row of the batch handled by array operations.

Print the generated code:

    transpiler vmap samples/per_example_gradients.py:example_gradient --in-axes None 0 0 --args "init_params(), X[:8], Y[:8]"

Run it:

    python samples/per_example_gradients.py
"""
import numpy as np

import transpiler as tp
from logistic_regression import X, Y, init_params, loss

example_gradient = tp.grad(loss)
per_example_gradients = tp.vmap(example_gradient, in_axes=(None, 0, 0))


def clipped_mean_gradient(params, x, y, clip=1.0):
    """The mean of the per-example gradients, each first scaled to norm at most
    ``clip`` (DP-SGD's clipping, without its noise)."""
    grads = per_example_gradients(params, x, y)
    norms = np.sqrt(np.sum(grads["w"] ** 2, axis=1) + grads["b"] ** 2)
    scale = np.minimum(1.0, clip / np.maximum(norms, 1e-12))
    return {"w": np.mean(grads["w"] * scale[:, None], axis=0),
            "b": np.mean(grads["b"] * scale)}, norms


if __name__ == "__main__":
    params = {"w": np.array([0.5, -0.25, 0.1, 0.3]), "b": -0.2}
    grads = per_example_gradients(params, X, Y)
    print("per-example gradients: w %s, b %s for %d examples"
          % (grads["w"].shape, grads["b"].shape, len(X)))

    # each against grad(loss) of that example alone, and their mean against the
    # gradient of the mean loss (the L2 term is the same in every example)
    looped = [example_gradient(params, X[k], Y[k]) for k in range(len(X))]
    error = max(np.max(np.abs(grads["w"] - np.stack([g["w"] for g in looped]))),
                np.max(np.abs(grads["b"] - np.array([g["b"] for g in looped]))))
    whole = tp.grad(loss)(params, X, Y)
    print("largest difference from a loop of grad(loss): %.1e" % error)
    print("mean of per-example gradients vs grad of the mean loss: %.1e"
          % np.max(np.abs(np.mean(grads["w"], axis=0) - whole["w"])))
    assert error < 1e-12

    # training with clipped per-example gradients
    params = init_params()
    for step in range(101):
        mean_grad, norms = clipped_mean_gradient(params, X, Y, clip=0.5)
        if step % 25 == 0:
            accuracy = np.mean(((X @ params["w"] + params["b"]) > 0) == (Y > 0.5))
            print("  step %3d  loss %.4f  accuracy %.3f  clipped %3d of %d examples"
                  % (step, loss(params, X, Y), accuracy, np.sum(norms > 0.5), len(X)))
        params = {key: params[key] - 0.5 * mean_grad[key] for key in params}

    print()
    print(tp.source(per_example_gradients, params, X[:8], Y[:8]))
