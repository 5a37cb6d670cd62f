"""The only module that constructs gast nodes.

gast changes its node signatures between versions (it is pinned in setup.cfg); keeping
every constructor here means a new gast touches one file.  Every builder accepts an
optional ``at=`` node whose source location the new node inherits, so that errors
raised by later passes still point at the user's line.
"""
import gast

LOAD, STORE = gast.Load, gast.Store

# Operator node classes by Python spelling, and back.
BINOPS = {
    "+": gast.Add, "-": gast.Sub, "*": gast.Mult, "/": gast.Div, "//": gast.FloorDiv,
    "%": gast.Mod, "**": gast.Pow, "@": gast.MatMult, "&": gast.BitAnd, "|": gast.BitOr,
    "^": gast.BitXor, "<<": gast.LShift, ">>": gast.RShift,
}
UNARYOPS = {"-": gast.USub, "+": gast.UAdd, "not": gast.Not, "~": gast.Invert}
CMPOPS = {
    "<": gast.Lt, "<=": gast.LtE, ">": gast.Gt, ">=": gast.GtE, "==": gast.Eq,
    "!=": gast.NotEq, "is": gast.Is, "is not": gast.IsNot, "in": gast.In,
    "not in": gast.NotIn,
}
OP_SPELLING = {cls: s for table in (BINOPS, CMPOPS) for s, cls in table.items()}
UNARY_SPELLING = {cls: s for s, cls in UNARYOPS.items()}

COMMENT_PREFIX = "__transpiler_comment__:"


def locate(node, at):
    """Copy the source location of ``at`` onto ``node`` (children without a location get
    their parent's when the tree is emitted)."""
    if at is None:
        return node
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        value = getattr(at, attr, None)
        if value is not None and getattr(node, attr, None) is None:
            setattr(node, attr, value)
    return node


def _done(node, at):
    return locate(node, at) if at is not None else node


# ---------------------------------------------------------------- expressions

def name(id, store=False, at=None):
    return _done(gast.Name(id=id, ctx=STORE() if store else LOAD(), annotation=None,
                           type_comment=None), at)


def const(value, at=None):
    return _done(gast.Constant(value=value, kind=None), at)


def dotted(path, at=None):
    """``dotted("np.linalg.norm")`` -> Attribute(Attribute(Name np, linalg), norm)."""
    parts = path.split(".")
    node = name(parts[0], at=at)
    for part in parts[1:]:
        node = _done(gast.Attribute(value=node, attr=part, ctx=LOAD()), at)
    return node


def attr(value, attribute, at=None):
    return _done(gast.Attribute(value=value, attr=attribute, ctx=LOAD()), at)


def keyword(arg, value):
    return gast.keyword(arg=arg, value=value)


def call(func, args=(), keywords=None, at=None):
    if isinstance(func, str):
        func = dotted(func, at=at)
    kws = []
    for key, value in (keywords or {}).items() if isinstance(keywords, dict) else (keywords or ()):
        kws.append(keyword(key, value))
    return _done(gast.Call(func=func, args=list(args), keywords=kws), at)


def binop(left, op, right, at=None):
    return _done(gast.BinOp(left=left, op=BINOPS[op](), right=right), at)


def unop(op, operand, at=None):
    return _done(gast.UnaryOp(op=UNARYOPS[op](), operand=operand), at)


def compare(left, op, right, at=None):
    return _done(gast.Compare(left=left, ops=[CMPOPS[op]()], comparators=[right]), at)


def subscript(value, index, store=False, at=None):
    return _done(gast.Subscript(value=value, slice=index, ctx=STORE() if store else LOAD()), at)


def slice_(lower=None, upper=None, step=None, at=None):
    return _done(gast.Slice(lower=lower, upper=upper, step=step), at)


def tuple_(elts, store=False, at=None):
    return _done(gast.Tuple(elts=list(elts), ctx=STORE() if store else LOAD()), at)


def list_(elts, at=None):
    return _done(gast.List(elts=list(elts), ctx=LOAD()), at)


def dict_(keys, values, at=None):
    return _done(gast.Dict(keys=list(keys), values=list(values)), at)


def index_as_value(index):
    """The subscript syntax ``a:b, None`` as a value: ``(slice(a, b, None), None)``."""
    if isinstance(index, gast.Slice):
        parts = [index.lower, index.upper, index.step]
        return call(name("slice"), [p if p is not None else const(None) for p in parts],
                    at=index)
    if isinstance(index, gast.Tuple):
        return tuple_([index_as_value(e) for e in index.elts], at=index)
    return index


def ifexp(test, body, orelse, at=None):
    return _done(gast.IfExp(test=test, body=body, orelse=orelse), at)


# ---------------------------------------------------------------- statements

def assign(target, value, at=None):
    if isinstance(target, str):
        target = name(target, store=True, at=at)
    return _done(gast.Assign(targets=[target], value=value, type_comment=None), at)


def augassign(target, op, value, at=None):
    if isinstance(target, str):
        target = name(target, store=True, at=at)
    return _done(gast.AugAssign(target=target, op=BINOPS[op](), value=value), at)


def expr(value, at=None):
    return _done(gast.Expr(value=value), at)


def if_(test, body, orelse=(), at=None):
    return _done(gast.If(test=test, body=list(body) or [pass_(at)], orelse=list(orelse)), at)


def for_(target, iterable, body, at=None):
    if isinstance(target, str):
        target = name(target, store=True, at=at)
    return _done(gast.For(target=target, iter=iterable, body=list(body) or [pass_(at)],
                          orelse=[], type_comment=None), at)


def while_(test, body, at=None):
    return _done(gast.While(test=test, body=list(body) or [pass_(at)], orelse=[]), at)


def break_(at=None):
    return _done(gast.Break(), at)


def continue_(at=None):
    return _done(gast.Continue(), at)


def pass_(at=None):
    return _done(gast.Pass(), at)


def return_(value, at=None):
    return _done(gast.Return(value=value), at)


def comment(text, at=None):
    """A comment line; emitted as ``# text`` by ir.emit."""
    return _done(gast.Expr(value=gast.Constant(value=COMMENT_PREFIX + text, kind=None)), at)


def is_comment(stmt):
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
            and isinstance(stmt.value.value, str)
            and stmt.value.value.startswith(COMMENT_PREFIX))


def arguments(params, defaults=(), kwonly=(), kw_defaults=()):
    return gast.arguments(
        args=[name(p, store=False) if isinstance(p, str) else p for p in params],
        posonlyargs=[], vararg=None,
        kwonlyargs=[name(p) if isinstance(p, str) else p for p in kwonly],
        kw_defaults=list(kw_defaults), kwarg=None, defaults=list(defaults))


def function_def(fname, args, body, at=None):
    if not isinstance(args, gast.arguments):
        args = arguments(args)
    for param in args.args + args.kwonlyargs:
        param.ctx = gast.Param()
    node = gast.FunctionDef(name=fname, args=args, body=list(body), decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    return _done(node, at)


def module(body):
    return gast.Module(body=list(body), type_ignores=[])


# ---------------------------------------------------------------- helpers

def clone(node):
    """A deep copy of a gast tree (several times faster than copy.deepcopy)."""
    if isinstance(node, list):
        return [clone(n) for n in node]
    if not isinstance(node, gast.AST):
        return node
    new = node.__class__.__new__(node.__class__)
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            value = [clone(v) for v in value]
        elif isinstance(value, gast.AST):
            value = clone(value)
        setattr(new, name, value)
    for name in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        value = getattr(node, name, None)
        if value is not None:
            setattr(new, name, value)
    return new


def param_names(fn):
    args = fn.args
    return [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
