"""The signatures given to NumPy's callables where NumPy 1.x publishes none: they must
bind calls as NumPy binds them, so argument checks and list conversion work there."""
import inspect

import numpy as np
import pytest
from numpy_version import NUMPY_2

from autodiff_compiler.frontend import numpy1_signatures as sigs
from autodiff_compiler.frontend.arguments import numpy_signature

TABLES = [(np, sigs.FUNCTIONS), (np.random, sigs.RANDOM), (np.ndarray, sigs.METHODS)]
ENTRIES = [(owner, name) for owner, table in TABLES for name in table if hasattr(owner, name)]


@pytest.mark.parametrize("owner, name", ENTRIES, ids=[f"{o.__name__}.{n}" for o, n in ENTRIES])
def test_each_text_is_found_for_its_callable(owner, name):
    target = getattr(owner, name)
    assert sigs.signature_of(target) is not None
    assert numpy_signature(target) is not None  # NumPy's own where published, else ours


@pytest.mark.skipif(not NUMPY_2, reason="compares with the signatures NumPy 2 publishes")
@pytest.mark.parametrize("owner, name", ENTRIES, ids=[f"{o.__name__}.{n}" for o, n in ENTRIES])
def test_each_text_is_numpy_2s_less_what_numpy_2_added(owner, name):
    ours = sigs.signature_of(getattr(owner, name)).parameters
    published = inspect.signature(getattr(owner, name)).parameters
    assert set(ours) <= set(published)
    for param in ours.values():
        assert (param.kind, param.default) == (published[param.name].kind,
                                                published[param.name].default)


@pytest.mark.parametrize("ufunc", [np.sin, np.add, np.modf, np.divmod], ids=lambda u: u.__name__)
def test_a_ufunc_takes_its_inputs_by_position_and_its_outputs_after(ufunc):
    params = list(sigs.signature_of(ufunc).parameters.values())
    inputs = params[:ufunc.nin]
    assert all(p.kind is p.POSITIONAL_ONLY for p in inputs)
    assert params[ufunc.nin].name == "out"
    bound = sigs.signature_of(ufunc).bind(*range(ufunc.nin), where=True)
    assert len(bound.args) == ufunc.nin
    with pytest.raises(TypeError):
        sigs.signature_of(ufunc).bind(*range(ufunc.nin), bogus=1)


def test_ufunc_methods_and_foreign_callables():
    assert list(sigs.signature_of(np.add.reduce).parameters)[:2] == ["array", "axis"]
    assert list(sigs.signature_of(np.multiply.outer).parameters)[:2] == ["A", "B"]
    assert sigs.signature_of(len) is None and sigs.signature_of(np.float32) is None
