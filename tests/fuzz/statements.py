"""Random statements and blocks: assignments, in-place writes, views, lists, branches,
loops, jumps and early returns.

``block(gen, scope, low, high)`` draws a list of statement nodes and updates ``scope``
with what they define.  Every statement is valid where it is drawn: it only reads
variables in scope, only writes into arrays the function made (never into anything that
may share memory with an argument), and keeps each variable's type.
"""
from hypothesis import strategies as st

from . import tables
from .expressions import (Expr, between, call_text, condition, expression, fill, nesting,
                          pick, unshared, variable)
from .scope import SHAPES, Array, Int, List, Pair, broadcasts_into

MAX_NESTING = 3
TAB = "    "


class Line:
    """A simple statement."""

    def __init__(self, text):
        self.text = text

    def render(self, indent):
        return [TAB * indent + self.text]


class Compound:
    """``if``/``elif``/``else`` or a loop: (header, body) clauses."""

    def __init__(self, clauses):
        self.clauses = clauses

    def render(self, indent):
        lines = []
        for header, body in self.clauses:
            lines.append(TAB * indent + header)
            lines.extend(render_body(body, indent + 1))
        return lines


def render_body(nodes, indent):
    return [line for node in nodes for line in node.render(indent)] or [TAB * indent + "pass"]


# ------------------------------------------------------------ assignments

def _assign(draw, gen, scope):
    shape = pick(draw, SHAPES)
    value = draw(expression(gen, scope, shape, nesting(draw)))
    name = gen.fresh("value")
    scope.add(name, Array(shape, pinned=value.pinned))
    return [Line("%s = %s" % (name, value.text))]


def _reassign(draw, gen, scope):
    name = pick(draw, scope.arrays())
    typ = scope.vars[name]
    if draw(st.booleans()):
        value = draw(expression(gen, scope, typ.shape, nesting(draw)))
    else:
        other = draw(expression(gen, scope, pick(draw, broadcasts_into(typ.shape)),
                                nesting(draw)))
        value = Expr("%s %s %s" % (name, pick(draw, "+-*"), other.operand))
    if not typ.pinned:
        value = unshared(value, typ.shape)
    return [Line("%s = %s" % (name, value.text))]


def _rebind(draw, gen, scope):
    """``v = v[1]``, ``A = A.T``: a new value, of another shape, for an old name (only
    outside loops and branches, where no other path expects the old type)."""
    name = pick(draw, [n for n in scope.arrays() if scope.vars[n].shape != ()])
    typ = scope.vars[name]
    shape = pick(draw, [t for t in SHAPES if tables.conversions(typ.shape, t)])
    template, view = pick(draw, tables.conversions(typ.shape, shape))
    text = fill(draw, scope, template, [Expr(name)])
    scope.add(name, Array(shape, pinned=view and typ.pinned))
    return [Line("%s = %s" % (name, text))]


def _augment(draw, gen, scope):
    name = pick(draw, _augmentable(scope))
    return [Line("%s %s" % (name, _update(draw, gen, scope, scope.vars[name].shape)))]


def _augmentable(scope):
    scalars = [n for n in scope.arrays(()) if not scope.vars[n].pinned]
    return scalars + scope.arrays(writable=True)


def _update(draw, gen, scope, shape):
    """``op= value`` for a target of ``shape``: += -= with anything that broadcasts to
    it, *= and /= with bounded factors."""
    op = pick(draw, ["+=", "-=", "*=", "/="])
    if op == "/=":
        value = draw(expression(gen, scope, pick(draw, broadcasts_into(shape)), nesting(draw)))
        return "/= 1.0 + %s ** 2" % value.operand
    if op == "*=" and draw(st.booleans()):
        return "*= %s" % pick(draw, tables.CONSTANTS)
    value = draw(expression(gen, scope, pick(draw, broadcasts_into(shape)), nesting(draw)))
    return "%s %s" % (op, value.text)


