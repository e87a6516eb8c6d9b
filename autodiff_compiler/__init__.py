"""autodiff_compiler: source-to-source automatic differentiation of NumPy code.

The public surface follows MindSpore's functional autodiff (``grad``,
``value_and_grad``, ``stop_gradient``, ``Parameter``, ``nn.Cell``), so MindSpore
tutorial code runs with only its import changed.
"""
from . import extend
from . import numpy_array_api_definitions as _array_api  # noqa: F401 (np.vecdot & co)
from . import numpy_definitions as _numpy_definitions  # noqa: F401 (np.piecewise & co)
from . import numpy_linalg_definitions as _linalg_definitions  # noqa: F401 (np.polyfit & co)
from . import numpy_polynomial_definitions as _polynomial_definitions  # noqa: F401 (np.polyadd & co)
from . import operator_definitions as _operator_definitions  # noqa: F401 (operator.mul & co)
from . import scipy_rules as _scipy_rules  # noqa: F401 (SciPy's rules, loaded when used)
from .api import GradFunction, grad, gradient_ir, gradient_source, value_and_grad
from .custom import custom_vjp
from .custom_jvp import custom_jvp
from .directional import jvp, vjp
from .errors import AutodiffError, IRVerificationError, MissingRuleError, UnsupportedSyntaxError
from .jacobians import hessian, hvp, jacfwd, jacrev
from .linearize import linearize
from .mindspore import aliases as _aliases
from .mindspore import (
    amp,
    communication,  # noqa: F401 (mindspore.communication; not in __all__)
    context,
    dataset,
    dtype,
    mint,
    nn,
    ops,
    train,
)
from .mindspore import gradient_hooks as _gradient_hooks  # noqa: F401 (x.register_hook)
from .mindspore import numpy_api as numpy  # noqa: F401 (mindspore.numpy; not in __all__)
from .mindspore.context import (
    GRAPH_MODE,
    PYNATIVE_MODE,
    JitConfig,
    ParallelMode,
    constexpr,
    get_auto_parallel_context,
    get_context,
    get_seed,
    initial_seed,
    jit,
    jit_class,
    lazy_inline,
    manual_seed,
    ms_function,
    mutable,
    no_inline,
    reset_auto_parallel_context,
    seed,
    set_auto_parallel_context,
    set_context,
    set_deterministic,
    set_device,
    set_recursion_limit,
    set_seed,
)
from .mindspore.dtype import bool_, float16, float32, float64, int8, int16, int32, int64, uint8
from .mindspore.gradop import get_grad
from .mindspore.initializer import (
    Constant,
    HeNormal,
    HeUniform,
    Initializer,
    Normal,
    One,
    TruncatedNormal,
    Uniform,
    XavierNormal,
    XavierUniform,
    Zero,
    initializer,
)
from .mindspore.mindir import export, load
from .mindspore.no_grad import _no_grad  # noqa: F401 (``from mindspore import _no_grad``)
from .mindspore.ops import stop_gradient
from .mindspore.sparse import COOTensor, CSRTensor
from .mindspore.tensor import Parameter, ParameterTuple, Tensor, from_numpy, is_tensor, tensor
from .mindspore.train import Model, load_checkpoint, load_param_into_net, save_checkpoint
from .profiling import Profile, profile
from .remat import checkpoint, checkpointed, recompute
from .taylor import derivative, jet
from .testing import check_grads
from .vectorize import vmap

__all__ = [
    "nn", "ops", "mint", "dataset", "train", "amp", "Model", "save_checkpoint", "load_checkpoint",
    "export", "load",
    "load_param_into_net", "extend", "custom_vjp", "custom_jvp", "GradFunction", "grad",
    "value_and_grad", "vjp", "jvp", "linearize", "jacfwd", "jacrev", "hessian", "hvp", "jet",
    "derivative", "checkpoint",
    "checkpointed",
    "recompute", "vmap", "profile", "Profile",
    "gradient_source", "gradient_ir", "AutodiffError", "IRVerificationError", "MissingRuleError",
    "UnsupportedSyntaxError", "stop_gradient", "Parameter", "ParameterTuple", "Tensor",
    "COOTensor", "CSRTensor",
    "bool_", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "check_grads", "initializer", "Initializer", "Zero", "One", "Constant", "Normal",
    "Uniform", "HeUniform", "HeNormal", "XavierUniform", "XavierNormal", "TruncatedNormal",
    "dtype", "context", "common", "set_context", "get_context", "set_seed", "GRAPH_MODE",
    "PYNATIVE_MODE", "get_grad", "jit", "ms_function", "jit_class", "JitConfig",
]
# MindSpore's other top-level names: the training callbacks and metrics (``mindspore.
# LossMonitor``), the loss-scale managers, and the dtypes' other spellings.
_TOP_LEVEL = ["Callback", "RunContext", "History", "LossMonitor", "TimeMonitor",
              "CheckpointConfig", "ModelCheckpoint", "LambdaCallback", "Metric", "Accuracy",
              "Loss", "MAE", "MSE", "EarlyStopping", "ReduceLROnPlateau",
              "LearningRateScheduler", "SummaryCollector", *train.metrics_extra.__all__]
for _name in _TOP_LEVEL:
    globals()[_name] = getattr(train, _name)
for _name in ("LossScaleManager", "FixedLossScaleManager", "DynamicLossScaleManager",
              "build_train_network"):
    globals()[_name] = getattr(amp, _name)
for _name in dtype.__all__:
    globals().setdefault(_name, getattr(dtype, _name))
__all__ += [*_TOP_LEVEL, "LossScaleManager", "FixedLossScaleManager",
            "DynamicLossScaleManager", "build_train_network", "from_numpy", "is_tensor", "tensor",
            "manual_seed", "seed", "initial_seed", "get_seed", "constexpr", "lazy_inline",
            "no_inline", "mutable", "set_device", "set_deterministic", "set_recursion_limit",
            "ParallelMode",
            "set_auto_parallel_context", "get_auto_parallel_context",
            "reset_auto_parallel_context"]
__version__ = "0.1.0"

# MindSpore's module paths: ``import autodiff_compiler.common.dtype as mstype``,
# ``from autodiff_compiler.common.initializer import Normal``, ``from autodiff_compiler
# import context``; the modules themselves live in ``mindspore/``.
common = _aliases.register(__name__)
experimental = _aliases.EXPERIMENTAL  # (``mindspore.experimental.optim``)
