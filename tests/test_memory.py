"""The memory model: arrays that share memory, written in place, give right gradients or
are refused at the line -- never a silently wrong number.

Each class of the hostile tester's findings is a test group here, with its variants:
merged expressions, shared adjoints, augmented assignment through aliases and views,
views of every kind, list repetition and concatenation, integer and boolean buffers,
ping-pong buffers.
"""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import check_grads

X = np.array([1.0, -0.5, 0.25])
M = np.array([[0.3, -0.7, 0.2], [1.1, 0.4, -0.9]])


def _value_and_gradient(f, *args):
    """check_grads, and the value value_and_grad returns is f's own."""
    value, _ = tp.value_and_grad(f)(*args)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    return check_grads(f, args)


# ------------------------------------------------------------ merged expressions

def equal_expressions_one_written(x):
    s = x * 1.0
    t = x * 1.0
    s[1] = 5.0
    return np.sum(s * t)


def three_equal_expressions(x):
    a = x + 0.0
    b = x + 0.0
    c = x + 0.0
    b[0] = 2.0
    c[2] = b[0] * 3.0
    return np.sum(a * b * c)


def equal_expressions_in_a_loop(x, n):
    total = 0.0
    for _ in range(n):
        s = x * 2.0
        t = x * 2.0
        t[0] = total
        total = total + np.sum(s * t)
    return total


def equal_element_reads_around_a_write(x):
    y = x * 1.0
    a = y[1]
    y[1] = a * 3.0
    b = y[1]
    return a * b + np.sum(y)


@pytest.mark.parametrize("f, args", [
    (equal_expressions_one_written, (X,)), (three_equal_expressions, (X,)),
    (equal_expressions_in_a_loop, (X, 3)), (equal_element_reads_around_a_write, (X,))])
def test_equal_expressions_are_not_merged_into_one_array(f, args):
    _value_and_gradient(f, *args)


def test_the_issues_example_value():
    value, grad = tp.value_and_grad(equal_expressions_one_written)(X)
    assert value == pytest.approx(-0.75 - 0.6875)       # f itself: 1 - 2.5 + 0.0625
    np.testing.assert_allclose(grad, [2.0, 5.0, 0.5])


# ------------------------------------------------------------ shared adjoints

def adjoints_of_equal_expressions(x):
    a = x * 1.0
    b = x * 2.0
    b[0] = 0.0
    return np.sum(a * x) + np.sum(b * x)


def adjoints_of_copies(x):
    a = x * 3.0
    b = a
    c = b * 1.0
    c[1] = 0.0
    return np.sum(a * c) + np.sum(b)


@pytest.mark.parametrize("f", [adjoints_of_equal_expressions, adjoints_of_copies])
def test_adjoints_never_share_an_array(f):
    g = check_grads(f, (X,))           # also: the generic code equals the specialised code
    if f is adjoints_of_equal_expressions:
        np.testing.assert_allclose(g, [2.0, 6.0 * X[1], 6.0 * X[2]])


# ------------------------------------------------------------ augmented assignment

def alias_updated(x):
    b = x * 1.0
    c = b
    c *= 2.0
    return np.sum(b * x)


def slice_updated(x):
    b = x * 1.0
    v = b[1:]
    v += 1.0
    return np.sum(b * x)


def reshaped_updated(a):
    b = a * 1.0
    r = b.reshape(-1)
    r *= 2.0
    return np.sum(b * a)


def transposed_updated(a):
    b = a * 1.0
    t = b.T
    t -= 1.0
    return np.sum(b * a)


def list_entry_updated(x):
    b = x * 1.0
    items = [b, x]
    items[0] *= 2.0
    return np.sum(b * x)


def dict_entry_updated(x):
    b = x * 1.0
    d = {"b": b}
    d["b"] += 1.0
    return np.sum(b * x)


@pytest.mark.parametrize("f, arg", [(alias_updated, X),
                                    (reshaped_updated, M), (transposed_updated, M),
                                    (list_entry_updated, X), (dict_entry_updated, X)])
