"""Package batched code as functions: the entry point of ``tp.vmap`` (batch axes moved
first on entry and where ``out_axes`` says on exit), the batched versions of the user
functions it calls, and the loop form -- one example at a time -- where the code cannot
be batched."""
import gast

from ..analysis import avals as A
from ..ir import build
from ..ad.callees import Callees
from ..ad.package import finish, specialise
from ..specialize.primal import normalisation_temporaries
from .transform import BatchMode, NeedsLoop


def example_aval(aval, axis):
    """The abstract value of one example of a value batched along ``axis`` (an int, or
    a pytree prefix of ints and None: ``in_axes``)."""
    if axis is None or aval is None:
        return aval
    if isinstance(aval, A.Array):
        if aval.shape is None:
            return aval.with_(shape=None)
        shape = list(aval.shape)
        del shape[axis]
        kind = aval.kind if shape else A.SCALAR
        return aval.with_(shape=tuple(shape), kind=kind)
    if isinstance(aval, A.Seq) and aval.items is not None:
        return A.Seq(aval.kind, tuple(example_aval(v, part_of(axis, k))
                                      for k, v in enumerate(aval.items)))
    if isinstance(aval, A.Dict):
        return A.Dict(tuple((k, example_aval(v, part_of(axis, k))) for k, v in aval.items))
    return aval


def part_of(axes, key):
    """The entry of the pytree prefix ``axes`` for the item ``key`` of its value."""
    return axes[key] if isinstance(axes, (dict, list, tuple)) else axes


def literal(value):
    """The expression spelling a nested structure of ints, None, tuples, lists, dicts."""
    if isinstance(value, dict):
        return build.dict_([build.const(k) for k in value], [literal(v) for v in value.values()])
    if isinstance(value, (list, tuple)):
        items = [literal(v) for v in value]
        return build.list_(items) if isinstance(value, list) else build.tuple_(items)
    return build.const(value)


def _first_leaf(expr, aval):
    """An expression reading the first array leaf of the value ``expr`` (whose abstract
    value is ``aval``), or None if none is known."""
    if isinstance(aval, A.Array):
        return expr
    items = aval.items if isinstance(aval, A.Dict) else \
        enumerate(aval.items) if isinstance(aval, A.Seq) and aval.items is not None else ()
    for key, item in items:
        leaf = _first_leaf(build.subscript(build.clone(expr), build.const(key)), item)
        if leaf is not None:
            return leaf
    return None


def _size_source(batched, avals, axes):
    """The batch size, read from the batched arguments: ``len(x)`` of an array, of a
    known leaf of a container, ``rt.batch_size_along`` of an argument mapped by a pytree
    prefix, else ``rt.batch_size_of`` (the first array leaf of any;
    ``Batch.check_arguments`` saw that there is one)."""
    plain = [p for p in batched if isinstance(axes[p], int)]
    for p in plain:
        leaf = _first_leaf(build.name(p), avals.get(p)) if avals is not None else None
        if leaf is not None:
            return build.call("len", [leaf])
    if not plain:
        p = batched[0]
        return build.call("rt.batch_size_along", [build.name(p), literal(axes[p])])
    return build.call("rt.batch_size_of", [build.tuple_([build.name(p) for p in plain])])


class CalleeBatches(Callees):
    """The batched versions ``f_vmap`` of the user functions batched code calls, one per
    (function, batched parameters, signature).  The caller passes its batch size (a
    keyword-only parameter): a callee's batched arguments need not hold an array to
    read it from (an empty tuple of saved values)."""

    key = "batch"

    def batched(self, op, mask, stmt, caller_unit, caller_shapes=None):
        """(name, batch size parameter) of the batched version to call."""
        def make(unit, wrt, avals):
            name = self.module.global_name(unit.src.base_name + "_vmap")
            fn, size = batched_function(self.module, unit, name, avals, {p: 0 for p in wrt},
                                        size_given=True)
            self.module.add_function(fn)
            return name, size
        made, _ = self._made_for(op, mask, stmt, caller_unit, caller_shapes, make)
        return made


def batched_function(module, unit, name, avals, axes, out_axes=0, size_given=False):
    """The FunctionDef of ``unit`` batched: ``axes`` maps each batched parameter to the
    axis its batch runs along (in the arguments as given), ``avals`` the per-example
    abstract values of the parameters (None: not known).  The result has the batch axis
    at ``out_axes`` (every leaf), or none (``out_axes`` None: the result must be the same
    for every example).  With ``size_given`` the batch size is a keyword-only parameter
    (a callee's), and the result is (the FunctionDef, that parameter's name)."""
    fn = unit.fn
    callees = CalleeBatches.of(module)
    avals, _ = specialise(unit, avals, callees)
    params = build.param_names(fn)
    axes = unit.tree_names(axes)
    batched = [p for p in params if p in axes]
    out = fn.body[-1].value
    if not isinstance(out, gast.Name):
        value = unit.fresh("out")
        fn.body[-1:] = [build.assign(value, out, at=fn.body[-1]),
                        build.return_(build.name(value), at=fn.body[-1])]
        out = fn.body[-1].value
    size = unit.fresh("batch_size")
    head = [build.assign(p, build.call("np.moveaxis", [build.name(p), build.const(axes[p]),
                                                      build.const(0)]))
            for p in batched if isinstance(axes[p], int) and axes[p] != 0]
    # arguments mapped by a pytree prefix: each leaf's batch axis first, the leaves the
    # prefix maps to None broadcast
    prefixed = [build.assign(p, build.call("rt.move_batch_axes", [
        build.name(p), literal(axes[p]), build.name(size)]))
        for p in batched if not isinstance(axes[p], int)]
    mode = None
    try:
        if avals is None:
            raise NeedsLoop("the arguments' ranks are not known")
        mode = BatchMode(unit, batched, callees, avals, size_name=size)
        body = mode.batch()
        if mode.example_loops and _compiled_examples(module, batched, avals, size_given) \
                and isinstance(mode.shapes.aval(out.id), A.Array):
            raise NeedsLoop("under jit, what no rule batches runs as compiled code, the "
                            "examples on all cores")
        result = _result(mode, unit, out, out_axes, fn.body[-1])
        uses_size = mode.uses_size
    except NeedsLoop as exc:
        if out_axes is None and mode is not None and mode.is_batched(out):
            raise _unmapped_output(unit, fn.body[-1]) from None
        out_aval = mode.shapes.aval(out.id) if mode is not None else None
        body, result = _loop_form(module, unit, batched, size, out_axes, exc, avals, out_aval)
        uses_size = True
    args = build.clone(fn.args)
    if size_given:
        args.kwonlyargs.append(build.name(size))
        args.kw_defaults.append(None)
    elif uses_size or prefixed:
        head.append(build.assign(size, _size_source(batched, avals, axes)))
    new = build.function_def(name, args, head + prefixed + body + [build.return_(result)],
                             at=fn)
    module.origins[name] = unit.src
    finish(module, new, unit, "vmap", set(params) | {size})
    # the names normalisation made up are folded back into their use when rendered
    module.temporaries.setdefault(name, set()).update(normalisation_temporaries(new, unit))
    return (new, size) if size_given else new


