"""Package the two sweeps of reverse mode as functions.

* ``grad_function``: one function running the forward sweep, seeding the output's
  adjoint with 1, running the reverse sweep and returning gradients (and optionally the
  value and auxiliary data) -- what ``grad`` and ``value_and_grad`` run.
* ``vjp_pair``: ``f_fwd(args) -> (out, saved)`` and ``f_bwd(saved, dout) -> adjoints``,
  the form in which a differentiated function calls the user functions it uses.  The
  saved values are exactly what the backward function reads.
"""
import builtins

import gast
import numpy as np

import runtime as rt

from ..analysis import avals as A
from ..ir import build
from ..ir.walk import Renamer, subnodes
from ..optimize import optimize
from ..pipeline import print_stage
from ..specialize import drop_type_dispatch, lower_in_place
from ..optimize.effects import Liveness
from .callees import CalleeJvps, CalleePairs
from .forward import ForwardMode
from .reverse import ReverseMode


def _output(unit, has_aux):
    """Split the final ``return`` into (statements to append, output name, aux atom)."""
    fn = unit.fn
    ret = fn.body[-1]
    assert isinstance(ret, gast.Return)
    value = ret.value
    extra = []
    if not has_aux:
        if isinstance(value, gast.Name):
            return extra, value.id, None
        name = unit.fresh("out")
        return [build.assign(name, value, at=ret)], name, None
    # has_aux: the function returns (output, aux)
    if isinstance(value, gast.Constant):
        rt.aux_of(value.value)                      # not a pair: the TypeError, now
    pair = _tuple_definition(fn, value)
    if pair is not None:
        out, aux = pair
    else:
        # rt.aux_of checks that the function returned a pair (a TypeError otherwise)
        aux = build.call("rt.aux_of", [build.clone(value)], at=ret)
        out = build.subscript(build.clone(value), build.const(0), at=ret)
    if not isinstance(aux, (gast.Name, gast.Constant)):
        aux_name = unit.fresh("aux")
        extra.append(build.assign(aux_name, aux, at=ret))
        aux = build.name(aux_name)
    if isinstance(out, gast.Name):
        out_name = out.id
    else:
        out_name = unit.fresh("out")
        extra.append(build.assign(out_name, out, at=ret))
    return extra, out_name, aux


def _tuple_definition(fn, value):
    """If ``value`` is a name bound once, at top level, to a 2-tuple literal: its parts."""
    if not isinstance(value, gast.Name):
        return None
    defs = [s for s in subnodes(fn) if isinstance(s, gast.Assign)
            and isinstance(s.targets[0], gast.Name) and s.targets[0].id == value.id]
    if len(defs) == 1 and defs[0] in fn.body and isinstance(defs[0].value, gast.Tuple) \
            and len(defs[0].value.elts) == 2:
        return defs[0].value.elts
    return None


def _seed(mode, out, has_aux):
    """``1.0`` when the output is known to be a scalar; else a checked ``rt.seed(out)``."""
    aval = mode.shapes.aval(out)
    if isinstance(aval, A.Const) and aval.value is None:
        rt.seed(None)                                 # the TypeError, now
    if isinstance(aval, A.Array) and aval.shape == () and aval.dtype is not None:
        rt.seed(np.zeros((), aval.dtype))             # refuses bool and complex outputs
    if isinstance(aval, A.Array) and aval.shape == () and aval.dtype is not None \
            and np.issubdtype(aval.dtype, np.floating):
        return build.const(1.0)
    if isinstance(aval, A.Array) and aval.shape:
        raise TypeError("Gradient only defined for scalar-output functions. Output had "
                        "shape: %s." % (tuple(d if type(d) is int else "?" for d in aval.shape),))
    if isinstance(aval, (A.Seq, A.Dict)) and not has_aux:
        kind = aval.kind if isinstance(aval, A.Seq) else "dict"
        raise TypeError("Gradient only defined for scalar-output functions. Output was a "
                        "%s; if the function returns (value, auxiliary data), use "
                        "has_aux=True." % kind)
    return build.call("rt.seed", [build.name(out)])


def _stack_inits(mode):
    inits = []
    for stacks in (mode.stacks, mode.slot_stacks):
        for var in sorted(stacks):
            inits.append(build.assign(stacks[var], build.list_([])))
    return inits