def test_updating_in_place_an_array_still_used_under_another_name_is_refused(f, arg):
    with pytest.raises(tp.TranspileError, match="in place") as info:
        tp.grad(f)(arg)
    assert "=" in str(info.value) and "hint:" in str(info.value)


def rows_of_a_local(a):
    m = a * 1.0
    for row in m:
        row *= 2.0
    return np.sum(m * a)


def rows_of_a_local_with_a_value(a):
    m = np.sin(a)
    for i in range(m.shape[0]):
        row = m[i]
        row += a[i] * m[i]
    return np.sum(m ** 2)


def elements_updated(x):
    y = x * 1.0
    y[0] *= y[1]
    y[1:] += x[0]
    y[-1] **= 2
    return np.sum(y * x)


def alias_updated_but_not_used_again(x):
    b = x * 1.0
    c = b
    c *= 2.0
    return np.sum(c * x)


def scalar_updated(x):
    s = np.sum(x)
    t = s
    s *= 3.0
    return s * t


@pytest.mark.parametrize("f, arg", [(rows_of_a_local, M), (rows_of_a_local_with_a_value, M),
                                    (elements_updated, X), (alias_updated_but_not_used_again, X),
                                    (scalar_updated, X), (slice_updated, X)])
def test_updates_in_place_that_nobody_else_sees_are_differentiated(f, arg):
    _value_and_gradient(f, arg)


def test_rows_of_a_local_analytic():
    g = tp.grad(rows_of_a_local)(M)
    np.testing.assert_allclose(g, 4.0 * M)
    # a slice of a local updated in place: the array sees it, as in Python
    np.testing.assert_allclose(tp.grad(slice_updated)(X), 2.0 * X + np.array([0.0, 1.0, 1.0]))


def rows_of_an_argument(a):
    for row in a:
        row *= 2.0
    return np.sum(a)


def argument_updated(x):
    x += 1.0
    return np.sum(x)


def view_of_argument_updated(x):
    v = x[1:]
    v *= 2.0
    return np.sum(x)


@pytest.mark.parametrize("f, arg", [(rows_of_an_argument, M), (argument_updated, X),
                                    (view_of_argument_updated, X)])
def test_updating_an_argument_in_place_is_refused(f, arg):
    with pytest.raises(tp.TranspileError, match="argument"):
        tp.grad(f)(arg)
    np.testing.assert_array_equal(arg, M if arg is M else X)     # nothing was run


def test_rows_of_a_vector_argument_are_numbers():
    # for a 1-d array, `row` is a number: a new value each time, the argument untouched
    g = tp.grad(rows_of_an_argument_1d)(X)
    np.testing.assert_allclose(g, [2.0, 2.0, 2.0])


def rows_of_an_argument_1d(v):
    total = 0.0
    for r in v:
        r *= 2.0
        total = total + r
    return total


def test_a_float_argument_updated_is_a_new_value():
    g = tp.grad(argument_updated)(0.5)
    assert g == pytest.approx(1.0)


# ------------------------------------------------------------ views of every kind

VIEWS = {
    "slice": lambda b: b[1:],
    "row": lambda b: b[0],
    "newaxis": lambda b: b[None],
    "ellipsis": lambda b: b[...],
    "reshape": lambda b: b.reshape(-1),
    "ravel": lambda b: np.ravel(b),
    "transpose": lambda b: b.T,
    "swapaxes": lambda b: np.swapaxes(b, 0, 1),
    "moveaxis": lambda b: np.moveaxis(b, 0, -1),
    "expand_dims": lambda b: np.expand_dims(b, 0),
    "squeeze": lambda b: np.squeeze(b[None]),
    "flip": lambda b: np.flip(b, 0),
    "atleast_3d": lambda b: np.atleast_3d(b),
    "diag": lambda b: np.diag(b),
    "real": lambda b: np.real(b),
    "asarray": lambda b: np.asarray(b),
}


