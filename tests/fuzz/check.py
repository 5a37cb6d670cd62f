"""Run one program through the compiler and cross-check everything that can be.

``check(program)`` returns ``CHECKED``, ``REFUSED`` (the compiler raised a
``TranspileError``: allowed, never wrong) or ``REJECTED`` (the program cannot be checked
at its inputs: not finite, too large, or near a kink — see ``finite_differences``), and
raises ``Finding`` for anything else:

* wrong primal value — ``value_and_grad``'s value differs from calling ``f``;
* wrong gradient — a directional derivative differs from central finite differences,
  or a gradient has the wrong shape or dtype, or is not finite;
* generic vs specialised — the shape-generic code disagrees with the specialised code;
* argument modified — a call changed one of its inputs;
* internal crash — any exception other than a ``TranspileError`` from the compiler or
  the code it generated (the program itself ran without one);
* forward mode — ``tp.jvp``'s tangent along a direction differs from the finite
  differences, or from the gradient's inner product with the direction (the
  dot-product identity between the modes), or its value from ``f``'s;
* re-entry — the generated gradient function fed back through ``tp.vjp`` disagrees
  with the gradient, or its pullback with finite differences of the gradient (a
  Hessian-vector product), or it crashes.  A ``TranspileError`` there (the safety check
  refusing the generated code) is counted, not a finding: it is never a wrong number.
  ``TRANSPILER_FUZZ_REENTRY=0`` turns this off.
"""
import collections
import os
import re
import traceback

import numpy as np

import transpiler as tp
from transpiler.errors import TranspileError

from .program import load, load_reference, unload

CHECKED, REFUSED, REJECTED = "checked", "refused", "rejected"
DIRECTIONS = 3
STEPS = (1e-5, 1e-6)          # finite differences at two step sizes must agree
LARGEST = 1e5                 # larger values or derivatives: finite differences too coarse


class Finding(AssertionError):
    """A wrong number or an internal crash, with the program that shows it."""

    def __init__(self, kind, detail, program):
        self.kind = kind
        self.detail = detail
        self.program = program
        super().__init__("%s: %s\n--- program (params %s, argnums=%r, seed=%d) ---\n%s" % (
            kind, detail, ", ".join(p.name for p in program.params), program.argnums,
            program.seed, program.source))

    def __reduce__(self):
        return Finding, (self.kind, self.detail, self.program)


class Rejected(Exception):
    """The program cannot be checked at its inputs (not a finding)."""


class Stats:
    """Outcome counters over a run, with the commonest refusal reasons."""

    def __init__(self):
        self.outcomes = collections.Counter()
        self.reasons = collections.Counter()

    def record(self, outcome, reason=None):
        self.outcomes[outcome] += 1
        if reason:
            self.reasons["%s: %s" % (outcome, reason)] += 1

    def rate(self, outcome):
        judged = self.outcomes[CHECKED] + self.outcomes[REFUSED]
        return self.outcomes[outcome] / judged if judged else 0.0

    def summary(self):
        lines = ["fuzz: %d programs: %s; refusal rate %.1f%% of valid programs" % (
            sum(self.outcomes.values()), dict(self.outcomes), 100 * self.rate(REFUSED))]
        lines += ["  %4d  %s" % (n, reason) for reason, n in self.reasons.most_common(12)]
        return "\n".join(lines)


STATS = Stats()


def reentry_enabled():
    return os.environ.get("TRANSPILER_FUZZ_REENTRY", "1") not in ("", "0")


def check(program, reentry=None, generic=True, record=True):
    """Check one program; return its outcome (and count it in ``STATS``).

    ``generic=False`` skips the shape-generic code, ``record=False`` the counting (for
    shrinking).
    """
    reentry = reentry_enabled() if reentry is None else reentry
    f, filename = load(program)
    try:
        outcome, reason = _check(f, load_reference(program), program, reentry, generic)
    except Rejected as exc:
        outcome, reason = REJECTED, str(exc)
    finally:
        unload(filename)
        tp.clear_caches()
    if record:
        STATS.record(outcome, reason)
    return outcome


