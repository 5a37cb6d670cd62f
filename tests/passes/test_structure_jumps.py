"""structure_jumps: `return`, `break` and `continue` anywhere become flags and guarded
blocks; the function ends with its only `return`, `break` survives only as
`if flag: break` at the top of a loop body, and the results are unchanged."""
import numpy as np

from .corelang import after_pass, keyword_lines, assert_same_outputs, random_inputs, scalar, vector


def early_return(x):
    if x > 0:
        return x * 2.0
    return -x


def return_in_both_branches(x):
    if x > 1.0:
        y = x * 3.0
        return y
    else:
        return x - 1.0


def return_in_elif(x):
    if x > 1.0:
        return 1.0
    elif x > 0.0:
        s = x * x
        if s > 0.25:
            return s
    return x - 10.0


def return_from_a_loop(xs):
    s = 0.0
    for x in xs:
        if x > 1.0:
            return s
        s = s + x
    return -s


def return_from_nested_loops(a):
    s = 0.0
    for row in a:
        for v in row:
            if v > 1.5:
                return s * 100.0
            s = s + v
        s = s * 0.5
    return s


def break_first_negative(xs):
    s = 0.0
    for x in xs:
        if x < 0:
            break
        s = s + x
    return s


def break_inner_loop_only(a):
    s = 0.0
    for row in a:
        for v in row:
            if v < -0.5:
                break
            s = s + v
        s = s + 100.0
    return s


def break_deep_inside_ifs(xs, t):
    s = 0.0
    for x in xs:
        if x > 0:
            if x > t:
                s = s + 1000.0
                break
            s = s + x
        else:
            s = s - x
    return s


def continue_skips_the_rest(xs):
    s = 0.0
    count = 0
    for x in xs:
        if x < 0:
            continue
        s = s + x
        count = count + 1
    return s, count


def continue_and_break(xs):
    s = 0.0
    for i in range(len(xs)):
        if xs[i] < -1.0:
            break
        if i % 2 == 0:
            continue
        s = s + xs[i]
    return s


def continue_in_nested_loops(a):
    s = 0.0
    for row in a:
        if row[0] < 0:
            continue
        for v in row:
            if v > 0:
                continue
            s = s + v
    return s


def while_with_break(x):
    n = 0
    while True:
        x = x * 0.5
        n = n + 1
        if abs(x) < 0.1:
            break
    return x, n


def while_compound_condition(x, limit):
    n = 0
    while abs(x) > 0.01 and n < limit:
        x = np.sin(x) * 0.8
        n = n + 1
    return x, n


def while_compound_condition_and_break(xs):
    i = 0
    s = 0.0
    while i < len(xs) and s < 2.0 or i == 0:
        if xs[i] < -1.5:
            break
        s = s + abs(xs[i])
        i = i + 1
    return s, i


def while_with_continue_and_return(xs):
    i = 0
    s = 0.0
    while i < len(xs):
        i = i + 1
        if xs[i - 1] < 0:
            continue
        if s > 1.5:
            return s * 10.0
        s = s + xs[i - 1]
    return s


def no_return_at_all(x):
    y = x * 2.0


def test_early_return_becomes_if_else():
    text = after_pass(early_return, "structure_jumps")
    assert keyword_lines(text, "return") == ["return result"]
    assert "else:" in text
    assert_same_outputs(early_return, random_inputs(scalar))


def test_returns_in_branches_and_elif():
    assert_same_outputs(return_in_both_branches, random_inputs(scalar, trials=10))
    assert_same_outputs(return_in_elif,
                        [(2.0,), (0.7,), (0.3,), (-1.0,)] + random_inputs(scalar))


def test_return_from_inside_loops():
    assert_same_outputs(return_from_a_loop, random_inputs(vector(6), trials=10))
    assert_same_outputs(return_from_nested_loops,
                        [(np.random.default_rng(k).standard_normal((3, 3)),)
                         for k in range(10)])


def test_break_becomes_a_flag_checked_at_the_top_of_the_body():
    text = after_pass(break_first_negative, "structure_jumps")
    assert keyword_lines(text, "break") == ["break"]
    lines = [line.strip() for line in text.splitlines()]
    assert lines[lines.index("break") - 1].startswith("if ")
    assert_same_outputs(break_first_negative, random_inputs(vector(6), trials=10))


def test_break_in_an_inner_loop_leaves_only_that_loop():
    assert_same_outputs(break_inner_loop_only,
                        [(np.random.default_rng(k).standard_normal((3, 4)),)
                         for k in range(8)])


def test_break_deep_inside_ifs():
    assert_same_outputs(break_deep_inside_ifs, random_inputs(vector(6), scalar, trials=10))


def test_continue_is_removed():
    text = after_pass(continue_skips_the_rest, "structure_jumps")
    assert keyword_lines(text, "continue") == []
    assert_same_outputs(continue_skips_the_rest, random_inputs(vector(6)))


def test_continue_and_break_in_one_loop():
    assert_same_outputs(continue_and_break, random_inputs(vector(7), trials=10))


def test_continue_in_nested_loops():
    assert_same_outputs(continue_in_nested_loops,
                        [(np.random.default_rng(k).standard_normal((4, 3)),)
                         for k in range(8)])


def test_while_true_with_break():
    assert_same_outputs(while_with_break, random_inputs(scalar))


def test_while_with_compound_conditions():
    assert_same_outputs(while_compound_condition,
                        random_inputs(scalar, lambda rng: int(rng.integers(0, 6))))
    assert_same_outputs(while_compound_condition_and_break,
                        random_inputs(vector(6), trials=10))


def test_while_with_continue_and_return():
    assert_same_outputs(while_with_continue_and_return, random_inputs(vector(6), trials=10))


def test_function_without_return_returns_none():
    assert_same_outputs(no_return_at_all, random_inputs(scalar, trials=2))


def return_from_an_inlined_function_inside_a_loop(xs):
    def first_above(v, t):
        for e in v:
            if e > t:
                return e
        return -1.0
    s = 0.0
    for i in range(3):
        if i == 2:
            break
        s = s + first_above(xs, i * 0.5)
    return s


def nested_whiles_with_breaks(xs):
    i = 0
    s = 0.0
    while i < len(xs):
        j = 0
        while j < 3:
            if xs[i] * j > 1.0:
                break
            s = s + xs[i] * j
            j = j + 1
        if s > 3.0:
            break
        i = i + 1
    return s, i


def return_from_a_while_inside_a_for(xs):
    for x in xs:
        k = 0
        while k < 4:
            k = k + 1
            if x * k > 2.0:
                return x * k
    return 0.0


def test_return_inside_an_inlined_function_inside_a_loop():
    assert_same_outputs(return_from_an_inlined_function_inside_a_loop,
                        random_inputs(vector(5), trials=10))


def test_nested_whiles_and_return_through_two_loops():
    assert_same_outputs(nested_whiles_with_breaks, random_inputs(vector(5), trials=10))
    assert_same_outputs(return_from_a_while_inside_a_for, random_inputs(vector(4), trials=10))
