"""Errors a user gets (SPEC "Errors a user gets"): unsupported Python is a TranspileError
when the transform is made, located at the user's line (`file.py:LINE:`, the line, a
`hint:`); in-place writes that would change the caller's data or corrupt the derivative
are refused; misuse of grad is a TypeError that says what was wrong."""
import os

import numpy as np
import pytest

import transpiler as tp
from transpiler.rules.registry import lookup
from helpers.check_grads import check_grads

HERE = os.path.abspath(__file__)
with open(HERE) as _handle:
    LINES = _handle.read().splitlines()


def line_of(marker):
    """The line number of the only line of this file that ends with ``# E:<marker>``."""
    hits = [k for k, line in enumerate(LINES, start=1)
            if line.rstrip().endswith("# E:" + marker)]
    assert len(hits) == 1, (marker, hits)
    return hits[0]


def assert_located(error, marker):
    """``error`` is a TranspileError at the line marked ``marker`` of this file."""
    assert isinstance(error, tp.TranspileError), repr(error)
    lineno = line_of(marker)
    message = str(error)
    assert message.startswith("%s:%d:" % (HERE, lineno)), message
    assert LINES[lineno - 1].strip() in message, message
    hint = [line for line in message.splitlines() if line.startswith("hint: ")]
    assert hint and len(hint[0]) > len("hint: ") + 10, message
    assert error.filename == HERE and error.lineno == lineno
    return message


def transform_error(fn, **options):
    """The TranspileError that making ``grad(fn)`` raises (before any call)."""
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn, **options)
    return info.value


# ------------------------------------------------------------ unsupported constructs

def uses_try(x):
    try:  # E:try
        y = np.log(x)
    except ValueError:
        y = x
    return y


def uses_with(x):
    with np.errstate(all="ignore"):  # E:with
        y = np.log(x)
    return y


def uses_yield(x):
    yield x * 2.0  # E:yield


def uses_yield_from(x):
    yield from [x, x]  # E:yield-from
    return x


def uses_generator_expression(xs):
    return sum(x * x for x in xs)  # E:generator


def defines_a_class(x):
    class Point:  # E:class
        scale = 2.0
    return x * 2.0


COUNTER = 0


def uses_global(x):
    global COUNTER  # E:global
    return x * 2.0


def uses_nonlocal(x):
    s = 0.0

    def bump():
        nonlocal s  # E:nonlocal
        s = s + 1.0
        return s
    return x * bump()


def uses_del(x):
    y = x * 2.0
    del y  # E:del
    return x


def imports_inside(x):
    import math  # E:import
    return math.sin(x)


def imports_from_inside(x):
    from math import sin  # E:import-from
    return sin(x)


def uses_walrus(x):
    if (y := x * 2.0) > 1.0:  # E:walrus
        return y
    return x


def uses_set_comprehension(xs):
    s = {x for x in xs}  # E:set-comprehension
    return xs[0]


def uses_dict_comprehension(xs):
    d = {k: xs[k] for k in range(2)}  # E:dict-comprehension
    return d[0]


def uses_set_literal(x):
    s = {x, 1.0}  # E:set-literal
    return x


def for_else(xs):
    s = 0.0
    for x in xs:  # E:for-else
        s = s + x
    else:
        s = s * 2.0
    return s


def while_else(x):
    while x > 1.0:  # E:while-else
        x = x / 2.0
    else:
        x = x + 1.0
    return x


def starred_call(xs):
    return np.add(*xs)  # E:starred-call


def starred_target(xs):
    first, *rest = xs  # E:starred-target
    return first


def star_args(x, *rest):  # E:star-args
    return x * rest[0]


def star_kwargs(x, **options):  # E:star-kwargs
    return x * 2.0


def assigns_an_attribute(x, state):
    state.last = x  # E:attribute-assignment
    return x * 2.0


def calls_a_local_variable(x):
    h = np.sin
    return h(x)  # E:call-local


def uses_match(x):
    match x:  # E:match
        case 0.0:
            return x
    return x * 2.0


def lambda_with_default(x):
    f = lambda t, k=2.0: t * k  # E:lambda-default
    return f(x)


def decorated_nested_def(x):
    @staticmethod
    def g(t):  # E:decorated-nested
        return t * 2.0
    return g(x)


def lambda_as_a_value(x):
    return np.sum(np.apply_along_axis(lambda r: r * 2.0, 0, x))  # E:lambda-value


