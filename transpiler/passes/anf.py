"""A-normal form: every operation on its own line, with atomic operands.

Requires: jumps structured, loops lowered, assignments desugared.  Ensures the core
language (docs/architecture.md): each statement is one of

    name = <op>            op: atom, call(atoms), a <binop> b, <unop> a, a <cmp> b,
                           a[index], (atoms), [atoms], {const: atom}
    name[index] = atom     (a write into an array the function created)
    lst.append(atom) / name = lst.pop() / print(...) / assert ... / raise ...
    if name: ... else: ...            (or `if not name:`)
    for name in range(atoms): ...
    while name: ...                   (name recomputed at the end of the body)
    if flag: break                    (top level of a loop body only)
    return atom                       (last statement only)

Temporaries are named after what they hold (``sin_x``, ``a_times_b``).  Conditional
expressions and `and`/`or` become `if` statements, so only the branch Python would
evaluate is evaluated.  Calls to functions defined inside the function (nested `def`s
and lambdas bound to a name) are inlined with their locals renamed.
"""
import gast

from ..ir import build
from ..ir.naming import describe
from ..ir.walk import Renamer, is_static_ref, subnodes
from ..pipeline import Pass
from ..frontend.resolve import function_locals


def is_atom(node):
    return isinstance(node, (gast.Name, gast.Constant))


