"""MindSpore's module paths under this package's name.

MindSpore programs import ``mindspore.nn``, ``mindspore.dataset.vision``,
``mindspore.train``, ``mindspore.common.dtype``, ``mindspore.common.initializer``,
``mindspore.context``...; with ``import autodiff_compiler as mindspore`` changed to the
package name those paths must import. They are registered as module aliases of the
modules in ``mindspore/`` (with every loaded submodule of an aliased package, which
would otherwise be loaded a second time, as another module), so there is one module
per concern and no file that only re-exports another.
"""
from __future__ import annotations

import logging
import sys
import types

from . import (
    amp,
    communication,
    context,
    dataset,
    distribution,
    dtype,
    initializer,
    loss_scale,
    lr,
    lr_scheduler_experimental,
    mint,
    nn,
    numpy_api,
    ops,
    optim,
    optim_experimental,
    tensor,
    train,
)

ALIASES = {"nn": nn, "nn.optim": nn.optim, "nn.grad": nn.grad, "nn.grad.cell_grad": nn.grad,
           "ops": ops, "ops.operations": ops.operations,
           "dataset": dataset, "train": train, "context": context, "amp": amp}
ALIASES.update({"mint": mint, "mint.nn": mint.nn, "mint.nn.functional": mint.functional,
                "mint.optim": mint.optim, "mint.linalg": mint.linalg, "mint.special": mint.special})
ALIASES["numpy"] = numpy_api  # mindspore.numpy: ``import autodiff_compiler.numpy as mnp``
ALIASES["communication"] = ALIASES["communication.management"] = communication
ALIASES["train.callback"] = train  # 1.x-era code: ``from mindspore.train.callback import ...``
# Model zoo scripts' other homes of names this package keeps together (all still
# importable in MindSpore 2.10): ``from mindspore.train.loss_scale_manager import
# FixedLossScaleManager`` (and ``mindspore.train.amp``), ``from mindspore.nn.metrics
# import Accuracy``, ``from mindspore.nn.loss.loss import LossBase``, ``from
# mindspore.ops.primitive import constexpr``, ``from mindspore.train.callback._callback
# import Callback``.
ALIASES.update({"train.loss_scale_manager": amp, "train.amp": amp,
                "train.callback._callback": train,
                "nn.metrics": nn, "nn.loss.loss": nn, "ops.primitive": ops})
# ``from mindspore import log as logger``: MindSpore's logger, here Python's, named
# "mindspore" (``logger.info(...)``, ``logger.warning(...)``).
LOG = types.ModuleType(f"{__package__}.log", "MindSpore's mindspore.log on Python's logging.")
_LOGGER = logging.getLogger("mindspore")
LOG.debug, LOG.info, LOG.warning, LOG.error = (_LOGGER.debug, _LOGGER.info, _LOGGER.warning,
                                              _LOGGER.error)
LOG.critical, LOG.exception, LOG.get_logger = (_LOGGER.critical, _LOGGER.exception,
                                               lambda: _LOGGER)
ALIASES["log"] = LOG
train.loss_scale_manager = train.amp = amp  # (``mindspore.train.amp`` as an attribute)
# ``from mindspore.ops import composite as C, functional as F``: MindSpore's older homes of
# ``GradOperation`` and of the functional ops, both in ``ops`` here.
ALIASES["ops.composite"] = ALIASES["ops.functional"] = ops
ops.composite = ops.functional = ops
ALIASES["ops.function"] = ops  # (MindSpore's package of the functional ops)
ops.function = ops
GRAD_FUNC = ("grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "vmap", "get_grad",
             "linearize")
# MindSpore's nn is a package whose names live in submodules, and programs import them
# from there: ``from mindspore.nn.learning_rate_schedule import LearningRateSchedule``
# (models-zoo BERT; 2.10 leaves that class out of ``nn``), ``mindspore.nn.wrap.loss_scale``,
# ``mindspore.nn.loss``, ``mindspore.nn.layer``. Here ``nn`` is one module gathering its
# siblings, so each path names the module holding its names (``nn`` itself for the
# layers, losses and wrappers, as ``ops.composite`` names ``ops``), and is an attribute of
# its parent as well, so ``mindspore.nn.layer.Dense`` reads as after a package import.
NN_PATHS = {"learning_rate_schedule": lr, "dynamic_lr": lr, "loss": nn, "layer": nn,
            "cell": nn, "wrap": nn, "wrap.loss_scale": loss_scale, "wrap.cell_wrapper": nn,
            "optim.optimizer": optim}
