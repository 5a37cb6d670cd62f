"""tp.vmap: the batched function against the function run one example at a time."""
import functools

import numpy as np
import pytest

import transpiler as tp

RNG = np.random.default_rng(3)


def per_example(fn, in_axes, *args):
    """The reference: fn on each example, stacked (in_axes as vmap takes them)."""
    axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
    size = next(np.shape(a)[k] for a, k in zip(args, axes) if k is not None)
    results = [fn(*[a if k is None else np.take(a, b, axis=k) for a, k in zip(args, axes)])
               for b in range(size)]
    if isinstance(results[0], tuple):
        return tuple(np.stack(r) for r in zip(*results))
    return np.stack(results)


def close(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            close(x, y)
        return
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def convolve(x, w):
    output = []
    for i in range(1, len(x) - 1):
        output.append(np.dot(x[i - 1:i + 2], w))
    return np.array(output)


def test_convolve_becomes_slices_of_the_batch():
    xs, ws = RNG.normal(size=(6, 7)), RNG.normal(size=(6, 3))
    batched = tp.vmap(convolve)
    close(batched(xs, ws), per_example(convolve, 0, xs, ws))
    source = tp.source(batched, xs, ws)
    assert "x[:, i - 1:i + 2]" in source and "for example" not in source, source


@pytest.mark.parametrize("x_axis, w_axis, out_axes", [(0, 0, 0), (1, 1, 1), (-1, -1, 0),
                                                      (0, None, 0), (1, None, -1)])
def test_axes(x_axis, w_axis, out_axes):
    xs, ws = RNG.normal(size=(5, 7)), RNG.normal(size=(5, 3))
    x_arg = np.moveaxis(xs, 0, x_axis)
    w_arg = ws[0] if w_axis is None else np.moveaxis(ws, 0, w_axis)
    in_axes = [x_axis, w_axis]
    got = tp.vmap(convolve, in_axes=in_axes, out_axes=out_axes)(x_arg, w_arg)
    expected = per_example(convolve, 0, xs, ws if w_axis is not None else np.stack([ws[0]] * 5))
    close(got, np.moveaxis(expected, 0, out_axes))


def test_keyword_arguments_are_batched_along_axis_0():
    def f(x, scale=2.0):
        return x * scale
    xs, scales = RNG.normal(size=(4, 3)), RNG.normal(size=4)
    close(tp.vmap(f)(xs, scale=scales), xs * scales[:, None])
    close(tp.vmap(f)(xs), xs * 2.0)                     # a default stays as it is


def test_errors():
    xs = np.ones((4, 3))
    with pytest.raises(ValueError, match="sizes that disagree"):
        tp.vmap(convolve)(xs, np.ones((5, 3)))
    with pytest.raises(ValueError, match="along axis 2, but it has rank 2"):
        tp.vmap(convolve, in_axes=2)(xs, np.ones((4, 3)))
    with pytest.raises(ValueError, match="one entry per positional argument"):
        tp.vmap(convolve, in_axes=(0, None, 0))
    with pytest.raises(ValueError, match="at least one non-None"):
        tp.vmap(convolve, in_axes=None)
    with pytest.raises(TypeError, match="in_axes must be"):
        tp.vmap(convolve, in_axes="0")
    with pytest.raises(ValueError, match="rank 0"):
        tp.vmap(lambda x: x * 2)(3.0)


def branchy(x, y):
    if x > y:
        z = x * y
        w = np.sin(x)
    else:
        z = x - y
        w = z * 2
    return z + w


def doubling(x, limit):
    while x < limit:
        x = x * 2.0
    return x


def with_break(x):
    total = 0.0
    for i in range(10):
        total = total + x
        if total > 3.0:
            break
    return total


@pytest.mark.parametrize("fn, args", [
    (branchy, (RNG.normal(size=8), RNG.normal(size=8))),
    (doubling, (RNG.uniform(0.1, 1, size=8), RNG.uniform(1, 20, size=8))),
    (with_break, (RNG.uniform(0.2, 2, size=8),)),
])
def test_control_flow_per_example(fn, args):
    close(tp.vmap(fn)(*args), per_example(fn, 0, *args))


def test_masked_code_and_loop_form_shown():
    xs = RNG.normal(size=8)
    assert "np.where" in tp.source(tp.vmap(branchy), xs, xs)
    assert "np.any" in tp.source(tp.vmap(doubling), xs, xs)
    assert "one example at a time" in tp.source(tp.vmap(with_break), xs)


def loss(w, b, x, y):
    z = x @ w + b
    return np.logaddexp(0.0, z) - y * z


def test_per_example_gradients():
    w, x, y = RNG.normal(size=4), RNG.normal(size=(16, 4)), RNG.uniform(size=16)
    batched = tp.vmap(tp.grad(loss, argnums=(0, 1)), in_axes=(None, None, 0, 0))
    got = batched(w, 0.5, x, y)
    expected = per_example(lambda xi, yi: tp.grad(loss, argnums=(0, 1))(w, 0.5, xi, yi),
                           0, x, y)
    close(got, expected)
    # the reverse pass's helpers batch by their rules: no loop over the examples
    source = tp.source(batched, w, 0.5, x, y)
    assert "one example at a time" not in source, source
    assert "rt.as_batch_gradients(" in source


def dict_loss(params, x, y):
    z = np.tanh(x @ params["w"] + params["b"])
    return np.sum((z - y) ** 2) + 0.1 * np.sum(params["w"] ** 2)


@pytest.mark.parametrize("in_axes", [(None, 0, 0), (0, 0, 0), (0, None, 0)])
def test_per_example_gradients_of_a_dict(in_axes):
    params = {"w": RNG.normal(size=(3, 2)), "b": RNG.normal(size=2)}
    x, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    if in_axes[0] == 0:
        params = {"w": RNG.normal(size=(5, 3, 2)), "b": RNG.normal(size=(5, 2))}
    if in_axes[1] is None:
        x = x[0]
    got = tp.vmap(tp.grad(dict_loss), in_axes=in_axes)(params, x, y)
    def example(k):
        return [a if axis is None else rt_example(a, k) for a, axis in zip((params, x, y),
                                                                          in_axes)]
    expected = [tp.grad(dict_loss)(*example(k)) for k in range(5)]
    for key in ("w", "b"):
        close(got[key], np.stack([e[key] for e in expected]))
        # and against finite differences of the loss of example 3
    p3, x3, y3 = example(3)
    fd = finite_differences(lambda w: dict_loss({"w": w, "b": p3["b"]}, x3, y3), p3["w"])
    close_fd(got["w"][3], fd)
    assert "one example at a time" not in tp.source(tp.vmap(tp.grad(dict_loss),
                                                            in_axes=in_axes), params, x, y)


def rt_example(value, k):
    if isinstance(value, dict):
        return {key: v[k] for key, v in value.items()}
    return value[k]


def test_grad_of_vmap_and_jit_of_vmap():
    xs, ws = RNG.normal(size=(5, 7)), RNG.normal(size=(5, 3))

    def total(xs, ws):
        return np.sum(tp.vmap(convolve)(xs, ws) ** 2)
    g = tp.grad(total)(xs, ws)
    eps, fd = 1e-6, np.zeros_like(xs)
    for idx in np.ndindex(xs.shape):
        e = np.zeros_like(xs)
        e[idx] = eps
        fd[idx] = (total_np(xs + e, ws) - total_np(xs - e, ws)) / (2 * eps)
    close_fd(g, fd)
    close(tp.jit(tp.vmap(convolve))(xs, ws), per_example(convolve, 0, xs, ws))


def total_np(xs, ws):
    return np.sum(per_example(convolve, 0, xs, ws) ** 2)


def close_fd(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_nested_vmap():
    xs, ys = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 4))
    pairwise = tp.vmap(tp.vmap(lambda x, y: np.sum((x - y) ** 2), in_axes=(None, 0)),
                       in_axes=(0, None))
    close(pairwise(xs, ys), np.sum((xs[:, None] - ys[None]) ** 2, axis=-1))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, bool])
