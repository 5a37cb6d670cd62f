"""What the parts of reverse mode share: the records of phase A, the static state of
adjoints, and small helpers over statements and names."""
import collections
from dataclasses import dataclass, field

import gast
import numpy as np

from ..analysis import avals as A
from ..analysis import kinds as K
from ..ir import build
from ..ir.walk import dotted_name, parents, subnodes
from ..rules import registry


# ufuncs ``FoldShapes`` writes as operators once their operands' shapes are known
OPERATOR_UFUNCS = {"np.divide": "/", "np.power": "**"}
# record kinds phase B assembles as straight-line statements (``TapePlacement._assemble``)
SIMPLE = ("assign", "setitem", "append", "pop", "write")


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


@dataclass
class Parts:
    forward: list = field(default_factory=list)
    code: list = field(default_factory=list)
    capture: list = field(default_factory=list)
    tape_in: list = field(default_factory=list)
    tape_out: list = field(default_factory=list)
    target: str = None
    remat: list = field(default_factory=list)


def ordered(names):
    """Variables (names, and items of split containers) in a fixed order."""
    return sorted(names, key=lambda v: (isinstance(v, tuple), str(v)))


def single_definitions(fn):
    """name -> its assignment, for names assigned exactly once (and not as loop targets)."""
    count, where = {}, {}
    for node in subnodes(fn):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            name = node.targets[0].id
            count[name] = count.get(name, 0) + 1
            where[name] = node
        elif isinstance(node, gast.For):
            count[node.target.id] = count.get(node.target.id, 0) + 2
    return {name: where[name] for name, n in count.items() if n == 1}