def unsupported_method(x):
    return np.sum(x.tolist())  # E:method


def unsupported_at_update(x):
    return np.sum(x.at[0].frobnicate(1.0))  # E:at-op


def double_star_in_a_call(x):
    options = {"axis": 0}
    return np.sum(x, **options)  # E:call-kwargs


def writes_a_nested_element(x):
    y = np.zeros((2, 2))
    y[0][1] = x  # E:nested-element
    return np.sum(y)


async def asynchronous(x):  # E:async
    return x * 2.0


CONSTRUCTS = [
    (uses_try, "try", "try"),
    (uses_with, "with", "with"),
    (uses_yield, "yield", "yield"),
    (uses_yield_from, "yield-from", "yield"),
    (uses_generator_expression, "generator", "generator"),
    (defines_a_class, "class", "class"),
    (uses_global, "global", "global"),
    (uses_nonlocal, "nonlocal", "nonlocal"),
    (uses_del, "del", "del"),
    (imports_inside, "import", "import"),
    (imports_from_inside, "import-from", "import"),
    (uses_walrus, "walrus", ":="),
    (uses_set_comprehension, "set-comprehension", "set comprehension"),
    (uses_dict_comprehension, "dict-comprehension", "dict comprehension"),
    (uses_set_literal, "set-literal", "set"),
    (for_else, "for-else", "else"),
    (while_else, "while-else", "else"),
    (starred_call, "starred-call", "*"),
    (starred_target, "starred-target", "*"),
    (star_args, "star-args", "*args"),
    (star_kwargs, "star-kwargs", "**kwargs"),
    (assigns_an_attribute, "attribute-assignment", "attribute"),
    (calls_a_local_variable, "call-local", "`h`"),
    (uses_match, "match", "match"),
    (lambda_with_default, "lambda-default", "lambda"),
    (decorated_nested_def, "decorated-nested", "decorated"),
    (lambda_as_a_value, "lambda-value", "lambda"),
    (unsupported_method, "method", "tolist"),
    (unsupported_at_update, "at-op", "frobnicate"),
    (double_star_in_a_call, "call-kwargs", "**"),
    (writes_a_nested_element, "nested-element", "nested element"),
    (asynchronous, "async", "async"),
]


@pytest.mark.parametrize("fn, marker, says", CONSTRUCTS,
                         ids=[marker for _, marker, _ in CONSTRUCTS])
def test_unsupported_construct_is_located_at_transform_time(fn, marker, says):
    message = assert_located(transform_error(fn), marker)
    assert says in message.splitlines()[0], message


@pytest.mark.parametrize("fn, marker, token", [
    (uses_try, "try", "try:"),
    (uses_generator_expression, "generator", "(x * x for"),
    (starred_call, "starred-call", "*xs"),
    (calls_a_local_variable, "call-local", "h(x)"),
    (unsupported_method, "method", "x.tolist()"),
    (lambda_as_a_value, "lambda-value", "lambda r"),
    (uses_walrus, "walrus", "y := "),
])
def test_the_column_points_at_the_construct(fn, marker, token):
    error = transform_error(fn)
    line = LINES[line_of(marker) - 1]
    assert error.col == line.index(token), (error.col, line)
    caret = str(error).splitlines()[2]
    assert caret.strip() == "^" and caret.index("^") == 4 + line.index(token)


@pytest.mark.parametrize("fn, marker", [(uses_try, "try"), (uses_global, "global"),
                                        (starred_target, "starred-target")])
def test_value_and_grad_reports_the_same_error(fn, marker):
    with pytest.raises(tp.TranspileError) as info:
        tp.value_and_grad(fn)
    assert_located(info.value, marker)


def test_error_inside_a_lambda_points_at_its_line():
    f = lambda x: (y := x) * 2.0  # E:walrus-in-lambda
    assert_located(transform_error(f), "walrus-in-lambda")


def test_error_inside_a_nested_function_points_at_its_line():
    def outer(x):
        def inner(t):
            try:  # E:try-nested
                return t
            finally:
                pass
        return inner(x)
    error = transform_error(outer)
    assert_located(error, "try-nested")
    assert error.col == LINES[line_of("try-nested") - 1].index("try")


def helper_with_a_with_block(x):
    with np.errstate(all="ignore"):  # E:with-in-callee
        return np.log(x)


def calls_a_helper_with_a_with_block(x):
    return helper_with_a_with_block(x) * 2.0


