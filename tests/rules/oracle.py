"""Checking one derivative rule on its own, against central finite differences.

``check_rule(primal, args, kwargs, param)`` looks the primal's rule up in the registry,
builds the runnable adjoint of one parameter with ``Rule.vjp_function`` (the code the
compiler inlines), and checks the inner-product identity

    <vjp(g), v>  ==  (<g, f(x + h v)> - <g, f(x - h v)>) / 2h

for a random cotangent ``g`` shaped like the output, and lazily broadcast ones (a scalar,
a unit leading axis; a scalar for a container) standing for their broadcast to it, and a
random direction ``v`` shaped like the argument.  Arguments may be arrays, Python floats,
or lists, tuples and dicts of them; the adjoint must have the same structure (or, for a
lazy cotangent, be a scalar standing for every part), and each leaf must broadcast to its
argument's shape without growing it (adjoints may stay lazily broadcast).
"""
import numpy as np
import pytest

import runtime as rt
import transpiler as tp
from helpers.check_grads import check_grads, random_like, tree_leaves, tree_map
from transpiler.rules import registry
from transpiler.rules.table import spelling


def rule_of(primal):
    rule = registry.lookup(primal)
    assert rule is not None, "no rule registered for %r" % (primal,)
    return rule


def slots(primal, args, kwargs):
    """The (label, param, argnum, position) of every differentiable argument of a call."""
    rule = rule_of(primal)
    out = []
    for position, arg in enumerate(args):
        if arg is None:
            continue                      # an absent bound or option: nothing to differentiate
        if position < len(rule.params):
            param = rule.params[position]
            if param in rule.diff:
                out.append((param, param, None, position))
        elif rule.varargs_diff:
            k = position - len(rule.params)
            out.append(("arg%d" % k, None, k, position))
    for key in kwargs:
        if key in rule.diff:
            out.append((key, key, None, key))
    return out


def _vdot(a, b):
    return sum(float(np.sum(np.asarray(p, float) * np.asarray(q, float)))
               for p, q in zip(tree_leaves(a), tree_leaves(b)))


def _shifted(value, step, direction):
    """``value + step * direction``, leaf by leaf; a NumPy scalar stays one."""
    def shift(x, v):
        if np.ndim(x):
            return np.asarray(x, float) + step * v
        moved = float(x) + step * float(v)
        return np.float64(moved) if isinstance(x, np.generic) else moved
    return tree_map(shift, value, direction)


def _assert_structure(adjoint, value):
    """Same containers; each leaf broadcasts to its argument without growing it."""
    adj_leaves, leaves = tree_leaves(adjoint), tree_leaves(value)
    assert len(adj_leaves) == len(leaves), (adjoint, value)
    if isinstance(value, (list, tuple, dict)):
        assert isinstance(adjoint, (list, tuple, dict)), "adjoint of a container: %r" % (adjoint,)
    for adj, leaf in zip(adj_leaves, leaves):
        shape = np.shape(leaf)
        assert np.ndim(adj) <= len(shape) and np.broadcast_shapes(np.shape(adj), shape) == shape, \
            "adjoint of shape %s for an argument of shape %s" % (np.shape(adj), shape)
        assert np.all(np.isfinite(adj)), adj


def _cotangents(ans, rng):
    """A random cotangent shaped like ``ans``, and lazily broadcast ones as generated code
    may pass: for an array, a scalar and one with a unit leading axis; for a container, a
    scalar standing for every part."""
    out = [random_like(ans, rng)]
    if isinstance(ans, np.ndarray) and ans.ndim:
        out.append(float(rng.standard_normal()))
        if ans.shape[0] > 1:
            out.append(rng.standard_normal((1,) + ans.shape[1:]))
    elif isinstance(ans, (list, tuple, dict)) and tree_leaves(ans):
        out.append(float(rng.standard_normal()))
    return out


def _spread(g, like):
    """A cotangent that stands for every part of the container ``like``, made explicit."""
    if isinstance(like, (list, tuple, dict)) and not isinstance(g, (list, tuple, dict)):
        return tree_map(lambda _: g, like)
    return g


