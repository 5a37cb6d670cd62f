"""Builtins, containers and functional ``.at[]`` updates through ``tp.grad``."""
import collections

import numpy as np
import pytest

import runtime as rt
import transpiler as tp

from .oracle import Grad, check_case, grad_params

RNG = np.random.default_rng(13)
Pair = collections.namedtuple("Pair", "w b")


def normal(*shape):
    return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())


def weigh(y):
    return np.sum(np.sin(y) * np.reshape(np.arange(1.0, np.size(y) + 1.0), np.shape(y)))


# ------------------------------------------------------------ builtins
def sum_of_scalars(x):
    return sum([x[0], x[1] * 2.0, x[2] ** 2])


def sum_of_arrays(x, y):
    return weigh(sum([x, y * 2.0, x * y]))


def sum_broadcasting(x, a):
    return weigh(sum([x, a, x * 2.0]))


def sum_with_start(x, s):
    return weigh(sum([x, x * 2.0], s)) + sum([x[0], x[1]], s[0] * 2.0)


def sum_of_rows(m):
    return weigh(sum(m))


def max_min_of_scalars(a, b, c):
    return max(a, b) * 2.0 + min(a, b, c) ** 2 + max(a * c, b) + min([a, c])


def max_of_list(x):
    return max([x[0], x[1], x[2]]) * 3.0 + min(x[0], x[1])


def astype_item(x):
    return weigh(x.astype(float)) + x[0].item() * 2.0 + x.astype(np.float64).sum() \
        + np.sum(x[1:2]).item() ** 2


def list_tuple(x):
    rows = list(x)
    pair = tuple([x[0], x[1] * 2.0])
    return weigh(rows[1] * rows[0]) + weigh(pair[1]) + weigh(tuple(x)[2])


def sorted_values(x):
    s = sorted([x[0], x[1], x[2] * 2.0])
    r = sorted([x[0], x[1]], reverse=True)
    return s[0] * 1.0 + s[1] * 2.0 + s[2] * 3.0 + r[0] * 5.0


def by_second(pair):
    return pair[1]


def ordered_by_key(x):
    s = sorted([x[0], x[1], x[2] * 2.0], key=abs)
    pairs = sorted([(x[0], x[1]), (x[2], -x[0])], key=by_second, reverse=True)
    return s[0] * 1.0 + s[2] * 3.0 + pairs[0][0] * pairs[1][1] + max(x, key=abs) * 2.0 \
        + min(x[0], x[1] * 3.0, key=abs) ** 2


def namedtuple_fields(p):
    return weigh(p.w * p.b) + p.b ** 2


def dict_values(d):
    total = 0.0
    for v in d.values():
        total = total + weigh(v)
    return total


def repeated_lists(x, y):
    items = [x[0], y] * 2
    pairs = 3 * (x[1], x[0])
    return items[0] * items[2] + np.sum(items[1] * items[3]) + pairs[0] * pairs[5]


def repeated_pairs(x):
    # items that are containers: their adjoints add item by item
    pairs = [(x, x * 2.0)] * 2
    total = 0.0
    for pair in pairs:
        total = total + weigh(pair[0] * pair[1])
    return total


def concatenated_lists(x, y):
    xs = [x, x * 2.0] + [y]
    return weigh(xs[0] * xs[2]) + weigh(xs[1])


def loop_over_rows(m):
    total = 0.0
    for row in m:
        total = total + weigh(row) * row[0]
    return total


def loop_over_list(x, y):
    total = 0.0
    for z in [x, y, x * y]:
        total = total + weigh(z)
    return total


def dict_get(d):
    return weigh(d.get("w") * d.get("b", 1.0)) + weigh(d.get("c", d["w"]) ** 2)


def dict_built(x, y):
    by_keyword = dict(w=x, b=y)
    from_pairs = dict([("w", x * 2.0), ("w", x * y), ("b", y)])
    copied = dict(by_keyword)
    return weigh(by_keyword["w"] * copied["b"]) + weigh(from_pairs["w"] + from_pairs["b"])


