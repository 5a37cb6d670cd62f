"""Long fuzzing runs: collect the distinct failures, shrink each, print regression entries.

    python tests/fuzz/explore.py --examples 5000 --seed 1 --reduce 2 --out findings.txt
    python tests/fuzz/explore.py --examples 5000 --save failures.pickle --reduce 0
    python tests/fuzz/explore.py --load failures.pickle --reduce 10

Generates programs (no hypothesis shrinking), checks each, groups the failures by
signature (kind, and the exception for crashes), then shrinks the ``--reduce`` shortest
of each group with ``reduce.reduce`` and prints each minimal program once, in the form
``regressions.py`` takes.
"""
import argparse
import collections
import os
import pickle
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from fuzz.check import STATS, Finding, check  # noqa: E402
from fuzz.generate import programs  # noqa: E402
from fuzz.reduce import reduce, signature  # noqa: E402


def collect(examples, seed_value):
    """``{signature: [(program, finding), ...]}`` over ``examples`` generated programs."""
    failures = collections.defaultdict(list)

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(programs())
    def run(program):
        try:
            check(program)
        except Finding as finding:
            failures[signature(finding)].append((program, finding))

    run()
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reduce", type=int, default=2, help="failures shrunk per signature")
    parser.add_argument("--out", default=None, help="also write the report here")
    parser.add_argument("--save", default=None, help="pickle the failures found here")
    parser.add_argument("--load", default=None, help="shrink the failures pickled here")
    parser.add_argument("--only", default="", help="shrink only signatures containing this")
    parser.add_argument("--seconds", type=float, default=300, help="time per shrink")
    options = parser.parse_args(argv)
    out = open(options.out, "w") if options.out else None

    def emit(text):
        print(text, flush=True)
        if out:
            out.write(text + "\n")
            out.flush()

    start = time.time()
    if options.load:
        with open(options.load, "rb") as saved:
            failures = collections.defaultdict(list)
            for found in pickle.load(saved).values():
                for program, finding in found:
                    failures[signature(finding)].append((program, finding))
    else:
        failures = collect(options.examples, options.seed)
        emit("%s (%.0f s)" % (STATS.summary(), time.time() - start))
    if options.save:
        with open(options.save, "wb") as saved:
            pickle.dump(failures, saved)
    for sig, found in failures.items():
        emit("%5d  %s" % (len(found), sig))
    seen = set()
    for sig, found in failures.items():
        if options.only not in sig:
            continue
        for program, _ in sorted(found, key=lambda pf: len(pf[0].source))[:options.reduce]:
            small = reduce(program, sig, options.seconds)
            if small.source not in seen:
                seen.add(small.source)
                emit(_entry(sig, small))


def _entry(sig, program):
    try:
        check(program)
        detail = "(no longer fails)"
    except Finding as finding:
        detail = finding.detail
    return "\n".join(["", "#" * 70, "# %s" % sig, "# " + detail.replace("\n", "\n# "),
                      program.describe()])


if __name__ == "__main__":
    main()