def specialise(unit, arg_avals, callees, mirror=False):
    """The specialisation stage: run-time type dispatch the signature settles dropped,
    augmented assignments settled (``mirror``: forward mode's, see
    ``specialize/inplace.py``).  Returns the avals by the tree's names and the hazards
    left for the generic code."""
    if arg_avals is not None:
        arg_avals = unit.tree_names(arg_avals)
        drop_type_dispatch(unit, arg_avals, callees)
    hazards = lower_in_place(unit, arg_avals, callees, mirror=mirror)
    print_stage("specialise", unit.fn)
    return arg_avals, hazards


def grad_function(module, unit, wrt, name, has_aux=False, with_value=False, single=True,
                  arg_avals=None, check_only=False):
    """The FunctionDef of grad / value_and_grad of ``unit`` with respect to ``wrt``.

    With ``arg_avals`` (abstract values of the arguments of one call signature) the code
    is specialised to that signature's shapes.  With ``check_only`` it only checks that
    the function can be differentiated (raising the errors) and returns None.
    """
    fn = unit.fn
    wrt = unit.tree_names(wrt)
    callees = CalleePairs.of(module)
    arg_avals, hazards = specialise(unit, arg_avals, callees)
    extra, out, aux = _output(unit, has_aux)
    body = fn.body[:-1] + extra
    fn.body = body + [build.return_(build.name(out))]
    mode = ReverseMode(unit, wrt, out, callees, arg_avals, hazards)
    if check_only:
        mode.differentiate(check_only=True)     # a check: nothing is generated
        return None
    forward, reverse, grads = mode.differentiate()
    seed = build.assign(mode.d(out), _seed(mode, out, has_aux))
    if single:
        result = build.call("rt.as_gradient", [grads[wrt[0]], build.name(wrt[0])])
    else:
        result = build.call("rt.as_gradients", [build.tuple_([grads[p] for p in wrt]),
                                                build.tuple_([build.name(p) for p in wrt])])
    value = build.call("rt.as_value", [build.name(out)])
    kept = []
    if (with_value or has_aux) and _changes_primals(reverse, mode.primals, module.env):
        value, aux, kept = _keep_results(unit, value, aux, with_value, has_aux)
    if has_aux:
        pair = build.tuple_([value, build.clone(aux)])
        result = build.tuple_([pair, result] if with_value else [result, build.clone(aux)])
    elif with_value:
        result = build.tuple_([value, result])
    stmts = (_stack_inits(mode) + forward + kept
             + [build.comment("Reverse pass: adjoints, last statement first")] + [seed]
             + reverse + [build.return_(result)])
    new = build.function_def(name, fn.args, stmts, at=fn)
    module.origins[name] = unit.src
    finish(module, new, unit, "reverse", set(build.param_names(fn)), residual_variants=True)
    return new


def jvp_function(module, unit, wrt, name, arg_avals=None, tangent_names=None, has_aux=False,
                 check_only=False):
    """The FunctionDef ``name(params, *, dot_p...) -> (out, dot_out)`` carrying the tangents
    of the parameters ``wrt`` (keyword-only ``dot_`` parameters, or the names
    ``tangent_names`` gives) to the output's; and the names of those tangent parameters,
    in ``wrt``'s order.  With ``has_aux`` the function returns ``(out, aux)`` and the
    result is ``((out, aux), dot_out)``.  With ``check_only`` the function is transformed
    as far as errors can arise, and None is returned in its place."""
    fn = unit.fn
    wrt = unit.tree_names(wrt)
    callees = CalleeJvps.of(module)
    arg_avals, hazards = specialise(unit, arg_avals, callees, mirror=True)
    extra, out, aux = _output(unit, has_aux)
    fn.body = fn.body[:-1] + extra + [build.return_(build.name(out))]
    if tangent_names:
        # the tangent parameters' names are the API's: a local of the same name moves
        used = {n.id for n in subnodes(fn) if isinstance(n, gast.Name)}
        clashes = {t: unit.namer.fresh(t) for t in tangent_names.values() if t in used}
        if clashes:
            Renamer(clashes).visit(fn)
            out = clashes.get(out, out)
        for tangent in tangent_names.values():
            unit.namer.reserve(tangent)
    mode = ForwardMode(unit, wrt, out, callees, arg_avals, hazards)
    for param, tangent in (tangent_names or {}).items():
        mode.tangents[param] = tangent
    body, dot_out = mode.differentiate()
    tangent_params = [mode.t(p) for p in wrt]
    if check_only:
        return None, tangent_params
    args = build.clone(fn.args)
    args.kwonlyargs += [build.name(p) for p in tangent_params]
    args.kw_defaults += [None] * len(tangent_params)
    value = build.name(out) if aux is None else build.tuple_([build.name(out), aux])
    result = build.tuple_([value, dot_out])
    new = build.function_def(name, args, body + [build.return_(result)], at=fn)
    module.origins[name] = unit.src
    finish(module, new, unit, "forward", set(build.param_names(fn)) | set(tangent_params))
    return new, tangent_params


