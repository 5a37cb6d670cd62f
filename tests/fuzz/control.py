"""Control flow: blocks, ``if``/``elif``/``else``, ``for``, ``while``, ``break``,
``continue`` and early ``return``; and the statement dispatcher.

Variables defined inside a branch survive it only if every path that falls through
defines them (``scope.merge``); variables defined inside a loop body do not survive the
loop.  A ``for`` loop may collect one value per iteration into a list (``L = []`` before
it, ``L.append(...)`` last in its body): the list's length is the trip count unless the
body may ``break`` or ``continue``.
"""
from hypothesis import strategies as st

from . import statements as simple
from .expressions import between, condition, expression, nesting, pick
from .scope import SHAPES, Array, Int, List, Pair, merge
from .statements import Compound, Line


@st.composite
def block(draw, gen, scope, low=1, high=4, may_return=False):
    """``(nodes, returned)``: statements drawn into ``scope``; ``returned``: the block
    ends with an unconditional ``return``."""
    nodes = []
    for _ in range(between(draw, low, high)):
        if gen.budget <= 0:
            break
        gen.budget -= 1
        nodes.extend(draw(statement(gen, scope)))
    if may_return and draw(st.booleans()):
        nodes.append(Line("return %s" % draw(returned_value(gen, scope))))
        return nodes, True
    return nodes, False


@st.composite
def returned_value(draw, gen, scope):
    """What ``return`` returns: a float in ``f``, the helper's result type in helpers."""
    if gen.returns is None:
        return draw(expression(gen, scope, (), nesting(draw))).text
    parts = [gen.returns.first, gen.returns.second] if isinstance(gen.returns, Pair) \
        else [gen.returns]
    values = [draw(expression(gen, scope, p.shape, nesting(draw))) for p in parts]
    gen.returned_pinned |= any(v.pinned and p.shape != () for v, p in zip(values, parts))
    return ", ".join(v.text for v in values)


def _nested(draw, gen, scope, body_scope, **options):
    gen.depth += 1
    try:
        return draw(block(gen, body_scope, **options))
    finally:
        gen.depth -= 1


def _replace(scope, merged):
    scope.vars, scope.local_lists = merged.vars, merged.local_lists


# ------------------------------------------------------------ branches

def _if(draw, gen, scope):
    clauses, ends = [], []
    for keyword in ["if"] + (["elif"] if draw(st.booleans()) else []):
        test = draw(condition(gen, scope, 1))
        inner = scope.child()
        body, returned = _nested(draw, gen, scope, inner, may_return=True)
        clauses.append(("%s %s:" % (keyword, test), body))
        ends += [] if returned else [inner]
    if draw(st.booleans()):
        inner = scope.child()
        body, returned = _nested(draw, gen, scope, inner, may_return=True)
        clauses.append(("else:", body))
        ends += [] if returned else [inner]
    else:
        ends.append(scope)
    _replace(scope, merge(scope, ends))
    return [Compound(clauses)]


def _early_return(draw, gen, scope):
    test = draw(condition(gen, scope, 1))
    return [Compound([("if %s:" % test, [Line("return %s" % draw(returned_value(gen, scope)))])])]


def _jump(draw, gen, scope):
    gen.loops[-1]["jumps"] = True
    test = draw(condition(gen, scope, 1))
    return [Compound([("if %s:" % test, [Line(pick(draw, ["break", "continue"]))])])]


# ------------------------------------------------------------ loops

