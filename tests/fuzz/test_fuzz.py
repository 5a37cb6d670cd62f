"""The fuzzer's tests: a fixed-seed sample of generated programs, and the regressions.

``TRANSPILER_FUZZ_EXAMPLES`` sets how many programs (default 300; the long run is
``TRANSPILER_FUZZ_EXAMPLES=10000 python -m pytest tests/fuzz -q``);
``TRANSPILER_FUZZ_SEED=<int>`` draws another sample than the fixed one.

A failing program is shrunk by ``reduce`` (a minute at most) and printed, and both it
and the original are written under the pytest temporary directory.  Hypothesis's own
shrinking of the drawn structure gives smaller programs but compiles thousands of them
(many minutes): ``TRANSPILER_FUZZ_SHRINK=1`` turns it on.
"""
import os

import pytest
from hypothesis import HealthCheck, Phase, assume, given, note, seed, settings

from fuzz.check import CHECKED, REFUSED, REJECTED, STATS, Finding, check
from fuzz.generate import programs
from fuzz.reduce import reduce, signature
from fuzz.regressions import REGRESSIONS

EXAMPLES = int(os.environ.get("TRANSPILER_FUZZ_EXAMPLES", "300"))
SEED = os.environ.get("TRANSPILER_FUZZ_SEED")
SHRINK = os.environ.get("TRANSPILER_FUZZ_SHRINK", "0") not in ("", "0")
MAX_REFUSAL_RATE = 0.35        # a fuzzer whose programs are mostly refused tests little


def _settings(function):
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else [])
    function = settings(max_examples=EXAMPLES, deadline=None, database=None,
                        derandomize=SEED is None, print_blob=False, phases=phases,
                        suppress_health_check=list(HealthCheck))(function)
    return seed(int(SEED))(function) if SEED is not None else function


def test_sampled_programs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz")
    reported = set()

    @_settings
    @given(program=programs())
    def run(program):
        note(program.source)
        try:
            outcome = check(program)
        except Finding as finding:
            if program.source not in reported:      # hypothesis runs a failure twice
                reported.add(program.source)
                _report(finding, directory)
            raise
        assume(outcome != REJECTED)

    STATS.__init__()
    run()
    print("\n" + STATS.summary())
    assert STATS.outcomes[CHECKED] >= EXAMPLES // 2, STATS.summary()
    assert STATS.rate(REFUSED) <= MAX_REFUSAL_RATE, STATS.summary()


def _report(finding, directory):
    """Write the failing program and a shrunk version of it; print the latter."""
    stem = finding.kind.replace(" ", "_")
    (directory / ("%s.py" % stem)).write_text(finding.program.describe())
    small = reduce(finding.program, signature(finding), seconds=0 if SHRINK else 60)
    path = directory / ("%s_shrunk.py" % stem)
    path.write_text(small.describe())
    print("\n%s; shrunk program (also in %s):\n%s" % (
        finding.kind, path, small.describe()))


def _reentry_refusals():
    return sum(n for reason, n in STATS.reasons.items() if "re-entry refused" in reason)


@pytest.mark.parametrize("program", REGRESSIONS, ids=lambda p: p.name[:60])
def test_regression(program):
    before = _reentry_refusals()
    assert check(program) in (CHECKED, REFUSED)
    if "re-entry" in program.name:          # found as a refusal to differentiate again
        assert _reentry_refusals() == before
