"""All primitives, one namespace: rules and lowering refer to them as ``P.<name>``."""
from .control import cond, loop, make_tuple, truth_and, truth_not, truth_or, while_loop
from .core import (
                   REGISTRY,
                   Primitive,
                   _install_operators,
                   defjvp,
                   deflinear,
                   defvjp,
                   defvjp_all,
                   nondifferentiable,
)
from .elementwise import (
                   abs_,
                   add,
                   cos,
                   div,
                   equal,
                   exp,
                   greater,
                   greater_equal,
                   less,
                   less_equal,
                   log,
                   log1p,
                   logaddexp,
                   maximum,
                   minimum,
                   mul,
                   neg,
                   not_equal,
                   power,
                   sigmoid,
                   sign,
                   sin,
                   sqrt,
                   sub,
                   tan,
                   tanh,
                   where,
)
from .indexing import getitem, index_add
from .linalg import matmul, matmul_vjp_x, matmul_vjp_y, outer
from .reductions import reduce_mean, reduce_sum
from .shape import (
                   broadcast_to,
                   copy,
                   expand_dims,
                   ndim,
                   ones,
                   ones_like,
                   reshape,
                   shape,
                   shape_of,
                   size,
                   stop_gradient,
                   swapaxes,
                   transpose,
                   unbroadcast,
                   unbroadcast_to,
                   zeros,
                   zeros_like,
)

_install_operators()

__all__ = [
    "cond", "loop", "while_loop", "make_tuple", "truth_and", "truth_or", "truth_not",
    "REGISTRY", "Primitive", "defvjp", "defvjp_all", "defjvp", "deflinear", "nondifferentiable",
    "abs_", "add", "cos", "div", "equal", "exp", "greater", "greater_equal", "less",
    "less_equal", "log", "log1p", "logaddexp", "maximum", "minimum", "mul", "neg",
    "not_equal", "power", "sigmoid", "sign", "sin", "sqrt", "sub", "tan", "tanh", "where",
    "getitem", "index_add", "matmul", "matmul_vjp_x", "matmul_vjp_y", "outer",
    "reduce_mean", "reduce_sum",
    "broadcast_to", "copy", "expand_dims", "ndim", "ones", "ones_like", "reshape", "shape",
    "shape_of", "size", "stop_gradient", "swapaxes", "transpose", "unbroadcast",
    "unbroadcast_to", "zeros", "zeros_like",
]