def index_tricks(x, y):
    rows = np.r_[x, y, 0:2, 1.5]
    columns = np.c_[x, y * x]
    return weigh(rows) + weigh(columns)


V = normal(4)
CASES = [
    Grad(rt.dict_get, dict_get, {"w": normal(3), "b": normal()}),
    Grad(rt.dict_of, dict_built, normal(3), normal(), argnums=(0, 1)),
    Grad(rt.column, index_tricks, normal(3), normal(3), argnums=(0, 1)),
    Grad(sum, sum_of_scalars, V),
    Grad(sum, sum_of_arrays, normal(3), normal(3), argnums=(0, 1)),
    Grad(sum, sum_broadcasting, normal(2, 3), normal(), argnums=(0, 1)),
    Grad(sum, sum_of_rows, normal(3, 4)),
    Grad(sum, sum_with_start, normal(3), normal(3), argnums=(0, 1)),
    Grad((max, min), max_min_of_scalars, 0.3, 1.2, -0.7, argnums=(0, 1, 2)),
    Grad((max, min), max_min_of_scalars, -0.3, -1.2, 0.8, argnums=(0, 1, 2)),
    Grad((max, min), max_of_list, np.array([0.3, 1.4, -0.2])),
    Grad((rt.astype, rt.item), astype_item, V),
    Grad((list, tuple), list_tuple, normal(3, 2)),
    Grad(sorted, sorted_values, np.array([0.3, -1.2, 0.1])),
    Grad(sorted, sorted_values, np.array([1.3, 0.2, -0.8])),
    Grad((sorted, max, min), ordered_by_key, np.array([0.3, -1.2, 0.5])),
    Grad((sorted, max, min), ordered_by_key, np.array([-0.9, 0.2, 0.35])),
    Grad(rt.field, namedtuple_fields, Pair(normal(3), normal())),
    Grad(rt.dict_values, dict_values, {"w": normal(3), "b": normal()}),
    Grad(rt.concat, concatenated_lists, normal(2), normal(2), argnums=(0, 1)),
    Grad(rt.repeat_sequence, repeated_lists, normal(2), normal(3)),
    Grad(rt.repeat_sequence, repeated_pairs, normal(2)),
    Grad(rt.as_sequence, loop_over_rows, normal(3, 2)),
    Grad(rt.as_sequence, loop_over_list, normal(2), normal(2), argnums=(0, 1)),
]


# ------------------------------------------------------------ .at[] updates
# NumPy arrays have no .at: each update is written twice, with the runtime function the
# compiler lowers it to (runnable, so checked against finite differences) and with the
# .at[] syntax (whose gradient must be the same)
def at_set(index):
    return (lambda x, v: weigh(rt.at_set(x, index, v * 2.0)),
            lambda x, v: weigh(x.at[index].set(v * 2.0)))


def at_add(index):
    return (lambda x, v: weigh(rt.at_add(x, index, v * 2.0)),
            lambda x, v: weigh(x.at[index].add(v * 2.0)))


def at_multiply(index):
    return (lambda x, v: weigh(rt.at_multiply(x, index, v)),
            lambda x, v: weigh(x.at[index].multiply(v)))


def at_divide(index):
    return (lambda x, v: weigh(rt.at_divide(x, index, v)),
            lambda x, v: weigh(x.at[index].divide(v)))


def at_power(index):
    return (lambda x, v: weigh(rt.at_power(x, index, v)),
            lambda x, v: weigh(x.at[index].power(v)))


def at_min(index):
    return (lambda x, v: weigh(rt.at_min(x, index, v)),
            lambda x, v: weigh(x.at[index].min(v)))


def at_max(index):
    return (lambda x, v: weigh(rt.at_max(x, index, v)),
            lambda x, v: weigh(x.at[index].max(v)))


