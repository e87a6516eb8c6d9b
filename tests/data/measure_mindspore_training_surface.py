"""Write ``mindspore_training_surface.json``: ``training_surface_cases.measure`` run by
MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_training_surface.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import training_surface_cases

measured = {"mindspore": mindspore.__version__, **training_surface_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_training_surface.json").write_text(
    json.dumps(measured, indent=1))
