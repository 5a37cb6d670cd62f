"""The primitive table: one record per callable generated code may call.

A record (``Primitive``) holds every slot side by side:

    abstract_eval   dtype, shape and kind of the result from the arguments'
                    (``rules/evaluation.py``; None: nothing is known of the result)
    effects         what the call does to memory: the result is fresh, a view of (or a
                    container holding) some operands; the call writes some operands in
                    place; or it has an effect beyond its arguments (``Effects``)
    vjp             the reverse-mode rule: a small runnable function, keyed by the
                    primal callable(s) it differentiates
    jvp             the forward-mode rule: the tangent of the result, one contribution
                    per differentiable argument (see ``tangent``)
    batch           the batching rule (filled by a later transform)
    numba, cuda     nopython/CUDA implementations (``numba``: the dotted name of the
                    overload in ``runtime.numba_support``)

The vjp rule looks like this:

    @broadcasting(np.multiply, operator.mul)
    def multiply(g, ans, x, y):
        return g * y, g * x

``g`` is the adjoint (cotangent) of the output, ``ans`` the output itself, and the other
parameters mirror the primal's signature.  It returns one adjoint per differentiable
parameter, in order.  The family decorator (``elementwise``, ``broadcasting``,
``reduction``, ``shape``, ``custom``, ``nondiff``) owns what every primitive of that kind
needs -- unbroadcasting for ``broadcasting``, the result's shape rule, views for
``shape`` -- so a single rule cannot forget it.

The jvp rule mirrors it: the same parameters, ``t`` the tangent of the one argument whose
contribution is asked for, and one contribution per differentiable parameter:

    @jvp_rule(np.multiply, operator.mul)      # (elementwise families need none: below)
    def multiply(t, ans, x, y):
        return t * y, x * t

The tangent of the result is the sum of the contributions of the arguments whose
tangents are not zero, and has the result's shape and structure exactly (forward mode
never keeps a tangent lazily broadcast).  Families fill the slot themselves: an
elementwise or broadcasting primitive has a diagonal Jacobian, so its vjp rule, given a
tangent where the cotangent stood, is its jvp rule; a primitive declared ``linear`` in a
parameter has the call itself, the tangent in that parameter's place, as contribution.

The compiler inlines the rule's body at the call site (``ir.template``); tests call the
very same code through ``Primitive.vjp_function`` and ``Primitive.jvp_function`` (built
by the same inliner).  No other
table in the compiler names NumPy or runtime functions.
"""
import operator
from dataclasses import dataclass

import gast

from ..ir import build, emit
from ..ir.naming import Namer
from ..ir.template import Template
from ..analysis import avals as A
from . import evaluation as E
from ..ir.walk import subnodes

_TABLE = {}
_ALL = []

# Operators in the source map to these keys.
BINOP_KEYS = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod,
    gast.Pow: operator.pow, gast.MatMult: operator.matmul, gast.BitAnd: operator.and_,
    gast.BitOr: operator.or_, gast.BitXor: operator.xor, gast.LShift: operator.lshift,
    gast.RShift: operator.rshift,
}
UNARY_KEYS = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_,
              gast.Invert: operator.invert}
COMPARE_KEYS = {gast.Lt: operator.lt, gast.LtE: operator.le, gast.Gt: operator.gt,
                gast.GtE: operator.ge, gast.Eq: operator.eq, gast.NotEq: operator.ne,
                gast.Is: operator.is_, gast.IsNot: operator.is_not,
                gast.In: operator.contains, gast.NotIn: operator.contains}


@dataclass(frozen=True)
class Effects:
    """What a call does to memory, by argument position.

    result: "fresh" (a new object, sharing memory with nothing), "view" (may share
      memory with the operands at ``operands``, or be one of them), "element" (may be
      an item of those operands, containers), "holds" (a new container whose items may
      be the operands' items -- or views of them, for arrays).
    writes: positions of arguments updated in place.
    pure: False when the call has an effect beyond its arguments (a random generator's
      state, printing): it is never removed, merged or moved.
    """
    result: str = "fresh"
    operands: tuple = ()
    writes: tuple = ()
    pure: bool = True


FRESH = Effects()
IMPURE = Effects(pure=False)
# x += y: the result is x itself, updated (for an array; a number gets a new value)
IN_PLACE = Effects("view", (0,), (0,))


def view(*positions):
    return Effects("view", positions or (0,))


