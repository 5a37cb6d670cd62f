"""The functions benchmarks/run.py measures, with hand-written NumPy gradients.

transpiler reads these functions' source, so they live in a real file.  Each benchmark
has the primal (plain NumPy, what `tp.grad` transforms), a hand-written gradient (the
NumPy code one would write by hand: correct, and as cheap as we could make it), and
`make_versions(xp)` builds the same primals over another NumPy-like module
(`jax.numpy`, `autograd.numpy`) for the peers.
"""
import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# (a) sum of squares -----------------------------------------------------------------

def sum_of_squares(x):
    return np.sum(x ** 2)


def sum_of_squares_grad_by_hand(x):
    return 2.0 * x


# (b) sum of SELU ----------------------------------------------------------------------

def selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1))


def sum_selu(x):
    return np.sum(selu(x))


def sum_selu_grad_by_hand(x):
    # d/dx selu = scale for x > 0, scale * alpha * exp(x) otherwise.  Written without
    # np.where, whose data-dependent branches on a random mask cost more than the
    # arithmetic: scale * alpha * exp(min(x, 0)) is scale * alpha where x > 0, and
    # (x > 0) * (scale - scale * alpha) tops it up to scale there.
    d = np.minimum(x, 0.0)
    np.exp(d, out=d)
    d *= SELU_SCALE * SELU_ALPHA
    d += (x > 0) * (SELU_SCALE - SELU_SCALE * SELU_ALPHA)
    return d


# (c) MLP, softmax cross-entropy -------------------------------------------------------

