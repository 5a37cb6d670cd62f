"""The CUDA backend: ``jit(f, backend="cuda")`` as a numba-cuda kernel.

Two shapes of function run on the device, one thread each:

* an *elementwise* function -- ``jit(f)``, ``jit(grad(f))``: its code is generated for
  one element of each argument (scalars), the arguments are broadcast together, and
  thread ``i`` computes element ``i`` of the result, as a NumPy ufunc would;
* a *per-example* function -- ``jit(vmap(f))``, ``jit(vmap(grad(f)))``: its code is
  generated for one example (the per-example abstract values, as ``vmap``'s loop form
  uses), and thread ``i`` computes example ``i`` from row ``x[i]`` of each batched
  argument and the whole of each unbatched one.

The generated function becomes a device function (``cuda.jit(device=True)``) and a
kernel is added that reads its thread's elements and stores the result::

    def f_kernel(x, w, out):
        i = cuda.grid(1)
        if i < len(out):
            out[i] = f(x[i], w)
        return None

A result that is an array per example is written in place: the device function takes
its output row as a last parameter instead of allocating it (where the code allocates
the array it returns once, with zeros, and fills it by items).  Device code cannot
allocate arrays, call NumPy's array functions, or keep lists: ``lower`` refuses such
code at the user's line, saying what to write instead.  NumPy ufuncs of scalars become
``math`` functions; ``runtime/cuda_support.py`` has the few helpers the lowering needs.

``Launch`` runs the kernel: NumPy arguments are copied to the device and the result
back; device arrays (``cuda.to_device``, anything with ``__cuda_array_interface__``) are
taken as they are, and when every array argument is one, the result stays on the device.
"""
import inspect
import math
import types

import gast
import numpy as np

import runtime
from ..ad.callees import Callees
from ..analysis import avals as A
from ..analysis import ops as O
from ..analysis.shapes import Shapes
from ..errors import TranspileError
from ..ir import build
from ..ir.walk import subnodes

THREADS_PER_BLOCK = 128

# NumPy ufuncs of scalars as the ``math`` functions device code has
_MATH = {np.exp: "exp", np.log: "log", np.log1p: "log1p", np.expm1: "expm1",
         np.sqrt: "sqrt", np.sin: "sin", np.cos: "cos", np.tan: "tan", np.arcsin: "asin",
         np.arccos: "acos", np.arctan: "atan", np.arctan2: "atan2", np.sinh: "sinh",
         np.cosh: "cosh", np.tanh: "tanh", np.arcsinh: "asinh", np.arccosh: "acosh",
         np.arctanh: "atanh", np.floor: "floor", np.ceil: "ceil", np.hypot: "hypot",
         np.fabs: "fabs", np.log2: "log2", np.log10: "log10"}
_BUILTINS = {np.abs: "abs", np.maximum: "max", np.minimum: "min"}
_HELPERS = {np.shape: "shape", np.where: "select", np.sign: "sign", np.divide: "divide",
            np.true_divide: "divide", np.power: "power", np.float_power: "power"}
_OPERATORS = {np.add: "+", np.subtract: "-", np.multiply: "*"}
_SCALAR_BUILTINS = (abs, min, max, float, int, bool, range, len)
_CASTS = (np.float64, np.float32, np.int64, np.int32, np.bool_)
_ALLOCATIONS = (runtime.zeros_like, np.zeros_like, np.zeros)


def _cuda():
    from numba import cuda
    return cuda


# ------------------------------------------------------------ generation