def test_dtypes(dtype):
    xs = (RNG.normal(size=(4, 3)) * 3).astype(dtype)
    f = lambda x: x * 2 + 1        # noqa: E731
    got = tp.vmap(f)(xs)
    assert got.dtype == per_example(f, 0, xs).dtype
    close(got, per_example(f, 0, xs))


def test_buffer_written_per_example():
    def cumulative(x):
        out = np.zeros(len(x))
        acc = 0.0
        for i in range(len(x)):
            acc = acc + x[i]
            out[i] = acc
        return out
    xs = RNG.normal(size=(6, 5))
    close(tp.vmap(cumulative)(xs), per_example(cumulative, 0, xs))
    close(tp.vmap(cumulative, in_axes=1, out_axes=1)(xs.T), per_example(cumulative, 0, xs).T)


def test_batched_index():
    def pick(x, i):
        return x[i] * 2.0
    xs, idx = RNG.normal(size=(6, 5)), RNG.integers(0, 5, size=6)
    close(tp.vmap(pick)(xs, idx), per_example(pick, 0, xs, idx))
    close(tp.vmap(pick, in_axes=(None, 0))(xs[0], idx), xs[0][idx] * 2.0)
    close(tp.vmap(pick, in_axes=(0, None))(xs, 3), xs[:, 3] * 2.0)