def test_error_in_a_called_user_function_points_at_the_callee_line():
    assert_located(transform_error(calls_a_helper_with_a_with_block), "with-in-callee")


def test_hints_say_what_to_write_instead():
    hints = {
        "try": transform_error(uses_try).hint,
        "generator": transform_error(uses_generator_expression).hint,
        "global": transform_error(uses_global).hint,
        "walrus": transform_error(uses_walrus).hint,
        "for-else": transform_error(for_else).hint,
        "star-args": transform_error(star_args).hint,
    }
    assert "list comprehension" in hints["generator"]
    assert "argument" in hints["global"]
    assert "line" in hints["walrus"]
    assert "flag" in hints["for-else"]
    assert all(hint.strip() for hint in hints.values())


# ------------------------------------------------------------ recursion

def factorial_like(x):
    if x > 1.0:
        return factorial_like(x - 1.0) * x  # E:recursion
    return x


def ping(x):
    return pong(x * 0.5) + 1.0  # E:mutual-ping


def pong(x):
    if x > 1.0:
        return ping(x)  # E:mutual-pong
    return x


def test_direct_recursion():
    message = assert_located(transform_error(factorial_like), "recursion")
    assert "recurs" in message and "factorial_like" in message
    assert "loop" in transform_error(factorial_like).hint


@pytest.mark.parametrize("fn", [ping, pong])
def test_mutual_recursion(fn):
    error = transform_error(fn)
    assert error.lineno in (line_of("mutual-ping"), line_of("mutual-pong"))
    assert str(error).startswith("%s:%d:" % (HERE, error.lineno))
    assert "recurs" in str(error)
    assert "ping" in str(error) or "pong" in str(error)


# ------------------------------------------------------------ calls without a rule

def test_the_callees_used_below_have_no_rule():
    assert lookup(np.i0) is None
    assert lookup(complex) is None


def uses_i0(x):
    return np.i0(x) * 2.0  # E:no-rule


def uses_complex(x):
    z = complex(x, 0.75)  # E:no-rule-builtin
    return z.real


def uses_i0_of_a_constant_argument(x, c):
    return x * np.i0(c) + np.i0(0.25)


def uses_divmod_of_an_integer_argument(x, n):
    q, r = divmod(n, 3)
    s = x
    for i in range(q + r):
        s = s * x
    return s


def uses_i0_on_an_inactive_intermediate(x, c):
    d = c * 2.0
    return np.i0(d) * x + np.i0(np.sin(c))


def test_call_without_a_rule_on_a_differentiated_value():
    error = transform_error(uses_i0)
    message = assert_located(error, "no-rule")
    assert "i0" in message.splitlines()[0]
    assert "custom_vjp" in error.hint


def test_builtin_without_a_rule_on_a_differentiated_value():
    error = transform_error(uses_complex)
    message = assert_located(error, "no-rule-builtin")
    assert "complex" in message.splitlines()[0]
    assert "custom_vjp" in error.hint


def test_call_without_a_rule_on_values_not_differentiated():
    g = tp.grad(uses_i0_of_a_constant_argument)
    assert g(1.5, 0.3) == pytest.approx(np.i0(0.3))
    g = tp.grad(uses_divmod_of_an_integer_argument)
    assert g(1.5, 7) == pytest.approx(4 * 1.5 ** 3)     # divmod(7, 3) = (2, 1): x ** 4
    g = tp.grad(uses_i0_on_an_inactive_intermediate)
    assert g(2.0, 0.2) == pytest.approx(np.i0(0.4))


def test_differentiating_the_other_argument_reaches_the_call():
    error = transform_error(uses_i0_of_a_constant_argument, argnums=1)
    assert "i0" in str(error)


# ------------------------------------------------------------ in-place writes

def writes_into_an_argument(x):
    x[0] = 1.  # E:write-arg
    return np.sum(x * x)


def writes_into_a_dict_argument(params):
    params["w"] = 1.  # E:write-dict-arg
    return params["b"] * 2.0


def writes_into_an_array_in_a_dict_argument(params):
    w = params["w"]
    w[0] = 0.  # E:write-dict-leaf
    return np.sum(w * params["b"])


def writes_through_an_alias(x):
    z = x
    z[0] = 0.  # E:write-alias
    return np.sum(z)


def writes_through_a_view_of_an_argument(x):
    head = x[:2]
    head[0] = 3.  # E:write-view
    return np.sum(x * head[1])


