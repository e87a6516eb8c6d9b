"""Write ``mindspore_small_gaps.json``: ``small_gap_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_small_gaps.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import small_gap_cases

measured = {"mindspore": mindspore.__version__, **small_gap_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_small_gaps.json").write_text(json.dumps(measured, indent=1))
