"""MindSpore's module paths under this package's name.

MindSpore programs import ``mindspore.common.dtype``, ``mindspore.common.initializer``,
``mindspore.context`` and ``mindspore.common.tensor``; with ``import autodiff_compiler as
mindspore`` changed to the package name those paths must import. They are registered
as module aliases of the modules in ``mindspore/``, so there is one module per concern
and no file that only re-exports another.
"""
from __future__ import annotations

import sys
import types

from . import context, dtype, initializer, tensor


def register(package: str) -> types.ModuleType:
    """Register ``<package>.common`` (with ``dtype``, ``initializer``, ``tensor``) and
    ``<package>.context`` in ``sys.modules``; returns the ``common`` module."""
    common = types.ModuleType(f"{package}.common", "MindSpore's mindspore.common paths.")
    common.__path__ = []  # a package, so its submodules import
    for name, module in (("dtype", dtype), ("initializer", initializer), ("tensor", tensor)):
        setattr(common, name, module)
        sys.modules[f"{package}.common.{name}"] = module
    common.Tensor, common.Parameter = tensor.Tensor, tensor.Parameter
    common.ParameterTuple, common.set_seed = tensor.ParameterTuple, context.set_seed
    sys.modules[f"{package}.common"] = common
    sys.modules[f"{package}.context"] = context
    return common
