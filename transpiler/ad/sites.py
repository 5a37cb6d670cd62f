"""What reverse and forward mode share at a call of a primitive: the checks that refuse
a call a derivative cannot flow through (no rule, text, a refused parameter, arguments of a
kind the rule does not model), the binding of the call to its rule, and which of its
arguments carry a derivative."""
import gast

import runtime as rt

from ..analysis import avals as A
from ..analysis import kinds as K
from ..analysis import ops as O
from ..ir import build
from ..rules import registry
from ..rules.registry import IN_PLACE, RuleError
from .common import short_name


class RuleSites:
    """Mixed into a transform holding ``unit``, ``activity``, ``shapes``, ``kinds``,
    ``params`` and ``single_defs`` (``_analyse`` makes them)."""

    def _analyse(self, unit, wrt, output, callees, arg_avals, hazards):
        """The analyses both modes read: abstract values, the memory model, activity,
        kinds; the parameters and single definitions.  Returns the classification of
        the statements and the hazards (``check_writes`` raises for writes into
        arguments)."""
        from ..analysis.activity import Activity
        from ..analysis.memory import Memory
        from ..analysis.safety import ContentLiveness, check_writes
        from ..analysis.shapes import Shapes
        from .common import single_definitions
        self.unit, self.fn, self.env, self.namer = unit, unit.fn, unit.env, unit.namer
        self.wrt, self.output, self.callees = list(wrt), output, callees
        ops = O.classify_function(self.fn, self.env)
        self.shapes = Shapes(self.fn, self.env, ops, arg_avals, callees=callees)
        self.memory = Memory(self.fn, self.env, ops, self.shapes)
        self.activity = Activity(self.fn, self.env, wrt, [output], ops, self.shapes,
                                 self.memory)
        self.kinds = K.infer(self.fn, self.env, self.activity, self.shapes)
        self.params = set(build.param_names(self.fn))
        self.single_defs = single_definitions(self.fn)
        liveness = ContentLiveness(self.env, self.shapes)
        liveness.block(self.fn.body, set())
        array_liveness = ContentLiveness(self.env, self.shapes, arrays_only=True)
        array_liveness.block(self.fn.body, set())
        return ops, list(hazards) + check_writes(unit, self.activity, self.memory, liveness,
                                                 array_liveness, self.shapes)

    def _rule_site(self, stmt, op):
        """``(op, rule, bindings, slots, wanted)`` for a call of a primitive, ``wanted`` mapping
        each differentiable slot whose argument is active to that argument's name; None
        when no derivative flows through the call.  Raises the located refusals."""
        rule = op.rule
        if rule.opaque:
            self._check_opaque(stmt, op)
        if not rule.differentiable:
            return None
        if rule.template is None:
            self._check_unknown(stmt, op)           # no rule written: refused, not dropped
        sequence_op = self._sequence_operation(op)
        if sequence_op is not None:
            op, rule = sequence_op, sequence_op.rule
        try:
            bindings, slots = op.rule_binding()
        except RuleError as exc:
            raise self.unit.error(stmt, exc.reason, exc.hint) from None
        # a name holding a literal tuple of constants (``axes = (1, 0)`` after ANF) is
        # passed as the literal, so the rule's ``if axes is None`` folds away
        bindings = {k: self._literal(v) for k, v in bindings.items()}
        wanted = {}
        for key, slot in slots.items():
            atom = op.args[key] if isinstance(key, int) else dict(op.keywords)[key]
            if not rule.slot_is_diff(slot):
                if slot[0] in rule.refuse and self.active(atom):
                    raise self.unit.error(stmt, "the derivative of `%s` with respect to its "
                                          "argument `%s` is not supported" % (rule.name, slot[0]),
                                          "make `%s` a constant, or give the derivative with "
                                          "@transpiler.custom_vjp." % slot[0])
                continue
            if self.active(atom):
                wanted[slot] = atom.id
        if not wanted:
            return None
        if rule.check_avals is not None:
            avals = {name: self.shapes.aval(atom.id) if isinstance(atom, gast.Name)
                     else atom.value for name, atom in bindings.items()
                     if isinstance(atom, (gast.Name, gast.Constant))}
            try:
                rule.check_avals(avals)
            except RuleError as exc:
                raise self.unit.error(stmt, exc.reason, exc.hint) from None
        return op, rule, bindings, slots, wanted

    def _active_operands(self, op):
        return [n for n in op.diff_operands() if self.activity.is_active(n)]

    def _check_unknown(self, stmt, op):
        active_args = self._active_operands(op)
        if active_args:
            name = getattr(op.callee, "__qualname__", None) or getattr(op.callee, "__name__", None) \
                or repr(op.callee)
            module = getattr(op.callee, "__module__", None)
            full = "%s.%s" % (module, name) if module and module != "builtins" else name
            raise self.unit.error(
                stmt, "no derivative rule for `%s`, which is called here on a value being "
                "differentiated (%s)" % (full, ", ".join(active_args)),
                "wrap it in a function decorated with @transpiler.custom_jvp (its rule "
                "serves both modes) or @transpiler.custom_vjp (reverse mode only) and give "
                "its derivative (the README's recipe: \"A derivative for a function "
                "transpiler does not know\"), or compute it with NumPy functions "
                "transpiler knows (`transpiler rules` lists them).")

    def _check_opaque(self, stmt, op):
        active_args = self._active_operands(op)
        if active_args:
            raise self.unit.error(
                stmt, "a value being differentiated (%s) is made text here, and the text is "
                "used on towards the result: its derivative would be lost"
                % ", ".join(active_args),
                "compute with the number itself (round it with np.round if that was the aim); "
                "text for printing is fine.")

    def _literal(self, atom):
        if isinstance(atom, gast.Name) and atom.id not in self.params:
            definition = self.single_defs.get(atom.id)
            if definition is not None and isinstance(definition.value, gast.Tuple) and \
                    all(isinstance(e, gast.Constant) for e in definition.value.elts):
                return build.clone(definition.value)
        return atom

    def _is_sequence(self, atom):
        if not isinstance(atom, gast.Name):
            return False
        aval = self.shapes.aval(atom.id)
        return isinstance(aval, A.Seq) or self.kinds.get(atom.id) == K.CONTAINER

    def _sequence_operation(self, op):
        """``a + b`` and ``a * n`` on lists or tuples (known from the abstract values or
        from how they were made): concatenation and repetition, as ``rt.concat`` and
        ``rt.repeat_sequence`` calls."""
        node = op.node
        if not isinstance(node, gast.BinOp):
            return None
        left, right = node.left, node.right
        if isinstance(node.op, gast.Add) and self._is_sequence(left) and \
                self._is_sequence(right):
            return O.Op(O.RULE, node, rule=registry.lookup(rt.concat), args=[left, right])
        if isinstance(node.op, gast.Mult):
            if self._is_sequence(left):
                return O.Op(O.RULE, node, rule=registry.lookup(rt.repeat_sequence),
                            args=[left, right])
            if self._is_sequence(right):
                return O.Op(O.RULE, node, rule=registry.lookup(rt.repeat_sequence),
                            args=[right, left])
        return None

    def _check_write_primitive(self, stmt, op):
        """A call that updates an argument in place: refused on values being
        differentiated (its derivative is not written for the in-place form).  Augmented
        assignments left in place are the shape-generic code's hazards, raised if that
        code is generated (specialize/inplace.py)."""
        if op.rule.effects == IN_PLACE:
            return
        for k in op.rule.effects.writes:
            atom = op.args[k] if k < len(op.args) else None
            if isinstance(atom, gast.Name) and self.activity.is_active(atom.id):
                raise self.unit.error(
                    stmt, "`%s` updates `%s` in place, and its derivative is not supported in "
                    "that form" % (short_name(op), atom.id),
                    "compute a new value instead (for example with x.at[...].add(...)).")