_JACFWD = """
def {name}({params}):
    basis = rt.basis({wrt})
    columns = []
    for k in range(len(basis)):
        pair = {jvp}({call}, {tangents})
        columns.append(pair[1])
    jacobian = rt.jacobian_of_columns(columns, {wrt}, {out})
    return {returned}
"""
# the basis through the batched forward-mode code, in one pass (vmap of the jvp)
_JACFWD_BATCHED = """
def {name}({params}):
    tangents = rt.basis_batch({wrt})
    pair = {jvp}({call}, {tangents}, {size}=rt.batch_size_of(tangents))
    jacobian = rt.jacobian_of_batch({columns}, {wrt}, rt.example_of({out}, 0))
    return {returned}
"""
# the basis of the output through the batched gradient of <f(x), cotangent> (vmap of
# grad): its forward part the same for every cotangent, run once
_JACREV_BATCHED = """
def {name}({params}):
    out = {primal}({call})
    cotangents = rt.basis_batch(out)
    rows = {grad}({call}, cotangents, {size}=rt.batch_size_of(cotangents))
    jacobian = rt.jacobian_of_row_batch(rows, {wrt}, out)
    return jacobian
"""
_JACREV = """
def {name}({params}):
    pair = {fwd}({call})
    out = {out}
    basis = rt.basis(out)
    rows = []
    for k in range(len(basis)):
        rows.append({bwd}(pair[1], basis[k]))
    jacobian = rt.jacobian_of_rows(rows, {wrt}, out)
    return {returned}
"""


def jacobian_function(module, unit, wrt, name, arg_avals=None, forward=True, single=True,
                      has_aux=False, check_only=False):
    """The FunctionDef computing the Jacobian of ``unit`` with respect to ``wrt``: the
    forward-mode function batched over the basis of the argument(s) (``forward``), or
    the gradient of ``<f(x), cotangent>`` batched over the basis of the output -- both
    ``vmap``'s code, made where the arguments' abstract values are known.  Otherwise (the
    generic source, an output of several values, ``has_aux`` for jacrev) a loop over the
    basis calling the forward-mode function, or one forward sweep and a loop calling the
    backward one.  With several arguments (``single`` False) the Jacobian is taken with
    respect to their tuple: each output leaf holds a tuple, as in JAX."""
    fn = unit.fn
    params = build.param_names(fn)
    call = ", ".join(params)
    wrt_tree = unit.tree_names(wrt)
    together = wrt_tree[0] if single else "(%s,)" % ", ".join(wrt_tree)
    returned = "(jacobian, pair[0][1])" if has_aux else "jacobian"
    out = "pair[0][0]" if has_aux else "pair[0]"
    batched = rows = None
    if arg_avals is not None and not check_only:
        if forward:
            batched = _batched_jvp(module, unit, wrt, arg_avals)
        elif not has_aux:
            rows = _batched_rows(module, unit, wrt, arg_avals, single)
    if batched is not None:
        jvp, size, tangent_names = batched
        given = ", ".join("%s=tangents%s" % (t, "" if single else "[%d]" % k)
                          for k, t in enumerate(tangent_names))
        text = _JACFWD_BATCHED.format(
            name=name, params=call, wrt=together, jvp=jvp, call=call, tangents=given,
            size=size, columns="pair[1][0]" if has_aux else "pair[1]", out=out,
            returned="(jacobian, rt.example_of(pair[0][1], 0))" if has_aux else "jacobian")
    elif rows is not None:
        primal, grad, size = rows
        text = _JACREV_BATCHED.format(name=name, params=call, primal=primal, call=call,
                                      grad=grad, size=size, wrt=together)
    elif forward:
        inner = module.global_name(unit.src.base_name + "_jvp")
        function, tangents = jvp_function(module, unit, wrt, inner, arg_avals,
                                          has_aux=has_aux, check_only=check_only)
        if check_only:
            return None
        module.add_function(function)
        given = ", ".join("%s=basis[k]%s" % (t, "" if single else "[%d]" % k)
                          for k, t in enumerate(tangents))
        text = _JACFWD.format(name=name, params=call, wrt=together, jvp=inner, call=call,
                              tangents=given, out=out, returned=returned)
    else:
        fwd, bwd, _ = vjp_pair(module, unit, wrt, arg_avals, has_aux=has_aux)
        if check_only:
            return None
        text = _JACREV.format(name=name, params=call, fwd=fwd, bwd=bwd, call=call,
                              wrt=together, out=out, returned=returned)
    import textwrap
    tree = gast.parse(textwrap.dedent(text))
    new = tree.body[0]
    new.args = build.clone(fn.args)
    for node in subnodes(new):
        if hasattr(node, "lineno"):
            node.lineno = fn.lineno
    module.origins[name] = unit.src
    finish(module, new, unit, "jacfwd" if forward else "jacrev", set(params))
    return new


