"""``ops`` gathers, scatters and sequence ops (``ops_indexing``,
``ops_indexing_in_place``, ``ops_sequence``) measured against MindSpore: one table, run
by MindSpore (``data/measure_mindspore_ops_indexing.py`` writes
``data/mindspore_ops_indexing.json``) and by this package
(``test_mindspore_ops_indexing.py``) on the same draws.

Each case records every output (as float64 values) and its dtype, and for the
arguments listed as differentiated the gradient of a weighted sum of the float outputs
(``measured_cases``). The in-place scatters are measured apart (``in_place``): the
value each returns and the one its Parameter holds after, repeated indices only where
MindSpore defines the result (``update`` has none).

Left to ``test_mindspore_ops_indexing``'s finite-difference checks: ``take`` (no CPU
kernel in MindSpore 2.7.1), the gradient of ``unique_consecutive``, ``histc`` and
``logspace`` (MindSpore has none), that of the in-place scatters (MindSpore has none,
or passes the cotangent whole to ``input_x``; here a gradient through the write
raises), ``index_fill``'s gradient for ``value`` (MindSpore gives zero; here it is
the sum of the cotangent where ``value`` went), and ``searchsorted``'s options:
MindSpore 2.7.1's CPU kernel returns the ``left`` places for ``right=True`` and
``side="right"`` too, fails on ``out_int32=True`` and refuses ``sorter`` (here they do
what MindSpore documents, checked against ``np.searchsorted``). ``top_k`` with
``sorted=False`` gives MindSpore's kernel's own order, which is not documented (here:
the sorted order), and ``logspace`` with ``dtype=float64`` is computed to float16's
precision by MindSpore 2.7.1's CPU kernel (here: to float64's); its dtype is measured."""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    return {
        "x": normal(3, 4), "x3": normal(2, 3, 4), "y": normal(3, 4), "v3": normal(3),
        "v2": normal(2), "v4": normal(4), "d2": normal(2, 3), "rows": normal(3, 2),
        "col": normal(3), "row": normal(4), "plane": normal(2, 3),
        "ties": np.array([[1.0, 5.0, 2.0, 2.0], [3.0, 1.0, 2.0, 0.0], [1.0, 2.0, -1.0, 2.0]],
                         np.float32),
        "sorted": np.array([-1.5, -0.25, 0.0, 0.5, 2.0], np.float32),
        "sorted2": np.array([[-1.0, 0.0, 1.0, 3.0], [-2.0, -0.5, 0.5, 0.75]], np.float32),
        "queries": np.array([-2.0, -0.25, 0.1, 0.5, 3.0, 0.0], np.float32),
        "queries2": np.array([[0.0, 1.0, -3.0], [0.5, 0.6, 1.0]], np.float32),
        "runs": np.array([1.0, 1.0, 2.0, 2.0, 3.0, 1.0, 1.0, 2.0], np.float32),
        "run_rows": np.array([[1.0, 1.0, 2.0, 2.0], [0.0, 0.0, 3.0, 3.0], [1.0, 1.0, 1.0, 2.0]],
                             np.float32),
        "lengths": np.array([1, 3, 0, 4], np.int32),
        "hist": np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 3.5, 2.9999, 0.5, 1.5], np.float32),
        "start": np.array(0.5, np.float32), "end": np.array(2.0, np.float32),
        "one": np.array(1.0, np.float32),
    }


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated)."""
    ops = ms.ops

    def i32(*values: Any) -> Any:
        return ms.Tensor(np.array(values, np.int32))

    def i64(*values: Any) -> Any:
        return ms.Tensor(np.array(values, np.int64))

    points, repeated = i32([0, 1], [2, 3], [1, 0]), i64([0, 1], [2, 3], [0, 1])
    return [
        ("gather_nd", lambda a: ops.gather_nd(a, points), ("x",), (0,)),
        ("gather_nd_repeated", lambda a: ops.gather_nd(a, repeated), ("x",), (0,)),
        ("gather_nd_rows", lambda a: ops.gather_nd(a, i64([1], [0])), ("x3",), (0,)),
        ("gather_nd_one", lambda a: ops.gather_nd(a, i32(1, 2)), ("x",), ()),
        ("gather_nd_batch", lambda a: ops.gather_nd(a, i32([[0, 2], [1, 1]], [[1, 0], [0, 2]])),
         ("x3",), (0,)),
        ("index_fill", lambda a: ops.index_fill(a, 1, i32(0, 2), 9.5), ("x",), (0,)),
        ("index_fill_tensor", lambda a, v: ops.index_fill(a, 0, i32(-1), v), ("x", "one"),
         (0,)),
        ("index_fill_3d", lambda a: ops.index_fill(a, -1, i32(3, 1, 3), -2.0), ("x3",), (0,)),
        ("diagonal_scatter", lambda a, s: ops.diagonal_scatter(a, s, 1), ("x", "v3"), (0, 1)),
        ("diagonal_scatter_below", lambda a, s: ops.diagonal_scatter(a, s, -1), ("x", "v2"),
         (0, 1)),
        ("diagonal_scatter_3d", lambda a, s: ops.diagonal_scatter(a, s, 0, 2, 1),
         ("x3", "d2"), (0, 1)),
        ("slice_scatter", lambda a, s: ops.slice_scatter(a, s, 1, 0, 4, 2), ("x", "rows"),
         (0, 1)),
        ("slice_scatter_default", lambda a, s: ops.slice_scatter(a, s), ("x", "x"), (0, 1)),
        ("slice_scatter_start", lambda a, s: ops.slice_scatter(a, s[None], 0, 2),
         ("x", "row"), (0, 1)),
        ("select_scatter", lambda a, s: ops.select_scatter(a, s, 1, 2), ("x", "col"), (0, 1)),
        ("select_scatter_last", lambda a, s: ops.select_scatter(a, s, 0, -1), ("x3", "x"),
         (0, 1)),
        ("searchsorted", lambda s, v: ops.searchsorted(s, v), ("sorted", "queries"), ()),
        ("searchsorted_rows", ops.searchsorted, ("sorted2", "queries2"), ()),
        ("bucketize", lambda a: ops.bucketize(a, [-0.5, 0.0, 0.9]), ("x",), ()),
        ("bucketize_right", lambda a: ops.bucketize(a, [-1.5, 0.0, 0.5]), ("sorted",), ()),
        ("bucketize_right_true", lambda a: ops.bucketize(a, [-1.5, 0.0, 0.5], right=True),
         ("sorted",), ()),
        ("sequence_mask", lambda n: ops.sequence_mask(n, 5), ("lengths",), ()),
        ("sequence_mask_longest", lambda n: ops.sequence_mask(n), ("lengths",), ()),
        ("top_k", lambda a: ops.top_k(a, 2), ("x",), (0,)),
        ("msort", ops.msort, ("x",), (0,)),
        ("argwhere", lambda a: ops.argwhere(a > 0.2), ("x",), ()),
        ("argwhere_float", ops.argwhere, ("ties",), ()),
        ("unique_consecutive", lambda a: ops.unique_consecutive(a, True, True), ("runs",), ()),
        ("unique_consecutive_rows", lambda a: ops.unique_consecutive(a, True, True, 1),
         ("run_rows",), ()),
        ("unique_consecutive_flat", lambda a: ops.unique_consecutive(a, return_counts=True),
         ("run_rows",), ()),
        ("cartesian_prod", ops.cartesian_prod, ("v2", "v3"), (0, 1)),
        ("cartesian_prod_three", ops.cartesian_prod, ("v2", "v3", "v2"), (0, 1, 2)),
        ("combinations", ops.combinations, ("v4",), (0,)),
        ("combinations_three", lambda a: ops.combinations(a, 3, True), ("v3",), (0,)),
        ("reverse_sequence", lambda a: ops.reverse_sequence(a, i32(1, 2, 4), 1), ("x",), (0,)),
        ("reverse_sequence_batch_last", lambda a: ops.reverse_sequence(a, i64(2, 1, 3, 0), 1, 2),
         ("x3",), (0,)),
        ("mirror_pad_reflect", lambda a: ops.mirror_pad(a, i32([1, 1], [2, 1]), "REFLECT"),
         ("x",), (0,)),
        ("mirror_pad_symmetric", lambda a: ops.mirror_pad(a, i32([1, 1], [2, 1]), "SYMMETRIC"),
         ("x",), (0,)),
        ("mirror_pad_3d", lambda a: ops.mirror_pad(a, i64([0, 1], [2, 0], [0, 3]), "SYMMETRIC"),
         ("x3",), (0,)),
        ("unsorted_segment_max", lambda a: ops.unsorted_segment_max(a, i32(0, 2, 0), 4),
         ("ties",), (0,)),
        ("unsorted_segment_min", lambda a: ops.unsorted_segment_min(a, i32(0, 2, 0), 4),
         ("ties",), (0,)),
        ("unsorted_segment_prod", lambda a: ops.unsorted_segment_prod(a, i64(1, 1, 0), 3),
         ("x",), (0,)),
        ("unsorted_segment_max_grid", lambda a: ops.unsorted_segment_max(
            a, i32([0, 1, 0, 2], [1, 1, 2, 0], [2, 0, 0, 1]), 3), ("x",), (0,)),
        ("histc", lambda a: ops.histc(a, 3, 0.0, 3.0), ("hist",), ()),
        ("histc_range_of_data", lambda a: ops.histc(a, 4), ("x",), ()),
        ("logspace", lambda a, b: ops.logspace(a, b, 4), ("start", "end"), ()),
        ("logspace_base", lambda a, b: ops.logspace(b, a, 3, 2, dtype=ms.float64),
         ("start", "end"), ()),
        ("index_add", lambda a, b: ops.index_add(a.copy(), i32(0, 2, 0), b, 0), ("x", "y"),
         (0, 1)),
        ("index_add_axis1", lambda a, b: ops.index_add(a.copy(), i32(3, 1), b, 1),
         ("x", "rows"), (0, 1)),
    ]


IN_PLACE = [  # name, ops function, (rows, columns) of input_x, indices, update shape
    ("scatter_nd_update", "scatter_nd_update", [[0, 1], [2, 3], [1, 0]], (3,)),
    ("scatter_nd_update_rows", "scatter_nd_update", [[2], [0]], (2, 4)),
    ("scatter_nd_add", "scatter_nd_add", [[0, 1], [2, 3], [0, 1]], (3,)),
    ("scatter_nd_sub", "scatter_nd_sub", [[1], [1]], (2, 4)),
    ("scatter_nd_mul", "scatter_nd_mul", [[0, 1], [2, 3], [0, 1]], (3,)),
    ("scatter_nd_div", "scatter_nd_div", [[0, 1], [2, 3]], (2,)),
    ("scatter_nd_max", "scatter_nd_max", [[0, 1], [2, 3], [0, 1]], (3,)),
    ("scatter_nd_min", "scatter_nd_min", [[2], [0], [2]], (3, 4)),
    ("scatter_update", "scatter_update", [2, 0], (2, 4)),
    ("scatter_update_grid", "scatter_update", [[1], [0]], (2, 1, 4)),
    ("scatter_max", "scatter_max", [0, 2, 0], (3, 4)),
    ("scatter_min", "scatter_min", [1, 1], (2, 4)),
    ("scatter_mul", "scatter_mul", [0, 2, 0], (3, 4)),
    ("scatter_div", "scatter_div", [[1, 2]], (1, 2, 4)),
]


def in_place(ms: Any, rng: Any) -> dict[str, Any]:
    """Each in-place scatter on a Parameter: what it returns, what the Parameter holds."""
    out: dict[str, Any] = {}
    base = rng.standard_normal((3, 4)).astype(np.float32)
    for name, function, indices, update_shape in IN_PLACE:
        p = ms.Parameter(ms.Tensor(base.copy()), name=f"p_{name}")
        updates = (rng.standard_normal(update_shape) + 1.5).astype(np.float32)
        result = getattr(ms.ops, function)(p, ms.Tensor(np.array(indices, np.int32)),
                                           ms.Tensor(updates))
        out[f"{name}.returned"] = np.asarray(result.asnumpy(), np.float64).tolist()
        out[f"{name}.held"] = np.asarray(p.asnumpy(), np.float64).tolist()
    p = ms.Parameter(ms.Tensor(base.copy()), name="p_index_add")
    ms.ops.index_add(p, ms.Tensor(np.array([2, 0, 2], np.int32)),
                     ms.Tensor(np.ones((3, 4), np.float32)), 0)
    out["index_add.held"] = np.asarray(p.asnumpy(), np.float64).tolist()
    return out


def measure(ms: Any) -> dict[str, Any]:
    """Outputs, their dtypes and gradients of each case, by name, computed with the
    library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    out = measure_cases(ms, _cases(ms), _draws(np.random.default_rng(11)))
    out.update(in_place(ms, np.random.default_rng(12)))
    return out
