"""Every primal with a rule is in these tests' tables: adding a rule without tests fails.

A differentiable primal needs a row in a rule table (``CALLS``: its adjoint alone,
against finite differences) and in a gradient table (``CASES``: through ``tp.grad``); a
primal without derivative needs a row in ``test_nondiff.NONDIFF``.
"""
from transpiler.rules import registry
from transpiler.rules.table import spelling

from .oracle import slots
from . import (test_contractions, test_grad_containers, test_grad_elementwise, test_grad_linalg,
               test_grad_reductions, test_grad_runtime, test_grad_shape, test_nondiff,
               test_vjp_arrays, test_vjp_elementwise, test_vjp_runtime)
from . import test_assembly, test_decompositions
from . import test_statistics
from . import test_jacobians
from . import test_batching

RULE_TABLES = [test_vjp_elementwise.CALLS, test_vjp_arrays.CALLS, test_vjp_runtime.CALLS,
               test_contractions.CALLS, test_assembly.CALLS, test_decompositions.CALLS,
               test_statistics.CALLS, test_jacobians.CALLS, test_batching.CALLS]
GRAD_TABLES = [test_grad_elementwise.CASES, test_grad_reductions.CASES, test_grad_linalg.CASES,
               test_grad_shape.CASES, test_grad_containers.CASES, test_grad_runtime.CASES,
               test_contractions.CASES, test_assembly.CASES, test_decompositions.CASES,
               test_statistics.CASES, test_jacobians.CASES, test_batching.CASES]


def _primals(differentiable):
    return [(rule, p) for rule in registry.all_rules() if rule.differentiable == differentiable
            and (rule.template is not None or not differentiable) and not _refused(rule)
            for p in rule.primals]


def _refused(rule):
    """A rule with no differentiable parameter refuses every call a derivative flows
    through (np.linalg.eig): tested where it is refused (``REFUSED`` tables)."""
    return rule.differentiable and not rule.diff and not rule.varargs_diff


def test_every_refused_primal_has_a_refusal_test():
    tested = [p for p in test_decompositions.REFUSED]
    missing = sorted({spelling(p) for rule in registry.all_rules() if _refused(rule)
                      for p in rule.primals if not any(p is q for q in tested)})
    assert not missing, "no refusal test (tests/rules/test_decompositions.py REFUSED) for: " \
        + ", ".join(missing)


def test_every_differentiable_primitive_has_a_vjp_rule():
    # the compiler refuses to differentiate a call without one: a runtime helper
    # without its rule would make generated code invalid input again
    missing = {spelling(p) for rule in registry.all_rules()
               if rule.differentiable and rule.template is None for p in rule.primals}
    assert not missing, "without a rule: %s" % sorted(missing)


def _missing(primals, tested):
    return sorted({"%s (rule %s)" % (spelling(p), rule.name) for rule, p in primals
                   if not any(p is q for q in tested)})


def test_every_differentiable_primal_has_its_adjoint_tested():
    tested = [call.primal for table in RULE_TABLES for call in table]
    missing = _missing(_primals(True), tested)
    assert not missing, "no rule test (tests/rules/test_vjp_*.py CALLS) for: " + ", ".join(missing)


def test_every_differentiable_parameter_has_its_adjoint_tested():
    tested = {}
    for table in RULE_TABLES:
        for call in table:
            for label, param, argnum, _ in slots(call.primal, call.args, call.kwargs):
                tested.setdefault(call.primal, set()).add(param if argnum is None else "*")
    missing = []
    for rule, p in _primals(True):
        wanted = set(rule.diff) | ({"*"} if rule.varargs_diff else set())
        untested = wanted - tested.get(p, set())
        if untested:
            missing.append("%s: %s" % (spelling(p), ", ".join(sorted(untested))))
    assert not missing, "parameters whose adjoint no rule test checks: " + "; ".join(missing)


def test_every_differentiable_primal_has_a_gradient_test():
    tested = [p for table in GRAD_TABLES for case in table for p in case.primals]
    missing = _missing(_primals(True), tested)
    assert not missing, "no tp.grad test (tests/rules/test_grad_*.py CASES) for: " + \
        ", ".join(missing)


def test_every_primal_without_derivative_is_tested():
    tested = [p for primals, _, _ in test_nondiff.NONDIFF for p in primals]
    missing = _missing(_primals(False), tested)
    assert not missing, "no test in tests/rules/test_nondiff.py NONDIFF for: " + ", ".join(missing)


def test_tables_name_only_primals_that_have_rules():
    named = [call.primal for table in RULE_TABLES for call in table]
    named += [p for table in GRAD_TABLES for case in table for p in case.primals]
    named += [p for primals, _, _ in test_nondiff.NONDIFF for p in primals]
    unknown = sorted({repr(p) for p in named if registry.lookup(p) is None})
    assert not unknown, "tables name primals without rules: " + ", ".join(unknown)