def log_softmax(z):
    shifted = z - np.max(z, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def mlp_loss(params, x, y):
    """Mean softmax cross-entropy of a tanh MLP; `y` holds one-hot targets."""
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    logits = hidden @ params["W2"] + params["b2"]
    return -np.mean(np.sum(y * log_softmax(logits), axis=1))


def mlp_loss_grad_by_hand(params, x, y):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    logits = hidden @ params["W2"] + params["b2"]
    # softmax(logits) - y, over the batch size: the adjoint of the logits.
    exp_shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = exp_shifted / exp_shifted.sum(axis=1, keepdims=True)
    dlogits -= y
    dlogits /= x.shape[0]
    dhidden = dlogits @ params["W2"].T
    dhidden *= 1.0 - hidden * hidden
    return {
        "W1": x.T @ dhidden,
        "b1": dhidden.sum(axis=0),
        "W2": hidden.T @ dlogits,
        "b2": dlogits.sum(axis=0),
    }


def mlp_params(rng, n_in=784, n_hidden=512, n_out=10):
    return {
        "W1": rng.normal(scale=1.0 / np.sqrt(n_in), size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(scale=1.0 / np.sqrt(n_hidden), size=(n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


def mlp_batch(rng, batch=128, n_in=784, n_out=10):
    x = rng.normal(size=(batch, n_in))
    y = np.eye(n_out)[rng.integers(0, n_out, size=batch)]
    return x, y


# Transform time: a ~30-line function ---------------------------------------------------

def gru_sequence_loss(params, xs, targets, clip=1.0, l2=1e-4):
    """A GRU over a sequence, a Huber loss on each step's prediction, an L2 penalty."""
    hidden = np.zeros(params["Uz"].shape[0])
    total = 0.0
    for t in range(xs.shape[0]):
        x = xs[t]
        update = 1.0 / (1.0 + np.exp(-(x @ params["Wz"] + hidden @ params["Uz"]
                                       + params["bz"])))
        reset = 1.0 / (1.0 + np.exp(-(x @ params["Wr"] + hidden @ params["Ur"]
                                      + params["br"])))
        candidate = np.tanh(x @ params["Wh"] + (reset * hidden) @ params["Uh"]
                            + params["bh"])
        hidden = (1.0 - update) * hidden + update * candidate
        prediction = hidden @ params["Wo"] + params["bo"]
        error = prediction - targets[t]
        size = np.sqrt(np.sum(error ** 2))
        if size > clip:
            step_loss = clip * (size - 0.5 * clip)
        else:
            step_loss = 0.5 * size ** 2
        total = total + step_loss
    penalty = 0.0
    for name in ("Wz", "Uz", "Wr", "Ur", "Wh", "Uh", "Wo"):
        penalty = penalty + np.sum(params[name] ** 2)
    mean_loss = total / xs.shape[0]
    if mean_loss > 100.0:
        mean_loss = 100.0 + np.log(mean_loss - 99.0)
    return mean_loss + l2 * penalty


def gru_arguments(rng, steps=20, n_in=8, n_hidden=16, n_out=4):
    params = {}
    for gate in ("z", "r", "h"):
        params["W" + gate] = rng.normal(scale=0.3, size=(n_in, n_hidden))
        params["U" + gate] = rng.normal(scale=0.3, size=(n_hidden, n_hidden))
        params["b" + gate] = np.zeros(n_hidden)
    params["Wo"] = rng.normal(scale=0.3, size=(n_hidden, n_out))
    params["bo"] = np.zeros(n_out)
    return params, rng.normal(size=(steps, n_in)), rng.normal(size=(steps, n_out))


# The same primals over another NumPy-like module (jax.numpy, autograd.numpy) ----------

def make_versions(xp):
    """(sum_of_squares, sum_selu, mlp_loss) written with `xp` in place of NumPy."""

    def xp_sum_of_squares(x):
        return xp.sum(x ** 2)

    def xp_selu(x):
        return SELU_SCALE * xp.where(x > 0, x, SELU_ALPHA * (xp.exp(x) - 1))

    def xp_sum_selu(x):
        return xp.sum(xp_selu(x))

    def xp_log_softmax(z):
        shifted = z - xp.max(z, axis=1, keepdims=True)
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))

    def xp_mlp_loss(params, x, y):
        hidden = xp.tanh(x @ params["W1"] + params["b1"])
        logits = hidden @ params["W2"] + params["b2"]
        return -xp.mean(xp.sum(y * xp_log_softmax(logits), axis=1))

    return xp_sum_of_squares, xp_sum_selu, xp_mlp_loss


# Forward mode: a Jacobian and a Hessian-vector product -----------------------------------

def tanh_layer(x, A):
    """R^n -> R^n: the issue's x -> tanh(A @ x) + sin(x)."""
    return np.tanh(A @ x) + np.sin(x)


def tanh_layer_jacobian_by_hand(x, A):
    slope = 1.0 - np.tanh(A @ x) ** 2
    jac = slope[:, None] * A
    jac[np.diag_indices_from(jac)] += np.cos(x)
    return jac


def mlp_hvp_by_hand(params, x, y, v):
    """The MLP loss's Hessian times the direction `v` (a dict like params): the gradient
    written by hand, differentiated by hand along v (forward over reverse)."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    hidden = np.tanh(x @ W1 + b1)
    logits = hidden @ W2 + b2
    exp_shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = exp_shifted / exp_shifted.sum(axis=1, keepdims=True)
    batch = x.shape[0]
    g_logits = (p - y) / batch
    slope = 1.0 - hidden * hidden
    g_hidden = g_logits @ W2.T
    # tangents along v
    d_hidden = slope * (x @ v["W1"] + v["b1"])
    d_logits = d_hidden @ W2 + hidden @ v["W2"] + v["b2"]
    d_p = p * (d_logits - np.sum(p * d_logits, axis=1, keepdims=True))
    d_g_logits = d_p / batch
    d_g_hidden = d_g_logits @ W2.T + g_logits @ v["W2"].T
    d_g_z = d_g_hidden * slope - 2.0 * g_hidden * hidden * d_hidden
    return {
        "W1": x.T @ d_g_z,
        "b1": d_g_z.sum(axis=0),
        "W2": d_hidden.T @ g_logits + hidden.T @ d_g_logits,
        "b2": d_g_logits.sum(axis=0),
    }
