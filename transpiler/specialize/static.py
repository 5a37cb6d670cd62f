"""Static specialisation: ``jit``'s static arguments become constants, and the code that
depends only on them is run now.

    def g(x, n):               jit(g, static_argnames="n")(x, 20)
        i = 0                  ----------------------------------->   def jit_g(x, n):
        while i < n:                                                      return x + 20
            i += 1
        return x + i

One flow-sensitive pass over the core language (after normalisation: one operation
per statement, loops with their tests recomputed at the end of the body), carrying the
Python values known at each point:

* an assignment whose operands are known and whose operation is pure on Python values
  (arithmetic, comparisons, ``math``, ``len``/``min``/``max``/``abs``/``int``/...,
  tuple items) is known: its right-hand side becomes the constant, and later uses of
  the name read it;
* an ``if`` on a known test is replaced by the branch it takes;
* a loop whose body computes only known values is run here (up to ``STEP_BUDGET``
  statements) and replaced by the final values of what it assigns; a loop doing any
  dynamic work stays a loop -- what it assigns is unknown at its head and after it, and
  only what each iteration computes from static values alone (a test of a static
  argument inside the loop) is resolved.  Compile time never grows with the trip count
  of a loop that stays.

Only immutable values are tracked (numbers, strings, None, tuples of them); a static
argument of any other hashable type (a function, an object) is bound in the module and
its uses name it.  Code that depends on the traced arguments is never run here: what is
data-dependent stays real control flow.
"""
import builtins
import math
import operator

import gast

from ..cache import value_key
from ..ir import build
from ..ir.walk import subnodes

STEP_BUDGET = 100_000       # statements run while folding loops, per function

_PURE_BUILTINS = {builtins.len, builtins.abs, builtins.min, builtins.max, builtins.int,
                  builtins.float, builtins.bool, builtins.round, builtins.divmod,
                  builtins.pow, builtins.str, builtins.tuple, builtins.sum,
                  builtins.isinstance, builtins.range}
_PURE_MODULES = (math, operator)

_BINOPS = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
           gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv,
           gast.Mod: operator.mod, gast.Pow: operator.pow, gast.LShift: operator.lshift,
           gast.RShift: operator.rshift, gast.BitOr: operator.or_,
           gast.BitXor: operator.xor, gast.BitAnd: operator.and_}
_UNOPS = {gast.UAdd: operator.pos, gast.USub: operator.neg, gast.Not: operator.not_,
          gast.Invert: operator.invert}
_CMPOPS = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt,
           gast.LtE: operator.le, gast.Gt: operator.gt, gast.GtE: operator.ge,
           gast.Is: operator.is_, gast.IsNot: operator.is_not,
           gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b}


class Unknown(Exception):
    """The value depends on something not known at compile time."""


class _OutOfSteps(Exception):
    pass


def immutable(value):
    """Numbers, strings, None and tuples of them: values no statement can change."""
    if value is None or type(value) in (bool, int, float, str, complex):
        return True
    if type(value) is tuple:
        return all(immutable(v) for v in value)
    return False


def literal(value):
    """Can ``value`` be written as a constant in source (and read back as itself)?"""
    if value is None or type(value) in (bool, int, str):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is tuple:
        return all(literal(v) for v in value)
    return False


def as_source(value, at=None):
    """A constant node for a literal value (tuples as tuple displays, -x as unary minus)."""
    if type(value) is tuple:
        return build.tuple_([as_source(v, at) for v in value])
    if type(value) in (int, float) and (value < 0 or (value == 0 and math.copysign(1, value) < 0)):
        return gast.UnaryOp(op=gast.USub(), operand=build.const(-value, at=at))
    return build.const(value, at=at)


def specialise(fn, env, statics):
    """Rewrite ``fn`` (in place) with its parameters in ``statics`` (name -> value) as
    compile-time constants.  Values that cannot be written as literals (a function passed
    as a static argument, say) are bound in ``env`` and named."""
    from ..frontend.environment import canonical_path
    known = {}
    for param, value in statics.items():
        if immutable(value):
            known[param] = value
        else:
            path = canonical_path(value)                   # np.tanh, math.sin
            known[param] = _Bound(path or env.bind(_preferred(param, value), value), value)
    folder = _Static(env)
    fn.body = folder.block(fn.body, known)
    return fn


