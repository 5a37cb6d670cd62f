"""rename_versions: outside loops every name is assigned once on each path (straight-line
redefinitions and parameters get new names, branches join through copies); a loop keeps
one name per variable it assigns.  The renamed function computes what the original does,
and straight-line code differentiates without a tape."""
import re

import gast
import numpy as np

import transpiler as tp
from transpiler.driver import normalise
from transpiler.ir.walk import iter_statements

from .corelang import after_pass, assert_same_outputs, random_inputs, scalar, vector


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


def chain_of_redefinitions(x):
    y = np.sin(x)
    y = y * y
    y = np.exp(y) + y
    return np.sum(y)


def redefined_in_one_branch(x):
    y = x * 3.0
    if np.sum(x) > 0:
        y = y * y
    elif np.sum(x) > -1.0:
        y = np.sin(y)
    return np.sum(y * x)


def defined_in_both_branches_only(x):
    if x > 0:
        y = x * 2.0
    else:
        y = x ** 3
    return y + x


def read_before_a_loop_that_reassigns(x, n):
    s = x * 2.0
    t = s * x
    for _ in range(n):
        s = s * 0.5 + t
    return s + t


def reassigned_after_a_loop(x, n):
    s = x
    for _ in range(n):
        s = np.sin(s)
    s = s * s
    for _ in range(n):
        s = s + x
    return s


def _assignments(fn_tree):
    """name -> how many statements outside loops assign it."""
    count = {}

    def walk(stmts, in_loop):
        for stmt in stmts:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                    and not in_loop:
                count[stmt.targets[0].id] = count.get(stmt.targets[0].id, 0) + 1
            if isinstance(stmt, gast.If):
                walk(stmt.body, in_loop)
                walk(stmt.orelse, in_loop)
            elif isinstance(stmt, (gast.For, gast.While)):
                walk(stmt.body, True)
    walk(fn_tree.body, False)
    return count


def _branch_exclusive_only(fn_tree):
    """Names assigned more than once outside loops are assigned once per branch of one
    ``if`` (the join copies)."""
    twice = {k for k, n in _assignments(fn_tree).items() if n > 1}
    for stmt in iter_statements(fn_tree.body):
        if isinstance(stmt, gast.If):
            last = [s.targets[0].id for s in (stmt.body[-1:] + stmt.orelse[-1:])
                    if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
            twice -= {name for name in last if last.count(name) == 2}
    return twice


def test_parameters_are_never_reassigned():
    for fn in (reassigned, reassigned_in_a_loop, reassigned_in_a_branch,
               augmented_on_a_scalar_parameter, unpacked_into_parameters,
               loop_variable_named_like_a_parameter):
        unit = normalise(fn)
        params = set(a.id for a in unit.fn.args.args)
        assert not params & set(_assignments(unit.fn)), fn.__name__
        loops = [s for s in iter_statements(unit.fn.body) if isinstance(s, (gast.For, gast.While))]
        for loop in loops:
            stored = {n.id for n in gast.walk(loop) if isinstance(n, gast.Name)
                      and isinstance(n.ctx, gast.Store)}
            assert not params & stored, fn.__name__


def test_straight_line_names_are_assigned_once_per_path():
    for fn in (chain_of_redefinitions, redefined_in_one_branch,
               defined_in_both_branches_only, reassigned, unpacked_into_parameters):
        unit = normalise(fn)
        assert not _branch_exclusive_only(unit.fn), (fn.__name__, _assignments(unit.fn))


def test_join_copies_end_both_branches():
    text = after_pass(redefined_in_one_branch, "rename_versions")
    joined = re.findall(r"^\s+(y_\d+) = y\w*$", text, re.M)
    # each join name is assigned at the end of both branches of its `if`
    assert joined and all(joined.count(name) == 2 for name in joined), text
    assert text.strip().splitlines()[-1].strip().startswith("return")


def test_a_loop_keeps_one_name_and_earlier_reads_keep_their_value():
    text = after_pass(read_before_a_loop_that_reassigns, "rename_versions")
    # `t = s * x` read the value before the loop: the loop carries a copy of it
    assert re.search(r"^\s+s_\d+ = s$", text, re.M), text
    assert_same_outputs(read_before_a_loop_that_reassigns,
                        random_inputs(scalar, lambda rng: int(rng.integers(0, 4))))
    assert_same_outputs(reassigned_after_a_loop,
                        random_inputs(vector(3), lambda rng: int(rng.integers(0, 4))))


def test_same_outputs():
    assert_same_outputs(reassigned, random_inputs(scalar))
    assert_same_outputs(reassigned, random_inputs(vector(3)))
    assert_same_outputs(reassigned_in_a_loop,
                        random_inputs(scalar, lambda rng: int(rng.integers(0, 4))))
    assert_same_outputs(reassigned_in_a_branch, random_inputs(scalar, scalar, trials=8))
    assert_same_outputs(augmented_on_a_scalar_parameter, random_inputs(scalar))
    assert_same_outputs(unpacked_into_parameters, random_inputs(scalar, scalar))
    assert_same_outputs(loop_variable_named_like_a_parameter, random_inputs(scalar, vector(3)))
    assert_same_outputs(chain_of_redefinitions, random_inputs(vector(3)))
    assert_same_outputs(redefined_in_one_branch, random_inputs(vector(2), trials=12))
    assert_same_outputs(defined_in_both_branches_only, random_inputs(scalar, trials=8))


def test_straight_line_gradients_need_no_tape():
    x = np.array([0.3, -0.2, 0.9])
    for fn, args in ((chain_of_redefinitions, (x,)), (redefined_in_one_branch, (x,)),
                     (redefined_in_one_branch, (-x,)), (defined_in_both_branches_only, (0.4,)),
                     (unpacked_into_parameters, (0.4, 1.3))):
        g = tp.grad(fn)
        source = tp.source(g, *args)
        assert "_stack" not in source and ".pop()" not in source, source