class ANF(Pass):
    name = "anf"
    ensures_core = True

    def run(self, unit):
        self.unit = unit
        self.locals = function_locals(unit.fn)
        self.local_functions = {}
        unit.fn.body = self._block(unit.fn.body)

    # ------------------------------------------------------------ statements
    def _block(self, stmts):
        out = []
        for stmt in stmts:
            out.extend(self._stmt(stmt))
        return out

    def _stmt(self, stmt):
        unit = self.unit
        if isinstance(stmt, gast.FunctionDef):
            self._define(stmt)
            return []
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(stmt.value, gast.Lambda) and isinstance(target, gast.Name):
                self._define(self._lambda_def(target.id, stmt.value, stmt))
                return []
            if isinstance(target, gast.Name):
                if target.id in self.local_functions:
                    raise unit.error(stmt, "`%s` is a local function and cannot be reassigned"
                                     % target.id, "use a different name.")
                pre, rhs = self._op(stmt.value)
                return pre + [build.assign(target, rhs, at=stmt)]
            if isinstance(target, gast.Subscript):
                if not isinstance(target.value, gast.Name):
                    raise unit.error(stmt, "writing into a nested element (`x[i][j] = ...`) is "
                                     "not supported", "index once: x[i, j] = ...")
                pre, value = self._atom(stmt.value)
                pre2, index = self._index(target.slice)
                new = build.subscript(build.name(target.value.id, at=stmt), index, store=True,
                                      at=stmt)
                return pre + pre2 + [build.assign(new, value, at=stmt)]
            if isinstance(target, gast.Tuple) and all(isinstance(e, gast.Name)
                                                      for e in target.elts):
                if isinstance(stmt.value, gast.Tuple) and \
                        len(stmt.value.elts) == len(target.elts):
                    # generated code (a rule's `a, b = x, y`): each value first, then names
                    pre, atoms = self._atoms(stmt.value.elts)
                    temps = []
                    for atom in atoms:
                        temp = self.unit.fresh("value")
                        pre.append(build.assign(temp, atom, at=stmt))
                        temps.append(temp)
                    return pre + [build.assign(e.id, build.name(t, at=stmt), at=stmt)
                                  for e, t in zip(target.elts, temps)]
                pre, rhs = self._op(stmt.value)          # generated code: a, b = f(...)
                return pre + [build.assign(target, rhs, at=stmt)]
            raise unit.error(stmt, "unsupported assignment target")
        if isinstance(stmt, gast.Expr):
            value = stmt.value
            if isinstance(value, gast.Constant) or is_atom(value):
                return [] if not build.is_comment(stmt) else [stmt]
            if isinstance(value, gast.Call):
                pre, rhs = self._op(value)
                if is_atom(rhs):          # an inlined local function: its value is unused
                    return pre
                return pre + [build.expr(rhs, at=stmt)]
            pre, _ = self._op(value)
            return pre
        if isinstance(stmt, gast.If):
            pre, test = self._test(stmt.test)
            body = self._block(stmt.body) or [build.pass_(at=stmt)]
            orelse = self._block(stmt.orelse)
            if _is_break_check(stmt):
                return pre + [build.if_(test, [build.break_(at=stmt)], at=stmt)]
            return pre + [build.if_(test, body, orelse, at=stmt)]
        if isinstance(stmt, gast.While):
            pre, test = self._test(stmt.test)
            body = self._block(stmt.body)
            if pre:
                # a compound test: computed before the loop and again at the end of the body
                cond = test.operand if isinstance(test, gast.UnaryOp) else test
                if not isinstance(cond, gast.Name) or not _assigns(pre, cond.id):
                    name = self.unit.fresh("cond")
                    pre = pre + [build.assign(name, test, at=stmt)]
                    test = build.name(name, at=stmt)
                body = body + [build.clone(s) for s in pre]
            return pre + [build.while_(test, body, at=stmt)]
        if isinstance(stmt, gast.For):
            call = stmt.iter
            pre = []
            args = []
            for arg in call.args:
                p, a = self._atom(arg)
                pre += p
                args.append(a)
            loop = build.for_(stmt.target, build.call(call.func, args, at=call),
                              self._block(stmt.body), at=stmt)
            return pre + [loop]
        if isinstance(stmt, gast.AugAssign):
            # generated code accumulates in place: dx += g, dx[i] += g
            pre, value = self._atom(stmt.value)
            target = stmt.target
            if isinstance(target, gast.Subscript):
                pre2, index = self._index(target.slice)
                pre += pre2
                target = build.subscript(target.value, index, store=True, at=stmt)
            return pre + [build.augassign(target, build.OP_SPELLING[type(stmt.op)], value, at=stmt)]
        if isinstance(stmt, gast.Return):
            pre, value = self._atom(stmt.value if stmt.value is not None else build.const(None))
            return pre + [build.return_(value, at=stmt)]
        if isinstance(stmt, gast.Pass):
            return []
        if isinstance(stmt, (gast.Break, gast.Assert, gast.Raise)):
            return [stmt]
        raise unit.error(stmt, "unsupported statement `%s`" % type(stmt).__name__)

    def _define(self, fn):
        """Normalise a nested function's body now; inline it at each call."""
        saved_locals, saved_funcs = self.locals, dict(self.local_functions)
        self.locals = saved_locals | function_locals(fn)
        fn.body = self._block(fn.body)
        self.locals, self.local_functions = saved_locals, saved_funcs
        for default in fn.args.defaults + [d for d in fn.args.kw_defaults if d is not None]:
            if not isinstance(default, gast.Constant):
                raise self.unit.error(default, "a local function's default values must be "
                                      "constants", "pass the value at the call instead.")
        self.local_functions[fn.name] = fn

    def _lambda_def(self, name, lam, at):
        return build.function_def(name, lam.args, [build.return_(lam.body, at=lam)], at=at)

    # ------------------------------------------------------------ expressions
    def _atom(self, node):
        pre, rhs = self._op(node)
        if is_atom(rhs) or self._static(rhs):
            return pre, rhs
        temp = self.unit.fresh(describe(rhs))
        return pre + [build.assign(temp, rhs, at=node)], build.name(temp, at=node)

    def _atoms(self, nodes):
        pre, out = [], []
        for node in nodes:
            p, a = self._atom(node)
            pre += p
            out.append(a)
        return pre, out

    def _static(self, node):
        return isinstance(node, (gast.Attribute, gast.Name)) and is_static_ref(
            node, self.unit.env, self.locals)

    def _test(self, node):
        """A condition as `name` or `not name`."""
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
            pre, inner = self._atom(node.operand)
            if isinstance(inner, gast.Name):
                return pre, build.unop("not", inner, at=node)
            return pre, build.unop("not", inner, at=node)
        pre, value = self._atom(node)
        return pre, value

    def _op(self, node):
        unit = self.unit
        if isinstance(node, gast.JoinedStr):
            return self._op(_formatted(node))
        if is_atom(node):
            if isinstance(node, gast.Name) and node.id in self.local_functions:
                raise unit.error(node, "the local function `%s` is used as a value" % node.id,
                                 "only calls to local functions are supported; define it at "
                                 "module level to pass it around.")
            return [], node
        if self._static(node):
            return [], node
        if isinstance(node, gast.BinOp):
            pre, (left, right) = self._atoms([node.left, node.right])
            return pre, gast.BinOp(left=left, op=node.op, right=right)
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
                    and isinstance(node.operand.value, (int, float)) \
                    and not isinstance(node.operand.value, bool):
                return [], build.const(-node.operand.value, at=node)
            pre, operand = self._atom(node.operand)
            return pre, gast.UnaryOp(op=node.op, operand=operand)
        if isinstance(node, gast.Compare):
            if len(node.ops) == 1:
                pre, (left, right) = self._atoms([node.left, node.comparators[0]])
                return pre, gast.Compare(left=left, ops=node.ops, comparators=[right])
            return self._chained_compare(node)
        if isinstance(node, gast.BoolOp):
            return self._boolop(node)
        if isinstance(node, gast.IfExp):
            result = unit.fresh("choice")
            pre, test = self._test(node.test)
            body_pre, body = self._op(node.body)
            else_pre, orelse = self._op(node.orelse)
            stmt = build.if_(test, body_pre + [build.assign(result, body, at=node)],
                             else_pre + [build.assign(result, orelse, at=node)], at=node)
            return pre + [stmt], build.name(result, at=node)
        if isinstance(node, gast.Call):
            return self._call(node)
        if isinstance(node, gast.Subscript):
            pre, value = self._atom(node.value)
            pre2, index = self._index(node.slice)
            return pre + pre2, build.subscript(value, index, at=node)
        if isinstance(node, (gast.Tuple, gast.List)):
            pre, elts = self._atoms(node.elts)
            return pre, (build.tuple_ if isinstance(node, gast.Tuple) else build.list_)(elts, at=node)
        if isinstance(node, gast.Dict):
            if any(k is None for k in node.keys):
                raise unit.error(node, "`**` in a dict literal is not supported",
                                 "list the keys explicitly.")
            pre, keys = self._atoms(node.keys)
            pre2, values = self._atoms(node.values)
            return pre + pre2, build.dict_(keys, values, at=node)
        if isinstance(node, gast.Lambda):
            raise unit.error(node, "a lambda used as a value is not supported",
                             "bind it to a name first (`g = lambda x: ...`) and call it, or "
                             "define the function at module level.")
        if isinstance(node, gast.Attribute):
            raise unit.error(node, "the attribute `.%s` is not supported here" % node.attr)
        raise unit.error(node, "the expression `%s` is not supported" % type(node).__name__)

    def _chained_compare(self, node):
        """``a < b < c``: each operand evaluated once, the next only if needed."""
        result = self.unit.fresh("cond")
        pre, left = self._atom(node.left)

        def link(k, left_atom):
            right_pre, right = self._atom(node.comparators[k])
            compare = gast.Compare(left=left_atom, ops=[node.ops[k]], comparators=[right])
            stmts = right_pre + [build.assign(result, build.locate(compare, node), at=node)]
            if k + 1 < len(node.ops):
                stmts.append(build.if_(build.name(result, at=node), link(k + 1, right), at=node))
            return stmts
        return pre + link(0, left), build.name(result, at=node)

    def _boolop(self, node):
        """`a and b` -> result = a; if result: result = b   (Python's short circuit)."""
        result = self.unit.fresh("cond")
        values = list(node.values)
        pre, first = self._op(values[0])
        stmts = pre + [build.assign(result, first, at=node)]
        if len(values) > 1:
            rest = gast.BoolOp(op=node.op, values=values[1:]) if len(values) > 2 else values[1]
            build.locate(rest, node)
            rest_pre, rest_value = self._op(rest)
            inner = rest_pre + [build.assign(result, rest_value, at=node)]
            test = build.name(result, at=node)
            if isinstance(node.op, gast.Or):
                test = build.unop("not", test, at=node)
            stmts.append(build.if_(test, inner, at=node))
        return stmts, build.name(result, at=node)

    def _call(self, node):
        unit = self.unit
        func = node.func
        if isinstance(func, gast.Name) and func.id in self.local_functions:
            return self._inline(node, self.local_functions[func.id])
        if isinstance(func, gast.Lambda):          # (lambda x: ...)(a), as jit(lambda)(a) leaves
            fn = self._lambda_def(unit.fresh("lambda"), func, node)
            saved = dict(self.local_functions)
            self._define(fn)
            self.local_functions = saved
            return self._inline(node, fn)
        is_list_method = (isinstance(func, gast.Attribute) and func.attr in ("append", "pop")
                          and isinstance(func.value, gast.Name)
                          and (func.value.id in self.locals or not self._static(func.value)))
        static_param = isinstance(func, gast.Name) and unit.env.static_callee(func.id, unit.fn)
        if not (self._static(func) or is_list_method or static_param):
            if isinstance(func, gast.Name) and func.id in self.locals:
                raise unit.error(node, "calling `%s`, a value computed inside the function, is "
                                 "not supported" % func.id, "call a function defined at module "
                                 "level (or a nested `def`) by its name.")
            raise unit.error(node, "this call cannot be resolved to a known function",
                             "call a module-level function, a nested `def`, or a NumPy/math "
                             "function by name.")
        pre, args = self._atoms(node.args)
        keywords = []
        for kw in node.keywords:
            if kw.arg is None:
                raise unit.error(node, "`**kwargs` in a call is not supported",
                                 "pass keyword arguments explicitly.")
            p, value = self._atom(kw.value)
            pre += p
            keywords.append(build.keyword(kw.arg, value))
        call = build.call(func, args, at=node)
        call.keywords = keywords
        return pre, call

    def _inline(self, node, fn):
        unit = self.unit
        params = [a.id for a in fn.args.args]
        kwonly = [a.id for a in fn.args.kwonlyargs]
        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
        defaults.update({k: d for k, d in zip(kwonly, fn.args.kw_defaults) if d is not None})
        pre, args = self._atoms(node.args)
        if len(args) > len(params):
            raise unit.error(node, "too many arguments for `%s`" % fn.name)
        bound = dict(zip(params, args))
        for kw in node.keywords:
            if kw.arg not in params + kwonly or kw.arg in bound:
                raise unit.error(node, "unexpected keyword argument `%s` for `%s`"
                                 % (kw.arg, fn.name))
            p, value = self._atom(kw.value)
            pre += p
            bound[kw.arg] = value
        for param in params + kwonly:
            if param not in bound:
                if param not in defaults:
                    raise unit.error(node, "missing argument `%s` for `%s`" % (param, fn.name))
                bound[param] = build.clone(defaults[param])
        mapping = {name: unit.fresh(name) for name in sorted(function_locals(fn))}
        stmts = [build.assign(mapping[p], bound[p], at=node) for p in params + kwonly]
        body = [build.clone(s) for s in fn.body]
        renamer = Renamer(mapping)
        body = [renamer.visit(s) for s in body]
        ret = body.pop()
        assert isinstance(ret, gast.Return)
        return pre + stmts + body, ret.value

    def _index(self, index):
        if isinstance(index, gast.Slice):
            pre, parts = [], []
            for part in (index.lower, index.upper, index.step):
                if part is None:
                    parts.append(None)
                else:
                    p, a = self._atom(part)
                    pre += p
                    parts.append(a)
            return pre, build.slice_(*parts, at=index)
        if isinstance(index, gast.Tuple):
            pre, elts = [], []
            for elt in index.elts:
                p, e = self._index(elt)
                pre += p
                elts.append(e)
            return pre, build.tuple_(elts, at=index)
        return self._atom(index)


