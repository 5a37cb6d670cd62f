"""Device code for the CUDA backend (``backends/cuda.py``): a generated function made
what one GPU thread can run, or refused at the user's line.

Device code cannot allocate arrays, call NumPy's array functions or keep lists.
``DeviceCode`` rewrites what has a scalar form (NumPy ufuncs of scalars as ``math``
functions, a few helpers of ``runtime/cuda_support.py``) and refuses the rest;
``write_in_place`` makes a per-example function that returns an array write it into the
output row it is given instead.
"""
import operator

import gast
import numpy as np

import runtime
from ..analysis import avals as A
from ..ir import build
from ..ir.walk import subnodes

# NumPy ufuncs of scalars as the ``math`` functions device code has
_MATH = {np.exp: "exp", np.log: "log", np.log1p: "log1p", np.expm1: "expm1",
         np.sqrt: "sqrt", np.sin: "sin", np.cos: "cos", np.tan: "tan", np.arcsin: "asin",
         np.arccos: "acos", np.arctan: "atan", np.arctan2: "atan2", np.sinh: "sinh",
         np.cosh: "cosh", np.tanh: "tanh", np.arcsinh: "asinh", np.arccosh: "acosh",
         np.arctanh: "atanh", np.floor: "floor", np.ceil: "ceil", np.hypot: "hypot",
         np.fabs: "fabs", np.log2: "log2", np.log10: "log10"}
_BUILTINS = {np.abs: "abs"}
_HELPERS = {np.shape: "shape", np.where: "select", np.sign: "sign", np.divide: "divide",
            np.true_divide: "divide", np.power: "power", np.float_power: "power",
            np.maximum: "maximum", np.minimum: "minimum", operator.itruediv: "divide",
            operator.ipow: "power"}
# (``s += v`` of a user function called is ``s = iadd(s, v)``: of scalars, ``s + v``)
_OPERATORS = {np.add: "+", np.subtract: "-", np.multiply: "*", operator.iadd: "+",
              operator.isub: "-", operator.imul: "*"}
_SCALAR_BUILTINS = (abs, min, max, float, int, bool, range, len)
_CASTS = (np.float64, np.float32, np.int64, np.int32, np.bool_)
_ALLOCATIONS = (runtime.zeros_like, np.zeros_like, np.zeros)


class DeviceCode:
    """One generated function made device code: NumPy ufuncs of scalars as ``math``
    functions, ``rt.as_gradient`` of a scalar as the value itself (the result array's
    dtype casts it); anything else that is not scalar code refused at its line.

    Elementwise code (``scalars``) has only scalars (and tuples of them): there the
    adjoint helpers of broadcasting are the identity (``rt.unbroadcast(c, x, out)`` is
    ``c``) and a gradient's seed ``rt.seed(out)`` is 1.0."""

    def __init__(self, env, src, fn, scalars, shapes=None):
        self.env, self.src, self.fn, self.scalars = env, src, fn, scalars
        self.shapes = shapes                  # per-example code: which values are arrays
        self.generated = {name for name, obj in env.bindings.items()
                          if type(obj).__name__ == "_Placeholder"}

    def lower(self):
        self.block(self.fn.body)

    def block(self, stmts):
        for stmt in stmts:
            if build.is_comment(stmt):
                continue
            if isinstance(stmt, (gast.If, gast.While, gast.For)):
                if isinstance(stmt, gast.For):
                    self.expression(stmt.iter, stmt)
                self.block(stmt.body)
                self.block(stmt.orelse)
            elif isinstance(stmt, gast.Assign):
                self.check_scalar(stmt)
                stmt.value = self.expression(stmt.value, stmt)
            elif isinstance(stmt, gast.AugAssign):
                self.expression(stmt.value, stmt)
            elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
                func = stmt.value.func
                if isinstance(func, gast.Attribute) and func.attr == "append":
                    raise self.refuse(stmt, "a list that grows (the tape of a loop whose "
                                      "values the derivative reads)", _TAPE_HINT)
                self.expression(stmt.value, stmt)
            elif not isinstance(stmt, (gast.Return, gast.Break, gast.Continue, gast.Pass)):
                raise self.refuse(stmt, "`%s`" % type(stmt).__name__.lower(),
                                  "leave it out of the function run on the device.")

    def expression(self, node, stmt):
        if isinstance(node, (gast.List, gast.Dict)):
            raise self.refuse(stmt, "a list or dict (such as the tape a loop's derivative "
                              "keeps)", _TAPE_HINT)
        if isinstance(node, gast.Call):
            return self.call(node, stmt)
        for sub in subnodes(node):
            if sub is not node and isinstance(sub, gast.Call):
                self.call(sub, stmt)
        return node

    def call(self, node, stmt):
        func = node.func
        if isinstance(func, gast.Attribute) and func.attr == "pop":
            raise self.refuse(stmt, "a list (a tape)", _TAPE_HINT)
        target = self.env.lookup(func)
        if isinstance(func, gast.Name) and func.id in self.generated:
            return node                             # another device function
        if target is runtime.as_gradient and len(node.args) == 2:
            return node.args[0]
        if self.scalars and target is runtime.unbroadcast and len(node.args) == 3:
            return node.args[0]
        if self.scalars and target is runtime.seed:
            return build.const(1.0, at=node)
        if target in _OPERATORS and len(node.args) == 2 and not node.keywords:
            return build.binop(node.args[0], _OPERATORS[target], node.args[1], at=node)
        if target in (np.negative, np.square) and len(node.args) == 1 and not node.keywords:
            x = node.args[0]
            return build.unop("-", x, at=node) if target is np.negative else \
                build.binop(x, "*", build.clone(x), at=node)
        if target in _MATH:
            node.func = build.dotted("math." + _MATH[target], at=node)
        elif target in _BUILTINS:
            node.func = build.name(_BUILTINS[target], at=node)
        elif target in _HELPERS:
            node.func = build.dotted("rt_cuda." + _HELPERS[target], at=node)
        elif target in _ALLOCATIONS:
            raise self.refuse(stmt, "an array made inside the function (`%s`)"
                              % _spelling(func), "compute with scalars; only the result of "
                              "the function jit runs is written in place (an array a "
                              "function it calls returns is not: write that loop inline).")
        elif not (getattr(target, "__module__", None) == "math" or target in _SCALAR_BUILTINS
                  or target in _CASTS or self.helper(func)):
            raise self.refuse(stmt, "`%s`" % _spelling(func), "on the device, use scalar "
                              "arithmetic, math functions and loops over array elements.")
        if node.keywords:
            raise self.refuse(stmt, "keyword arguments to `%s`" % _spelling(func),
                              "pass them by position.")
        return node

    def check_scalar(self, stmt):
        """Refuse arithmetic or a call making an array (a view, an item, a device
        function's result are not made here)."""
        target, value = stmt.targets[0], stmt.value
        if self.shapes is None or not isinstance(target, gast.Name) or not isinstance(
                value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Call)):
            return
        if isinstance(value, gast.Call) and (self.helper(value.func) or (
                isinstance(value.func, gast.Name) and value.func.id in self.generated)):
            return
        aval = self.shapes.aval(target.id)
        if isinstance(aval, A.Array) and aval.rank:
            raise self.refuse(stmt, "an operation making an array (of shape %s)"
                              % (tuple("n" if A.is_size(d) else d for d in aval.shape),),
                              "write a loop over the elements (`for j in range(x.shape[0])`) "
                              "computing scalars.")

    def helper(self, func):
        """Is ``func`` ``rt_cuda.<name>``, a device function of ``runtime/cuda_support.py``?"""
        return isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
            and self.env.bindings.get(func.value.id) is self.env.bindings.get("rt_cuda")

    def refuse(self, stmt, what, hint):
        return self.src.error(located(stmt, self.fn), "backend=\"cuda\": %s cannot run in a "
                              "CUDA device function (device code cannot allocate arrays, call "
                              "NumPy's array functions or keep lists)" % what, hint)


