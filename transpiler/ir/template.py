"""Inline a small Python function (a derivative rule) as code at a call site.

A template is an ordinary, runnable function such as::

    def sum(g, ans, x, axis=None, keepdims=False):
        if axis is None or keepdims:
            return g
        return np.expand_dims(g, axis)

``instantiate`` substitutes the call site's expressions for the parameters, renames the
template's locals to fresh names, resolves ``if`` tests that the call site makes
constant (``axis=None`` above), and returns the statements plus the result
expression(s).  Templates may use ``np``, ``math`` and ``rt`` (the runtime) and nothing
else from their module, so the inlined code means the same in generated modules.
"""
import inspect
import operator
import textwrap

import gast

from .core import CORE
from . import build
from .walk import subnodes


class TemplateError(Exception):
    pass


def _parse(fn):
    source = textwrap.dedent(inspect.getsource(fn))
    module = gast.parse(source)
    node = next(n for n in module.body if isinstance(n, gast.FunctionDef))
    node.decorator_list = []
    return node


class Template:
    """A parsed rule function, ready to be inlined."""

    def __init__(self, fn):
        self.fn = fn
        self.node = _parse(fn)
        args = self.node.args
        self.params = [a.id for a in args.args]
        self.kwonly = [a.id for a in args.kwonlyargs]
        self.varargs = args.vararg.id if args.vararg is not None else None
        n_def = len(args.defaults)
        self.defaults = {}
        for name, default in zip(self.params[len(self.params) - n_def:], args.defaults):
            self.defaults[name] = default
        for name, default in zip(self.kwonly, args.kw_defaults):
            if default is not None:
                self.defaults[name] = default
        self.locals = {n.id for s in self.node.body for n in subnodes(s)
                       if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        self.uses = {n.id for s in self.node.body for n in subnodes(s)
                     if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        self._check_globals()

    def _check_globals(self):
        known = set(self.params) | set(self.kwonly) | self.locals | {self.varargs}
        import builtins
        for name in self.uses - known:
            value = self.fn.__globals__.get(name, getattr(builtins, name, None))
            if name in CORE and value is CORE[name]:
                continue
            if hasattr(builtins, name) and value is getattr(builtins, name):
                continue
            raise TemplateError("rule %s uses the global %r; rules may only use np, math, rt "
                                "and builtins" % (self.fn.__qualname__, name))

    def signature_names(self):
        return self.params + ([self.varargs] if self.varargs else []) + self.kwonly

    def instantiate(self, bindings, namer, keep=None):
        """Inline with ``bindings`` (param name -> gast expression).

        Returns ``(statements, result)`` where result is an expression, or a list of
        expressions when the template returns a tuple literal.  ``keep`` (positions in
        the returned tuples) drops the other entries, so that a rule whose returns stay
        behind a run-time ``if`` computes only the adjoints asked for.
        """
        for name in self.params + self.kwonly:
            if name not in bindings:
                if name not in self.defaults:
                    raise TemplateError("missing binding for %r in %s" % (name, self.fn.__name__))
                bindings[name] = build.clone(self.defaults[name])
        mapping = {name: namer.fresh(name) for name in sorted(self.locals)}
        body = [build.clone(s) for s in self.node.body]
        subst = _Substitute(bindings, mapping)
        body = [subst.visit(s) for s in body]
        body = _fold_block(body)
        if keep is not None:
            for node in (n for s in body for n in subnodes(s)):
                if isinstance(node, gast.Return) and isinstance(node.value, gast.Tuple):
                    node.value.elts = [e if k in keep else build.const(None)
                                       for k, e in enumerate(node.value.elts)]
        result_name = None
        if not (body and isinstance(body[-1], gast.Return) and
                not any(isinstance(n, gast.Return) for s in body[:-1] for n in subnodes(s))):
            result_name = namer.fresh("result")
            body = _returns_to_assignments(body, result_name)
            return body, build.name(result_name)
        value = body.pop().value
        if isinstance(value, gast.Tuple):
            return body, list(value.elts)
        return body, value


class _Substitute(gast.NodeTransformer):
    def __init__(self, bindings, mapping):
        self.bindings = bindings
        self.mapping = mapping

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.bindings:
            return build.clone(self.bindings[node.id])
        if node.id in self.mapping:
            node.id = self.mapping[node.id]
        return node


# ------------------------------------------------------------ constant folding of tests

_NOT_CONSTANT = object()

_CMP = {gast.Is: operator.is_, gast.IsNot: operator.is_not, gast.Eq: operator.eq,
        gast.NotEq: operator.ne, gast.Lt: operator.lt, gast.LtE: operator.le,
        gast.Gt: operator.gt, gast.GtE: operator.ge,
        gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b}
_TYPES = {"int": int, "float": float, "tuple": tuple, "list": list, "str": str, "bool": bool}


def static_value(node):
    """The value of an expression made of constants only, else _NOT_CONSTANT."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, (gast.Tuple, gast.List)):
        values = [static_value(e) for e in node.elts]
        if any(v is _NOT_CONSTANT for v in values):
            return _NOT_CONSTANT
        return tuple(values) if isinstance(node, gast.Tuple) else values
    if isinstance(node, gast.UnaryOp):
        value = static_value(node.operand)
        if value is _NOT_CONSTANT:
            return _NOT_CONSTANT
        if isinstance(node.op, gast.Not):
            return not value
        if isinstance(node.op, gast.USub):
            return -value
        return _NOT_CONSTANT
    if isinstance(node, gast.BoolOp):
        values = [static_value(v) for v in node.values]
        if isinstance(node.op, gast.And):
            for v in values:
                if v is _NOT_CONSTANT:
                    return _NOT_CONSTANT
                if not v:
                    return v
            return values[-1]
        for v in values:
            if v is _NOT_CONSTANT:
                return _NOT_CONSTANT
            if v:
                return v
        return values[-1]
    if isinstance(node, gast.Compare) and len(node.ops) == 1:
        left, right = static_value(node.left), static_value(node.comparators[0])
        if left is _NOT_CONSTANT or right is _NOT_CONSTANT:
            # `x is None` is decidable when x is an expression other than None
            if isinstance(node.ops[0], (gast.Is, gast.IsNot)):
                other = right if left is _NOT_CONSTANT else left
                if other is None and not _may_be_none(
                        node.left if left is _NOT_CONSTANT else node.comparators[0]):
                    return isinstance(node.ops[0], gast.IsNot)
            return _NOT_CONSTANT
        try:
            return _CMP[type(node.ops[0])](left, right)
        except Exception:
            return _NOT_CONSTANT
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
        args = [static_value(a) for a in node.args]
        if node.func.id == "isinstance" and len(node.args) == 2:
            kinds = node.args[1]
            names = kinds.elts if isinstance(kinds, gast.Tuple) else [kinds]
            if args[0] is _NOT_CONSTANT:
                # a tuple/list literal has a known type even if its elements are not constant
                if isinstance(node.args[0], (gast.Tuple, gast.List)):
                    types = tuple(_TYPES.get(n.id) for n in names if isinstance(n, gast.Name))
                    return isinstance(() if isinstance(node.args[0], gast.Tuple) else [], types)
                return _NOT_CONSTANT
            types = tuple(_TYPES[n.id] for n in names if isinstance(n, gast.Name) and n.id in _TYPES)
            return isinstance(args[0], types)
        if node.func.id == "len" and len(args) == 1:
            if isinstance(node.args[0], (gast.Tuple, gast.List)):
                return len(node.args[0].elts)
            if args[0] is not _NOT_CONSTANT:
                return len(args[0])
    return _NOT_CONSTANT


def _may_be_none(node):
    """False for expressions that cannot evaluate to None (literals, arithmetic)."""
    if isinstance(node, (gast.Tuple, gast.List, gast.Dict, gast.BinOp)):
        return False
    if isinstance(node, gast.Constant):
        return node.value is None
    return True


def _fold_block(stmts):
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            value = static_value(stmt.test)
            if value is not _NOT_CONSTANT:
                chosen = _fold_block(stmt.body if value else stmt.orelse)
                out.extend(chosen)
                if any(isinstance(s, gast.Return) for s in chosen):
                    return out
                continue
            stmt.body = _fold_block(stmt.body) or [build.pass_()]
            stmt.orelse = _fold_block(stmt.orelse)
        out.append(stmt)
        if isinstance(stmt, gast.Return):
            return out
    return out


def _returns_to_assignments(stmts, result):
    """``if c: return a`` + rest  ->  ``if c: result = a`` / ``else: rest``.

    The statements after an ``if`` that returns somewhere go into each of its branches
    (a copy in each), so that they run exactly where no return did: a return nested in an
    inner ``if`` (``if c: if d: return a``) is followed by nothing of the rest.
    """
    out = []
    for index, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Return):
            out.append(build.assign(result, stmt.value))
            return out
        if isinstance(stmt, gast.If) and any(isinstance(n, gast.Return) for n in subnodes(stmt)):
            rest = stmts[index + 1:]
            stmt.body = _returns_to_assignments(stmt.body + rest, result)
            stmt.orelse = _returns_to_assignments(stmt.orelse + [build.clone(s) for s in rest],
                                                  result)
            out.append(stmt)
            return out
        out.append(stmt)
    return out
