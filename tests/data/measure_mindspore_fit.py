"""Write ``mindspore_fit.json``: ``fit_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_fit.py
"""
import json
import sys
from pathlib import Path

import mindspore
import mindspore.dataset
import mindspore.train

sys.path.insert(0, str(Path(__file__).parent.parent))
import fit_cases

measured = {"mindspore": mindspore.__version__, **fit_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_fit.json").write_text(json.dumps(measured, indent=1))
