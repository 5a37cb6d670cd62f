"""A fuzzer for the differentiating compiler: random programs, cross-checked.

``generate.programs()`` draws random programs in the Python subset the compiler
supports: a hypothesis strategy that builds a typed structure (``scope``, ``tables``,
``expressions``, ``statements``, ``control``) and renders it to source, so that
hypothesis shrinks the structure.  ``check.check`` runs one program through the
compiler and cross-checks everything that can be: the value against the function
itself, the gradient against central finite differences, the shape-generic against the
specialised code, and that no argument is modified.  Refusals (``TranspileError``) are
allowed and counted.

    python -m pytest tests/fuzz -q                                  # 300 programs, fixed
    TRANSPILER_FUZZ_EXAMPLES=10000 python -m pytest tests/fuzz -q   # the long run
    TRANSPILER_FUZZ_SEED=7 python -m pytest tests/fuzz -q           # another sample
    TRANSPILER_FUZZ_SHRINK=1 ...     # hypothesis shrinks a failure (slow) instead of reduce
    TRANSPILER_FUZZ_REENTRY=0 ...    # skip differentiating the generated gradient again
    python tests/fuzz/explore.py --examples 5000 --seed 1 --reduce 3 --out report.txt

``explore.py`` collects every failure of a long run, groups them by kind and shrinks a
few of each with ``reduce`` (a fast source-level reducer); ``regressions.py`` keeps each
shrunk failure as a program that ``test_fuzz.test_regression`` runs through the same
checker.
"""
