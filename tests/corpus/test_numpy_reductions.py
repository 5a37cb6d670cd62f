"""Reductions with axis and keepdims (sum mean prod max min std var), including
negative and tuple axes, and reductions feeding broadcasting."""
import numpy as np
import pytest

from corpus.cases import CASE_FIELDS, cases, data, run

normal, uniform, positive = data(seed=115)


def sum_over_axes(A):
    return np.sum(np.sum(A, axis=0) ** 2) + np.sum(np.sum(A, axis=-1) ** 3)


def mean_keepdims_centering(A):
    centred = A - np.mean(A, axis=0, keepdims=True)
    return np.sum(centred ** 2 * A)


def normalise_rows(A):
    return np.sum(A / np.sum(A, axis=1, keepdims=True) * A)


def product_reductions(x, A):
    return np.prod(x) + np.sum(np.prod(A, axis=1)) + np.sum(np.prod(A, axis=0, keepdims=True))


def max_min_reductions(A):
    return (np.max(A) - np.min(A) + np.sum(np.max(A, axis=0)) * np.sum(np.min(A, axis=1))
            + np.sum(np.max(A, axis=1, keepdims=True) * A))


def tuple_axes(T):
    return np.sum(np.sum(T, axis=(0, 2)) ** 2) + np.sum(np.mean(T, axis=(1, 2), keepdims=True) * T)


def variance_and_std(A):
    return np.sum(np.var(A, axis=0)) + np.std(A) + np.sum(np.std(A, axis=1, keepdims=True))


def softmax_rows(A):
    e = np.exp(A - np.max(A, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * np.arange(A.shape[1]))


def layer_norm(A, gamma, beta):
    mu = np.mean(A, axis=-1, keepdims=True)
    var = np.mean((A - mu) ** 2, axis=-1, keepdims=True)
    return np.sum((gamma * (A - mu) / np.sqrt(var + 1e-5) + beta) ** 2 * A)


def sum_of_3d_negative_axis(T):
    return np.sum(np.max(T, axis=-2) * np.sum(T, axis=-3))


def amax_amin(x):
    return np.amax(x) * np.amin(x)


def cumulative_sum_and_product(x):
    return np.sum(np.cumsum(x) ** 2) + np.sum(np.cumprod(x))


CASES = [
    *cases(sum_over_axes, (normal(3, 4),), (normal(2, 3, 2),)),
    *cases(mean_keepdims_centering, (normal(4, 3),)),
    *cases(normalise_rows, (positive(3, 4),)),
    *cases(product_reductions, (normal(4), normal(3, 2)), argnums=(0, 1)),
    *cases(max_min_reductions, (normal(3, 4),)),
    *cases(tuple_axes, (normal(2, 3, 4),)),
    *cases(variance_and_std, (normal(4, 3),)),
    *cases(softmax_rows, (normal(3, 4),)),
    *cases(layer_norm, (normal(3, 4), normal(4), normal(4)), argnums=(0, 1, 2)),
    *cases(sum_of_3d_negative_axis, (normal(3, 3, 2),)),
    *cases(amax_amin, (normal(5),)),
    *cases(cumulative_sum_and_product, (normal(5),)),
]


@pytest.mark.parametrize(CASE_FIELDS, CASES)
def test_gradient(fn, args, argnums, kwargs, options):
    run(fn, args, argnums, kwargs, options)