def written_names(fn):
    names = set()
    for node in subnodes(fn):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Subscript):
            names.add(node.targets[0].value.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and node.func.attr == "append" and isinstance(node.func.value, gast.Name):
            names.add(node.func.value.id)
    return names


def same_code(a, b):
    return gast.dump(a) == gast.dump(b)


def loop_targets(stmt):
    if isinstance(stmt, gast.For):
        return {stmt.target.id}
    return set()


def negate(test):
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return build.clone(test.operand)
    return build.unop("not", build.clone(test))


def is_break_check(stmt):
    return (isinstance(stmt, gast.If) and len(stmt.body) == 1
            and isinstance(stmt.body[0], gast.Break) and not stmt.orelse)


def assigned_names(stmts):
    names = set()
    for stmt in stmts:
        for node in subnodes(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                names.add(node.id)
    return names


def content_reads(stmt, primals, env, kinds):
    """Primal names whose contents ``stmt`` reads (not arrays it reads the shape of: an
    array's shape never changes in place, a list's length does)."""
    shape_only = set()
    names = []
    for node in subnodes(stmt):
        if isinstance(node, gast.Call):
            rule = registry.lookup(env.lookup(node.func))
            for k in (rule.shape_only if rule is not None else ()):
                if k < len(node.args) and isinstance(node.args[k], gast.Name) \
                        and kinds.get(node.args[k].id) == K.ARRAY:
                    shape_only.add(id(node.args[k]))
        elif isinstance(node, gast.Name):
            names.append(node)
    return {n.id for n in names if n.id in primals and id(n) not in shape_only}


def walk_recs(recs):
    for rec in recs:
        if rec is None:
            continue
        yield rec
        yield from walk_recs(rec.body)
        yield from walk_recs(rec.orelse)


def unique(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def short_name(op):
    name = getattr(op.callee, "__name__", "call")
    return name if name.isidentifier() else "call"


def range_parts(args):
    if len(args) == 1:
        return build.const(0), args[0], build.const(1)
    if len(args) == 2:
        return args[0], args[1], build.const(1)
    return args[0], args[1], args[2]


def reversed_range(start, stop, step):
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


def comment_for(unit, stmt):
    return build.comment(unit.src.comment_line(getattr(stmt, "lineno", 0)))


def header(unit, stmt):
    return unit.src.comment_line(getattr(stmt, "lineno", 0)) or "loop"


class FoldShapes(gast.NodeTransformer):
    """``np.size(x)``, ``np.shape(x)``, ``np.ndim(x)``, ``len(x)`` of known shapes -> constants."""

    def __init__(self, shapes, reverse=False):
        self.shapes = shapes
        self.reverse = reverse
        self._sources = None

    def visit_Call(self, node):
        self.generic_visit(node)
        path = dotted_name(node.func)
        if path == "rt.broadcast_to" and len(node.args) == 2:
            shape = self._shape(node.args[1])
            if shape is not None:
                return build.call("np.broadcast_to", [node.args[0], shape_node(shape)])
            if self._has_shape_of(node.args[0], node.args[1]):
                return node.args[0]
            shape = self.shape_expr(self._symbolic_shape(node.args[1]))
            if shape is not None:
                return build.call("np.broadcast_to", [node.args[0], shape])
            return node
        if path == "rt.zeros_like" and len(node.args) == 1 and isinstance(node.args[0], gast.Name):
            aval = self.shapes.aval(node.args[0].id)
            if isinstance(aval, A.Array) and aval.shape and aval.dtype is not None \
                    and aval.dtype == np.dtype(np.float64) and aval.kind == A.NDARRAY:
                shape = self.shape_expr(self._symbolic_shape(node.args[0]))
                if shape is not None:
                    return build.call("np.zeros", [shape])
            return node
        if path == "rt.unbroadcast" and len(node.args) == 3:
            shape, out_shape = self._shape(node.args[1]), self._shape(node.args[2])
            if shape is not None and out_shape is not None:
                if shape == out_shape:
                    return node.args[0]
                return build.call("rt.sum_to", [node.args[0], shape_node(shape),
                                                shape_node(out_shape)])
            return self._summed(node)
        return self._folded_query(node, path)

    def _summed(self, node):
        """``rt.unbroadcast(c, x, out)`` where the shapes are known up to symbolic sizes:
        which dimensions ``out`` stretched is known (the dimensions of size 1), so the sum
        is written with its axes, and reads the sizes when it runs."""
        c, x, out = node.args
        shape, out_shape = self._symbolic_shape(x), self._symbolic_shape(out)
        if shape is None or out_shape is None or len(shape) > len(out_shape):
            return node
        if A.same_shape(shape, out_shape):
            return c
        if not self._has_shape_of(c, out):
            expr = self.shape_expr(out_shape)
            c = build.call("rt.broadcast_to", [c, build.clone(out)]) if expr is None else \
                build.call("np.broadcast_to", [c, expr])
        lead = len(out_shape) - len(shape)
        if any(d != r and (A.may_be_one(d) or A.may_be_one(r))
               for d, r in zip(shape, out_shape[lead:])):
            return node                      # stretched or not: the helper decides
        ones = tuple(lead + k for k, d in enumerate(shape)
                     if d == 1 and out_shape[lead + k] != 1)
        if ones:
            c = build.call("np.sum", [c], {"axis": _axes_node(ones),
                                           "keepdims": build.const(True)})
        if not shape:
            return build.call("np.sum", [c])
        if lead:
            c = build.call("np.sum", [c], {"axis": _axes_node(tuple(range(lead)))})
        return c

    def _symbolic_shape(self, node):
        """The shape of a name, every dimension an int or a symbolic size (else None)."""
        if isinstance(node, gast.Constant) and isinstance(node.value, (int, float)):
            return ()
        return self.shapes.known_shape(node.id) if isinstance(node, gast.Name) else None

    def shape_expr(self, shape):
        """An expression for ``shape`` (ints and symbolic sizes) that reads the symbolic
        sizes from the function's parameters (``np.shape(x)``, ``np.shape(x)[0]``), so
        that no value computed only for its shape is kept alive; None if a size has no
        parameter to read it from."""
        if shape is None:
            return None
        if all(type(d) is int for d in shape):
            return shape_node(shape)
        # the cheapest first: parameters (and the leaves of dict parameters), then leaves
        # read out of them, then any value (which must then be kept until the derivative
        # code runs)
        tiers = self._parameter_shapes()
        for last in range(len(tiers)):
            sources = [source for tier in tiers[:last + 1] for source in tier]
            for read, read_shape in sources:
                if read_shape == shape:
                    return build.call("np.shape", [read()])
            dims = [self._dim_expr(d, sources) for d in shape]
            if None not in dims:
                return build.tuple_(dims)
        return None

    def _dim_expr(self, dim, sources):
        if type(dim) is int:
            return build.const(dim)
        if not A.is_size(dim) or dim.offset < -2:
            return None                      # (below -2, n + offset may be negative)
        for read, read_shape in sources:
            for axis, d in enumerate(read_shape):
                if A.is_size(d) and d.root == dim.root and d.offset == 0:
                    size = build.subscript(build.call("np.shape", [read()]), build.const(axis))
                    return size if not dim.offset else \
                        build.binop(size, "-", build.const(-dim.offset))
        return None

    def _parameter_shapes(self):
        """(read, shape) of the arrays whose shapes hold wherever derivative code runs
        (``read()`` makes an expression for the array), in four tiers, the cheapest to
        keep first: the function's parameters it never assigns again; for the reverse
        sweep (which runs after the whole function), the names assigned once at its top
        level to a leaf read out of a parameter (``params_W = params['W']``); the leaves
        of its dict parameters that it only ever reads leaves out of (``params['W']``);
        and, for the reverse sweep, any other name assigned once at its top level."""
        if self._sources is None:
            fn = self.shapes.fn
            stores = collections.Counter(node.id for node in subnodes(fn)
                                         if isinstance(node, gast.Name)
                                         and isinstance(node.ctx, gast.Store))
            params = [a.id for a in fn.args.args + fn.args.kwonlyargs if not stores[a.id]]
            tiers = ([(name, _named(name), self.shapes.shape(name)) for name in params],
                     [], [], [])
            for name in params:
                aval = self.shapes.aval(name)
                if isinstance(aval, A.Dict) and _only_leaves_read(fn, name):
                    tiers[2].extend((name, _leaf(name, key), item.shape) for key, item in aval.items
                                    if isinstance(item, A.Array) and type(key) is str)
            if self.reverse:
                for stmt in fn.body:
                    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 \
                            and isinstance(stmt.targets[0], gast.Name) \
                            and stores[stmt.targets[0].id] == 1:
                        name = stmt.targets[0].id
                        leaf = isinstance(stmt.value, gast.Subscript) \
                            and isinstance(stmt.value.value, gast.Name) \
                            and isinstance(stmt.value.slice, gast.Constant)
                        tiers[1 if leaf else 3].append(
                            (name, _named(name), self.shapes.shape(name)))
            self._sources = tuple([(read, shape) for _, read, shape in tier
                                   if shape is not None and None not in shape]
                                  for tier in tiers)
        return self._sources

    def _has_shape_of(self, value, like):
        """Is ``value`` (an adjoint or tangent of ``like``'s shape, or broadcastable to
        it) certainly not broadcast: its dimensions of size 1 are those of ``like``?"""
        value_shape, like_shape = self._symbolic_shape(value), self._symbolic_shape(like)
        return value_shape is not None and like_shape is not None and \
            A.same_shape(value_shape, like_shape) and A.same_shape(like_shape, value_shape)

    def _folded_query(self, node, path):
        if path in OPERATOR_UFUNCS and len(node.args) == 2 and not node.keywords \
                and self._operator_is_safe(node.args):
            return build.binop(node.args[0], OPERATOR_UFUNCS[path], node.args[1])
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
        if shape is None:
            return self._symbolic_query(node, path, aval.shape)
        if path == "len" and not shape:
            return node
        if path == "np.size":
            return build.const(int(np.prod(shape)))
        if path == "len":
            return build.const(shape[0])
        return shape_node(shape)

    def _symbolic_query(self, node, path, shape):
        """``np.size``, ``np.shape`` or ``len`` of a value whose shape has symbolic sizes,
        read from the parameters that have them (``shape_expr``)."""
        if None in shape or (path == "len" and not shape):
            return node
        if path == "np.shape":
            return self.shape_expr(shape) or node
        if 0 in shape:
            return build.const(0)
        dims = self.shape_expr(shape)
        if dims is None:
            return node
        if not isinstance(dims, gast.Tuple):          # np.shape(v): v has this shape
            return build.call("len" if path == "len" else "np.size", [dims.args[0]])
        if path == "len":
            return dims.elts[0]
        dims = dims.elts
        product = dims[0]
        for d in dims[1:]:
            product = build.binop(product, "*", d)
        return product

    def _operator_is_safe(self, operands):
        """``np.divide(a, b)`` may be written ``a / b``: an operand is an array, so NumPy
        computes it (rules use the ufunc because ``/`` raises on Python floats), or both
        are numbers and the operator does not raise (``1 / 8``)."""
        if all(isinstance(o, gast.Constant) and isinstance(o.value, (int, float))
               and not isinstance(o.value, bool) for o in operands):
            return operands[1].value != 0
        if isinstance(operands[0], gast.Constant) and _is_size_read(operands[1]):
            return True                      # a symbolic size: at least 2
        names = [n for o in operands for n in arithmetic_names(o)]
        return any(self.shapes.shape(name) for name in names)

    def _shape(self, node):
        if isinstance(node, gast.Name):
            return self.shapes.static_shape(node.id)
        if isinstance(node, gast.Constant) and isinstance(node.value, (int, float)):
            return ()
        return None


def _named(name):
    return lambda: build.name(name)


def _leaf(name, key):
    return lambda: build.subscript(build.name(name), build.const(key))


def _only_leaves_read(fn, name):
    """Is every use of ``name`` in ``fn`` a read of one of its items by a constant key
    (so the dict never escapes, nor is changed)?"""
    parent_of = parents(fn)
    for node in subnodes(fn):
        if isinstance(node, gast.Name) and node.id == name and \
                not isinstance(node.ctx, gast.Param):
            parent = parent_of.get(id(node))
            if not (isinstance(parent, gast.Subscript) and parent.value is node
                    and isinstance(parent.ctx, gast.Load)
                    and isinstance(parent.slice, gast.Constant)):
                return False
    return True


def _is_size_read(node):
    """``np.shape(x)[k]``: how ``FoldShapes`` reads a symbolic size (never 0 or 1)."""
    return isinstance(node, gast.Subscript) and isinstance(node.value, gast.Call) \
        and dotted_name(node.value.func) == "np.shape"


def arithmetic_names(node):
    """The names an arithmetic expression combines (not those inside calls or indices)."""
    if isinstance(node, gast.Name):
        return [node.id]
    if isinstance(node, gast.BinOp):
        return arithmetic_names(node.left) + arithmetic_names(node.right)
    if isinstance(node, gast.UnaryOp):
        return arithmetic_names(node.operand)
    return []


def shape_node(shape):
    return build.tuple_([build.const(n) for n in shape])


def _axes_node(axes):
    return build.const(axes[0]) if len(axes) == 1 else shape_node(axes)


def located(code, origin, shapes, reverse=False):
    """Derivative statements as they go into generated code: shape queries of known
    shapes folded to constants, and every statement on the line of ``origin`` (the
    statement they differentiate), so that an error raised in them names the user's line
    (a rule's statements come with the lines of the rule's own module)."""
    folder = FoldShapes(shapes, reverse)
    code = [folder.visit(stmt) for stmt in code]
    lineno = getattr(origin, "lineno", None)
    for stmt in code:
        for node in subnodes(stmt):
            if isinstance(node, gast.stmt):
                node.lineno = lineno
    return code
