"""Write ``mindspore_transformer.json``: ``transformer_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_transformer.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import transformer_cases

measured = {"mindspore": mindspore.__version__, **transformer_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_transformer.json").write_text(json.dumps(measured, indent=1))
