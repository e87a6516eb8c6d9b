"""Write ``mindspore_dataset_augment.json``: ``dataset_augment_cases.measure`` run
by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_dataset_augment.py
"""
import json
import sys
from pathlib import Path

import mindspore
import mindspore.dataset.vision

sys.path.insert(0, str(Path(__file__).parent.parent))
import dataset_augment_cases

measured = {"mindspore": mindspore.__version__, **dataset_augment_cases.measure(mindspore)}
path = Path(__file__).parent / "mindspore_dataset_augment.json"
path.write_text(json.dumps(measured, separators=(",", ":")))
