"""Keyword arguments of the primals: each is differentiated or refused at its line.

NumPy's functions take keywords the rules do not model (``out=``, ``where=``, ``like=``,
a ufunc's ``signature=``...).  Every keyword of every differentiable primal's NumPy
signature, passed a value the rule cannot see, must either be taken or make a
TranspileError at the call's line that names it and says what to write instead --
never an internal error (RuleError) or a derivative that ignores it.  The keywords the
rules model (``dtype=``, ``initial=``, ``where=`` on sum and mean, ``copy=True``...)
are checked against finite differences in the rule tables and below.
"""
import builtins
import importlib.util
import inspect

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads
from transpiler.rules.registry import all_rules
from transpiler.rules.table import spelling

UFUNC_KEYWORDS = ["out", "where", "casting", "order", "dtype", "subok", "signature", "axes",
                  "axis", "keepdims"]
BUILTIN_KEYWORDS = {builtins.sorted: ["key", "reverse"], builtins.max: ["key", "default"],
                    builtins.min: ["key", "default"], builtins.sum: ["start"]}


def _keywords(primal):
    if isinstance(primal, np.ufunc):
        return UFUNC_KEYWORDS
    if primal in BUILTIN_KEYWORDS:
        return BUILTIN_KEYWORDS[primal]
    try:
        parameters = inspect.signature(primal).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is not p.empty]


def _call_sites():
    """(primal, keyword, source of a call passing that keyword a run-time value)."""
    sites = []
    for rule in all_rules():
        if not rule.differentiable:
            continue
        required = [p for p in rule.params if p not in rule.template.defaults]
        for primal in rule.primals:
            name = spelling(primal)
            if name.startswith("`") or name.startswith("rt.") or "." in name and \
                    not name.startswith(("np.", "math.")):
                continue                    # operators and helpers take no keywords
            if primal is np.einsum:
                positional = ['"ij->"', "x"]
            elif rule.template.varargs and rule.template.varargs not in rule.refuse:
                positional = ["x", "x"]
            else:
                # a refused parameter (np.interp's xp, np.quantile's q) given a constant:
                # varied, it is refused before the keyword is looked at
                positional = ["0.5" if p in rule.refuse else "x" for p in required]
            for keyword in _keywords(primal):
                call = "%s(%s, %s=v)" % (name, ", ".join(positional), keyword)
                sites.append((primal, keyword, call))
    return sites


SITES = _call_sites()


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    """A module with one function per call site (transpiler reads functions' source)."""
    path = tmp_path_factory.mktemp("keywords") / "keyword_calls.py"
    lines = ["import math", "import numpy as np", ""]
    for k, (_, _, call) in enumerate(SITES):
        lines += ["def case_%d(x, v):" % k, "    return np.sum(%s)" % call, ""]
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("keyword_calls", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_call_sites_cover_the_rules():
    assert len(SITES) > 150
    assert {"out", "where", "dtype", "initial", "copy", "like", "keepdims"} <= \
        {keyword for _, keyword, _ in SITES}


@pytest.mark.parametrize("k", range(len(SITES)), ids=["%s-%s" % (spelling(p).strip("`"), kw)
                                                      for p, kw, _ in SITES])
def test_every_keyword_is_taken_or_refused_at_its_line(calls, k):
    primal, keyword, call = SITES[k]
    fn = getattr(calls, "case_%d" % k)
    try:
        tp.grad(fn)
    except tp.TranspileError as error:
        message = str(error)
        assert error.lineno == fn.__code__.co_firstlineno + 1, message
        assert call in message, message
        assert "`%s" % keyword in message and "hint: " in message, message


# ------------------------------------------------------------ refused, with what to write

def sum_into(x, buffer):
    return np.sum(x, out=buffer)


def exp_where(x, mask):
    return np.sum(np.exp(x, where=mask))


def var_where(x, mask):
    return np.var(x, where=mask)


def array_no_copy(x):
    return np.sum(np.array(x, copy=False) ** 2)


def astype_no_copy(x):
    return np.sum(x.astype(np.float64, copy=False) ** 2)


def array_like(x):
    return np.sum(np.array(x, like=x))


def max_with_default(xs):
    return max(xs, default=0.0)


def linspace_with_step(a):
    samples, step = np.linspace(a, 2.0 * a, 5, retstep=True)
    return np.sum(samples) * step


def matmul_axes(a, b):
    return np.sum(np.matmul(a, b, axes=[(0, 1), (0, 1), (0, 1)]))


@pytest.mark.parametrize("fn, says, hint", [
    (sum_into, "`out=`", "assign the result"),
    (exp_where, "where=True", "np.where(mask"),
    (var_where, "where=True", "np.where(mask"),
    (array_no_copy, "copy=True", "np.asarray"),
    (array_like, "like=None", "leave it out"),
    (astype_no_copy, "copy=True", "the argument itself"),
    (max_with_default, "`default=`", "max(xs) if len(xs)"),
    (linspace_with_step, "retstep=False", "(stop - start)"),
    (matmul_axes, "`axes=`", "np.moveaxis"),
])
def test_refusals_say_what_to_write_instead(fn, says, hint):
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)
    message = str(info.value)
    assert says in message and hint in message, message
    assert message.startswith("%s:" % __file__), message


def keywords_on_values_not_differentiated(x, counts):
    total = np.sum(counts, out=None, where=counts > 0, dtype=int)
    return np.sum(x) * total


