"""The command line (SPEC "CLI"): `transpiler grad|value_and_grad FILE.py:FUNC` prints
exactly what `tp.source` returns for the same transform; `transpiler rules` lists the
rules; user errors go to stderr, exit status 1, without a Python traceback."""
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import transpiler as tp

MODEL = textwrap.dedent("""\
    import numpy as np


    def loss(w, x):
        y = np.tanh(x @ w)
        return np.sum(y * y)


    def with_aux(w, x):
        y = np.tanh(x @ w)
        return np.sum(y * y), y


    def scaled(x, k):
        s = 0.0
        for i in range(k):
            s = s + np.sin(x * i)
        return np.sum(s)


    def broken(x):
        try:
            y = x * 2.0
        except ValueError:
            y = x
        return y


    def needs_float(x):
        return np.sum(x * 2.0)
    """)


def console_script():
    beside = os.path.join(os.path.dirname(sys.executable), "transpiler")
    return beside if os.path.exists(beside) else shutil.which("transpiler")


def run(args, cwd, module=False, env=None):
    """Run the CLI (the console script, or ``python -m transpiler``)."""
    command = [sys.executable, "-m", "transpiler"] if module else [console_script()]
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(command + list(args), capture_output=True, text=True, cwd=str(cwd),
                          env=full_env, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cli")
    (directory / "model.py").write_text(MODEL)
    package = directory / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "losses.py").write_text(MODEL)
    return directory