def generate(jit, module, unit, name, arg_avals, check_only):
    """The function one thread runs (the elementwise or per-example code), with what
    ``Launch`` needs to know kept in ``module.cuda_launch``; None with ``check_only``."""
    from ..api import Batch
    from ..specialize.primal import fold_statics, primal_function
    transform = jit.inner
    if isinstance(transform, Batch):
        if transform.out_axes != 0:
            raise unit.error(unit.fn, "backend=\"cuda\" writes example i of the result at "
                             "index i: out_axes=%r is not supported" % (transform.out_axes,),
                             "move the axis after the call (np.moveaxis).")
        axes, avals = transform.example_avals(unit, arg_avals)
        mode = "examples"
        wrapped = getattr(unit.src.fn, "_transpiler_wraps", None)
        transform = None
        if wrapped is not None:                   # vmap(grad(f)): grad(f) per example
            transform = wrapped._transform
            unit = module.normalise(wrapped._fun)
    else:
        mode = "elements"
        avals = _element_avals(arg_avals, jit.static_names)
        axes = {p: 0 for p, v in (arg_avals or {}).items()
                if p not in jit.static_names and isinstance(v, A.Array) and v.rank}
    if transform is None:
        fn = primal_function(module, unit, name, avals, jit.static_names, check_only=check_only)
    else:
        fold_statics(unit, arg_avals, jit.static_names)
        fn = transform.generate(module, unit, name, avals, check_only)
    if fn is not None:
        statics = {p: A.static_value(arg_avals[p]) for p in jit.static_names
                   if arg_avals is not None and p in arg_avals}
        module.cuda_launch = {"mode": mode, "axes": axes, "avals": avals, "statics": statics,
                              "src": unit.src}
    return fn


def _element_avals(arg_avals, static_names):
    """One element of each argument: a scalar of its dtype."""
    if arg_avals is None:
        return None
    element = {}
    for param, aval in arg_avals.items():
        if param not in static_names and isinstance(aval, A.Array) and aval.rank:
            aval = A.Array(aval.dtype, (), A.SCALAR)
        element[param] = aval
    return element


# ------------------------------------------------------------ lowering

def lower(module):
    """The generated module as device functions and a kernel (the entry point).  What
    cannot be device code is a TranspileError at the user's line."""
    launch = module.cuda_launch
    src, avals, statics = launch.pop("src"), launch.pop("avals"), launch.pop("statics")
    entry = module.functions[0]
    if avals is None:
        raise src.error(entry, "backend=\"cuda\" makes a kernel for the types and ranks of "
                        "the arguments, which are not known yet",
                        "call the function, or give tp.source example arguments.")
    result = _result_aval(module, entry, avals, src)
    module.add_primal_callees(every=True)
    env = module.env
    env.bind("cuda", _cuda())
    import runtime.cuda_support
    env.bind("rt_cuda", runtime.cuda_support)
    row = result.shape
    if launch["mode"] == "elements" and row:
        raise src.error(entry.body[-1], "backend=\"cuda\" runs this function once per element "
                        "of its arguments, but for one element it returns an array of shape %s"
                        % (row,), "write the function for scalars, or vmap the per-example "
                        "function: jit(vmap(f), backend=\"cuda\").")
    if len(row) > 1:
        raise src.error(entry.body[-1], "backend=\"cuda\": the result of one example has "
                        "shape %s; device code writes rows of one dimension" % (row,),
                        "return a 1-d array per example (reshape it after the call).")
    constants = _static_arguments(entry, statics, src)
    params = [p for p in build.param_names(entry) if p not in statics]
    scalars = launch["mode"] == "elements"
    shapes = {} if scalars else _shapes(module, entry, avals)
    if row:
        _write_in_place(entry, env, src)
    for fn in module.reachable():
        _DeviceCode(env, module.origins.get(fn.name, src), fn, scalars,
                    shapes.get(fn.name)).lower()
    kernel = _kernel(module, entry, launch, params, constants, bool(row))
    module.functions.insert(0, kernel)
    module.entry_points = [kernel.name]
    module.kernel = kernel.name
    launch.update(kernel=kernel.name, device=[fn.name for fn in module.reachable()
                                             if fn is not kernel],
                  dtype=np.dtype(result.dtype).str, row=_row_spec(row, avals, src, entry),
                  params=params)


