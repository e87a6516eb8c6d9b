"""Write ``mindspore_ops_indexing.json``: ``ops_indexing_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_ops_indexing.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import ops_indexing_cases

measured = {"mindspore": mindspore.__version__, **ops_indexing_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_ops_indexing.json").write_text(json.dumps(measured, indent=1))