@pytest.fixture(scope="module")
def model(workdir):
    spec = importlib.util.spec_from_file_location("cli_test_model", str(workdir / "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_user_error(result, *fragments):
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_console_script_is_installed():
    assert console_script() is not None


def test_grad_prints_what_tp_source_returns(workdir, model):
    result = run(["grad", "model.py:loss"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.loss))
    assert result.stdout.startswith("def grad_loss(w, x):")
    compile(result.stdout, "<cli output>", "exec")


def test_grad_with_a_path_to_the_file(workdir, model, tmp_path):
    result = run(["grad", str(workdir / "model.py") + ":loss"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.loss))


def test_argnums(workdir, model):
    result = run(["grad", "model.py:loss", "--argnums", "0", "1"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.loss, argnums=(0, 1)))
    assert result.stdout != tp.source(tp.grad(model.loss))
    single = run(["grad", "model.py:loss", "--argnums", "1"], workdir)
    assert single.stdout == tp.source(tp.grad(model.loss, argnums=1))


def test_has_aux(workdir, model):
    result = run(["grad", "model.py:with_aux", "--has-aux"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.with_aux, has_aux=True))


def test_args_select_the_specialised_source(workdir, model):
    result = run(["grad", "model.py:scaled", "--args", "np.ones(3), 4"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.scaled), np.ones(3), 4)
    single = run(["grad", "model.py:needs_float", "--args", "np.ones(2)"], workdir)
    assert single.returncode == 0, single.stderr
    assert single.stdout == tp.source(tp.grad(model.needs_float), np.ones(2))


def test_value_and_grad(workdir, model):
    result = run(["value_and_grad", "model.py:loss", "--argnums", "0", "1"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.value_and_grad(model.loss, argnums=(0, 1)))
    assert result.stdout.startswith("def value_and_grad_loss(")
    aux = run(["value_and_grad", "model.py:with_aux", "--has-aux"], workdir)
    assert aux.stdout == tp.source(tp.value_and_grad(model.with_aux, has_aux=True))


def test_package_module_form(workdir, model, tmp_path):
    result = run(["grad", "mypkg.losses:loss"], tmp_path, env={"PYTHONPATH": str(workdir)})
    assert result.returncode == 0, result.stderr
    expected = tp.source(tp.grad(model.loss))
    assert result.stdout == expected


def test_python_dash_m(workdir, model):
    result = run(["grad", "model.py:loss"], workdir, module=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.loss))
    rules = run(["rules"], workdir, module=True)
    assert rules.returncode == 0 and rules.stdout == run(["rules"], workdir).stdout


def test_rules_lists_the_differentiable_functions(workdir):
    result = run(["rules"], workdir)
    assert result.returncode == 0, result.stderr
    for name in ("np.exp", "np.sin", "np.tanh", "np.sum", "np.mean", "np.reshape",
                 "np.maximum", "np.where", "math.exp"):
        assert name in result.stdout, name
    assert "np.i0" not in result.stdout          # a function without a rule


def test_output_is_deterministic(workdir):
    commands = [["grad", "model.py:loss", "--argnums", "0", "1"],
                ["value_and_grad", "model.py:with_aux", "--has-aux"],
                ["grad", "model.py:scaled", "--args", "np.ones(3), 2"],
                ["rules"]]
    for command in commands:
        first = run(command, workdir, env={"PYTHONHASHSEED": "1"})
        second = run(command, workdir, env={"PYTHONHASHSEED": "2"})
        third = run(command, workdir, env={"PYTHONHASHSEED": "1"})
        assert first.returncode == 0, first.stderr
        assert first.stdout == second.stdout == third.stdout, command


def test_transpile_error(workdir):
    result = run(["grad", "model.py:broken"], workdir)
    line = MODEL.splitlines().index("    try:") + 1
    assert_user_error(result, "model.py:%d:" % line, "try:", "hint:")
    assert result.stderr.startswith("transpiler: error: %s:%d:" % (workdir / "model.py", line))


def test_error_in_the_args_expression(workdir):
    result = run(["grad", "model.py:loss", "--args", "np.ones(3),"], workdir)
    assert_user_error(result, "missing a required argument")
    result = run(["grad", "model.py:loss", "--args", "np.ones(3"], workdir)
    assert_user_error(result, "never closed")


def test_undefined_name_in_the_args_expression(workdir):
    result = run(["grad", "model.py:loss", "--args", "undefined_name, 2.0"], workdir)
    assert_user_error(result, "undefined_name")


def test_missing_file(workdir):
    assert_user_error(run(["grad", "missing.py:loss"], workdir), "missing.py")


def test_bad_function_spec(workdir):
    assert_user_error(run(["grad", "model.py"], workdir), "FILE.py:FUNC")
    assert_user_error(run(["grad", "model.py:no_such_function"], workdir), "no_such_function")
    assert_user_error(run(["grad", "no_such_package.module:loss"], workdir), "no_such_package")


def test_bad_argnums(workdir):
    assert_user_error(run(["grad", "model.py:loss", "--argnums", "7"], workdir), "argnums")


def test_invalid_option_value_is_an_error_with_status_1(workdir):
    result = run(["grad", "model.py:loss", "--argnums", "one"], workdir)
    assert_user_error(result, "--argnums")


def test_unknown_command_is_an_error_with_status_1(workdir):
    result = run(["differentiate", "model.py:loss"], workdir)
    assert_user_error(result, "differentiate")


def test_help_for_the_main_command(workdir):
    result = run(["--help"], workdir)
    assert result.returncode == 0
    for word in ("grad", "value_and_grad", "rules", "source"):
        assert word in result.stdout


@pytest.mark.parametrize("command, words", [
    ("grad", ["FILE.py:FUNC", "--argnums", "--has-aux", "--args", "gradient"]),
    ("value_and_grad", ["FILE.py:FUNC", "--argnums", "--has-aux", "--args", "value"]),
    ("rules", ["differentiates"]),
    ("jvp", ["FILE.py:FUNC", "--argnums", "--args", "tangent"]),
    ("jacfwd", ["FILE.py:FUNC", "--argnums", "--has-aux", "--args", "forward mode"]),
    ("jacrev", ["FILE.py:FUNC", "--argnums", "--has-aux", "--args", "reverse mode"]),
    ("hessian", ["FILE.py:FUNC", "--argnums", "--args", "jacfwd(jacrev(f))"]),
    ("vmap", ["FILE.py:FUNC", "--in-axes", "--out-axes", "--args", "batch"]),
])
def test_help_for_each_subcommand(workdir, command, words):
    result = run([command, "--help"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: transpiler %s" % command)
    for word in words:
        assert word in result.stdout, word


def test_version(workdir):
    result = run(["--version"], workdir)
    assert result.returncode == 0
    assert result.stdout.strip() == "transpiler " + tp.__version__


def test_forward_mode_and_jacobians_print_what_tp_source_returns(workdir, model):
    from transpiler.api import _jvp_of, _zero_tangents
    w, x = np.ones(3), np.ones((2, 3))
    result = run(["jvp", "model.py:loss", "--args", "np.ones(3), np.ones((2, 3))"], workdir)
    assert result.returncode == 0, result.stderr
    forward = _jvp_of(model.loss, 2)
    assert result.stdout == tp.source(forward, w, x, **_zero_tangents(forward, (w, x)))
    assert result.stdout.startswith("def jvp_loss(w, x, *, dot_w, dot_x):")
    result = run(["jvp", "model.py:loss", "--argnums", "0"], workdir)
    assert result.stdout.startswith("def jvp_loss(w, x, *, dot_w):"), result.stdout
    for command, transform in (("jacfwd", tp.jacfwd), ("jacrev", tp.jacrev),
                               ("hessian", tp.hessian)):
        result = run([command, "model.py:loss", "--args", "np.ones(3), np.ones((2, 3))"],
                     workdir)
        assert result.returncode == 0, result.stderr
        assert result.stdout == tp.source(transform(model.loss), w, x), command
        compile(result.stdout, "<cli output>", "exec")


def test_print_after_a_transform_stage(workdir):
    result = run(["jvp", "model.py:loss", "--print-after", "forward", "optimise"], workdir)
    assert result.returncode == 0, result.stderr
    assert "# --- after forward: jvp_loss" in result.stderr
    assert "# --- after optimise: jvp_loss" in result.stderr


def test_print_after_a_pass_goes_to_stderr(workdir, model):
    result = run(["grad", "model.py:scaled", "--print-after", "anf"], workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == tp.source(tp.grad(model.scaled))
    assert "# --- after anf: scaled" in result.stderr
    assert "def scaled(x, k):" in result.stderr


SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "samples")


def test_jit_prints_the_statically_specialised_source():
    result = run(["jit", "jit_tutorial.py:g", "--static", "n=20"], SAMPLES)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "def jit_g(x, n):\n    return x + 20\n"
    result = run(["jit", "jit_tutorial.py:g", "--static", "n=3", "--args", "1.0",
                  "--backend", "python"], SAMPLES)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "def jit_g(x, n):\n    return x + 3\n"


def test_jit_cli_errors_are_one_line():
    assert_user_error(run(["jit", "jit_tutorial.py:g", "--static", "n=[1]"], SAMPLES),
                      "'n' has the unhashable value [1]")
    assert_user_error(run(["jit", "jit_tutorial.py:g", "--static", "n"], SAMPLES),
                      "--static expects NAME=VALUE")
    assert_user_error(run(["jit", "jit_tutorial.py:g", "--static", "m=2"], SAMPLES),
                      "'m' is not a parameter")


def test_vmap_prints_what_tp_source_returns():
    from transpiler.cli import load_function
    convolve, _ = load_function(os.path.join(SAMPLES, "vmap_tutorial.py") + ":convolve")
    result = run(["vmap", "vmap_tutorial.py:convolve", "--in-axes", "0", "None",
                  "--args", "np.ones((4, 7)), np.ones(3)"], SAMPLES)
    assert result.returncode == 0, result.stderr
    batched = tp.vmap(convolve, in_axes=(0, None))
    assert result.stdout == tp.source(batched, np.ones((4, 7)), np.ones(3))
    assert "x[:, i - 1:i + 2]" in result.stdout
    result = run(["vmap", "vmap_tutorial.py:convolve", "--in-axes", "1", "--out-axes", "1",
                  "--args", "np.ones((7, 4)), np.ones((3, 4))"], SAMPLES)
    assert result.returncode == 0, result.stderr
    batched = tp.vmap(convolve, in_axes=1, out_axes=1)
    assert result.stdout == tp.source(batched, np.ones((7, 4)), np.ones((3, 4)))
    # without example arguments: the loop over the examples, said so
    result = run(["vmap", "vmap_tutorial.py:convolve"], SAMPLES)
    assert result.returncode == 0, result.stderr
    assert "one example at a time" in result.stdout


def test_vmap_cli_errors(workdir):
    assert_user_error(run(["vmap", "model.py:loss", "--in-axes", "0", "x"], workdir),
                      "an axis is an int or None")
    assert_user_error(run(["vmap", "model.py:loss", "--in-axes", "0", "None", "0"], workdir),
                      "one entry per positional argument")
    assert_user_error(run(["vmap", "model.py:loss", "--in-axes", "None"], workdir),
                      "at least one non-None")