def _loop_header(draw, gen, scope):
    """``(header, trips, loop variables)`` of a ``for`` loop."""
    iterables = scope.iterables()
    lists = scope.lists(lambda t: t.length)
    forms = ["range", "reversed"] + (["range_n", "range_1n"] if gen.n is not None else [])
    forms += ["len", "items", "enumerate", "zip"] if iterables else []
    forms += ["list"] if lists else []
    form = pick(draw, forms)
    i = gen.fresh("int")
    if form in ("range", "reversed"):
        trips = between(draw, 1, 3)
        header = "range(%d)" % trips if form == "range" else "range(%d, -1, -1)" % (trips - 1)
        return "for %s in %s:" % (i, header), trips, {i: Int(trips - 1)}
    if form in ("range_n", "range_1n"):
        trips = gen.n if form == "range_n" else max(gen.n - 1, 0)
        header = "range(n)" if form == "range_n" else "range(1, n)"
        return "for %s in %s:" % (i, header), trips, {i: Int(max(gen.n - 1, 0))}
    if form == "list":
        source = pick(draw, lists)
        typ = scope.vars[source]
        item = gen.fresh("item")
        return "for %s in %s:" % (item, source), typ.length, {item: Array(typ.elem, typ.pinned)}
    source = pick(draw, iterables)
    typ = scope.vars[source]
    trips = typ.shape[0]
    if form == "len":
        spelling = pick(draw, ["len({a})", "{a}.shape[0]"]).format(a=source)
        return "for %s in range(%s):" % (i, spelling), trips, {i: Int(trips - 1)}
    item = gen.fresh("item")
    variables = {item: Array(typ.shape[1:], typ.pinned)}
    if form == "items":
        return "for %s in %s:" % (item, source), trips, variables
    if form == "enumerate":
        variables[i] = Int(trips - 1)
        return "for %s, %s in enumerate(%s):" % (i, item, source), trips, variables
    other = pick(draw, iterables)
    other_type = scope.vars[other]
    second = gen.fresh("item")
    variables[second] = Array(other_type.shape[1:], other_type.pinned)
    return ("for %s, %s in zip(%s, %s):" % (item, second, source, other),
            min(trips, other_type.shape[0]), variables)


def _for(draw, gen, scope):
    header, trips, variables = _loop_header(draw, gen, scope)
    inner = scope.child()
    for name, typ in variables.items():
        inner.add(name, typ)
    collect = draw(st.booleans())
    gen.loops.append({"jumps": False})
    body, _ = _nested(draw, gen, scope, inner)
    loop = gen.loops.pop()
    nodes = [Compound([(header, body)])]
    _replace(scope, merge(scope, [scope, inner]))
    if collect:
        elem = pick(draw, SHAPES)
        value = draw(expression(gen, inner, elem, nesting(draw)))
        name = gen.fresh("list")
        body.append(Line("%s.append(%s)" % (name, value.text)))
        nodes.insert(0, Line("%s = []" % name))
        scope.add(name, List(elem, None if loop["jumps"] else trips, value.pinned))
    return nodes


def _while(draw, gen, scope):
    counter = gen.fresh("int")
    limits = ["1", "2", "3"] + (["n"] if gen.n is not None else [])
    limit = pick(draw, limits)
    top = gen.n if limit == "n" else int(limit)
    scope.add(counter, Int(top))
    test = "%s < %s" % (counter, limit)
    if draw(st.booleans()):
        test += " and %s" % draw(condition(gen, scope, 0))
    inner = scope.child()
    gen.loops.append({"jumps": False})
    body, _ = _nested(draw, gen, scope, inner)
    gen.loops.pop()
    _replace(scope, merge(scope, [scope, inner]))
    return [Line("%s = 0" % counter),
            Compound([("while %s:" % test, [Line("%s += 1" % counter)] + body)])]


# ------------------------------------------------------------ dispatch

# (maker, applies(gen, scope), weight), simplest first
STATEMENTS = (
    (simple._assign, lambda g, s: True, 3),
    (simple._reassign, lambda g, s: bool(s.arrays()), 3),
    (simple._rebind, lambda g, s: g.depth == 0 and any(
        s.vars[n].shape != () for n in s.arrays()), 1),
    (simple._augment, lambda g, s: bool(simple._augmentable(s)), 2),
    (simple._buffer, lambda g, s: True, 2),
    (simple._write, lambda g, s: bool(s.arrays(writable=True)), 3),
    (simple._view, lambda g, s: any(s.vars[n].shape != () for n in s.arrays()), 2),
    (simple._at_update, lambda g, s: any(s.vars[n].shape in simple.WRITE_TARGETS
                                         for n in s.arrays()), 2),
    (simple._unpack, lambda g, s: True, 1),
    (simple._new_list, lambda g, s: True, 2),
    (simple._append, lambda g, s: bool(simple._appendable(s)), 2),
    (simple._call, lambda g, s: bool(g.helpers), 5),
    (_if, lambda g, s: g.depth < simple.MAX_NESTING, 2),
    (_for, lambda g, s: g.depth < simple.MAX_NESTING, 3),
    (_while, lambda g, s: g.depth < simple.MAX_NESTING, 1),
    (_jump, lambda g, s: bool(g.loops), 1),
    (_early_return, lambda g, s: True, 1),
)


@st.composite
def statement(draw, gen, scope):
    makers = [m for m, applies, weight in STATEMENTS if applies(gen, scope)
              for _ in range(weight)]
    return pick(draw, makers)(draw, gen, scope)