def writes_into_an_argument_in_a_loop(x):
    for i in range(2):
        x[i] = x[i] * 2.0  # E:write-arg-loop
    return np.sum(x)


def writes_a_local_while_an_alias_is_used(x):
    y = x * 2.0
    z = y
    z[0] = 0.  # E:write-local-alias
    return np.sum(y) + np.sum(z)


def writes_a_local_while_a_slice_is_used(x):
    out = x * 1.0
    row = out[1:3]
    out[1] = 5.  # E:write-local-view
    return np.sum(row * out)


def writes_into_its_own_buffer(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = x[i] ** 2 + x[(i + 1) % 3]
    out[0] = out[0] * x[2]
    return np.sum(out * out)


def writes_into_a_copy(x):
    y = x.copy()
    y[0] = y[0] * 3.0
    return np.sum(y * y)


def adds_an_entry_to_a_local_dict(x):
    d = {"a": x}
    d["b"] = x * 2.0
    return d["a"] + d["b"]


def replaces_an_item_of_a_local_list(x):
    items = [x, x * 2.0]
    items[0] = 1.0
    return items[0] * items[1]


def augments_an_argument(x):
    x += 1  # E:augment-arg
    return np.sum(x * x)


def augments_a_rebound_argument(x):
    x = x * 2.0
    x += 1.0
    return np.sum(x * x)


@pytest.mark.parametrize("fn, marker", [
    (writes_into_an_argument, "write-arg"),
    (writes_into_a_dict_argument, "write-dict-arg"),
    (writes_through_an_alias, "write-alias"),
    (writes_into_an_argument_in_a_loop, "write-arg-loop"),
])
def test_write_into_an_argument_is_refused_at_transform_time(fn, marker):
    error = transform_error(fn)
    assert_located(error, marker)
    assert ".at[" in error.hint


def test_write_into_an_argument_names_the_argument():
    assert "`x`" in str(transform_error(writes_into_an_argument))
    assert "`params`" in str(transform_error(writes_into_a_dict_argument))
    assert "`x`" in str(transform_error(writes_through_an_alias))


def first_call_error(fn, *args):
    """The TranspileError raised making ``grad(fn)`` or, at the latest, calling it."""
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)(*args)
    return info.value


def test_write_into_a_leaf_of_a_dict_argument_is_refused():
    params = {"w": np.ones(3), "b": np.arange(3.0)}
    error = first_call_error(writes_into_an_array_in_a_dict_argument, params)
    assert_located(error, "write-dict-leaf")
    assert np.array_equal(params["w"], np.ones(3))


def test_write_through_a_view_of_an_argument_is_refused():
    x = np.arange(4.0)
    error = first_call_error(writes_through_a_view_of_an_argument, x)
    assert_located(error, "write-view")
    assert np.array_equal(x, np.arange(4.0))


def test_write_into_a_local_while_an_alias_is_still_used():
    error = first_call_error(writes_a_local_while_an_alias_is_used, np.arange(3.0))
    message = assert_located(error, "write-local-alias")
    assert "`y`" in message


def test_write_into_a_local_while_a_slice_of_it_is_still_used():
    error = first_call_error(writes_a_local_while_a_slice_is_used, np.arange(4.0))
    message = assert_located(error, "write-local-view")
    assert "`row`" in message


def test_writes_into_arrays_the_function_made_are_differentiated():
    check_grads(writes_into_its_own_buffer, (np.array([0.3, -1.2, 0.8]),))
    x = np.array([0.5, 2.0, -1.0])
    check_grads(writes_into_a_copy, (x,))
    assert np.array_equal(x, [0.5, 2.0, -1.0])


def test_writes_into_local_containers_that_hold_an_argument_are_allowed():
    # The container is the function's own: replacing one of its entries leaves the
    # caller's value alone.
    assert tp.grad(adds_an_entry_to_a_local_dict)(0.5) == pytest.approx(3.0)
    assert tp.grad(replaces_an_item_of_a_local_list)(0.5) == pytest.approx(2.0)
    x = np.array([0.5, 1.0])
    assert tp.grad(lambda v: np.sum(adds_an_entry_to_a_local_dict(v)))(x) == \
        pytest.approx([3.0, 3.0])
    assert np.array_equal(x, [0.5, 1.0])


