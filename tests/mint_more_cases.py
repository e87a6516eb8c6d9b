"""``mint``'s PyTorch-style functions of ``mint/more.py`` measured against MindSpore: one
table, run by MindSpore 2.10 (``data/measure_mindspore_mint_more.py`` writes
``data/mindspore_mint_more.json``) and by this package (``test_mindspore_mint_more.py``)
on the same draws, with ``measured_cases``' loop, plus what is not a Tensor (the Python
``bool`` of ``allclose``, ``item``'s number, ``empty``'s shape and dtype).

MindSpore 2.10's CPU build has no kernel for several ``mint`` functions (``addbmm``,
``bitwise_or``/``xor``/``not``, ``cummin``, ``histc``, ``inverse``; ``equal``,
``kthvalue``, ``multinomial``, ``triangular_solve`` and ``vdot`` neither): where an
``ops`` function computes the same thing (``ops.addbmm``, ``ops.bitwise_or``,
``ops.invert``, ``ops.cummin`` with its indices made int64 as ``mint`` documents,
``ops.histc``, ``ops.inverse``), MindSpore is measured through it; the rest are
tested against their definitions in ``test_mindspore_mint_more.py``. MindSpore's CPU
``index_add`` takes int32 indices only, so the table's are int32. Its CPU build has no
gradient of ``cummax`` or ``cummin`` (no ``InplaceScatterAdd`` kernel): their values
are measured, their gradients checked against finite differences; and its
``searchsorted(..., out_int32=True)`` fails there (a shape check that reports equal
ranks as different), so ``out_int32`` is checked against the definition too.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    square = normal(3, 3)
    return {
        "x": normal(3, 4), "y": normal(3, 4), "v3": normal(3), "v4": normal(4),
        "x2": normal(3, 4),
        "tied": np.array([[1, 3, 2, 3], [0, -1, 5, -1], [2, 2, 2, 1]], np.float32),
        "i": np.array([[5, 3, -8], [12, -7, 0]], np.int32),
        "j": np.array([[2, -3, 3], [5, 2, -4]], np.int32),
        "bools": np.array([True, False, True, False]),
        "bools2": np.array([True, True, False, False]),
        "u": np.array([-0.9, -0.3, 0.0, 0.25, 0.7, 0.95], np.float32),
        "radius": np.abs(normal(2, 3)) + 0.5, "angle": normal(2, 3),
        "c": (normal(2, 3) + 1j * normal(2, 3)).astype(np.complex64),
        "seq": np.array([-1.0, 0.5, 0.5, 2.0, 3.5], np.float32),
        "rows": np.array([[0.0, 1.0, 1.0, 4.0], [-2.0, -1.0, 0.0, 0.0]], np.float32),
        "vals": np.array([[0.5, -3.0, 4.0], [2.0, 0.0, 0.7]], np.float32),
        "idx": np.array([0, 2, 0], np.int32), "src": normal(3, 3), "src_rows": normal(3, 4),
        "idx_rows": np.array([2, 2, 1], np.int32),
        "sq": square + 3.0 * np.eye(3, dtype=np.float32), "sq2": normal(2, 3, 3),
        "m35": normal(3, 5), "b234": normal(2, 3, 4), "b245": normal(2, 4, 5),
        "runs": np.array([1, 1, 2, 2, 3, 1, 1, 2], np.int32),
        "run_rows": np.array([[1, 2], [1, 2], [0, 3], [1, 2]], np.int32),
        "hist": np.array([[1.0, 3.0, 2.0, 3.0], [0.0, -1.0, 5.0, -1.0]], np.float32),
    }


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated)."""
    mint, ops = ms.mint, ms.ops
    ours = ms.__name__ == "autodiff_compiler"

    def cpu(name: str, fallback: Any) -> Any:
        """``mint``'s function; for MindSpore, the ``ops`` one its CPU build runs."""
        return getattr(mint, name) if ours else fallback

    def cummin(x, dim):
        values, index = ops.cummin(x, dim)
        return values, index.astype(ms.int64)

    return [
        ("addbmm", lambda a, b, c: cpu("addbmm", ops.addbmm)(a, b, c, beta=0.5, alpha=2.0),
         ("m35", "b234", "b245"), (0, 1, 2)),
        ("bitwise_and", mint.bitwise_and, ("i", "j"), ()),
        ("bitwise_and_bool", mint.bitwise_and, ("bools", "bools2"), ()),
        ("bitwise_or", cpu("bitwise_or", ops.bitwise_or), ("i", "j"), ()),
        ("bitwise_xor", cpu("bitwise_xor", ops.bitwise_xor), ("i", "j"), ()),
        ("bitwise_not", cpu("bitwise_not", ops.invert), ("i",), ()),
        ("cummax", lambda x: mint.cummax(x, 1), ("x",), ()),
        ("cummax_ties", lambda x: mint.cummax(x, -1), ("tied",), ()),
        ("cummax_dim0", lambda x: mint.cummax(x, 0), ("tied",), ()),
        ("cummax_int", lambda x: mint.cummax(x, 1), ("i",), ()),
        ("cummin", lambda x: cpu("cummin", cummin)(x, 1), ("x",), ()),
        ("cummin_ties", lambda x: cpu("cummin", cummin)(x, -1), ("tied",), ()),
        ("cummin_dim0", lambda x: cpu("cummin", cummin)(x, 0), ("tied",), ()),
        ("divide", mint.divide, ("x", "y"), (0, 1)),
        ("divide_scalar", lambda x: mint.divide(x, 4.0), ("x",), (0,)),
        ("divide_int", mint.divide, ("i", "j"), ()),
        ("divide_floor", lambda a, b: mint.divide(a, b, rounding_mode="floor"), ("i", "j"), ()),
        ("divide_trunc", lambda a, b: mint.divide(a, b, rounding_mode="trunc"), ("i", "j"), ()),
        ("divide_trunc_float", lambda a, b: mint.divide(a, b, rounding_mode="trunc"),
         ("x", "y"), ()),
        ("dstack", lambda a, b: mint.dstack([a, b]), ("x", "x2"), (0, 1)),
        ("dstack_vectors", lambda a, b: mint.dstack([a, b]), ("v3", "v3"), (0, 1)),
        ("hstack", lambda a, b: mint.hstack([a, b]), ("x", "x2"), (0, 1)),
        ("hstack_vectors", lambda a, b: mint.hstack([a, b]), ("v3", "v4"), (0, 1)),
        ("erfinv", mint.erfinv, ("u",), (0,)),
        ("fix", lambda x: mint.fix(x * 3.0), ("x",), ()),
        ("gcd", mint.gcd, ("i", "j"), ()),
        ("histc", lambda x: cpu("histc", ops.histc)(x, 4), ("hist",), ()),
        ("histc_range", lambda x: cpu("histc", ops.histc)(x, 3, 0.0, 3.0), ("hist",), ()),
        ("polar", lambda r, a: (mint.real(mint.polar(r, a)), mint.imag(mint.polar(r, a))),
         ("radius", "angle"), (0, 1)),
        ("real", mint.real, ("c",), ()),
        ("imag", mint.imag, ("c",), ()),
        ("real_of_real", mint.real, ("x",), (0,)),
        ("imag_of_real", mint.imag, ("x",), ()),
        ("index_add", lambda x, i, s: mint.index_add(x, 1, i, s[:, :3], alpha=2.0),
         ("x", "idx", "src"), (0, 2)),
        ("index_add_rows", lambda x, i, s: mint.index_add(x, -2, i, s), ("x", "idx_rows",
                                                                        "src_rows"), (0, 2)),
        ("inverse", cpu("inverse", ops.inverse), ("sq",), (0,)),
        ("inverse_batched", cpu("inverse", ops.inverse), ("sq2",), (0,)),
        ("searchsorted", mint.searchsorted, ("seq", "vals"), ()),
        ("searchsorted_right", lambda s, v: mint.searchsorted(s, v, right=True),
         ("seq", "vals"), ()),
        ("searchsorted_side", lambda s, v: mint.searchsorted(s, v, side="right"),
         ("seq", "vals"), ()),
        ("searchsorted_rows", mint.searchsorted, ("rows", "vals"), ()),
        ("unique_consecutive", lambda x: mint.unique_consecutive(x, True, True),
         ("runs",), ()),
        ("unique_consecutive_plain", mint.unique_consecutive, ("runs",), ()),
        ("unique_consecutive_dim", lambda x: mint.unique_consecutive(x, True, True, 0),
         ("run_rows",), ()),
    ]


