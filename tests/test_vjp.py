"""tp.vjp: reverse mode for any output, checked by the identity <u, J v> = <J^T u, v>."""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import numerical_directional, random_like, tree_leaves


def _vdot(a, b):
    return sum(float(np.sum(np.asarray(p) * np.asarray(q)))
               for p, q in zip(tree_leaves(a), tree_leaves(b)))


def check_vjp(f, primals, seed=0, eps=1e-6):
    rng = np.random.default_rng(seed)
    out, pull = tp.vjp(f, *primals)
    u = random_like(out, rng)
    pulled = pull(u)
    assert isinstance(pulled, tuple) and len(pulled) == len(primals)
    for k, (p, x) in enumerate(zip(pulled, primals)):
        for a, b in zip(tree_leaves(p), tree_leaves(x)):
            assert np.shape(a) == np.shape(b)
        if isinstance(x, int):
            assert p == 0.0                  # an integer (a loop count) has no derivative
            continue
        v = random_like(x, rng)
        numeric = numerical_directional(lambda *a: _vdot(u, f(*a)), primals, k, v, eps)
        assert np.isclose(_vdot(p, v), numeric, rtol=1e-5, atol=1e-6)
    return out, pull


def elementwise(x):
    return np.sin(x) * x


def matrix_out(A, x):
    return np.tanh(A * x) @ A.T


def tuple_out(x):
    return np.sum(x ** 2), np.cumsum(x)


def dict_out(params):
    return {"a": params["w"] * 2.0, "b": np.exp(params["w"]).sum()}


def loop_with_tape(x, n):
    y = np.zeros_like(x)
    for i in range(n):
        y = np.tanh(y * x + x)
    return y


def buffer_writes(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = x[i] * x[i - 1]
        out[i] += out[i - 1] * 0.5
    return out


@pytest.mark.parametrize("f, primals", [
    (elementwise, (np.array([0.3, -1.2, 2.0]),)),
    (matrix_out, (np.random.default_rng(1).normal(size=(3, 3)), 0.7)),
    (tuple_out, (np.array([1.0, 2.0, -0.5]),)),
    (dict_out, ({"w": np.array([0.1, 0.2])},)),
    (loop_with_tape, (np.array([0.4, -0.3]), 5)),
    (buffer_writes, (np.array([0.5, 1.5, -1.0, 2.0]),)),
])
def test_vjp_matches_finite_differences(f, primals):
    out, pull = check_vjp(f, primals)
    np.testing.assert_allclose(tree_leaves(out)[0], tree_leaves(f(*primals))[0])


def test_vjp_function_can_be_called_many_times():
    x = np.array([0.4, -0.3])
    _, pull = tp.vjp(loop_with_tape, x, 5)
    first = pull(np.array([1.0, 0.0]))
    again = pull(np.array([1.0, 0.0]))
    other = pull(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.allclose(first[0], other[0])
    _, pull = tp.vjp(buffer_writes, np.array([0.5, 1.5, -1.0, 2.0]))
    ones = np.ones(4)
    np.testing.assert_array_equal(pull(ones)[0], pull(ones)[0])


def test_vjp_with_aux_and_scalar_output():
    def f(x):
        return np.sum(x ** 3), {"n": len(x)}
    out, pull, aux = tp.vjp(f, np.array([1.0, 2.0]), has_aux=True)
    assert isinstance(out, np.float64) and out == 9.0
    assert aux == {"n": 2}
    np.testing.assert_allclose(pull(1.0)[0], [3.0, 12.0])


def test_vjp_of_several_primals_returns_one_entry_each():
    out, pull = tp.vjp(lambda a, b: a * b + np.sin(a), np.array([1.0, 2.0]), 3.0)
    da, db = pull(np.array([1.0, 1.0]))
    np.testing.assert_allclose(da, 3.0 + np.cos([1.0, 2.0]))
    assert isinstance(db, np.float64) and db == pytest.approx(3.0)


def test_vjp_source_and_cli(capsys):
    from transpiler import cli
    _, pull = tp.vjp(elementwise, np.array([0.3, -1.2]))
    source = tp.source(pull)
    assert "def elementwise_fwd(x):" in source and "def elementwise_bwd(saved, " in source
    assert cli.main(["vjp", __file__ + ":elementwise", "--args", "np.array([0.3, -1.2])"]) == 0
    assert capsys.readouterr().out == source
    assert cli.main(["vjp", __file__ + ":tuple_out"]) == 0          # shape-generic
    assert "def tuple_out_bwd(saved, " in capsys.readouterr().out