def check_rule(primal, args, kwargs, param, argnum, position, seed=0, eps=1e-6, rtol=1e-5,
               atol=1e-6, exact_shape=False):
    """Assert the rule's adjoint of one argument matches finite differences."""
    rng = np.random.default_rng(seed)
    rule = rule_of(primal)
    vjp = rule.vjp_function(param=param, argnum=argnum)
    args, kwargs = list(args), dict(kwargs)
    if rule.effects.writes == (0,) and rule.effects.result == "fresh":
        primal = _written(primal)           # rt.add_at(d, i, v): the function d -> d after
    elif rule.effects.writes:               # x @= y: updates x, so call it on copies
        primal = _on_copies(primal)
    ans = primal(*args, **kwargs)
    value = args[position] if isinstance(position, int) else kwargs[position]

    def at(g, step, direction):
        out = _moved(primal, args, kwargs, position, value, step, direction)
        return _vdot(_spread(g, out), out)

    for k, g in enumerate(_cotangents(ans, rng)):
        adjoint = vjp(g, ans, *args, **kwargs)
        if k:                               # a lazy cotangent may give a lazy adjoint
            adjoint = _spread(adjoint, value)
        _assert_structure(adjoint, value)
        if exact_shape and k == 0:          # a lazy cotangent may give a lazy adjoint
            for adj, leaf in zip(tree_leaves(adjoint), tree_leaves(value)):
                assert np.shape(adj) == np.shape(leaf), (np.shape(adj), np.shape(leaf))
        v = random_like(value, rng)
        numeric = (at(g, eps, v) - at(g, -eps, v)) / (2 * eps)
        analytic = sum(float(np.sum(np.broadcast_to(a, np.shape(d)) * d))
                       for a, d in zip(tree_leaves(adjoint), tree_leaves(v)))
        assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), \
            "adjoint of %s for a cotangent of shape %s: rule %r, finite differences %r" % (
                param or argnum, _describe(g), analytic, numeric)


def check_tangent(primal, args, kwargs, param, argnum, position, seed=0, eps=1e-6, rtol=1e-5,
                  atol=1e-6, exact_shape=False, differences=True):
    """Assert the rule's tangent contribution of one argument matches finite differences
    (unless ``differences`` is False), has the result's structure and shapes exactly, and
    is the transpose of its adjoint: <jvp(t), g> == <t, vjp(g)> for random t and g."""
    rng = np.random.default_rng(seed + 1)
    rule = rule_of(primal)
    jvp = rule.jvp_function(param=param, argnum=argnum, args=args, kwargs=kwargs,
                            primal=primal)
    vjp = rule.vjp_function(param=param, argnum=argnum)
    args, kwargs = list(args), dict(kwargs)
    if rule.effects.writes == (0,) and rule.effects.result == "fresh":
        primal = _written(primal)
    elif rule.effects.writes:
        primal = _on_copies(primal)
    ans = primal(*args, **kwargs)
    value = args[position] if isinstance(position, int) else kwargs[position]

    def at(step, direction):
        return _moved(primal, args, kwargs, position, value, step, direction)

    for k in range(2):
        t = random_like(value, rng)
        tangent = jvp(t, ans, *args, **kwargs)
        leaves, ans_leaves = tree_leaves(tangent), tree_leaves(ans)
        assert len(leaves) == len(ans_leaves) and \
            isinstance(tangent, (list, tuple, dict)) == isinstance(ans, (list, tuple, dict)), \
            "tangent %r for a result %r" % (tangent, ans)
        for leaf, out in zip(leaves, ans_leaves):
            assert np.shape(leaf) == np.shape(out), \
                "tangent of shape %s for a result of shape %s" % (np.shape(leaf), np.shape(out))
        plus, minus = tree_leaves(at(eps, t)), tree_leaves(at(-eps, t))
        for leaf, p, m in zip(leaves, plus, minus) if differences else ():
            numeric = (np.asarray(p, float) - np.asarray(m, float)) / (2 * eps)
            np.testing.assert_allclose(np.asarray(leaf, float), numeric, rtol=rtol,
                                       atol=max(atol, 1e-6) * 10,
                                       err_msg="tangent of %s against finite differences"
                                       % (param or argnum))
        g = random_like(ans, rng)
        adjoint = _spread(vjp(g, ans, *args, **kwargs), value)
        forward = _vdot(tangent, g)
        backward = sum(float(np.sum(np.broadcast_to(a, np.shape(d)) * d))
                       for a, d in zip(tree_leaves(adjoint), tree_leaves(t)))
        exact = min(1e-9, rtol * 1e-3) if rtol <= 1e-5 else rtol * 1e-2   # float32: rounding
        assert np.isclose(forward, backward, rtol=exact, atol=exact), \
            "<jvp(t), g> = %r but <t, vjp(g)> = %r for %s" % (forward, backward,
                                                             param or argnum)


