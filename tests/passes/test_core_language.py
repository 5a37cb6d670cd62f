"""The whole normalisation pipeline on functions that need every pass at once, and a
check that the core-language oracle used by the pass tests does find sugar."""
import gast
import numpy as np

from transpiler.frontend.environment import Environment
from transpiler.frontend.parse import parse_function

from .corelang import assert_same_outputs, core_violations, random_inputs, vector


def everything(xs, w):
    total = 0.0
    best, worst = -np.inf, np.inf
    for i, x in enumerate(xs, start=1):
        if x is None or x > 2.0:
            continue
        total += x * w[0] if x > 0 else -x
        best, worst = max(best, x), min(worst, x)
        if 0.0 < total < 0.1:
            break
    squares = [v * v for v in xs if v > -1.0]
    k = 0
    while k < len(squares) and squares[k] < 3.0:
        k += 1
    if k > 2:
        return total + sum(squares) + k
    scale = lambda t: t * w.sum()
    return scale(total) + best - worst


def raw_sugar(x, xs):
    y = 1.0
    y *= x
    z = x if x > 0 else -x
    ok = x > 0 and y > 0
    for a, b in zip(xs, xs):
        if a > b:
            continue
        if a < 0:
            break
    if z > 1:
        return z
    return [v for v in xs], 0 < x < 1, np.sin(x * 2.0)


def test_every_pass_at_once():
    assert_same_outputs(everything, random_inputs(vector(6), vector(2), trials=12))


def test_the_oracle_finds_what_normalisation_removes():
    src = parse_function(raw_sugar)
    problems = "\n".join(core_violations(src.node, Environment()))
    for expected in ("in-place `Mult`", "IfExp", "BoolOp", "Continue", "bare `break`",
                     "not range(...)", "ListComp", "chained comparison",
                     "only `return`", "`x * 2.0` is not an atom"):
        assert expected in problems, (expected, problems)


def test_the_oracle_accepts_a_hand_written_core_function():
    tree = gast.parse(
        "def f(x, n):\n"
        "    s = 0.0\n"
        "    flag = False\n"
        "    for i in range(n):\n"
        "        t = np.sin(x)\n"
        "        s = s + t\n"
        "        flag = s > 1.0\n"
        "        if flag:\n"
        "            break\n"
        "    return s\n")
    assert core_violations(tree.body[0], Environment()) == []