def _shapes(module, entry, avals):
    """The Shapes of the entry point for ``avals`` and of each generated function it
    calls, directly or not, for the arguments of its first call (by function name)."""
    env = module.env
    by_name = {fn.name: fn for fn in module.functions}
    found = {}
    todo = [(entry, avals)]
    while todo:
        fn, arg_avals = todo.pop()
        if fn.name in found:
            continue
        shapes = found[fn.name] = Shapes(fn, env, O.classify_function(fn, env), arg_avals,
                                         Callees(module))
        for call in subnodes(fn):
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Name) \
                    and call.func.id in by_name:
                callee = by_name[call.func.id]
                todo.append((callee, dict(zip(build.param_names(callee),
                                              map(shapes.atom, call.args)))))
    return found


def _static_arguments(entry, statics, src):
    """The values the kernel passes for the static parameters: the numbers as they are,
    None for a parameter the code no longer reads (its value folded in)."""
    read = {n.id for n in subnodes(entry) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)}
    constants = {}
    for name, value in statics.items():
        if name not in read:
            constants[name] = None
        elif isinstance(value, (bool, int, float)):
            constants[name] = value
        else:
            raise src.error(entry, "backend=\"cuda\": the static argument `%s` is a %s, "
                            "which a CUDA kernel cannot pass on" % (name, type(value).__name__),
                            "make the static arguments the device code reads numbers.")
    return constants


def _result_aval(module, fn, avals, src):
    """The abstract value of what ``fn`` returns: an array of known dtype and shape.  A
    gradient, ``rt.as_gradient(d, x)``, has the shape and float dtype of ``x``; anything
    else is what the shapes analysis finds, following the user functions called."""
    env = module.env
    ret = fn.body[-1]
    value = ret.value
    for stmt in fn.body:
        if isinstance(stmt, gast.Assign) and isinstance(value, gast.Name) \
                and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == value.id:
            value = stmt.value
    aval = None
    if isinstance(value, gast.Call) and env.lookup(value.func) is runtime.as_gradient \
            and isinstance(value.args[1], gast.Name) \
            and isinstance(avals.get(value.args[1].id), A.Array):
        x = avals[value.args[1].id]
        aval = x.with_(dtype=A.float_dtype(x.dtype))
    elif not isinstance(value, gast.Tuple):
        shapes = Shapes(fn, env, O.classify_function(fn, env), avals, Callees(module))
        aval = shapes.atom(ret.value)
    if isinstance(aval, A.Array) and aval.dtype is None:
        # a Python float accumulating elements of the arguments (`s = 0.0` then
        # `s += x[j] * w[j]`): what NumPy makes of a float and the arguments' dtypes
        dtypes = [v.dtype for v in avals.values() if isinstance(v, A.Array) and v.dtype]
        aval = aval.with_(dtype=np.result_type(0.0, *dtypes))
    if not (isinstance(aval, A.Array) and aval.shape is not None and None not in aval.shape):
        raise src.error(ret if getattr(ret, "lineno", None) else fn,
                        "backend=\"cuda\" needs one array (or number) per element or "
                        "example, of a dtype and shape known before it runs",
                        "return one value; for several, make one jit per value.")
    return aval


def _row_spec(row, avals, src, entry):
    """Each dimension of the result of one example: ``["int", n]``, or ``["dim",
    parameter, axis, offset]`` (a dimension of one example of that argument)."""
    origins = {}
    for param, aval in avals.items():
        if isinstance(aval, A.Array) and aval.shape is not None:
            for axis, d in enumerate(aval.shape):
                if A.is_size(d) and d.offset == 0:
                    origins.setdefault(d.root, [param, axis])
    spec = []
    for d in row:
        if type(d) is int:
            spec.append(["int", d])
        elif A.is_size(d) and d.root in origins:
            spec.append(["dim"] + origins[d.root] + [d.offset])
        else:
            raise src.error(entry.body[-1], "the size of the result of one example is not a "
                            "dimension of an argument", "return an array shaped like one of "
                            "the arguments.")
    return spec


class _DeviceCode:
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
                              % _spelling(func), "compute with scalars, or return the array "
                              "itself (a result row is written in place).")
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
        if getattr(stmt, "lineno", None) is None:
            stmt = self.fn                       # (a statement the transform made up)
        return self.src.error(stmt, "backend=\"cuda\": %s cannot run in a CUDA device "
                              "function (device code cannot allocate arrays, call NumPy's "
                              "array functions or keep lists)" % what, hint)


