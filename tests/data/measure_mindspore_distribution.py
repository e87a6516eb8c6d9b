"""Write ``mindspore_distribution.json``: ``distribution_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_distribution.py
"""
import json
import sys
from pathlib import Path

import mindspore
import mindspore.nn.probability.distribution

sys.path.insert(0, str(Path(__file__).parent.parent))
import distribution_cases

measured = {"mindspore": mindspore.__version__, **distribution_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_distribution.json").write_text(json.dumps(measured, indent=1))