def _view_then_write(view):
    def f(a):
        b = a * 1.0
        v = view(b)
        b[0, 0] = 5.0
        return np.sum(v) * np.sum(b)
    return f


def _write_through_view(view):
    def f(a):
        b = a * 1.0
        v = view(b)
        v[...] = 2.0 * v
        return np.sum(b * a)
    return f


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_view_read_after_its_base_is_written_is_refused(name):
    with pytest.raises(tp.TranspileError, match="shares its memory"):
        tp.grad(_view_then_write(VIEWS[name]))(M)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_base_read_after_a_write_through_its_view_is_refused(name):
    if name == "diag":
        return          # np.diag's view is read-only: NumPy itself refuses the write
    with pytest.raises(tp.TranspileError, match="shares its memory"):
        tp.grad(_write_through_view(VIEWS[name]))(M)


def test_a_write_through_a_view_makes_its_base_depend_on_the_value():
    # `out` is made of constants; only the write through `row` makes it depend on x,
    # which activity must see (it once gave a silent zero)
    def f(x):
        out = np.zeros((2, 3))
        row = out[0]
        row[1] = x * 3.0
        return np.sum(out * out)

    with pytest.raises(tp.TranspileError, match="shares its memory"):
        tp.grad(f)(2.0)

    def g(x):
        out = np.zeros((2, 3))
        row = out[0]
        row[1] = x * 3.0
        return np.sum(row * row)

    assert tp.grad(g)(2.0) == 36.0


def _view_read_before_the_write(view):
    def f(a):
        b = a * 1.0
        s = np.sum(view(b) ** 2)
        b[0, 0] = 5.0
        return s + np.sum(b * a)
    return f


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_view_read_before_the_write_is_differentiated(name):
    check_grads(_view_read_before_the_write(VIEWS[name]), (M,))


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_view_read_before_the_write_through_a_forward_backward_pair(name):
    # the view is a saved value of f_fwd; f_bwd puts back what the write overwrote,
    # which the view (not a copy of it) must see -- also when vjp_fn runs twice, and
    # when f is a helper of the function differentiated
    f = _view_read_before_the_write(VIEWS[name])
    expected = tp.grad(f)(M)
    out, vjp_fn = tp.vjp(f, M)
    np.testing.assert_allclose(vjp_fn(1.0)[0], expected)
    np.testing.assert_allclose(vjp_fn(2.0)[0], 2.0 * expected)

    def caller(a):
        return f(a) * 3.0
    np.testing.assert_allclose(tp.grad(caller)(M), 3.0 * expected)


# ------------------------------------------------------------ lists

def repeated_list(x):
    items = [x[0]] * 3
    return items[0] + items[1] * items[2]


def repeated_on_the_left(x):
    items = 2 * [x[0], x[1] * 2.0]
    return items[0] * items[3] + items[2]


def repeated_by_an_argument(x, n):
    items = [x[0], x[1]] * n
    total = 0.0
    for item in items:
        total = total + item * item
    return total


def concatenated_with_itself(x):
    items = [x[0], x[1]]
    items = items + items
    return items[0] * items[2] + items[1]


def repeated_tuple(x):
    pair = (x[0], np.sin(x[1])) * 2
    return pair[0] * pair[1] + pair[2] * pair[3]


def repeated_list_of_arrays(a):
    rows = [a[0], a[1] * 2.0] * 2
    return np.sum(np.stack(rows) ** 2)


@pytest.mark.parametrize("f, args", [
    (repeated_list, (X,)), (repeated_on_the_left, (X,)), (repeated_by_an_argument, (X, 3)),
    (concatenated_with_itself, (X,)), (repeated_tuple, (X,)),
    (repeated_list_of_arrays, (M,))])
def test_list_repetition_and_concatenation(f, args):
    check_grads(f, args)


def test_list_repetition_analytic():
    np.testing.assert_allclose(tp.grad(repeated_list)(X), [1.0 + 2.0 * X[0], 0.0, 0.0])
    np.testing.assert_allclose(tp.grad(concatenated_with_itself)(np.array([3.0, 2.0])),
                               [6.0, 1.0])


