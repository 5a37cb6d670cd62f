"""Contractions and products: np.einsum (the subscripts string with ellipses, and the
sublist form), np.tensordot, np.cross, np.kron, np.convolve and np.correlate; the
differences np.diff and np.gradient; np.polyval.

The bilinear products share one runtime pair (``runtime/contractions.py``):
``rt.bilinear_adjoint(product, g, ans, a, b, options, argnum)`` is the adjoint of one
operand, and ``rt.bilinear(product, a, b, options)`` the product itself, which that
adjoint's own rule calls with the cotangent in the operand's place.
"""
import numpy as np

import runtime as rt

from . import evaluation as E
from .adjoints import custom as internal
from .registry import RuleError, custom, jvp_rule, view


# ------------------------------------------------------------ einsum

# a one-operand einsum may return a view of its operand: the first (sublist form) or
# second (after the subscripts) argument
@custom(np.einsum, diff=(), accept=("dtype",), only={"out": (None,)}, effects=view(0, 1),
        abstract_eval=E.einsum)
def einsum(g, ans, *operands, argnum, out=None):
    # operands: np.einsum's positional arguments, either form
    return rt.einsum_adjoint(g, ans, operands, argnum)


@jvp_rule(np.einsum)
def einsum(t, ans, *operands, argnum, out=None):
    # multilinear in the arrays: the product with t in operand argnum's place; the
    # subscripts (a string first, or the lists after each array and the output's last)
    # carry none
    if isinstance(operands[0], str):
        subscripts = argnum == 0
    else:
        subscripts = argnum % 2 == 1 or (argnum == len(operands) - 1 and len(operands) % 2 == 1)
    if subscripts:
        return np.zeros_like(ans)
    return rt.einsum_of(list([t if k == argnum else o for k, o in enumerate(operands)]))


@internal(rt.einsum_adjoint, diff=("g_in", "operands"), effects=view(0),
          abstract_eval=E.einsum_adjoint, shape_only=(1,), linear=("g_in",))
def einsum_adjoint(g, ans, g_in, out, operands, argnum):
    # multilinear: <g, ans> is <g_in, the product with g in operand argnum's place>;
    # the subscripts' positions get 0.0
    swapped = list([rt.broadcast_to(g, o) if k == argnum else o for k, o in enumerate(operands)])
    return rt.unbroadcast(rt.einsum_of(swapped), g_in, out), \
        list([0.0 if k == argnum else rt.einsum_adjoint(g_in, out, swapped, k)
              for k in range(len(operands))])


@jvp_rule(rt.einsum_adjoint)
def einsum_adjoint(t, ans, g_in, out, operands, argnum):
    # linear in g_in (below); multilinear in the operands, operand argnum lending only
    # its shape: one term per other array, its tangent in its place
    if isinstance(operands[0], str):
        arrays = range(1, len(operands))
    else:
        arrays = range(0, len(operands) - 1, 2)
    return None, sum([rt.einsum_adjoint(g_in, out, list([t[j] if k == j else o for k, o
                                                             in enumerate(operands)]), argnum)
                      for j in arrays if j != argnum], np.zeros_like(ans))


@internal(rt.einsum_of, diff=("operands",), effects=view(0), abstract_eval=E.einsum_of)
def einsum_of(g, ans, operands):
    return list([rt.einsum_adjoint(g, ans, operands, k) for k in range(len(operands))])


@jvp_rule(rt.einsum_of)
def einsum_of(t, ans, operands):
    # multilinear: one product per array, its tangent in its place
    if isinstance(operands[0], str):
        arrays = range(1, len(operands))
    else:
        arrays = range(0, len(operands) - 1, 2)
    return sum([rt.einsum_of(list([t[j] if k == j else o for k, o in enumerate(operands)]))
                for j in arrays], np.zeros_like(ans))


# ------------------------------------------------------------ bilinear products

@custom(np.cross, abstract_eval=E.cross, linear=True)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return rt.bilinear_adjoint("cross", g, ans, a, b, (axisa, axisb, axisc, axis), 0), \
        rt.bilinear_adjoint("cross", g, ans, a, b, (axisa, axisb, axisc, axis), 1)


