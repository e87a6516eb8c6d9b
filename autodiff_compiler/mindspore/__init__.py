"""The MindSpore surface people import as ``mindspore``: ``Tensor``, ``Parameter``,
``ops``, ``nn``, ``dataset``. It sits above the compiler, which knows a Cell only
through the protocol in ``frontend.cells``.

``ALIASES`` lists the modules MindSpore programs import by path (``mindspore.nn``,
``mindspore.dataset.vision``); the package registers each under its own name too, so
``from autodiff_compiler.nn import Dense`` and ``import autodiff_compiler.dataset as
ds`` work as the MindSpore spellings do, with one module object behind both names.
"""
from . import dataset, nn, ops

ALIASES = {"nn": nn, "nn.optim": nn.optim, "ops": ops, "dataset": dataset,
           "dataset.vision": dataset.vision, "dataset.transforms": dataset.transforms,
           "dataset.config": dataset.config}
