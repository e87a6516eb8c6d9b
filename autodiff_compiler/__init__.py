"""autodiff_compiler: source-to-source automatic differentiation of NumPy code.

The public surface follows MindSpore's functional autodiff (``grad``,
``value_and_grad``, ``stop_gradient``, ``Parameter``, ``nn.Cell``), so MindSpore
tutorial code runs with only its import changed.
"""
from . import extend
from .api import GradFunction, grad, gradient_ir, gradient_source, value_and_grad
from .custom import custom_vjp
from .directional import jvp, vjp
from .errors import AutodiffError, IRVerificationError, MissingRuleError, UnsupportedSyntaxError
from .jacobians import hessian, hvp, jacfwd, jacrev
from .mindspore import nn, ops
from .mindspore.ops import stop_gradient
from .mindspore.tensor import (
                     Constant,
                     HeNormal,
                     HeUniform,
                     Initializer,
                     Normal,
                     One,
                     Parameter,
                     ParameterTuple,
                     Tensor,
                     Uniform,
                     XavierUniform,
                     Zero,
                     bool_,
                     float16,
                     float32,
                     float64,
                     initializer,
                     int8,
                     int16,
                     int32,
                     int64,
                     uint8,
)
from .testing import check_grads
from .vectorize import vmap

# ``mindspore.ops.vmap`` (MindSpore 2.x spells it there too): the MindSpore layer sits
# below the transforms, so the name is put into its namespace from here.
ops.vmap = vmap

__all__ = [
    "nn", "ops", "extend", "custom_vjp", "GradFunction", "grad", "value_and_grad", "vjp", "jvp",
    "jacfwd", "jacrev", "hessian", "hvp", "vmap",
    "gradient_source", "gradient_ir", "AutodiffError", "IRVerificationError", "MissingRuleError",
    "UnsupportedSyntaxError", "stop_gradient", "Parameter", "ParameterTuple", "Tensor",
    "bool_", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "check_grads", "initializer", "Initializer", "Zero", "One", "Constant", "Normal",
    "Uniform", "HeUniform", "HeNormal", "XavierUniform",
]
__version__ = "0.1.0"