def _moved(primal, args, kwargs, position, value, step, direction):
    """The primal with the argument at ``position`` moved by ``step * direction``."""
    shifted_args, shifted_kwargs = list(args), dict(kwargs)
    shifted = _shifted(value, step, direction)
    if isinstance(position, int):
        shifted_args[position] = shifted
    else:
        shifted_kwargs[position] = shifted
    return primal(*shifted_args, **shifted_kwargs)


def _written(primal):
    def call(target, *args, **kwargs):
        target = rt.snapshot(target)
        primal(target, *args, **kwargs)
        return target
    return call


def _on_copies(primal):
    def call(*args, **kwargs):
        return primal(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    return call


class Call:
    """One call of a primal on fixed arguments: a row of a rule table.

    ``tol`` overrides ``check_rule``'s ``eps``/``rtol``/``atol`` (for float32 results).
    """

    def __init__(self, primal, *args, tol=None, **kwargs):
        self.primal = primal
        self.args = args
        self.kwargs = kwargs
        self.tol = tol or {}

    def label(self):
        name = spelling(self.primal).strip("`")
        shapes = ",".join(_describe(a) for a in self.args)
        keys = ",".join("%s=%s" % (k, _describe(v)) for k, v in self.kwargs.items())
        return "%s(%s)" % (name, ",".join(p for p in (shapes, keys) if p))


def _describe(value):
    if isinstance(value, np.ndarray):
        return "x".join(map(str, value.shape)) or "0d"
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, str)):
        return "[%s]" % ",".join(_describe(v) for v in value)
    if isinstance(value, dict):
        return "{%s}" % ",".join(value)
    if isinstance(value, float):
        return "f"
    return str(value).replace(" ", "")


def rule_params(calls):
    """pytest parameters: one per (call, differentiable argument)."""
    params = []
    for call in calls:
        found = slots(call.primal, call.args, call.kwargs)
        assert found, "%s has no differentiable argument" % call.label()
        for label, param, argnum, position in found:
            params.append(pytest.param(call, param, argnum, position,
                                       id="%s-%s" % (call.label(), label)))
    return params


def check_call_tangent(call, param, argnum, position, **options):
    differences = param not in getattr(call, "identity_only", ())
    check_tangent(call.primal, call.args, call.kwargs, param, argnum, position,
                  differences=differences, **dict(call.tol, **options))


def check_call(call, param, argnum, position, **options):
    check_rule(call.primal, call.args, call.kwargs, param, argnum, position,
               **dict(call.tol, **options))


class Grad:
    """A small function using ``primals``, to differentiate with ``tp.grad``: a row of a
    gradient table, checked by ``helpers.check_grads`` (finite differences, and the
    shape-generic code against the specialised).

    ``twin``: a function NumPy cannot run (it uses ``x.at[...]``) that computes the same
    as ``fn``; its gradients, specialised and generic, must equal ``fn``'s.
    """

    def __init__(self, primals, fn, *args, argnums=0, note="", twin=None, **options):
        self.primals = primals if isinstance(primals, tuple) else (primals,)
        self.note = note
        self.twin = twin
        self.fn = fn
        self.args = args
        self.argnums = argnums
        self.options = options

    def label(self):
        names = "+".join(spelling(p).strip("`") for p in self.primals)
        return "%s(%s)%s" % (names, ",".join(_describe(a) for a in self.args), self.note)


def grad_params(cases):
    return [pytest.param(case, id=case.label()) for case in cases]


def check_case(case):
    grads = check_grads(case.fn, case.args, argnums=case.argnums, **case.options)
    if case.twin is not None:
        derived = tp.grad(case.twin, argnums=case.argnums)
        for twin_grads in (derived(*case.args), derived.call_generic(*case.args)):
            for a, b in zip(tree_leaves(twin_grads), tree_leaves(grads)):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    return grads