def _batched_jvp(module, unit, wrt, arg_avals):
    """The forward-mode code of ``unit`` batched over its tangents (``vmap`` of ``jvp``,
    the primals the same for every tangent): (its name, its batch-size parameter, the
    tangent parameters), the function added to ``module``; None where the tangents'
    abstract values are not known."""
    from ..api import _check_function, _jvp_of
    from ..batch.package import batched_function
    fn = unit.src.fn
    positional = [p for p in build.param_names(unit.fn)
                  if p not in {a.id for a in unit.fn.args.kwonlyargs}]
    wrt_tree = unit.tree_names(wrt)
    argnums = tuple(positional.index(p) for p in wrt_tree)
    forward = _jvp_of(fn, len(positional), argnums)
    tangent_names = list(forward._transform.tangent_params)
    avals = dict(arg_avals)
    for param, tangent in zip(wrt, tangent_names):
        aval = _tangent_aval(arg_avals.get(param))
        if aval is None:
            return None
        avals[tangent] = aval
    wrapper = module.normalise(_check_function(forward, "jacfwd"))
    name = module.global_name(unit.src.base_name + "_jvp_vmap")
    new, size = batched_function(module, wrapper, name, avals,
                                 {t: 0 for t in tangent_names}, size_given=True)
    module.add_function(new)
    return name, size, tangent_names


def _batched_rows(module, unit, wrt, arg_avals, single):
    """For ``jacrev`` of a function with one array output: the function's own code and
    the gradient of ``<f(x), cotangent>`` batched over the cotangents, added to
    ``module``: (their names, the batch-size parameter); None otherwise."""
    from ..api import _check_function, grad
    from ..batch.package import batched_function
    from ..ir import emit
    from ..specialize.primal import primal_function
    fn = unit.src.fn
    out = CalleePairs.of(module).output_aval(fn, arg_avals)
    cotangent_aval = _tangent_aval(out) if isinstance(out, A.Array) else None
    kwonly = {a.id for a in unit.fn.args.kwonlyargs}
    if cotangent_aval is None or kwonly:
        return None
    params = [unit.param_renames.get(p, p) for p in build.param_names(unit.fn)]
    cotangent = "cotangent"
    while cotangent in params:
        cotangent += "_"
    fname = fn.__name__ if fn.__name__.isidentifier() else "f"
    source = "def %s_cotangent(%s, %s):\n    return np.sum(%s(%s) * %s)\n" % (
        fname, ", ".join(params), cotangent, fname, ", ".join(params), cotangent)
    namespace = emit.compile_source(source, {fname: fn, "np": np}, "jacrev " + fname)
    argnums = tuple(params.index(p) for p in wrt)
    gradient = grad(namespace[fname + "_cotangent"], argnums=argnums[0] if single else argnums)
    avals = dict(arg_avals)
    avals[cotangent] = cotangent_aval
    rows_unit = module.normalise(_check_function(gradient, "jacrev"))
    name = module.global_name(unit.src.base_name + "_rows_vmap")
    new, size = batched_function(module, rows_unit, name, avals, {cotangent: 0},
                                 size_given=True)
    module.add_function(new)
    primal = module.global_name(unit.src.base_name + "_primal")
    module.add_function(primal_function(module, module.normalise(fn), primal, arg_avals, ()))
    return primal, name, size


