"""Which NumPy runs the tests: a few cases hold for NumPy 2 only (or 1.x only), where
NumPy itself changed what a call means (``np.linalg.solve`` of a stack of vectors,
``np.linalg.cholesky(upper=)``, the promotion of 0-d values by NEP 50)."""
import numpy as np
import pytest

NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"
numpy_2_only = pytest.mark.skipif(not NUMPY_2, reason="NumPy 2's meaning of the call")


def only_on_numpy_2(*cases):
    """``cases`` where NumPy 2 runs the tests, else none (for tables of cases)."""
    return list(cases) if NUMPY_2 else []


def only_on_numpy_1(*cases):
    return [] if NUMPY_2 else list(cases)
