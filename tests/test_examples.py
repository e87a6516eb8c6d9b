"""The training example learns: a few epochs of examples/digits_training.py on
scikit-learn's digits (skipped where the ``examples`` extra is not installed)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "digits_training.py"


def test_digits_example_trains_both_models(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("digits_training", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    histories = module.main(["--epochs", "4"])
    for name in ("CNN", "MLP"):
        loss, accuracy = histories[name]["loss"], histories[name]["accuracy"]
        assert loss[-1] < 0.5 * loss[0]
        assert accuracy[-1] > 0.85  # 20 epochs reach 97%; four are enough to learn
    assert "test accuracy" in capsys.readouterr().out
