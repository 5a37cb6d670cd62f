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

``ReverseMode`` holds the analyses (activity, shapes, kinds, memory, stability) and the
two phases' entry points; its methods live by concern:

* ``ad/adjoints.py`` — phase A for straight-line statements (``AdjointRecords``);
* ``ad/loops.py`` — branches and loops, both phases (``LoopReversal``);
* ``ad/tape.py`` — phase B: tape placement, copies and undone writes (``TapePlacement``);
* ``ad/remat.py`` — recomputing cheap values instead of taping them;
* ``ad/common.py`` — the records, the adjoint state and small helpers they share.
"""
import gast

from ..analysis import avals as A
from ..analysis import kinds as K
from ..ir import build
from ..ir.naming import adjoint_name
from ..analysis.real_values import check_real_values
from .containers import SplitContainers, leaf_base_name
from .stability import Stability
from .common import FoldShapes, State, written_names, is_break_check
from .adjoints import AdjointRecords
from .loops import LoopReversal
from .tape import TapePlacement
from .remat import Rematerialisation
from ..ir.walk import subnodes


class ReverseMode(AdjointRecords, LoopReversal, TapePlacement, Rematerialisation):
    """Differentiate ``unit.fn`` (core language) with respect to ``wrt``.

    Args:
      unit: the normalised unit.
      wrt: parameter names to differentiate with respect to.
      output: the name of the value being differentiated.
      callees: an object with ``vjp(function, mask, at)`` returning
        ``(fwd_name, bwd_name)`` for user functions called with active arguments.
    """

    def __init__(self, unit, wrt, output, callees, arg_avals=None, hazards=()):
        _, self.hazards = self._analyse(unit, wrt, output, callees, arg_avals, hazards)
        self.split = SplitContainers(self.fn, self.activity, self.shapes)
        self.primals = self._primal_names()
        self.stability = Stability(self.fn)
        if self.hazards and arg_avals is not None:
            self._raise_hazard()
        check_real_values(unit, self.activity, self.shapes)
        self.adjoints = {}
        self.stacks = {}
        self.slot_stacks = {}
        self.loop_vars = {}
        self.loop_depth = 0
        self.dry = False
        self.written = written_names(self.fn)
        self._shape_reader = None

    # ------------------------------------------------------------ zeros
    def _zero(self, var):
        """The zero adjoint of ``var`` where control flow joins or a loop starts: ``0.0``
        (it broadcasts), or, for a backend whose variables have one type each (Numba),
        zeros of ``var``'s shape when it is an array (``callees.module.type_stable``)."""
        aval = self._typed_array(var)
        if aval is None:
            return build.const(0.0)
        if None not in aval.shape:              # sizes known or read from the parameters
            if self._shape_reader is None:
                self._shape_reader = FoldShapes(self.shapes, reverse=True)
            shape = self._shape_reader.shape_expr(aval.shape)
            if shape is not None:
                return build.call("np.zeros", [shape])
        if isinstance(var, tuple):
            return build.const(0.0)            # an item of a container, its size not known
        return build.call("np.zeros", [build.call("np.shape", [build.name(var)])])

    def _unstable(self, var):
        """Must the adjoint of ``var`` (not an item of a container) be a full array?"""
        return not isinstance(var, tuple) and self._typed_array(var) is not None

    def _typed_array(self, var):
        """For a backend with one type per variable, the abstract value of ``var`` (or of
        an item of a split container) when it is an array of rank 1 or more; else None."""
        if not self.callees.module.type_stable:
            return None
        if isinstance(var, tuple):
            _, name, key = var
            container = self.shapes.aval(name)
            try:
                if isinstance(container, A.Dict):
                    aval = container.get(key)
                elif isinstance(container, A.Seq) and container.items is not None:
                    aval = container.items[key]
                else:
                    return None
            except (KeyError, IndexError, TypeError):
                return None
        else:
            aval = self.shapes.aval(var)
        return aval if isinstance(aval, A.Array) and aval.shape else None

    # ------------------------------------------------------------ names
    def _primal_names(self):
        names = set(build.param_names(self.fn))
        for node in subnodes(self.fn):
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
            if is_break_check(stmt):
                recs[index] = None          # handled by the caller's split
                continue
            recs[index] = self._stmt(stmt, state)
        return recs
