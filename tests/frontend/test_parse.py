"""parse_function: live function -> gast FunctionDef with the user's file line numbers,
its globals and closure; and the located error when there is no source to read."""
import functools
import inspect
import os
import subprocess
import sys
import textwrap

import gast
import numpy as np
import pytest

import transpiler as tp
from transpiler.frontend.parse import parse_function
from transpiler.ir.emit import to_source

HERE = os.path.abspath(__file__)


def line_of(marker):
    """The line number in this file of the (only) line ending with ``# <marker>``."""
    with open(HERE) as handle:
        hits = [k for k, line in enumerate(handle, start=1)
                if line.rstrip().endswith("# " + marker)]
    assert len(hits) == 1, (marker, hits)
    return hits[0]


def body_source(src):
    """The rendered body of a parsed function, without its `def` line."""
    return to_source(src.node).split("\n", 1)[1]


def module_level(x, y=2.0):  # def:module_level
    z = np.sin(x) * y
    return z + 1.0


def register(fn):
    """A decorator that returns the function itself."""
    fn.registered = True
    return fn


def doubled(fn):
    """A decorator that wraps: the decorated function returns twice the value."""
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)
    return wrapper


@register
@register
def decorated(x):  # def:decorated
    return np.cos(x) * x


@doubled
def wrapped(x):
    return np.sin(x)


def make_nested(scale):
    offset = scale + 1.0

    def nested(x):  # def:nested
        return x * scale + offset

    return nested


class Holder:
    @staticmethod
    def static(x):  # def:static
        return x ** 3


square, cube = (lambda x: x * x), (lambda y: y ** 3)  # lambdas:different-params
times_three, times_five = (lambda x: x * 3.0), (lambda x: x * 5.0)  # lambdas:same-params
multi_line = (lambda x:  # lambda:multi-line
              np.sin(x)
              + x ** 2)


def test_module_level_function():
    src = parse_function(module_level)
    assert isinstance(src.node, gast.FunctionDef)
    assert src.name == "module_level"
    assert src.node.lineno == line_of("def:module_level")
    assert src.node.body[0].lineno == line_of("def:module_level") + 1
    assert [a.id for a in src.node.args.args] == ["x", "y"]
    assert src.filename == HERE
    assert src.globals is globals()
    assert src.closure == {}
    assert not src.is_lambda
    assert src.located.lines[line_of("def:module_level")].startswith("def module_level(")
    assert "z = np.sin(x) * y" in body_source(src)


def test_decorated_function_is_parsed_without_its_decorators():
    src = parse_function(decorated)
    assert src.node.decorator_list == []
    assert src.node.lineno == line_of("def:decorated")
    assert "np.cos(x) * x" in body_source(src)
    assert tp.grad(decorated)(0.7) == pytest.approx(np.cos(0.7) - 0.7 * np.sin(0.7))


def test_function_wrapped_by_a_decorator_differentiates_the_wrapper():
    # `wrapped` returns 2 sin(x): its own code is the wrapper, not the wrapped function.
    assert wrapped(0.3) == pytest.approx(2.0 * np.sin(0.3))
    assert tp.grad(wrapped)(0.3) == pytest.approx(2.0 * np.cos(0.3))


def test_nested_function_and_its_closure():
    fn = make_nested(3.0)
    src = parse_function(fn)
    assert src.name == "nested"
    assert src.node.lineno == line_of("def:nested")
    assert src.closure == {"scale": 3.0, "offset": 4.0}
    assert tp.grad(fn)(1.0) == pytest.approx(3.0)


def test_function_nested_in_a_test():
    def local(x):
        return x * x * 4.0
    src = parse_function(local)
    assert src.node.lineno == inspect.getsourcelines(local)[1]
    assert tp.grad(local)(1.5) == pytest.approx(12.0)


def test_static_method():
    src = parse_function(Holder.static)
    assert src.node.lineno == line_of("def:static")
    assert tp.grad(Holder.static)(2.0) == pytest.approx(12.0)


