"""Write ``mindspore_ops_elementwise.json``: ``ops_elementwise_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_ops_elementwise.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import ops_elementwise_cases

measured = {"mindspore": mindspore.__version__, **ops_elementwise_cases.measure(mindspore)}
out = Path(__file__).parent / "mindspore_ops_elementwise.json"
out.write_text(json.dumps(measured, indent=1))