def _unpack(draw, gen, scope):
    swappable = [(a, b) for a in scope.arrays() for b in scope.arrays()
                 if a < b and scope.vars[a] == scope.vars[b]]
    if swappable and draw(st.booleans()):
        a, b = pick(draw, swappable)
        return [Line("%s, %s = %s, %s" % (a, b, b, a))]
    shapes = [pick(draw, SHAPES) for _ in range(2)]
    values = [draw(expression(gen, scope, s, nesting(draw))) for s in shapes]
    names = [gen.fresh("value") for _ in shapes]
    for name, shape, value in zip(names, shapes, values):
        scope.add(name, Array(shape, pinned=value.pinned))
    return [Line("%s = %s" % (", ".join(names), ", ".join(v.text for v in values)))]


# ------------------------------------------------------------ buffers, writes, views

def _buffer(draw, gen, scope):
    shape = pick(draw, SHAPES[1:])
    forms = ["np.zeros({s})", "np.ones({s})", "np.full({s}, {k})"]
    if scope.arrays(shape):
        forms += ["np.zeros_like({a})", "{a}.copy()", "{a} * 1.0", "np.copy({a})",
                  "np.array({a})", "np.ones_like({a})"]
    form = pick(draw, forms).replace("{s}", tables.shape_text(shape))
    source = [variable(scope, pick(draw, scope.arrays(shape)))] if "{a}" in form else []
    name = gen.fresh("value")
    scope.add(name, Array(shape))
    return [Line("%s = %s" % (name, fill(draw, scope, form, source)))]


# shape -> [(target template, shape of the target)]
WRITE_TARGETS = {
    (3,): [("{a}[{i3}]", ()), ("{a}[1:]", (2,)), ("{a}[:2]", (2,)), ("{a}[::-1]", (3,)),
           ("{a}[:]", (3,))],
    (2,): [("{a}[{i2}]", ()), ("{a}[::-1]", (2,)), ("{a}[1:]", (1,))],
    (6,): [("{a}[{i6}]", ()), ("{a}[:3]", (3,)), ("{a}[3:]", (3,)), ("{a}[::2]", (3,)),
           ("{a}[1:3]", (2,))],
    (2, 3): [("{a}[{i2}]", (3,)), ("{a}[{i2}, {i3}]", ()), ("{a}[:, {i3}]", (2,)),
             ("{a}[{i2}, 1:]", (2,)), ("{a}[:, :1]", (2, 1)), ("{a}[{i2}][{i3}]", ())],
    (2, 1): [("{a}[{i2}]", (1,)), ("{a}[{i2}, 0]", ()), ("{a}[:, 0]", (2,))],
    (3, 2): [("{a}[{i3}]", (2,)), ("{a}[:, {i2}]", (3,)), ("{a}[{i3}, {i2}]", ())],
}


def _write(draw, gen, scope):
    name = pick(draw, scope.arrays(writable=True))
    template, shape = pick(draw, WRITE_TARGETS[scope.vars[name].shape])
    target = fill(draw, scope, template, [Expr(name)])
    if draw(st.booleans()):
        value_shape = pick(draw, broadcasts_into(shape)) if shape in SHAPES else ()
        value = draw(expression(gen, scope, value_shape, nesting(draw)))
        return [Line("%s = %s" % (target, value.text))]
    return [Line("%s %s" % (target, _update(draw, gen, scope, shape if shape in SHAPES else ())))]


def _at_update(draw, gen, scope):
    """``b = a.at[idx].op(value)`` or ``a = a.at[idx].op(value)``: a functional update,
    a new array (``a`` itself unchanged, so any array qualifies, arguments included);
    ``.at[idx].get()`` reads like an index."""
    name = pick(draw, [n for n in scope.arrays() if scope.vars[n].shape in WRITE_TARGETS])
    typ = scope.vars[name]
    template, shape = pick(draw, [(t, s) for t, s in WRITE_TARGETS[typ.shape] if "][" not in t])
    at = fill(draw, scope, template, [Expr(name)]).replace(name + "[", name + ".at[", 1)
    op = pick(draw, ["set", "add", "multiply", "divide", "get"])
    if op == "get":
        result = gen.fresh("value")
        scope.add(result, Array(shape, pinned=True))       # never written into
        return [Line("%s = %s.get()" % (result, at))]
    value_shape = pick(draw, broadcasts_into(shape)) if shape in SHAPES else ()
    value = draw(expression(gen, scope, value_shape, nesting(draw)))
    text = "1.0 + %s ** 2" % value.operand if op == "divide" else value.text
    if draw(st.booleans()):
        return [Line("%s = %s.%s(%s)" % (name, at, op, text))]    # the type is kept
    result = gen.fresh("value")
    scope.add(result, Array(typ.shape))
    return [Line("%s = %s.%s(%s)" % (result, at, op, text))]