def _check(f, reference, program, reentry, generic):
    """``f`` transformed against ``reference``, the same program run plainly."""
    args = program.make_args()
    value = _primal(reference, args, program)
    directions = _directions(args, program)
    numeric = [finite_differences(reference, args, program.argnums, v) for v in directions]
    argnums = program.argnums[0] if len(program.argnums) == 1 else program.argnums
    try:
        g = tp.value_and_grad(f, argnums=argnums)
    except TranspileError as exc:
        return REFUSED, _reason(exc)
    except Exception:
        raise Finding("internal crash", "tp.value_and_grad raised\n" + _trace(), program)
    result = _run(g, args, program, "value_and_grad")
    if isinstance(result, TranspileError):
        return REFUSED, _reason(result)
    numbers = (args, program, directions, numeric, value)
    _check_result(result, argnums, numbers, "value_and_grad")
    _check_same(_run(g, args, program, "value_and_grad, called again"), result, program,
                "the same call twice", exact=True)
    for name, call in (("grad", _by_grad(f, argnums)), ("vjp", _by_vjp(f, argnums))):
        other = _run(call, args, program, name)     # other code for the same derivative
        if not isinstance(other, TranspileError):
            _check_result(other, argnums, numbers, name)
    forward = _check_forward(f, numbers, as_tuple(result[1], argnums))
    if forward is not None:
        return CHECKED, "forward mode refused: " + _reason(forward)
    if generic:
        generic = _run(g.call_generic, args, program, "generic")
        if isinstance(generic, TranspileError):
            return CHECKED, "generic code refused: " + _reason(generic)
        _check_same(generic, result, program, "generic vs specialised")
    if reentry:
        from .reentry import check_reentry
        refused = check_reentry(g, args, program, result, directions)
        if refused is not None:
            return CHECKED, "re-entry refused: " + _reason(refused)
    return CHECKED, None


def _primal(f, args, program):
    """``f(*args)``: a finite float, not too large, computed without modifying args."""
    copies = copy_args(args)
    try:
        with np.errstate(all="ignore"):
            value = f(*copies)
    except Exception:
        raise Finding("invalid program", "f raised\n" + _trace(), program)
    _check_unmodified(copies, args, program, "calling f itself", Finding)
    if np.ndim(value) != 0 or not np.issubdtype(np.result_type(value), np.floating):
        raise Finding("invalid program", "f returned %r, not a float" % (value,), program)
    if not np.isfinite(value) or abs(value) > LARGEST:
        raise Rejected("value %r" % (value,))
    return value


def _directions(args, program):
    rng = np.random.default_rng(program.seed + 1)
    return [{k: rng.standard_normal(np.shape(args[k])) for k in program.argnums}
            for _ in range(DIRECTIONS)]


def finite_differences(f, args, argnums, direction):
    """The directional derivative of ``f`` along ``direction`` (``{argnum: array}``) by
    central differences at two step sizes.

    Where the two disagree, ``f`` is not smooth within a step of the point (a kink of
    max/abs/where, or a branch whose condition switches): the program is rejected, not
    judged.  Kinks closer than the smaller step to the point fool both alike, but with
    random inputs that has probability of order 1e-6 per kink.
    """
    estimates = []
    for h in STEPS:
        with np.errstate(all="ignore"):
            up = f(*shifted(args, direction, h))
            down = f(*shifted(args, direction, -h))
        estimates.append((up - down) / (2 * h))
    coarse, fine = estimates
    if not np.all(np.isfinite(estimates)) or abs(fine) > LARGEST:
        raise Rejected("derivative %r" % (fine,))
    if abs(coarse - fine) > 1e-6 * (1 + abs(fine)):
        raise Rejected("not smooth here: finite differences %r (h=%g), %r (h=%g)" % (
            coarse, STEPS[0], fine, STEPS[1]))
    return coarse, fine


def shifted(args, direction, h):
    out = list(copy_args(args))
    for k, v in direction.items():
        moved = np.asarray(args[k], dtype=float) + h * v
        out[k] = like(args[k], moved)
    return out


def like(template, value):
    if isinstance(template, np.ndarray):
        return np.array(value)
    return type(template)(value)


def _check_forward(f, numbers, grads):
    """Forward mode along each direction: its tangent against the finite differences and
    against <grad, direction>; returns a TranspileError if it refuses the program."""
    from transpiler.api import _jvp_of
    args, program, directions, numeric, value = numbers
    wrt = tuple(sorted(program.argnums))
    try:
        forward = _jvp_of(f, len(args), wrt)
    except TranspileError as exc:
        return exc
    except Exception:
        raise Finding("internal crash", "tp.jvp raised\n" + _trace(), program)
    for direction, (coarse, fine) in zip(directions, numeric):
        tangents = {t: direction[k] for t, k in zip(forward._transform.tangent_params, wrt)}
        result = _run(lambda *a: forward(*a, **tangents), args, program, "jvp")
        if isinstance(result, TranspileError):
            return result
        got, tangent = result
        if np.shape(got) != () or not np.isclose(got, value, rtol=1e-12, atol=1e-12):
            raise Finding("wrong primal value", "jvp gives %r, f gives %r" % (got, value),
                          program)
        terms = [np.asarray(grads[j]) * direction[k] for j, k in enumerate(program.argnums)]
        by_reverse = sum(float(np.sum(t)) for t in terms)
        scale = 1 + sum(float(np.sum(np.abs(t))) for t in terms) + 1e-2 * abs(value)
        if np.shape(tangent) != () or not np.isfinite(tangent) or \
                abs(tangent - fine) > 1e-6 * scale + 10 * abs(coarse - fine):
            raise Finding("wrong tangent", "jvp: tangent %r, finite differences %r"
                          % (tangent, fine), program)
        if abs(tangent - by_reverse) > 1e-9 * scale:
            raise Finding("forward vs reverse", "jvp: tangent %r, <grad, direction> %r"
                          % (tangent, by_reverse), program)
    return None


