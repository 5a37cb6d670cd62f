"""Forward mode's rules: every differentiable primitive has one, and every rule, on every
row of the rule tables, matches finite differences and is the transpose of the vjp rule
(the dot-product identity <J t, g> = <t, J^T g>)."""
import pytest

from transpiler.rules import registry
from transpiler.rules.table import spelling

from .oracle import check_call_tangent, rule_params
from .test_coverage import RULE_TABLES, _refused


def test_every_differentiable_primitive_has_a_jvp_rule():
    missing = sorted({"%s (rule %s)" % (spelling(p), rule.name)
                      for rule in registry.all_rules()
                      if rule.differentiable and not _refused(rule) and not rule.has_jvp
                      for p in rule.primals[:1]})
    assert not missing, "no forward-mode rule (jvp_rule, or linear=) for: " + ", ".join(missing)


CALLS = [call for table in RULE_TABLES for call in table]


@pytest.mark.parametrize("call, param, argnum, position",
                         rule_params([c for c in CALLS if registry.lookup(c.primal).has_jvp]))
def test_tangent_matches_differences_and_the_adjoint(call, param, argnum, position):
    check_call_tangent(call, param, argnum, position)