def located(node, fn):
    """``node``, or the function ``fn`` it is in where the transform made ``node`` up (no
    line of the user's): what an error points at."""
    return node if getattr(node, "lineno", None) else fn


_TAPE_HINT = ("on the device, write loops whose derivative needs no tape (values "
              "recomputed from the arguments), or use backend=\"numba\".")


def _spelling(func):
    if isinstance(func, gast.Name):
        return func.id
    if isinstance(func, gast.Attribute):
        return "%s.%s" % (_spelling(func.value), func.attr)
    return "the callee"


def write_in_place(fn, env, src):
    """The per-example function ``fn`` returning an array made to write the result into
    its last parameter ``out`` instead: the array it returns is allocated once, with
    zeros, in its top-level code; that allocation becomes ``rt_cuda.fill(out, 0.0)`` and
    a copy of ``out``."""
    ret = fn.body[-1]
    copies = {}
    allocation = {}
    for stmt in fn.body:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            value = stmt.value
            if isinstance(value, gast.Call) and env.lookup(value.func) is runtime.as_gradient:
                value = value.args[0]              # the scalar's value (DeviceCode)
            if isinstance(value, gast.Name):
                copies[target] = value.id
            elif isinstance(stmt.value, gast.Call) and \
                    env.lookup(stmt.value.func) in _ALLOCATIONS:
                allocation[target] = stmt
    name = ret.value.id if isinstance(ret.value, gast.Name) else None
    chain = []
    while name in copies:
        chain.append(name)
        name = copies[name]
    stmt = allocation.get(name)
    if stmt is None or len(fn.args.kwonlyargs) or sum(
            1 for n in subnodes(fn) if isinstance(n, gast.Name) and n.id == name
            and isinstance(n.ctx, gast.Store)) != 1:
        raise src.error(located(ret, fn), "backend=\"cuda\": the result of one example is "
                        "an array, which device code must write into the output row, but "
                        "this function's code does not make it (once, with zeros) and fill "
                        "it by items: an array a called function returns cannot be",
                        "build the result as `out = np.zeros_like(x)` followed by writes "
                        "`out[j] = ...`, with the loops of the functions it calls inline.")
    out = "out"
    while out in {n.id for n in subnodes(fn) if isinstance(n, gast.Name)}:
        out += "_"
    fn.args.args.append(build.name(out))
    fn.args.args[-1].ctx = gast.Param()
    stmt.value = build.name(out, at=stmt)
    fn.body.insert(fn.body.index(stmt), build.expr(build.call(
        "rt_cuda.fill", [build.name(out), build.const(0.0)], at=stmt), at=stmt))
    ret.value = build.const(None)
    # the copies of the result on its way to the return, now unused
    fn.body = [s for s in fn.body if not (isinstance(s, gast.Assign) and isinstance(
        s.targets[0], gast.Name) and s.targets[0].id in chain)]