def test_keywords_on_values_not_differentiated_are_the_primals_business():
    counts = np.array([1.0, 2.0, -3.0])
    np.testing.assert_allclose(tp.grad(keywords_on_values_not_differentiated)(np.ones(2), counts),
                               [3.0, 3.0])
    buffer = np.zeros(())
    tp.grad(lambda x: np.sum(x) * np.sum(counts, out=buffer))(np.ones(2))
    assert buffer == 0.0


# ------------------------------------------------------------ taken, and differentiated

X = np.array([[0.3, -1.2, 2.2], [1.4, 0.6, -0.8]])
MASK = np.array([[True, False, True], [False, True, True]])


@pytest.mark.parametrize("fn", [
    lambda x: np.sum(np.cumsum(x, axis=1, dtype=np.float64) ** 2),
    lambda x: np.sum(np.cumprod(x, axis=1, dtype=float) * x),
    lambda x: np.sum(x ** 2, where=MASK),
    lambda x: np.sum(np.sin(np.sum(x, axis=0, where=MASK, keepdims=True))),
    lambda x: np.sum(np.mean(x ** 3, axis=1, where=MASK)),
    lambda x: np.mean(np.exp(x), where=MASK),
    lambda x: np.max(x, initial=0.0) + np.min(x, axis=0, initial=-1.0).sum(),
    lambda x: np.max(x * 10.0, initial=100.0) * 2.0 + np.sum(x),
    lambda x: np.sum(np.max(x, axis=1, initial=-5.0, where=MASK) ** 2),
    lambda x: np.sum(x, initial=3.0) ** 2,
    lambda x: np.prod(x + 2.0, initial=0.5) + np.sum(np.prod(x, axis=0, where=MASK)),
    lambda x: np.sum(np.array(x, copy=True) ** 2),
    lambda x: np.sum(np.array(x, ndmin=3) ** 2),
    lambda x: np.sum(np.asarray(x, dtype=np.float64, order="C") ** 3),
    lambda x: np.sum(np.exp(x, dtype=np.float64, casting="same_kind", out=None, where=True)),
    lambda x: np.sum(np.add(x, x ** 2, order="K")),
    lambda x: np.sum(np.clip(x, min=-1.0, max=1.0) * x),
    lambda x: np.sum(np.sort(x, axis=1, kind="stable") * X),
    lambda x: np.sum(np.reshape(x, shape=(3, 2), copy=None) * X.reshape(3, 2)),
    lambda x: np.var(x, correction=1) + np.std(x, axis=0, ddof=0).sum(),
    lambda x: np.sum(np.stack([x, x ** 2], dtype=np.float64) * 2.0),
    lambda x: np.sum(np.concatenate([x, x * 3.0], axis=1, out=None) ** 2),
    lambda x: np.trace(np.outer(x[0], x[1]), axis1=1, axis2=0) + np.trace(x * x, 1),
    lambda x: np.sum(np.einsum("ij,ij->i", x, x, optimize=True, dtype=np.float64)),
    lambda x: np.sum(np.full_like(x, x[0, 0], shape=(4,)) * 2.0),
    lambda x: np.sum(np.full_like(x, x[0, 1], np.float64) * x),
    lambda x: np.sum(np.zeros_like(x, shape=(2, 2, 3)) + x),
    lambda x: pow(base=x[0, 0], exp=3.0) + np.sum(np.power(x, 2, dtype=float)),
    lambda x: np.sum(x.astype(np.float64, copy=True) ** 2),
])
def test_modelled_keywords_match_finite_differences(fn):
    check_grads(fn, (X,))


@pytest.mark.parametrize("fn", [
    # NumPy's positional order: (a, axis, dtype, out, keepdims), (a, axis, out, keepdims)...
    lambda x: np.sum(np.sin(np.sum(x, 0, None, None, True))),
    lambda x: np.sum(np.sin(np.mean(x, 1, np.float64, None, True))),
    lambda x: np.sum(np.sin(np.max(x, 0, None, True))),
    lambda x: np.sum(np.sin(np.prod(x, 1, None, None, True))),
    lambda x: np.sum(np.var(x, 0, None, None, 1, True)) + np.std(x, None, None, None, 1),
    lambda x: np.sum(np.cumsum(x, 1, float) * x),
    lambda x: np.sum(np.sort(x, 1, "stable") * X),
])
def test_positional_arguments_follow_numpys_order(fn):
    check_grads(fn, (X,))


@pytest.mark.parametrize("fn", [
    lambda x: np.sum(np.sum(x, dtype=int) * x),
    lambda x: np.sum(np.cumsum(x, dtype=int)) + np.sum(x),
    lambda x: np.sum(np.array(x, dtype=int)) + np.sum(x),
    lambda x: np.prod(x, dtype=np.int32) + np.sum(x),
    lambda x: np.sum(np.add(x, x, dtype=int, casting="unsafe")) + np.sum(x),
])
def test_an_integer_dtype_has_a_zero_derivative(fn):
    # the result is a step function of x: zero almost everywhere, as for x.astype(int)
    grad = check_grads(fn, (X,))
    assert grad.dtype == np.float64


def test_trace_over_other_axes():
    a = np.arange(24.0).reshape(2, 3, 4) / 10.0
    for axis1, axis2 in [(0, 1), (1, 2), (2, 0), (-1, -2)]:
        check_grads(lambda x: np.sum(np.sin(np.trace(x, 1, axis1, axis2))), (a,))
