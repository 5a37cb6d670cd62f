"""Batching: a core-language function of one example -> the function of a batch.

One walk, in program order, over the per-example function (its abstract values are an
example's: the analyses run on the code as the user wrote it).  Every batched value
(``analysis.Batched``) carries the batch axis first; each statement is rewritten by
what it is:

* a call of a primitive by the table's batching rule (``rules/batching.py``): the
  vectorised call a person would write (``np.sum(x, axis=1)``, ``x[:, None] * y``);
* an element read or write by index arithmetic (``x[:, i]``, ``x[np.arange(n), i]``);
* a call of a user function by that function's batched version (``f_vmap``), made once
  per (function, batched parameters, signature) in the same module;
* a value the same for every example that a batched name must hold (a buffer batched
  values are written into, a value carried around a loop with batched ones) by
  ``rt.broadcast_batch`` -- a copy, which may be written in place.

Control flow on unbatched values stays as it is.  An ``if`` on a batched test runs both
branches and selects per example (``np.where``) when both are safe to run for every
example (assignments of pure operations: nothing written, appended or printed); a
``while`` on a batched test runs until no example goes on, each step's assignments
selected by the examples still running (JAX's batched while loop).  Where a call has
no rule that fits, that call runs per example in a loop of its own; where control flow
cannot be masked, the whole function runs per example (``NeedsLoop``; the loop form,
``package.loop_function``), which is also the reference semantics the tests hold the
vectorised code to.
"""
import gast
import numpy as np

import runtime as rt

from ..analysis import avals as A
from ..analysis import ops as O
from ..ad.common import is_break_check
from ..ir import build
from ..ir.walk import Renamer, subnodes
from ..rules.batching import NoRule
from .analysis import Batched, is_shape_query


class NeedsLoop(Exception):
    """The function runs per example (its control flow cannot be batched)."""

    def __init__(self, reason, stmt=None):
        super().__init__(reason)
        self.reason = reason
        self.stmt = stmt


