"""Control flow in reverse mode: joins of branches, loops to a fixed point, and
reversed loops.

Phase A: where branches join, an adjoint that is zero on one path is made ``0.0`` on
that path; a loop's body is differentiated until the zero/dense state at its head stops
changing.  Phase B: a ``for`` over a range runs backwards over the reversed range; a loop
that can stop early (``break``, ``while``) counts its iterations in the forward sweep
and runs that many times backwards, popping what each iteration pushed.
"""
import gast

from ..ir import build
from ..ir.walk import subnodes
from .common import (State, Rec, ordered, negate, is_break_check, assigned_names,
                     range_parts, reversed_range, comment_for, header)


class LoopReversal:
    """Methods of ``ReverseMode`` (``ad/reverse.py``), which holds the analyses they read."""

    # -- control flow
    def _join(self, states, tails):
        """Merge branch states; append zero-materialisations to each branch's tail."""
        nz = set().union(*(s.nz for s in states))
        dense = set.intersection(*(s.dense for s in states)) if states else set()
        for s, tail in zip(states, tails):
            for var in ordered(nz - s.nz):
                tail.append(build.assign(self.dname(var, store=True), self._zero(var)))
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
        body_defs = assigned_names(stmt.body)
        target = stmt.target.id if isinstance(stmt, gast.For) else None
        if target is not None:
            body_defs.add(target)
            # the loop variable after the loop is range's, not an earlier value
            state.nz.discard(target)
            state.dense.discard(target)
        head = state.copy()
        # Arrays defined before the loop and indexed in it: one dense adjoint, made before
        # the reverse loop and updated in place by every iteration.
        for var in ordered(self._densified_in(stmt.body) - body_defs):
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
        for var in ordered(head.nz - state.nz):
            if var in head.dense:
                rec.before.append(build.assign(self.dname(var, store=True),
                                               build.call("rt.zeros_like", [build.name(var)])))
            else:
                rec.before.append(build.assign(self.dname(var, store=True), self._zero(var)))
        # adjoints the loop updates in place enter it full-size; under Numba so does one
        # that may stand for its broadcast (the seed 1.0 of a sum): one type per variable
        full = (head.dense & state.nz) | {v for v in head.nz & state.nz if self._unstable(v)}
        for var in ordered(full - state.dense):
            rec.before.append(build.assign(
                self.dname(var, store=True), build.call("rt.dense", [self.dname(var), build.name(var)])))
        trial = head.copy()
        rec.body = self._block_with_breaks(stmt.body, trial)
        if target is not None:
            trial.nz.discard(target)
            trial.dense.discard(target)
        for var in ordered(head.nz - trial.nz):
            rec.body_tail.append(build.assign(self.dname(var, store=True), self._zero(var)))
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
            for node in subnodes(stmt):
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
            if is_break_check(stmts[index]):
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
                rev = build.if_(negate(test), r_else, at=stmt)
            return pre + [fwd] + post, pops + [comment_for(self.unit, stmt), rev]
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
        has_break = any(is_break_check(s) for s in stmt.body)
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
        start, stop, step = range_parts(args) if is_for else (None, None, None)
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
            rev_loop = build.for_(loop_var, reversed_range(start, stop, step), r_body, at=stmt)
        comment = build.comment("reverse of: " + header(self.unit, stmt))
        return pre + pre_f + [stmt] + post, pops + list(rec.before) + [comment, rev_loop]
