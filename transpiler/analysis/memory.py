"""The memory model: which names may share memory, at each statement.

Reverse mode treats every variable as a value; NumPy arrays are objects that several
names may refer to (copies ``b = a``, views ``v = a[1:]``, ``a.T``, rows ``for r in A``)
and that containers may hold (``L = [a]``).  A write into an array (``a[i] = v``,
``a *= 2``, ``rt.add_at(d, ...)``) changes what every name sharing its memory sees.
This analysis follows, flow-sensitively and through loops to a fixed point:

    share[v]   the names whose memory may overlap v's (same object, views of one buffer)
    holds[c]   the names whose objects the container c may hold as items
    args[v]    the parameters whose memory v's object may overlap
    reach[v]   the parameters v may lead to, through items too

Names, not abstract objects, are tracked: ``cur, nxt = nxt, cur`` keeps ``cur`` and
``nxt`` apart (they never share), which an allocation-site analysis could not see.
Values the abstract values say are immutable (Python and NumPy scalars, an element
read of an array) share nothing.  Where a call's result lives comes from the primitive
table's ``effects`` slot; a call to a user function may return views of its arguments.

One model serves three clients: the safety check (a write into an argument, or into
memory a name still used afterwards shares), tape placement (writes the reverse sweep
must undo because it reads what they overwrite), and the optimiser (which names an
in-place update touches; which values are never written, so equal ones may be merged).
"""
import gast

from ..ir.walk import dotted_name, subnodes
from ..rules import registry
from . import avals as A
from . import ops as O

_EMPTY = frozenset()


class State:
    """The sharing facts at one program point (``held_in`` is ``holds`` inverted)."""

    __slots__ = ("share", "holds", "args", "reach", "held_in")

    def __init__(self, share=None, holds=None, args=None, reach=None, held_in=None):
        self.share = share if share is not None else {}
        self.holds = holds if holds is not None else {}
        self.args = args if args is not None else {}
        self.reach = reach if reach is not None else {}
        if held_in is None:
            held_in = {}
            for container, held in self.holds.items():
                for item in held:
                    held_in[item] = held_in.get(item, _EMPTY) | {container}
        self.held_in = held_in

    def copy(self):
        return State(dict(self.share), dict(self.holds), dict(self.args), dict(self.reach),
                     dict(self.held_in))

    def __eq__(self, other):
        return (self.share == other.share and self.holds == other.holds
                and self.args == other.args and self.reach == other.reach)

    def join(self, other):
        out = self.copy()
        for table in ("share", "holds", "args", "reach", "held_in"):
            mine, theirs = getattr(out, table), getattr(other, table)
            for name, values in theirs.items():
                mine[name] = mine.get(name, _EMPTY) | values
        return out

    # ------------------------------------------------------------ updates
    # Tables keep no empty entries: states compare equal however they were reached.
    def _set_held(self, container, held):
        """``container`` now holds exactly ``held`` (``held_in`` follows)."""
        old = self.holds.get(container, _EMPTY)
        for item in old - held:
            _put(self.held_in, item, self.held_in[item] - {container})
        for item in held - old:
            self.held_in[item] = self.held_in.get(item, _EMPTY) | {container}
        _put(self.holds, container, held)

    def kill(self, name):
        """``name`` is bound to a new object: it shares and holds nothing yet.  Containers
        that held its old object still do; they now reach it through the names that
        shared it."""
        others = self.share.pop(name, _EMPTY)
        for other in others:
            _put(self.share, other, self.share.get(other, _EMPTY) - {name})
        self._set_held(name, _EMPTY)
        for container in self.held_in.get(name, _EMPTY):
            self._set_held(container, (self.holds.get(container, _EMPTY) - {name}) | others)
        self.args.pop(name, None)
        self.reach.pop(name, None)

    def alias(self, name, of):
        """``name`` may share memory with ``of`` and with everything ``of`` shares with."""
        group = {of} | self.share.get(of, _EMPTY)
        group.discard(name)
        _put(self.share, name, self.share.get(name, _EMPTY) | group)
        for other in group:
            self.share[other] = self.share.get(other, _EMPTY) | {name}
        for container in self.held_in.get(of, _EMPTY):
            self._set_held(container, self.holds[container] | {name})
        if of in self.holds:
            self._set_held(name, self.holds.get(name, _EMPTY) | self.holds[of])
        for table in (self.args, self.reach):
            if of in table:
                table[name] = table.get(name, _EMPTY) | table[of]

    def hold(self, container, item):
        """The container ``container`` may now hold ``item``'s object."""
        self._set_held(container, self.holds.get(container, _EMPTY) | {item})
        if item in self.reach:
            self.reach[container] = self.reach.get(container, _EMPTY) | self.reach[item]

    def hold_items_of(self, name, source, is_array):
        """``name`` is a new container of ``source``'s items (of its rows: views, for an
        array, or when ``source`` may be one)."""
        for item in self.holds.get(source, _EMPTY):
            self.hold(name, item)
        if not is_array and source in self.holds:
            if source in self.reach:
                self.reach[name] = self.reach.get(name, _EMPTY) | self.reach[source]
            return
        self.hold(name, source)

    def element_of(self, name, container):
        """``name`` is an item read from ``container``: it may be any of its items."""
        for item in self.holds.get(container, _EMPTY):
            if item != name:
                self.alias(name, item)
        self.hold(container, name)
        self.reaches_through(name, container)

    def reaches_through(self, name, container):
        """``name`` came out of ``container``: it may reach (and be) any parameter the
        container reaches."""
        if container in self.reach:
            reached = self.reach[container]
            self.args[name] = self.args.get(name, _EMPTY) | reached
            self.reach[name] = self.reach.get(name, _EMPTY) | reached

    # ------------------------------------------------------------ queries
    def sharers(self, name):
        """Names that see a write into ``name``'s memory (``name`` excluded): those that
        share it, and the containers that (through other containers) hold any of them."""
        seen = {name} | self.share.get(name, _EMPTY)
        todo = list(seen)
        while todo:
            for container in self.held_in.get(todo.pop(), _EMPTY):
                if container not in seen:
                    seen.add(container)
                    todo.append(container)
        seen.discard(name)
        return seen