def holds(*positions):
    return Effects("holds", positions or (0,))


def element(*positions):
    return Effects("element", positions or (0,))


def writes(*positions):
    return Effects("fresh", (), positions)


class RuleError(Exception):
    """A call site does not fit the rule's signature (raised as TranspileError upstream,
    at the call's line, when a derivative flows through the call)."""

    def __init__(self, reason, hint=""):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


# Keywords of NumPy functions that change how a result is stored or computed, not its
# values (so not the derivative): every rule takes them and leaves them to the primal.
VALUE_NEUTRAL = ("order", "subok", "casting", "device", "kind", "stable", "optimize")
# Every ufunc (np.exp, np.add, ...) also takes a dtype (a cast, see Rule._wrap), and
# out= and where= at their defaults.
UFUNC_KEYWORDS = ("dtype", "out", "where")
UFUNC_ONLY = {"out": (None,), "where": (True,)}
# What to write instead of a keyword no rule models.
KEYWORD_HINTS = {
    "out": "`out=` writes into an existing array, which transpiler does not differentiate: "
           "assign the result instead (`y = %(f)s(...)`)",
    "where": "compute everywhere and select with np.where(mask, value, fill) instead",
    "initial": "combine with the initial value explicitly, e.g. np.maximum(%(f)s(x), initial)",
    "like": "`like=` makes another library's array: leave it out",
    "dtype": "cast the result explicitly: %(f)s(...).astype(dtype)",
    "copy": "without a copy the result may be the argument itself: leave `copy=` out (or "
            "write np.asarray(x), whose aliasing transpiler follows)",
    "ndmax": "leave `ndmax=` out (it only matters for arrays of objects)",
    "retstep": "compute the step yourself: (stop - start) / (num - 1)",
    "axis": "move the axis afterwards with np.moveaxis",
    "default": "give the fallback explicitly: max(xs) if len(xs) else default",
    "mean": "leave `mean=` out: the function computes the mean itself",
    "signature": "call the function without `signature=`",
    "axes": "move the axes with np.moveaxis (or np.swapaxes) before the call",
    "keepdims": "call the function without `keepdims=` and add the axes with np.expand_dims",
}


