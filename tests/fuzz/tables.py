"""The building blocks of generated expressions, as data: templates keyed by shapes.

A template is a format string over operands ``{a}``, ``{b}``, ``{c}`` (already
parenthesised where needed), constants ``{k}`` and in-range indices ``{i2}``, ``{i3}``,
``{i6}`` (an index into an axis of that length).  Every template keeps values finite
and away from singularities for any finite operand: logarithms and square roots of
``1 + v*v`` or ``2 + cos v``, exponentials of bounded values, divisions by ``1 + v*v``.
Kinks (max, abs, where, maximum) are kept: the checker detects them.
"""

CONSTANTS = ("2.0", "0.5", "1.5", "-0.7", "3.0", "0.3")

# elementwise, shape -> shape
UNARY = (
    "-{a}", "np.sin({a})", "np.cos({a})", "np.tanh({a})", "np.square({a})", "{a} ** 2",
    "np.exp(np.sin({a}))", "np.exp(-np.square({a}))", "np.log(1.0 + {a} ** 2)",
    "np.sqrt(1.0 + {a} * {a})", "{a} ** 3", "np.log(2.0 + np.cos({a}))",
    "1.0 / (1.0 + {a} ** 2)", "np.abs({a})", "np.arctan({a})",
)

# only on scalars
SCALAR_UNARY = ("math.sin({a})", "math.tanh({a})", "math.exp(math.cos({a}))",
                "math.sqrt(1.0 + {a} ** 2)", "abs({a})")

# broadcasting, (shape a, shape b) -> broadcast shape
BINARY = (
    "{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / (1.0 + {b} ** 2)",
    "{a} / (2.0 + np.cos({b}))", "np.maximum({a}, {b})", "np.minimum({a}, {b})",
    "(1.5 + np.sin({a})) ** np.tanh({b})", "np.add({a}, {b})", "np.multiply({a}, {b})",
)

# only on scalars
SCALAR_BINARY = ("max({a}, {b})", "min({a}, {b})", "math.hypot({a}, {b})",
                 "math.atan2({a}, 2.0 + {b} ** 2)")

# a value and a constant
SCALING = ("{a} * {k}", "{k} * {a}", "{a} + {k}", "{a} - {k}", "{k} - {a}", "{a} / {k}")

