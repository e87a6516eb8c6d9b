"""Derivative rules for SciPy: ``scipy.special``'s functions, the densities and
distribution functions of ``scipy.stats``, ``scipy.linalg``'s solvers, ``expm``,
``sqrtm`` and ``logm``, ``scipy.signal``'s convolutions, and ``scipy.optimize``'s
Rosenbrock function.

SciPy is optional and takes half a second to import, so nothing here imports it
unasked: importing this package only tells the surface what to load
(``surface.add_lazy_surface``), and a module's rules are registered the first time a
function the surface does not know is looked up while ``scipy.special``,
``scipy.stats`` or ``scipy.linalg`` is imported -- that is, when the user's code calls
one. ``load()`` registers them all at once (the README's table and the tests).

Special functions that are ufuncs become primitives (``special``), and so do
``sqrtm`` and ``logm`` (``matrix_functions``); the others
(``logsumexp``, ``softmax``...), the distributions' methods, the solvers, the
convolutions and ``rosen`` are written in NumPy and compiled in SciPy's place
(``composed``, ``stats``, ``linalg``, ``signal``, ``optimize``).
"""
from __future__ import annotations

import importlib.util

from ..ir import surface


def _load_special() -> None:
    import scipy.special as sp

    from . import composed, special
    special.register()
    for name in composed.DEFINED:
        surface.DEFINITIONS[getattr(sp, name)] = getattr(composed, name)
        surface.FAMILIES.setdefault(special.FAMILY, []).append(f"scipy.special.{name}")


def _load_stats() -> None:
    from . import stats
    stats.register()


def _load_linalg() -> None:
    import scipy.linalg as la

    from . import linalg, matrix_functions
    matrix_functions.register()
    for name in linalg.DEFINED:
        surface.DEFINITIONS[getattr(la, name)] = getattr(linalg, name)
        surface.FAMILIES.setdefault(linalg.FAMILY, []).append(f"scipy.linalg.{name}")


def _load_signal() -> None:
    import scipy.signal as sg

    from . import signal
    for name in signal.DEFINED:
        surface.DEFINITIONS[getattr(sg, name)] = getattr(signal, name)
        surface.FAMILIES.setdefault(signal.FAMILY, []).append(f"scipy.signal.{name}")


def _load_optimize() -> None:
    import scipy.optimize as so

    from . import optimize
    for name in optimize.DEFINED:
        surface.DEFINITIONS[getattr(so, name)] = getattr(optimize, name)
        surface.FAMILIES.setdefault(optimize.FAMILY, []).append(f"scipy.optimize.{name}")


def installed() -> bool:
    return importlib.util.find_spec("scipy") is not None


def load() -> None:
    """Register every rule now (SciPy must be installed)."""
    import scipy.linalg
    import scipy.optimize
    import scipy.signal
    import scipy.special
    import scipy.stats  # noqa: F401
    surface.load_lazy_surfaces()


surface.add_lazy_surface("scipy.special", _load_special)
surface.add_lazy_surface("scipy.stats", _load_stats)
surface.add_lazy_surface("scipy.linalg", _load_linalg)
surface.add_lazy_surface("scipy.signal", _load_signal)
surface.add_lazy_surface("scipy.optimize", _load_optimize)