class Primitive:
    """Everything the compiler knows about one primal (or a few that share it).

    Attributes:
      primals: the callables this record is keyed by.
      family: 'elementwise', 'broadcasting', 'reduction', 'shape', 'custom' or 'nondiff'.
      template: the parsed vjp function (None for nondiff).
      diff: names of the differentiable parameters, in the order the vjp returns them.
      varargs_diff: the ``*args`` of the primal are differentiable (vjp takes ``argnum``).
      abstract_eval, effects: see the module docstring.
      shape_only: positions of arguments whose shape and dtype alone are read.
      internal: a runtime helper only generated code calls (left out of the table of
        supported functions).
      jvp, batch, numba, cuda: the slots later transforms fill.
    """

    def __init__(self, primals, family, fn=None, diff=None, static=(), refuse=(),
                 abstract_eval=None, effects=FRESH, numba=None, shape_only=(),
                 internal=False, only=None, accept=(), aliases=None, casts=True, check=None,
                 check_avals=None, opaque=False, linear=(), mirrors=None):
        self.primals = tuple(primals)
        self.family = family
        self.fn = fn
        self.name = fn.__name__ if fn is not None else getattr(primals[0], "__name__", "rule")
        self.template = Template(fn) if fn is not None else None
        self.static = set(static)
        self.refuse = set(refuse)       # parameters with a derivative we do not provide
        self.abstract_eval = abstract_eval
        self.effects = effects
        self.shape_only = tuple(shape_only)   # arguments read for their shape/dtype only
        self.internal = internal              # a helper of generated code, not user API
        self.jvp = None                 # the jvp Template (``jvp_rule``)
        self.batch = None
        self.numba = numba
        self.cuda = None
        # parameters (or keywords) accepted only with these constant values: {name: values}
        self.only = dict(only or {})
        self.accept = set(VALUE_NEUTRAL) | set(accept)     # keywords taken and ignored
        self.aliases = dict(aliases or {})                 # keyword -> the parameter it sets
        self.casts = casts              # a `dtype=` casts the result (see _wrap)
        # check(constants): raises RuleError for constant arguments the rule refuses
        self.check = check
        # check_avals({param: abstract value, or the value of a constant}): raises
        # RuleError for arguments whose kind
        # the rule does not model, when a derivative flows through the call
        self.check_avals = check_avals
        self.opaque = opaque            # nondiff, but a derivative may not flow through
        # parameters the primal is linear in (the others fixed): their jvp contribution is
        # the call itself with the tangent in their place; True for every one
        self.linear = linear
        # the tangent shares the operands' tangents' memory as the result shares the
        # operands' (the same view, the same element): a view's jvp that is the call
        # itself does; a jvp rule says so with mirrors=True
        self._mirrors = mirrors
        if self.template is not None:
            params = self.template.params[2:]           # after (g, ans)
            self.params = params
            if diff is None:
                diff = [p for p in params if p not in self.template.defaults
                        and p not in self.static]
            self.diff = list(diff)
            self.varargs_diff = (self.template.varargs is not None
                                 and "argnum" in self.template.kwonly)
            self.uses_ans = "ans" in self.template.uses
            self._check_arity(self.template)
            if family in ("elementwise", "broadcasting"):
                self.jvp = self.template    # a diagonal Jacobian: J t is the vjp of t
        else:
            self.params, self.diff, self.varargs_diff, self.uses_ans = [], [], False, False

    def _check_arity(self, template):
        """Every return gives one adjoint (or tangent contribution) per differentiable
        parameter (a tuple unless there is exactly one); a rule for ``*args`` returns the
        one of ``argnum``."""
        expected = 1 if self.varargs_diff else len(self.diff)
        if self.varargs_diff and self.diff:
            raise RuleError("rule %s differentiates its *%s: its other parameters %s must "
                            "be declared non-differentiable (diff=())"
                            % (self.name, self.template.varargs, self.diff))
        for node in subnodes(template.node):
            if isinstance(node, gast.Return):
                count = len(node.value.elts) if isinstance(node.value, gast.Tuple) else 1
                if count != expected:
                    raise RuleError("rule %s returns %d adjoints for the %d differentiable "
                                    "parameters %s; declare diff=(...)"
                                    % (self.name, count, expected, self.diff))

    @property
    def differentiable(self):
        return self.family != "nondiff"

    @property
    def view(self):
        """May the result share memory with an argument?"""
        return self.effects.result == "view"

    def evaluate(self, args, kwargs, callee=None):
        """The result's abstract value for these arguments' (None: not known).

        ``callee``, one of ``primals``, decides what a scalar result is: ``math``
        functions return Python scalars, operators and builtins return them for Python
        operands, NumPy functions return NumPy scalars.
        """
        aval = E.evaluate(self.abstract_eval, args, kwargs)
        if isinstance(aval, A.Array) and aval.shape == () and aval.kind == A.SCALAR:
            module = getattr(callee, "__module__", None) or ""
            python = module == "math" or (module in ("_operator", "operator", "builtins")
                                          and all(isinstance(a, A.Array) and a.kind == A.PYTHON
                                                  for a in args))
            if python:
                aval = aval.with_(kind=A.PYTHON, value=_python_value(callee, args))
        return aval

    def __repr__(self):
        return "<Primitive %s (%s)>" % (self.name, self.family)

    # ------------------------------------------------------------ call sites
    def bind(self, args, keywords, primal=None):
        """Match call arguments to the rule's parameters.

        Returns ``(bindings, slots)``: bindings maps parameter names to expressions (the
        varargs parameter to a tuple literal, and a ufunc's or an accepted ``dtype=``
        under ``dtype``); slots maps each call argument position (int) or keyword (str)
        to the parameter it fills, as (name, vararg_index).  Raises RuleError, with a
        hint, for an argument the rule does not model (``out=``, ``where=``...).
        """
        if self.template is None:
            return {}, {}
        tpl = self.template
        params = self.params
        label = _spelling(primal if primal is not None else self.primals[0])
        bindings, slots = {}, {}
        extra = []
        for i, arg in enumerate(args):
            if i < len(params):
                bindings[params[i]] = arg
                slots[i] = (params[i], None)
            elif tpl.varargs:
                slots[i] = (tpl.varargs, len(extra))
                extra.append(arg)
            else:
                raise RuleError("%s takes at most %d positional arguments here" % (
                    label, len(params)), "pass the further ones by keyword" + (
                    " (a ufunc's third positional argument is `out=`, which is not "
                    "supported)" if _is_ufunc(primal) else ""))
        accepted = self.accept | (set(UFUNC_KEYWORDS) if _is_ufunc(primal) else set())
        for key, value in keywords:
            name = self.aliases.get(key, key)
            if name in params or name in tpl.kwonly and name != "argnum":
                if name in bindings:
                    raise RuleError("`%s` given twice in a call to %s" % (name, label))
                bindings[name] = value
                slots[key] = (name, None)
            elif key in accepted:
                _check_only({key: value}, UFUNC_ONLY, label)
                if key == "dtype":
                    bindings[key] = value
            else:
                raise RuleError("the keyword argument `%s=` of %s is not supported" % (key, label),
                                _keyword_hint(key, label))
        _check_only(bindings, self.only, label)
        if self.check is not None:
            self.check({k: v.value for k, v in bindings.items() if isinstance(v, gast.Constant)})
        if tpl.varargs:
            bindings[tpl.varargs] = build.tuple_(extra)
        for name in params:
            if name not in bindings and name not in tpl.defaults:
                raise RuleError("missing argument `%s` in a call to %s" % (name, label))
        return bindings, slots

    def slot_is_diff(self, slot):
        name, vindex = slot
        if vindex is not None:
            return self.varargs_diff
        return name in self.diff

    def adjoints(self, bindings, slots, g, ans, namer, broadcasts=None):
        """Inline the rule for the requested argument slots.

        Args:
          bindings: from ``bind``.
          slots: the (name, vararg_index) slots whose adjoints are wanted.
          g, ans: expressions for the output adjoint and the output.
          broadcasts: optional ``f(arg_expr) -> bool``, False when the argument is known
            to have the output's shape (then no unbroadcasting is needed).
        Returns:
          (statements, {slot: expression})
        """
        stmts, out = [], {}
        fixed = [s for s in slots if s[1] is None]
        if fixed:
            binding = dict(bindings, g=g, ans=ans)
            keep = {self.diff.index(slot[0]) for slot in fixed}
            body, result = self.template.instantiate(binding, namer, keep)
            stmts += body
            for slot in fixed:
                expr = self._entry(result, self.diff.index(slot[0]))
                out[slot] = self._wrap(expr, slot, bindings, ans, broadcasts)
        for slot in slots:
            if slot[1] is None:
                continue
            binding = dict(bindings, g=g, ans=ans, argnum=build.const(slot[1]))
            body, result = self.template.instantiate(binding, namer)
            stmts += body
            out[slot] = self._wrap(result, slot, bindings, ans, broadcasts)
        return stmts, out

    def _entry(self, result, k):
        """Entry k of what a rule returned (a list of expressions for a tuple literal)."""
        if isinstance(result, list):
            return result[k]
        if len(self.diff) == 1:
            return result
        return build.subscript(result, build.const(k))

    def _wrap(self, expr, slot, bindings, ans, broadcasts):
        name, vindex = slot
        arg = bindings[name]
        if vindex is not None:          # one of the *args: a tuple literal, or its name
            arg = arg.elts[vindex] if isinstance(arg, gast.Tuple) else \
                build.subscript(build.clone(arg), build.const(vindex))
        dtype = bindings.get("dtype")
        if self._casts(dtype):
            # computed in a given dtype: an integer result is a step function (zero adjoint)
            expr = build.call("rt.cast_adjoint", [expr, build.clone(arg), build.clone(ans)])
        if self.family != "broadcasting" or not self._may_broadcast(name, arg, bindings,
                                                                     broadcasts):
            return expr
        return build.call("rt.unbroadcast", [expr, build.clone(arg), build.clone(ans)])

    def _casts(self, dtype):
        """Does a ``dtype=`` given at the call site cast the result?"""
        return self.casts and dtype is not None and not (isinstance(dtype, gast.Constant)
                                                         and dtype.value is None)

    def _may_broadcast(self, name, arg, bindings, broadcasts):
        """May argument ``name`` (``arg``) have been broadcast to make the result?  Not
        when every other operand is a constant (a scalar), nor where ``broadcasts`` (the
        shapes) says it has the result's shape."""
        others = [v for k, v in bindings.items() if k != name and k in self.params
                  and k not in self.static]
        if all(isinstance(v, gast.Constant) for v in others):
            return False
        return broadcasts is None or bool(broadcasts(arg))

    # ------------------------------------------------------------ runnable form
    def vjp_function(self, param=None, argnum=None):
        """The adjoint for one parameter as a plain function ``f(g, ans, *args, **kwargs)``.

        Built by inlining the rule exactly as the compiler does, so testing it tests what
        generated code runs.
        """
        names = [p for p in self.params]
        params = ["g", "ans"] + names
        bindings = {p: build.name(p) for p in names}
        defaults = []
        tpl = self.template
        for p in names:
            if p in tpl.defaults:
                defaults.append(build.clone(tpl.defaults[p]))
        if tpl.varargs:
            bindings[tpl.varargs] = build.name(tpl.varargs)
        kwonly = [k for k in tpl.kwonly if k != "argnum"]
        bindings.update({k: build.name(k) for k in kwonly})
        namer = Namer(set(params) | set(kwonly) | {tpl.varargs or ""} | {"np", "rt", "math"})
        if argnum is not None:
            slot = (tpl.varargs, argnum)
        else:
            slot = (param if param is not None else self.diff[0], None)
        stmts, out = self.adjoints(bindings, [slot], build.name("g"), build.name("ans"), namer)
        body = stmts + [build.return_(out[slot])]
        args = build.arguments(params, defaults=defaults, kwonly=kwonly,
                               kw_defaults=[build.clone(tpl.defaults[k]) for k in kwonly])
        if tpl.varargs:
            args.vararg = build.name(tpl.varargs)
            args.vararg.ctx = gast.Param()
        fn = build.function_def("vjp_" + self.name, args, body)
        return _compiled(fn, {}, "rule " + self.name)[0]


    # ------------------------------------------------------------ forward mode
    def linear_in(self, slot):
        """Is the primal linear in this argument (the others fixed)?"""
        name, vindex = slot
        if self.linear is True:
            return True
        return (name if vindex is None else "*") in self.linear

    @property
    def mirrors(self):
        if self._mirrors is not None:
            return self._mirrors
        return self.effects.result == "fresh" or self.jvp is None and bool(self.linear)

    @property
    def has_jvp(self):
        """Does every differentiable argument have a tangent rule?"""
        if self.jvp is not None:
            return True
        wanted = list(self.diff) + (["*"] if self.varargs_diff else [])
        return bool(wanted) and all(self.linear_in((p, None if p != "*" else 0))
                                    for p in wanted)

    def tangent(self, bindings, slots, slot, t, ans, namer, rhs, broadcasts=None):
        """Inline the contribution of argument ``slot``'s tangent ``t`` to the result's.

        Args:
          bindings, slots: from ``bind`` (``slots`` maps call positions to slots).
          slot: the (name, vararg_index) whose tangent is ``t`` (a gast expression).
          ans: an expression for the result (the rule may read it).
          rhs: the call (or operator expression) itself: a linear argument's
            contribution is this call with ``t`` in the argument's place.
          broadcasts: as for ``adjoints``: False when the argument is known to have
            the result's shape (then the contribution needs no broadcasting).
        Returns:
          (statements, expression) -- a value with the result's shape and structure.
        """
        name, vindex = slot
        if self.jvp is None or (self.jvp is not self.template and self.linear_in(slot)
                                and not _returns_for(self.jvp, name, self.diff)):
            if not self.linear_in(slot):
                raise RuleError("%s has no forward-mode rule for its argument `%s`"
                                % (_spelling(self.primals[0]), name))
            position = next(k for k, s in slots.items() if s == slot)
            return [], self._wrap_tangent(_with_operand(rhs, position, t), slot, bindings,
                                          ans, broadcasts)
        tpl = self.jvp
        binding = dict(bindings)
        binding[tpl.params[0]] = t
        binding[tpl.params[1]] = ans
        if vindex is None:
            k = self.diff.index(name)
            body, result = tpl.instantiate(binding, namer, {k})
            expr = self._entry(result, k)
        else:
            binding["argnum"] = build.const(vindex)
            body, result = tpl.instantiate(binding, namer)
            expr = result
        return body, self._wrap_tangent(expr, slot, bindings, ans, broadcasts)

    def _wrap_tangent(self, expr, slot, bindings, ans, broadcasts):
        name, vindex = slot
        dtype = bindings.get("dtype")
        if self._casts(dtype):
            # computed in a given dtype: an integer result is a step function
            expr = build.call("rt.cast_tangent", [expr, build.clone(ans)])
        if self.family != "broadcasting" and not (self.family == "elementwise"
                                                  and len(self.diff) > 1):
            return expr          # one operand of the result's shape: t has it already
        if not self._may_broadcast(name, bindings[name], bindings, broadcasts):
            return expr
        return build.call("rt.broadcast_tangent", [expr, build.clone(ans)])

    def jvp_function(self, param=None, argnum=None, nargs=None, keywords=(), args=None,
                     kwargs=None, primal=None):
        """The contribution of one argument's tangent as a plain function
        ``f(t, ans, *args, **kwargs)`` for calls with ``nargs`` positional arguments and
        these keywords, built exactly as the compiler inlines it, for ``primal`` (one of
        ``primals``; the first by default).  Given the call's
        ``args``/``kwargs``, the options among them (None, numbers used as axes, strings,
        tuples of them) are written into the call as constants, as at a call site."""
        if args is not None:
            nargs, keywords = len(args), list(kwargs or {})
        nargs = len(self.params) if nargs is None else nargs
        positional = ["a%d" % k for k in range(nargs)]
        keywords = list(keywords)

        def atom(name, value):
            if args is not None and _is_option(value):
                return build.const(value) if not isinstance(value, tuple) else \
                    build.tuple_([build.const(v) for v in value])
            return build.name(name)
        values = list(args) if args is not None else [None] * nargs
        given = dict(kwargs or {})
        call = build.call("__primal__", [atom(a, v) for a, v in zip(positional, values)],
                          keywords=[(k, atom("k_" + k, given.get(k))) for k in keywords])
        primal = self.primals[0] if primal is None else primal
        bindings, slots = self.bind(list(call.args), [(kw.arg, kw.value) for kw in call.keywords],
                                    primal)
        if argnum is not None:
            slot = (self.template.varargs, argnum)
        else:
            slot = (param if param is not None else self.diff[0], None)
        namer = Namer(set(positional) | {"k_" + k for k in keywords}
                      | {"t", "ans", "np", "rt", "math", "__primal__"})
        stmts, expr = self.tangent(bindings, slots, slot, build.name("t"), build.name("ans"),
                                   namer, call)
        fn_args = build.arguments(["t", "ans"] + positional,
                                  kwonly=["k_" + k for k in keywords],
                                  kw_defaults=[None] * len(keywords))
        fn = build.function_def("jvp_" + self.name, fn_args, stmts + [build.return_(expr)])
        inner, source = _compiled(fn, {"__primal__": primal}, "jvp rule " + self.name)

        def jvp(t, ans, *args, **kwargs):
            return inner(t, ans, *args, **{"k_" + k: v for k, v in kwargs.items()})
        jvp.source = source
        return jvp