class BatchMode:
    """Batch ``unit.fn`` (core language, per-example abstract values ``arg_avals``) in
    the parameters ``batched_params`` (batch axis first)."""

    def __init__(self, unit, batched_params, callees, arg_avals, size_name):
        from ..analysis.memory import Memory
        from ..analysis.shapes import Shapes
        self.unit, self.fn, self.env, self.namer = unit, unit.fn, unit.env, unit.namer
        self.callees = callees
        self.ops = O.classify_function(self.fn, self.env)
        self.shapes = Shapes(self.fn, self.env, self.ops, arg_avals, callees=callees)
        self.memory = Memory(self.fn, self.env, self.ops, self.shapes)
        self.batched = Batched(self.fn, self.env, self.ops, batched_params, self.shapes,
                               self.memory)
        self.params = build.param_names(self.fn)
        # does the function write into any array in place?
        self.writes = any(isinstance(stmt, gast.Assign) and
                          isinstance(stmt.targets[0], gast.Subscript) or
                          op.kind == O.RULE and op.rule.effects.writes
                          for stmt, op in self.ops.items())
        self.size = size_name
        self.uses_size = False
        # loops over the examples the batched code runs (calls no rule batches)
        self.example_loops = 0
        # inside code that runs for every example and is selected afterwards (a batched
        # if's branches, a batched while's body): nothing there may raise for an example
        # that would not have run it
        self.masked = False

    # ------------------------------------------------------------ helpers
    def is_batched(self, atom):
        return self.batched.is_batched(atom)

    def aval(self, atom):
        if isinstance(atom, gast.Name):
            return self.shapes.aval(atom.id)
        return self.shapes.atom(atom)

    def rank(self, atom):
        aval = self.aval(atom)
        return aval.rank if isinstance(aval, A.Array) else None

    def batch_size(self):
        self.uses_size = True
        return build.name(self.size)

    def broadcast(self, atom, stmt):
        """``atom`` (the same for every example) given the batch axis: each leaf of a
        container of known structure (a container's leaves are all batched or none)."""
        return self._broadcast(build.clone(atom), self.aval(atom), stmt)

    def _broadcast(self, expr, aval, stmt):
        if isinstance(aval, A.Array):
            return build.call("rt.broadcast_batch", [expr, self.batch_size()])
        if isinstance(aval, A.Const):
            return expr                        # None, a string: no leaves
        if isinstance(aval, A.Seq) and aval.items is not None:
            items = [self._broadcast(build.subscript(build.clone(expr), build.const(k)),
                                     item, stmt) for k, item in enumerate(aval.items)]
            return build.tuple_(items) if aval.kind == "tuple" else build.list_(items)
        if isinstance(aval, A.Dict):
            return build.dict_([build.const(k) for k, _ in aval.items],
                               [self._broadcast(build.subscript(build.clone(expr),
                                                                build.const(k)), item, stmt)
                                for k, item in aval.items])
        raise NeedsLoop("a value of unknown structure, the same for every example, meets "
                        "batched values", stmt)

    def expand(self, atom, rank):
        """A batched atom with the per-example rank ``rank``: axes after the batch axis."""
        own = self.rank(atom)
        if own is None:
            raise NoRule("rank not known")
        if own >= rank:
            return build.clone(atom)
        index = build.tuple_([build.slice_()] + [build.const(None)] * (rank - own))
        return build.subscript(build.clone(atom), index)

    # ------------------------------------------------------------ entry point
    def batch(self):
        """The batched statements of the body (the return left to the caller)."""
        return self._block(self.fn.body[:-1])

    def _block(self, stmts):
        out = []
        for stmt in stmts:
            out += self._stmt(stmt)
        return out

    def _stmt(self, stmt):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                return self._assign(stmt)
            return self._setitem(stmt)
        if isinstance(stmt, gast.Expr):
            return self._expr(stmt)
        if isinstance(stmt, gast.If):
            return self._if(stmt)
        if isinstance(stmt, gast.For):
            return self._for(stmt)
        if isinstance(stmt, gast.While):
            return self._while(stmt)
        if isinstance(stmt, (gast.Assert, gast.Raise)):
            if any(isinstance(n, gast.Name) and self.batched.is_batched(n)
                   for n in subnodes(stmt)):
                raise NeedsLoop("an assert or raise on a batched value", stmt)
            return [stmt]
        return [stmt]

    # ------------------------------------------------------------ assignments
    def _assign(self, stmt):
        target = stmt.targets[0].id
        op = self.ops.get(stmt)
        batched_operands = [n for n in op.operand_names() if n in self.batched]
        if target not in self.batched:
            if batched_operands and is_shape_query(op, self.shapes):
                return [build.assign(target, self._shape_query(op), at=stmt)]
            if batched_operands:
                return [build.assign(target, self._example_shaped(op), at=stmt)]
            return [stmt]
        if not batched_operands and op.kind != O.POP:
            return self._made_batched(stmt, target, op)
        if op.kind in (O.COPY, O.POP):
            return [stmt]
        if op.kind == O.GETITEM:
            return self._getitem(stmt, target, op)
        if op.kind == O.CONTAINER:
            return [build.assign(target, self._container(op, stmt), at=stmt)]
        if op.kind == O.RULE:
            return self._rule(stmt, target, op)
        if op.kind == O.USER:
            return self._user_call(stmt, target, op)
        return self._per_example(stmt, target, "a call with no batching rule")

    def _made_batched(self, stmt, target, op):
        """A value the same for every example, held by a batched name."""
        if op.kind == O.CONTAINER:
            return [build.assign(target, self._container(op, stmt), at=stmt)]
        return [stmt, build.assign(target, self.broadcast(build.name(target), stmt), at=stmt)]

    def _container(self, op, stmt):
        literal = build.clone(op.node)
        items = literal.values if isinstance(literal, gast.Dict) else literal.elts
        for k, item in enumerate(items):
            if not self.is_batched(item):
                items[k] = self.broadcast(item, stmt)
        return literal

    def _shape_query(self, op):
        """``len(x)``, ``np.shape(x)``, ``np.ndim(x)``, ``np.size(x)`` of a batched x:
        an example's, the same for every example."""
        x = build.clone(op.args[0])
        if not isinstance(self.aval(op.args[0]), A.Array) or op.callee is rt.itemsize:
            return build.clone(op.node)         # a list's length, an item's size: its own
        shape = build.call("np.shape", [x])
        if op.callee is len:
            return build.subscript(shape, build.const(1))
        if op.callee is np.shape:
            return build.subscript(shape, build.slice_(build.const(1)))
        if op.callee is np.ndim:
            return build.binop(build.call("np.ndim", [x]), "-", build.const(1))
        return build.call("int", [build.call("np.prod", [         # np.size
            build.subscript(shape, build.slice_(build.const(1)))])])

    def _example_shaped(self, op):
        """A call reading batched operands for their shape alone (``rt.seed(out)``,
        ``rt.unbroadcast(1.0, x, out)``): each given as a value of an example's shape
        and dtype (``rt.example_like``: a view of one zero), so the call is what it is
        for every example."""
        call = build.clone(op.node)
        for k in op.rule.shape_only:
            if k < len(call.args) and self.is_batched(call.args[k]):
                call.args[k] = build.call("rt.example_like", [call.args[k]])
        return call

    def _rule(self, stmt, target, op):
        rule = op.rule
        site = Site(self, stmt, op)
        try:
            expr = rule.batch(site)
        except NoRule as exc:
            return self._per_example(stmt, target, exc.args[0])
        return site.before + [build.assign(target, expr, at=stmt)]

    def _user_call(self, stmt, target, op):
        atoms = list(op.args) + [v for _, v in op.keywords]
        mask = tuple(self.is_batched(a) for a in atoms)
        name, size = self.callees.batched(op, mask, stmt, self.unit, self.shapes)
        call = build.call(build.name(name), [build.clone(a) for a in op.args])
        call.keywords = [build.keyword(k, build.clone(v)) for k, v in op.keywords]
        call.keywords.append(build.keyword(size, self.batch_size()))
        return [build.assign(target, call, at=stmt)]

    # ------------------------------------------------------------ indexing
    def _components(self, index):
        return list(index.elts) if isinstance(index, gast.Tuple) else [index]

    def _is_advanced(self, part):
        """Is this component of an index an array (advanced indexing)?  NoRule where it
        is not known to be an array or a number: a tuple held in a variable indexes
        several axes at once, which a batch axis in front would change."""
        if isinstance(part, (gast.Slice, gast.Constant)):
            return False
        rank = self.rank(part)
        if rank is None:
            raise NoRule("an index component that is not known to be a number or an array")
        return rank > 0

    def _batched_index(self, base, index, stmt, read=True):
        """The index of the batched expression for ``base[index]``, where the base or a
        component of the index is batched; NoRule where NumPy's indexing cannot say it
        (a ``read`` with a batched boolean mask, which selects a different number of
        elements per example, makes the whole function run per example)."""
        parts = self._components(index)
        base_batched = self.is_batched(base)
        batched_parts = [p for p in parts if any(
            isinstance(n, gast.Name) and self.batched.is_batched(n) for n in subnodes(p))]
        if not batched_parts:
            advanced = [k for k, p in enumerate(parts) if self._is_advanced(p)]
            if advanced and advanced[-1] - advanced[0] + 1 != len(advanced):
                raise NoRule("advanced indices apart")
            return build.tuple_([build.slice_()] + [build.clone(p) for p in parts])
        if self.masked:
            raise NeedsLoop("a batched index read where not every example runs the code: "
                            "it may be out of range for the others", stmt)
        if any(isinstance(p, gast.Slice) for p in parts):
            raise NoRule("a batched index next to a slice, or a batched slice")
        avals = [self.aval(p) for p in parts]
        if read and len(parts) == 1 and isinstance(avals[0], A.Array) and \
                avals[0].dtype is not None and avals[0].dtype.kind == "b":
            raise NeedsLoop("a batched boolean mask selects a different number of elements "
                            "per example", stmt)
        if not all(isinstance(p, gast.Constant) or isinstance(a, A.Array) and a.rank is not None
                   and a.dtype is not None and a.dtype.kind in "iu" for p, a in zip(parts, avals)):
            raise NoRule("a batched index that is not an integer")
        # integer arrays (and numbers) on every axis indexed: they broadcast together per
        # example, so each batched one gets the axes it lacks after the batch axis, and a
        # batched base is indexed by its row too
        rank = max(0 if isinstance(p, gast.Constant) else a.rank for p, a in zip(parts, avals))
        index = [self.expand(p, rank) if p in batched_parts else build.clone(p) for p in parts]
        if base_batched:
            rows = build.call("np.arange", [self.batch_size()])
            if rank:
                rows = build.subscript(rows, build.tuple_([build.slice_()] +
                                                          [build.const(None)] * rank))
            index.insert(0, rows)
        return index[0] if len(index) == 1 else build.tuple_(index)

    def _getitem(self, stmt, target, op):
        node = op.node
        base = node.value
        if isinstance(self.aval(base), (A.Seq, A.Dict)):
            if not any(self.is_batched(p) for p in self._components(node.slice)):
                return [stmt]                # an item of a batched container: batched
            return self._per_example(stmt, target, "an item of a container at a batched index")
        if self.rank(base) is None:
            return self._per_example(stmt, target, "the rank of the indexed value is not known")
        try:
            index = self._batched_index(base, node.slice, stmt)
        except NoRule as exc:
            return self._per_example(stmt, target, exc.args[0])
        value = build.subscript(build.clone(base), index)
        aval = self.shapes.aval(target)
        if self.is_batched(base) and self.writes and isinstance(aval, A.Array) and \
                aval.rank == 0:
            # an element read is a copy in each example, a view of the batch's column
            # here: copied, or a later write into the buffer would change it
            value = build.call("np.copy", [value])
        return [build.assign(target, value, at=stmt)]

    def _setitem(self, stmt):
        target = stmt.targets[0]
        buffer = target.value
        if not self.is_batched(buffer):
            return [stmt]
        aval = self.aval(buffer)
        if isinstance(aval, (A.Seq, A.Dict)):
            if any(self.is_batched(p) for p in self._components(target.slice)):
                raise NeedsLoop("a write into a container at a batched index", stmt)
            value = stmt.value if self.is_batched(stmt.value) else \
                self.broadcast(stmt.value, stmt)
            return [build.assign(build.clone(target), value, at=stmt)]
        if self._whole_mask(buffer, target.slice, stmt.value):
            # `out[out > limit] = 0.0`: a mask of the buffer's shape selects in the batch
            # as in each example
            return [stmt]
        try:
            index = self._batched_index(buffer, target.slice, stmt, read=False)
        except NoRule:
            return self._per_example_write(stmt)
        value = stmt.value
        if self.is_batched(value):
            slot = self.shapes.index_aval(buffer.id, target.slice)
            if not isinstance(slot, A.Array) or slot.rank is None:
                return self._per_example_write(stmt)
            try:
                value = self.expand(value, slot.rank)
            except NoRule:
                return self._per_example_write(stmt)
        else:
            value = build.clone(value)
        write = build.subscript(build.clone(buffer), index, store=True)
        return [build.assign(write, value, at=stmt)]

    def _whole_mask(self, buffer, index, value):
        """Is ``buffer[index] = value`` a write through a batched boolean mask of the
        buffer's own shape, of one number the same for every example?"""
        if isinstance(index, gast.Tuple) or not self.is_batched(index) or \
                self.is_batched(value) or self.rank(value) != 0:
            return False
        mask = self.aval(index)
        return isinstance(mask, A.Array) and mask.dtype is not None and \
            mask.dtype.kind == "b" and mask.rank is not None and mask.rank == self.rank(buffer)

    # ------------------------------------------------------------ per example
    def _example(self, node, example):
        """``node`` with each batched name ``x`` read as ``x[b]``."""
        node = build.clone(node)

        class Reads(gast.NodeTransformer):
            def visit_Name(inner, name):          # noqa: N805
                if isinstance(name.ctx, gast.Load) and name.id in self.batched:
                    aval = self.shapes.aval(name.id)
                    if not isinstance(aval, A.Array):
                        return build.call("rt.example_of", [build.name(name.id),
                                                            build.name(example)])
                    return build.subscript(build.name(name.id), build.name(example))
                return name
        return Reads().visit(node)

    def _per_example(self, stmt, target, why):
        """``target = <call>`` run once per example: the results stacked."""
        if self.masked:
            raise NeedsLoop("a call run per example (%s) where not every example runs "
                            "the code" % why, stmt)
        aval = self.shapes.aval(target)
        stack = "np.stack" if isinstance(aval, A.Array) else "rt.stack_examples"
        self.example_loops += 1
        example = self.namer.fresh("example")
        results = self.namer.fresh(target + "_examples")
        value = self._example(stmt.value, example)
        loop = build.for_(build.name(example, store=True),
                          build.call("range", [self.batch_size()]),
                          [build.expr(build.call(build.attr(build.name(results), "append"),
                                                 [value]))], at=stmt)
        return [build.comment("one example at a time (no batching rule for this call)", at=stmt),
                build.assign(results, build.list_([]), at=stmt), loop,
                build.assign(target, build.call(stack, [build.name(results)]), at=stmt)]

    def _per_example_write(self, stmt):
        target = stmt.targets[0]
        buffer = target.value.id
        if not isinstance(self.shapes.aval(buffer), A.Array):
            raise NeedsLoop("a write into a container, per example", stmt)
        parts = self._components(target.slice)
        if any(isinstance(p, gast.Name) and isinstance(self.aval(p), A.Seq) and
               self.aval(p).kind == "tuple" for p in parts):
            raise NeedsLoop("a write at an index held as a tuple, per example", stmt)
        self.example_loops += 1
        example = self.namer.fresh("example")
        # the example's row and the index in one subscript (`d[example, i] = v`): code
        # that is fed back through the compiler never writes into a nested element
        index = self._example(build.tuple_(parts), example)
        value = self._example(stmt.value, example)
        body = [build.assign(build.subscript(build.name(buffer), build.tuple_(
            [build.name(example)] + list(index.elts)), store=True), value, at=stmt)]
        return [build.for_(build.name(example, store=True),
                           build.call("range", [self.batch_size()]), body, at=stmt)]

    # ------------------------------------------------------------ statements
    def _expr(self, stmt):
        op = self.ops.get(stmt)
        if op is None:
            return [stmt]
        if op.kind == O.APPEND:
            owner = stmt.value.func.value
            if not self.is_batched(owner):
                return [stmt]
            item = op.args[0]
            if self.is_batched(item):
                return [stmt]
            call = build.call(build.attr(build.clone(owner), "append"),
                              [self.broadcast(item, stmt)])
            return [build.expr(call, at=stmt)]
        if op.kind == O.POP:
            return [stmt]
        batched = [n for n in op.operand_names() if n in self.batched]
        if not batched:
            return [stmt]
        if op.kind == O.RULE and op.rule.name == "print":
            return [stmt]
        if op.kind == O.RULE and op.rule.effects.writes:
            written = op.args[op.rule.effects.writes[0]]
            if isinstance(self.shapes.aval(written.id), A.Array):
                self.example_loops += 1
                example = self.namer.fresh("example")
                call = self._example(stmt.value, example)
                if op.callee is rt.add_at and len(op.args) == 3 and not op.keywords:
                    # `rt.add_at(d, (example, i), g)`, not into the view `d[example]`: code
                    # reverse mode takes again (it refuses a write through a view it reads)
                    call.args[0] = build.clone(written)
                    call.args[1] = self._example_index(op.args[1], example)
                return [build.for_(build.name(example, store=True),
                                   build.call("range", [self.batch_size()]),
                                   [build.expr(call)], at=stmt)]
        raise NeedsLoop("a call statement on batched values", stmt)

    def _example_index(self, index, example):
        """The index of example ``example``'s ``index`` in a batched buffer: the example's
        row first (``(example, i)``, a list ``i`` an array of indices; ``(example,) + i``
        for a tuple of them)."""
        row = build.name(example)
        aval = self.aval(index)
        if isinstance(aval, A.Seq) and aval.kind == "tuple":
            return build.binop(build.tuple_([row]), "+", self._example(index, example))
        return build.tuple_([row, self._example(index, example)])

    def _test(self, test):
        node = test.operand if isinstance(test, gast.UnaryOp) else test
        return node, isinstance(test, gast.UnaryOp)

    def _if(self, stmt):
        test, negated = self._test(stmt.test)
        if not self.is_batched(test):
            new = build.if_(build.clone(stmt.test), self._block(stmt.body) or [build.pass_()],
                            self._block(stmt.orelse), at=stmt)
            return [new]
        self._check_maskable(stmt.body + stmt.orelse, stmt)
        self._check_test(test, stmt)
        mask = build.clone(test)
        then, orelse = (stmt.orelse, stmt.body) if negated else (stmt.body, stmt.orelse)
        masked, self.masked = self.masked, True
        try:
            code, then_names = self._branch(then, "then")
            more, else_names = self._branch(orelse, "else")
        finally:
            self.masked = masked
        code += more
        for name in sorted(set(then_names) | set(else_names)):
            first = then_names.get(name, name)
            second = else_names.get(name, name)
            if name not in self.params and not _defined_outside(self.fn, stmt, name) and \
                    (name not in then_names or name not in else_names):
                # bound on one path only: where the other runs, the name has no value
                value = build.name(then_names.get(name) or else_names[name])
            else:
                value = self._select(mask, name, first, second)
            code.append(build.assign(name, value, at=stmt))
        return [build.comment("both branches, selected per example", at=stmt)] + code

    def _select(self, mask, name, first, second):
        """``np.where(mask, first, second)`` for ``name``, the per-example mask (one bool
        per example) given the axes of ``name``'s examples."""
        aval = self.shapes.aval(name)
        if not isinstance(aval, A.Array) or aval.rank is None:
            raise NeedsLoop("a branch assigns a container, or a value of unknown rank, on a "
                            "batched condition")
        if aval.rank:
            mask = build.subscript(mask, build.tuple_([build.slice_()] +
                                                      [build.const(None)] * aval.rank))
        return build.call("np.where", [mask, build.name(first), build.name(second)])

    def _check_test(self, test, stmt):
        """A batched test selects per example: it must be one truth value per example."""
        if self.rank(test) != 0:
            raise NeedsLoop("a batched condition that is not one value per example", stmt)

    def _branch(self, stmts, label):
        """One branch batched, with what it assigns renamed (``x_then``): a name read
        before the branch assigns it starts as a copy of its value before the ``if``."""
        code = self._block(stmts)
        assigned = sorted({n.id for s in code for n in subnodes(s)
                           if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)})
        renames = {name: self.namer.fresh("%s_%s" % (name, label)) for name in assigned}
        start = [build.assign(renames[n], build.name(n)) for n in assigned
                 if _read_before_write(code, n)]
        code = [Renamer(renames).visit(build.clone(s)) for s in code]
        return start + code, renames

    def _check_maskable(self, stmts, where):
        """Every statement may run for every example: assignments of pure operations
        and nested ifs only."""
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                self._check_maskable(stmt.body + stmt.orelse, where)
                continue
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                op = self.ops.get(stmt)
                if op.kind in (O.RULE,) and not op.rule.effects.pure:
                    raise NeedsLoop("a call with an effect under a batched condition", stmt)
                if op.kind in (O.POP, O.UNKNOWN, O.CUSTOM):
                    raise NeedsLoop("a call under a batched condition", stmt)
                continue
            if build.is_comment(stmt) or isinstance(stmt, gast.Pass):
                continue
            raise NeedsLoop("a statement that cannot run for every example under a batched "
                            "condition", stmt)

    def _for(self, stmt):
        bounds = [n for n in subnodes(stmt.iter) if isinstance(n, gast.Name)]
        flags = [self._test(s.test)[0] for s in stmt.body if is_break_check(s)]
        if any(self.is_batched(b) for b in bounds) or any(self.is_batched(f) for f in flags):
            raise NeedsLoop("a loop whose trip count differs per example", stmt)
        body = self._block(stmt.body)
        target = stmt.target.id
        if target in self.batched:
            # the loop counts the same for every example, but the name holds batched
            # values elsewhere (the normaliser kept one name): each count, broadcast
            body.insert(0, build.assign(target, self.broadcast(build.name(target), stmt), at=stmt))
        new = gast.For(target=build.clone(stmt.target), iter=build.clone(stmt.iter),
                       body=body or [build.pass_()], orelse=[], type_comment=None)
        gast.copy_location(new, stmt)
        return [new]

    def _while(self, stmt):
        test, negated = self._test(stmt.test)
        flags = [self._test(s.test)[0] for s in stmt.body if is_break_check(s)]
        if not self.is_batched(test) and not any(self.is_batched(f) for f in flags):
            new = build.while_(build.clone(stmt.test), self._block(stmt.body) or
                               [build.pass_()], at=stmt)
            return [new]
        if flags or negated:
            raise NeedsLoop("a while loop with a break on batched values", stmt)
        self._check_maskable(stmt.body, stmt)
        self._check_test(test, stmt)
        # run while any example goes on; each step's assignments land only in the
        # examples still running (their test was true at the step's start)
        running = self.namer.fresh("running")
        masked, self.masked = self.masked, True
        try:
            code = self._block(stmt.body)
        finally:
            self.masked = masked
        # what an example keeps from the step: the values carried to the next step or
        # read after the loop, computed under another name and selected
        carried = sorted(self._carried(stmt))
        renames = {name: self.namer.fresh(name + "_step") for name in carried}
        start = [build.assign(running, build.clone(test), at=stmt)]
        start += [build.assign(renames[n], build.name(n)) for n in carried]
        code = [Renamer(renames).visit(build.clone(s)) for s in code]
        for name in carried:
            code.append(build.assign(name, self._select(build.name(running), name,
                                                        renames[name], name), at=stmt))
        loop = build.while_(build.call("np.any", [build.clone(test)]), start + code, at=stmt)
        return [build.comment("until every example is done; finished ones keep their values",
                              at=stmt), loop]

    def _carried(self, loop):
        """Names a loop may read before it assigns them, or that are read after it: what
        each example's last step must keep."""
        assigned_in = {n.id for n in subnodes(loop) if isinstance(n, gast.Name)
                       and isinstance(n.ctx, gast.Store)}
        inside = {id(n) for n in subnodes(loop)}
        read_outside = {n.id for n in subnodes(self.fn) if isinstance(n, gast.Name)
                        and isinstance(n.ctx, gast.Load) and id(n) not in inside}
        carried = set()
        for name in assigned_in:
            if name in read_outside or _read_before_write(loop.body, name) or \
                    _read_in(loop.test, name):
                if not _defined_outside(self.fn, loop, name) and name not in self.params:
                    raise NeedsLoop("`%s` is first defined inside a loop on batched values "
                                    "and used after it" % name, loop)
                carried.add(name)
        return carried