def test_partial_and_lambda():
    f = functools.partial(convolve, w=np.array([1.0, 2.0, 3.0]))
    xs = RNG.normal(size=(4, 6))
    close(tp.vmap(f)(xs), per_example(lambda x: convolve(x, np.array([1.0, 2.0, 3.0])), 0, xs))


def test_loop_form_puts_the_batch_axis_where_out_axes_says():
    def running_sums(x):
        out = np.zeros(3)
        total = 0.0
        for i in range(3):
            total = total + x
            if total > 2.0:
                break
            out[i] = total
        return out
    xs = RNG.uniform(0.2, 1.5, size=6)
    expected = per_example(running_sums, 0, xs)
    assert "one example at a time" in tp.source(tp.vmap(running_sums), xs)
    close(tp.vmap(running_sums, out_axes=1)(xs), expected.T)
    with pytest.raises(tp.TranspileError, match="out_axes=None"):
        tp.vmap(running_sums, out_axes=None)(xs)
    with pytest.raises(tp.TranspileError, match="out_axes=None"):
        tp.vmap(lambda x: x * 2.0, out_axes=None)(xs)
    close(tp.vmap(lambda x, y: y * 2.0, in_axes=(0, None), out_axes=None)(xs, 3.0), 6.0)


# reads whose meaning a batch axis in front would change: each against the function run
# per example
def tuple_index(x):
    index = (1, 0)
    return x[index] * 2.0


def size_along(x):
    return np.size(x, 0) * x[0, 0] + np.size(x)


def byte_count(x):
    return x.nbytes * x[0]


def zeros_shaped(x):
    return np.zeros_like(x, shape=(2,)) + x[0]


def guarded_index(x, i):
    if i < 3:
        y = x[i]
    else:
        y = 0.0
    return y


def kept_after_loop(x, limit):
    z = x
    step = 0.0
    while z < limit:
        step = z * 3.0
        z = z + step
    return step


@pytest.mark.parametrize("fn, args", [
    (tuple_index, (RNG.normal(size=(4, 3, 2)),)),
    (size_along, (RNG.normal(size=(4, 3, 2)),)),
    (byte_count, (RNG.normal(size=(4, 3)),)),
    (zeros_shaped, (RNG.normal(size=(4, 3)),)),
    (guarded_index, (RNG.normal(size=(6, 3)), np.array([0, 5, 2, 7, 1, 3]))),
    (kept_after_loop, (RNG.uniform(0.1, 1, size=6), RNG.uniform(1, 20, size=6))),
])
def test_reads_a_batch_axis_would_change(fn, args):
    close(tp.vmap(fn)(*args), per_example(fn, 0, *args))