# ------------------------------------------------------------ integer and boolean buffers

def integer_buffer(x):
    out = np.zeros(3, dtype=int)
    out[0] = x[0] * 10
    out[1] = x[1]
    return np.sum(out * x)


def integer_buffer_updated(x):
    out = np.zeros(3, dtype=np.int32)
    for i in range(3):
        out[i] += x[i] * 7.0
    return np.sum(out * x) + np.sum(out)


def boolean_buffer(x):
    mask = np.zeros(3, dtype=bool)
    mask[0] = x[0] > 0.0
    mask[1:] = x[1:] * 2.0
    return np.sum(mask * x)


def cast_to_integers(x):
    k = (x * 4.0).astype(int)
    return np.sum(k * x)


@pytest.mark.parametrize("f", [integer_buffer, integer_buffer_updated, boolean_buffer,
                               cast_to_integers])
def test_values_written_into_integer_buffers_carry_no_derivative(f):
    x = np.array([1.23, 2.01, 3.3])
    g = check_grads(f, (x,))
    # f is locally linear in x with the truncated values as coefficients
    eps = 1e-7
    numeric = [(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(g, numeric, rtol=1e-6)


# ------------------------------------------------------------ ping-pong buffers

def ping_pong(x, steps):
    cur = x * 1.0
    nxt = np.zeros_like(x)
    for _ in range(steps):
        nxt[0] = cur[0]
        nxt[-1] = cur[-1]
        for i in range(1, len(x) - 1):
            nxt[i] = 0.25 * cur[i - 1] + 0.5 * np.sin(cur[i]) + 0.25 * cur[i + 1] ** 2
        cur, nxt = nxt, cur
    return np.sum(cur * x)


def ping_pong_reading_whole_arrays(x, steps):
    cur = x * 1.0
    nxt = x * 0.0
    energy = 0.0
    for _ in range(steps):
        energy = energy + np.sum(cur * cur * x)
        nxt[1:-1] = cur[:-2] * cur[2:] + np.tanh(cur[1:-1])
        nxt[0] = cur[0]
        nxt[-1] = cur[-1] * 0.5
        cur, nxt = nxt, cur
    return energy + np.sum(cur)


@pytest.mark.parametrize("steps", [0, 1, 2, 5])
@pytest.mark.parametrize("f", [ping_pong, ping_pong_reading_whole_arrays])
def test_ping_pong_buffers(f, steps):
    x = np.array([0.3, -0.2, 0.5, 0.9, 0.1, -0.4])
    check_grads(f, (x, steps))


# ------------------------------------------------------------ lists as stacks

def stack_machine(x, n):
    stack = []
    for i in range(n):
        stack.append(np.sin(x) * i)
    total = 0.0
    while len(stack) > 0:
        top = stack.pop()
        total = total * 0.5 + np.sum(top * x)
    return total


def pops_unused_and_used(x):
    items = [x[0], x[1] * 2.0, x[2]]
    items.pop()
    y = items.pop()
    return y * items[0]


def read_before_a_later_append(x):
    items = []
    items.append(x[0])
    items.append(x[1] * 3.0)
    t = items[0]
    items.append(x[2])
    return t * 2.0


@pytest.mark.parametrize("f, args", [(stack_machine, (X, 4)), (stack_machine, (X, 0)),
                                     (pops_unused_and_used, (X,)),
                                     (read_before_a_later_append, (X,))])
def test_lists_used_as_stacks(f, args):
    check_grads(f, args)


def test_a_list_read_before_a_later_append_analytic():
    np.testing.assert_allclose(tp.grad(read_before_a_later_append)(X), [2.0, 0.0, 0.0])


def test_pop_with_an_index_is_refused():
    def f(x):
        items = [x[0], x[1]]
        return items.pop(0)
    with pytest.raises(tp.TranspileError, match="pop"):
        tp.grad(f)(X)
