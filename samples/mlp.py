"""A two-layer tanh MLP classifier trained with `tp.value_and_grad`.

The dataset (three interleaved spirals in the plane, 100 points per class) is generated
with NumPy's default_rng.  The parameters are a dict `{'W1', 'b1', 'W2', 'b2'}`; the loss is
softmax cross-entropy over integer labels, with a numerically stable log-softmax
(subtract the row maximum before `exp`) and an L2 penalty on the weights.  The gradient is a
dict with the same keys; one step of it is checked against central finite differences along
a random direction, then the network is trained by gradient descent with momentum,
printing the loss and the accuracy.

Print the generated derivative code:

    transpiler value_and_grad samples/mlp.py:loss --argnums 0
    transpiler value_and_grad samples/mlp.py:loss --args "init_params(), X, LABELS"

Run it:

    python samples/mlp.py
"""
import numpy as np

import transpiler as tp

N_CLASSES = 3
N_HIDDEN = 32


def make_spirals(points_per_class=100, seed=0):
    """Three spirals in the plane: features (n, 2) float64 and integer labels (n,)."""
    rng = np.random.default_rng(seed)
    features, labels = [], []
    for label in range(N_CLASSES):
        radius = np.linspace(0.05, 1.0, points_per_class)
        angle = (np.linspace(0.0, 4.0, points_per_class) + 4.0 * label
                 + rng.normal(scale=0.2, size=points_per_class))
        features.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        labels.append(np.full(points_per_class, label))
    return np.concatenate(features), np.concatenate(labels)


def init_params(seed=1):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(scale=1.0, size=(2, N_HIDDEN)),
        "b1": np.zeros(N_HIDDEN),
        "W2": rng.normal(scale=1.0 / np.sqrt(N_HIDDEN), size=(N_HIDDEN, N_CLASSES)),
        "b2": np.zeros(N_CLASSES),
    }


X, LABELS = make_spirals()


def log_softmax(z):
    shifted = z - np.max(z, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def predict(params, x):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def loss(params, x, labels, l2=1e-4):
    """Mean softmax cross-entropy of the MLP's logits against integer `labels`, plus L2."""
    log_probs = log_softmax(predict(params, x))
    cross_entropy = -np.mean(log_probs[np.arange(x.shape[0]), labels])
    penalty = l2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return cross_entropy + penalty


def accuracy(params, x, labels):
    return np.mean(np.argmax(predict(params, x), axis=1) == labels)


def check_gradient(params, x, labels, eps=1e-6):
    """Directional derivative along a random direction vs central finite differences."""
    rng = np.random.default_rng(2)
    direction = {key: rng.normal(size=np.shape(value)) for key, value in params.items()}
    grads = tp.grad(loss)(params, x, labels)
    analytic = sum(np.sum(grads[key] * direction[key]) for key in params)
    up = {key: params[key] + eps * direction[key] for key in params}
    down = {key: params[key] - eps * direction[key] for key in params}
    numeric = (loss(up, x, labels) - loss(down, x, labels)) / (2 * eps)
    print("directional derivative: transpiler %.8f, finite differences %.8f"
          % (analytic, numeric))
    assert abs(analytic - numeric) < 1e-6 * max(1.0, abs(numeric))
    assert set(grads) == set(params)
    assert all(grads[key].shape == params[key].shape for key in params)


def train(params, x, labels, steps=300, learning_rate=0.5, momentum=0.9, report_every=50):
    value_and_grad = tp.value_and_grad(loss)
    velocity = {key: np.zeros_like(value) for key, value in params.items()}
    for step in range(steps + 1):
        value, grads = value_and_grad(params, x, labels)
        if step % report_every == 0:
            print("  step %3d  loss %.4f  accuracy %.3f"
                  % (step, value, accuracy(params, x, labels)))
        for key in params:
            velocity[key] = momentum * velocity[key] - learning_rate * grads[key]
            params[key] = params[key] + velocity[key]
    return params


if __name__ == "__main__":
    params = init_params()
    print("dataset: %d points in 2-d, %d classes; MLP 2-%d-%d (tanh)"
          % (X.shape[0], N_CLASSES, N_HIDDEN, N_CLASSES))
    check_gradient(params, X, LABELS)
    print()
    print("gradient descent with momentum:")
    params = train(params, X, LABELS)
    print("final accuracy %.3f" % accuracy(params, X, LABELS))
