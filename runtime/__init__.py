"""What generated code calls at run time (imported there as ``rt``).

Everything here is an ordinary NumPy function, so generated source runs anywhere NumPy
does; ``runtime.numba_support`` gives the same names to Numba's nopython mode.
"""
from .adjoint import (add, add_at, as_gradient, as_gradients, as_value, check_real, cleared,
                      masked,
                      broadcast_tangent, broadcast_to, cast_tangent, dense, gather, part, scatter, seed, sum_to, unbroadcast,
                      written_slot, zeros_like)
from .adjoint import zero_tangent
from .values import (MISSING, as_sequence, astype, aux_of, column, itemsize, nbytes, describe, concat, repeat_sequence,
                     restore_slot, save_slot, snapshot, dict_get, dict_items, dict_keys, dict_of,
                     dict_values, field,
                     flatten, item)
from .linalg import (array_adjoint, astype_adjoint, cast_adjoint, cumprod_adjoint, cumsum_adjoint,
                     det_adjoint, diag_adjoint, dot_adjoint, first_max,
                     first_min, matmul_adjoint, minmax_builtin_adjoint, norm_adjoint,
                     outer_adjoint, prod_adjoint, prod_pairs, promoted_shape, solve_adjoint,
                     sort_adjoint,
                     split_parts, stack_parts, sum_builtin_adjoint, take_sorted, trace_adjoint,
                     unconcatenate, undiagonal, unrepeat, unstack, untile)
from .linalg import (unrepeat_sequence, concat_adjoint, dict_of_adjoint, dict_of_gather,
                     dict_values_adjoint, field_adjoint,
                     field_index, linspace_adjoint, sequence_adjoint, sorted_adjoint,
                     sorted_gather)
from .at import (at_add, at_divide, at_gather, at_max, at_min, at_minmax_adjoint,
                 at_minmax_kept, at_multiply, at_multiply_adjoint, at_divide_adjoint, at_power,
                 at_power_adjoint, at_set, at_set_adjoint, at_unique)
from .contractions import (bilinear, bilinear_adjoint, diff_adjoint, diff_join, einsum_adjoint,
                           einsum_of, gradient_adjoint, gradient_of, inner_adjoint)
from .assembly import pad_fill_adjoint, unpad, unsplit, untake, untake_along
from .decompositions import (matrix_axes, mirrored, multi_dot_subscripts, pinv_rank,
                             refuse, require_full_rank, require_zero, spectral_weights,
                             triangle_adjoint)
from .statistics import (block_of, interp_segment, quantile_adjoint, quantile_gather, unblock,
                         unvariables, variables)
from .jacobians import (basis, basis_batch, batch_of_jacobian, columns_of_jacobian,
                        jacobian_of_batch, jacobian_of_columns, jacobian_of_row_batch,
                        jacobian_of_rows, row_batch_of_jacobian, rows_of_jacobian)
from .batching import (as_batch_gradient, as_batch_gradient_adjoint, as_batch_gradients,
                       batch_buffer, batch_size_along, batch_size_of, broadcast_batch, example_adjoint,
                       example_like, example_of, move_batch_axes, move_batch_axes_adjoint,
                       place_batch_axes, place_batch_axes_adjoint, prange, stack_examples,
                       unstack_examples)
