"""Whole Hessians, across the corpus: forward over reverse, reverse over reverse,
forward over forward.

For the small corpus functions of an array, the Hessian by ``hessian``
(``jacfwd(jacrev)``) against the Hessian-vector product ``jvp(grad(f))``, and by one more
way in turn -- ``jacrev(jacrev)``, ``jacfwd(grad)``, ``jacfwd(jacfwd)``, each on every
third function (all three on every function would take a third of the CI budget) --
against it.  Hessian-vector products and second derivatives of every corpus function,
by reverse over reverse and forward over reverse, against differences:
``test_second_order.py``.
"""
import numpy as np
import pytest

import transpiler as tp
from helpers.check_grads import random_like

from .test_second_order import ARRAY

SMALL = [c for c in ARRAY if np.size(c.values[1][c.values[2]]) <= 6]


def _partial(fn, args, argnum):
    """``fn`` as a function of its argument ``argnum`` alone (the others fixed)."""
    k, a = argnum % len(args), list(args)

    def one(x):
        return fn(x)

    def two(x):
        if k == 0:
            return fn(x, a[1])
        return fn(a[0], x)

    def three(x):
        if k == 0:
            return fn(x, a[1], a[2])
        if k == 1:
            return fn(a[0], x, a[2])
        return fn(a[0], a[1], x)

    def four(x):
        if k == 0:
            return fn(x, a[1], a[2], a[3])
        if k == 1:
            return fn(a[0], x, a[2], a[3])
        if k == 2:
            return fn(a[0], a[1], x, a[3])
        return fn(a[0], a[1], a[2], x)
    return [one, two, three, four][len(args) - 1]


def _has_loop_or_write(fn):
    import inspect
    import re
    text = inspect.getsource(fn)
    return re.search(r"\b(for|while)\b|\]\s*=[^=]|[-+*/]=", text) is not None


WAYS = ["jacrev(jacrev)", "jacfwd(grad)", "jacfwd(jacfwd)"]

# jacrev(jacrev(f)) refuses these (loudly): reverse mode over jacrev's loop over f_bwd,
# for a function writing into a buffer in a loop, takes the slot f_bwd reads before it
# clears it (`dout_slot = dout[i]; dout[i] = 0.0`) to share the buffer's memory, or the
# lists a helper reads while they grow to share the stacks that saved them (README,
# "Where it differs").  Pinned by name: a new refusal fails the test, and so does a
# refusal that went away (drop it from here)
REFUSED_BY_JACREV_JACREV = {
    "augmented_on_copy_and_slices-0", "divide_in_place-0",
    "helper_reads_a_list_while_it_grows-1", "helpers_read_two_growing_lists-1",
    "list_grows_and_is_read_while_growing-0"}


@pytest.mark.parametrize("fn, args, argnum, way, refused",
                         [pytest.param(*case.values, WAYS[k % 3],
                                       case.id in REFUSED_BY_JACREV_JACREV,
                                       id="%s-%s" % (case.id, WAYS[k % 3]))
                          for k, case in enumerate(SMALL)])
def test_hessians_two_ways(fn, args, argnum, way, refused):
    f = _partial(fn, args, argnum)
    x = args[argnum]
    hessian = tp.hessian(f)(x)
    assert hessian.shape == x.shape + x.shape
    if way == "jacrev(jacrev)" and refused:
        with pytest.raises(tp.TranspileError, match="modified in place"):
            tp.jacrev(tp.jacrev(f))(x)
        other = hessian
    elif way == "jacrev(jacrev)":
        other = tp.jacrev(tp.jacrev(f))(x)
    else:
        inner = tp.grad(f) if way == "jacfwd(grad)" else tp.jacfwd(f)
        other = tp.jacfwd(inner)(x)
    np.testing.assert_allclose(other, hessian, rtol=1e-7, atol=1e-9)
    v = random_like(x, np.random.default_rng(8))
    _, hvp = tp.jvp(tp.grad(f), (x,), (v,))
    contracted = np.tensordot(hessian, v, axes=x.ndim)
    np.testing.assert_allclose(contracted, hvp, rtol=1e-8, atol=1e-10)


def test_the_cases_cover_the_corpus():
    assert len(SMALL) >= 60, len(SMALL)
    for way in WAYS:                        # every way meets loops and buffer writes
        assert sum(1 for k, c in enumerate(SMALL)
                   if WAYS[k % 3] == way and _has_loop_or_write(c.values[0])) >= 10, way
