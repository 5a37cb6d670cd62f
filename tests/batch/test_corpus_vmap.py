"""vmap agrees with the function run one example at a time, across the corpus.

Every corpus function is batched over each of its array or float arguments in turn (the
others the same for every example: ``in_axes`` None), and over all of them at once; the
batched result must equal the user's own function called on each example and stacked.
Its gradient is batched too -- per-example gradients, ``vmap(grad(f))`` with the
differentiated arguments the same for every example and the others batched, and with
everything batched -- against ``grad(f)`` run on each example.  Every case, in CI too.
"""
import functools

import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import assert_leaves_close, random_like

from corpus.cases import corpus_cases

BATCH = 3


def _batchable(value):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" or \
        isinstance(value, float)


def _stacked(results):
    first = results[0]
    if isinstance(first, dict):
        return {k: _stacked([r[k] for r in results]) for k in first}
    if first is None:
        return None
    if isinstance(first, (tuple, list)):
        items = [_stacked([r[k] for r in results]) for k in range(len(first))]
        return type(first)(*items) if hasattr(first, "_fields") else type(first)(items)
    return np.stack([np.asarray(r) for r in results])


def _check(fn, args, kwargs, batched, transform=None):
    rng = np.random.default_rng(7)
    examples = []
    for _ in range(BATCH):
        examples.append([a + 0.01 * random_like(a, rng) if k in batched else a
                         for k, a in enumerate(args)])
    bound = functools.partial(fn, **kwargs) if kwargs else fn
    per_example = transform(bound) if transform is not None else bound
    try:
        expected = [per_example(*ex) for ex in examples]
    except Exception:                          # noqa: BLE001 (a perturbed example fails)
        pytest.skip("an example raises in the function itself")
    batch_args = [np.stack([np.asarray(ex[k]) for ex in examples]) if k in batched else a
                  for k, a in enumerate(args)]
    in_axes = tuple(0 if k in batched else None for k in range(len(args)))
    # keyword arguments would be batched along axis 0 (as in JAX): bound by a partial,
    # they are left to their defaults, the same for every example
    batched_fn = tp.vmap(per_example, in_axes=in_axes)
    try:
        result = batched_fn(*batch_args)
    except tp.TranspileError as exc:
        # only a function no transform takes (test_refusals covers it) may refuse here
        with pytest.raises(tp.TranspileError):
            tp.jit(fn, backend="python")(*args, **kwargs)
        pytest.skip("not transformable: %s" % exc.reason)
    assert_leaves_close(result, _stacked(expected), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fn, args, argnums, kwargs, options", corpus_cases())
def test_each_argument(fn, args, argnums, kwargs, options):
    positions = [k for k, a in enumerate(args) if _batchable(a)]
    if not positions:
        pytest.skip("no float argument to batch")
    for k in positions:
        _check(fn, args, kwargs or {}, {k})
    if len(positions) > 1:
        _check(fn, args, kwargs or {}, set(positions))


@pytest.mark.parametrize("fn, args, argnums, kwargs, options", corpus_cases())
def test_per_example_gradients(fn, args, argnums, kwargs, options):
    wrt = set(argnums) if isinstance(argnums, (tuple, list)) else {argnums}
    wrt = {k % len(args) for k in wrt}
    positions = [k for k, a in enumerate(args) if _batchable(a)]
    if not positions:
        pytest.skip("no float argument to batch")
    def transform(f):
        return tp.grad(f, argnums=argnums, has_aux=options.get("has_aux", False))
    others = set(positions) - wrt
    if others:
        _check(fn, args, kwargs or {}, others, transform)
    _check(fn, args, kwargs or {}, set(positions), transform)
