"""Forward mode: core-language function -> the same function carrying tangents.

One walk, in program order.  Each statement is followed (or, where its derivative reads
the values it overwrites, preceded) by the code computing the tangent of what it
defines: ``dot_y`` for ``y``.  A static state threads through the walk: which tangents
are known to be zero (``nz`` holds the others).  Zero tangents cost nothing -- no code
is emitted for them, and a call whose arguments all have zero tangents has a zero
tangent.  Where control flow joins, a tangent that is zero on one path is made zero
explicitly there (``dot_y = rt.zero_tangent(y)``), and loops iterate the state to a
fixed point, so a tangent carried around a loop exists before it.

Tangents mirror their values' memory: a view's tangent is the same view of the base's
tangent, a write ``out[i] = v`` is ``dot_out[i] = dot_v``, ``xs.append(v)`` is
``dot_xs.append(dot_v)``, an in-place ``a *= b`` updates ``dot_a`` in place.  So a
buffer written with values being differentiated -- and every name sharing its memory
(the memory model's ``mutated``) -- has a tangent from the moment it is made (zeros if
need be): a zero tangent made later would not be shared with its views.  A tangent has
its value's shape and structure exactly (never lazily broadcast, unlike adjoints).

Calls of primitives inline the table's jvp rules (``Primitive.tangent``); calls of user
functions call their ``f_jvp(args, dot_args) -> (out, dot_out)`` (``ad/callees.py``).
"""
import gast

from ..analysis import avals as A
from ..analysis import kinds as K
from ..analysis import ops as O
from ..analysis.real_values import check_real_values
from ..ir import build
from ..ir.naming import tangent_name
from ..ir.walk import Renamer, subnodes
from ..rules.registry import IN_PLACE, RuleError
from .common import is_break_check, located, short_name
from .sites import RuleSites


class State:
    """Static facts at one point: which tangents may be nonzero, which names are bound."""

    def __init__(self, nz=(), defined=()):
        self.nz = set(nz)
        self.defined = set(defined)

    def copy(self):
        return State(self.nz, self.defined)

    def __eq__(self, other):
        return self.nz == other.nz and self.defined == other.defined