def _not_tensors(ms: Any, draws: dict[str, np.ndarray]) -> dict[str, Any]:
    """What ``allclose``, ``item``, ``empty`` and ``index_add`` give besides values."""
    mint, tensor = ms.mint, ms.Tensor
    x = tensor(draws["x"])
    out: dict[str, Any] = {}

    def record(name: str, value: Any) -> None:
        out[f"{name}.value"] = value
        out[f"{name}.type"] = type(value).__name__

    record("allclose_same", mint.allclose(x, x))
    record("allclose_near", mint.allclose(x, x + 1e-6))  # 1e-6 off 0 is not within 1e-8
    record("allclose_near_atol", mint.allclose(x, x + 1e-6, atol=1e-5))
    record("allclose_far", mint.allclose(x, x * 1.001))
    record("allclose_rtol", mint.allclose(x, x * 1.001, rtol=0.01))
    nan = tensor(np.array([1.0, np.nan], np.float32))
    record("allclose_nan", mint.allclose(nan, nan))
    record("allclose_equal_nan", mint.allclose(nan, nan, equal_nan=True))
    record("item_float", mint.item(tensor(np.array([2.5], np.float32))))
    record("item_int", mint.item(tensor(np.array(3, np.int32))))
    record("item_bool", mint.item(tensor(np.array([[True]]))))
    for name, made in (("empty_ints", mint.empty(2, 3)), ("empty_tuple", mint.empty((2, 3))),
                       ("empty_list_int32", mint.empty([4], dtype=ms.int32)),
                       ("empty_like", mint.empty_like(tensor(draws["i"]))),
                       ("empty_like_float16", mint.empty_like(x, dtype=ms.float16))):
        out[f"{name}.shape"] = list(made.shape)
        out[f"{name}.dtype"] = str(made.dtype).lower()
    before = tensor(draws["x"])
    mint.index_add(before, 1, tensor(draws["idx"]), tensor(draws["src"]))
    out["index_add_leaves_input.value"] = bool((before.asnumpy() == draws["x"]).all())
    return out


def measure(ms: Any) -> dict[str, Any]:
    """Outputs, their dtypes and gradients of each case, by name, and what is not a
    Tensor, computed with the library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    draws = _draws(np.random.default_rng(17))
    return {**measure_cases(ms, _cases(ms), draws), **_not_tensors(ms, draws)}
