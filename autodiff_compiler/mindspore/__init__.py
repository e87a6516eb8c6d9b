"""The MindSpore surface people import as ``mindspore``: ``Tensor``, ``Parameter``,
``ops``, ``nn``, ``dataset``. It sits above the compiler, which knows a Cell only
through the protocol in ``frontend.cells``.

``ALIASES`` lists the modules MindSpore programs import by path (``mindspore.nn``,
``mindspore.dataset.vision``); the package registers each under its own name too, so
``from autodiff_compiler.nn import Dense`` and ``import autodiff_compiler.dataset as
ds`` work as the MindSpore spellings do, with one module object behind both names.
"""
import sys

from . import dataset, nn, ops, train

ALIASES = {"nn": nn, "nn.optim": nn.optim, "ops": ops, "dataset": dataset, "train": train}


def register_aliases(package: str) -> None:
    """Register each alias as ``<package>.<path>``, with every submodule of an aliased
    package (``dataset.vision``, ``train.serialization``): a submodule imported by the
    alias path would otherwise be loaded a second time, as another module."""
    for path, module in ALIASES.items():
        sys.modules.setdefault(f"{package}.{path}", module)
        prefix = module.__name__ + "."
        for name, sub in list(sys.modules.items()):
            if name.startswith(prefix):
                sys.modules.setdefault(f"{package}.{path}.{name[len(prefix):]}", sub)