def finite_differences(f, x, eps=1e-6):
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        out[idx] = (f(x + e) - f(x - e)) / (2 * eps)
    return out


@pytest.mark.parametrize("fn, args", [
    (branchy, (RNG.normal(size=6), RNG.normal(size=6))),
    (doubling, (RNG.uniform(0.1, 1, size=6), RNG.uniform(1, 20, size=6))),
    (with_break, (RNG.uniform(0.2, 2, size=6),)),
    (convolve, (RNG.normal(size=(4, 6)), RNG.normal(size=(4, 3)))),
])
def test_gradient_of_batched_code(fn, args):
    """grad through the masked, looped and vectorised forms against finite differences."""
    weights = RNG.normal(size=np.shape(tp.vmap(fn)(*args)))
    batched = tp.vmap(fn)
    if len(args) == 2:
        other = args[1]

        def total(x):
            return np.sum(batched(x, other) * weights)
    else:
        def total(x):
            return np.sum(batched(x) * weights)
    got = tp.grad(total)(args[0])
    expected = finite_differences(lambda x: np.sum(per_example(fn, 0, x, *args[1:]) * weights),
                                  args[0])
    close_fd(got, expected)


def test_write_through_a_batched_mask():
    def clipped(x, limit):
        out = x * 1.0
        out[out > limit] = 0.0
        return out
    xs, limits = RNG.normal(size=(5, 4)), RNG.normal(size=5)
    close(tp.vmap(clipped)(xs, limits), per_example(clipped, 0, xs, limits))
    assert "for example" not in tp.source(tp.vmap(clipped), xs, limits)


SCALE = 2.0


def scaled(x):
    return x * SCALE


def test_a_changed_global_gives_new_code():
    global SCALE
    batched = tp.vmap(tp.grad(lambda x: np.sum(scaled(x))))
    xs = RNG.normal(size=(3, 2))
    try:
        close(batched(xs), np.full((3, 2), 2.0))
        SCALE = 5.0
        close(batched(xs), np.full((3, 2), 5.0))
    finally:
        SCALE = 2.0


def helper_of_pairs(pair, weights):
    return pair[0] * weights["w"] + pair[1]


def calls_a_helper(x, w):
    pair = (x, 1.0)
    empty = ()
    return helper_of_pairs(pair, {"w": w}) + len(empty)


def test_callees_get_the_batch_size_from_their_caller():
    xs, ws = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    close(tp.vmap(calls_a_helper)(xs, ws), per_example(calls_a_helper, 0, xs, ws))
    close(tp.vmap(calls_a_helper, in_axes=(None, 0))(xs[0], ws),
          per_example(lambda w: calls_a_helper(xs[0], w), 0, ws))


# found by the whole corpus (TRANSPILER_VMAP_CORPUS=all)
def gram(A):
    return np.dot(A.T, A) + np.dot(A, np.ones(A.shape[1]))[0]


def counted(x):
    v = np.concatenate([x, x ** 2])
    return np.sum(v * np.arange(len(v)))


def reused_name(x):
    i = np.sum(x)
    s = i * 2.0
    for i in range(2):
        s = s + x[i] * i
    return s + i


def halving(x):
    y = x
    while np.sum(y ** 2) > 1.0:
        y = y * 0.5
    return y


@pytest.mark.parametrize("fn, args", [
    (gram, (RNG.normal(size=(4, 3, 2)),)),
    (counted, (RNG.normal(size=(4, 3)),)),
    (reused_name, (RNG.normal(size=(4, 3)),)),
    (halving, (RNG.normal(size=(5, 3)) * 3,)),
])
def test_whole_corpus_findings(fn, args):
    close(tp.vmap(fn)(*args), per_example(fn, 0, *args))


