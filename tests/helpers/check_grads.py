"""Numerical oracles for derivatives: central finite differences in float64.

``check_grads(f, args)`` compares ``transpiler.grad`` against central differences of
``f`` along random directions (the directional derivative <grad f(x), v> must equal
(f(x + h v) - f(x - h v)) / 2h), and, for small inputs, against the full
finite-difference gradient element by element.
"""
import zlib

import numpy as np

import transpiler as tp


def tree_leaves(tree):
    if isinstance(tree, dict):
        return [leaf for k in tree for leaf in tree_leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in tree_leaves(item)]
    if tree is None or isinstance(tree, str):
        return []                          # nothing to differentiate (a dict key, an option)
    return [tree]


def assert_leaves_close(a, b, rtol, atol):
    """Two pytrees with as many leaves, each pair equal within the tolerances."""
    leaves_a, leaves_b = tree_leaves(a), tree_leaves(b)
    assert len(leaves_a) == len(leaves_b)
    for x, y in zip(leaves_a, leaves_b):
        np.testing.assert_allclose(np.asarray(x, float), np.asarray(y, float),
                                   rtol=rtol, atol=atol)


def tree_map(fn, tree, *rest):
    if isinstance(tree, dict):
        return type(tree)((k, tree_map(fn, tree[k], *[r[k] for r in rest])) for k in tree)
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return type(tree)(*[tree_map(fn, t, *[r[i] for r in rest]) for i, t in enumerate(tree)])
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(fn, t, *[r[i] for r in rest]) for i, t in enumerate(tree))
    if tree is None or isinstance(tree, str):
        return tree
    return fn(tree, *rest)


def _axpy(a, v, x):
    return tree_map(lambda xi, vi: np.asarray(xi, dtype=float) + a * np.asarray(vi)
                    if np.ndim(xi) else float(xi) + a * float(vi), x, v)


def _vdot(a, b):
    return sum(float(np.sum(np.asarray(p, float) * np.asarray(q, float)))
               for p, q in zip(tree_leaves(a), tree_leaves(b)))


def numerical_directional(f, args, argnum, direction, eps=1e-6, kwargs=None):
    kwargs = kwargs or {}

    def at(a):
        shifted = list(args)
        shifted[argnum] = _axpy(a, direction, args[argnum])
        return float(np.asarray(f(*shifted, **kwargs)))
    return (at(eps) - at(-eps)) / (2 * eps)


def random_like(tree, rng):
    return tree_map(lambda x: rng.standard_normal(np.shape(x)) if np.ndim(x)
                    else float(rng.standard_normal()), tree)


def check_grads(f, args, argnums=0, kwargs=None, eps=1e-6, rtol=1e-5, atol=1e-6,
                directions=3, seed=0, full=True, has_aux=False, generic=True, reenter=False,
                forward=True):
    """Assert tp.grad(f) matches central finite differences; return the gradient.

    Both generated versions are checked: the one specialised to the arguments' shapes
    and (with ``generic``) the shape-generic one, which must agree with it.  With
    ``reenter``, the generated gradient is itself differentiated (``check_reentry``).
    With ``forward``, forward mode is checked too (``check_forward``).
    """
    kwargs = kwargs or {}
    rng = np.random.default_rng(seed)
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    derived = tp.grad(f, argnums=argnums, has_aux=has_aux)
    grads = derived(*args, **kwargs)
    if generic:
        _assert_same(derived.call_generic(*args, **kwargs), grads)
    if has_aux:
        grads = grads[0]
    grads = (grads,) if isinstance(argnums, int) else grads
    primal = (lambda *a, **k: f(*a, **k)[0]) if has_aux else f
    for num, grad in zip(nums, grads):
        # structure and shapes mirror the argument
        for g_leaf, x_leaf in zip(tree_leaves(grad), tree_leaves(args[num])):
            assert np.shape(g_leaf) == np.shape(x_leaf), (np.shape(g_leaf), np.shape(x_leaf))
        assert len(tree_leaves(grad)) == len(tree_leaves(args[num]))
        for _ in range(directions):
            v = random_like(args[num], rng)
            numeric = numerical_directional(primal, args, num, v, eps, kwargs)
            analytic = _vdot(grad, v)
            assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), \
                "directional derivative mismatch for argument %d: transpiler %r, finite " \
                "differences %r" % (num, analytic, numeric)
        leaves = tree_leaves(args[num])
        if full and sum(np.size(x) for x in leaves) <= 40:
            _check_elementwise(primal, args, num, grad, eps, rtol, atol, kwargs)
    if reenter and not has_aux:
        check_reentry(derived, args, nums, kwargs, rng)
    if forward and not has_aux:
        check_forward(f, args, nums, grads, kwargs, rng, eps, rtol, atol, generic)
    return grads[0] if isinstance(argnums, int) else grads


