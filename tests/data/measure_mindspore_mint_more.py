"""Write ``mindspore_mint_more.json``: ``mint_more_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_mint_more.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import mint_more_cases

measured = {"mindspore": mindspore.__version__, **mint_more_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_mint_more.json").write_text(json.dumps(measured, indent=1))
