"""Random expressions of a requested shape over the variables in scope.

``expression(gen, scope, shape, depth)`` is a hypothesis strategy for the text of an
expression whose value has ``shape``; ``depth`` bounds its nesting (0: a leaf — a
variable, a constant, a conversion of a variable).  The makers are listed simplest
first, so that hypothesis shrinks an expression towards a variable or a constant.
"""
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from . import tables
from .scope import Array, Int, Pair, SHAPES, broadcasts_into, operand_pairs


@dataclass(frozen=True)
class Expr:
    """An expression's text; ``pinned``: its value may share memory with an argument."""
    text: str
    pinned: bool = False

    @property
    def operand(self):
        """The text, parenthesised unless it is a name, a literal, a call or subscript."""
        return self.text if _atomic(self.text) else "(%s)" % self.text


_HEAD = re.compile(r"[A-Za-z_0-9.]+")
_CLOSE = {"(": ")", "[": "]"}


def _atomic(text):
    """A primary (name, number, parenthesised group) followed only by calls, subscripts
    and attributes: safe as an operand without parentheses."""
    match = _HEAD.match(text)
    k = match.end() if match else (_group_end(text, 0) if text[:1] == "(" else 0)
    if k == 0:
        return False
    while k < len(text):
        if text[k] in _CLOSE:
            k = _group_end(text, k)
        elif text[k] == "." and _HEAD.match(text, k + 1):
            k = _HEAD.match(text, k + 1).end()
        else:
            return False
    return True


def _group_end(text, start):
    depth = 0
    for k in range(start, len(text)):
        if text[k] in "([":
            depth += 1
        elif text[k] in ")]":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def pick(draw, options):
    return draw(st.sampled_from(list(options)))


def between(draw, low, high):
    """An int in [low, high], uniformly (``st.integers`` favours ``low`` heavily)."""
    return pick(draw, range(low, high + 1))


def nesting(draw):
    """How deep an expression may nest: mostly shallow."""
    return pick(draw, [0, 1, 0, 1, 2])


def unshared(e, shape):
    """``e``, or a copy of it when it may share memory with an argument."""
    if not e.pinned:
        return e
    if shape == ():
        return Expr("%s * 1.0" % e.operand)
    return Expr("np.copy(%s)" % e.text)


def index(draw, scope, size):
    """An index in range for an axis of length ``size``."""
    ints = scope.ints()
    kind = pick(draw, ["literal", "negative"] + (["int"] if ints else []))
    if kind == "literal":
        return str(draw(st.integers(0, size - 1)))
    if kind == "negative":
        return str(draw(st.integers(-size, -1)))
    name = pick(draw, ints)
    if scope.vars[name].top < size:
        return pick(draw, [name, "-1 - %s" % name])
    return "%s %% %d" % (name, size)


def fill(draw, scope, template, operands=()):
    """The template with its operands, a constant and in-range indices filled in."""
    values = dict(zip("abc", (o.operand for o in operands)))
    if "{k}" in template:
        values["k"] = pick(draw, tables.CONSTANTS)
    for size in (2, 3, 6):
        if "{i%d}" % size in template:
            values["i%d" % size] = index(draw, scope, size)
    return template.format(**values)


def variable(scope, name):
    return Expr(name, pinned=scope.vars[name].pinned)


# ------------------------------------------------------------ leaves

def _name(draw, gen, scope, shape, depth):
    return variable(scope, pick(draw, scope.arrays(shape)))


def _constant(draw, gen, scope, shape, depth):
    return Expr(pick(draw, tables.CONSTANTS))


def _from_int(draw, gen, scope, shape, depth):
    template = pick(draw, ["0.5 * {i}", "float({i})", "({i} + 1) * 0.3"])
    return Expr(template.format(i=pick(draw, scope.ints())))


def _convert(draw, gen, scope, shape, depth):
    sources = [s for s in tables.sources_of(shape) if depth or scope.arrays(s)]
    source = pick(draw, sources)
    if depth:
        operand = draw(expression(gen, scope, source, depth - 1))
    else:
        operand = variable(scope, pick(draw, scope.arrays(source)))
    template, view = pick(draw, tables.conversions(source, shape))
    return Expr(fill(draw, scope, template, [operand]), pinned=view and operand.pinned)


