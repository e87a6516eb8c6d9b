"""The ``ours`` fixture of the modules that compare this package with what MindSpore
gave: the package's measurements of a module's cases (hundreds of compiles), made when
a test of the module first asks for them on a worker, not at import, which every
pytest-xdist worker does while collecting."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def measured_fixture(measure: Callable[[], dict]) -> Any:
    """A module-scoped fixture named ``ours`` giving ``measure()``."""
    @pytest.fixture(scope="module", name="ours")
    def ours() -> dict:
        return measure()

    return ours