def test_augmented_assignment_to_an_array_argument_is_refused_at_the_first_call():
    g = tp.grad(augments_an_argument)
    x = np.arange(3.0)
    with pytest.raises(tp.TranspileError) as info:
        g(x)
    assert_located(info.value, "augment-arg")
    assert ".at[" in info.value.hint
    assert np.array_equal(x, np.arange(3.0))


def test_augmented_assignment_to_a_float_argument_works():
    g = tp.grad(augments_an_argument)
    assert g(2.0) == pytest.approx(6.0)
    assert tp.value_and_grad(augments_an_argument)(2.0) == pytest.approx((9.0, 6.0))


def test_augmented_assignment_after_rebinding_an_argument_works():
    x = np.array([1.0, 2.0])
    assert tp.grad(augments_a_rebound_argument)(x) == pytest.approx(4.0 * (2.0 * x + 1.0))
    assert np.array_equal(x, [1.0, 2.0])


# ------------------------------------------------------------ misuse of grad

def doubles(x):
    return x * 2.0


def sums_keeping_dims(x):
    return np.sum(x * x, keepdims=True)


def power(x, n):
    return x ** n


def weighted(params):
    return params["w"] * params["n"]


def returns_a_pair(x):
    return x * x, x + 1.0


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
def test_non_scalar_output(transform):
    with pytest.raises(TypeError) as info:
        transform(doubles)(np.ones(3))
    assert "scalar" in str(info.value) and "(3,)" in str(info.value)
    with pytest.raises(TypeError) as info:
        transform(doubles)(np.ones((2, 2)))
    assert "(2, 2)" in str(info.value)


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
def test_output_of_shape_one_is_not_a_scalar(transform):
    with pytest.raises(TypeError) as info:
        transform(sums_keeping_dims)(np.ones(3))
    assert "scalar" in str(info.value) and "(1,)" in str(info.value)


def test_zero_dimensional_outputs_are_scalars():
    assert tp.grad(lambda x: np.sum(x * x))(np.ones(2)) == pytest.approx([2.0, 2.0])
    assert tp.grad(lambda x: np.asarray(x * 3.0))(1.0) == pytest.approx(3.0)


@pytest.mark.parametrize("args, argnums, name, dtype", [
    ((2.0, 3), 1, "n", "int"),
    ((2, 3.0), 0, "x", "int"),
    ((np.arange(3), 2.0), 0, "x", "int64"),
    ((np.ones(2, dtype=np.int32), 2.0), (1, 0), "x", "int32"),
    ((np.array([True, False]), 1.0), 0, "x", "bool"),
])
def test_integer_argument(args, argnums, name, dtype):
    with pytest.raises(TypeError) as info:
        tp.grad(power, argnums=argnums)(*args)
    message = str(info.value)
    assert "`%s`" % name in message and dtype in message, message


def test_integer_leaf_inside_a_dict_argument():
    with pytest.raises(TypeError) as info:
        tp.grad(weighted)({"w": 1.5, "n": 3})
    message = str(info.value)
    assert "`params`" in message and "int" in message
    assert tp.grad(weighted)({"w": 1.5, "n": 3.0})["w"] == pytest.approx(3.0)


def test_integer_argument_not_differentiated_is_fine():
    assert tp.grad(power)(2.0, 3) == pytest.approx(12.0)


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
def test_tuple_output_without_has_aux(transform):
    with pytest.raises(TypeError) as info:
        transform(returns_a_pair)(2.0)
    assert "has_aux" in str(info.value)
    grad, aux = tp.grad(returns_a_pair, has_aux=True)(2.0)
    assert grad == pytest.approx(4.0) and aux == pytest.approx(3.0)


# ------------------------------------------------------------ has_aux without a pair

def aux_returns_a_scalar(x):
    return x * 2.0


def aux_returns_three(x):
    return x * 2.0, x, 1.0


def aux_returns_one(x):
    return (x * 2.0,)


def aux_returns_a_list_of_three(x):
    return [x * 2.0, x, x]


def aux_returns_none(x):
    y = x * 2.0  # noqa: F841


def aux_returns_a_dict(x):
    return {"out": x * 2.0, "aux": x}


def aux_returns_a_pair_from_branches(x):
    if x > 0.0:
        return x * x, "positive"
    return -x, "negative"


def aux_returns_a_list_pair(x):
    return [np.sum(x ** 3), x.shape]


def aux_returns_a_helper_pair(x):
    return returns_a_pair(x)


