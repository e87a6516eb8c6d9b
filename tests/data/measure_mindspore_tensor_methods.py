"""Write ``mindspore_tensor_methods.json``: ``tensor_method_cases.measure`` run by
MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_tensor_methods.py
"""
import json
import sys
import types
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
# the cases module's surface-table functions import this package's Tensor; MindSpore's
# environment need not have the package, and ``measure`` only uses the library given
sys.modules.setdefault("autodiff_compiler", types.SimpleNamespace(Tensor=mindspore.Tensor))
import tensor_method_cases  # noqa: E402

measured = {"mindspore": mindspore.__version__, **tensor_method_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_tensor_methods.json").write_text(json.dumps(measured,
                                                                                indent=1))