def _spread(draw, gen, scope, shape, depth):
    scalar = draw(expression(gen, scope, (), max(depth - 1, 0)))
    template = pick(draw, ["np.full({s}, {a})", "{a} + np.zeros({s})", "{a} * np.ones({s})"])
    return Expr(template.format(s=tables.shape_text(shape), a=scalar.operand))


def _list_read(draw, gen, scope, shape, depth):
    name = pick(draw, _readable_lists(scope, shape))
    typ = scope.vars[name]
    forms = []
    if typ.elem == shape and typ.length:
        forms += ["item", "sum"]
    if typ.elem == shape == () and not typ.length:
        forms.append("sum0")
    if typ.length and (typ.length,) + typ.elem == shape:
        forms += ["np.array", "np.stack"]
    form = pick(draw, forms)
    if form == "item":
        return Expr("%s[%s]" % (name, index(draw, scope, typ.length)), pinned=typ.pinned)
    if form == "sum":
        return Expr("sum(%s)" % name)
    if form == "sum0":                      # may be empty: sum() would be the int 0
        return Expr("sum(%s) + 0.0" % name)
    return Expr("%s(%s)" % (form, name))


def _readable_lists(scope, shape):
    return scope.lists(lambda t: (t.elem == shape and (t.length or shape == ()))
                       or (t.length and (t.length,) + t.elem == shape))


# ------------------------------------------------------------ compound expressions

def _unary(draw, gen, scope, shape, depth):
    templates = tables.UNARY + (tables.SCALAR_UNARY if shape == () else ())
    template = pick(draw, templates)
    return Expr(fill(draw, scope, template, [draw(expression(gen, scope, shape, depth - 1))]))


def _scaled(draw, gen, scope, shape, depth):
    template = pick(draw, tables.SCALING)
    return Expr(fill(draw, scope, template, [draw(expression(gen, scope, shape, depth - 1))]))


def _binary(draw, gen, scope, shape, depth):
    shapes = pick(draw, operand_pairs(shape))
    templates = tables.BINARY + (tables.SCALAR_BINARY if shape == () else ())
    return _apply(draw, gen, scope, pick(draw, templates), shapes, depth)


def _matmul(draw, gen, scope, shape, depth):
    shapes, template = pick(draw, tables.MATMULS[shape])
    return _apply(draw, gen, scope, template, shapes, depth)


def _assemble(draw, gen, scope, shape, depth):
    shapes, template = pick(draw, tables.ASSEMBLIES[shape])
    return _apply(draw, gen, scope, template, shapes, depth)


def _apply(draw, gen, scope, template, shapes, depth):
    operands = [draw(expression(gen, scope, s, depth - 1)) for s in shapes]
    return Expr(fill(draw, scope, template, operands))


def _where(draw, gen, scope, shape, depth):
    test = draw(expression(gen, scope, pick(draw, broadcasts_into(shape)), depth - 1))
    chosen = draw(expression(gen, scope, shape, depth - 1))
    other = draw(expression(gen, scope, pick(draw, broadcasts_into(shape)), depth - 1))
    if draw(st.booleans()):
        chosen, other = other, chosen
    return Expr("np.where(%s %s %s, %s, %s)" % (
        test.operand, pick(draw, tables.COMPARISONS), pick(draw, ["0.0", "0.5", "-0.3"]),
        chosen.text, other.text))


def _choice(draw, gen, scope, shape, depth):
    test = draw(condition(gen, scope, depth - 1))
    yes = draw(expression(gen, scope, shape, depth - 1))
    no = draw(expression(gen, scope, shape, depth - 1))
    return Expr("%s if %s else %s" % (yes.operand, test, no.operand),
                pinned=yes.pinned or no.pinned)


