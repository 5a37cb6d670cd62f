"""``programs()``: the hypothesis strategy for whole generated programs.

A program is a module with a function ``f`` (float64 arrays of a few small shapes,
scalars and maybe an int trip count ``n``) and up to two helpers it may call (with
arrays, floats, ints and tuples as arguments, an array or a pair as result).  ``f``
returns a float: a sum of terms over the variables in scope at its end.
"""
from hypothesis import strategies as st

from .control import block, returned_value
from .expressions import between, pick
from .program import Param, Program
from .scope import SHAPES, Array, Gen, Helper, Int, List, Pair, Scope
from .statements import Line, render_body

ARRAY_PARAMS = (("x", (3,)), ("A", (2, 3)), ("y", (3,)), ("B", (2, 1)), ("z", (2,)))
SCALAR_PARAMS = ("s", "t")
SCALAR_KINDS = ("float", "float64", "0d")
HEADER = "import math\n\nimport numpy as np\n"


@st.composite
def signatures(draw):
    """The parameters of ``f``: at least one float."""
    arrays = draw(st.lists(st.sampled_from(ARRAY_PARAMS), max_size=3, unique=True))
    params = [Param(name, "array", shape) for name, shape in arrays]
    for name in SCALAR_PARAMS[:between(draw, 0, 2)]:
        params.append(Param(name, pick(draw, SCALAR_KINDS)))
    if not params:
        params.append(Param("x", "array", (3,)))
    if draw(st.booleans()):
        params.append(Param("n", "int", value=between(draw, 0, 3)))
    return params


def _param_type(param):
    if param.kind == "int":
        return Int(param.value)
    return Array(param.shape, pinned=param.kind != "float" and param.kind != "float64")


# ------------------------------------------------------------ helpers

@st.composite
def _helper_type(draw):
    kind = pick(draw, ["array", "scalar", "int", "pair"])
    if kind == "array":
        return Array(pick(draw, SHAPES[1:]), pinned=True)
    if kind == "scalar":
        return Array(())
    if kind == "int":
        return Int(3)
    return Pair(draw(_helper_type().filter(lambda t: isinstance(t, Array))),
                draw(_helper_type().filter(lambda t: isinstance(t, Array))))


@st.composite
def helper_function(draw, name, helpers):
    """``(Helper, source)``: a helper that may call the ones already made."""
    types = draw(st.lists(_helper_type(), min_size=1, max_size=3))
    params = tuple(("p%d" % k, typ) for k, typ in enumerate(types))
    returns = pick(draw, [Array(pick(draw, SHAPES)),
                          Pair(Array(pick(draw, SHAPES)), Array(pick(draw, SHAPES)))])
    gen = Gen(budget=between(draw, 1, 8), helpers=helpers, returns=returns,
              taken=[p for p, _ in params])
    scope = Scope()
    nodes = []
    for param, typ in params:
        if isinstance(typ, Pair):
            first, second = gen.fresh("value"), gen.fresh("value")
            scope.add(first, typ.first)
            scope.add(second, typ.second)
            nodes.append(Line("%s, %s = %s" % (first, second, param)))
        else:
            scope.add(param, typ)
    body, returned = draw(block(gen, scope, 1, 5, may_return=True))
    nodes += body
    if not returned:
        nodes.append(Line("return %s" % draw(returned_value(gen, scope))))
    helper = Helper(name, params, returns, gen.returned_pinned)
    return helper, _render(name, [p for p, _ in params], nodes)


# ------------------------------------------------------------ f

TERMS = ("np.sum({v})", "np.sum(np.sin({v}))", "np.sum({v} ** 2)", "0.5 * np.sum({v})")
LIST_TERMS = ("np.sum(np.array({v}))", "np.sum(sum({v}) + 0.0)")


@st.composite
def main_function(draw, params, helpers):
    """The source of ``f``."""
    n = next((p.value for p in params if p.kind == "int"), None)
    gen = Gen(budget=between(draw, 4, 28), helpers=helpers, n=n,
              taken=[p.name for p in params])
    scope = Scope()
    for param in params:
        scope.add(param.name, _param_type(param))
    nodes, _ = draw(block(gen, scope, 3, 12))
    nodes.append(Line("return %s" % draw(_result(scope))))
    return _render("f", [p.name for p in params], nodes)


@st.composite
def _result(draw, scope):
    """A float from the values in scope (each kept or not: hypothesis drops terms)."""
    terms = []
    for name in scope.arrays() + scope.lists():
        if draw(st.booleans()):
            typ = scope.vars[name]
            styles = LIST_TERMS if isinstance(typ, List) else TERMS + (
                ("{v}",) if typ.shape == () else ())
            terms.append(pick(draw, styles).format(v=name))
    return " + ".join(terms) or "np.sum(%s)" % scope.arrays()[0]


def _render(name, params, nodes):
    return "\n".join(["def %s(%s):" % (name, ", ".join(params))] + render_body(nodes, 1))


@st.composite
def programs(draw):
    """A random ``Program``."""
    params = draw(signatures())
    helpers, sources = [], []
    for k in range(between(draw, 0, 2)):
        helper, source = draw(helper_function("h%d" % k, list(helpers)))
        helpers.append(helper)
        sources.append(source)
    sources.append(draw(main_function(params, helpers)))
    differentiable = [k for k, p in enumerate(params) if p.differentiable]
    chosen = draw(st.lists(st.sampled_from(differentiable), unique=True, max_size=3))
    argnums = tuple(sorted(chosen)) or tuple(differentiable)
    source = "\n\n\n".join([HEADER] + sources)
    return Program(source, tuple(params), argnums, seed=draw(st.integers(0, 2 ** 16)))
