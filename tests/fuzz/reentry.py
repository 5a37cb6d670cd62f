"""Re-entry: the generated gradient function, differentiated again with ``tp.vjp``.

``g.specialised(*args)`` is a plain Python function with real source (in
``linecache``), so the compiler should be able to read and differentiate it: ``tp.vjp``
of it must give the same value and gradient, and pulling back a cotangent ``(0, u)``
must give the Hessian-vector product ``H u``, which central differences of the gradient
along ``u`` estimate.  A ``TranspileError`` (the safety check refusing the generated
code, which shares memory in ways it cannot prove harmless) is returned and counted.
"""
import traceback

import numpy as np

import transpiler as tp
from transpiler.errors import TranspileError

from .check import STEPS, Finding, Rejected, as_tuple, copy_args, like, shifted

KIND = "re-entry"


def check_reentry(g, args, program, result, directions):
    argnums = program.argnums[0] if len(program.argnums) == 1 else program.argnums
    try:
        out, pull = tp.vjp(g.specialised(*args), *copy_args(args))
        first = pull(_cotangent(1.0, [np.zeros(np.shape(args[k])) for k in program.argnums],
                                args, program, argnums))
    except TranspileError as refused:
        return refused
    except Exception:
        raise Finding(KIND, "tp.vjp of the generated gradient raised\n" + traceback.format_exc(
            limit=-6), program)
    _compare(out[0], result[0], program, "value through tp.vjp")
    _compare(as_tuple(out[1], argnums), as_tuple(result[1], argnums), program,
             "gradient through tp.vjp")
    _compare([first[k] for k in program.argnums], as_tuple(result[1], argnums), program,
             "pullback of (1, 0): the gradient")
    direction = directions[0]
    pulled = pull(_cotangent(0.0, [direction[k] for k in program.argnums], args, program,
                             argnums))
    numeric = _gradient_differences(g, args, program, argnums, direction)
    _compare([pulled[k] for k in program.argnums], numeric, program,
             "Hessian-vector product vs finite differences of the gradient", rtol=1e-4)
    return None


def _cotangent(seed, parts, args, program, argnums):
    parts = [like(args[k], p) for k, p in zip(program.argnums, parts)]
    return (seed, parts[0] if isinstance(argnums, int) else tuple(parts))


def _gradient_differences(g, args, program, argnums, direction):
    estimates = []
    for h in STEPS:
        ups = as_tuple(g(*shifted(args, direction, h))[1], argnums)
        downs = as_tuple(g(*shifted(args, direction, -h))[1], argnums)
        estimates.append([(np.asarray(u) - np.asarray(d)) / (2 * h) for u, d in zip(ups, downs)])
    coarse, fine = estimates
    for c, f in zip(coarse, fine):
        if not np.allclose(c, f, rtol=1e-4, atol=1e-5):
            raise Rejected("gradient not smooth here")
    return fine


def _arrays(value):
    values = value if isinstance(value, (list, tuple)) else [value]
    return [np.asarray(v, dtype=float) for v in values]


def _compare(got, expected, program, what, rtol=1e-10):
    got, expected = _arrays(got), _arrays(expected)
    if len(got) != len(expected) or not all(
            np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=rtol, atol=1e-6)
            for a, b in zip(got, expected)):
        raise Finding(KIND, "%s: %r vs %r" % (what, got, expected), program)
