"""Reverse mode: core-language function -> forward sweep + reverse sweep.

Two phases.

*Phase A* walks the function backwards and writes the adjoint code of every statement,
threading a static state: which adjoints are known to be zero (``nz`` holds the
others) and which are *dense* (full-shape arrays we own and may update in place).
Zero adjoints cost nothing: their rules are never emitted.  Where control flow joins,
an adjoint that is zero on one path is set to ``0.0`` on that path; loops iterate to a
fixed point.  Each statement becomes a record holding its adjoint code.

*Phase B* assembles the two sweeps from the records.  It decides the tape: a value the
adjoint code of statement S reads is pushed in the forward sweep (and popped back into
its variable just before S's adjoint code) only if it may change between S and S's
reverse, i.e. it is redefined after S or inside a loop around S.  Arrays written in
place (``out[i] = v``) whose contents the reverse sweep reads get the overwritten
values pushed and written back, so the reverse sweep always sees the arrays as they
were.  Loops run backwards over a reversed range, or count their iterations when they
can stop early.  Every stack is a plain per-variable list: Numba compiles it.
"""
from dataclasses import dataclass, field

import gast
import numpy as np

from ..analysis import avals as A
from ..analysis import kinds as K
from ..analysis import ops as O
from ..analysis.activity import Activity
from ..ir import build
from ..ir.naming import adjoint_name
from ..ir.walk import Renamer, dotted_name
from ..rules import registry
from ..rules.registry import IN_PLACE, RuleError
import runtime as rt
from ..analysis.shapes import Shapes
from ..analysis.memory import Memory
from ..analysis.safety import ContentLiveness, check_writes
from ..analysis.real_values import check_real_values
from ..optimize.effects import Liveness
from .containers import SplitContainers, leaf, leaf_base_name
from .stability import Stability


class _FoldShapes(gast.NodeTransformer):
    """``np.size(x)``, ``np.shape(x)``, ``np.ndim(x)``, ``len(x)`` of known shapes -> constants."""

    def __init__(self, shapes):
        self.shapes = shapes

    def visit_Call(self, node):
        self.generic_visit(node)
        path = dotted_name(node.func)
        if path == "rt.broadcast_to" and len(node.args) == 2:
            shape = self._shape(node.args[1])
            if shape is not None:
                return build.call("np.broadcast_to", [node.args[0], _shape_node(shape)])
            return node
        if path == "rt.zeros_like" and len(node.args) == 1 and isinstance(node.args[0], gast.Name):
            aval = self.shapes.aval(node.args[0].id)
            if isinstance(aval, A.Array) and aval.static_shape and aval.dtype is not None \
                    and aval.dtype == np.dtype(np.float64):
                return build.call("np.zeros", [_shape_node(aval.static_shape)])
            return node
        if path == "rt.unbroadcast" and len(node.args) == 3:
            shape, out_shape = self._shape(node.args[1]), self._shape(node.args[2])
            if shape is not None and out_shape is not None:
                if shape == out_shape:
                    return node.args[0]
                return build.call("rt.sum_to", [node.args[0], _shape_node(shape),
                                                _shape_node(out_shape)])
            return node
        if path in _OPERATOR_UFUNCS and len(node.args) == 2 and not node.keywords \
                and self._operator_is_safe(node.args):
            return build.binop(node.args[0], _OPERATOR_UFUNCS[path], node.args[1])
        if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], gast.Name):
            return node
        if path not in ("np.size", "np.shape", "np.ndim", "len"):
            return node
        aval = self.shapes.aval(node.args[0].id)
        if not isinstance(aval, A.Array) or aval.shape is None:
            return node
        if path == "np.ndim":
            return build.const(len(aval.shape))
        shape = aval.static_shape
        if shape is None or (path == "len" and not shape):
            return node
        if path == "np.size":
            return build.const(int(np.prod(shape)))
        if path == "len":
            return build.const(shape[0])
        return _shape_node(shape)

    def _operator_is_safe(self, operands):
        """``np.divide(a, b)`` may be written ``a / b``: an operand is an array, so NumPy
        computes it (rules use the ufunc because ``/`` raises on Python floats), or both
        are numbers and the operator does not raise (``1 / 8``)."""
        if all(isinstance(o, gast.Constant) and isinstance(o.value, (int, float))
               and not isinstance(o.value, bool) for o in operands):
            return operands[1].value != 0
        names = [n for o in operands for n in _arithmetic_names(o)]
        return any(self.shapes.shape(name) for name in names)

    def _shape(self, node):
        if isinstance(node, gast.Name):
            return self.shapes.static_shape(node.id)
        if isinstance(node, gast.Constant) and isinstance(node.value, (int, float)):
            return ()
        return None


_OPERATOR_UFUNCS = {"np.divide": "/", "np.power": "**"}


def _arithmetic_names(node):
    """The names an arithmetic expression combines (not those inside calls or indices)."""
    if isinstance(node, gast.Name):
        return [node.id]
    if isinstance(node, gast.BinOp):
        return _arithmetic_names(node.left) + _arithmetic_names(node.right)
    if isinstance(node, gast.UnaryOp):
        return _arithmetic_names(node.operand)
    return []


def _shape_node(shape):
    return build.tuple_([build.const(n) for n in shape])


class State:
    """Static facts about adjoints at one point of the reverse sweep."""

    def __init__(self, nz=(), dense=()):
        self.nz = set(nz)
        self.dense = set(dense)

    def copy(self):
        return State(self.nz, self.dense)

    def __eq__(self, other):
        return self.nz == other.nz and self.dense == other.dense


@dataclass
class Rec:
    """One statement with its adjoint code."""
    stmt: object
    code: list = field(default_factory=list)       # adjoint statements
    forward: object = None                          # replacement forward statement
    capture: str = None                              # name bound to the output when it is also an input
    saved: str = None                                # a callee's saved values, made by this statement
    # compound statements
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)
    body_tail: list = field(default_factory=list)   # zero-materialisations at branch ends
    else_tail: list = field(default_factory=list)
    before: list = field(default_factory=list)      # code before a reverse loop
    counter: str = None
    kind: str = "plain"
    slot: tuple = None                                # (buffer, index) a call writes into