X = np.array([0.9, -0.6, 1.3, -1.1, 0.4])
INDICES = [(2, ()), (-1, ()), (slice(1, 4), (3,)), (slice(0, 5, 2), ()), (np.array([0, 3]), (2,)),
           (np.array([1, 3, 1]), (3,)), (np.array([4, 0, 4]), ())]
UPDATES = [(rt.at_set, at_set), (rt.at_add, at_add), (rt.at_multiply, at_multiply),
           (rt.at_divide, at_divide), (rt.at_min, at_min), (rt.at_max, at_max)]


def _values(shape):
    """Update values well away from X's (no ties for min/max) and from zero."""
    return RNG.choice([-1.45, -0.25, 0.15, 0.65, 1.55], shape, replace=False) if shape \
        else float(RNG.choice([-1.45, 0.15, 0.65]))


def _index_note(index):
    if isinstance(index, slice):
        return "-[%s:%s:%s]" % (index.start, index.stop, index.step)
    return "-[%s]" % (index.tolist() if isinstance(index, np.ndarray) else index)


CASES += [Grad(primal, make(index)[0], X, _values(shape), argnums=(0, 1),
               note=_index_note(index), twin=make(index)[1])
          for primal, make in UPDATES for index, shape in INDICES]
CASES += [Grad(rt.at_power, at_power(index)[0], np.abs(X) + 0.5, RNG.uniform(0.5, 2.0, shape)
               if shape else 1.7, argnums=(0, 1), note=_index_note(index),
               twin=at_power(index)[1])
          for index, shape in INDICES[:5]]


def at_literal_indices(m, v):
    y = m.at[1:3, 0].set(v[:2])
    y = y.at[0].add(v[2])
    y = y.at[:, -1].multiply(v)
    y = y.at[2, 1].divide(v[0])
    return weigh(y)


def ref_literal_indices(m, v):
    y = rt.at_set(m, (slice(1, 3), 0), v[:2])
    y = rt.at_add(y, 0, v[2])
    y = rt.at_multiply(y, (slice(None), -1), v)
    y = rt.at_divide(y, (2, 1), v[0])
    return weigh(y)


def at_chain_on_a_local(x, v):
    y = x * 2.0
    y = y.at[0].set(v)
    y = y.at[np.array([1, 1, 2])].add(v * x[3])
    return weigh(y.at[-1].power(2.0))


def ref_chain_on_a_local(x, v):
    y = x * 2.0
    y = rt.at_set(y, 0, v)
    y = rt.at_add(y, np.array([1, 1, 2]), v * x[3])
    return weigh(rt.at_power(y, -1, 2.0))


CASES += [Grad((rt.at_set, rt.at_add, rt.at_multiply, rt.at_divide), ref_literal_indices,
               normal(3, 4), RNG.uniform(0.5, 1.5, 3), argnums=(0, 1), twin=at_literal_indices),
          Grad((rt.at_set, rt.at_add, rt.at_power), ref_chain_on_a_local, X, 0.7,
               argnums=(0, 1), twin=at_chain_on_a_local)]


@pytest.mark.parametrize("case", grad_params(CASES))
def test_grad_matches_finite_differences(case):
    check_case(case)


def set_twice(x, v):
    return np.sum(x.at[np.array([1, 1])].set(v) * np.array([1.0, 2.0, 3.0]))


def add_twice(x, v):
    return np.sum(x.at[np.array([1, 1])].add(v) * np.array([1.0, 2.0, 3.0]))


def test_repeated_indices_set_keeps_the_last_write_and_add_accumulates():
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([5.0, 7.0])
    dx, dv = tp.grad(set_twice, argnums=(0, 1))(x, v)
    np.testing.assert_allclose(dx, [1.0, 0.0, 3.0])
    np.testing.assert_allclose(dv, [0.0, 2.0])          # only the last write survives
    dx, dv = tp.grad(add_twice, argnums=(0, 1))(x, v)
    np.testing.assert_allclose(dx, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(dv, [2.0, 2.0])          # both writes accumulate