# ------------------------------------------------------------ pytree prefixes

def layer(params, x):
    return np.tanh(x @ params["w"] + params["b"])


def test_in_axes_pytree_prefix():
    params = {"w": RNG.normal(size=(3, 2)), "b": RNG.normal(size=(5, 2))}
    xs = RNG.normal(size=(5, 3))
    batched = tp.vmap(layer, in_axes=({"w": None, "b": 0}, 0))
    expected = np.stack([layer({"w": params["w"], "b": params["b"][i]}, xs[i])
                         for i in range(5)])
    close(batched(params, xs), expected)
    assert "rt.move_batch_axes(params, {'w': None, 'b': 0}" in tp.source(batched, params, xs)
    # every leaf along axis 0 is plain in_axes 0; every leaf None leaves it unbatched
    shared = {"w": params["w"], "b": params["b"][0]}
    close(tp.vmap(layer, in_axes=({"w": None, "b": None}, 0))(shared, xs),
          np.tanh(xs @ shared["w"] + shared["b"]))
    # a tuple prefix with different axes, negative ones among them, nested in a list
    def f(pair, scale):
        a, b = pair[0], pair[1][0]
        return np.sum(a * b) * scale
    a, b = RNG.normal(size=(4, 6)), RNG.normal(size=(4, 6))
    got = tp.vmap(f, in_axes=([1, (-1,)], None))([a, (b,)], 2.0)
    close(got, np.array([np.sum(a[:, k] * b[:, k]) * 2.0 for k in range(6)]))
    # an int other than 0 for a container maps every leaf along it
    pair = (RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4)))
    close(tp.vmap(lambda t: t[0] * t[1], in_axes=1)(pair), (pair[0] * pair[1]).T)


def test_out_axes_pytree_prefix():
    def two(x, y):
        return x * 2.0, np.sum(y)
    xs, y = RNG.normal(size=(4, 3)), RNG.normal(size=5)
    doubled, total = tp.vmap(two, in_axes=(0, None), out_axes=(1, None))(xs, y)
    close(doubled, (xs * 2.0).T)
    close(total, np.sum(y))
    def named(x):
        return {"twice": x * 2.0, "sum": np.sum(x)}
    out = tp.vmap(named, out_axes={"twice": 1, "sum": 0})(xs)
    close(out["twice"], (xs * 2.0).T)
    close(out["sum"], np.sum(xs, axis=1))
    # the loop form (a break on a batched value) stacks each leaf along its own axis
    def doubling_steps(x):
        steps = np.zeros(2)
        total = x
        for i in range(4):
            if total > 3.0:
                break
            total = total * 2.0
            steps[i % 2] = total
        return steps, total
    x = RNG.uniform(0.2, 1.5, size=6)
    batched = tp.vmap(doubling_steps, out_axes=(1, 0))
    assert "one example at a time" in tp.source(batched, x)
    steps, totals = batched(x)
    close(steps, np.stack([doubling_steps(v)[0] for v in x], axis=1))
    close(totals, np.array([doubling_steps(v)[1] for v in x]))


def test_pytree_prefix_errors():
    xs = RNG.normal(size=(4, 3))
    with pytest.raises(ValueError, match="differs between examples"):
        tp.vmap(lambda x: (x, x * 2.0), out_axes=(0, None))(xs)
    with pytest.raises(ValueError, match="do not match the structure"):
        tp.vmap(lambda x: (x, x * 2.0), out_axes=(0, 0, 0))(xs)
    with pytest.raises(ValueError, match="does not match the structure of argument"):
        tp.vmap(layer, in_axes=({"w": None}, 0))({"w": xs, "b": xs}, xs)
    with pytest.raises(TypeError, match="in_axes must be"):
        tp.vmap(layer, in_axes={"params": 0, "x": 0})
    with pytest.raises(TypeError, match="out_axes must be"):
        tp.vmap(layer, out_axes=(0, "1"))