def _is_option(value):
    """A value a call site would hold as a literal (an axis, a mode, None)."""
    if isinstance(value, tuple):
        return all(_is_option(v) for v in value)
    return value is None or isinstance(value, (bool, int, str)) and not isinstance(value, float)


def _compiled(fn, extra, label):
    """The runnable function of a FunctionDef a rule test calls, and its source."""
    from ..ir.core import CORE
    source = emit.to_source(build.module([fn]))
    namespace = emit.compile_source(source, dict(CORE, **extra), label)
    return namespace[fn.name], source


def _returns_for(template, name, diff):
    """Does a jvp template give a contribution for parameter ``name`` (not None)?"""
    k = diff.index(name) if name in diff else None
    for node in subnodes(template.node):
        if isinstance(node, gast.Return):
            value = node.value
            if isinstance(value, gast.Tuple) and k is not None:
                value = value.elts[k]
            if not (isinstance(value, gast.Constant) and value.value is None):
                return True
    return False


def _with_operand(rhs, position, t):
    """A copy of the call (or operator expression) ``rhs`` with ``t`` at ``position``
    (an index among the positional operands, or a keyword)."""
    rhs = build.clone(rhs)
    if isinstance(rhs, gast.Call):
        if isinstance(position, int):
            rhs.args[position] = build.clone(t)
        else:
            for kw in rhs.keywords:
                if kw.arg == position:
                    kw.value = build.clone(t)
    elif isinstance(rhs, gast.BinOp):
        if position == 0:
            rhs.left = build.clone(t)
        else:
            rhs.right = build.clone(t)
    elif isinstance(rhs, gast.UnaryOp):
        rhs.operand = build.clone(t)
    else:
        raise RuleError("no call to substitute a tangent into: %s" % type(rhs).__name__)
    return rhs


