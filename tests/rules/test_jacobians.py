"""The Jacobian assembly helpers of jacfwd and jacrev, each rule checked on its own
against finite differences, and through tp.grad."""
import numpy as np
import pytest

import runtime as rt

from .oracle import Call, Grad, check_call, check_case, grad_params, rule_params

RNG = np.random.default_rng(11)
X = {"a": RNG.standard_normal(2), "b": RNG.standard_normal((1, 2))}     # 4 entries
OUT = (RNG.standard_normal(3), 0.5)                                     # 4 entries


def _columns():
    return [(RNG.standard_normal(3), float(RNG.standard_normal())) for _ in range(4)]


def _rows():
    return [{"a": RNG.standard_normal(2), "b": RNG.standard_normal((1, 2))} for _ in range(4)]


J = rt.jacobian_of_columns(_columns(), X, OUT)
CALLS = [
    Call(rt.jacobian_of_columns, _columns(), X, OUT),
    Call(rt.jacobian_of_columns, [RNG.standard_normal((2, 2)) for _ in range(3)],
         RNG.standard_normal(3), RNG.standard_normal((2, 2))),
    Call(rt.jacobian_of_rows, _rows(), X, OUT),
    Call(rt.jacobian_of_rows, [RNG.standard_normal(3), RNG.standard_normal(3)], RNG.standard_normal(3),
         RNG.standard_normal(2)),
    Call(rt.columns_of_jacobian, J, _columns(), X, OUT),
    Call(rt.rows_of_jacobian, J, _rows(), X, OUT),
    # rows of lazily broadcast adjoints (a number for a whole row, a row of a matrix for
    # the matrix): their cotangents are summed down to them
    Call(rt.rows_of_jacobian, RNG.standard_normal((2, 2, 3)), [0.5, RNG.standard_normal(3)],
         RNG.standard_normal((2, 3)), RNG.standard_normal(2)),
    # the same from a batch (the basis index first): arrays at once, pytrees through the
    # lists; leaves lazily broadcast per basis vector
    Call(rt.jacobian_of_batch, RNG.standard_normal((3, 2, 2)), RNG.standard_normal(3),
         RNG.standard_normal((2, 2))),
    Call(rt.jacobian_of_batch, (RNG.standard_normal((4, 3)), RNG.standard_normal(4)), X, OUT),
    Call(rt.jacobian_of_batch, (RNG.standard_normal((4, 1)), RNG.standard_normal(4)), X, OUT),
    Call(rt.batch_of_jacobian, RNG.standard_normal((2, 2, 3)), RNG.standard_normal((3, 2, 2)),
         RNG.standard_normal(3), RNG.standard_normal((2, 2))),
    Call(rt.batch_of_jacobian, J, (RNG.standard_normal((4, 1)), RNG.standard_normal(4)), X,
         OUT),
    Call(rt.jacobian_of_row_batch, RNG.standard_normal((2, 3)), RNG.standard_normal(3),
         RNG.standard_normal(2)),
    Call(rt.jacobian_of_row_batch, {"a": RNG.standard_normal((4, 2)),
                                    "b": RNG.standard_normal((4, 1, 2))}, X, OUT),
    Call(rt.row_batch_of_jacobian, RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3)),
         RNG.standard_normal(3), RNG.standard_normal(2)),
    Call(rt.row_batch_of_jacobian, J, {"a": RNG.standard_normal((4, 2)),
                                       "b": RNG.standard_normal((4, 1, 2))}, X, OUT),
]


def assemble(x):
    columns = [x * x, np.sin(x), x * 3.0]
    rows = [x[0] * x, np.cos(x)]
    forward = rt.jacobian_of_columns(columns, x, x)
    backward = rt.jacobian_of_rows(rows, x, x[:2])
    back = rt.columns_of_jacobian(forward, columns, x, x)
    again = rt.rows_of_jacobian(backward, rows, x, x[:2])
    return np.sum(forward * forward) + np.sum(np.sin(backward)) + np.sum(back[1] * x) \
        + np.sum(again[0] ** 2)


def assemble_batches(x):
    # batches of columns and rows (the basis index first), each helper and its transpose
    jacobian = rt.jacobian_of_batch(np.stack([x * x, np.sin(x), x * 3.0]), x, x)
    rows = np.stack([x[0] * x, np.cos(x)])
    jacobian_t = rt.jacobian_of_row_batch(rows, x, x[:2])
    total = np.sum(jacobian * np.cos(jacobian)) + np.sum(jacobian_t ** 3)
    total = total + np.sum(rt.batch_of_jacobian(jacobian, jacobian, x, x)[2] * x)
    return total + np.sum(np.tanh(rt.row_batch_of_jacobian(jacobian_t, rows, x, x[:2])))


CASES = [Grad((rt.jacobian_of_columns, rt.jacobian_of_rows, rt.columns_of_jacobian,
               rt.rows_of_jacobian), assemble, RNG.standard_normal(3)),
         Grad((rt.jacobian_of_batch, rt.jacobian_of_row_batch, rt.batch_of_jacobian,
               rt.row_batch_of_jacobian), assemble_batches, RNG.standard_normal(3))]


@pytest.mark.parametrize("call, param, argnum, position", rule_params(CALLS))
def test_rule_matches_finite_differences(call, param, argnum, position):
    check_call(call, param, argnum, position)


@pytest.mark.parametrize("case", grad_params(CASES))
def test_gradient(case):
    check_case(case)


def test_basis_and_assembly_give_the_jacobian_layout():
    basis = rt.basis(X)
    assert len(basis) == 4 and basis[3]["b"][0, 1] == 1.0 and basis[3]["a"].sum() == 0.0
    jac = rt.jacobian_of_columns([({"a": b["a"], "b": b["b"]}["a"][:1].repeat(3) * 0 + k,
                                   float(k)) for k, b in enumerate(basis)], X, OUT)
    assert jac[0]["a"].shape == (3, 2) and jac[0]["b"].shape == (3, 1, 2)
    assert jac[1]["b"].shape == (1, 2) and jac[1]["b"][0, 1] == 3.0


def test_a_batch_of_tangents_gives_the_jacobian_of_its_columns():
    stacked = RNG.standard_normal((3, 2, 2))
    x = RNG.standard_normal(3)
    np.testing.assert_array_equal(rt.jacobian_of_batch(stacked, x, stacked[0]),
                                  rt.jacobian_of_columns(list(stacked), x, stacked[0]))
    np.testing.assert_array_equal(rt.basis_batch(X)["b"], np.stack([b["b"] for b in rt.basis(X)]))
    np.testing.assert_array_equal(rt.basis_batch(x), np.eye(3))
