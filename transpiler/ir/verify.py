"""The core language, checked: what normalisation produces and every transform emits.

    stmt  := name = op                     op := atom | f(atom, ..., k=atom)
           | name, ..., name = f(...)            | atom binop atom | unop atom
           | name[index] = atom                  | atom cmp atom | atom[index]
           | name += atom                        | (atom, ...) | [atom, ...] | {const: atom}
           | name[index] += atom                 | name.pop()
           | f(atom, ...)          (a call kept for its effect: append, print, a write)
           | assert ... | raise ...
           | if test: ... else: ...             test := name | not name | constant
           | for name in range(atom, atom, atom): ...
           | while test: ...
           | if flag: break        (only at the top level of a loop body)
           | return atom | return (atom, ...)  (only last)
    atom  := name | constant | a dotted reference to a module-level object (np.pi)
    index := atom | slice(atom?, atom?, atom?) | (index, ...) | None | ...

Every call must reach a live callee: a primitive of the table, a user function (to be
differentiated in turn), a custom rule, a generated function, a list's own
``append``/``pop``, or an opaque callable of the user's (run as written; reverse mode
refuses it on values being differentiated).  The runtime functions generated code calls
are all primitives (``tests/rules/test_coverage.py``).  ``+=`` (accumulating in place)
appears only in generated code.

``verify(fn, env)`` lists what departs from this; the pipeline runs it after every pass
and on every generated function when ``TRANSPILER_VERIFY=1`` (the test suite sets it).
"""
import builtins
import os

import gast

from .build import is_comment
from .walk import subnodes

# Expressions the core language has no room for.
_SUGAR = (gast.BoolOp, gast.IfExp, gast.ListComp, gast.SetComp, gast.DictComp,
          gast.GeneratorExp, gast.Lambda, gast.NamedExpr, gast.Starred, gast.Await,
          gast.Yield, gast.YieldFrom, gast.JoinedStr)
# Statements the core language has no room for.
_SUGAR_STATEMENTS = (gast.AnnAssign, gast.Continue, gast.FunctionDef, gast.Try, gast.With,
                     gast.ClassDef, gast.Global, gast.Nonlocal, gast.Delete, gast.Import,
                     gast.ImportFrom)


class VerifyError(AssertionError):
    """A function that is not in the core language: a compiler bug, never the user's."""


def enabled():
    return os.environ.get("TRANSPILER_VERIFY", "") not in ("", "0")


def check(fn, env, where):
    """Raise VerifyError if ``fn`` is not core language (``where``: what produced it)."""
    problems = verify(fn, env)
    if problems:
        from .emit import to_source
        raise VerifyError("%s produced code outside the core language:\n  %s\n%s" % (
            where, "\n  ".join(problems), to_source(fn)))


def verify(fn, env):
    """Every way the FunctionDef ``fn`` departs from the core language."""
    return _Verifier(env).function(fn)