_TAPE_HINT = ("on the device, write loops whose derivative needs no tape (values "
              "recomputed from the arguments), or use backend=\"numba\".")


def _spelling(func):
    if isinstance(func, gast.Name):
        return func.id
    if isinstance(func, gast.Attribute):
        return "%s.%s" % (_spelling(func.value), func.attr)
    return "the callee"


def _write_in_place(fn, env, src):
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
                value = value.args[0]              # the scalar's value (_DeviceCode)
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
        raise src.error(ret, "backend=\"cuda\": the result of one example is an array, which "
                        "device code must write into the output row, but this function does "
                        "not make it once, with zeros, and fill it by items",
                        "build the result as `out = np.zeros_like(x)` followed by writes "
                        "`out[j] = ...`.")
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


def _kernel(module, entry, launch, params, constants, row):
    """``<name>_kernel(params..., out)``: thread ``i`` calls ``entry`` on element
    (example) ``i`` of each batched parameter, the others whole and the static ones as
    ``constants``, and stores its result in ``out[i]`` (or has it write its ``row``)."""
    taken = set(module.env.bindings) | set(params)

    def fresh(base):
        name = base
        while name in taken:
            name += "_"
        taken.add(name)
        return name
    out, i, n = fresh("out"), fresh("i"), fresh("n")
    in_range = fresh("in_range")
    body, args = [], []
    temporaries = {n, in_range}
    for p in build.param_names(entry)[:-1] if row else build.param_names(entry):
        if p in constants:
            args.append(build.const(constants[p]))
        elif launch["axes"].get(p) is not None:
            element = fresh("%s_%s" % (p, i))
            temporaries.add(element)
            body.append(build.assign(element, build.subscript(build.name(p), build.name(i))))
            args.append(build.name(element))
        else:
            args.append(build.name(p))
    if row:
        out_row = fresh("%s_%s" % (out, i))
        temporaries.add(out_row)
        body.append(build.assign(out_row, build.subscript(build.name(out), build.name(i))))
        body.append(build.expr(build.call(build.name(entry.name),
                                          args + [build.name(out_row)])))
    else:
        value = fresh("value")
        temporaries.add(value)
        body.append(build.assign(value, build.call(build.name(entry.name), args)))
        body.append(build.assign(build.subscript(build.name(out), build.name(i), store=True),
                                 build.name(value)))
    name = module.global_name(entry.name + "_kernel")
    kernel = build.function_def(name, params + [out], [
        build.comment("one thread per %s" % ("example" if launch["mode"] == "examples"
                                             else "element")),
        build.assign(i, build.call("cuda.grid", [build.const(1)])),
        build.assign(n, build.call(build.name("len"), [build.name(out)])),
        build.assign(in_range, build.compare(build.name(i), "<", build.name(n))),
        build.if_(build.name(in_range), body),
        build.return_(build.const(None))], at=entry)
    module.temporaries[name] = temporaries
    return kernel


# ------------------------------------------------------------ running

def compiled(namespace, facts, label):
    """The ``Launch`` of a compiled module: its kernel and device functions given to
    numba-cuda (lazily compiled per type signature at the first launch)."""
    cuda = _cuda()
    launch = facts["launch"]
    device_namespace = dict(namespace)
    for name in launch["device"]:
        fn = namespace[name]
        device_namespace[name] = cuda.jit(device=True)(_rebound(fn, device_namespace))
    kernel = cuda.jit(_rebound(namespace[launch["kernel"]], device_namespace))
    return [Launch(kernel, namespace[launch["device"][0]], launch, label)]


def _rebound(fn, namespace):
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                              fn.__closure__)


on_device = A.is_device_array


def _rank(value):
    return len(value.shape) if on_device(value) else np.ndim(value)


