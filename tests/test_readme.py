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