class Memory:
    """Run the model over a function; answer questions about its statements.

    Args:
      fn, env: the function (core language, or generated code) and its environment.
      ops: ``ops.classify_function(fn, env)``.
      shapes: an ``analysis.shapes.Shapes`` (or None): values it knows are immutable
        share nothing, and an element read of an array is a copy.
    """

    def __init__(self, fn, env, ops=None, shapes=None):
        self.fn = fn
        self.env = env
        self.ops = ops if ops is not None else O.classify_function(fn, env)
        self.shapes = shapes
        self.before = {}               # statement -> State before it (writes only)
        self.writes = {}               # statement -> the name whose memory it writes
        self.all_shares = {}           # name -> every name it may share memory with
        self.written = set()           # names whose memory some statement writes
        self._mutated = None
        self._operands = {}
        params = [a.id for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]
        state = State()
        for p in params:
            state.args[p] = frozenset({p})
            state.reach[p] = frozenset({p})
        # names a function reads but never binds (a backward function's saved values,
        # before the statement unpacking them is added): from one place outside, so any
        # two may share memory
        for name in _free_names(fn, env, params):
            state.alias(name, _OUTSIDE)
        self.params = params
        self.exit = self._block(fn.body, state)

    # ------------------------------------------------------------ queries
    def sharers(self, stmt, name):
        """Names that may share memory with ``name`` just before ``stmt`` (a write)."""
        state = self.before.get(stmt)
        return state.sharers(name) if state is not None else set()

    def arguments(self, stmt, name):
        """Parameters whose memory ``name``'s object may overlap, just before ``stmt``."""
        state = self.before.get(stmt)
        return set(state.args.get(name, _EMPTY)) if state is not None else set()

    def written_name(self, stmt):
        return self.writes.get(stmt)

    def affected(self, name):
        """Every name that may see an in-place update of ``name`` anywhere (for the
        optimiser: flow-insensitive)."""
        return set(self.all_shares.get(name, ()))

    def mutated(self):
        """Every name whose object may be written in place somewhere (or shares memory
        with one that is): values that must not be merged with equal ones."""
        if self._mutated is None:
            out = set(self.written)
            for name in self.written:
                out |= self.all_shares.get(name, set())
            self._mutated = out
        return self._mutated

    # ------------------------------------------------------------ transfer
    def _immutable(self, name):
        if self.shapes is None:
            return False
        return _immutable_value(self.shapes.aval(name))

    def may_hold(self, name, state):
        """Whether ``name`` may be a container (a list or dict, whose items a write to
        it can add or take away) at ``state``: known to be one, or of unknown type and
        holding something there."""
        aval = self._aval(name)
        if aval is None:
            return self.shapes is None or name in state.holds
        return not (isinstance(aval, (A.Array, A.Const)) or _immutable_value(aval))

    def may_contain(self, name):
        """Whether ``name`` may be a container or tuple (holding other objects): not
        when it is known to be an array or a number."""
        return not isinstance(self._aval(name), (A.Array, A.Const))

    def _aval(self, name):
        return self.shapes.aval(name) if self.shapes is not None else None

    def _is_array(self, name):
        aval = self._aval(name)
        return isinstance(aval, A.Array) and aval.kind == A.NDARRAY

    def _record(self, stmt, state, written):
        self.before[stmt] = state.copy()
        self.writes[stmt] = written
        self.written.add(written)
        for other in state.sharers(written):
            self.all_shares.setdefault(written, set()).add(other)

    def _remember(self, state, name):
        """Keep, flow-insensitively, who sees writes into ``name`` and whom ``name``
        sees (sharing is mutual; a container sees its items, not the other way)."""
        for other in state.sharers(name):
            self.all_shares.setdefault(name, set()).add(other)
        for other in state.share.get(name, _EMPTY):
            self.all_shares.setdefault(other, set()).add(name)

    def _block(self, stmts, state):
        for stmt in stmts:
            state = self._stmt(stmt, state)
        return state

    def _stmt(self, stmt, state):
        if isinstance(stmt, gast.If):
            body = self._block(stmt.body, state.copy())
            orelse = self._block(stmt.orelse, state.copy())
            return body.join(orelse)
        if isinstance(stmt, (gast.For, gast.While)):
            return self._loop(stmt, state)
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                self._assign(stmt, target.id, state)
            elif isinstance(target, gast.Tuple):
                self._unpack(stmt, target, state)
            elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                self._record(stmt, state, target.value.id)
                if isinstance(stmt.value, gast.Name) and not self._immutable(stmt.value.id) \
                        and not self._is_array(target.value.id):
                    # a list or dict now holds the value (an array copies it in)
                    state.hold(target.value.id, stmt.value.id)
            return state
        if isinstance(stmt, gast.AugAssign):
            target = stmt.target
            base = target.value if isinstance(target, gast.Subscript) else target
            if isinstance(base, gast.Name):
                if isinstance(target, gast.Name) and self._immutable(base.id):
                    state.kill(base.id)
                else:
                    self._record(stmt, state, base.id)
            return state
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            self._call_statement(stmt, stmt.value, state)
        return state

    def _loop(self, stmt, state):
        head = state
        for _ in range(50):
            body = head.copy()
            if isinstance(stmt, gast.For):
                body.kill(stmt.target.id)
            body = self._block(stmt.body, body)
            joined = head.join(body)
            if joined == head:
                break
            head = joined
        return head

    def _assign(self, stmt, target, state):
        op = self.ops.get(stmt)
        sources = self._sources(stmt, op, target, state)
        state.kill(target)
        if self._immutable(target):
            return
        kind, names = sources
        if kind == "view":
            for name in names:
                state.alias(target, name)
        elif kind == "element":
            for name in names:
                state.element_of(target, name)
        elif kind == "literal":
            for name in names:
                state.hold(target, name)
        elif kind == "view+element":
            for name in names:
                state.alias(target, name)
                state.element_of(target, name)
        elif kind == "holds":
            for name in names:
                state.hold_items_of(target, name, self._is_array(name))
        self._remember(state, target)

    def _sources(self, stmt, op, target, state):
        """``(how, names)``: how the value assigned relates to the names it comes from --
        "view" (may share their memory), "element" (an item of those containers),
        "holds" (a new container holding them) or "fresh"."""
        if op is None:
            return "fresh", ()
        if stmt not in self._operands:          # loops run their bodies again
            self._operands[stmt] = op.operand_names()
        names = [n for n in self._operands[stmt] if not self._immutable(n)]
        if op.kind == O.COPY:
            return "view", names
        if op.kind == O.GETITEM:
            base = op.node.value.id if isinstance(op.node.value, gast.Name) else None
            if base is None:
                return "fresh", ()
            aval = self.shapes.aval(base) if self.shapes is not None else None
            if isinstance(aval, A.Array):
                if not _basic_index(op.node.slice, self.shapes):
                    return "fresh", ()                # advanced indexing copies
                return "view", [base]
            if isinstance(aval, (A.Seq, A.Dict)):
                return "element", [base]
            return "view+element", [base]             # not known which
        if op.kind == O.CONTAINER:
            values = op.node.values if isinstance(op.node, gast.Dict) else op.node.elts
            return "literal", [v.id for v in values if isinstance(v, gast.Name)
                               and not self._immutable(v.id)]
        if op.kind == O.POP:
            self._record(stmt, state, op.node.func.value.id)
            return "element", [op.node.func.value.id]
        if op.kind == O.RULE:
            effects = op.rule.effects
            self._written_by_call(stmt, op.node, effects, state)
            if effects.result == "fresh":
                return "fresh", ()
            chosen = _at_positions(op, effects.operands)
            chosen = [n for n in chosen if not self._immutable(n)]
            return effects.result, chosen
        if op.kind in (O.USER, O.CUSTOM, O.UNKNOWN):
            return "view", names                   # may return its arguments or views
        return "fresh", ()

    def _unpack(self, stmt, target, state):
        """``a, b = t`` or ``a, b = f(...)`` (generated code): each name is an item of
        the tuple (of what ``t`` holds; a call's result may be its arguments or views)."""
        op = self.ops.get(stmt)
        kind, names = self._sources(stmt, op, None, state) if op is not None else ("fresh", ())
        for elt in target.elts:
            if not isinstance(elt, gast.Name):
                continue
            state.kill(elt.id)
            if self._immutable(elt.id):
                continue
            for name in names:
                if kind == "view" and isinstance(stmt.value, gast.Name):
                    self._item_of(state, elt.id, name)
                else:
                    state.alias(elt.id, name)
            self._remember(state, elt.id)

    def _item_of(self, state, name, container):
        """``name`` is one item of the tuple ``container`` taken apart: any item it is
        known to hold (built here), or, for a tuple from outside (a backward function's
        saved values), an object of its own -- its positions hold distinct values."""
        if state.holds.get(container):
            state.element_of(name, container)
        else:
            state.reaches_through(name, container)

    def _call_statement(self, stmt, call, state):
        op = self.ops.get(stmt)
        if op is None:
            return
        if op.kind == O.APPEND:
            owner = call.func.value.id
            self._record(stmt, state, owner)
            for arg in op.args:
                if isinstance(arg, gast.Name) and not self._immutable(arg.id):
                    state.hold(owner, arg.id)
            return
        if op.kind == O.POP:
            self._record(stmt, state, call.func.value.id)
            return
        if op.kind == O.RULE:
            self._written_by_call(stmt, call, op.rule.effects, state)
            return
        if isinstance(call.func, gast.Attribute) and dotted_name(call.func) is None:
            # a method of a local value (lst.extend, ...): it may change it
            owner = call.func.value
            if isinstance(owner, gast.Name):
                self._record(stmt, state, owner.id)

    def _written_by_call(self, stmt, call, effects, state):
        for position in effects.writes:
            if position < len(call.args) and isinstance(call.args[position], gast.Name) \
                    and not self._immutable(call.args[position].id):
                self._record(stmt, state, call.args[position].id)


