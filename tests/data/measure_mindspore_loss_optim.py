"""Write ``mindspore_loss_optim.json``: ``loss_optim_cases.measure`` run by MindSpore.

Run with MindSpore 2.x installed (``pip install "numpy<2" mindspore``), from ``tests/``::

    python data/measure_mindspore_loss_optim.py
"""
import json
import sys
from pathlib import Path

import mindspore

sys.path.insert(0, str(Path(__file__).parent.parent))
import loss_optim_cases

measured = {"mindspore": mindspore.__version__,
            "state_names": loss_optim_cases.state_names(mindspore),
            **loss_optim_cases.measure(mindspore)}
(Path(__file__).parent / "mindspore_loss_optim.json").write_text(json.dumps(measured, indent=1))