# (operand shape, result shape, template, is a view of the operand)
_ANY = "any"
CONVERSIONS = (
    (_ANY, (), "np.sum({a})", False), (_ANY, (), "np.mean({a})", False),
    (_ANY, (), "np.max({a})", False), (_ANY, (), "np.min({a})", False),
    (_ANY, (), "np.prod({a})", False), (_ANY, (), "{a}.sum()", False),
    (_ANY, (), "np.linalg.norm({a})", False), (_ANY, (), "{a}.max()", False),
    ((3,), (), "{a}[{i3}]", False), ((2,), (), "{a}[{i2}]", False),
    ((6,), (), "{a}[{i6}]", False), ((2, 3), (), "{a}[{i2}, {i3}]", False),
    ((2, 1), (), "{a}[{i2}, 0]", False), ((3, 2), (), "{a}[{i3}][{i2}]", False),
    ((2, 3), (3,), "np.sum({a}, axis=0)", False), ((2, 3), (3,), "np.mean({a}, axis=0)", False),
    ((2, 3), (3,), "np.max({a}, axis=0)", False), ((2, 3), (3,), "{a}[{i2}]", True),
    ((2, 3), (3,), "np.prod({a}, axis=0)", False), ((2, 3), (3,), "{a}.sum(axis=0)", False),
    ((2, 3), (3,), "{a}[-1]", True),
    ((2, 3), (2,), "np.sum({a}, axis=1)", False), ((2, 3), (2,), "{a}[:, {i3}]", True),
    ((2, 3), (2,), "np.max({a}, axis=-1)", False), ((2, 3), (2,), "{a}.mean(axis=1)", False),
    ((2, 3), (2,), "np.min({a}, axis=1)", False),
    ((2, 3), (2, 1), "np.sum({a}, axis=1, keepdims=True)", False),
    ((2, 3), (2, 1), "{a}[:, :1]", True), ((2, 3), (2, 1), "{a}[:, 1:2]", True),
    ((2, 3), (2, 1), "np.max({a}, axis=1, keepdims=True)", False),
    ((2, 3), (2, 1), "np.mean({a}, axis=-1, keepdims=True)", False),
    ((2, 3), (6,), "{a}.reshape(-1)", True), ((2, 3), (6,), "np.ravel({a})", True),
    ((2, 3), (6,), "{a}.reshape(6)", True), ((2, 3), (6,), "{a}.flatten()", False),
    ((2, 3), (3, 2), "{a}.T", True), ((2, 3), (3, 2), "np.transpose({a})", True),
    ((2, 3), (3, 2), "{a}.reshape(3, 2)", True),
    ((2, 3), (2, 3), "{a}[::-1]", True), ((2, 3), (2, 3), "{a}[:, ::-1]", True),
    ((3, 2), (2, 3), "{a}.T", True), ((3, 2), (2, 3), "{a}.reshape(2, 3)", True),
    ((3, 2), (3,), "np.sum({a}, axis=1)", False), ((3, 2), (3,), "{a}[:, {i2}]", True),
    ((3, 2), (2,), "np.sum({a}, axis=0)", False), ((3, 2), (2,), "{a}[{i3}]", True),
    ((3, 2), (2,), "np.max({a}, axis=0)", False),
    ((6,), (2, 3), "{a}.reshape(2, 3)", True), ((6,), (2, 3), "np.reshape({a}, (2, 3))", True),
    ((6,), (3, 2), "{a}.reshape(3, 2)", True),
    ((6,), (3,), "{a}[:3]", True), ((6,), (3,), "{a}[3:]", True),
    ((6,), (3,), "{a}[::2]", True), ((6,), (3,), "{a}[1::2]", True),
    ((6,), (2,), "{a}[1:3]", True), ((6,), (2,), "{a}[::3]", True),
    ((3,), (2,), "{a}[1:]", True), ((3,), (2,), "{a}[:2]", True),
    ((3,), (2,), "{a}[::2]", True), ((3,), (2,), "{a}[:-1]", True),
    ((3,), (3,), "{a}[::-1]", True), ((3,), (3,), "np.cumsum({a})", False),
    ((3,), (6,), "np.concatenate([{a}, {a}])", False), ((3,), (6,), "np.tile({a}, 2)", False),
    ((2,), (2, 1), "{a}.reshape(2, 1)", True), ((2,), (2, 1), "{a}[:, None]", True),
    ((2,), (2, 1), "np.expand_dims({a}, 1)", True),
    ((2, 1), (2,), "{a}[:, 0]", True), ((2, 1), (2,), "{a}.reshape(-1)", True),
    ((2, 1), (2,), "np.squeeze({a}, axis=1)", True),
    ((2, 1), (2, 3), "np.repeat({a}, 3, axis=1)", False), ((2, 1), (2, 3), "np.tile({a}, 3)", False),
)


def conversions(source, target):
    """Templates turning a value of shape ``source`` into one of shape ``target``."""
    return [(template, view) for s, t, template, view in CONVERSIONS
            if t == target and (s == source or (s == _ANY and source != ()))]


def sources_of(target):
    """The shapes a conversion can turn into ``target``."""
    from .scope import SHAPES
    return [s for s in SHAPES if conversions(s, target)]


# result shape -> [(operand shapes, template)]
MATMULS = {
    (): [(((3,), (3,)), "{a} @ {b}"), (((2,), (2,)), "np.dot({a}, {b})"),
         (((6,), (6,)), "{a} @ {b}")],
    (2,): [(((2, 3), (3,)), "{a} @ {b}"), (((3,), (3, 2)), "np.dot({a}, {b})")],
    (2, 3): [(((2,), (3,)), "np.outer({a}, {b})")],
    (3,): [(((2,), (2, 3)), "{a} @ {b}"), (((3, 2), (2,)), "{a} @ {b}")],
}

ASSEMBLIES = {
    (2, 3): [(((3,), (3,)), "np.stack([{a}, {b}])"), (((3,), (3,)), "np.vstack([{a}, {b}])"),
             (((3,), (3,)), "np.array([{a}, {b}])")],
    (3, 2): [(((3,), (3,)), "np.stack([{a}, {b}], axis=1)")],
    (2,): [(((), ()), "np.array([{a}, {b}])"), (((), ()), "np.stack([{a}, {b}])")],
    (3,): [(((), (), ()), "np.array([{a}, {b}, {c}])"),
           (((2,), (2,)), "np.concatenate([{a}, {b}[:1]])")],
    (6,): [(((3,), (3,)), "np.concatenate([{a}, {b}])"),
           (((2,), (2,), (2,)), "np.concatenate([{a}, {b}, {c}])"),
           (((3,), (3,)), "np.hstack([{a}, {b}])")],
    (2, 1): [(((), ()), "np.array([[{a}], [{b}]])")],
}

COMPARISONS = (">", "<", ">=", "<=")


def shape_text(shape):
    """``3`` or ``(2, 3)``: how np.zeros spells a shape."""
    return str(shape[0]) if len(shape) == 1 else str(tuple(shape))
