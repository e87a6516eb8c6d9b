"""Shared fixtures: every test starts from the same random state."""
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy() -> None:
    np.random.seed(0)