class ForwardMode(RuleSites):
    """Carry tangents of ``wrt`` through ``unit.fn`` (core language) to ``output``.

    Args:
      unit: the normalised unit.
      wrt: the parameters whose tangents are given.
      output: the name of the returned value.
      callees: answers ``jvp(op, mask, stmt, unit, shapes)`` with the name of the
        forward-mode function of a user function and its tangent parameters.
    """

    def __init__(self, unit, wrt, output, callees, arg_avals=None, hazards=()):
        ops, hazards = self._analyse(unit, wrt, output, callees, arg_avals, hazards)
        # writes into memory a live name shares are not hazards when that name's
        # tangent shares the tangent's memory alike
        for hazard in hazards:
            if not self._mirrored(hazard.other, ops):
                raise unit.error(hazard.stmt, hazard.reason, hazard.hint)
        check_real_values(unit, self.activity, self.shapes)
        self.primals = {n.id for n in subnodes(self.fn) if isinstance(n, gast.Name)} \
            | self.params
        # buffers updated in place that carry tangents, and the names sharing them: their
        # tangents exist from the moment they are made
        self.owned = {n for n in self.memory.mutated() if self.activity.is_active(n)}
        self.tangents = {}
        self.dry = False

    def _mirrored(self, name, ops):
        """Is every definition of ``name`` one whose tangent is to its operands' tangents
        what the value is to its operands' (the same view, the same element)?"""
        if name is None or name in self.params:
            return name is not None
        for stmt in subnodes(self.fn):
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and stmt.targets[0].id == name):
                continue
            op = ops.get(stmt)
            if op is None or op.kind in (O.COPY, O.GETITEM, O.CONTAINER, O.USER, O.CONST):
                continue
            if op.kind == O.RULE and op.rule.mirrors:
                continue
            return False
        return True

    # ------------------------------------------------------------ names
    def t(self, var):
        """The tangent variable of ``var``."""
        if var not in self.tangents:
            self.tangents[var] = tangent_name(self.namer, var, self.primals)
        return self.tangents[var]

    def tname(self, var, store=False):
        return build.name(self.t(var), store=store)

    def active(self, node):
        return isinstance(node, gast.Name) and self.activity.is_active(node.id)

    def _nz(self, atom, state):
        return isinstance(atom, gast.Name) and self.activity.is_active(atom.id) \
            and atom.id in state.nz

    def _tangent_or_zero(self, atom, state):
        """The tangent of an atom: its variable, or a zero of its shape."""
        if self._nz(atom, state):
            return self.tname(atom.id)
        return build.call("rt.zero_tangent", [build.clone(atom)])

    def _zero(self, var):
        return build.assign(self.t(var), build.call("rt.zero_tangent", [build.name(var)]))

    # ------------------------------------------------------------ entry point
    def differentiate(self):
        """(statements, tangent of the output as an atom)."""
        state = State(nz=[p for p in self.wrt if self.activity.is_active(p)],
                      defined=self.params)
        body = self._block(self.fn.body[:-1], state)
        if self.output in state.nz:
            return body, self.tname(self.output)
        return body, build.call("rt.zero_tangent", [build.name(self.output)])

    def _block(self, stmts, state):
        out = []
        for stmt in stmts:
            out += self._stmt(stmt, state)
        return out

    def _stmt(self, stmt, state):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                code = self._assign(stmt, state)
                state.defined.add(target.id)
                return code
            return self._setitem(stmt, state)
        if isinstance(stmt, gast.Expr):
            return self._call_statement(stmt, state)
        if isinstance(stmt, gast.If):
            return self._if(stmt, state)
        if isinstance(stmt, (gast.For, gast.While)):
            return self._loop(stmt, state)
        return [stmt]

    def _located(self, code, origin):
        return located(code, origin, self.shapes)

    # ------------------------------------------------------------ assignments
    def _assign(self, stmt, state):
        target = stmt.targets[0].id
        op = self.activity.op(stmt)
        if op.kind == O.UNKNOWN:
            self._check_unknown(stmt, op)
        if op.kind == O.RULE and op.rule.effects.writes and op.rule.effects != IN_PLACE:
            self._check_write_primitive(stmt, op)
        if op.kind == O.CUSTOM and getattr(op.callee, "__transpiler_custom_jvp__", False):
            pass                                   # its rule: _custom_tangent
        elif op.kind == O.CUSTOM and any(self.active(a) for a in self._atoms(op)):
            raise self.unit.error(
                stmt, "can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                "(`%s`)" % short_name(op),
                "give it a forward-mode rule too: define it with @transpiler.custom_jvp "
                "(whose rule serves both modes), or differentiate in reverse mode (grad, vjp).")
        if not self.activity.is_active(target):
            state.nz.discard(target)
            return [stmt]
        before, after, nonzero = self._tangent_of(stmt, op, target, state)
        if not nonzero:
            state.nz.discard(target)
            if target in self.owned:
                state.nz.add(target)
                return before + [stmt] + ([] if self.dry else [self._zero(target)])
            return before + [stmt]
        state.nz.add(target)
        return before + after

    def _atoms(self, op):
        return list(op.args) + [v for _, v in op.keywords]

    def _tangent_of(self, stmt, op, target, state):
        """(code before and including the primal statement, code after it, nonzero?)."""
        t = self.tname(target, store=True)
        if op.kind == O.COPY:
            if not self._nz(op.node, state):
                return [], [stmt], False
            return [], [stmt] if self.dry else [stmt, build.assign(t, self.tname(op.node.id))], True
        if op.kind == O.GETITEM:
            base = op.node.value
            if not self._nz(base, state):
                return [], [stmt], False
            read = build.subscript(self.tname(base.id), build.clone(op.node.slice))
            return self._ordered(stmt, target, [build.assign(t, read)], {base.id}, False)
        if op.kind == O.CONTAINER:
            values = op.node.values if isinstance(op.node, gast.Dict) else op.node.elts
            if not any(self._nz(v, state) for v in values):
                return [], [stmt], False
            literal = build.clone(op.node)
            parts = [self._tangent_or_zero(v, state) for v in values]
            if isinstance(literal, gast.Dict):
                literal.values = parts
            else:
                literal.elts = parts
            names = {v.id for v in values if isinstance(v, gast.Name)}
            return self._ordered(stmt, target, [build.assign(t, literal)], names, False)
        if op.kind == O.POP:
            owner = op.node.func.value.id
            if not self._nz(build.name(owner), state):
                return [], [stmt], False
            pop = build.call(build.attr(self.tname(owner), "pop"), list(map(build.clone,
                                                                           op.args)))
            return [], [stmt] if self.dry else [stmt, build.assign(t, pop)], True
        if op.kind == O.RULE:
            return self._rule_tangent(stmt, op, target, state)
        if op.kind == O.USER:
            return self._call_tangent(stmt, op, target, state)
        if op.kind == O.CUSTOM:
            return self._custom_tangent(stmt, op, target, state)
        return [], [stmt], False

    def _ordered(self, stmt, target, code, reads, uses_ans):
        """Place tangent ``code`` around the primal statement: after it, unless it reads
        a value the statement overwrites (``x = f(x)``): then before it, or -- when it
        also reads the result -- with the result captured under another name first."""
        if self.dry:
            return [], [stmt], True
        code = self._located(code, stmt)
        overwrites = target in reads
        if not overwrites:
            return [], [stmt] + code, True
        if not uses_ans:
            return code, [stmt], True
        captured = self.namer.fresh(target + "_out")
        rename = Renamer({"__ans__": captured})
        code = [rename.visit(c) for c in code]
        return [], [build.assign(captured, build.clone(stmt.value), at=stmt)] + code + \
            [build.assign(target, build.name(captured), at=stmt)], True

    def _rule_tangent(self, stmt, op, target, state):
        site = self._rule_site(stmt, op)
        if site is None:
            return [], [stmt], False
        original = op
        op, rule, bindings, slots, wanted = site
        wanted = {slot: var for slot, var in wanted.items() if var in state.nz}
        # `n * xs` on a list is rt.repeat_sequence(xs, n): the call, in the rule's order
        call = op.node if op is original else build.call(
            "rt." + rule.primals[0].__name__, [build.clone(a) for a in op.args])
        if not wanted:
            return [], [stmt], False
        if self.dry:
            return [], [stmt], True
        if not rule.has_jvp:
            raise self.unit.error(stmt, "`%s` has no forward-mode rule yet" % rule.name,
                                  "differentiate in reverse mode (grad, vjp) instead.")
        placeholder = build.name("__ans__")
        broadcasts = lambda arg: self.shapes.may_broadcast(arg, target)
        code, terms = [], []
        for slot, var in wanted.items():
            try:
                body, expr = rule.tangent(bindings, slots, slot, self.tname(var), placeholder,
                                          self.namer, call, broadcasts)
            except RuleError as exc:
                raise self.unit.error(stmt, exc.reason, exc.hint) from None
            code += body
            terms.append(expr)
        total = terms[0]
        numeric = K.of_aval(self.shapes.aval(target)) in (K.ARRAY, K.INT) or \
            rule.family in ("elementwise", "broadcasting", "reduction")
        operands = [p for p in rule.params if p in bindings and p not in rule.static
                    and not isinstance(bindings[p], gast.Constant)]
        if numeric and len(terms) > 1 and (any(not self._spread(t) for t in terms) or
                                           len(terms) == len(operands)):
            # one term has the result's shape, or every operand's shape is among the
            # terms' (the result's is theirs broadcast): the sum has the result's shape
            terms = [t.args[0] if self._spread(t) else t for t in terms]
            total = terms[0]
        for term in terms[1:]:
            # `+` adds numbers and arrays; for a container (or what may be one) it would
            # join them: rt.add adds item by item
            if not numeric:
                total = build.call("rt.add", [total, term])
            elif isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
                total = build.binop(total, "-", term.operand)      # not `a + -b`
            else:
                total = build.binop(total, "+", term)
        fresh = rule.effects.result == "fresh"
        if fresh and len(terms) == 1 and self._may_alias(total) and (
                target in self.owned or any(v in self.owned for v in wanted.values())):
            # the value is new but its tangent may be an operand's: keep them apart, as
            # one of them is updated in place later
            total = build.call("rt.snapshot", [total])
        in_place = rule.effects == IN_PLACE and self._writes_array(target)
        code.append(build.assign(self.t(target), total))
        uses_ans = any(isinstance(n, gast.Name) and n.id == "__ans__"
                       for c in code for n in subnodes(c))
        reads = {n.id for c in code for n in subnodes(c) if isinstance(n, gast.Name)}
        if in_place:
            return self._in_place(stmt, target, op.args[0].id, code, uses_ans)
        before, after, _ = self._ordered(stmt, target, code, reads & set(op.operand_names()),
                                         uses_ans)
        if not uses_ans:
            return before, after, True
        rename = Renamer({"__ans__": target})
        return before, [rename.visit(c) for c in after], True

    def _writes_array(self, target):
        aval = self.shapes.aval(target)
        if isinstance(aval, A.Array) and aval.kind in (A.PYTHON, A.SCALAR):
            return False              # a number: `x *= y` makes a new value
        return True

    def _in_place(self, stmt, target, updated, code, uses_ans):
        """``y = imul(x, z)`` updating the array x in place (y is x): the new tangent is
        computed from the old x (a copy kept where the rule also reads the new one) and
        written into ``dot_x`` in place, so tangents of views of x see it as x's views
        do; ``dot_y`` is ``dot_x``."""
        new = self.namer.fresh(self.t(updated) + "_new")
        code[-1] = build.assign(new, code[-1].value)
        write = [build.assign(build.subscript(self.tname(updated), build.const(Ellipsis),
                                              store=True), build.name(new))]
        if target != updated:
            write.append(build.assign(self.t(target), self.tname(updated)))
        if not uses_ans:
            return self._located(code, stmt), [stmt] + self._located(write, stmt), True
        before = self.namer.fresh(updated + "_before")
        keep = build.assign(before, build.call("rt.snapshot", [build.name(updated)]))
        rename = Renamer({updated: before, "__ans__": target})
        code = [rename.visit(c) for c in code]
        return self._located([keep], stmt), [stmt] + self._located(code + write, stmt), True

    @staticmethod
    def _spread(expr):
        """Is ``expr`` a tangent broadcast to the result (``rt.broadcast_tangent``)?"""
        return isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
            expr.func.attr == "broadcast_tangent"

    @staticmethod
    def _may_alias(expr):
        """May ``expr`` be one of the tangents it is made of (not a new value)?"""
        if isinstance(expr, gast.Name):
            return True
        return isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
            expr.func.attr in ("broadcast_tangent", "cast_tangent", "broadcast_to")

    def _call_tangent(self, stmt, op, target, state):
        """``y = f(args)`` for a user function: ``y, dot_y = f_jvp(args, dot_args)``."""
        atoms = self._atoms(op)
        mask = tuple(self._nz(a, state) for a in atoms)
        if not any(mask):
            return [], [stmt], False
        if self.dry:
            return [], [stmt], True
        name, tangent_params = self.callees.jvp(op, mask, stmt, self.unit, self.shapes)
        call = build.call(build.name(name), [build.clone(a) for a in op.args])
        call.keywords = [build.keyword(k, build.clone(v)) for k, v in op.keywords]
        active = [a for a, m in zip(atoms, mask) if m]
        call.keywords += [build.keyword(p, self.tname(a.id))
                          for p, a in zip(tangent_params, active)]
        result = self.namer.fresh(short_name(op) + "_out") if target in {
            a.id for a in atoms if isinstance(a, gast.Name)} else target
        pair = build.assign(build.tuple_([build.name(result, store=True),
                                          self.tname(target, store=True)], store=True),
                            call, at=stmt)
        code = [pair]
        if result != target:
            code.append(build.assign(target, build.name(result), at=stmt))
        return [], code, True

    def _custom_tangent(self, stmt, op, target, state):
        """``y = f(args)`` for a ``custom_jvp`` function: its rule gives both."""
        from .callees import _bind_params
        atoms = self._atoms(op)
        params = _bind_params(op.callee, op, stmt, self.unit)
        given = {p: a for p, a in zip(params, atoms) if self._nz(a, state)}
        if not given:
            return [], [stmt], False
        refused = [p for p in given if p in op.callee.nondiff_names]
        if refused:
            raise self.unit.error(stmt, "`%s` is among the nondiff_argnums of the custom_jvp "
                                  "function `%s`, but a derivative flows into it here"
                                  % (refused[0], short_name(op)),
                                  "make it a constant, or leave it out of nondiff_argnums.")
        if self.dry:
            return [], [stmt], True
        self.callees.read_rule(op.callee)
        rule = self.env.bind(short_name(op) + "_jvp_rule", op.callee.jvp_checked)
        call = build.call(build.name(rule), [
            build.tuple_([build.clone(a) for a in op.args]),
            gast.Dict(keys=[build.const(k) for k, _ in op.keywords],
                      values=[build.clone(v) for _, v in op.keywords]),
            gast.Dict(keys=[build.const(p) for p in given],
                      values=[self.tname(a.id) for a in given.values()])])
        result = self.namer.fresh(short_name(op) + "_and_tangent")
        code = [build.assign(result, call, at=stmt),
                build.assign(target, build.subscript(build.name(result), build.const(0)),
                             at=stmt),
                build.assign(self.t(target), build.subscript(build.name(result),
                                                             build.const(1)), at=stmt)]
        return [], code, True

    # ------------------------------------------------------------ writes and calls
    def _setitem(self, stmt, state):
        target = stmt.targets[0]
        buffer = target.value.id
        if not self.activity.is_active(buffer):
            return [stmt]
        if buffer not in state.nz:
            state.nz.add(buffer)
            if self.dry:
                return [stmt]
            # an owned buffer has its tangent from where it was made; one bound on a
            # path the analysis does not see gets it here
            made = [self._zero(buffer)]
        else:
            made = []
        if self.dry:
            return [stmt]
        value = stmt.value
        if self._nz(value, state):
            item = self.tname(value.id)
        elif self._is_ndarray(buffer):
            item = build.const(0.0)
        else:
            item = build.call("rt.zero_tangent", [build.clone(value)])
        write = build.assign(build.subscript(self.tname(buffer), build.clone(target.slice),
                                             store=True), item)
        return self._located(made, stmt) + [stmt] + self._located([write], stmt)

    def _is_ndarray(self, name):
        aval = self.shapes.aval(name)
        return isinstance(aval, A.Array) and aval.kind == A.NDARRAY

    def _call_statement(self, stmt, state):
        op = self.activity.op(stmt)
        if op is None:
            return [stmt]
        if op.kind == O.APPEND:
            owner = stmt.value.func.value.id
            if not self.activity.is_active(owner):
                return [stmt]
            made = [] if owner in state.nz or self.dry else [self._zero(owner)]
            state.nz.add(owner)
            if self.dry:
                return [stmt]
            item = self._tangent_or_zero(op.args[0], state)
            append = build.expr(build.call(build.attr(self.tname(owner), "append"), [item]))
            return self._located(made, stmt) + [stmt] + self._located([append], stmt)
        if op.kind == O.POP:
            owner = stmt.value.func.value.id
            if not self._nz(build.name(owner), state) or self.dry:
                return [stmt]
            pop = build.expr(build.call(build.attr(self.tname(owner), "pop"),
                                        list(map(build.clone, op.args))))
            return [stmt] + self._located([pop], stmt)
        if op.kind == O.UNKNOWN:
            self._check_unknown(stmt, op)
        if op.kind == O.RULE and op.rule.effects.writes:
            if op.rule.template is not None and op.rule.effects != IN_PLACE:
                return self._write_call(stmt, op, state)
            self._check_write_primitive(stmt, op)
        return [stmt]

    def _write_call(self, stmt, op, state):
        """``rt.add_at(d, index, v)`` writing into ``d``: such helpers are affine in what
        they write and where, so the same call on the tangents updates ``dot_d``."""
        written = op.args[op.rule.effects.writes[0]]
        if not self.activity.is_active(written.id):
            return [stmt]
        _, slots = op.rule_binding()
        diff = [key for key, slot in slots.items() if op.rule.slot_is_diff(slot)]
        if not any(self._nz(op.args[k], state) for k in diff if isinstance(k, int)):
            return [stmt]
        made = [] if written.id in state.nz or self.dry else [self._zero(written.id)]
        state.nz.add(written.id)
        if self.dry:
            return [stmt]
        call = build.clone(stmt.value)
        for k in diff:
            if isinstance(k, int):
                call.args[k] = self._tangent_or_zero(op.args[k], state)
        return self._located(made, stmt) + [stmt] + self._located([build.expr(call)], stmt)

    # ------------------------------------------------------------ control flow
    def _if(self, stmt, state):
        body_state, else_state = state.copy(), state.copy()
        body = self._block(stmt.body, body_state)
        orelse = self._block(stmt.orelse, else_state)
        joined = body_state.nz | else_state.nz
        body += self._materialise(joined - body_state.nz, body_state, stmt)
        orelse += self._materialise(joined - else_state.nz, else_state, stmt)
        state.nz = joined
        state.defined = body_state.defined & else_state.defined
        if self.dry:
            return [stmt]
        new = build.if_(build.clone(stmt.test), body or [build.pass_()], orelse, at=stmt)
        return [new]

    def _materialise(self, names, state, origin):
        """Zero tangents for ``names`` (bound here) where another path has them."""
        code = []
        for name in sorted(names):
            if name in state.defined:
                state.nz.add(name)
                if not self.dry:
                    code.append(self._zero(name))
        return self._located(code, origin)

    def _loop(self, stmt, state):
        # the state at the head of the loop: what enters, joined with what each
        # iteration leaves, to a fixed point (a dry walk only moves the state)
        head = state.copy()
        dry, self.dry = self.dry, True
        try:
            for _ in range(100):
                trial = head.copy()
                self._loop_body(stmt, trial)
                joined = State(head.nz | trial.nz, head.defined)
                if joined == head:
                    break
                head = joined
        finally:
            self.dry = dry
        entry = self._materialise(head.nz - state.nz, state, stmt)
        body_state = head.copy()
        body = self._loop_body(stmt, body_state)
        body += self._materialise(head.nz - body_state.nz, body_state, stmt)
        state.nz = set(head.nz)
        if self.dry:
            return [stmt]
        if isinstance(stmt, gast.For):
            new = gast.For(target=build.clone(stmt.target), iter=build.clone(stmt.iter),
                           body=body or [build.pass_()], orelse=[], type_comment=None)
        else:
            new = gast.While(test=build.clone(stmt.test), body=body or [build.pass_()],
                             orelse=[])
        gast.copy_location(new, stmt)
        return entry + [new]

    def _loop_body(self, stmt, state):
        if isinstance(stmt, gast.For):
            state.nz.discard(stmt.target.id)
            state.defined.add(stmt.target.id)
        head = set(state.nz)
        out = []
        for s in stmt.body:
            if is_break_check(s):
                # leaving the loop here: the tangents the loop carries must exist
                out += self._materialise(head - state.nz, state, s)
                out.append(s)
                continue
            out += self._stmt(s, state)
        return out
