"""Forward mode's rules: every differentiable primitive has one, and every rule, on every
row of the rule tables, matches finite differences and is the transpose of the vjp rule
(the dot-product identity <J t, g> = <t, J^T g>)."""
import numpy as np
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


def _real(value):
    """Only real numbers in it (not einsum's subscripts among its operands: those are
    checked by tests/rules/test_contractions.py)."""
    if isinstance(value, (list, tuple)):
        return all(_real(v) for v in value)
    if isinstance(value, dict):
        return all(_real(v) for v in value.values())
    return isinstance(value, (float, np.floating)) or isinstance(value, np.ndarray) \
        and value.dtype.kind == "f"


def _params(calls):
    out = []
    for p in rule_params(calls):
        call, _, _, position = p.values
        value = call.args[position] if isinstance(position, int) else call.kwargs[position]
        if _real(value):
            out.append(p)
    return out


@pytest.mark.parametrize("call, param, argnum, position",
                         _params([c for c in CALLS if registry.lookup(c.primal).has_jvp]))
def test_tangent_matches_differences_and_the_adjoint(call, param, argnum, position):
    check_call_tangent(call, param, argnum, position)