def scaled_and_norm(u, v):
    return u * v, np.sum(v ** 2)


def test_grad_through_pytree_prefixes():
    params = {"w": RNG.normal(size=(3, 2)), "b": RNG.normal(size=(5, 2))}
    xs = RNG.normal(size=(5, 3))
    batched = tp.vmap(layer, in_axes=({"w": None, "b": 0}, 0), out_axes=1)
    weights = RNG.normal(size=(2, 5))

    def total(w, b):
        return np.sum(batched({"w": w, "b": b}, xs) * weights)

    def reference(w, b):
        return np.sum(np.tanh(xs @ w + b).T * weights)
    dw, db = tp.grad(total, argnums=(0, 1))(params["w"], params["b"])
    close_fd(dw, finite_differences(lambda w: reference(w, params["b"]), params["w"]))
    close_fd(db, finite_differences(lambda b: reference(params["w"], b), params["b"]))

    def with_unmapped(x, y):
        doubled, total = tp.vmap(scaled_and_norm, in_axes=(0, None), out_axes=(0, None))(x, y)
        return np.sum(doubled ** 2) + total
    x, y = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    gx, gy = tp.grad(with_unmapped, argnums=(0, 1))(x, y)
    close_fd(gx, finite_differences(lambda x: np.sum((x * y) ** 2) + np.sum(y ** 2), x))
    close_fd(gy, finite_differences(lambda y: np.sum((x * y) ** 2) + np.sum(y ** 2), y))


def element_then_overwritten(x):
    out = x * 1.0
    first = out[0]
    out[0] = 5.0
    return first + out[0] * out[1]


def test_an_element_read_keeps_its_value_when_the_buffer_is_written():
    # per example `out[0]` is a copy; in the batch `out[:, 0]` is a view of the column
    xs = RNG.normal(size=(4, 3))
    close(tp.vmap(element_then_overwritten)(xs), per_example(element_then_overwritten, 0, xs))


@pytest.mark.parametrize("sample, expected", [
    ("vmap_tutorial.py", "x[:, i - 1:i + 2]"),
    ("per_example_gradients.py", "largest difference from a loop of grad(loss)"),
])
def test_the_vmap_samples_run(sample, expected):
    # each checks its own results (the seed's asserts; per-example against a loop)
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, os.path.join(root, "samples", sample)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout


def holder(items, x):
    total = 0.0
    for i in range(3):
        if total > x:                        # a break on a batched value: the loop form
            break
        total = total + 0.4
    return items, (items, total)


def reads_through_an_alias(x):
    items, saved = holder([x], x)
    items.append(x * 3.0)
    return saved[0][-1] + saved[1]


def test_a_list_held_twice_stays_one_list():
    # the loop form stacks each example's results, and picks an example out of a batched
    # value: a list that two parts of a result hold is one list in the batch too (it was
    # two, and a later append to one went unseen by the other: silently wrong)
    xs = RNG.uniform(0.1, 1.0, size=5)
    close(tp.vmap(reads_through_an_alias)(xs), per_example(reads_through_an_alias, 0, xs))
    import runtime as rt
    items = [np.ones(2)]
    batched = rt.stack_examples([(items, (items,)), (items, (items,))])
    assert batched[0] is batched[1][0]
    example = rt.example_of(batched, 1)
    assert example[0] is example[1][0]


def set_first(p):
    return p.at[0].set(2.0)


def ones_with_first_set(n):
    return set_first(np.ones(n))


def calls_an_at_helper(x):
    return x * np.sum(ones_with_first_set(3))


def test_a_helper_calling_at_code_runs_as_its_normalised_code():
    # a call no batched value flows into runs as it is -- as its normalised code where
    # it, or a function it calls, writes x.at[...] (plain arrays have no .at)
    xs = RNG.normal(size=4)
    close(tp.vmap(calls_an_at_helper)(xs), xs * 4.0)