def test_two_lambdas_with_different_parameters_on_one_line():
    first, second = parse_function(square), parse_function(cube)
    assert first.is_lambda and second.is_lambda
    assert [a.id for a in first.node.args.args] == ["x"]
    assert [a.id for a in second.node.args.args] == ["y"]
    assert first.lambda_text == "lambda x: x * x"
    assert second.lambda_text == "lambda y: y ** 3"
    assert first.node.lineno == second.node.lineno == line_of("lambdas:different-params")
    assert tp.grad(square)(3.0) == pytest.approx(6.0)
    assert tp.grad(cube)(2.0) == pytest.approx(12.0)


def test_two_lambdas_with_the_same_parameters_on_one_line():
    assert parse_function(times_three).lambda_text == "lambda x: x * 3.0"
    assert parse_function(times_five).lambda_text == "lambda x: x * 5.0"
    assert tp.grad(times_three)(1.0) == pytest.approx(3.0)
    assert tp.grad(times_five)(1.0) == pytest.approx(5.0)


def test_lambdas_in_a_list_inside_a_function():
    scales = [lambda x: x * 2.0, lambda x: x * 7.0]
    assert tp.grad(scales[0])(1.0) == pytest.approx(2.0)
    assert tp.grad(scales[1])(1.0) == pytest.approx(7.0)


def test_lambda_inside_a_call():
    g = tp.grad(lambda x: np.sin(x) * 3.0)
    assert g(0.4) == pytest.approx(3.0 * np.cos(0.4))
    src = parse_function(g.__wrapped__)
    assert src.lambda_text == "lambda x: np.sin(x) * 3.0"


def test_lambda_inside_a_call_with_another_lambda_on_the_line():
    gs = [tp.grad(lambda a: a ** 2), tp.grad(lambda a, b: a * b, argnums=1)]
    assert gs[0](3.0) == pytest.approx(6.0)
    assert gs[1](3.0, 5.0) == pytest.approx(3.0)


def test_multi_line_lambda():
    src = parse_function(multi_line)
    first = line_of("lambda:multi-line")
    assert src.node.lineno == first
    assert sorted(src.located.lines) == [first, first + 1, first + 2]
    assert "np.sin(x) + x ** 2" in body_source(src)
    assert tp.grad(multi_line)(0.5) == pytest.approx(np.cos(0.5) + 1.0)


def test_lambda_closing_over_a_local():
    k = 4.0
    f = lambda x: x * k  # noqa: E731
    src = parse_function(f)
    assert src.closure == {"k": 4.0}
    assert tp.grad(f)(1.0) == pytest.approx(4.0)


def test_function_defined_in_main(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""\
        import numpy as np
        import transpiler as tp

        def f(x):
            return np.sin(x) * x

        g = lambda x: x ** 3

        print(repr(float(tp.grad(f)(0.5))))
        print(repr(float(tp.grad(g)(2.0))))
        print(tp.source(tp.grad(f)).splitlines()[0])
        """))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert float(lines[0]) == pytest.approx(np.cos(0.5) * 0.5 + np.sin(0.5))
    assert float(lines[1]) == pytest.approx(12.0)
    assert lines[2] == "def grad_f(x):"


def test_function_defined_in_main_read_from_stdin_has_no_source(tmp_path):
    code = textwrap.dedent("""\
        import transpiler as tp

        def f(x):
            return x * 2.0

        try:
            tp.grad(f)
        except tp.TranspileError as exc:
            print(exc)
        """)
    run = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("<stdin>:3:")
    assert "hint:" in run.stdout
    assert "Traceback" not in run.stdout


def test_function_without_source_is_a_located_error():
    namespace = {"np": np}
    exec("def made_by_exec(x):\n    return np.sin(x)\n", namespace)
    fn = namespace["made_by_exec"]
    with pytest.raises(tp.TranspileError) as info:
        parse_function(fn)
    message = str(info.value)
    assert message.startswith("<string>:1:")
    assert "made_by_exec" in message
    assert "hint:" in message and "exec" in message
    with pytest.raises(tp.TranspileError):
        tp.grad(fn)


def test_lambda_without_source_is_a_located_error():
    fn = eval("lambda x: x * 2.0")
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(fn)
    assert str(info.value).startswith("<string>:1:")
    assert "hint:" in str(info.value)


def test_not_a_python_function():
    with pytest.raises(TypeError):
        parse_function(np.sin)
    with pytest.raises(TypeError):
        tp.grad(np.sin)