class _Generated:
    """What ANF needs of a unit, for a function the compiler generated."""

    def __init__(self, fn, env, namer):
        self.fn, self.env, self.namer = fn, env, namer
        self.temporaries = set()

    def fresh(self, base):
        name = self.namer.fresh(base)
        self.temporaries.add(name)
        return name

    def error(self, node, reason, hint=""):
        return AssertionError("generated code the core language cannot hold: %s" % reason)


def flatten_expressions(fn, env, namer):
    """ANF for a generated function: one operation per statement, atomic operands (the
    core language).  Returns the temporaries it introduced, which ``ir/readable.py``
    folds back into their single use when the source is rendered."""
    from .lower_comprehensions import LowerComprehensions
    from .lower_for import LowerFor
    generated = _Generated(fn, env, namer)
    if any(isinstance(n, gast.ListComp) for n in subnodes(fn)):
        # a rule written with a comprehension (``[rt.part(g, k) for k in ...]``)
        LowerComprehensions().run(generated)
        LowerFor().run(generated)
    ANF().run(generated)
    return generated.temporaries


def _is_break_check(stmt):
    return (len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break) and not stmt.orelse)


def _assigns(stmts, name):
    return any(isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
               and s.targets[0].id == name for s in stmts)


_CONVERSIONS = {ord("r"): "repr", ord("s"): "str", ord("a"): "ascii"}


def _formatted(node):
    """An f-string as the calls it makes: ``f"{x!r:>8} m"`` is
    ``format(repr(x), '>8') + ' m'`` (text is never differentiated: ``format`` is)."""
    pieces = []
    for part in node.values:
        if isinstance(part, gast.FormattedValue):
            value = part.value
            if part.conversion in _CONVERSIONS:
                value = build.call(_CONVERSIONS[part.conversion], [value], at=node)
            spec = _formatted(part.format_spec) if part.format_spec is not None \
                else build.const("")
            pieces.append(build.call("format", [value, spec], at=node))
        else:
            pieces.append(part)
    if not pieces:
        return build.const("")
    text = pieces[0]
    for piece in pieces[1:]:
        text = build.binop(text, "+", piece, at=node)
    return text