def _is_ufunc(obj):
    return type(obj).__name__ == "ufunc"


def _spelling(primal):
    from .table import spelling
    return spelling(primal).strip("`")


def _check_only(bindings, only, label):
    """Arguments accepted only with some constant values (``out=None``)."""
    for name, allowed in only.items():
        value = bindings.get(name)
        if value is None:
            continue
        if not (isinstance(value, gast.Constant)
                and any(value.value is v or type(value.value) is type(v) and value.value == v
                        for v in allowed)):
            shown = " or ".join("%s=%r" % (name, v) for v in allowed)
            raise RuleError("the argument `%s=` of %s is supported only as %s"
                            % (name, label, shown), _keyword_hint(name, label))


def _keyword_hint(key, label):
    hint = KEYWORD_HINTS.get(key)
    if hint is None:
        return ("leave `%s=` out (the derivative of %s does not model it), or give the "
                "derivative with @transpiler.custom_vjp" % (key, label))
    return hint % {"f": label}


def register(rule):
    for primal in rule.primals:
        _TABLE[_key(primal)] = rule
    _ALL.append(rule)
    return rule


def _key(obj):
    try:
        hash(obj)
        return obj
    except TypeError:
        return id(obj)


def lookup(obj):
    try:
        return _TABLE.get(_key(obj))
    except TypeError:
        return None


