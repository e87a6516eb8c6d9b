"""Write ``mindspore_volume_layers.json``: ``volume_layer_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_volume_layers.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import volume_layer_cases

measured = {"mindspore": mindspore.__version__, **volume_layer_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_volume_layers.json").write_text(
    json.dumps(measured, separators=(",", ":")))  # one line, as the other measurements
