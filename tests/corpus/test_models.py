"""Small models: logistic regression, a tanh RNN unrolled over time steps, a 2-layer
MLP with softmax cross-entropy over a dict of parameters, explicit-Euler ODE
integration over scalars with math functions, Horner's rule, and a few more."""
import math

import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=120)


def logistic_regression_loss(w, b, X, y):
    logits = X @ w + b
    p = 1.0 / (1.0 + np.exp(-logits))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) + 0.01 * np.sum(w ** 2)


def stable_logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def rnn_loss(params, xs, target):
    h = np.zeros(params["Wh"].shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(params["Wx"] @ xs[t] + params["Wh"] @ h + params["b"])
    out = params["Wo"] @ h
    return np.sum((out - target) ** 2)


def mlp_cross_entropy(params, X, labels):
    h = np.tanh(X @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    logits = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(X.shape[0]), labels])


def mlp_one_hot(params, X, Y):
    h = np.maximum(X @ params["W1"] + params["b1"], 0.0)
    logits = h @ params["W2"] + params["b2"]
    m = np.max(logits, axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=-1, keepdims=True))
    return -np.sum(Y * (logits - lse)) / X.shape[0]


def pendulum_energy(omega2, damping, theta0, steps):
    theta, v = theta0, 0.0
    dt = 0.05
    for _ in range(steps):
        a = -omega2 * math.sin(theta) - damping * v
        theta = theta + dt * v
        v = v + dt * a
    return 0.5 * v * v + omega2 * (1.0 - math.cos(theta))


def logistic_growth(r, k, y0, steps):
    y = y0
    dt = 0.1
    for _ in range(steps):
        y = y + dt * r * y * (1.0 - y / k)
    return math.log(y)


def lotka_volterra(params, steps):
    a, b, c, d = params
    x, y = 1.0, 0.5
    dt = 0.02
    for _ in range(steps):
        dx = a * x - b * x * y
        dy = d * x * y - c * y
        x, y = x + dt * dx, y + dt * dy
    return x * y + math.exp(-x)


def horner(coeffs, x):
    result = 0.0
    for c in coeffs:
        result = result * x + c
    return np.sum(result)


def horner_by_index(coeffs, x):
    result = coeffs[0] * np.ones_like(x)
    for i in range(1, len(coeffs)):
        result = result * x + coeffs[i]
    return np.sum(result ** 2)


def gaussian_mixture_nll(means, log_sigmas, x):
    sig = np.exp(log_sigmas)
    z = (x[:, None] - means[None, :]) / sig[None, :]
    log_comp = -0.5 * z ** 2 - log_sigmas[None, :] - 0.5 * math.log(2.0 * math.pi)
    m = np.max(log_comp, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(log_comp - m), axis=1))
    return -np.mean(lse - math.log(len(means)))


def convolution_by_loops(kernel, signal):
    n = len(signal) - len(kernel) + 1
    out = np.zeros(n)
    for i in range(n):
        for j in range(len(kernel)):
            out[i] += kernel[j] * signal[i + j]
    return np.sum(np.tanh(out))


def attention(q, K, V):
    scores = K @ q / np.sqrt(len(q))
    w = np.exp(scores - np.max(scores))
    w = w / np.sum(w)
    return np.sum((w @ V) ** 2)


def huber_regression(w, X, y, delta=1.0):
    r = X @ w - y
    small = np.abs(r) <= delta
    return np.mean(np.where(small, 0.5 * r ** 2, delta * (np.abs(r) - 0.5 * delta)))


X8 = normal(8, 3)
MLP = {"W1": normal(3, 5) * 0.5, "b1": normal(5) * 0.1, "W2": normal(5, 4) * 0.5,
       "b2": normal(4) * 0.1}
RNN = {"Wx": normal(4, 2) * 0.5, "Wh": normal(4, 4) * 0.3, "b": normal(4) * 0.1,
       "Wo": normal(1, 4)}
LABELS = np.array([0, 3, 1, 1, 2, 0, 3, 2])

CASES = [
    *cases(logistic_regression_loss, (normal(3), 0.1, X8, (normal(8) > 0) * 1.0),
           argnums=(0, 1)),
    *cases(stable_logistic_loss, (normal(3), X8, (normal(8) > 0) * 1.0)),
    *cases(rnn_loss, (RNN, normal(5, 2), normal(1)), (RNN, normal(1, 2), normal(1))),
    *cases(rnn_loss, (RNN, normal(3, 2), normal(1)), argnums=(0, 1)),
    *cases(mlp_cross_entropy, (MLP, X8, LABELS)),
    *cases(mlp_one_hot, (MLP, X8, np.eye(4)[LABELS]), argnums=(0, 1)),
    *cases(pendulum_energy, (4.0, 0.3, 0.8, 30), argnums=(0, 1, 2)),
    *cases(logistic_growth, (0.9, 3.0, 0.2, 25), argnums=(0, 1, 2)),
    *cases(lotka_volterra, ((1.1, 0.4, 0.9, 0.3), 40)),
    *cases(horner, (normal(5), 0.7), (normal(4), normal(3)), argnums=(0, 1)),
    *cases(horner_by_index, (normal(4), normal(3)), argnums=(0, 1)),
    *cases(gaussian_mixture_nll, (normal(3), normal(3) * 0.2, normal(6)), argnums=(0, 1, 2)),
    *cases(convolution_by_loops, (normal(3), normal(7)), argnums=(0, 1)),
    *cases(attention, (normal(4), normal(5, 4), normal(5, 3)), argnums=(0, 1, 2)),
    *cases(huber_regression, (normal(3), X8, normal(8) * 2.0)),
    *cases(huber_regression, (normal(3), X8, normal(8) * 2.0), kwargs={"delta": 0.5}),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