def _read_in(node, name):
    return any(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load)
               for n in subnodes(node))


def _read_before_write(stmts, name):
    for stmt in stmts:
        if isinstance(stmt, gast.Assign):
            if _read_in(stmt.value, name):
                return True
            if isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name:
                return False
        elif _read_in(stmt, name):
            return True
    return False


def _defined_outside(fn, loop, name):
    inside = set(id(n) for n in subnodes(loop))
    return any(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Store)
               and id(n) not in inside for n in subnodes(fn))


class Site:
    """A call of a primitive being batched: what its batching rule reads and rewrites."""

    def __init__(self, mode, stmt, op):
        self.mode, self.stmt, self.op = mode, stmt, op
        self.rule = op.rule
        self.callee = op.callee
        self.args = list(op.args)
        self.keywords = list(op.keywords)
        self.node = op.node
        self.before = []
        self.func = build.clone(op.node.func) if isinstance(op.node, gast.Call) else None
        self.is_operator = not isinstance(op.node, gast.Call)
        try:
            self.bindings, self.slots = op.rule_binding()
        except Exception:                          # noqa: BLE001 (no binding: no params)
            self.bindings, self.slots = {}, {}
        params = getattr(self.rule, "params", [])
        self.first_param = params[0] if params else None
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        aval = mode.shapes.aval(target.id) if isinstance(target, gast.Name) else None
        self.result_rank = aval.rank if isinstance(aval, A.Array) else None

    # reads
    def is_batched(self, atom):
        return self.mode.is_batched(atom)

    def rank(self, atom):
        return self.mode.rank(atom)

    def shape(self, atom):
        aval = self.mode.aval(atom)
        return aval.shape if isinstance(aval, A.Array) else None

    def is_list(self, atom):
        aval = self.mode.aval(atom)
        return isinstance(aval, A.Seq) and aval.kind == "list"

    def same_shaped_items(self, atom):
        """Are the items of a list arrays (or numbers), not lists to be nested?"""
        aval = self.mode.aval(atom)
        if not isinstance(aval, A.Seq):
            return False
        if aval.items is not None:
            return all(isinstance(i, A.Array) for i in aval.items)
        # a list built by appends: what each append adds
        added = [op.args[0] for stmt, op in self.mode.ops.items()
                 if op.kind == O.APPEND and stmt.value.func.value.id == atom.id]
        return bool(added) and all(isinstance(self.mode.aval(a), A.Array) for a in added)

    def operands(self):
        return list(enumerate(self.args)) + list(self.keywords)

    def _atom(self, key):
        if isinstance(key, int):
            return self.args[key]
        return dict(self.keywords)[key]

    def static_params(self):
        """Keys of the arguments that are options, not operands (not differentiable)."""
        if self.rule.template is None:
            return set()
        return {key for key, slot in self.slots.items() if slot[0] not in self.rule.diff
                and slot[1] is None}

    def param_key(self, name):
        for key, slot in self.slots.items():
            if slot[0] == name:
                return key
        return None

    def option(self, name, default=None):
        """The value of the parameter ``name`` known when the code is made, ``default``
        where the call does not pass it (NoRule where it is not known)."""
        key = self.param_key(name)
        return self.value(key) if key is not None else default

    def param_name(self, key):
        return key if isinstance(key, str) else self.slots[key][0]

    def value(self, key):
        """The value of the argument at ``key`` (a position or keyword), known when the
        code is made; NoRule if it is not."""
        atom = self._atom(key)
        if self.is_batched(atom):
            raise NoRule("a batched option")
        if isinstance(atom, gast.Constant):
            return atom.value
        aval = self.mode.aval(atom)
        try:
            value = A.static_value(aval)
        except (LookupError, TypeError):
            raise NoRule("an option not known when the code is made") from None
        if _has_size(value):
            raise NoRule("a size known only when the code runs")
        return value

    # writes
    def replace(self, key, expr):
        if isinstance(key, int):
            self.args[key] = expr
        else:
            self.keywords = [(k, expr if k == key else v) for k, v in self.keywords]

    def set_param(self, name, value):
        expr = self.const(value)
        key = self.param_key(name)
        if key is None:
            self.keywords.append((name, expr))
        else:
            self.replace(key, expr)

    def rename(self, path):
        self.func = build.dotted(path)
        self.is_operator = False

    def const(self, value):
        if isinstance(value, tuple):
            return build.tuple_([self.const(v) for v in value])
        if isinstance(value, gast.AST):
            return value
        return build.const(value)

    def expand(self, atom, rank):
        return self.mode.expand(atom, rank)

    def with_batch_size(self, shape):
        return build.tuple_([self.mode.batch_size()] + [self.const(d) for d in shape])

    def rebuilt(self):
        """The call (or operator) with the arguments as they now are."""
        node = build.clone(self.node)
        args = [build.clone(a) for a in self.args]
        if isinstance(node, gast.BinOp):
            node.left, node.right = args
            return node
        if isinstance(node, gast.Compare):
            node.left, node.comparators = args[0], [args[1]]
            return node
        if isinstance(node, gast.UnaryOp):
            if self.func is not None and not self.is_operator:
                return build.call(self.func, args)
            node.operand = args[0]
            return node
        node.func = self.func
        node.args = args
        node.keywords = [build.keyword(k, build.clone(v)) for k, v in self.keywords]
        return node

    def call(self, path, args, keywords=()):
        if path is None:
            saved, self.args = self.args, list(args)
            try:
                return self.rebuilt()
            finally:
                self.args = saved
        return build.call(build.dotted(path), [build.clone(a) if isinstance(a, gast.AST)
                                               else self.const(a) for a in args],
                          keywords=[(k, self.const(v)) for k, v in keywords])


def _has_size(value):
    if A.is_size(value):
        return True
    if isinstance(value, tuple):
        return any(_has_size(v) for v in value)
    return False
