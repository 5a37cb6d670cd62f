"""Errors raised while generated code runs name the user's file, line and source line;
``print`` in a differentiated function prints in the forward sweep, as written."""
import inspect
import traceback

import numpy as np
import pytest

import transpiler as tp


def _line_of(fn, text):
    lines, start = inspect.getsourcelines(fn)
    for k, line in enumerate(lines):
        if text in line:
            return start + k
    raise AssertionError(text)


def _note(exc):
    notes = getattr(exc, "__notes__", [])
    assert len(notes) == 1, notes
    return notes[0]


def _says_where(exc, fn, text):
    note = _note(exc)
    assert __file__ in note, note
    assert "line %d" % _line_of(fn, text) in note, note
    assert text in note, note


def mismatch(x, W):
    h = np.tanh(x)
    z = W @ h
    return np.sum(z ** 2)


def in_a_loop(x, W):
    s = 0.0
    for k in range(3):
        s = s + np.sum(W[k] * x)
    return s


def helper(v, W):
    return W @ v


def calls_a_helper(x, W):
    y = np.sin(x)
    return np.sum(helper(y, W))


def aux_misuse(x):
    return np.sum(x), "aux", 3


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
def test_a_shape_mismatch_names_the_users_line(transform):
    with pytest.raises(ValueError) as info:
        transform(mismatch)(np.ones(3), np.ones((4, 2)))
    _says_where(info.value, mismatch, "z = W @ h")
    assert "z = W @ h" in "".join(traceback.format_exception(info.value))


def test_inside_a_loop():
    with pytest.raises(ValueError) as info:
        tp.grad(in_a_loop)(np.ones(3), np.ones((3, 2)))
    _says_where(info.value, in_a_loop, "s = s + np.sum(W[k] * x)")


def test_inside_a_called_function_names_the_callees_line():
    with pytest.raises(ValueError) as info:
        tp.grad(calls_a_helper)(np.ones(3), np.ones((4, 2)))
    _says_where(info.value, helper, "return W @ v")


def test_vjp_forward_and_pullback():
    with pytest.raises(ValueError) as info:
        tp.vjp(mismatch, np.ones(3), np.ones((4, 2)))
    _says_where(info.value, mismatch, "z = W @ h")


def test_has_aux_misuse_names_the_return():
    with pytest.raises(TypeError) as info:
        tp.grad(aux_misuse, has_aux=True)(np.ones(3))
    assert "pair" in str(info.value) or "(out, aux)" in str(info.value)


def test_the_note_is_added_once_and_a_good_call_still_works():
    g = tp.grad(mismatch)
    for _ in range(2):
        with pytest.raises(ValueError) as info:
            g(np.ones(3), np.ones((4, 2)))
        _note(info.value)
    W = np.arange(6.0).reshape(2, 3) / 10
    x = np.array([0.3, -0.2, 0.5])
    h = np.tanh(x)
    expected = (1 - h ** 2) * (W.T @ (2 * (W @ h)))
    np.testing.assert_allclose(g(x, W), expected, rtol=1e-12)


def test_an_exception_the_user_raises_keeps_its_message():
    def f(x):
        if np.sum(x) > 10.0:
            raise ValueError("too large")
        return np.sum(x ** 2)

    with pytest.raises(ValueError, match="too large") as info:
        tp.grad(f)(np.full(3, 5.0))
    _says_where(info.value, f, 'raise ValueError("too large")')
    np.testing.assert_allclose(tp.grad(f)(np.ones(3)), 2 * np.ones(3))


def printing(x):
    y = np.sin(x)
    print("y", y.shape)
    for k in range(2):
        y = y * x
        print("step", k)
    return np.sum(y)


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
def test_print_runs_once_in_the_forward_sweep_in_order(transform, capsys):
    x = np.array([0.3, -0.4, 1.1])
    got = transform(printing)(x)
    assert capsys.readouterr().out == "y (3,)\nstep 0\nstep 1\n"
    grad = got[1] if transform is tp.value_and_grad else got
    np.testing.assert_allclose(grad, np.cos(x) * x ** 2 + 2 * np.sin(x) * x, rtol=1e-12)


def test_print_in_vjp_prints_in_the_forward_call_only(capsys):
    x = np.array([0.3, -0.4, 1.1])
    out, pull = tp.vjp(printing, x)
    assert capsys.readouterr().out == "y (3,)\nstep 0\nstep 1\n"
    pull(1.0)
    assert capsys.readouterr().out == ""


def _pair(p0, p2):
    return np.full(6, 0.5), p2


def branch_without_adjoint_code(y, t, W):
    a = np.zeros((2, 3))
    b, c = _pair(1, a.reshape(6) if t else y)
    a[-2] -= c @ b
    z = W @ y
    return np.sum(a) + np.sum(z ** 2)


def test_lines_after_a_branch_rendered_as_if_not():
    """A branch whose adjoint is only comments is emitted as `if not t:` (and a block of
    comments would get `pass`): generated lines still map to the user's."""
    y = np.array([0.3, -1.2, 0.5])
    g = tp.value_and_grad(branch_without_adjoint_code)
    assert "if not t" in tp.source(g, y, 0.4, np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        g(y, 0.4, np.ones((2, 4)))
    _says_where(info.value, branch_without_adjoint_code, "z = W @ y")
    W = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(g(y, 0.4, W)[1], 2 * W.T @ (W @ y), rtol=1e-12)


def full_singular_vectors(a):
    scale = np.sum(a)
    u, s, vh = np.linalg.svd(a * scale)
    return np.sum(u ** 3)


def solved(a, b):
    x = np.linalg.solve(a, b)
    return np.sum(x * x)


def test_an_error_raised_in_the_reverse_sweep_names_the_line_it_differentiates():
    # the rule's statements carry the line of the statement they differentiate (not the
    # lines of the rule's own module)
    tall = np.arange(6.0).reshape(3, 2) + np.eye(3, 2)
    with pytest.raises(ValueError) as info:
        tp.grad(full_singular_vectors)(tall)
    _says_where(info.value, full_singular_vectors, "u, s, vh = np.linalg.svd(a * scale)")
    assert "full_matrices=False" in str(info.value)


def test_no_reverse_sweep_line_is_taken_for_a_users_line():
    # a singular matrix fails in the forward sweep: the note names the solve, once
    with pytest.raises(np.linalg.LinAlgError) as info:
        tp.grad(solved)(np.zeros((2, 2)), np.ones(2))
    _says_where(info.value, solved, "x = np.linalg.solve(a, b)")