def _preferred(param, value):
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else param


class _Bound:
    """A static value that is not a literal: named by a module binding."""

    def __init__(self, name, value):
        self.name, self.value = name, value


class _Static:
    def __init__(self, env):
        self.env = env
        self.steps = 0

    # ------------------------------------------------------------ evaluation
    def value(self, node, known):
        """The Python value of an expression, or raise Unknown."""
        kind = type(node)
        if kind is gast.Constant:
            return node.value
        if kind is gast.Name:
            if node.id in known:
                value = known[node.id]
                if isinstance(value, _Bound):
                    raise Unknown(node.id)
                return value
            raise Unknown(node.id)
        if kind is gast.Tuple:
            return tuple(self.value(e, known) for e in node.elts)
        if kind is gast.BinOp and type(node.op) in _BINOPS:
            return _checked(_BINOPS[type(node.op)], self.value(node.left, known),
                            self.value(node.right, known))
        if kind is gast.UnaryOp and type(node.op) in _UNOPS:
            return _checked(_UNOPS[type(node.op)], self.value(node.operand, known))
        if kind is gast.Compare and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            return _checked(_CMPOPS[type(node.ops[0])], self.value(node.left, known),
                            self.value(node.comparators[0], known))
        if kind is gast.Subscript:
            return _checked(operator.getitem, self.value(node.value, known),
                            self.value(node.slice, known))
        if kind is gast.Slice:
            parts = [None if p is None else self.value(p, known)
                     for p in (node.lower, node.upper, node.step)]
            return slice(*parts)
        if kind is gast.Call:
            func = self._callee(node.func, known)
            args = [self.value(a, known) for a in node.args]
            kwargs = {k.arg: self.value(k.value, known) for k in node.keywords if k.arg}
            if len(kwargs) != len(node.keywords):
                raise Unknown("**")
            return _checked(func, *args, **kwargs)
        raise Unknown(kind.__name__)

    def _callee(self, node, known):
        if isinstance(node, gast.Name) and node.id in known:
            raise Unknown(node.id)                      # a static function: not run here
        obj = self.env.lookup(node)
        if any(obj is pure for pure in _PURE_BUILTINS) or any(
                obj is getattr(m, getattr(obj, "__name__", ""), None) for m in _PURE_MODULES):
            return obj
        raise Unknown("callee")

    # ------------------------------------------------------------ rewriting
    def substitute(self, node, known):
        """Uses of known names in ``node`` replaced by their values (loads only)."""
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load) and node.id in known:
                value = known[node.id]
                if isinstance(value, _Bound):
                    return build.dotted(value.name, at=node)
                if literal(value):
                    return as_source(value, at=node)
            return node
        for field, old in gast.iter_fields(node):
            if isinstance(old, list):
                setattr(node, field, [self.substitute(v, known) if isinstance(v, gast.AST)
                                      else v for v in old])
            elif isinstance(old, gast.AST) and field != "ctx":
                setattr(node, field, self.substitute(old, known))
        return node

    def block(self, stmts, known):
        """The rewritten statements; ``known`` is updated to the values after them."""
        out = []
        for stmt in stmts:
            out.extend(self.statement(stmt, known))
        return out

    def statement(self, stmt, known):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            try:
                value = self.value(stmt.value, known)
            except Unknown:
                value = Unknown
            if value is not Unknown and immutable(value):
                known[target] = value
                if literal(value):
                    stmt.value = as_source(value, at=stmt.value)
                    return [stmt]
            else:
                known.pop(target, None)
            stmt.value = self.substitute(stmt.value, known)
            return [stmt]
        if isinstance(stmt, gast.If):
            try:
                taken = bool(self.value(stmt.test, known))
            except Unknown:
                taken = None
            if taken is not None:
                return self.block(stmt.body if taken else stmt.orelse, known)
            stmt.test = self.substitute(stmt.test, known)
            other = dict(known)
            stmt.body = self.block(stmt.body, known)
            stmt.orelse = self.block(stmt.orelse, other)
            for name in list(known):
                if name not in other or not _same(known[name], other[name]):
                    del known[name]
            return [stmt]
        if isinstance(stmt, (gast.While, gast.For)):
            return self.loop(stmt, known)
        # element writes, appends, prints, asserts, returns: substituted; what they
        # write is no longer known
        for name in _written(stmt):
            known.pop(name, None)
        return [self.substitute(stmt, known)]

    def loop(self, stmt, known):
        trial = dict(known)
        try:
            self.run([stmt], trial)
        except (Unknown, _OutOfSteps):
            pass
        else:
            assigned = sorted(_assigned([stmt]))
            done = [build.assign(name, as_source(trial[name], at=stmt), at=stmt)
                    for name in assigned if name in trial and literal(trial[name])]
            if len(done) == len([n for n in assigned if n in trial]):
                known.clear()
                known.update(trial)
                return done
        # a loop doing dynamic work: what it assigns is unknown at its head
        for name in _assigned([stmt]):
            known.pop(name, None)
        if isinstance(stmt, gast.For):
            stmt.iter = self.substitute(stmt.iter, known)
        else:
            stmt.test = self.substitute(stmt.test, known)
        inside = dict(known)
        stmt.body = self.block(stmt.body, inside)
        stmt.orelse = self.block(stmt.orelse, dict(known))
        return [stmt]

    def run(self, stmts, known):
        """Run statements on known values (raise Unknown at the first that is not)."""
        for stmt in stmts:
            self.steps += 1
            if self.steps > STEP_BUDGET:
                raise _OutOfSteps()
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                value = self.value(stmt.value, known)
                if not immutable(value):
                    raise Unknown("mutable")
                known[stmt.targets[0].id] = value
            elif isinstance(stmt, gast.If):
                self.run(stmt.body if self.value(stmt.test, known) else stmt.orelse, known)
            elif isinstance(stmt, gast.While):
                if stmt.orelse:
                    raise Unknown("else")
                while self.value(stmt.test, known):
                    self.run(stmt.body, known)
            elif isinstance(stmt, gast.For):
                iterable = self.value(stmt.iter, known)
                if stmt.orelse or not isinstance(stmt.target, gast.Name) \
                        or not isinstance(iterable, (range, tuple)):
                    raise Unknown("for")
                for item in iterable:
                    known[stmt.target.id] = item
                    self.run(stmt.body, known)
            elif isinstance(stmt, gast.Pass):
                continue
            else:
                raise Unknown(type(stmt).__name__)