def check_forward(f, args, nums, grads, kwargs, rng, eps=1e-6, rtol=1e-5, atol=1e-6,
                  generic=True):
    """Forward mode on the same function: the tangent of the output along random tangents
    of the arguments ``nums`` (zero for the others) against central differences, and
    against the gradient (<grad, t>: the dot-product identity between the two modes);
    the primal output is f's, and (for half the functions) the shape-generic code agrees."""
    from transpiler.api import _jvp_of
    nums = tuple(k % len(args) for k in nums)
    tangents = [random_like(a, rng) if k in nums else _zeros_like(a)
                for k, a in enumerate(args)]
    try:
        forward = _jvp_of(f, len(args), tuple(sorted(nums)))
        given = {t: tangents[k] for t, k in zip(forward._transform.tangent_params,
                                                 sorted(nums))}
        out, tangent = forward(*args, **given, **kwargs)
    except tp.TranspileError as exc:
        if "can't apply forward-mode autodiff (jvp) to a custom_vjp function" in str(exc):
            return                    # reverse mode only, as in JAX (tests/test_jacobians.py)
        raise
    expected = f(*args, **kwargs)
    _assert_same(out, expected)
    if generic and _every_other(f):
        _assert_same(forward.call_generic(*args, **given, **kwargs), (out, tangent))
    plus = f(*[_shift(a, eps, t) if k in nums else a
               for k, (a, t) in enumerate(zip(args, tangents))], **kwargs)
    minus = f(*[_shift(a, -eps, t) if k in nums else a
                for k, (a, t) in enumerate(zip(args, tangents))], **kwargs)
    for leaf, p, m, value in zip(tree_leaves(tangent), tree_leaves(plus), tree_leaves(minus),
                                 tree_leaves(out)):
        assert np.shape(leaf) == np.shape(value), (np.shape(leaf), np.shape(value))
        numeric = (np.asarray(p, float) - np.asarray(m, float)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(leaf, float), numeric, rtol=rtol * 10,
                                   atol=atol * 10, err_msg="forward mode against differences")
    identity = sum(_vdot(g, tangents[k]) for k, g in zip(nums, grads))
    exact = 1e-8 if rtol <= 1e-5 else rtol * 1e-2          # float32: rounding
    assert np.isclose(float(np.asarray(tangent, float)), identity, rtol=exact, atol=exact * 1e-2), \
        "forward mode %r, but the gradient's inner product with the tangents %r" % (
            tangent, identity)


def _every_other(f):
    """Half the functions, the same half every run (by name): forward mode's shape-generic
    code is checked on those -- on all of them it would cost a minute of the CI budget,
    and reverse mode's generic code is checked on every one."""
    name = getattr(f, "__qualname__", "")
    return zlib.crc32(name.encode()) % 2 == 0


def _zeros_like(tree):
    return tree_map(lambda x: np.zeros(np.shape(x)) if np.ndim(x) else 0.0, tree)


def _shift(value, step, direction):
    return tree_map(lambda x, v: np.asarray(x, float) + step * v if np.ndim(x)
                    else float(x) + step * float(v), value, direction)


def check_reentry(derived, args, nums, kwargs, rng, eps=1e-5, rtol=1e-4, atol=1e-5):
    """The generated gradient is valid input: ``tp.vjp`` of it (specialised to these
    arguments) gives <vjp(w), u> equal to the central difference of <G(x), w> along u,
    for a random cotangent w and direction u of each differentiated argument."""
    if kwargs:
        return                      # tp.vjp differentiates positional arguments
    gradient = derived.specialised(*args)
    out, pull = tp.vjp(gradient, *args)
    w = random_like(out, rng)
    cotangents = pull(w)
    for num in nums:
        u = random_like(args[num], rng)

        numeric = numerical_directional(lambda *a: _vdot(gradient(*a), w), args, num, u, eps)
        analytic = _vdot(cotangents[num], u)
        assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), \
            "the derivative of the generated gradient (argument %d): transpiler %r, finite " \
            "differences %r" % (num, analytic, numeric)


def _assert_same(a, b):
    la, lb = tree_leaves(a), tree_leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(np.asarray(x, float), np.asarray(y, float), rtol=1e-10,
                                   atol=1e-12)


def _check_elementwise(f, args, num, grad, eps, rtol, atol, kwargs):
    leaves = tree_leaves(args[num])
    g_leaves = tree_leaves(grad)
    for k, (x, g) in enumerate(zip(leaves, g_leaves)):
        for index in np.ndindex(np.shape(x)):
            basis = [np.zeros(np.shape(leaf)) if np.ndim(leaf) else 0.0 for leaf in leaves]
            if np.ndim(x):
                basis[k][index] = 1.0
            else:
                basis[k] = 1.0
            direction = _rebuild(args[num], basis)
            numeric = numerical_directional(f, args, num, direction, eps, kwargs)
            value = np.asarray(g)[index] if np.ndim(g) else g
            assert np.isclose(value, numeric, rtol=rtol, atol=atol), \
                "gradient element %s of leaf %d: transpiler %r, finite differences %r" % (
                    index, k, value, numeric)


def _rebuild(tree, leaves):
    it = iter(leaves)
    return tree_map(lambda _: next(it), tree)