def _tangent_aval(aval):
    """The abstract value of one tangent of a value (``rt.basis``'s: float)."""
    if isinstance(aval, A.Array):
        if aval.dtype is None or aval.shape is None:
            return None
        dtype = aval.dtype if np.issubdtype(aval.dtype, np.inexact) else np.dtype(np.float64)
        return A.Array(dtype, aval.shape, A.NDARRAY if aval.shape else A.SCALAR)
    if isinstance(aval, A.Seq) and aval.items is not None:
        items = tuple(_tangent_aval(item) for item in aval.items)
        return None if None in items else A.Seq(aval.kind, items)
    if isinstance(aval, A.Dict):
        items = tuple((k, _tangent_aval(v)) for k, v in aval.items)
        return None if any(v is None for _, v in items) else A.Dict(items)
    return None


def _changes_primals(stmts, primals, env):
    """Whether the reverse sweep rebinds or updates primal values: it pops taped values
    back into their variables, and undoes in-place writes and appends."""
    from ..ir.walk import iter_statements
    from ..optimize.effects import effect
    for stmt in iter_statements(stmts):
        if isinstance(stmt, gast.For):
            changed = {n.id for n in subnodes(stmt.target) if isinstance(n, gast.Name)}
        elif isinstance(stmt, (gast.If, gast.While)):
            continue
        else:
            changed = effect(stmt, env).defs | effect(stmt, env).mods
        if changed & primals:
            return True
    return False


def _keep_results(unit, value, aux, with_value, has_aux):
    """The value and a copy of the aux data, taken before a reverse sweep that changes
    what they would be read from afterwards."""
    kept = []
    if with_value:
        name = unit.fresh("value")
        kept.append(build.assign(name, value))
        value = build.name(name)
    if has_aux and isinstance(aux, gast.Name):
        name = unit.fresh(aux.id + "_kept")
        kept.append(build.assign(name, build.call("rt.snapshot", [build.clone(aux)])))
        aux = build.name(name)
    return value, aux, kept


def vjp_pair(module, unit, wrt, arg_avals=None, has_aux=False):
    """Generate and add ``<f>_fwd`` and ``<f>_bwd``; return (fwd, bwd, wrt order).

    With ``has_aux`` the function returns ``(out, aux)`` and so does ``<f>_fwd``'s first
    result.  The backward function never changes what it is given: a saved stack it
    pops, or an array whose writes it undoes, is copied first (so it may run again, and
    it is valid input to every transform).
    """
    fn = unit.fn
    base = unit.src.base_name
    wrt = unit.tree_names(wrt)
    callees = CalleePairs.of(module)
    arg_avals, hazards = specialise(unit, arg_avals, callees)
    extra, out, aux = _output(unit, has_aux)
    fn.body = fn.body[:-1] + extra + [build.return_(build.name(out))]
    mode = ReverseMode(unit, wrt, out, callees, arg_avals, hazards)
    if module.check_only and arg_avals is None:
        # a check of the caller: this callee is refused here or never; its shape-generic
        # pair is not generated (the caller's code, when made, knows its arguments)
        mode.differentiate(check_only=True)
        return (module.global_name(base + "_fwd"), module.global_name(base + "_bwd"),
                [unit.param_renames.get(p, p) for p in wrt])
    forward, reverse, grads = mode.differentiate()
    cotangent = mode.d(out)
    saved = unit.fresh("saved")
    if len(wrt) == 1:
        result = grads[wrt[0]]
    else:
        result = build.tuple_([grads[p] for p in wrt])
    fwd_name = module.global_name(base + "_fwd")
    bwd_name = module.global_name(base + "_bwd")
    bwd = build.function_def(bwd_name, [saved, cotangent],
                             reverse + [build.return_(result)], at=fn)
    finish(module, bwd, unit, "reverse", {saved, cotangent}, restore=False)
    module_names = set(module.env.bindings) | set(dir(builtins))
    residuals = sorted(_live_in(bwd, module.env) - {saved, cotangent} - module_names)
    if residuals:
        if len(residuals) == 1:
            unpack = build.assign(residuals[0], build.subscript(build.name(saved), build.const(0)))
        else:
            unpack = build.assign(build.tuple_([build.name(r, store=True) for r in residuals],
                                               store=True), build.name(saved))
        bwd.body.insert(0, unpack)
        bwd.body[1:1] = _copies_of_changed(bwd, residuals, module, unit.namer,
                                           build.function_def("forward", fn.args,
                                                              _stack_inits(mode) + forward),
                                           mode.shapes)
    output = build.name(out) if not has_aux else build.tuple_([build.name(out), aux])
    fwd_result = build.tuple_([output, build.tuple_([build.name(r) for r in residuals])])
    # a value saved on one branch only is None on the other (its backward branch is not taken)
    assigned = _definitely_assigned(forward) | set(build.param_names(fn)) | \
        set(mode.stacks.values()) | set(mode.slot_stacks.values())
    defaults = [build.assign(r, build.const(None)) for r in residuals if r not in assigned]
    body = _stack_inits(mode) + defaults + forward
    fwd = build.function_def(fwd_name, fn.args, build.clone(body) + [build.return_(fwd_result)],
                             at=fn)
    # the same forward sweep without the output, for callers that do not use it
    variant = build.function_def(
        module.global_name(base + "_residuals"), build.clone(fn.args),
        body + [build.return_(build.tuple_([build.name(r) for r in residuals]))], at=fn)
    for function in (fwd, variant):
        finish(module, function, unit, "reverse", set(build.param_names(fn)),
               residual_variants=True)
    callees.residual_variants[fwd_name] = variant
    for function in (fwd, bwd, variant):
        module.origins[function.name] = unit.src
    module.add_function(fwd)
    module.add_function(bwd)
    return fwd_name, bwd_name, [unit.param_renames.get(p, p) for p in wrt]