custom(np.linalg.cross, abstract_eval=E.cross, linear=True)(cross)     # NumPy 2: 3-vectors, axis= only


@custom(np.kron, abstract_eval=E.kron, linear=True)
def kron(g, ans, a, b):
    return rt.bilinear_adjoint("kron", g, ans, a, b, (), 0), \
        rt.bilinear_adjoint("kron", g, ans, a, b, (), 1)


@custom(np.tensordot, abstract_eval=E.tensordot, linear=True)
def tensordot(g, ans, a, b, axes=2):
    return rt.bilinear_adjoint("tensordot", g, ans, a, b, (axes,), 0), \
        rt.bilinear_adjoint("tensordot", g, ans, a, b, (axes,), 1)


@custom(np.convolve, abstract_eval=E.convolve("full"), linear=True)
def convolve(g, ans, a, v, mode="full"):
    return rt.bilinear_adjoint("convolve", g, ans, a, v, (mode,), 0), \
        rt.bilinear_adjoint("convolve", g, ans, a, v, (mode,), 1)


@custom(np.correlate, abstract_eval=E.convolve("valid"), linear=True)
def correlate(g, ans, a, v, mode="valid"):
    return rt.bilinear_adjoint("correlate", g, ans, a, v, (mode,), 0), \
        rt.bilinear_adjoint("correlate", g, ans, a, v, (mode,), 1)


@internal(rt.bilinear, diff=("a", "b"), abstract_eval=E.bilinear, linear=True)
def bilinear(g, ans, product, a, b, options):
    return rt.bilinear_adjoint(product, g, ans, a, b, options, 0), \
        rt.bilinear_adjoint(product, g, ans, a, b, options, 1)


@internal(rt.bilinear_adjoint, diff=("g_in", "a", "b"), shape_only=(2,),
          abstract_eval=E.computed_adjoint_argnum((3, 4), 6), linear=("g_in",))
def bilinear_adjoint(g, ans, product, g_in, out, a, b, options, argnum):
    # linear in g_in and in the other operand: <g, ans> is <g_in, the product with g in
    # operand argnum's place>, and the other operand's adjoint is this adjoint with g there
    if argnum == 0:
        h = rt.broadcast_to(g, a)
        return rt.unbroadcast(rt.bilinear(product, h, b, options), g_in, out), 0.0, \
            rt.bilinear_adjoint(product, g_in, out, h, b, options, 1)
    h = rt.broadcast_to(g, b)
    return rt.unbroadcast(rt.bilinear(product, a, h, options), g_in, out), \
        rt.bilinear_adjoint(product, g_in, out, a, h, options, 0), 0.0


@jvp_rule(rt.bilinear_adjoint)
def bilinear_adjoint(t, ans, product, g_in, out, a, b, options, argnum):
    # linear in g_in (below) and in the other operand; operand argnum lends its shape only
    if argnum == 0:
        return None, np.zeros_like(ans), rt.bilinear_adjoint(product, g_in, out, a, t, options, 0)
    return None, rt.bilinear_adjoint(product, g_in, out, t, b, options, 1), np.zeros_like(ans)


# ------------------------------------------------------------ differences

def _diff_check(constants):
    for name in ("prepend", "append"):
        if name in constants and constants[name] is None:
            raise RuleError("np.diff with `%s=None` joins an array of objects" % name,
                            "leave `%s=` out" % name)


@custom(np.diff, diff=("a", "prepend", "append"), check=_diff_check, abstract_eval=E.diff)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    # None: not given (NumPy's own default is a private marker)
    return rt.diff_adjoint(g, ans, a, n, axis, prepend, append, 0), \
        rt.diff_adjoint(g, ans, a, n, axis, prepend, append, 1), \
        rt.diff_adjoint(g, ans, a, n, axis, prepend, append, 2)