_OUTSIDE = "<outside>"


def _put(table, key, value):
    if value:
        table[key] = value
    else:
        table.pop(key, None)


def _immutable_value(aval):
    """Numbers, constants, and tuples of them: nothing any write can change."""
    if isinstance(aval, A.Array):
        return not aval.mutable
    if isinstance(aval, A.Const):
        return True
    if isinstance(aval, A.Seq) and aval.kind == "tuple" and aval.items is not None:
        return all(_immutable_value(item) for item in aval.items)
    return False


def _free_names(fn, env, params):
    stored, loaded = set(params), {}
    for node in subnodes(fn):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, (gast.Store, gast.Param)):
                stored.add(node.id)
            else:
                loaded[node.id] = None              # first-read order, once each
    return [n for n in loaded if n not in stored and env.lookup(gast.Name(
        n, gast.Load(), None, None)) is None]


def _at_positions(op, positions):
    names = []
    for k in positions:
        if k < len(op.args) and isinstance(op.args[k], gast.Name):
            names.append(op.args[k].id)
    return names


def _basic_index(index, shapes):
    """Integers, slices, None and Ellipsis only (NumPy's views); arrays copy."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    for part in parts:
        if isinstance(part, (gast.Slice, gast.Constant)):
            continue
        if isinstance(part, gast.Name):
            aval = shapes.aval(part.id)
            if isinstance(aval, A.Array) and aval.shape == () and aval.dtype is not None \
                    and aval.dtype.kind in "iu":
                continue
        return False
    return True


def call_writes(call, env):
    """Names an expression's call writes in place (for code the model has not run on)."""
    rule = registry.lookup(env.lookup(call.func))
    if rule is None:
        return set()
    return {call.args[k].id for k in rule.effects.writes
            if k < len(call.args) and isinstance(call.args[k], gast.Name)}
