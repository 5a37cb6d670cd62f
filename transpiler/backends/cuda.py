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
code at the user's line, saying what to write instead.

``cuda_device.py`` makes the device code.  ``cuda_launch.Launch`` runs the kernel:
NumPy arguments are copied to the device and the result back; device arrays
(``cuda.to_device``, anything with ``__cuda_array_interface__``) are taken as they are,
and when every array argument is one, the result stays on the device.
"""
import types

import gast
import numpy as np

import runtime
from ..ad.callees import Callees
from ..analysis import avals as A
from ..analysis import ops as O
from ..analysis.shapes import Shapes
from ..ir import build
from ..ir.walk import subnodes
from .cuda_device import DeviceCode, located, write_in_place
from .cuda_launch import Launch, numba_cuda


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
    env.bind("cuda", numba_cuda())
    import runtime.cuda_support
    env.bind("rt_cuda", runtime.cuda_support)
    row = result.shape
    if launch["mode"] == "elements" and row:
        raise src.error(located(entry.body[-1], entry), "backend=\"cuda\" runs this function "
                        "once per element of its arguments, but for one element it returns "
                        "an array of shape %s" % (row,), "write the function for scalars, or "
                        "vmap the per-example function: jit(vmap(f), backend=\"cuda\").")
    if len(row) > 1:
        raise src.error(located(entry.body[-1], entry), "backend=\"cuda\": the result of one "
                        "example has shape %s; device code writes rows of one dimension"
                        % (row,),
                        "return a 1-d array per example (reshape it after the call).")
    constants = _static_arguments(entry, statics, src)
    params = [p for p in build.param_names(entry) if p not in statics]
    scalars = launch["mode"] == "elements"
    shapes = {} if scalars else _shapes(module, entry, avals)
    if row:
        write_in_place(entry, env, src)
    for fn in module.reachable():
        DeviceCode(env, module.origins.get(fn.name, src), fn, scalars,
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
        raise src.error(located(ret, fn),
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
            raise src.error(located(entry.body[-1], entry), "the size of the result of one "
                            "example is not a dimension of an argument", "return an array "
                            "shaped like one of the arguments.")
    return spec


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
    cuda = numba_cuda()
    launch = facts["launch"]
    device_namespace = dict(namespace)
    for name in launch["device"]:
        device_namespace[name] = cuda.jit(device=True)(_rebound(namespace[name],
                                                                device_namespace))
    kernel = cuda.jit(_rebound(namespace[launch["kernel"]], device_namespace))
    return [Launch(kernel, namespace[launch["device"][0]], launch, label)]


def _rebound(fn, namespace):
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                              fn.__closure__)
