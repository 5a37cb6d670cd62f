"""What a core-language right-hand side is: the classification every analysis shares.

``classify(rhs, env)`` names the kind of operation and, for calls, the rule or user
function behind it, so activity analysis, buffer checks and reverse mode agree on what
each statement does.
"""
import builtins
import types
from dataclasses import dataclass, field

import gast

from ..rules import registry
from ..ir.walk import subnodes

CONST, COPY, RULE, GETITEM, CONTAINER, USER, CUSTOM, UNKNOWN, APPEND, POP = (
    "const", "copy", "rule", "getitem", "container", "user", "custom_vjp", "unknown", "append",
    "pop")
APPEND_KINDS = (APPEND,)


@dataclass
class Op:
    kind: str
    node: object                       # the rhs expression
    rule: object = None                # registry.Rule for RULE
    callee: object = None              # the live callable for USER/CUSTOM/UNKNOWN
    args: list = field(default_factory=list)        # positional argument atoms
    keywords: list = field(default_factory=list)    # (name, atom) pairs

    def operand_names(self):
        """Names whose values flow into the result (differentiably or not)."""
        names = []
        for node in subnodes(self.node):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                names.append(node.id)
        return names

    def diff_operands(self):
        """Names the result depends on differentiably."""
        if self.kind == CONST:
            return []
        if self.kind == APPEND:
            return [a.id for a in self.args if isinstance(a, gast.Name)]
        if self.kind == POP:
            return [self.node.func.value.id]
        if self.kind == COPY:
            return [self.node.id]
        if self.kind == GETITEM:
            base = self.node.value
            return [base.id] if isinstance(base, gast.Name) else []
        if self.kind == CONTAINER:
            values = self.node.values if isinstance(self.node, gast.Dict) else self.node.elts
            return [v.id for v in values if isinstance(v, gast.Name)]
        if self.kind in (USER, CUSTOM, UNKNOWN):
            return self._every_operand()
        if self.kind == RULE:
            if self.rule.opaque:
                return self._every_operand()    # to be refused if varied (reverse: _rule)
            if not self.rule.differentiable:
                return []
            if self.rule.template is None:
                # a derivative exists but no rule is written: every argument counts, so
                # that reverse mode refuses it rather than drop it
                return self._every_operand()
            try:
                bindings, slots = self.rule_binding()
            except registry.RuleError:
                # a call the rule does not model: every operand, so that reverse mode
                # refuses it (at its line) if a derivative flows through it
                return self._every_operand()
            names = []
            for key, slot in slots.items():
                if not self.rule.slot_is_diff(slot) and slot[0] not in self.rule.refuse:
                    continue      # (a refused parameter counts, to be refused if varied)
                atom = self.args[key] if isinstance(key, int) else dict(self.keywords)[key]
                if isinstance(atom, gast.Name):
                    names.append(atom.id)
            return names
        return []

    def _every_operand(self):
        atoms = list(self.args) + [v for _, v in self.keywords]
        return [a.id for a in atoms if isinstance(a, gast.Name)]

    def rule_binding(self):
        return self.rule.bind(self.args, self.keywords, self.callee)


def custom_vjp_of(obj):
    """The transpiler.custom_vjp wrapper behind ``obj``, if any."""
    return obj if getattr(obj, "__transpiler_custom_vjp__", False) else None


def classify_statement(stmt, env):
    """The Op of an assignment's right-hand side or of a call statement, else None."""
    if isinstance(stmt, gast.Assign):
        return classify(stmt.value, env)
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        return classify(stmt.value, env)
    return None


def classify_function(fn, env):
    """``{statement: Op}`` for every assignment and call statement of ``fn`` (keyed by the
    statements themselves, which the dict keeps alive: an id could be reused by a new
    statement once an old one is dropped from the tree)."""
    from ..ir.walk import iter_statements
    out = {}
    for stmt in iter_statements(fn.body):
        op = classify_statement(stmt, env)
        if op is not None:
            out[stmt] = op
    return out


def _text(rhs):
    """``"..." % x``: text made of values, as a ``format`` call (f-strings are lowered to
    ``format`` calls by ANF)."""
    return Op(RULE, rhs, rule=registry.lookup(builtins.format), callee=builtins.format,
              args=[n for n in subnodes(rhs) if isinstance(n, gast.Name)])


def classify(rhs, env):
    if isinstance(rhs, gast.Constant):
        return Op(CONST, rhs)
    if isinstance(rhs, gast.Name):
        return Op(COPY, rhs)
    if isinstance(rhs, gast.Attribute):
        return Op(CONST, rhs)                   # a static reference such as np.pi
    if isinstance(rhs, gast.BinOp):
        if isinstance(rhs.op, gast.Mod) and isinstance(rhs.left, gast.Constant) \
                and isinstance(rhs.left.value, str):
            return _text(rhs)
        callee = registry.BINOP_KEYS[type(rhs.op)]
        return Op(RULE, rhs, rule=registry.lookup(callee), callee=callee,
                  args=[rhs.left, rhs.right])
    if isinstance(rhs, gast.UnaryOp):
        callee = registry.UNARY_KEYS[type(rhs.op)]
        return Op(RULE, rhs, rule=registry.lookup(callee), callee=callee, args=[rhs.operand])
    if isinstance(rhs, gast.Compare):
        callee = registry.COMPARE_KEYS[type(rhs.ops[0])]
        return Op(RULE, rhs, rule=registry.lookup(callee), callee=callee,
                  args=[rhs.left, rhs.comparators[0]])
    if isinstance(rhs, gast.Subscript):
        return Op(GETITEM, rhs)
    if isinstance(rhs, (gast.Tuple, gast.List, gast.Dict)):
        return Op(CONTAINER, rhs)
    if isinstance(rhs, gast.Call):
        keywords = [(kw.arg, kw.value) for kw in rhs.keywords]
        func = rhs.func
        if isinstance(func, gast.Attribute) and func.attr in ("append", "pop") \
                and isinstance(func.value, gast.Name) and env.lookup(func) is None:
            return Op(APPEND if func.attr == "append" else POP, rhs, args=list(rhs.args))
        target = env.lookup(func)
        custom = custom_vjp_of(target)
        if custom is not None:
            return Op(CUSTOM, rhs, callee=custom, args=list(rhs.args), keywords=keywords)
        rule = registry.lookup(target)
        if rule is not None:
            return Op(RULE, rhs, rule=rule, callee=target, args=list(rhs.args),
                      keywords=keywords)
        if isinstance(target, types.FunctionType) or getattr(target, "_transpiler_transform",
                                                             False):
            # a user function, or a transformed one (its generated code is the callee)
            return Op(USER, rhs, callee=target, args=list(rhs.args), keywords=keywords)
        return Op(UNKNOWN, rhs, callee=target, args=list(rhs.args), keywords=keywords)
    raise ValueError("not a core-language expression: %s" % type(rhs).__name__)
