"""desugar_assign: augmented, unpacking, multiple-target and annotated assignments
become single-target assignments that compute the same values."""
import numpy as np

from .corelang import (after_pass, assert_same_outputs, matrix, random_inputs, scalar,
                       vector)


def augmented_names(x, y):
    s = x
    s += y
    s *= 2.0
    s -= x / 3.0
    s /= 1.5
    s **= 2
    return s


def augmented_elements(x):
    out = x * 1.0
    out[0] += 2.0
    out[1:3] *= x[0]
    out[-1] -= out[0]
    out[2] /= 4.0
    return out


def augmented_2d_element(a):
    out = a + 0.0
    out[1, 2] += a[0, 0]
    out[:, 0] *= 3.0
    return out


def swap(a, b):
    a, b = b, a
    return a - 2.0 * b


def rotate(a, b, c):
    a, b, c = c, a, b
    return a + 10.0 * b + 100.0 * c


def nested_targets(x, y):
    (a, b), c = (x, y * 2.0), x + y
    return a * b - c


def pair_of(u):
    return u * 2.0, u + 1.0


def unpack_call(x):
    p, q = pair_of(x)
    return p * q


def unpack_name(x, y):
    t = (x * y, x - y)
    a, b = t
    return a / (1.0 + b * b)


def unpack_list_target(x):
    [a, b] = [x, x * x]
    return a + b


def unpack_nested_call(x):
    (p, q), r = pair_of(x), x
    return p - q * r


def multiple_targets(x):
    a = b = x * 2.0
    a = a + 1.0
    return a * b


def multiple_targets_with_element(x):
    out = np.zeros(3)
    out[0] = s = x[1] * 3.0
    out[2] = s * s
    return out


def annotated(x):
    s: float = x * 2.0
    return s + 1.0


def augmented_scalar_parameter(x):
    x += 1.0
    x *= x
    return x


def test_augmented_names_become_in_place_operator_calls():
    # Python's meaning, a new number or an array updated in place, until the values are
    # known (specialize/inplace.py settles each one)
    text = after_pass(augmented_names, "desugar_assign")
    assert "+=" not in text and "*=" not in text and "**=" not in text
    assert "s = iadd(s, y)" in text
    assert "s = ipow(s, 2)" in text
    assert_same_outputs(augmented_names, random_inputs(scalar, scalar))
    assert_same_outputs(augmented_names, random_inputs(vector(3), vector(3)))


def test_augmented_elements_read_then_write_the_same_element():
    text = after_pass(augmented_elements, "desugar_assign")
    assert "out[0] = iadd(out[0], 2.0)" in text
    assert "out[1:3] = imul(out[1:3], x[0])" in text
    assert_same_outputs(augmented_elements, random_inputs(vector(5)))


def augmented_with_a_computed_index(x, k):
    out = x * 1.0
    out[x > 0.0] *= 2.0
    out[k % 3:k % 3 + 2] += x[0]
    out[k - 1, ] -= 1.0
    return out


def test_a_computed_index_is_computed_once():
    text = after_pass(augmented_with_a_computed_index, "desugar_assign")
    assert text.count("x > 0.0") == 1 and text.count("k % 3 + 2") == 1, text
    assert_same_outputs(augmented_with_a_computed_index,
                        random_inputs(vector(5), lambda rng: int(rng.integers(1, 4))))


def test_augmented_element_of_a_matrix():
    assert_same_outputs(augmented_2d_element, random_inputs(matrix(3, 4)))


def test_swap_goes_through_temporaries():
    text = after_pass(swap, "desugar_assign")
    assert "a, b =" not in text
    assert_same_outputs(swap, random_inputs(scalar, scalar))
    assert_same_outputs(swap, [(1.0, 2.0)])


def test_three_way_rotation():
    assert_same_outputs(rotate, [(1.0, 2.0, 3.0)] + random_inputs(scalar, scalar, scalar))


def test_nested_targets():
    text = after_pass(nested_targets, "desugar_assign")
    assert "(a, b)" not in text
    assert_same_outputs(nested_targets, random_inputs(scalar, scalar))


def test_unpacking_a_call_result_reads_its_elements():
    text = after_pass(unpack_call, "desugar_assign")
    assert "p, q =" not in text
    assert "[0]" in text and "[1]" in text
    assert_same_outputs(unpack_call, random_inputs(scalar))
    assert_same_outputs(unpack_call, random_inputs(vector(3)))


def test_unpacking_a_name_and_a_list_target():
    assert_same_outputs(unpack_name, random_inputs(scalar, scalar))
    assert_same_outputs(unpack_list_target, random_inputs(vector(2)))


def test_nested_unpacking_of_a_call_result():
    assert_same_outputs(unpack_nested_call, random_inputs(scalar))


def test_multiple_targets_get_one_assignment_each():
    text = after_pass(multiple_targets, "desugar_assign")
    assert "a = b =" not in text
    assert_same_outputs(multiple_targets, random_inputs(scalar))


def test_multiple_targets_with_an_element_write():
    assert_same_outputs(multiple_targets_with_element, random_inputs(vector(3)))


def test_annotated_assignment_is_a_plain_assignment():
    text = after_pass(annotated, "desugar_assign")
    assert "float" not in text
    assert_same_outputs(annotated, random_inputs(scalar))


def test_augmented_assignment_to_a_scalar_parameter():
    assert_same_outputs(augmented_scalar_parameter, random_inputs(scalar))


def swap_elements(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0]
    return y


def fibonacci_like(x):
    a, b = x, 1.0
    for i in range(5):
        a, b = b, a + b
    return a


def test_element_swap_and_simultaneous_update():
    assert_same_outputs(swap_elements, random_inputs(vector(3)))
    assert_same_outputs(fibonacci_like, random_inputs(scalar))