def _view(draw, gen, scope):
    source = pick(draw, [n for n in scope.arrays() if scope.vars[n].shape != ()])
    typ = scope.vars[source]
    views = [("{a}", typ.shape)] + [(template, shape) for shape in SHAPES
                                    for template, view in tables.conversions(typ.shape, shape)
                                    if view]
    template, shape = pick(draw, views)
    name = gen.fresh("value")
    text = fill(draw, scope, template, [Expr(source)])
    scope.add(name, Array(shape, pinned=typ.pinned))
    return [Line("%s = %s" % (name, text))]


# ------------------------------------------------------------ lists

def _new_list(draw, gen, scope):
    known = scope.lists(lambda t: t.length)
    iterables = scope.iterables()
    form = pick(draw, ["empty", "literal", "repeat", "comprehension"]
                + (["concat"] if known else []))
    elem = pick(draw, SHAPES)
    name = gen.fresh("list")
    if form == "empty":
        scope.add(name, List(elem, 0))
        return [Line("%s = []" % name)]
    if form == "concat":
        other = pick(draw, known)
        typ = scope.vars[other]
        scope.add(name, List(typ.elem, 2 * typ.length, typ.pinned))
        return [Line("%s = %s + %s" % (name, other, other))]
    if form == "comprehension":
        return _comprehension(draw, gen, scope, name, elem, iterables)
    values = [draw(expression(gen, scope, elem, nesting(draw)))
              for _ in range(1 if form == "repeat" else between(draw, 1, 3))]
    pinned = any(v.pinned for v in values)
    if form == "repeat":
        times = between(draw, 2, 3)
        scope.add(name, List(elem, times, pinned))
        return [Line("%s = [%s] * %d" % (name, values[0].text, times))]
    scope.add(name, List(elem, len(values), pinned))
    return [Line("%s = [%s]" % (name, ", ".join(v.text for v in values)))]


def _comprehension(draw, gen, scope, name, elem, iterables):
    inner = scope.child()
    item = gen.fresh("item")
    if iterables and draw(st.booleans()):
        source = pick(draw, iterables)
        typ = scope.vars[source]
        inner.add(item, Array(typ.shape[1:], typ.pinned))
        length, iterated = typ.shape[0], source
    else:
        length = between(draw, 1, 3)
        inner.add(item, Int(length - 1))
        iterated = "range(%d)" % length
    value = draw(expression(gen, inner, elem, nesting(draw)))
    text = "[%s for %s in %s" % (value.text, item, iterated)
    if draw(st.booleans()):
        text += " if %s" % draw(condition(gen, inner, 0))
        length = None
    scope.add(name, List(elem, length, value.pinned))
    return [Line("%s = %s]" % (name, text))]


def _append(draw, gen, scope):
    name = pick(draw, _appendable(scope))
    typ = scope.vars[name]
    value = draw(expression(gen, scope, typ.elem, nesting(draw)))
    length = None if typ.length is None else typ.length + 1
    scope.add(name, List(typ.elem, length, typ.pinned or value.pinned))
    return [Line("%s.append(%s)" % (name, value.text))]


def _appendable(scope):
    return sorted(n for n in scope.local_lists if n in scope.vars)


# ------------------------------------------------------------ calls

def _call(draw, gen, scope):
    helper = gen.helpers[between(draw, 0, len(gen.helpers) - 1)]
    text = call_text(draw, gen, scope, helper, nesting(draw))
    results = [helper.returns.first, helper.returns.second] \
        if isinstance(helper.returns, Pair) else [helper.returns]
    names = [gen.fresh("value") for _ in results]
    for name, typ in zip(names, results):
        scope.add(name, Array(typ.shape, pinned=helper.returns_pinned))
    return [Line("%s = %s" % (", ".join(names), text))]