class ReverseMode:
    """Differentiate ``unit.fn`` (core language) with respect to ``wrt``.

    Args:
      unit: the normalised unit.
      wrt: parameter names to differentiate with respect to.
      output: the name of the value being differentiated.
      callees: an object with ``vjp(function, mask, at)`` returning
        ``(fwd_name, bwd_name)`` for user functions called with active arguments.
    """

    def __init__(self, unit, wrt, output, callees, arg_avals=None, hazards=()):
        self.unit = unit
        self.fn = unit.fn
        self.env = unit.env
        self.namer = unit.namer
        self.wrt = list(wrt)
        self.output = output
        self.callees = callees
        ops = O.classify_function(self.fn, self.env)
        self.shapes = Shapes(self.fn, self.env, ops, arg_avals, callees=callees)
        self.activity = Activity(self.fn, self.env, wrt, [output], ops, self.shapes)
        self.kinds = K.infer(self.fn, self.env, self.activity, self.shapes)
        self.split = SplitContainers(self.fn, self.activity, self.shapes)
        self.primals = self._primal_names()
        self.stability = Stability(self.fn)
        liveness = ContentLiveness(self.env, self.shapes)
        liveness.block(self.fn.body, set())
        array_liveness = ContentLiveness(self.env, self.shapes, arrays_only=True)
        array_liveness.block(self.fn.body, set())
        self.memory = Memory(self.fn, self.env, ops, self.shapes)
        self.hazards = list(hazards) + check_writes(unit, self.activity, self.memory, liveness,
                                                    array_liveness, self.shapes)
        if self.hazards and arg_avals is not None:
            self._raise_hazard()
        check_real_values(unit, self.activity, self.shapes)
        self.adjoints = {}
        self.stacks = {}
        self.slot_stacks = {}
        self.loop_vars = {}
        self.loop_depth = 0
        self.dry = False
        self.params = set(build.param_names(self.fn))
        self.single_defs = _single_definitions(self.fn)
        self.written = _written_names(self.fn)

    # ------------------------------------------------------------ names
    def _primal_names(self):
        names = set(build.param_names(self.fn))
        for node in gast.walk(self.fn):
            if isinstance(node, gast.Name):
                names.add(node.id)
        return names

    def _raise_hazard(self):
        first = self.hazards[0]
        raise self.unit.error(first.stmt, first.reason, first.hint)

    def d(self, var):
        """The adjoint variable of ``var`` (a name, or the item of a split container)."""
        if var not in self.adjoints:
            base = leaf_base_name(var) if isinstance(var, tuple) else var
            self.adjoints[var] = adjoint_name(self.namer, base, self.primals)
        return self.adjoints[var]

    def _kind(self, var):
        if isinstance(var, tuple):
            container = self.shapes.aval(var[1])
            try:
                item = container.get(var[2]) if isinstance(container, A.Dict) else \
                    container.items[var[2]]
            except (KeyError, IndexError, TypeError, AttributeError):
                return K.UNKNOWN
            return K.of_aval(item) or K.UNKNOWN
        return self.kinds.get(var, K.UNKNOWN)

    def _nonzero(self, var, state):
        """Does ``var`` have a nonzero adjoint here (any item, for a split container)?"""
        if self.split.split(var):
            return any(item in state.nz for item in self.split.leaves(var))
        return var in state.nz

    def _whole(self, var, state, code):
        """The adjoint of a split container as one value: a literal of its items'."""
        code.append(build.assign(self.dname(var, store=True), self.split.literal(
            var, self.d, lambda item: item in state.nz)))
        for item in self.split.leaves(var):
            state.nz.discard(item)
            state.dense.discard(item)

    def dname(self, var, store=False):
        return build.name(self.d(var), store=store)

    def active(self, node):
        return isinstance(node, gast.Name) and self.activity.is_active(node.id)

    # ------------------------------------------------------------ phase A
    def differentiate(self, check_only=False):
        """Returns (forward statements, reverse statements, {param: adjoint expression}).

        ``check_only`` stops after phase A: every error reverse mode can raise has been
        raised by then.
        """
        state = State(nz=[self.output])
        self.opening = []
        if self.split.split(self.output):
            # the cotangent arrives whole: take it apart
            state = State(nz=self.split.leaves(self.output))
            for key, item in zip(self.split.keys[self.output], self.split.leaves(self.output)):
                self.opening.append(build.assign(self.dname(item, store=True), build.call(
                    "rt.part", [self.dname(self.output), build.const(key)])))
        body = self.fn.body[:-1]                 # the final `return` is the packager's
        recs = self._block(body, state)
        if check_only:
            return None
        if self.hazards:
            self._raise_hazard()              # generic code is generated: it must be right
        self.content_read, self.copied = self._buffers_read(recs)
        forward, reverse = self._assemble(recs)
        grads = {}
        for p in self.wrt:
            if self.split.split(p):
                grads[p] = self.split.literal(p, self.d, lambda item: item in state.nz) \
                    if self._nonzero(p, state) else build.const(0.0)
            else:
                grads[p] = build.name(self.d(p)) if p in state.nz else build.const(0.0)
        return forward, self.opening + reverse, grads

    def _block(self, stmts, state):
        """Records for ``stmts`` (in forward order); ``state`` is updated backwards."""
        recs = [None] * len(stmts)
        for index in range(len(stmts) - 1, -1, -1):
            stmt = stmts[index]
            if _is_break_check(stmt):
                recs[index] = None          # handled by the caller's split
                continue
            recs[index] = self._stmt(stmt, state)
        return recs

    def _stmt(self, stmt, state):
        if isinstance(stmt, gast.Assign):
            if isinstance(stmt.targets[0], gast.Name):
                return self._assign(stmt, state)
            return self._setitem(stmt, state)
        if isinstance(stmt, gast.Expr):
            op = self.activity.op(stmt)
            if op is not None and op.kind == O.APPEND:
                return self._append(stmt, op, state)
            if op is not None and op.kind == O.POP:
                return self._pop_item(stmt, stmt.value.func.value.id, None, state)
            if op is not None and op.kind == O.UNKNOWN:
                self._check_unknown(stmt, op)     # e.g. np.add.at(y, i, v) updates y
            if op is not None and op.kind == O.RULE and op.rule.effects.writes:
                if op.rule.template is not None and op.rule.effects != IN_PLACE:
                    return self._write_call(stmt, op, state)
                self._check_write_primitive(stmt, op)
            return Rec(stmt)
        if isinstance(stmt, gast.If):
            return self._if(stmt, state)
        if isinstance(stmt, (gast.For, gast.While)):
            return self._loop(stmt, state)
        return Rec(stmt)

    # -- accumulation
    def _accumulate(self, var, expr, state, code):
        if self.split.split(var):
            # a whole adjoint for a split container: its items take their parts
            if not isinstance(expr, gast.Name):
                whole = self.namer.fresh(self.d(var) + "_parts")
                code.append(build.assign(whole, expr))
                expr = build.name(whole)
            for key, item in zip(self.split.keys[var], self.split.leaves(var)):
                self._accumulate(item, build.call("rt.part", [build.clone(expr),
                                                              build.const(key)]), state, code)
            return
        kind = self._kind(var)
        target = self.dname(var, store=True)
        if isinstance(expr, gast.Name) and expr.id == target.id and var in state.nz:
            return                                       # d<var> passes through unchanged
        if var not in state.nz:
            code.append(build.assign(target, expr))
            state.nz.add(var)
            if self._fresh_full(expr, var):
                state.dense.add(var)           # later contributions accumulate in place
            else:
                state.dense.discard(var)
        elif kind in (K.ARRAY, K.INT) and var in state.dense:
            code.append(build.augassign(target, "+", expr))
        elif kind in (K.ARRAY, K.INT):
            code.append(build.assign(target, build.binop(self.dname(var), "+", expr)))
            state.dense.discard(var)
        else:
            code.append(build.assign(target, build.call("rt.add", [self.dname(var), expr])))

    def _fresh_full(self, expr, var):
        """Is ``expr`` certainly a new array with the full shape of ``var``?"""
        shape = self.shapes.static_shape(var)
        if not shape:
            return False
        if isinstance(expr, gast.Call):
            path = dotted_name(expr.func)
            fresh = path is not None and (path.startswith("np.") or path == "rt.masked")
            rule = registry.lookup(self.env.lookup(expr.func))
            if not fresh or rule is None or rule.effects.result != "fresh":
                return False
            operands = list(expr.args)
        elif isinstance(expr, gast.BinOp):
            operands = [expr.left, expr.right]
        else:
            return False
        # adjoints broadcast to their primal's shape, so the primal operands give a
        # lower bound on the result's shape
        shapes = []
        for operand in operands:
            if isinstance(operand, gast.Name) and operand.id in self.primals:
                known = self.shapes.static_shape(operand.id)
                if known is not None:
                    shapes.append(known)
        try:
            return bool(shapes) and tuple(np.broadcast_shapes(*shapes)) == tuple(shape)
        except ValueError:
            return False

    def _densify(self, var, state, code):
        """Make d<var> a dense adjoint we may update in place."""
        if var not in state.nz:
            code.append(build.assign(self.dname(var, store=True),
                                     build.call("rt.zeros_like", [build.name(var)])))
        elif var not in state.dense:
            code.append(build.assign(self.dname(var, store=True),
                                     build.call("rt.dense", [self.dname(var), build.name(var)])))
        state.nz.add(var)
        state.dense.add(var)

    # -- statements
    def _assign(self, stmt, state):
        target = stmt.targets[0].id
        op = self.activity.op(stmt)
        if op.kind == O.POP:
            return self._pop_item(stmt, op.node.func.value.id, target, state)
        rec = Rec(stmt, kind="assign")
        if op.kind == O.UNKNOWN:
            self._check_unknown(stmt, op)
        if op.kind == O.RULE and op.rule.effects.writes:
            self._check_write_primitive(stmt, op)
        if not self.activity.is_active(target) or not self._nonzero(target, state):
            state.nz.discard(target)
            state.dense.discard(target)
            return rec
        g = self.dname(target)
        contributions = []                         # (var, expr)
        code = []
        whole = []
        if self.split.split(target):
            if op.kind == O.CONTAINER:
                return self._split_literal(rec, op, target, state)
            self._whole(target, state, whole)
            state.nz.add(target)
        if op.kind == O.COPY:
            if self.active(op.node):
                contributions.append((op.node.id, g))
        elif op.kind == O.RULE:
            code, contributions = self._rule(stmt, op, target, g, rec)
        elif op.kind == O.GETITEM:
            base = op.node.value
            if self.active(base):
                self._getitem_adjoint(base.id, op.node.slice, g, state, code)
        elif op.kind == O.CONTAINER:
            if isinstance(op.node, gast.Dict):
                pairs = list(zip(op.node.keys, op.node.values))
            else:
                pairs = [(build.const(k), v) for k, v in enumerate(op.node.elts)]
            for key, value in pairs:
                if self.active(value):
                    contributions.append((value.id, build.call("rt.part", [g, build.clone(key)])))
        elif op.kind in (O.USER, O.CUSTOM):
            code, contributions = self._call_adjoint(stmt, op, target, g, rec)
        self._contribute(rec, target, contributions, whole + code, state)
        return rec

    def _contribute(self, rec, target, contributions, code, state):
        """Accumulate ``contributions`` (var, expr) made by ``target``'s statement; what it
        gives ``target`` itself (``s = s + t``) becomes its adjoint before the statement."""
        rest = [(v, e) for v, e in contributions if v != target]
        own = [e for v, e in contributions if v == target]
        for var, expr in rest:
            self._accumulate(var, expr, state, code)
        if len(own) == 1 and isinstance(own[0], gast.Name) and own[0].id == self.d(target):
            own = []                     # d<target> flows through unchanged (s = s + t)
        else:
            state.nz.discard(target)
            state.dense.discard(target)
        if own:
            total = own[0]
            for expr in own[1:]:
                total = build.binop(total, "+", expr)
            self._accumulate(target, total, state, code)
        rec.code = self._specialise(code)

    def _write_call(self, stmt, op, state):
        """``rt.add_at(d, index, v)``: a call writing into ``d[index]``.  Its rule reads
        ``g`` as d's adjoint after the call and gives d's adjoint before it (and v's); the
        reverse sweep puts back the slot's old values if it reads d (phase B)."""
        written = op.args[op.rule.effects.writes[0]]
        rec = Rec(stmt, kind="write")
        rec.slot = (written.id, op.args[1])
        target = written.id
        if not self.activity.is_active(target) or not self._nonzero(target, state):
            return rec
        whole = []
        if self.split.split(target):
            self._whole(target, state, whole)
            state.nz.add(target)
        code, contributions = self._rule(stmt, op, target, self.dname(target), rec)
        if self.dry:                   # a trial pass: d passes through as the rule says
            contributions = [(v, self.dname(v) if v == target else e) for v, e in contributions]
        self._contribute(rec, target, contributions, whole + code, state)
        return rec

    def _split_literal(self, rec, op, target, state):
        """``c = [a, b]`` for a split container: each item's adjoint goes to its value."""
        code = []
        if isinstance(op.node, gast.Dict):
            keys = [k.value for k in op.node.keys]
            values = op.node.values
        else:
            keys, values = range(len(op.node.elts)), op.node.elts
        contributions = []
        for key, value in zip(keys, values):
            item = leaf(target, key)
            if self.active(value) and item in state.nz:
                contributions.append((value.id, self.dname(item)))
        for item in self.split.leaves(target):
            state.nz.discard(item)
            state.dense.discard(item)
        for var, expr in contributions:
            self._accumulate(var, expr, state, code)
        rec.code = self._specialise(code)
        return rec

    def _specialise(self, code):
        """Replace shape queries on primal values of known shape by constants."""
        folder = _FoldShapes(self.shapes)
        return [folder.visit(stmt) for stmt in code]

    def _check_unknown(self, stmt, op):
        active_args = [n for n in op.diff_operands() if self.activity.is_active(n)]
        if active_args:
            name = getattr(op.callee, "__qualname__", None) or getattr(op.callee, "__name__", None) \
                or repr(op.callee)
            module = getattr(op.callee, "__module__", None)
            full = "%s.%s" % (module, name) if module and module != "builtins" else name
            raise self.unit.error(
                stmt, "no derivative rule for `%s`, which is called here on a value being "
                "differentiated (%s)" % (full, ", ".join(active_args)),
                "wrap it in a function decorated with @transpiler.custom_vjp and give its "
                "derivative with .defvjp(fwd, bwd), or compute it with NumPy functions "
                "transpiler knows (`transpiler rules` lists them).")

    def _rule(self, stmt, op, target, g, rec):
        rule = op.rule
        if not rule.differentiable:
            return [], []
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
            return [], []
        if self.dry:
            # a trial pass only needs which adjoints get contributions, not the code
            return [], [(var, build.name("__dry__")) for var in wanted.values()]
        # Bind the output to a placeholder: whether the rule (or its family) reads the
        # output decides how it is provided when the output overwrites an input.
        placeholder = "__ans__"
        broadcasts = lambda arg: self.shapes.may_broadcast(arg, target)
        code, exprs = rule.adjoints(bindings, list(wanted), g, build.name(placeholder),
                                    self.namer, broadcasts)
        uses_ans = any(isinstance(n, gast.Name) and n.id == placeholder
                       for node in code + list(exprs.values()) for n in gast.walk(node))
        ans = target
        if uses_ans and target in set(op.operand_names()):
            rec.capture = self.namer.fresh(target + "_out")
            ans = rec.capture
        rename = Renamer({placeholder: ans})
        code = [rename.visit(c) for c in code]
        exprs = {k: rename.visit(e) for k, e in exprs.items()}
        return code, [(wanted[slot], exprs[slot]) for slot in wanted]

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

    def _getitem_adjoint(self, base, index, g, state, code):
        if self.split.split(base):
            key = self.split.static_key(index)
            if isinstance(key, int) and key < 0:
                key += len(self.split.keys[base])
            self._accumulate(leaf(base, key), g, state, code)
            return
        self._densify(base, state, code)
        if self.kinds.get(base) == K.ARRAY and K.is_basic_index(index, self.kinds):
            code.append(build.augassign(build.subscript(self.dname(base), build.clone(index),
                                                        store=True), "+", g))
        else:
            code.append(build.expr(build.call("rt.add_at", [
                self.dname(base), build.index_as_value(build.clone(index)), g])))

    def _call_adjoint(self, stmt, op, target, g, rec):
        """``y = f(args)`` for a user function or a custom_vjp: call its fwd/bwd pair."""
        atoms = list(op.args) + [v for _, v in op.keywords]
        mask = tuple(self.active(a) for a in atoms)
        if not any(mask):
            return [], []
        fwd, bwd, order = self.callees.vjp(op, mask, stmt, self.unit, self.shapes)
        saved = self.namer.fresh(_short_name(op) + "_saved")
        self.stability.add_def(saved, stmt)
        self.primals.add(saved)
        rec.saved = saved
        call = build.call(build.name(fwd), [build.clone(a) for a in op.args])
        call.keywords = [build.keyword(k, build.clone(v)) for k, v in op.keywords]
        rec.forward = build.assign(
            build.tuple_([build.name(target, store=True), build.name(saved, store=True)],
                         store=True), call, at=stmt)
        pulled = build.call(build.name(bwd), [build.name(saved), g])
        active = [a for a, m in zip(atoms, mask) if m]
        if order is None:                      # the backward function returns one adjoint
            return [], [(active[0].id, pulled)]
        parts = self.namer.fresh(_short_name(op) + "_adjoints")
        code = [build.assign(parts, pulled)]
        contributions = []
        for k, atom in enumerate(active):
            contributions.append((atom.id, build.subscript(build.name(parts),
                                                           build.const(order[k]))))
        return code, contributions

    def _setitem(self, stmt, state):
        """``buf[i] = v``: v's adjoint is what the slot's adjoint holds, and the slot's
        adjoint is cleared (what was there before was overwritten)."""
        target = stmt.targets[0]
        buffer = target.value.id
        rec = Rec(stmt, kind="setitem")
        value = stmt.value
        if not self.activity.is_active(buffer) or buffer not in state.nz:
            return rec
        code = []
        self._densify(buffer, state, code)
        if self.active(value):
            slot = self._slot_adjoint(buffer, target.slice, code)
            slot_shape = self.shapes.index_shape(buffer, target.slice)
            if not A.same_shape(self.shapes.shape(value.id), slot_shape):
                # the value was broadcast into the slot
                slot = build.call("rt.unbroadcast", [slot, build.clone(value), build.clone(slot)])
            self._accumulate(value.id, slot, state, code)
        code.append(build.assign(build.subscript(self.dname(buffer), build.clone(target.slice),
                                                 store=True), build.const(0.0)))
        rec.code = self._specialise(code)
        return rec

    def _slot_adjoint(self, buffer, index, code):
        """A name holding (a copy of) what the adjoint of ``buffer[index]`` holds."""
        slot = self.namer.fresh("d%s_slot" % buffer)
        read = build.subscript(self.dname(buffer), build.clone(index))
        aval = self.shapes.aval(buffer)
        if isinstance(aval, (A.Seq, A.Dict)) or self.kinds.get(buffer) == K.CONTAINER:
            pass                                     # an item: replaced, not changed
        elif self.kinds.get(buffer) == K.ARRAY and K.is_basic_index(index, self.kinds):
            if self.shapes.index_shape(buffer, index) != ():
                read = build.call("np.copy", [read])  # a view would be cleared below
        else:
            read = build.call("rt.written_slot", [self.dname(buffer),
                                                  build.index_as_value(build.clone(index))])
        code.append(build.assign(slot, read))
        return build.name(slot)

    def _append(self, stmt, op, state):
        owner = stmt.value.func.value.id
        rec = Rec(stmt, kind="append")
        if not self.activity.is_active(owner) or owner not in state.nz:
            return rec
        code = []
        self._densify(owner, state, code)
        value = op.args[0]
        popped = build.call(build.attr(self.dname(owner), "pop"), [])
        if self.active(value):
            self._accumulate(value.id, popped, state, code)
        else:
            code.append(build.expr(popped))
        rec.code = self._specialise(code)
        return rec

    def _pop_item(self, stmt, owner, target, state):
        """``x = lst.pop()``: the popped item's adjoint goes back onto the list's."""
        rec = Rec(stmt, kind="pop")
        if not isinstance(stmt, gast.Assign):
            # keep the item: undoing the pop in the reverse sweep puts it back
            item = self.namer.fresh(owner + "_item")
            rec.forward = build.assign(item, stmt.value, at=stmt)
            if not self.dry:
                self.stability.add_def(item, stmt)      # taped where a loop pops again
                self.primals.add(item)
        item_nz = target is not None and self.activity.is_active(target) and target in state.nz
        if target is not None:
            state.nz.discard(target)
            state.dense.discard(target)
        if not self.activity.is_active(owner) or (owner not in state.nz and not item_nz):
            return rec
        code = []
        self._densify(owner, state, code)
        item = self.dname(target) if item_nz else build.const(0.0)
        code.append(build.expr(build.call(build.attr(self.dname(owner), "append"), [item])))
        rec.code = self._specialise(code)
        return rec

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
                    "that form" % (_short_name(op), atom.id),
                    "compute a new value instead (for example with x.at[...].add(...)).")

    # -- control flow
    def _join(self, states, tails):
        """Merge branch states; append zero-materialisations to each branch's tail."""
        nz = set().union(*(s.nz for s in states))
        dense = set.intersection(*(s.dense for s in states)) if states else set()
        for s, tail in zip(states, tails):
            for var in _ordered(nz - s.nz):
                tail.append(build.assign(self.dname(var, store=True), build.const(0.0)))
        return State(nz, dense & nz)

    def _if(self, stmt, state):
        rec = Rec(stmt, kind="if")
        s_body, s_else = state.copy(), state.copy()
        rec.body = self._block(stmt.body, s_body)
        rec.orelse = self._block(stmt.orelse, s_else)
        merged = self._join([s_body, s_else], [rec.body_tail, rec.else_tail])
        state.nz, state.dense = merged.nz, merged.dense
        return rec

    def _loop(self, stmt, state):
        rec = Rec(stmt, kind="for" if isinstance(stmt, gast.For) else "while")
        body_defs = _assigned(stmt.body)
        target = stmt.target.id if isinstance(stmt, gast.For) else None
        if target is not None:
            body_defs.add(target)
            # the loop variable after the loop is range's, not an earlier value
            state.nz.discard(target)
            state.dense.discard(target)
        head = state.copy()
        # Arrays defined before the loop and indexed in it: one dense adjoint, made before
        # the reverse loop and updated in place by every iteration.
        for var in _ordered(self._densified_in(stmt.body) - body_defs):
            head.nz.add(var)
            head.dense.add(var)
        for _ in range(100):
            trial = head.copy()
            self._trial(stmt.body, trial)
            if target is not None:
                trial.nz.discard(target)           # each iteration defines it afresh
                trial.dense.discard(target)
            grown = State(head.nz | trial.nz, head.dense & trial.dense)
            if grown == head:
                break
            head = grown
        else:
            raise AssertionError("reverse-mode loop analysis did not converge")
        for var in _ordered(head.nz - state.nz):
            if var in head.dense:
                rec.before.append(build.assign(self.dname(var, store=True),
                                               build.call("rt.zeros_like", [build.name(var)])))
            else:
                rec.before.append(build.assign(self.dname(var, store=True), build.const(0.0)))
        for var in _ordered((head.dense & state.nz) - state.dense):
            rec.before.append(build.assign(
                self.dname(var, store=True), build.call("rt.dense", [self.dname(var), build.name(var)])))
        trial = head.copy()
        rec.body = self._block_with_breaks(stmt.body, trial)
        if target is not None:
            trial.nz.discard(target)
            trial.dense.discard(target)
        for var in _ordered(head.nz - trial.nz):
            rec.body_tail.append(build.assign(self.dname(var, store=True), build.const(0.0)))
        state.nz, state.dense = set(head.nz), set(head.dense)
        if target is not None:
            state.nz.discard(target)
            state.dense.discard(target)
        return rec

    def _trial(self, stmts, state):
        """Run phase A on a loop body for its effect on ``state`` only (names are given back,
        and rules are not inlined: only which adjoints receive contributions matters)."""
        taken = set(self.namer.taken)
        dry, self.dry = self.dry, True
        try:
            self._block_with_breaks(stmts, state)
        finally:
            self.dry = dry
        self.namer.taken = taken | set(self.adjoints.values())

    def _densified_in(self, stmts):
        """Variables whose adjoints the loop body updates in place (indexed reads/writes)."""
        out = set()
        for stmt in stmts:
            for node in gast.walk(stmt):
                if isinstance(node, gast.Assign):
                    target, value = node.targets[0], node.value
                    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
                        out.add(value.value.id)
                    if isinstance(target, gast.Subscript):
                        out.add(target.value.id)
                elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) \
                        and isinstance(node.value.func, gast.Attribute) \
                        and node.value.func.attr == "append" \
                        and isinstance(node.value.func.value, gast.Name):
                    out.add(node.value.func.value.id)
        return {v for v in out if self.activity.is_active(v) and not self.split.split(v)}

    def _block_with_breaks(self, stmts, state):
        """Like _block, for a loop body that may hold `if flag: break` checks.

        The statements after a break check did not run in the iteration that broke, so
        their reverse is guarded by `if not flag:`; the two paths are joined.
        """
        for index in range(len(stmts) - 1, -1, -1):
            if _is_break_check(stmts[index]):
                after = stmts[index + 1:]
                s_after = state.copy()
                after_recs = self._block_with_breaks(after, s_after)
                rec = Rec(stmts[index], kind="break")
                rec.body = after_recs
                merged = self._join([s_after, state.copy()], [rec.body_tail, rec.else_tail])
                state.nz, state.dense = merged.nz, merged.dense
                before = self._block(stmts[:index], state)
                return before + [rec]
        return self._block(stmts, state)

    # ------------------------------------------------------------ phase B
    def _buffers_read(self, recs):
        """``(reads, copied)``: names whose contents some adjoint code reads -> the
        positions of the statements whose adjoint code reads them; and the views (names
        sharing memory with a buffer written in place, not written through themselves)
        whose contents adjoint code reads while a later write may change them: those go
        on the tape as copies (``_save``) rather than have every write undone.

        Arguments that only lend their shape (``rt.zeros_like(x)``) do not count: writing
        into an array never changes its shape.
        """
        read, by_callees = {}, {}
        for rec in _walk_recs(recs):
            where = self.stability.position[id(rec.stmt)][0]
            for stmt in rec.code + rec.before + rec.body_tail + rec.else_tail:
                for name in _content_reads(stmt, self.primals, self.env, self.kinds):
                    read.setdefault(name, set()).add(where)
            if rec.saved is not None:
                # a callee's saved values may be the arguments themselves (a list it
                # indexes): its backward function reads them as they were at the call
                for name in self._reads([rec.stmt.value]):
                    by_callees.setdefault(name, set()).add(where)
        written = self.memory.written
        copied = {name for name, positions in read.items() if name not in written
                  and self.kinds.get(name) == K.ARRAY
                  and any(self._changed_after(name, where) for where in positions)}
        for name in copied:
            del read[name]
        for name, positions in by_callees.items():
            read.setdefault(name, set()).update(positions)
        return read, copied

    def _changed_after(self, name, where):
        """May a write change ``name``'s contents after position ``where`` (or in a loop
        around it) and before its reverse?"""
        for stmt_id, written in self.memory.writes.items():
            if name != written and name not in self.memory.affected(written):
                continue
            first = self.stability.position[stmt_id][0]
            loops = self.stability.loops[stmt_id]
            if where < first or any(lo <= where <= hi for lo, hi in loops):
                return True
        return False

    def _undo_needed(self, stmt, written):
        """Must the reverse sweep undo this write into ``written``?  Yes if the adjoint
        code of a statement that runs before it (or in a loop around both) reads the
        contents of ``written`` or of any name that may share its memory at any time
        (after ``cur, nxt = nxt, cur`` the buffer written as ``nxt`` was read as ``cur``
        an iteration earlier).  Adjoint code of later statements runs before the undo
        and sees the memory as the forward sweep left it, as it should."""
        first = self.stability.position[id(stmt)][0]
        loops = self.stability.loops[id(stmt)]
        for name in {written} | self.memory.affected(written):
            for where in self.content_read.get(name, ()):
                if where < first or any(lo <= where <= hi for lo, hi in loops):
                    return True
        return False

    def _reads(self, stmts):
        return [n.id for s in stmts for n in gast.walk(s)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                and n.id in self.primals]

    def _stack(self, var):
        if var not in self.stacks:
            self.stacks[var] = self.namer.fresh(var + "_stack")
        return self.stacks[var]

    def _slot_stack(self, var):
        if var not in self.slot_stacks:
            self.slot_stacks[var] = self.namer.fresh(var + "_slots")
        return self.slot_stacks[var]

    def _tape_pair(self, base, value, at, stack_of):
        """``(statement saving value, expression giving it back)``.

        Inside a loop the value goes on a stack (``stack_of(base)``); outside any loop the
        statement runs at most once, so a named variable holds it.
        """
        if self.loop_depth:
            stack = build.name(stack_of(base))
            push = build.expr(build.call(build.attr(stack, "append"), [value]), at=at)
            return push, build.call(build.attr(build.clone(stack), "pop"), [])
        saved = self.namer.fresh(base + "_saved")
        self.primals.add(saved)
        return build.assign(saved, value, at=at), build.name(saved)

    def _save(self, var, at, into=None):
        """``(push, pop)``: keep ``var``'s value for the reverse sweep (into ``into``).

        Objects go on the tape by reference: a later write into one whose contents the
        reverse sweep reads is undone there (``_undo_needed``), so it sees the object as
        it was; a view of a buffer written later goes on as a copy.
        """
        value = build.name(var)
        if var in self.copied:
            value = build.call("np.copy", [value])     # a view a later write changes
        push, popped = self._tape_pair(var, value, at, self._stack)
        return push, build.assign(into or var, popped)

    def _rematerialise(self, var, stmt, part, depth=0):
        """Recompute ``var`` in the reverse sweep instead of taping it, when that is cheap
        (an element read of an array nobody writes, integer or scalar arithmetic) and its
        operands are available there.  Appends the statements to ``part.remat``."""
        plan = self._remat_plan(var, stmt, depth)
        if plan is None:
            return False
        for statement in plan:
            if not any(_same_code(statement, done) for done in part.remat):
                part.remat.append(statement)
        return True

    def _remat_plan(self, var, stmt, depth):
        definition = self.single_defs.get(var)
        if definition is None or depth > 4:
            return None
        op = self.activity.op(definition)
        if op is None:
            return None
        if op.kind == O.GETITEM:
            base = op.node.value
            if not isinstance(base, gast.Name) or base.id in self.written \
                    or base.id in self.memory.mutated():
                return None
        elif op.kind == O.RULE and isinstance(op.node, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            if not (self.shapes.shape(var) == () or self.kinds.get(var) == K.INT):
                return None
        elif op.kind != O.COPY:
            return None
        plan = []
        first = self.stability.position[id(definition)][0]
        for name in _unique(op.operand_names()):
            if name in self.loop_vars or name in self.params or name not in self.primals:
                continue
            defs = self.stability.defs.get(name, ())
            if self.stability.stable(stmt, name, "in") and all(d < first for d in defs):
                continue
            sub = self._remat_plan(name, stmt, depth + 1)
            if sub is None:
                return None
            plan += sub
        return plan + [build.clone(definition)]

    def _kept(self, stmt, var, role):
        """Does ``var`` reach the reverse of ``stmt`` as it was, without the tape?  Not if
        it is redefined in between, or is a view whose contents a write changes."""
        if var in self.copied and self._changed_after(var, self.stability.position[id(stmt)][0]):
            return False
        return self.stability.stable(stmt, var, role)

    def _tape(self, stmt, reads_in, reads_out):
        """Pushes around a compound ``stmt`` and the pops for the values its reverse reads."""
        pre, post, pops_out, pops_in = [], [], [], []
        for var in _unique(reads_in):
            if var not in self.loop_vars and not self._kept(stmt, var, "in"):
                push, pop = self._save(var, stmt)
                pre.append(push)
                pops_in.insert(0, pop)
        for var in _unique(reads_out):
            if var not in self.loop_vars and not self._kept(stmt, var, "out"):
                push, pop = self._save(var, stmt)
                post.append(push)
                pops_out.insert(0, pop)
        return pre, post, pops_out + pops_in

    def _assemble(self, recs):
        """Forward and reverse code for a block of records.

        A value read by several adjoint blocks of one straight-line block is pushed once
        (where it is first needed) and popped once (in the reverse of its last reader,
        which runs first): in between nothing can change it.
        """
        recs = [r for r in recs if r is not None]
        parts = [self._simple_parts(r) if r.kind in _SIMPLE else None for r in recs]
        versions, groups = {}, {}
        for i, (rec, part) in enumerate(zip(recs, parts)):
            if part is None:
                for var in _assigned([rec.stmt]) | _loop_targets(rec.stmt):
                    versions[var] = versions.get(var, 0) + 1
                continue
            for var in part.tape_in:
                groups.setdefault((var, versions.get(var, 0)), []).append((i, "in"))
            for defined in (part.target, rec.saved):
                if defined is not None:
                    versions[defined] = versions.get(defined, 0) + 1
            for var in part.tape_out:
                groups.setdefault((var, versions.get(var, 0)), []).append((i, "out"))
        before, after, pops = {}, {}, {}
        for (var, _), members in sorted(groups.items(), key=lambda kv: kv[1][0]):
            first, role = members[0]
            push, pop = self._save(var, recs[first].stmt)
            (after if role == "out" else before).setdefault(first, []).append(push)
            pops.setdefault(members[-1][0], []).append(pop)
        forward, reverse = [], []
        for i, (rec, part) in enumerate(zip(recs, parts)):
            if part is None:
                f, r = self._assemble_rec(rec)
            else:
                f = before.get(i, []) + part.forward + after.get(i, [])
                r = []
                if part.code:
                    restore = list(reversed(pops.get(i, [])))
                    r = [_comment_for(self.unit, rec.stmt)] + part.capture + restore + part.code
            forward += f
            reverse = r + reverse
        return forward, reverse

    def _simple_parts(self, rec):
        """What an assignment, element write or append needs from the tape."""
        stmt = rec.stmt
        part = _Parts()
        part.forward = [rec.forward or stmt]
        code = list(rec.code)
        restore_pre, restore_post = [], []
        if rec.kind == "setitem":
            buffer = stmt.targets[0].value.id
            if self._undo_needed(stmt, buffer):
                is_list = isinstance(self.shapes.aval(buffer), A.Seq)
                if self.kinds.get(buffer) == K.ARRAY or is_list:
                    # an array's slot is copied; a list's item is replaced, not changed
                    slot = build.subscript(build.name(buffer), build.clone(stmt.targets[0].slice))
                    saved = slot if is_list else build.call("np.copy", [slot])
                    push, pop = self._tape_pair(buffer + "_slot", saved,
                                                stmt, lambda _: self._slot_stack(buffer))
                    restore_pre.append(push)
                    restore_post.append(build.assign(build.clone(stmt.targets[0]), pop))
                else:
                    # a list or dict (a new key is removed again), or an array
                    key = build.index_as_value(build.clone(stmt.targets[0].slice))
                    push, pop = self._tape_pair(
                        buffer + "_slot", build.call("rt.save_slot", [build.name(buffer), key]),
                        stmt, lambda _: self._slot_stack(buffer))
                    restore_pre.append(push)
                    restore_post.append(build.expr(build.call(
                        "rt.restore_slot", [build.name(buffer), build.clone(key), pop])))
        if rec.kind == "write":
            buffer, index = rec.slot
            if self._undo_needed(stmt, buffer):
                slot = build.subscript(build.name(buffer), build.clone(index))
                copy = "np.copy" if self.kinds.get(buffer) == K.ARRAY else "rt.snapshot"
                push, pop = self._tape_pair(buffer + "_slot", build.call(copy, [slot]),
                                            stmt, lambda _: self._slot_stack(buffer))
                restore_pre.append(push)
                restore_post.append(build.assign(
                    build.subscript(build.name(buffer), build.clone(index), store=True), pop))
        if rec.kind == "append":
            owner = stmt.value.func.value.id
            if self._undo_needed(stmt, owner):
                restore_post.append(build.expr(build.call(build.attr(build.name(owner), "pop"), [])))
        if rec.kind == "pop":
            popping = rec.forward or stmt
            owner = popping.value.func.value.id
            if self._undo_needed(stmt, owner):
                item = build.name(popping.targets[0].id)
                restore_post.append(build.expr(build.call(build.attr(build.name(owner), "append"),
                                                          [item])))
        part.forward = restore_pre + part.forward
        part.code = code + restore_post
        if not part.code:
            return part
        # a pop kept as `lst_item = lst.pop()` defines the item it puts back
        defining = rec.forward if rec.kind == "pop" and rec.forward is not None else stmt
        target = defining.targets[0].id if (isinstance(defining, gast.Assign) and isinstance(
            defining.targets[0], gast.Name)) else None
        part.target = target
        reads = self._reads(part.code)
        operands = set(self._reads([stmt.value])) \
            if isinstance(stmt, gast.Assign) or rec.kind == "write" else set()
        if rec.kind == "setitem":
            operands |= set(self._reads([stmt.targets[0].slice]))
        outputs = {target, rec.saved} - operands
        reads_out = [v for v in reads if v in outputs]
        reads_in = [v for v in reads if v not in reads_out]
        for var in _unique(reads_in):
            if var not in self.loop_vars and not self._kept(stmt, var, "in"):
                if var in self.copied or not self._rematerialise(var, stmt, part):
                    part.tape_in.append(var)
        for var in _unique(reads_out):
            if var not in self.loop_vars and not self._kept(stmt, var, "out"):
                if var == rec.saved or var in self.copied or \
                        not self._rematerialise(var, stmt, part):
                    part.tape_out.append(var)
        if rec.capture:
            # the output overwrote an input the adjoint also needs: keep it under its own
            # name (taken before the input's value is restored)
            if self.stability.stable(stmt, target, "out"):
                part.capture = [build.assign(rec.capture, build.name(target))]
            else:
                push, pop = self._save(target, stmt, into=rec.capture)
                part.forward = part.forward + [push]
                part.capture = [pop]
        part.capture = part.capture + part.remat
        return part

    def _assemble_rec(self, rec):
        stmt = rec.stmt
        if rec.kind == "if":
            test = stmt.test
            f_body, r_body = self._assemble(rec.body)
            f_else, r_else = self._assemble(rec.orelse)
            fwd = build.if_(test, f_body or [build.pass_()], f_else, at=stmt)
            r_body += rec.body_tail
            r_else += rec.else_tail
            if not r_body and not r_else:
                return [fwd], []
            pre, post, pops = self._tape(stmt, self._reads([test]), [])
            if r_body:
                rev = build.if_(build.clone(test), r_body, r_else, at=stmt)
            else:
                rev = build.if_(_negate(test), r_else, at=stmt)
            return pre + [fwd] + post, pops + [_comment_for(self.unit, stmt), rev]
        if rec.kind in ("for", "while"):
            return self._assemble_loop(rec)
        if rec.kind == "break":
            f_after, r_after = self._assemble(rec.body)
            r_after += rec.body_tail
            fwd = [stmt] + f_after
            if not r_after and not rec.else_tail:
                return fwd, []
            flag = stmt.test
            pre, post, pops = self._tape(stmt, self._reads([flag]), [])
            rev = build.if_(build.unop("not", build.clone(flag)), r_after or [build.pass_()],
                            rec.else_tail)
            return pre + fwd + post, pops + [rev]
        return [stmt], []

    def _assemble_loop(self, rec):
        stmt = rec.stmt
        is_for = rec.kind == "for"
        has_break = any(_is_break_check(s) for s in stmt.body)
        loop_var = stmt.target.id if is_for else None
        if is_for:
            self.loop_vars[loop_var] = stmt
        self.loop_depth += 1
        f_body, r_body = self._assemble(rec.body)
        self.loop_depth -= 1
        if is_for:
            del self.loop_vars[loop_var]
        r_body = r_body + rec.body_tail
        if not r_body:
            stmt.body = f_body or [build.pass_()]
            pre, post, pops = self._tape(stmt, [], self._reads(rec.before))
            return pre + [stmt] + post, pops + list(rec.before)
        pre_f = []
        args = stmt.iter.args if is_for else []
        start, stop, step = _range_parts(args) if is_for else (None, None, None)
        constant_step = isinstance(step, gast.Constant) and isinstance(step.value, int) \
            and step.value != 0
        counted = (not is_for) or has_break or not constant_step
        reads_in = self._reads(args) if is_for and not counted else []
        if counted:
            counter = self.namer.fresh("n_iter")
            self.stability.add_def(counter, stmt)
            self.primals.add(counter)
            pre_f.append(build.assign(counter, build.const(0), at=stmt))
            f_body = [build.assign(counter, build.binop(build.name(counter), "+",
                                                        build.const(1)), at=stmt)] + f_body
            reads_out = [counter]
            if is_for:
                reads_in = self._reads([start, step])
        else:
            reads_out = []
        reads_out = reads_out + self._reads(rec.before)
        stmt.body = f_body
        pre, post, pops = self._tape(stmt, reads_in, reads_out)
        if counted:
            if is_for:
                simple = (isinstance(start, gast.Constant) and start.value == 0
                          and isinstance(step, gast.Constant) and step.value == 1)
                k = loop_var if simple else self.namer.fresh("k")
                loop_var_needed = loop_var in self._reads(r_body) and not simple
                body = r_body
                if loop_var_needed:
                    value = build.binop(build.clone(start), "+",
                                        build.binop(build.name(k), "*", build.clone(step)))
                    if isinstance(step, gast.Constant) and step.value == 1:
                        value = build.binop(build.clone(start), "+", build.name(k))
                        if isinstance(start, gast.Constant) and start.value == 0:
                            value = build.name(k)
                    body = [build.assign(loop_var, value)] + r_body
                rng = build.call(build.name("range"), [
                    build.binop(build.name(counter), "-", build.const(1)),
                    build.const(-1), build.const(-1)])
                rev_loop = build.for_(k, rng, body, at=stmt)
            else:
                rev_loop = build.for_(self.namer.fresh("_"), build.call(
                    build.name("range"), [build.name(counter)]), r_body, at=stmt)
        else:
            rev_loop = build.for_(loop_var, _reversed_range(start, stop, step), r_body, at=stmt)
        comment = build.comment("reverse of: " + _header(self.unit, stmt))
        return pre + pre_f + [stmt] + post, pops + list(rec.before) + [comment, rev_loop]


# ------------------------------------------------------------ helpers

_SIMPLE = ("assign", "setitem", "append", "pop", "write")


@dataclass
class _Parts:
    forward: list = field(default_factory=list)
    code: list = field(default_factory=list)
    capture: list = field(default_factory=list)
    tape_in: list = field(default_factory=list)
    tape_out: list = field(default_factory=list)
    target: str = None
    remat: list = field(default_factory=list)


def _ordered(names):
    """Variables (names, and items of split containers) in a fixed order."""
    return sorted(names, key=lambda v: (isinstance(v, tuple), str(v)))


def _single_definitions(fn):
    """name -> its assignment, for names assigned exactly once (and not as loop targets)."""
    count, where = {}, {}
    for node in gast.walk(fn):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            name = node.targets[0].id
            count[name] = count.get(name, 0) + 1
            where[name] = node
        elif isinstance(node, gast.For):
            count[node.target.id] = count.get(node.target.id, 0) + 2
    return {name: where[name] for name, n in count.items() if n == 1}


def _written_names(fn):
    names = set()
    for node in gast.walk(fn):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Subscript):
            names.add(node.targets[0].value.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and node.func.attr == "append" and isinstance(node.func.value, gast.Name):
            names.add(node.func.value.id)
    return names


def _same_code(a, b):
    return gast.dump(a) == gast.dump(b)


def _loop_targets(stmt):
    if isinstance(stmt, gast.For):
        return {stmt.target.id}
    return set()


def _negate(test):
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return build.clone(test.operand)
    return build.unop("not", build.clone(test))


def _is_break_check(stmt):
    return (isinstance(stmt, gast.If) and len(stmt.body) == 1
            and isinstance(stmt.body[0], gast.Break) and not stmt.orelse)


def _assigned(stmts):
    names = set()
    for stmt in stmts:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                names.add(node.id)
    return names


def _content_reads(stmt, primals, env, kinds):
    """Primal names whose contents ``stmt`` reads (not arrays it reads the shape of: an
    array's shape never changes in place, a list's length does)."""
    shape_only = set()
    names = []
    for node in gast.walk(stmt):
        if isinstance(node, gast.Call):
            rule = registry.lookup(env.lookup(node.func))
            for k in (rule.shape_only if rule is not None else ()):
                if k < len(node.args) and isinstance(node.args[k], gast.Name) \
                        and kinds.get(node.args[k].id) == K.ARRAY:
                    shape_only.add(id(node.args[k]))
        elif isinstance(node, gast.Name):
            names.append(node)
    return {n.id for n in names if n.id in primals and id(n) not in shape_only}


def _walk_recs(recs):
    for rec in recs:
        if rec is None:
            continue
        yield rec
        yield from _walk_recs(rec.body)
        yield from _walk_recs(rec.orelse)


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _short_name(op):
    name = getattr(op.callee, "__name__", "call")
    return name if name.isidentifier() else "call"


def _range_parts(args):
    if len(args) == 1:
        return build.const(0), args[0], build.const(1)
    if len(args) == 2:
        return args[0], args[1], build.const(1)
    return args[0], args[1], args[2]


def _reversed_range(start, stop, step):
    """range(start, stop, step) backwards, for a constant non-zero step."""
    s = step.value
    if s == 1:
        first = build.binop(build.clone(stop), "-", build.const(1))
        if isinstance(stop, gast.Constant):
            first = build.const(stop.value - 1)
        last = build.binop(build.clone(start), "-", build.const(1))
        if isinstance(start, gast.Constant):
            last = build.const(start.value - 1)
        return build.call(build.name("range"), [first, last, build.const(-1)])
    # the last value taken: start + ((stop - start - sign) // s) * s
    sign = 1 if s > 0 else -1
    span = build.binop(build.binop(build.clone(stop), "-", build.clone(start)), "-",
                       build.const(sign))
    first = build.binop(build.clone(start), "+",
                        build.binop(build.binop(span, "//", build.const(s)), "*", build.const(s)))
    last = build.binop(build.clone(start), "-", build.const(sign))
    return build.call(build.name("range"), [first, last, build.const(-s)])


def _comment_for(unit, stmt):
    return build.comment(unit.src.comment_line(getattr(stmt, "lineno", 0)))


def _header(unit, stmt):
    return unit.src.comment_line(getattr(stmt, "lineno", 0)) or "loop"
