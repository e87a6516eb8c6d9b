"""Write ``mindspore_text.json``: ``text_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_text.py
"""
import json
import sys
from pathlib import Path

import mindspore
import mindspore.dataset.text
import mindspore.dataset.transforms

sys.path.insert(0, str(Path(__file__).parent.parent))
import text_cases

measured = {"mindspore": mindspore.__version__, **text_cases.measure(mindspore)}
path = Path(__file__).parent / "mindspore_text.json"
path.write_text(json.dumps(measured, ensure_ascii=False, separators=(",", ":")))