class Launch:
    """The host side of a kernel: arguments to the device, the grid, the result back."""

    def __init__(self, kernel, python, launch, label):
        self.kernel = kernel
        self.python = python                      # the device function's Python code
        self.launch = launch
        self.label = label
        self.signature = inspect.signature(python)
        self.__name__ = python.__name__
        self.__wrapped__ = python

    def __call__(self, *args, **kwargs):
        cuda = _cuda()
        if not cuda.is_available():
            raise RuntimeError("%s: backend=\"cuda\" needs a CUDA GPU, and numba.cuda finds "
                               "none; NUMBA_ENABLE_CUDASIM=1 (set before numba.cuda is "
                               "imported) runs Numba's CUDA simulator instead" % self.label)
        bound = self.signature.bind_partial(*args, **kwargs)
        launch = self.launch
        values = [bound.arguments[p] for p in launch["params"]]
        batched = [p in launch["axes"] for p in launch["params"]]
        arrays = [v for v in values if _rank(v)]
        stay = bool(arrays) and all(on_device(v) for v in arrays)
        if launch["mode"] == "elements":
            values, shape, size = _elements(values, batched)
            examples = None
        else:
            values, size = _examples(values, [launch["axes"].get(p) for p in launch["params"]])
            shape = (size,) + tuple(_dim(d, launch["params"], values, batched)
                                    for d in launch["row"])
            examples = size
        device = [v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else
                  v if on_device(v) or _rank(v) == 0 else cuda.to_device(v) for v in values]
        out = cuda.device_array((size,) + tuple(shape[1:]) if examples is not None
                                else (size,), dtype=np.dtype(launch["dtype"]))
        if size:
            self.run(math.ceil(size / THREADS_PER_BLOCK), device + [out])
        if stay:
            return out.reshape(shape) if examples is None else out
        result = out.copy_to_host().reshape(shape)
        return result[()] if result.ndim == 0 else result


    def run(self, blocks, args):
        """Launch the kernel (numba-cuda compiles it for these types at the first launch:
        what it cannot compile is a TranspileError at the user's line)."""
        from numba.core.errors import NumbaError
        try:
            self.kernel[blocks, THREADS_PER_BLOCK](*args)
        except NumbaError as exc:
            from .nopython import located_reason
            filename, line, text, reason = located_reason(exc, self.python)
            raise TranspileError("numba-cuda cannot compile this for the GPU: %s" % reason,
                                 filename or "<generated>", line or 0, source_line=text or "",
                                 hint="write the function with scalar arithmetic, math "
                                      "functions and loops over array elements") from None


def _elements(values, batched):
    """The arguments broadcast to one shape and flattened (scalars passed as they are):
    (values, shape, number of elements)."""
    shapes = [tuple(v.shape) for v, b in zip(values, batched) if b and _rank(v)]
    shape = np.broadcast_shapes(*shapes) if shapes else ()
    size = math.prod(shape)
    flat = []
    for v, b in zip(values, batched):
        if not b or _rank(v) == 0:
            flat.append(v)
        elif on_device(v):
            if tuple(v.shape) != shape:
                raise ValueError("backend=\"cuda\": a device array of shape %s would be "
                                 "broadcast to %s; broadcast it before copying it to the "
                                 "device" % (tuple(v.shape), shape))
            flat.append(v.reshape(size))
        else:
            flat.append(np.ascontiguousarray(np.broadcast_to(v, shape)).reshape(size))
    return flat, shape, size


def _examples(values, axes):
    """The batched arguments with their batch axis first: (values, batch size)."""
    moved, size = [], None
    for v, axis in zip(values, axes):
        if axis is not None:
            if on_device(v):
                if axis % len(v.shape) != 0:
                    raise ValueError("backend=\"cuda\": a device array must be batched along "
                                     "axis 0 (in_axes=%d)" % axis)
            else:
                v = np.ascontiguousarray(np.moveaxis(np.asarray(v), axis, 0))
            size = v.shape[0]
        moved.append(v)
    return moved, size


def _dim(spec, params, values, batched):
    """One dimension of the result of one example (``_row_spec``)."""
    if spec[0] == "int":
        return spec[1]
    _, param, axis, offset = spec
    k = params.index(param)
    shape = tuple(values[k].shape)[1 if batched[k] else 0:]
    return max(shape[axis] + offset, 0)
