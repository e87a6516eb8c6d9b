"""The check shared by the case tables of refused programs: ``grad(fn)(*args)`` raises
``AutodiffError`` at the user's line (the first line of ``fn``'s body, in its own file)
with the reason given."""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError


def assert_refused_at_first_line(fn: Any, reason: str, *args: Any) -> AutodiffError:
    with pytest.raises(AutodiffError) as info:
        adc.grad(fn)(*args)
    line = inspect.getsourcelines(fn)[1] + 1
    assert f"{Path(inspect.getsourcefile(fn)).name}:{line}:" in str(info.value)
    assert reason in str(info.value)
    return info.value
