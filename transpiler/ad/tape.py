"""Phase B of reverse mode: where values go on the tape, and which writes are undone.

A value the adjoint code of statement S reads is pushed in the forward sweep (and popped
back just before S's adjoint code) only if it may change between S and S's reverse:
redefined after S or inside a loop around S.  Outside loops a named variable holds it.
Arrays written in place whose contents earlier statements' adjoint code reads have the
overwritten slot saved and written back (``_undo_needed``); views such a write changes,
and buffers written further down, go on the tape as copies (``copied``,
``_written_later``).  Questions about memory are answered by ``analysis.memory``.
"""
import gast

from ..analysis import avals as A
from ..analysis import kinds as K
from ..ir import build
from ..ir.walk import subnodes
from .common import (Parts, loop_targets, assigned_names, content_reads, walk_recs, unique,
                     comment_for, SIMPLE)


class TapePlacement:
    """Methods of ``ReverseMode`` (``ad/reverse.py``), which holds the analyses they read."""

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
        for rec in walk_recs(recs):
            where = self.stability.position[rec.stmt][0]
            for stmt in rec.code + rec.before + rec.body_tail + rec.else_tail:
                for name in content_reads(stmt, self.primals, self.env, self.kinds):
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

    def _writes_changing(self, name):
        """``(position, loops around it)`` of each write that may change ``name``'s
        contents."""
        for stmt_id, written in self.memory.writes.items():
            if name == written or name in self.memory.affected(written):
                yield self.stability.position[stmt_id][0], self.stability.loops[stmt_id]

    def _changed_after(self, name, where):
        """May a write change ``name``'s contents after position ``where`` (or in a loop
        around it) and before its reverse?"""
        return any(where < first or _inside(loops, where)
                   for first, loops in self._writes_changing(name))

    def _written_later(self, var, at):
        """Is array ``var`` written in place after ``at``, further down (not in a loop
        around both)?  The tape keeps a copy of it then: the reverse sweep would see the
        right values through the write's undo, but the tape would share memory with a
        buffer the forward sweep writes, which its own derivative cannot allow."""
        where = self.stability.position.get(at)
        if where is None or self.kinds.get(var) != K.ARRAY:
            return False
        return any(where[0] < first and not _inside(loops, where[0])
                   for first, loops in self._writes_changing(var))

    def _undo_needed(self, stmt, written):
        """Must the reverse sweep undo this write into ``written``?  Yes if the adjoint
        code of a statement that runs before it (or in a loop around both) reads the
        contents of ``written`` or of any name that may share its memory at any time
        (after ``cur, nxt = nxt, cur`` the buffer written as ``nxt`` was read as ``cur``
        an iteration earlier).  Adjoint code of later statements runs before the undo
        and sees the memory as the forward sweep left it, as it should."""
        first = self.stability.position[stmt][0]
        loops = self.stability.loops[stmt]
        for name in {written} | self.memory.affected(written):
            for where in self.content_read.get(name, ()):
                if where < first or _inside(loops, where):
                    return True
        return False

    def _reads(self, stmts):
        return [n.id for s in stmts for n in subnodes(s)
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
        if var in self.copied or self._written_later(var, at):
            value = build.call("np.copy", [value])     # a later write changes it
        push, popped = self._tape_pair(var, value, at, self._stack)
        return push, build.assign(into or var, popped)

    def _kept(self, stmt, var, role):
        """Does ``var`` reach the reverse of ``stmt`` as it was, without the tape?  Not if
        it is redefined in between, or is a view whose contents a write changes."""
        if var in self.copied and self._changed_after(var, self.stability.position[stmt][0]):
            return False
        return self.stability.stable(stmt, var, role)

    def _tape(self, stmt, reads_in, reads_out):
        """Pushes around a compound ``stmt`` and the pops for the values its reverse reads."""
        pre, post, pops_out, pops_in = [], [], [], []
        for var in unique(reads_in):
            if var not in self.loop_vars and not self._kept(stmt, var, "in"):
                push, pop = self._save(var, stmt)
                pre.append(push)
                pops_in.insert(0, pop)
        for var in unique(reads_out):
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
        parts = [self._simple_parts(r) if r.kind in SIMPLE else None for r in recs]
        versions, groups = {}, {}
        for i, (rec, part) in enumerate(zip(recs, parts)):
            if part is None:
                for var in assigned_names([rec.stmt]) | loop_targets(rec.stmt):
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
                    r = [comment_for(self.unit, rec.stmt)] + part.capture + restore + part.code
            forward += f
            reverse = r + reverse
        return forward, reverse

    def _simple_parts(self, rec):
        """What an assignment, element write or append needs from the tape."""
        stmt = rec.stmt
        part = Parts()
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
        for var in unique(reads_in):
            if var not in self.loop_vars and not self._kept(stmt, var, "in"):
                if var in self.copied or not self._rematerialise(var, stmt, part):
                    part.tape_in.append(var)
        for var in unique(reads_out):
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


def _inside(loops, where):
    """Is position ``where`` inside one of the loops ``(first, last)``?"""
    return any(lo <= where <= hi for lo, hi in loops)
