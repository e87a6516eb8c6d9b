"""Kernels on disk: each kernel's source is written once to a file named by its
content, imported from there, and compiled by numba with ``cache=True``, so a second
process loads the machine code numba saved beside it instead of compiling again.

The directory is ``$AUTODIFF_COMPILER_CACHE/numba`` if that is set, else
``$XDG_CACHE_HOME/autodiff_compiler/numba`` (``~/.cache/...``); a directory that cannot
be written falls back to one under the system's temporary directory. Each kernel file
names the versions of numba and of ``runtime`` it was written for, so an upgrade of
either never loads stale machine code.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba

from . import runtime
from .ops import RUNTIME_NAMES

_IMPORTED = ", ".join(sorted(RUNTIME_NAMES))
HEADER = f"""\
import numba
import numpy as np
from numba import prange

from autodiff_compiler.backends.numba.runtime import (
    {_IMPORTED})
"""

_RUNTIME_VERSION = hashlib.sha256(Path(runtime.__file__).read_bytes()).hexdigest()[:12]
_LOADED: dict[str, Callable[..., Any]] = {}


def directory() -> Path:
    """Where kernel files and numba's cache of them live (made if missing)."""
    root = os.environ.get("AUTODIFF_COMPILER_CACHE")
    base = Path(root) if root else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autodiff_compiler"
    for candidate in (base / "numba", Path(tempfile.gettempdir()) / "autodiff_compiler-numba"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    raise OSError("no writable directory for numba kernels: set AUTODIFF_COMPILER_CACHE")


def content_name(prefix: str, source: str) -> str:
    """``prefix`` and a digest of what the kernel is (its source, numba's version, the
    runtime's): equal kernels share one file and one compiled version."""
    key = f"{source}\n{numba.__version__}\n{_RUNTIME_VERSION}".encode()
    return f"{prefix}_{hashlib.sha256(key).hexdigest()[:10]}"


def load(name: str, source: str) -> Callable[..., Any]:
    """The numba dispatcher of kernel ``name`` defined by ``source`` (compiled at its
    first call, or loaded from numba's cache)."""
    kernel = _LOADED.get(name)
    if kernel is not None:
        return kernel
    path = directory() / f"{name}.py"
    text = f"{HEADER}\n\n{source}"
    if not path.exists() or path.read_text() != text:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        os.replace(partial, path)  # atomic: another process never reads half a file
    module_name = f"autodiff_compiler_kernels.{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    kernel = _LOADED[name] = getattr(module, name)
    return kernel