def _aux_error(transform, fn, call, x):
    if transform is tp.vjp:
        return lambda: tp.vjp(fn, x, has_aux=True)
    derived = transform(fn, has_aux=True)
    return lambda: getattr(derived, call)(x)


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad, tp.vjp])
@pytest.mark.parametrize("call", ["__call__", "call_generic"])
@pytest.mark.parametrize("fn, says", [
    (aux_returns_a_scalar, "a float"), (aux_returns_three, "a tuple of 3 elements"),
    (aux_returns_one, "a tuple of 1 element"), (aux_returns_a_list_of_three, "a list of 3"),
    (aux_returns_none, "None"), (aux_returns_a_dict, "a dict of 2 elements"),
])
def test_has_aux_without_a_pair_says_what_was_returned(transform, call, fn, says):
    with pytest.raises(TypeError) as info:
        _aux_error(transform, fn, call, 1.5)()
    message = str(info.value)
    assert "has_aux" in message and "pair" in message and says in message, message


def test_has_aux_with_a_pair_however_it_is_made():
    grad, aux = tp.grad(aux_returns_a_pair_from_branches, has_aux=True)(1.5)
    assert grad == pytest.approx(3.0) and aux == "positive"
    grad, aux = tp.grad(aux_returns_a_pair_from_branches, has_aux=True).call_generic(-1.5)
    assert grad == pytest.approx(-1.0) and aux == "negative"
    x = np.array([1.0, -2.0])
    grad, aux = tp.grad(aux_returns_a_list_pair, has_aux=True)(x)
    np.testing.assert_allclose(grad, 3 * x ** 2)
    assert aux == (2,)
    (value, aux), grad = tp.value_and_grad(aux_returns_a_helper_pair, has_aux=True)(2.0)
    assert (value, aux, grad) == pytest.approx((4.0, 3.0, 4.0))
    out, pull, aux = tp.vjp(aux_returns_a_helper_pair, 2.0, has_aux=True)
    assert (out, aux, pull(1.0)[0]) == pytest.approx((4.0, 3.0, 4.0))


# ------------------------------------------------------------ vjp_fn cotangents

def two_outputs(x):
    return x * 2.0, np.sum(x ** 2)


def dict_output(x):
    return {"a": x * 2.0, "b": x[0]}


X3 = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("fn, cotangent, says", [
    (two_outputs, 1.0, "structure"),
    (two_outputs, (np.ones(3),), "structure"),
    (two_outputs, (np.ones(3), 1.0, 1.0), "structure"),
    (two_outputs, [np.ones(3), 1.0], "structure"),
    (two_outputs, None, "structure"),
    (two_outputs, (np.ones(4), 1.0), "shape (3,)"),
    (two_outputs, (np.ones(3), np.ones(1)), "shape ()"),
    (dict_output, {"a": np.ones(3)}, "structure"),
    (dict_output, {"a": np.ones(3), "c": 1.0}, "structure"),
    (dict_output, {"a": np.ones((3, 1)), "b": 1.0}, "shape (3,)"),
    (doubles, np.ones(4), "shape (3,)"),
    (doubles, 1.0, "shape (3,)"),
    (doubles, (np.ones(3),), "structure"),
])
def test_vjp_fn_refuses_a_cotangent_of_the_wrong_structure_or_shape(fn, cotangent, says):
    out, pull = tp.vjp(fn, X3)
    with pytest.raises(ValueError) as info:
        pull(cotangent)
    assert says in str(info.value), str(info.value)
    # the vjp_fn is still usable with a right cotangent
    ct = tp.tree_util.tree_map(np.ones_like, out)
    assert len(pull(ct)) == 1


