"""Logistic regression trained by gradient descent with `tp.value_and_grad`.

A two-class dataset (two Gaussian blobs in 4 dimensions, NumPy's default_rng) is
generated here; the model's parameters are a dict `{'w': (4,), 'b': scalar}`; the loss is
the mean binary cross-entropy written stably with `np.logaddexp`, plus a small L2 penalty.
Each step calls `value_and_grad(loss)` once, which returns the loss and a dict of
gradients with the keys of `params`.  It prints the loss falling and the final accuracy,
and checks one gradient against central finite differences.

Print the generated derivative code (specialised to the sample's shapes):

    transpiler value_and_grad samples/logistic_regression.py:loss --args "init_params(), X, Y"

Run it:

    python samples/logistic_regression.py
"""
import numpy as np

import transpiler as tp

N_FEATURES = 4


def make_dataset(n=400, seed=0):
    """Two Gaussian blobs, labels 0 and 1 (float64)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n).astype(np.float64)
    centres = np.where(labels[:, None] > 0.5, 1.0, -1.0) * np.array([1.0, 0.5, -0.5, 0.25])
    features = centres + rng.normal(scale=1.2, size=(n, N_FEATURES))
    return features, labels


def init_params():
    return {"w": np.zeros(N_FEATURES), "b": 0.0}


X, Y = make_dataset()


def logits(params, x):
    return x @ params["w"] + params["b"]


def loss(params, x, y, l2=1e-3):
    """Mean binary cross-entropy of sigmoid(logits); log(1 + e^z) as logaddexp(0, z)."""
    z = logits(params, x)
    cross_entropy = np.mean(np.logaddexp(0.0, z) - y * z)
    return cross_entropy + l2 * np.sum(params["w"] ** 2)


def accuracy(params, x, y):
    return np.mean((logits(params, x) > 0) == (y > 0.5))


def train(params, x, y, learning_rate=0.5, steps=100, report_every=10):
    value_and_grad = tp.value_and_grad(loss)
    for step in range(steps + 1):
        value, grads = value_and_grad(params, x, y)
        if step % report_every == 0:
            print("  step %3d  loss %.5f  accuracy %.3f" % (step, value, accuracy(params, x, y)))
        params = {key: params[key] - learning_rate * grads[key] for key in params}
    return params


if __name__ == "__main__":
    x, y = X, Y
    params = init_params()

    # The gradient at a random point, against central finite differences.
    rng = np.random.default_rng(1)
    probe = {"w": rng.normal(size=N_FEATURES), "b": 0.3}
    value, grads = tp.value_and_grad(loss)(probe, x, y)
    eps = 1e-6
    numeric_w = np.array([(loss({"w": probe["w"] + eps * e, "b": probe["b"]}, x, y)
                           - loss({"w": probe["w"] - eps * e, "b": probe["b"]}, x, y)) / (2 * eps)
                          for e in np.eye(N_FEATURES)])
    numeric_b = (loss({"w": probe["w"], "b": probe["b"] + eps}, x, y)
                 - loss({"w": probe["w"], "b": probe["b"] - eps}, x, y)) / (2 * eps)
    error = max(np.max(np.abs(grads["w"] - numeric_w)), abs(grads["b"] - numeric_b))
    print("dataset: %d examples, %d features" % x.shape)
    print("value_and_grad at a random point: loss %.6f" % value)
    print("  dw =", np.array2string(grads["w"], precision=6), " db = %.6f" % grads["b"])
    print("  max error vs finite differences: %.1e" % error)
    assert abs(value - loss(probe, x, y)) < 1e-12 and error < 1e-6

    print()
    print("gradient descent:")
    params = train(params, x, y)
    print()
    print("learned w =", np.array2string(params["w"], precision=3), " b = %.3f" % params["b"])
    print("final accuracy %.3f" % accuracy(params, x, y))