def _checked(func, *args, **kwargs):
    """``func(*args)`` on known values; any failure (or a mutable result) is Unknown: the
    code keeps the operation and it raises when it runs, as it would without jit."""
    if not all(immutable(a) or isinstance(a, (slice, range)) for a in args + tuple(kwargs.values())):
        raise Unknown("operand")
    try:
        value = func(*args, **kwargs)
    except Exception:                 # noqa: BLE001 (the run-time error stays in the code)
        raise Unknown("raises") from None
    if type(value) is range or immutable(value):
        return value
    raise Unknown("result")


def _same(a, b):
    """The same value on both paths, as generated code could tell (types exact, floats by
    their bits: cache.value_key)."""
    if isinstance(a, _Bound) or isinstance(b, _Bound):
        return a is b
    return value_key(a) == value_key(b)


def _assigned(stmts):
    return {name for stmt in stmts for name in _written(stmt)}


def _written(stmt):
    """Names a statement binds or writes into (element writes, appends, augmented)."""
    out = []
    for node in subnodes(stmt):
        if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) \
                and isinstance(node.value, gast.Name):
            out.append(node.value.id)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            out.append(node.target.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and isinstance(node.func.value, gast.Name):
            out.append(node.func.value.id)
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            out.append(node.id)
    return out