ALIASES.update({f"nn.{path}": module for path, module in NN_PATHS.items()})
for _path, _module in NN_PATHS.items():
    _parent, _, _name = f"nn.{_path}".rpartition(".")
    setattr(ALIASES[_parent], _name, _module)
# ``import mindspore.nn.probability.distribution as msd``: the distributions' module, under
# ``nn.probability`` (a package in MindSpore; here a module holding only that name).
PROBABILITY = types.ModuleType(f"{__package__}.probability",
                               "MindSpore's mindspore.nn.probability: the distributions.")
PROBABILITY.distribution, nn.probability = distribution, PROBABILITY
ALIASES.update({"nn.probability": PROBABILITY, "nn.probability.distribution": distribution})
# ``from mindspore.experimental import optim``: the PyTorch-style optimizers and their
# ``optim.lr_scheduler``.
EXPERIMENTAL = types.ModuleType(f"{__package__}.experimental",
                                "MindSpore's mindspore.experimental: optim.")
EXPERIMENTAL.optim, optim_experimental.lr_scheduler = optim_experimental, lr_scheduler_experimental
ALIASES.update({"experimental": EXPERIMENTAL, "experimental.optim": optim_experimental,
                "experimental.optim.lr_scheduler": lr_scheduler_experimental})
COMMON_NAMES = ("mutable", "jit", "jit_class", "lazy_inline", "no_inline", "get_seed",
                "manual_seed", "initial_seed", "seed", "from_numpy", "is_tensor")


def register(package: str) -> types.ModuleType:
    """Register the aliases as ``<package>.<path>`` in ``sys.modules``, and the
    ``<package>.common`` package (``dtype``, ``initializer``, ``tensor``, ``parameter``,
    ``api``); returns it."""
    for path, module in ALIASES.items():
        sys.modules.setdefault(f"{package}.{path}", module)
        prefix = module.__name__ + "."
        for name, sub in list(sys.modules.items()):
            if name.startswith(prefix):
                sys.modules.setdefault(f"{package}.{path}.{name[len(prefix):]}", sub)
    common = types.ModuleType(f"{package}.common", "MindSpore's mindspore.common paths.")
    common.__path__ = []  # a package, so its submodules import
    for name, module in (("dtype", dtype), ("initializer", initializer), ("tensor", tensor),
                         ("parameter", tensor)):  # (``mindspore.common.parameter``)
        setattr(common, name, module)
        sys.modules[f"{package}.common.{name}"] = module
    common.Tensor, common.Parameter = tensor.Tensor, tensor.Parameter
    common.ParameterTuple, common.set_seed = tensor.ParameterTuple, context.set_seed
    # MindSpore re-exports these from ``mindspore.common`` too (``from mindspore.common
    # import mutable`` in its gradient tests), and the dtypes (``mindspore.common.float32``).
    for name in COMMON_NAMES:
        setattr(common, name, getattr(context, name, None) or getattr(tensor, name))
    for name in dtype.__all__:
        setattr(common, name, getattr(dtype, name))
    api = types.ModuleType(f"{package}.common.api", "MindSpore's mindspore.common.api: jit.")
    api.jit, api.jit_class = context.jit, context.jit_class  # (``from ....api import jit``)
    common.api = sys.modules[f"{package}.common.api"] = api
    seed = types.ModuleType(f"{package}.common.seed", "MindSpore's mindspore.common.seed.")
    seed.set_seed, seed.get_seed = context.set_seed, context.get_seed
    common.seed = sys.modules[f"{package}.common.seed"] = seed  # (``import set_seed``)
    sys.modules[f"{package}.common"] = common
    _register_grad_func(package)
    return common


def _register_grad_func(package: str) -> None:
    """``mindspore.ops.function.grad.grad_func``: the grad functions, and ``custom_vjp``,
    MindSpore's functional custom gradient (``fn.defbwd(bprop)``), which has no shorter
    public path (it is not in ``ops``, nor is this package's extension of that name)."""
    from ..custom import custom_vjp
    path = f"{package}.ops.function.grad"
    grad_func = types.ModuleType(f"{path}.grad_func", "MindSpore's grad functions' module.")
    for name in GRAD_FUNC:
        setattr(grad_func, name, getattr(ops, name))
    grad_func.custom_vjp = custom_vjp
    grad_pkg = types.ModuleType(path, "MindSpore's mindspore.ops.function.grad.")
    grad_pkg.__path__ = []
    grad_pkg.grad_func = grad_func
    sys.modules[path], sys.modules[f"{path}.grad_func"] = grad_pkg, grad_func