def _by_grad(f, argnums):
    def call(*args):
        return None, tp.grad(f, argnums=argnums)(*args)
    return call


def _by_vjp(f, argnums):
    def call(*args):
        out, pull = tp.vjp(f, *args)
        pulled = pull(np.float64(1.0))
        if isinstance(argnums, int):
            return out, pulled[argnums]
        return out, tuple(pulled[k] for k in argnums)
    return call


def _run(call, args, program, which):
    """One call of generated code; a TranspileError is returned, not raised."""
    copies = copy_args(args)
    try:
        with np.errstate(all="ignore"):          # what matters is checked: finite results
            result = call(*copies)
    except TranspileError as exc:
        return exc
    except Exception:
        raise Finding("internal crash", "the %s code raised\n%s" % (which, _trace()), program)
    _check_unmodified(copies, args, program, "the %s code" % which, Finding)
    return result


def _check_result(result, argnums, numbers, which):
    """``(value, gradients)`` from transform ``which`` against f and finite differences
    (``numbers``: args, program, directions, finite differences, f's value)."""
    args, program, directions, numeric, value = numbers
    got, grads = result[0], as_tuple(result[1], argnums)
    if got is not None and (np.shape(got) != () or not np.isclose(
            got, value, rtol=1e-12, atol=1e-12)):
        raise Finding("wrong primal value", "%s gives %r, f gives %r" % (which, got, value),
                      program)
    _check_gradients(grads, numbers, which)


def _check_gradients(grads, numbers, which):
    args, program, directions, numeric, value = numbers
    for k, grad in zip(program.argnums, grads):
        if np.shape(grad) != np.shape(args[k]) or not np.isrealobj(grad) \
                or not np.issubdtype(np.result_type(grad), np.floating):
            raise Finding("wrong gradient", "%s: the gradient of %s is %r, its argument %r" % (
                which, program.params[k].name, grad, args[k]), program)
        if not np.all(np.isfinite(grad)):
            raise Finding("wrong gradient", "%s: the gradient of %s is not finite: %r" % (
                which, program.params[k].name, grad), program)
    for direction, (coarse, fine) in zip(directions, numeric):
        terms = [np.asarray(grads[j]) * direction[k] for j, k in enumerate(program.argnums)]
        analytic = sum(float(np.sum(t)) for t in terms)
        scale = 1 + sum(float(np.sum(np.abs(t))) for t in terms) + 1e-2 * abs(value)
        if abs(analytic - fine) > 1e-6 * scale + 10 * abs(coarse - fine):
            raise Finding("wrong gradient", "%s: directional derivative %r, finite "
                          "differences %r; gradients %s" % (which, analytic, fine,
                                                            _show(grads)), program)


def _check_same(other, result, program, what, exact=False):
    a, b = _leaves(other), _leaves(result)
    same = len(a) == len(b) and all(
        np.shape(x) == np.shape(y)
        and (np.array_equal(x, y) if exact else np.allclose(x, y, rtol=1e-10, atol=1e-12))
        for x, y in zip(a, b))
    if not same:
        raise Finding("generic vs specialised" if what.startswith("generic") else
                      "not deterministic", "%s: %s vs %s" % (what, _show(other), _show(result)),
                      program)


def _check_unmodified(copies, args, program, who, error):
    for param, before, after in zip(program.params, args, copies):
        if type(before) is not type(after) or not np.array_equal(before, after):
            raise error("argument modified", "%s changed argument %s from %r to %r" % (
                who, param.name, before, after), program)


def as_tuple(grads, argnums):
    return (grads,) if isinstance(argnums, int) else tuple(grads)


def _leaves(result):
    value, grads = result
    grads = grads if isinstance(grads, tuple) else (grads,)
    return [np.asarray(value)] + [np.asarray(g) for g in grads]


def copy_args(args):
    return tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)


def _show(grads):
    return np.array2string(np.concatenate([np.ravel(g) for g in _leaves((0.0, grads))[1:]]),
                           precision=6) if grads is not None else "None"


def _reason(exc):
    """A TranspileError's reason without names and line numbers (to count kinds)."""
    reason = getattr(exc, "reason", str(exc)).splitlines()[0]
    return re.sub(r"`[^`]*`", "`_`", reason)[:110]


def _trace():
    return "".join(traceback.format_exc(limit=-6))