def _compiled_examples(module, batched, avals, size_given):
    """Under jit on Numba, is the parallel loop form the better code where the batched
    code loops over the examples for calls no rule batches?  Yes: Numba compiles each
    example's code, and runs the examples on all cores.  (The entry point only, with
    arrays as batched arguments; its result must be one array: what the parallel form
    writes.)"""
    if size_given or not getattr(module, "parallel_examples", False):
        return False
    return all(isinstance(avals.get(p), A.Array) for p in batched)


def _result(mode, unit, out, out_axes, ret):
    """The returned value: batched (a value the same for every example broadcast) with
    the batch axis where ``out_axes`` puts it (an int, None, or a pytree prefix: leaf
    by leaf)."""
    aval = mode.shapes.aval(out.id)
    if out_axes is None:
        if mode.is_batched(out):
            raise _unmapped_output(unit, ret)
        return build.clone(out)
    value = build.clone(out)
    if not mode.is_batched(out):
        value = mode.broadcast(out, ret)
    if out_axes == 0:
        return value
    if isinstance(out_axes, int) and isinstance(aval, A.Array):
        return build.call("np.moveaxis", [value, build.const(0), build.const(out_axes)])
    return build.call("rt.place_batch_axes", [value, literal(out_axes)])


def _unmapped_output(unit, ret):
    return unit.error(ret, "vmap with out_axes=None: the output must be the same for every "
                      "example, but it depends on the batched arguments",
                      "give out_axes an int (where the batch axis of the output goes).")


def _loop_form(module, unit, batched, size, out_axes, reason, avals, out_aval=None):
    """The body calling the per-example function once per example: the reference
    semantics, and the fallback where control flow cannot be batched."""
    per_example = module.global_name(unit.src.base_name + "_example")
    example_fn = build.clone(unit.fn)
    example_fn.name = per_example
    module.add_function(example_fn)
    module.origins[per_example] = unit.src
    # optimised as every generated function is (normalisation's copies of a loop's
    # carried values go, which may read a name only a loop that runs binds)
    finish(module, example_fn, unit, "vmap", set(build.param_names(example_fn)))
    module.temporaries.setdefault(per_example, set()).update(
        normalisation_temporaries(example_fn, unit))
    example = unit.fresh("example")
    results = unit.fresh("results")
    def call_at(index):
        def arg(p):
            if p not in batched:
                return build.name(p)
            if isinstance((avals or {}).get(p), A.Array):
                return build.subscript(build.name(p), index)
            return build.call("rt.example_of", [build.name(p), index])
        return build.call(build.name(per_example), [arg(a.id) for a in unit.fn.args.args],
                          keywords=[(a.id, arg(a.id)) for a in unit.fn.args.kwonlyargs])
    call = call_at(build.name(example))
    why = reason.reason
    if getattr(module, "parallel_examples", False) and isinstance(out_aval, A.Array) and \
            all(isinstance((avals or {}).get(p), A.Array) for p in batched):
        # under jit: each example's result written into one array, the examples in
        # parallel (rt.prange is Numba's prange when Numba compiles the code)
        first = unit.fresh("first")
        body = [build.comment("one example at a time, in parallel: %s" % why),
                build.assign(first, call_at(build.const(0))),
                build.assign(results, build.call("rt.batch_buffer", [build.name(first),
                                                                     build.name(size)])),
                build.assign(build.subscript(build.name(results), build.const(0), store=True),
                             build.name(first)),
                build.for_(build.name(example, store=True),
                           build.call("rt.prange", [build.const(1), build.name(size)]),
                           [build.assign(build.subscript(build.name(results),
                                                         build.name(example), store=True),
                                         call)])]
        if out_axes == 0:
            return body, build.name(results)
        return body, build.call("np.moveaxis", [build.name(results), build.const(0),
                                                build.const(out_axes)])
    body = [build.comment("one example at a time: %s" % why),
            build.assign(results, build.list_([])),
            build.for_(build.name(example, store=True), build.call("range", [build.name(size)]),
                       [build.expr(build.call(build.attr(build.name(results), "append"),
                                              [call]))])]
    stacked = build.call("rt.stack_examples", [build.name(results)])
    if out_axes != 0:       # None: the same in every example (checked as they are stacked)
        stacked.args.append(literal(out_axes))
    return body, stacked
