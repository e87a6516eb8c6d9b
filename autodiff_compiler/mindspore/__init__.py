"""The MindSpore surface people import as ``mindspore``: ``Tensor``, ``Parameter``,
``ops``, ``nn``, ``dataset``, ``train``, dtypes and context. It sits above the compiler
and its API; the compiler knows a Cell only through the protocol in ``frontend.cells``.
``aliases`` registers MindSpore's module paths (``mindspore.nn``...) under the package.
"""