def _call(draw, gen, scope, shape, depth):
    helper = pick(draw, [h.name for h in _helpers_returning(gen, shape)])
    helper = next(h for h in gen.helpers if h.name == helper)
    return Expr(call_text(draw, gen, scope, helper, depth - 1),
                pinned=helper.returns_pinned and shape != ())


def _helpers_returning(gen, shape):
    return [h for h in gen.helpers if h.returns == Array(shape)]


def call_text(draw, gen, scope, helper, depth):
    """``h(args)`` with arguments of the helper's parameter types."""
    args = [argument(draw, gen, scope, typ, depth) for _, typ in helper.params]
    return "%s(%s)" % (helper.name, ", ".join(args))


def argument(draw, gen, scope, typ, depth):
    if isinstance(typ, Int):
        ints = [n for n in scope.ints() if scope.vars[n].top <= typ.top]
        return pick(draw, [str(k) for k in range(typ.top + 1)] + ints)
    if isinstance(typ, Pair):
        return "(%s, %s)" % (argument(draw, gen, scope, typ.first, depth),
                             argument(draw, gen, scope, typ.second, depth))
    value = draw(expression(gen, scope, typ.shape, depth))
    # a helper may update a scalar parameter in place: never hand it a 0-d argument
    return unshared(value, ()).text if typ.shape == () else value.text


# (maker, applies(gen, scope, shape), usable as a leaf, weight), simplest first
MAKERS = (
    (_name, lambda g, s, shape: bool(s.arrays(shape)), True, 4),
    (_constant, lambda g, s, shape: shape == (), True, 1),
    (_from_int, lambda g, s, shape: shape == () and bool(s.ints()), True, 1),
    (_list_read, lambda g, s, shape: bool(_readable_lists(s, shape)), True, 2),
    (_spread, lambda g, s, shape: shape != (), True, 1),
    (_convert, lambda g, s, shape: bool(tables.sources_of(shape)), True, 2),
    (_unary, lambda g, s, shape: True, False, 2),
    (_scaled, lambda g, s, shape: True, False, 1),
    (_binary, lambda g, s, shape: True, False, 3),
    (_matmul, lambda g, s, shape: shape in tables.MATMULS, False, 1),
    (_where, lambda g, s, shape: True, False, 1),
    (_choice, lambda g, s, shape: True, False, 1),
    (_assemble, lambda g, s, shape: shape in tables.ASSEMBLIES, False, 1),
    (_call, lambda g, s, shape: bool(_helpers_returning(g, shape)), False, 3),
)


@st.composite
def expression(draw, gen, scope, shape, depth):
    """An ``Expr`` of the given shape; ``depth`` bounds its nesting."""
    makers = [m for m, applies, leaf, weight in MAKERS
              if (leaf or depth > 0) and applies(gen, scope, shape)
              and (depth > 0 or m is not _convert
                   or any(scope.arrays(s) for s in tables.sources_of(shape)))
              for _ in range(weight)]
    return pick(draw, makers)(draw, gen, scope, shape, depth)


@st.composite
def condition(draw, gen, scope, depth):
    """The text of a boolean test, mostly on data (so that branches depend on it)."""
    kinds = ["compare", "all"] + (["int"] if scope.ints() else [])
    if depth > 0:
        kinds += ["and", "or", "not"]
    kind = pick(draw, kinds)
    if kind == "compare":
        value = draw(expression(gen, scope, (), depth))
        return "%s %s %s" % (value.operand, pick(draw, tables.COMPARISONS),
                             pick(draw, ["0.0", "0.3", "-0.5", "1.0"]))
    if kind == "all":
        value = draw(expression(gen, scope, pick(draw, SHAPES[1:]), depth))
        return "np.%s(%s > 0.0)" % (pick(draw, ["all", "any"]), value.operand)
    if kind == "int":
        name = pick(draw, scope.ints())
        return pick(draw, ["%s %% 2 == 0" % name, "%s > 0" % name, "%s < 2" % name])
    if kind == "not":
        return "not (%s)" % draw(condition(gen, scope, depth - 1))
    return "(%s) %s (%s)" % (draw(condition(gen, scope, depth - 1)), kind,
                             draw(condition(gen, scope, depth - 1)))
