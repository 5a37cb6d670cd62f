"""Statements around the computation: docstrings, pass, assert, print, reads of
module-level constants (scalars, arrays, attributes of arrays), and a function whose
result does not depend on the argument (gradient zero)."""
import numpy as np
import pytest

import transpiler as tp
from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=122)

SCALE = 0.75
WEIGHTS = np.array([0.5, -1.0, 2.0, 0.1])
TABLE = np.arange(6.0).reshape(3, 2)
NAMES = ("a", "b")


def with_docstring_and_pass(x):
    """Sum of squares, scaled."""
    if np.sum(x) > 100.0:
        pass
    return SCALE * np.sum(x ** 2)


def with_assert(x):
    assert x.ndim == 1, "expects a vector"
    assert len(x) > 1
    return np.sum(x[1:] * x[:-1])


def with_print(x):
    print("shape", x.shape)
    return np.sum(np.sin(x))


def global_array_weights(x):
    return np.sum(x * WEIGHTS) + np.sum(np.outer(WEIGHTS, x) ** 2)


def global_array_attribute(x):
    t = TABLE.T
    return np.sum(t * x)


def global_array_in_a_list(x):
    return np.sum(np.stack([TABLE[:, 0], x]) ** 2)


def global_tuple_of_names(params):
    s = 0.0
    for name in NAMES:
        s = s + np.sum(params[name] ** 2)
    return s


def constant_result(x):
    return np.sum(WEIGHTS) * 2.0 + len(x)


def partly_constant_result(x, y):
    return np.sum(y ** 2) + 0.0 * np.sum(np.arange(len(x)))


CASES = [
    *cases(with_docstring_and_pass, (normal(3),)),
    *cases(with_assert, (normal(4),)),
    *cases(with_print, (normal(3),)),
    *cases(global_array_weights, (normal(4),)),
    *cases(global_array_attribute, (normal(3),)),
    *cases(global_array_in_a_list, (normal(3),)),
    *cases(global_tuple_of_names, ({"a": normal(2), "b": normal(3), "c": normal(1)},)),
    *cases(constant_result, (normal(3),)),
    *cases(partly_constant_result, (normal(3), normal(2)), argnums=(0, 1)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)


def test_constant_result_has_zero_gradient():
    g = tp.grad(constant_result)(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g, np.zeros(3))
    assert g.dtype == np.float64
