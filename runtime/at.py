"""Functional updates ``x.at[index].op(values)`` and their adjoints.

Each update returns a new array and leaves ``x`` as it was.  As in JAX, ``add`` (and
``multiply``, ``min``, ``max``) accumulate over repeated indices; ``set`` keeps the last
value written, as NumPy does.
"""
import numpy as np

from .adjoint import _is_basic, _last_writers, unbroadcast


def _copy(x, values):
    x = np.asarray(x)
    return np.array(x, dtype=np.result_type(x, values) if x.dtype.kind in "biu"
                    and np.result_type(values).kind in "fc" else x.dtype)


def at_set(x, index, values):
    out = _copy(x, values)
    out[index] = values
    return out


def at_add(x, index, values):
    out = _copy(x, values)
    if _is_basic(index):
        out[index] += values
    else:
        np.add.at(out, index, values)
    return out


def at_multiply(x, index, values):
    out = _copy(x, values)
    np.multiply.at(out, index, values)
    return out


def at_divide(x, index, values):
    out = _copy(x, values)
    np.divide.at(out, index, values)
    return out


def at_power(x, index, values):
    out = _copy(x, values)
    _require_unique(out.shape, index, "power")
    out[index] = out[index] ** values
    return out


def at_min(x, index, values):
    out = _copy(x, values)
    np.minimum.at(out, index, values)
    return out


def at_max(x, index, values):
    out = _copy(x, values)
    np.maximum.at(out, index, values)
    return out


# ------------------------------------------------------------ adjoints

def _full(g, ans):
    return np.broadcast_to(g, np.shape(ans))


def at_unique(shape, index):
    """Does ``index`` name each element of an array of ``shape`` at most once?"""
    if _is_basic(index):
        return True
    slot = np.shape(np.empty(shape)[index]) if shape else ()
    return bool(np.all(_last_writers(shape, index, slot)))


def _require_unique(shape, index, op):
    if not at_unique(shape, index):
        raise NotImplementedError(".at[...].%s with repeated indices is not supported; "
                                  "combine the repeated updates first" % op)


def _to_values(c, values, index, ans):
    slot = np.broadcast_to(c, np.shape(np.empty(np.shape(ans))[index]))
    return unbroadcast(slot, values, slot)


def at_gather(g, ans, index, values):
    """The adjoint of ``values`` in an ``add``: the output adjoint at each index."""
    return _to_values(np.array(_full(g, ans))[index], values, index, ans)


def at_set_adjoint(g, ans, x, index, values, argnum):
    full = np.array(_full(g, ans), dtype=float)
    if argnum == 0:
        full[index] = 0.0
        return full
    picked = full[index]
    if not _is_basic(index):
        picked = np.where(_last_writers(full.shape, index, np.shape(picked)), picked, 0.0)
    return _to_values(picked, values, index, ans)


def at_multiply_adjoint(g, ans, x, index, values, argnum):
    full = np.asarray(_full(g, ans))
    if argnum == 0:
        factor = np.ones(np.shape(ans))
        np.multiply.at(factor, index, values)
        return full * factor
    vals = np.broadcast_to(values, np.shape(np.asarray(ans)[index]))
    if at_unique(np.shape(ans), index):
        contribution = full[index] * np.asarray(x)[index]
    elif np.all(vals != 0):
        contribution = full[index] * np.asarray(ans)[index] / vals
    else:
        # ans / vals[k] without dividing: x times the other factors written to that element
        others = np.empty(vals.shape)
        for k in np.ndindex(vals.shape):
            one_out = np.array(vals, dtype=float)
            one_out[k] = 1.0
            factor = np.ones(np.shape(ans))
            np.multiply.at(factor, index, one_out)
            others[k] = factor[index][k]
        contribution = full[index] * np.asarray(x)[index] * others
    return _to_values(contribution, values, index, ans)


def at_divide_adjoint(g, ans, x, index, values, argnum):
    full = np.asarray(_full(g, ans))
    if argnum == 0:
        factor = np.ones(np.shape(ans))
        np.multiply.at(factor, index, values)
        return full / factor
    vals = np.broadcast_to(values, np.shape(np.asarray(ans)[index]))
    contribution = -full[index] * np.asarray(ans)[index] / vals
    return _to_values(contribution, values, index, ans)


def at_power_adjoint(g, ans, x, index, values, argnum):
    full = np.array(_full(g, ans), dtype=float)
    x = np.asarray(x)
    vals = np.broadcast_to(values, np.shape(x[index]))
    if argnum == 0:
        full[index] = full[index] * vals * x[index] ** (vals - 1)
        return full
    base = x[index]
    contribution = full[index] * np.asarray(ans)[index] * np.log(np.where(base == 0, 1.0, base))
    return _to_values(contribution, values, index, ans)


def at_minmax_kept(ans, x, index, values):
    """Which of the values written by ``.at[index].min``/``.max`` were kept: over
    ``x[index]``, True where the value (the first of equal ones written to one element)
    became the result and ``x`` did not hold it already."""
    x = np.asarray(x)
    ans = np.asarray(ans)
    vals = np.broadcast_to(values, np.shape(ans[index]))
    kept = (vals == ans[index]) & (x[index] != ans[index])
    if not _is_basic(index):
        ids = np.arange(kept.size).reshape(kept.shape)
        board = np.full(ans.shape, kept.size)
        np.minimum.at(board, index, np.where(kept, ids, kept.size))
        kept = kept & (board[index] == ids)
    return kept


def at_minmax_adjoint(g, ans, x, index, values, argnum):
    """Adjoint of ``.at[].min``/``.max``: to the element that was kept (``x`` on ties)."""
    full = np.asarray(_full(g, ans))
    if argnum == 0:
        return full * (np.asarray(x) == ans)
    kept = at_minmax_kept(ans, x, index, values)
    return _to_values(full[index] * kept, values, index, ans)
