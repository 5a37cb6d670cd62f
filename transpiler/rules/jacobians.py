"""The runtime helpers of ``jacfwd`` and ``jacrev`` (``runtime/jacobians.py``), as
primitives: the generated Jacobian functions are valid input to every transform
(``hessian`` is forward mode over ``jacrev``'s code)."""
import runtime as rt

from . import evaluation as E
from . import registry

registry.nondiff(rt.basis, rt.basis_batch, abstract_eval=E.unknown, shape_only=(0,),
                 internal=True)


@registry.custom(rt.jacobian_of_batch, diff=("stacked",), abstract_eval=E.unknown,
                 shape_only=(1, 2), internal=True, linear=True)
def jacobian_of_batch(g, ans, stacked, x, out):
    return rt.batch_of_jacobian(g, stacked, x, out)


@registry.custom(rt.jacobian_of_row_batch, diff=("stacked",), abstract_eval=E.unknown,
                 shape_only=(1, 2), internal=True, linear=True)
def jacobian_of_row_batch(g, ans, stacked, x, out):
    return rt.row_batch_of_jacobian(g, stacked, x, out)


@registry.custom(rt.row_batch_of_jacobian, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1, 2, 3), internal=True, linear=True)
def row_batch_of_jacobian(g, ans, g_in, stacked, x, out):
    # (g full-size first: it may stand for its broadcast over the batch)
    return rt.jacobian_of_row_batch(rt.as_gradient(g, ans), x, out)


@registry.custom(rt.batch_of_jacobian, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1, 2, 3), internal=True, linear=True)
def batch_of_jacobian(g, ans, g_in, stacked, x, out):
    return rt.jacobian_of_batch(rt.as_gradient(g, ans), x, out)


@registry.custom(rt.jacobian_of_columns, diff=("columns",), abstract_eval=E.unknown,
                 shape_only=(1, 2), internal=True, linear=True)
def jacobian_of_columns(g, ans, columns, x, out):
    return rt.columns_of_jacobian(g, columns, x, out)


@registry.custom(rt.jacobian_of_rows, diff=("rows",), abstract_eval=E.unknown,
                 shape_only=(1, 2), internal=True, linear=True)
def jacobian_of_rows(g, ans, rows, x, out):
    return rt.rows_of_jacobian(g, rows, x, out)


@registry.custom(rt.columns_of_jacobian, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1, 2, 3), internal=True, linear=True)
def columns_of_jacobian(g, ans, g_in, columns, x, out):
    return rt.jacobian_of_columns(g, x, out)


@registry.custom(rt.rows_of_jacobian, diff=("g_in",), abstract_eval=E.unknown,
                 shape_only=(1, 2, 3), internal=True, linear=True)
def rows_of_jacobian(g, ans, g_in, rows, x, out):
    return rt.jacobian_of_rows(g, x, out)
