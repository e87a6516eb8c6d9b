"""The signatures NumPy 1.x does not publish, as NumPy 2 publishes them.

``arguments`` binds each call to a NumPy callable to its ``inspect.signature``: that is
how it raises the ``TypeError`` NumPy would and knows which arguments NumPy converts
from lists. NumPy 2 gives every ufunc, array method and C-level function a text
signature; NumPy 1.x gives none to most of them, and a call it cannot bind would go
through unchecked and unconverted (``np.add([x, x * x], x)`` would not reach its
elements). For those, ``signature_of`` answers with NumPy 2's signature less the
keywords NumPy 2 added (``device=``, ``stable=``, ``copy=`` of ``np.asarray``): a call
binds to it where NumPy 1.x accepts it.
"""
from __future__ import annotations

import inspect
from functools import cache
from typing import Any

import numpy as np

# NumPy 2's texts without the keywords it added, by name in ``np``, ``np.random`` and
# ``np.ndarray``.
FUNCTIONS = {
    "arange": "(start_or_stop, /, stop=None, step=1, *, dtype=None, like=None)",
    "array": "(object, dtype=None, *, copy=True, order='K', subok=False, ndmin=0, like=None)",
    "asanyarray": "(a, dtype=None, order=None, *, like=None)",
    "asarray": "(a, dtype=None, order=None, *, like=None)",
    "ascontiguousarray": "(a, dtype=None, *, like=None)",
    "asfortranarray": "(a, dtype=None, *, like=None)",
    "bincount": "(x, /, weights=None, minlength=0)",
    "concatenate": "(arrays, /, axis=0, out=None, *, dtype=None, casting='same_kind')",
    "dot": "(a, b, out=None)",
    "empty": "(shape, dtype=None, order='C', *, like=None)",
    "empty_like": "(prototype, /, dtype=None, order='K', subok=True, shape=None)",
    "inner": "(a, b, /)",
    "lexsort": "(keys, axis=-1)",
    "ravel_multi_index": "(multi_index, dims, mode='raise', order='C')",
    "result_type": "(*arrays_and_dtypes)",
    "unravel_index": "(indices, shape, order='C')",
    "vdot": "(a, b, /)",
    "where": "(condition, x=None, y=None, /)",
    "zeros": "(shape, dtype=None, order='C', *, like=None)",
}
RANDOM = {
    "normal": "(loc=0.0, scale=1.0, size=None)",
    "randn": "(*args)",
    "random": "(size=None)",
    "random_sample": "(size=None)",
    "standard_normal": "(size=None)",
    "uniform": "(low=0.0, high=1.0, size=None)",
}
METHODS = {
    "all": "(self, /, axis=None, out=None, keepdims=False, *, where=True)",
    "any": "(self, /, axis=None, out=None, keepdims=False, *, where=True)",
    "argmax": "(self, /, axis=None, out=None, *, keepdims=False)",
    "argmin": "(self, /, axis=None, out=None, *, keepdims=False)",
    "argpartition": "(self, kth, /, axis=-1, kind='introselect', order=None)",
    "argsort": "(self, /, axis=-1, kind=None, order=None)",
    "astype": "(self, /, dtype, order='K', casting='unsafe', subok=True, copy=True)",
    "clip": "(self, /, min=None, max=None, out=None, **kwargs)",
    "compress": "(self, /, condition, axis=None, out=None)",
    "conj": "(self, /)",
    "conjugate": "(self, /)",
    "copy": "(self, /, order='C')",
    "cumprod": "(self, /, axis=None, dtype=None, out=None)",
    "cumsum": "(self, /, axis=None, dtype=None, out=None)",
    "diagonal": "(self, /, offset=0, axis1=0, axis2=1)",
    "dot": "(self, other, /, out=None)",
    "flatten": "(self, /, order='C')",
    "item": "(self, /, *args)",
    "max": "(self, /, axis=None, out=None, **kwargs)",
    "mean": "(self, /, axis=None, dtype=None, out=None, **kwargs)",
    "min": "(self, /, axis=None, out=None, **kwargs)",
    "nonzero": "(self, /)",
    "prod": "(self, /, axis=None, dtype=None, out=None, **kwargs)",
    "ravel": "(self, /, order='C')",
    "repeat": "(self, repeats, /, axis=None)",
    "reshape": "(self, /, *shape, order='C')",
    "round": "(self, /, decimals=0, out=None)",
    "searchsorted": "(self, v, /, side='left', sorter=None)",
    "squeeze": "(self, /, axis=None)",
    "std": "(self, /, axis=None, dtype=None, out=None, ddof=0, **kwargs)",
    "sum": "(self, /, axis=None, dtype=None, out=None, **kwargs)",
    "swapaxes": "(self, axis1, axis2, /)",
    "take": "(self, indices, /, axis=None, out=None, mode='raise')",
    "trace": "(self, /, offset=0, axis1=0, axis2=1, dtype=None, out=None)",
    "transpose": "(self, /, *axes)",
    "var": "(self, /, axis=None, dtype=None, out=None, ddof=0, **kwargs)",
    "fill": "(self, /, value)",
    "sort": "(self, /, axis=-1, kind=None, order=None)",
    "tolist": "(self, /)",
    "view": "(self, /, *args, **kwargs)",
    "put": "(self, indices, values, /, mode='raise')",
    "getfield": "(self, /, dtype, offset=0)",
    "partition": "(self, kth, /, axis=-1, kind='introselect', order=None)",
}
_UFUNC_METHODS = {
    "reduce": "(array, /, axis=0, dtype=None, out=None, **kwargs)",
    "accumulate": "(array, /, axis=0, dtype=None, out=None)",
    "outer": "(A, B, /, **kwargs)",
    "at": "(a, indices, b=None, /)",
    "reduceat": "(array, /, indices, axis=0, dtype=None, out=None)",
}
_UFUNC_KEYWORDS = "*, where=True, casting='same_kind', order='K', dtype=None, subok=True, " \
    "signature=None"


def signature_of(target: Any) -> inspect.Signature | None:
    """NumPy 2's signature of ``target`` where NumPy 1.x has none; None for others."""
    if isinstance(target, np.ufunc):
        return _ufunc(target.nin, target.nout)
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", None)
    if isinstance(owner, np.ufunc):
        text = _UFUNC_METHODS.get(name)
    elif getattr(target, "__objclass__", None) is np.ndarray:
        text = METHODS.get(name)
    elif isinstance(owner, np.random.RandomState) and getattr(np.random, name, None) == target:
        text = RANDOM.get(name)
    elif getattr(np, name or "", None) is target:
        text = FUNCTIONS.get(name)
    else:
        text = None
    return None if text is None else _parsed(text)


@cache
def _ufunc(nin: int, nout: int) -> inspect.Signature:
    inputs = ["x"] if nin == 1 else [f"x{i + 1}" for i in range(nin)]
    out = "None" if nout == 1 else f"({', '.join(['None'] * nout)})"
    return _parsed(f"({', '.join(inputs)}, /, out={out}, {_UFUNC_KEYWORDS})")


@cache
def _parsed(text: str) -> inspect.Signature:
    """The signature a ``def`` with these parameters has (the texts are this module's)."""
    scope: dict[str, Any] = {}
    exec(f"def f{text}: pass", scope)
    return inspect.signature(scope["f"])
