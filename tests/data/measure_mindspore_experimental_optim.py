"""Write ``mindspore_experimental_optim.json``: ``experimental_optim_cases.measure`` run
by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_experimental_optim.py
"""
import json
import sys
from pathlib import Path

import mindspore
import mindspore.experimental.optim

sys.path.insert(0, str(Path(__file__).parent.parent))
import experimental_optim_cases

measured = {"mindspore": mindspore.__version__, **experimental_optim_cases.measure(mindspore)}
out = Path(__file__).parent / "mindspore_experimental_optim.json"
out.write_text(json.dumps(measured, indent=1))
