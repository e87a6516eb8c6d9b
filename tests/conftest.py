"""Shared fixtures: every test starts from the same random state, whichever tests ran
before it in its worker."""
import zlib

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy() -> None:
    np.random.seed(0)


@pytest.fixture(autouse=True)
def _own_module_generators(request: pytest.FixtureRequest,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A module's generator (``RNG = np.random.default_rng(0)``) drawn from by its tests
    is replaced, for each test, by one seeded from the test's name: a shared stream's
    draws depended on which tests had drawn before (one such draw once left a column
    with nothing its ``where=`` keeps)."""
    module = request.module
    seed = zlib.crc32(request.node.nodeid.encode())
    for name, value in vars(module).items():
        if isinstance(value, np.random.Generator):
            monkeypatch.setattr(module, name, np.random.default_rng(seed))
