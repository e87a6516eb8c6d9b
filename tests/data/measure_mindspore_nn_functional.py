"""Write ``mindspore_nn_functional.json``: ``ops_nn_functional_cases.measure`` run by
MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_nn_functional.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import ops_nn_functional_cases


def graph_mode():
    mindspore.set_context(mode=mindspore.GRAPH_MODE)


measured = {"mindspore": mindspore.__version__,
            **ops_nn_functional_cases.measure(mindspore, graph_mode)}
(Path(__file__).parent / "mindspore_nn_functional.json").write_text(
    json.dumps(measured, indent=1))
