"""Shared fixtures: every test starts from the same random state. And the tests of a
module that share its ``ours`` fixture (this package's run of the cases MindSpore was
measured on: hundreds of compiles) run on one worker (``--dist loadgroup``), so the
cases are run once, not once per worker."""
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy() -> None:
    np.random.seed(0)


@pytest.hookimpl(tryfirst=True)  # (before pytest-xdist reads the groups)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "ours" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