def finish(module, fn, unit, transform, protected, residual_variants=False, restore=True):
    """What every generated function goes through after its transform made it:
    re-normalisation to the core language (``renormalise``), the optimiser
    (``optimise``), and the user's parameter names back.  ``--print-after`` (or
    ``TRANSPILER_PRINT_AFTER``) names the transform, ``renormalise`` or ``optimise`` to
    see the function after each."""
    from ..pipeline import print_stage
    print_stage(transform, fn)
    module.flatten(fn, unit.namer)
    print_stage("renormalise", fn)
    optimize(fn, module.env, protected=protected)
    if residual_variants:
        use_residual_variants(fn, module)
    if restore:
        restore_param_names(fn, unit, module.env)
    print_stage("optimise", fn)


def restore_param_names(fn, unit, env):
    """Give a generated function the user's parameter names back, so keyword calls work.

    The frontend renames a parameter that takes a name generated code uses (``np``,
    ``rt``, ``math``, ``range``...) to ``np_``.  Where the signature must be the user's
    (``g(np=...)``, a callee's ``f_fwd(np=...)``), the parameter is ``np`` again and what
    the body calls is bound under another name (``numpy.exp(np)``, ``range_builtin(n)``).
    """
    renames = {tree: user for tree, user in unit.param_renames.items()
               if tree in build.param_names(fn)}
    used = {node.id for node in subnodes(fn) if isinstance(node, gast.Name)}
    mapping = dict(renames)
    for user in renames.values():
        if user in used:
            mapping[user] = _alias(env, user, used)
    Renamer(mapping).visit(fn)


def _alias(env, name, used):
    """Another module-level name for what ``name`` means, not used in a function."""
    obj = env.lookup(build.name(name))
    preferred = getattr(obj, "__name__", name)
    if preferred == name:
        preferred = name + ("_module" if name in env.bindings else "_builtin")
    alias, k = env.bind(preferred, obj), 2
    while alias in used:
        alias, k = env.bind("%s_%d" % (preferred, k), obj), k + 1
    return alias


def use_residual_variants(fn, module):
    """``y, saved = f_fwd(...)`` with ``y`` unused -> ``saved = f_residuals(...)``.

    The residuals-only forward function does not compute what nobody reads: a gradient
    of ``np.sum(selu(x))`` needs selu's saved values, not its output.
    """
    loaded = {n.id for n in subnodes(fn) if isinstance(n, gast.Name)
              and isinstance(n.ctx, gast.Load)}
    for stmt in subnodes(fn):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Tuple)
                and isinstance(stmt.value, gast.Call) and isinstance(stmt.value.func, gast.Name)):
            continue
        variant = CalleePairs.of(module).residual_variants.get(stmt.value.func.id)
        output, saved = stmt.targets[0].elts
        if variant is None or output.id in loaded:
            continue
        stmt.targets = [build.name(saved.id, store=True, at=stmt)]
        stmt.value.func = build.name(variant.name, at=stmt)
        if variant not in module.functions:
            module.add_function(variant)


