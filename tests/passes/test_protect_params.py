"""protect_params: a parameter reassigned in the body is copied to a local first, so
that the parameter keeps the caller's value for the whole function."""
import numpy as np

from .corelang import (after_pass, assert_same_outputs, keyword_lines, random_inputs,
                       scalar, vector)


def reassigned(x):
    x = x * 2.0
    return x


def reassigned_in_a_loop(x, n):
    for i in range(n):
        x = np.sin(x) + i
    return x


def reassigned_in_a_branch(x, y):
    if y > 0:
        y = y * x
    else:
        x = -x
    return x + y


def augmented_on_a_scalar_parameter(x):
    x += 1.0
    x *= 3.0
    return x


def unpacked_into_parameters(a, b):
    a, b = b * 2.0, a + b
    return a * b


def loop_variable_named_like_a_parameter(x, xs):
    s = 0.0
    for x in xs:
        s = s + x
    return s + x


def _params_assigned(text):
    return [line for line in text.splitlines()[1:] if line.strip().startswith(("x =", "y ="))]


def test_reassigned_parameter_is_copied():
    text = after_pass(reassigned, "protect_params")
    assert _params_assigned(text) == []
    assert text.splitlines()[1].strip().endswith("= x")
    assert keyword_lines(text, "return") != ["return x"]
    assert_same_outputs(reassigned, random_inputs(scalar))
    assert_same_outputs(reassigned, random_inputs(vector(3)))


def test_reassigned_in_loops_and_branches():
    text = after_pass(reassigned_in_a_loop, "protect_params")
    assert _params_assigned(text) == []
    assert_same_outputs(reassigned_in_a_loop,
                        random_inputs(scalar, lambda rng: int(rng.integers(0, 4))))
    text = after_pass(reassigned_in_a_branch, "protect_params")
    assert _params_assigned(text) == []
    assert_same_outputs(reassigned_in_a_branch, random_inputs(scalar, scalar, trials=8))


def test_augmented_and_unpacking_assignments_to_parameters():
    assert_same_outputs(augmented_on_a_scalar_parameter, random_inputs(scalar))
    assert_same_outputs(unpacked_into_parameters, random_inputs(scalar, scalar))


def test_loop_variable_named_like_a_parameter():
    assert_same_outputs(loop_variable_named_like_a_parameter,
                        random_inputs(scalar, vector(3)))
