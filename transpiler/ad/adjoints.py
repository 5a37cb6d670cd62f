"""Phase A of reverse mode for straight-line statements: the adjoint code of each.

Walking a block backwards, each statement becomes a ``Rec`` holding the code that adds
its contribution to the adjoints of its operands: derivative rules inlined from the
primitive table, calls to user functions through their ``f_fwd``/``f_bwd`` pair,
element reads and writes of buffers, list appends and pops, and the write form of
runtime helpers (``rt.add_at``).  The static ``State`` says which adjoints are zero
(no code is emitted for them) and which are dense arrays this sweep owns and may
update in place.
"""
import gast

from ..analysis import avals as A
from ..analysis import kinds as K
from ..analysis import ops as O
from ..ir import build
from ..ir.walk import Renamer, dotted_name, subnodes
from ..rules import registry
from ..rules.registry import IN_PLACE
from .containers import leaf
from .common import Rec, short_name, located
from .sites import RuleSites


class AdjointRecords(RuleSites):
    """Methods of ``ReverseMode`` (``ad/reverse.py``), which holds the analyses they read."""

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
        shape = self.shapes.known_shape(var)
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
                known = self.shapes.known_shape(operand.id)
                if known is not None:
                    shapes.append(known)
        try:
            return bool(shapes) and A.broadcast_shapes(*shapes) == tuple(shape)
        except A.ShapeError:
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
        rec.code = self._specialise(code, rec.stmt)

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
        rec.code = self._specialise(code, rec.stmt)
        return rec

    def _specialise(self, code, origin):
        return located(code, origin, self.shapes, reverse=True)

    def _rule(self, stmt, op, target, g, rec):
        site = self._rule_site(stmt, op)
        if site is None:
            return [], []
        op, rule, bindings, _, wanted = site
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
                       for node in code + list(exprs.values()) for n in subnodes(node))
        ans = target
        if uses_ans and target in set(op.operand_names()):
            rec.capture = self.namer.fresh(target + "_out")
            ans = rec.capture
        rename = Renamer({placeholder: ans})
        code = [rename.visit(c) for c in code]
        exprs = {k: rename.visit(e) for k, e in exprs.items()}
        return code, [(wanted[slot], exprs[slot]) for slot in wanted]

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
        saved = self.namer.fresh(short_name(op) + "_saved")
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
        parts = self.namer.fresh(short_name(op) + "_adjoints")
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
        rec.code = self._specialise(code, rec.stmt)
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
        rec.code = self._specialise(code, rec.stmt)
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
        rec.code = self._specialise(code, rec.stmt)
        return rec