def _copies_of_changed(fn, residuals, module, namer, forward, shapes=None):
    """Statements copying the saved values ``fn`` changes in place (and those holding or
    sharing them, copied together so that they still do), so the caller's stay whole.

    ``fn`` starts by unpacking them; which of them share memory is what the forward
    sweep (``forward``, a function of its statements) made them: views of a buffer, a
    stack of its rows, a callee's saved values holding it."""
    from ..analysis.memory import Memory
    env = module.env
    residuals = set(residuals)
    mutated = _mutated_names(fn, env)
    if not mutated:
        return []
    memory = Memory(fn, env)
    # what the backward function writes into, traced back to the saved values
    reached = set()
    for name in mutated:
        reached |= ({name} | memory.affected(name)) & residuals
    forward_memory = Memory(forward, env, shapes=shapes)
    made = forward_memory.exit
    changed = set(reached)
    for name in reached:
        changed |= made.sharers(name) & residuals
    if not changed:
        return []
    # saved values holding a container this function changes (a callee's saved tuple
    # holding a list the reverse sweep rebuilds) are copied with it: they must see it
    # as it is rebuilt, in the copy
    lists = {c for c in changed if forward_memory.may_hold(c, made)}
    changed |= {r for r in residuals - changed if forward_memory.may_contain(r)
                and lists & (_contents(made, r) | made.sharers(r))}
    code = [build.comment("saved values this function changes: copies, so the caller's "
                          "stay as they were")]
    # values that share memory, or hold a common object (a list pushed on two stacks),
    # are copied together: one snapshot keeps what they share shared
    groups = _sharing_groups(sorted(changed), made, forward_memory)
    for group in groups:
        if len(group) == 1:
            code.append(build.assign(group[0], build.call("rt.snapshot",
                                                          [build.name(group[0])])))
            continue
        together = namer.fresh("changed")
        module.temporaries.setdefault(fn.name, set()).add(together)    # folded when rendered
        targets = build.tuple_([build.name(r, store=True) for r in group], store=True)
        code += [build.assign(together, build.tuple_([build.name(r) for r in group])),
                 build.assign(targets, build.call("rt.snapshot", [build.name(together)]))]
    return code


def _sharing_groups(names, state, memory=None):
    """``names`` split into groups that may share memory (per the memory state), or
    that hold a common container (a list pushed on two stacks: popping one must not
    leave the other whole).  Arrays held in common do not link them: an array held in
    a container is never written through it (nested writes are refused), and an
    array written by name is linked by ``sharers``."""
    def containers(name):
        return {item for item in _contents(state, name)
                if memory is None or memory.may_hold(item, state)}
    groups = []
    for name in names:
        linked = [g for g in groups if any(
            other in state.sharers(name) or name in state.sharers(other)
            or containers(name) & containers(other) for other in g)]
        merged = [name] + [n for g in linked for n in g]
        groups = [g for g in groups if g not in linked] + [sorted(merged)]
    return sorted(groups)


def _contents(state, name):
    """What ``name`` holds, through containers, and what shares memory with that."""
    seen, todo = set(), list(state.holds.get(name, ()))
    while todo:
        item = todo.pop()
        if item not in seen:
            seen.add(item)
            todo.extend(state.share.get(item, ()))
            todo.extend(state.holds.get(item, ()))
    return seen


def _mutated_names(fn, env):
    """Names a function updates in place (element writes, pops, in-place helpers)."""
    from ..optimize.effects import effect
    from ..ir.walk import iter_statements
    names = set()
    for stmt in iter_statements(fn.body):
        if not isinstance(stmt, (gast.If, gast.For, gast.While)):
            names |= effect(stmt, env).mods
    return names


def _definitely_assigned(stmts):
    """Names bound by top-level statements (which always run)."""
    names = set()
    for stmt in stmts:
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                names |= {n.id for n in subnodes(target) if isinstance(n, gast.Name)}
    return names


def _live_in(fn, env):
    liveness = Liveness(env)
    return liveness.block(fn.body, set())
