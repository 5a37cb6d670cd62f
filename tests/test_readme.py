"""The README stays true: its commands, its CI command and its table of rules."""
import os
import re

from transpiler.rules.table import render

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return handle.read()


def test_readme_opens_with_the_two_setup_commands():
    readme = _read("README.md")
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1).strip().splitlines()
    assert block[0].startswith("pip install -e . && transpiler grad samples/tutorial.py:")
    assert block[1] == 'pip install -e ".[test]" && python -m pytest'
    assert block[1] in _read(".ci", "run")


def test_rules_table_is_generated_from_the_registry():
    readme = _read("README.md")
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S).group(1)
    expected = render(heading="###").split("\n", 2)[2]   # without the table's title
    assert table.strip() == expected.strip(), (
        "the README's rules table is stale: replace it with the output of "
        "`transpiler rules` (without its first heading; sections as ###)")


def test_the_recipe_for_a_third_party_function_runs(tmp_path, monkeypatch):
    # the README's custom_vjp recipe for scipy.special.logsumexp, run from a file (transpiler
    # reads source), checked against central differences
    import importlib
    import numpy as np
    import transpiler as tp
    code = _recipes()[1]
    (tmp_path / "recipe_logsumexp.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    recipe = importlib.import_module("recipe_logsumexp")
    grad = tp.grad(recipe.nll)(recipe.w, recipe.X, 1)
    step = 1e-6
    numeric = [(recipe.nll(recipe.w + step * e, recipe.X, 1)
                - recipe.nll(recipe.w - step * e, recipe.X, 1)) / (2 * step) for e in np.eye(3)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def _recipes():
    section = _read("README.md").split("### A derivative for a function transpiler does not know",
                                       1)[1].split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_custom_jvp_recipe_runs_in_both_modes(tmp_path, monkeypatch):
    # the README's custom_jvp recipe for scipy.special.erf: its gradient (reverse mode
    # through the transposed rule) and its jvp against central differences
    import importlib
    import numpy as np
    import transpiler as tp
    (tmp_path / "recipe_erf.py").write_text(_recipes()[0])
    monkeypatch.syspath_prepend(str(tmp_path))
    recipe = importlib.import_module("recipe_erf")
    x, step = recipe.x, 1e-6
    numeric = np.array([(recipe.smooth_step(x + step * e) - recipe.smooth_step(x - step * e))
                        / (2 * step) for e in np.eye(3)])
    np.testing.assert_allclose(tp.grad(recipe.smooth_step)(x), numeric, rtol=1e-6, atol=1e-8)
    _, tangent = tp.jvp(recipe.smooth_step, (x,), (np.ones(3),))
    np.testing.assert_allclose(tangent, numeric.sum(), rtol=1e-6, atol=1e-8)


def test_the_no_rule_error_points_to_the_recipe():
    import numpy as np
    import pytest
    import transpiler as tp
    with pytest.raises(tp.TranspileError) as info:
        tp.grad(lambda x: np.sum(np.fft.irfft(x)))(np.ones(4))
    assert "A derivative for a function transpiler does not know" in str(info.value)
    assert "### A derivative for a function transpiler does not know" in _read("README.md")