def all_rules():
    return list(_ALL)


def _python_value(callee, args):
    """The value of an operator on known Python numbers (sizes computed from shapes)."""
    if getattr(callee, "__module__", None) != "_operator" or not args or not all(
            isinstance(a, A.Array) and a.kind == A.PYTHON and a.value is not None
            and not A.is_size(a.value) for a in args):
        return None                         # (a symbolic size has no value to compute with)
    try:
        value = callee(*[a.value for a in args])
    except (ArithmeticError, ValueError, TypeError):
        return None
    if isinstance(value, bool) or (isinstance(value, int) and abs(value) < 2 ** 62):
        return value
    return value if isinstance(value, float) else None


# ------------------------------------------------------------ family decorators

_FAMILY_EVAL = {
    "elementwise": E.elementwise("float"),
    "broadcasting": E.broadcasting("same"),
    "reduction": E.reduction("float"),
}


def _family(family, **defaults):
    def decorator_factory(*primals, **options):
        opts = dict(defaults, **options)
        opts.setdefault("abstract_eval", _FAMILY_EVAL.get(family))

        def decorator(fn):
            register(Primitive(primals, family, fn, **opts))
            return fn
        return decorator
    return decorator_factory


elementwise = _family("elementwise")
broadcasting = _family("broadcasting")
reduction = _family("reduction")
shape = _family("shape", effects=view(0))
custom = _family("custom")


