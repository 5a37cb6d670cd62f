"""Array methods and attributes: x.sum(axis=...), x.mean(), x.max(), x.min(),
x.prod(), x.T, x.reshape(...), x.shape, x.ndim, x.size, len(x), x.copy(),
x.astype(float), x.dot(...), x.flatten(), x.transpose(), x.std(), x.var(), x.clip()."""
import numpy as np
import pytest

import transpiler as tp
from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=119)


def sum_methods(A):
    return (A.sum(axis=0) ** 2).sum() + A.sum() + A.sum(axis=1, keepdims=True).sum()


def mean_max_min_methods(A):
    return A.mean() * A.max() - A.min() + A.max(axis=0).sum() + A.mean(axis=1).prod()


def transpose_attribute(A, x):
    return (A.T @ x).sum() + np.trace(A @ A.T) * A.T[0, 1]


def reshape_method(x):
    return (x.reshape(2, -1) ** 2).sum(axis=0)[1] + x.reshape((x.size,))[0]


def shape_attributes(A):
    n, m = A.shape
    return A.sum() * n / m + A[0, 0] * A.ndim + A.size * A[-1, -1] + len(A) * A[0, 1]


def copy_method(x):
    y = x.copy()
    y[0] = y[0] * 5.0
    return (y * x).sum()


def astype_float(x):
    return (x.astype(float) ** 2).sum() + (x.astype(np.float64) * 3.0).sum()


def dot_method(A, x):
    return A.dot(x).dot(A.dot(x)) + x.dot(x)


def flatten_and_transpose_methods(T):
    return (T.flatten() * np.arange(T.size)).sum() + (T.transpose(1, 0, 2) ** 2).sum()


def std_and_var_methods(A):
    return A.std() + A.var(axis=0).sum()


def clip_method(x):
    return (x.clip(-0.5, 0.5) * x).sum()


def method_chain(A):
    return A.T.reshape(-1).cumsum().max() + A.T.mean(axis=0).sum()


def len_drives_loop(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * (len(x) - i)
    return s


def item_of_reduction(x):
    return x.sum().item() * 2.0 + x.max()


CASES = [
    *cases(sum_methods, (normal(3, 4),)),
    *cases(mean_max_min_methods, (normal(3, 4),)),
    *cases(transpose_attribute, (normal(3, 3), normal(3)), argnums=(0, 1)),
    *cases(reshape_method, (normal(6),)),
    *cases(shape_attributes, (normal(3, 2),)),
    *cases(copy_method, (normal(4),)),
    *cases(astype_float, (normal(4),)),
    *cases(dot_method, (normal(2, 3), normal(3)), argnums=(0, 1)),
    *cases(flatten_and_transpose_methods, (normal(2, 3, 2),)),
    *cases(std_and_var_methods, (normal(4, 3),)),
    *cases(clip_method, (np.array([-1.2, -0.3, 0.2, 0.8]),)),
    *cases(method_chain, (normal(3, 2),)),
    *cases(len_drives_loop, (normal(5),)),
    *cases(item_of_reduction, (normal(4),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)


def fill_in_place(x):
    y = x * 1.0
    y.fill(0.5)
    return np.sum(y * x)


def partition_in_place(x):
    y = x * 1.0
    y.partition(1)
    return y[0]


@pytest.mark.parametrize("fn", [fill_in_place, partition_in_place])
def test_methods_that_mutate_are_refused(fn):
    # methods outside the supported list that change the array in place: a located
    # TranspileError naming the method, when the transform is made
    with pytest.raises(tp.TranspileError, match=r"test_array_methods.py:[0-9]+:.*\.%s\(\)"
                       % fn.__name__.split("_")[0]):
        tp.grad(fn)