@jvp_rule(np.diff)
def diff(t, ans, a, n=1, axis=-1, prepend=None, append=None):
    # linear in the joined array, so each part's contribution is the difference of the
    # joined array with its tangent in that part and zeros in the others
    return rt.diff_join(t, a, n, axis, prepend, append, 0), \
        rt.diff_join(t, a, n, axis, prepend, append, 1), \
        rt.diff_join(t, a, n, axis, prepend, append, 2)


@internal(rt.diff_adjoint, diff=("g_in",), shape_only=(1, 2, 5, 6), abstract_eval=E.diff_adjoint,
          linear=True)
def diff_adjoint(g, ans, g_in, out, a, n=1, axis=-1, prepend=None, append=None, argnum=0):
    # linear in g_in, and a, prepend and append lend only their shapes: the transpose
    return rt.unbroadcast(rt.diff_join(g, a, n, axis, prepend, append, argnum), g_in, out)


@internal(rt.diff_join, diff=("c",), shape_only=(1, 4, 5), abstract_eval=E.diff_join, linear=True)
def diff_join(g, ans, c, a, n=1, axis=-1, prepend=None, append=None, argnum=0):
    back = rt.diff_adjoint(g, ans, a, n, axis, prepend, append, argnum)
    if argnum == 0:
        return rt.unbroadcast(back, c, a)
    if argnum == 1:
        return rt.unbroadcast(back, c, prepend)
    return rt.unbroadcast(back, c, append)


# np.gradient is linear in f.  Its spacings (scalars or coordinates) are not
# differentiated: a varied one is refused at its line
@custom(np.gradient, diff=("f",), refuse=("spacing",), abstract_eval=E.gradient, linear=("f",))
def gradient(g, ans, f, *spacing, axis=None, edge_order=1):
    return rt.gradient_adjoint(g, ans, f, spacing, axis, edge_order)


@internal(rt.gradient_adjoint, diff=("g_in",), refuse=("spacing",), shape_only=(1, 2),
          abstract_eval=E.computed_adjoint(2), linear=("g_in",))
def gradient_adjoint(g, ans, g_in, out, f, spacing=(), axis=None, edge_order=1):
    # the transposed stencils transposed: np.gradient again (a tuple of parts for a tuple)
    return rt.unbroadcast(rt.gradient_of(rt.broadcast_to(g, f), spacing, axis, edge_order),
                          g_in, out)


@internal(rt.gradient_of, diff=("f",), refuse=("spacing",), abstract_eval=E.gradient_of,
          linear=("f",))
def gradient_of(g, ans, f, spacing=(), axis=None, edge_order=1):
    return rt.gradient_adjoint(g, ans, f, spacing, axis, edge_order)


# ------------------------------------------------------------ polynomials

@custom(np.polyval, abstract_eval=E.polyval, linear=("p",))
def polyval(g, ans, p, x):
    # ans = sum_i p[i] x ** (n - 1 - i): p[i]'s adjoint is g times that power (summed to
    # p[i]'s shape; a list of coefficients gets a list), x's is g times the derivative
    coefficients = np.array(p)
    n = np.shape(coefficients)[0]
    # the coefficients' axis last, so that summing to p's shape aligns on the right
    terms = np.expand_dims(rt.broadcast_to(g, ans), -1) * \
        np.power(np.expand_dims(x, -1), np.arange(n - 1, -1, -1))
    d_p = np.moveaxis(rt.sum_to(terms, np.shape(coefficients)[1:] + (n,), np.shape(terms)), -1, 0)
    scale = np.reshape(np.arange(n - 1, 0, -1), (-1,) + (1,) * (np.ndim(coefficients) - 1))
    slope = np.polyval(coefficients[:-1] * scale, x)
    return rt.array_adjoint(d_p, d_p, p), rt.unbroadcast(g * slope, x, ans)


@jvp_rule(np.polyval)
def polyval(t, ans, p, x):
    # linear in p (the call itself); in x, the derivative polynomial's value times t
    coefficients = np.array(p)
    n = np.shape(coefficients)[0]
    scale = np.reshape(np.arange(n - 1, 0, -1), (-1,) + (1,) * (np.ndim(coefficients) - 1))
    return None, rt.broadcast_tangent(t * np.polyval(coefficients[:-1] * scale, x), ans)
