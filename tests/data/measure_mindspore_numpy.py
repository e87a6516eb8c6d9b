"""Write ``mindspore_numpy.json``: ``mindspore_numpy_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_numpy.py
"""
import json
import sys
from pathlib import Path

import mindspore
import mindspore.numpy

sys.path.insert(0, str(Path(__file__).parent.parent))
import mindspore_numpy_cases

measured = {"mindspore": mindspore.__version__, "names": sorted(set(mindspore.numpy.__all__)),
            **mindspore_numpy_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_numpy.json").write_text(json.dumps(measured, indent=1))
