"""The fuzzer's programs batched: ``vmap(f)`` and ``vmap(grad(f))`` against ``f`` and
``grad(f)`` run on each example -- generated control flow, buffers, aliases and helpers
that no hand-written vmap test has.

``TRANSPILER_FUZZ_VMAP_EXAMPLES`` sets how many programs (default 60).
"""
import os

import numpy as np
from hypothesis import HealthCheck, Phase, given, note, settings

import transpiler as tp
from helpers.check_grads import random_like, tree_leaves
from transpiler.errors import TranspileError

from fuzz.generate import programs
from fuzz.program import load, load_reference, unload

EXAMPLES = int(os.environ.get("TRANSPILER_FUZZ_VMAP_EXAMPLES", "60"))
BATCH = 3


def _float(value):
    return isinstance(value, float) or isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _same(batched, per_example, what, source):
    leaves = tree_leaves(batched)
    for k, example in enumerate(per_example):
        expected = tree_leaves(example)
        assert len(leaves) == len(expected), what
        for leaf, value in zip(leaves, expected):
            np.testing.assert_allclose(np.asarray(leaf)[k], np.asarray(value, float),
                                       rtol=1e-9, atol=1e-11,
                                       err_msg="%s differs per example:\n%s" % (what, source))


def _batched_against_examples(per_example, function, args, batched, what, source):
    """``vmap(function)`` over the arguments in ``batched`` against ``per_example`` run
    on each example; False where an example does not run or the batch is refused."""
    rng = np.random.default_rng(5)
    examples = [[a + 0.01 * random_like(a, rng) if k in batched else a
                 for k, a in enumerate(args)] for _ in range(BATCH)]
    try:
        expected = [per_example(*example) for example in examples]
    except Exception:                      # noqa: BLE001 (an example the program rejects)
        return False
    stacked = [np.stack([np.asarray(e[k]) for e in examples]) if k in batched else a
               for k, a in enumerate(args)]
    in_axes = tuple(0 if k in batched else None for k in range(len(args)))
    try:
        result = tp.vmap(function, in_axes=in_axes)(*stacked)
    except TranspileError:
        return False                       # refused loudly: the fuzzer counts refusals
    _same(result, expected, what, source)
    return True


def test_batched_programs():
    checked = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              print_blob=False, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(program=programs())
    def run(program):
        note(program.source)
        f, filename = load(program)
        try:
            reference = load_reference(program)
            args = program.make_args()
            floats = {k for k, a in enumerate(args) if _float(a)}
            if not floats:
                return
            argnums = program.argnums[0] if len(program.argnums) == 1 else program.argnums
            plain = _batched_against_examples(reference, f, args, floats, "vmap(f)",
                                              program.source)
            try:
                gradient = tp.grad(f, argnums=argnums)
            except TranspileError:
                gradient = None
            # per-example gradients: the differentiated arguments shared where others
            # can be batched (vmap(grad(loss), in_axes=(None, 0, 0))), else all batched
            others = floats - set(program.argnums)
            per_example = gradient is not None and _batched_against_examples(
                gradient, gradient, args, others or floats, "vmap(grad(f))", program.source)
            checked.append(plain or per_example)
        finally:
            unload(filename)
            tp.clear_caches()

    run()
    assert sum(checked) >= EXAMPLES // 3, "only %d of %d programs were batched" % (
        sum(checked), len(checked))