def test_vjp_fn_with_the_right_cotangents():
    out, pull = tp.vjp(two_outputs, X3)
    (d,) = pull((np.full(3, 2.0), 3.0))
    np.testing.assert_allclose(d, 4.0 + 6.0 * X3)
    out, pull = tp.vjp(dict_output, X3)
    (d,) = pull({"a": np.ones(3), "b": np.float64(5.0)})
    np.testing.assert_allclose(d, [7.0, 2.0, 2.0])
    out, pull = tp.vjp(lambda x: np.sum(x), X3)
    np.testing.assert_allclose(pull(2.0)[0], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(pull(np.array(2.0))[0], [2.0, 2.0, 2.0])


def test_vjp_fn_refuses_a_complex_cotangent():
    out, pull = tp.vjp(doubles, X3)
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        pull(np.ones(3) * 1j)


# ------------------------------------------------------------ custom_vjp misuse

@tp.custom_vjp
def no_rule(x):
    return x * 2.0


def calls_no_rule(x):
    return no_rule(x) * 3.0


def _make_custom(fwd, bwd):
    @tp.custom_vjp
    def scaled(x, y):
        return x * y
    scaled.defvjp(fwd, bwd)
    return scaled


def _fwd(x, y):
    return x * y, (x, y)


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
def test_custom_vjp_without_defvjp(transform):
    for fn in (no_rule, calls_no_rule):
        with pytest.raises(TypeError) as info:
            transform(fn)(1.5)
        assert "no_rule" in str(info.value) and "defvjp" in str(info.value)
    with pytest.raises(TypeError, match="defvjp"):
        tp.vjp(calls_no_rule, 1.5)


@pytest.mark.parametrize("fwd, bwd, error, says", [
    (lambda x, y: x * y, lambda res, g: (g, g), TypeError, "fwd rule.*pair.*an array of shape"),
    (lambda x, y: (x * y, 1, 2), lambda res, g: (g, g), TypeError, "fwd rule.*a tuple of 3"),
    (_fwd, lambda res, g: g * res[1], TypeError, "bwd rule.*tuple.*returned an array"),
    (_fwd, lambda res, g: (g * res[1],), TypeError, "1 entries for its 2 arguments"),
    (_fwd, lambda res, g: (g, g, g), TypeError, "3 entries for its 2 arguments"),
    (_fwd, lambda res, g: (np.ones(3), g), ValueError, "argument `x`.*shapes \\(2,\\)"),
    (_fwd, lambda res, g: (g, np.ones(2)), ValueError, "argument `y`.*shapes \\(\\)"),
    (_fwd, lambda res, g: (g, (g,)), ValueError, "argument `y`"),
])
def test_custom_vjp_rules_that_return_the_wrong_thing(fwd, bwd, error, says):
    scaled = _make_custom(fwd, bwd)
    x = np.array([1.0, 2.0])
    with pytest.raises(error, match=says):
        tp.grad(lambda a, b: np.sum(scaled(a, b)), argnums=(0, 1))(x, 3.0)


def test_custom_vjp_rules_may_return_none_and_see_a_full_cotangent():
    seen = []

    def bwd(res, g):
        seen.append(np.shape(g))
        return g * res[1], None
    scaled = _make_custom(_fwd, bwd)
    x = np.array([1.0, 2.0])
    dx, dy = tp.grad(lambda a, b: np.sum(scaled(a, b)), argnums=(0, 1))(x, 3.0)
    np.testing.assert_allclose(dx, [3.0, 3.0])
    assert dy == 0.0 and seen == [(2,)]


def test_defvjp_after_the_transform_is_made_is_used():
    @tp.custom_vjp
    def later(x):
        return x * 2.0

    def loss(x):
        return later(x) * 1.0
    derived = tp.grad(loss)
    later.defvjp(lambda x: (x * 2.0, None), lambda res, g: (g * 2.0,))
    assert derived(1.0) == pytest.approx(2.0)
    later.defvjp(lambda x: (x * 2.0, None), lambda res, g: (g * 5.0,))
    assert derived(1.0) == pytest.approx(5.0)          # the new rule, not a stale one


# ------------------------------------------------------------ outputs grad refuses

def returns_none(x):
    y = x * 2.0  # noqa: F841


def returns_none_explicitly(x):
    return None


def returns_a_comparison(x):
    return x > 0.0


def returns_a_python_bool(x):
    return True


def returns_a_numpy_bool(x):
    return np.all(x > 0.0)


def returns_a_complex(x):
    return x * 2.0 + 1j


@pytest.mark.parametrize("transform", [tp.grad, tp.value_and_grad])
@pytest.mark.parametrize("call", ["__call__", "call_generic"])
@pytest.mark.parametrize("fn, says", [
    (returns_none, "returned None"), (returns_none_explicitly, "returned None"),
    (returns_a_comparison, "boolean"), (returns_a_python_bool, "boolean"),
    (returns_a_numpy_bool, "boolean"), (returns_a_complex, "complex numbers are not supported"),
])
def test_grad_of_none_bool_or_complex_output_says_what_was_returned(transform, call, fn, says):
    with pytest.raises(TypeError) as info:
        getattr(transform(fn), call)(np.float64(1.5))
    assert says in str(info.value)
    with pytest.raises(TypeError):
        getattr(transform(fn), call)(np.array([1.5, -1.0]) if fn is returns_a_numpy_bool
                                     else 1.5)


def test_integer_outputs_have_a_zero_gradient():
    assert tp.grad(lambda x: 3)(1.5) == 0.0
    assert tp.grad(lambda x: len(x))(np.ones(2)) == pytest.approx([0.0, 0.0])


# ------------------------------------------------------------ complex numbers

COMPLEX_GLOBAL = np.array([1.0 + 1.0j, 2.0])


def complex_constant_under_sqrt(x):
    return np.sqrt(x + 0j).real  # E:complex-sqrt


def complex_constant_times(x):
    return (1j * x).real  # E:complex-times


def complex_exponential(x):
    z = np.exp(1j * x)  # E:complex-exp
    return np.real(z)


def astype_complex(x):
    return np.sum(x.astype(complex)).real  # E:complex-astype


def astype_complex_string(x):
    return np.sum(x.astype("complex64")).real  # E:complex-astype-string


def array_of_complex_dtype(x):
    return np.sum(np.array(x, dtype=np.complex128)).real  # E:complex-array


def complex_global(x):
    return np.sum(x * COMPLEX_GLOBAL).real  # E:complex-global


def complex_buffer(x):
    z = np.zeros(2, dtype=complex)
    w = z + x  # E:complex-buffer
    return np.sum(np.real(w))


def complex_argument_not_differentiated(x, c):
    return np.real(np.sum(x * c))  # E:complex-argument


def complex_only_where_nothing_is_differentiated(x, data):
    spectrum = np.abs(np.fft.fft(data))
    scale = 2.0 if isinstance(x[0], complex) else 1.0
    return np.sum(x * spectrum) * scale + np.real(1j * 2.0j)


@pytest.mark.parametrize("fn, marker", [
    (complex_constant_under_sqrt, "complex-sqrt"), (complex_constant_times, "complex-times"),
    (complex_exponential, "complex-exp"), (astype_complex, "complex-astype"),
    (astype_complex_string, "complex-astype-string"), (array_of_complex_dtype, "complex-array"),
    (complex_global, "complex-global"),
])
def test_complex_values_are_refused_at_transform_time(fn, marker):
    with pytest.raises(TypeError) as info:
        tp.grad(fn)
    message = assert_located(info.value, marker)
    assert "complex numbers are not supported" in message
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        tp.vjp(fn, np.array([0.5, 2.0]))


@pytest.mark.parametrize("fn, args, marker", [
    (complex_buffer, (np.array([0.5, 2.0]),), "complex-buffer"),
    (complex_argument_not_differentiated, (np.array([0.5, 2.0]), COMPLEX_GLOBAL),
     "complex-argument"),
])
def test_complex_values_the_shapes_reveal_are_refused_at_the_first_call(fn, args, marker):
    derived = tp.grad(fn)
    with pytest.raises(TypeError) as info:
        derived(*args)
    assert "complex numbers are not supported" in assert_located(info.value, marker)


def test_complex_values_in_generic_code_are_refused_when_they_reach_a_gradient():
    derived = tp.grad(complex_argument_not_differentiated)
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        derived.call_generic(np.array([0.5, 2.0]), COMPLEX_GLOBAL)


@pytest.mark.parametrize("args, argnums", [
    ((np.array([1.0 + 2.0j, 0.5]), np.ones(2)), 0),
    ((1.0 + 2.0j, 1.0), 0),
    ((np.ones(2), np.complex64(1.0)), (0, 1)),
])
def test_complex_arguments_are_refused(args, argnums):
    with pytest.raises(TypeError, match="complex numbers are not supported.*argnums"):
        tp.grad(lambda x, y: np.real(np.sum(x * y)), argnums=argnums)(*args)
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        tp.vjp(lambda x, y: np.real(x * y), *args)
    leaf = [a for a in args if np.iscomplexobj(a)][0]
    with pytest.raises(TypeError, match="complex numbers are not supported.*`p`"):
        tp.grad(lambda p: np.real(np.sum(p["a"] * 2.0)))({"a": leaf, "b": 1.0})


def test_complex_values_that_nothing_differentiates_are_fine():
    x, data = np.array([0.5, 2.0]), np.array([1.0, -1.0])
    check_grads(complex_only_where_nothing_is_differentiated, (x, data))