class _Verifier:

    def __init__(self, env):
        self.env = env
        self.problems = []
        self.fn = None

    def function(self, fn):
        self.fn = fn
        body = [s for s in fn.body if not is_comment(s)]
        returns = [n for s in body for n in subnodes(s) if isinstance(n, gast.Return)]
        if len(returns) != 1 or not body or body[-1] is not returns[0]:
            self.problems.append("the function must end with its only `return` (found %d)"
                                 % len(returns))
        if body and isinstance(body[-1], gast.Return):
            value = body.pop().value
            parts = value.elts if isinstance(value, gast.Tuple) else [value]
            for part in parts:
                if part is not None and not self.atom(part):
                    self.problems.append("`return` of a non-atom %s" % _describe(part))
                    self.operation(part, "the final return")
        self.block(body, in_loop_body=False)
        return self.problems

    # ------------------------------------------------------------ statements
    def block(self, stmts, in_loop_body):
        for stmt in stmts:
            if not is_comment(stmt):
                self.statement(stmt, in_loop_body)

    def statement(self, stmt, in_loop_body):
        where = "line %s: %s" % (getattr(stmt, "lineno", "?"), type(stmt).__name__)
        report = self.problems.append
        if isinstance(stmt, _SUGAR_STATEMENTS):
            report("%s is not core" % where)
        elif isinstance(stmt, gast.Break):
            report("%s: a bare `break` (not `if flag: break`)" % where)
        elif isinstance(stmt, gast.Return):
            report("%s: `return` before the end of the function" % where)
        elif isinstance(stmt, gast.Assign):
            self.assignment(stmt, where)
        elif isinstance(stmt, gast.AugAssign):
            if not isinstance(stmt.op, gast.Add):
                report("%s: in-place `%s`, only `+=` accumulates" % (where, type(stmt.op).__name__))
            self.target(stmt.target, where)
            if not self.atom(stmt.value):
                report("%s: the value is not an atom" % where)
        elif isinstance(stmt, gast.Expr):
            if not isinstance(stmt.value, gast.Call):
                report("%s: an expression statement that is not a call" % where)
            else:
                self.operation(stmt.value, where)
        elif isinstance(stmt, gast.If):
            self.if_(stmt, where, in_loop_body)
        elif isinstance(stmt, gast.While):
            if not _is_test(stmt.test):
                report("%s: the test is not a name" % where)
            if stmt.orelse:
                report("%s: loop `else`" % where)
            self.block(stmt.body, True)
        elif isinstance(stmt, gast.For):
            self.for_(stmt, where)
        elif not isinstance(stmt, (gast.Assert, gast.Raise, gast.Pass)):
            report("%s: not a core statement" % where)

    def assignment(self, stmt, where):
        if len(stmt.targets) != 1:
            self.problems.append("%s: several targets" % where)
            return
        target = stmt.targets[0]
        if isinstance(target, gast.Tuple):
            if not all(isinstance(e, gast.Name) for e in target.elts):
                self.problems.append("%s: unpacking into something that is not a name" % where)
            if not isinstance(stmt.value, (gast.Call, gast.Name)):
                self.problems.append("%s: unpacking a %s" % (where, type(stmt.value).__name__))
        elif isinstance(target, gast.Subscript):
            self.target(target, where)
            if not self.atom(stmt.value):
                self.problems.append("%s: the value written is not an atom" % where)
            return
        elif not isinstance(target, gast.Name):
            self.problems.append("%s: target %s" % (where, type(target).__name__))
            return
        self.operation(stmt.value, where)

    def target(self, target, where):
        if isinstance(target, gast.Name):
            return
        if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
            self.problems.append("%s: writes into %s" % (where, _describe(target)))
            return
        self.index(target.slice, where)

    def if_(self, stmt, where, in_loop_body):
        if not _is_test(stmt.test):
            self.problems.append("%s: the test is not a name" % where)
        if _is_break_check(stmt):
            if not in_loop_body:
                self.problems.append("%s: `if flag: break` below the top level of a loop "
                                     "body" % where)
            return
        self.block(stmt.body, False)
        self.block(stmt.orelse, False)

    def for_(self, stmt, where):
        it = stmt.iter
        if not (isinstance(it, gast.Call) and self.env.lookup(it.func) is builtins.range
                and 1 <= len(it.args) <= 3 and not it.keywords):
            self.problems.append("%s: iterates over %s, not range(...)" % (where, _describe(it)))
        else:
            for arg in it.args:
                if not self.atom(arg):
                    self.problems.append("%s: a range bound is not an atom" % where)
        if not isinstance(stmt.target, gast.Name):
            self.problems.append("%s: the loop target is not a name" % where)
        if stmt.orelse:
            self.problems.append("%s: loop `else`" % where)
        self.block(stmt.body, True)

    # ------------------------------------------------------------ expressions
    def operation(self, node, where):
        report = self.problems.append
        for sub in subnodes(node):
            if isinstance(sub, _SUGAR):
                report("%s: contains %s" % (where, type(sub).__name__))
                return
        if self.atom(node):
            return
        if isinstance(node, gast.BinOp):
            operands = [node.left, node.right]
        elif isinstance(node, gast.UnaryOp):
            operands = [node.operand]
        elif isinstance(node, gast.Compare):
            if len(node.ops) != 1:
                report("%s: a chained comparison" % where)
                return
            operands = [node.left, node.comparators[0]]
        elif isinstance(node, gast.Subscript):
            if not self.atom(node.value):
                report("%s: indexing %s" % (where, _describe(node.value)))
            self.index(node.slice, where)
            return
        elif isinstance(node, (gast.Tuple, gast.List)):
            operands = node.elts
        elif isinstance(node, gast.Dict):
            operands = list(node.values)
            if not all(isinstance(k, gast.Constant) or self.atom(k) for k in node.keys):
                report("%s: a dict key is not an atom" % where)
        elif isinstance(node, gast.Call):
            self.callee(node, where)
            operands = list(node.args) + [kw.value for kw in node.keywords]
            if any(kw.arg is None for kw in node.keywords):
                report("%s: `**` in a call" % where)
        else:
            report("%s: the operation %s" % (where, _describe(node)))
            return
        for operand in operands:
            if not self.atom(operand):
                report("%s: the operand %s is not an atom" % (where, _describe(operand)))

    def callee(self, call, where):
        func = call.func
        if isinstance(func, gast.Attribute) and func.attr in ("append", "pop") \
                and isinstance(func.value, gast.Name) and self.env.lookup(func) is None:
            return                                          # a local list's own method
        target = self.env.lookup(func)
        if target is None and isinstance(func, gast.Name) \
                and self.env.static_callee(func.id, self.fn):
            return                                          # jit's static parameter
        if target is None:
            self.problems.append("%s: the callee %s is unknown" % (where, _describe(func)))
        elif not callable(target) and type(target).__name__ != "_Placeholder":
            self.problems.append("%s: %s is not callable" % (where, _describe(func)))

    def index(self, index, where):
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        for part in parts:
            if isinstance(part, gast.Slice):
                bounds = [b for b in (part.lower, part.upper, part.step) if b is not None]
                if not all(self.atom(b) for b in bounds):
                    self.problems.append("%s: a slice bound is not an atom" % where)
            elif not self.atom(part):
                self.problems.append("%s: the index %s is not an atom" % (where, _describe(part)))

    def atom(self, node):
        if isinstance(node, (gast.Name, gast.Constant)):
            return True
        root = node
        while isinstance(root, gast.Attribute):
            root = root.value
        return node is not root and isinstance(root, gast.Name) and \
            self.env.lookup(node) is not None


def _is_test(node):
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        node = node.operand
    return isinstance(node, (gast.Name, gast.Constant))


def _is_break_check(stmt):
    return (isinstance(stmt, gast.If) and _is_test(stmt.test) and not stmt.orelse
            and len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break))


def _describe(node):
    try:
        from .emit import to_source
        return "`%s`" % to_source(gast.Module(body=[gast.Expr(value=node)],
                                              type_ignores=[])).strip()
    except Exception:                       # noqa: BLE001 (only for a message)
        return type(node).__name__