def nondiff(*primals, abstract_eval=None, effects=FRESH, numba=None, shape_only=(),
            internal=False, opaque=False):
    """Primals whose outputs carry no derivative (comparisons, floor, argmax, len...).

    ``opaque``: the output depends smoothly on the inputs but in a form transpiler does not
    differentiate (``str(x)``): a derivative flowing through it is refused.
    """
    register(Primitive(primals, "nondiff", abstract_eval=abstract_eval, effects=effects,
                       numba=numba, shape_only=shape_only, internal=internal, opaque=opaque))


def jvp_rule(*primals):
    """Give the primitive of ``primals`` (registered already) its forward-mode rule.

    The rule takes the vjp rule's parameters, the tangent first (in the cotangent's
    place), and returns one contribution per differentiable parameter; ``None`` for a
    parameter the primitive is declared ``linear`` in (its contribution is the call)."""
    def decorator(fn):
        rule = lookup(primals[0])
        if rule is None:
            raise RuleError("jvp_rule for %r, which has no vjp rule" % (primals[0],))
        template = Template(fn)
        if template.params[2:] != rule.params or \
                [k for k in template.kwonly if k != "argnum"] != \
                [k for k in rule.template.kwonly if k != "argnum"] or \
                template.varargs != rule.template.varargs:
            raise RuleError("jvp rule %s must take (t, ans) and the parameters of the vjp "
                            "rule %s: %s" % (fn.__name__, rule.name, rule.params))
        rule._check_arity(template)
        for primal in primals[1:]:
            if lookup(primal) is not rule:
                raise RuleError("jvp_rule: %r and %r have different vjp rules"
                                % (primals[0], primal))
        rule.jvp = template
        return fn
    return decorator
