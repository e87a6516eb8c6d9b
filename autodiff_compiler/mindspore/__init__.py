"""The MindSpore surface people import as ``mindspore``: ``Tensor``, ``Parameter``,
``ops``, ``nn``. It sits above the compiler, which knows a Cell only through the
protocol in ``frontend.cells``."""
