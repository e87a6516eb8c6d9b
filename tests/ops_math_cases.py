"""``ops`` math, statistics and shape functions (``ops_math``, ``ops_stats``,
``ops_shape``) measured against MindSpore: one table, run by MindSpore
(``data/measure_mindspore_ops_math.py`` writes ``data/mindspore_ops_math.json``) and by
this package (``test_mindspore_ops_math.py``) on the same draws.

Each case records every output (as float64 values) and its dtype, and, for the
arguments listed as differentiated, the gradient of a weighted sum of the float
outputs, taken in a differentiated function (the op compiled from its source).
Cases where MindSpore 2.7.1's CPU build has no kernel or no gradient (``fmin``,
``quantile``, ``type_as``; ``cummax``'s gradient) or computes what it does not
document (``xlogy`` at ``x = 0, y <= 0``) are left to ``test_mindspore_ops_math``'s
finite-difference checks."""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    m = normal(3, 4)
    return {
        "m": m, "n": normal(3, 4), "x3": normal(2, 3, 4), "v3": normal(3), "v4": normal(4),
        "pos": (np.abs(m) + 0.5).astype(np.float32),  # a base for powers, logs
        "unit": (0.9 * np.tanh(m)).astype(np.float32),  # in (-1, 1)
        "prob": (0.05 + 0.9 / (1 + np.exp(-2 * m))).astype(np.float32),  # in (0, 1)
        "big": (1.2 + np.abs(m)).astype(np.float32),  # above 1
        "ties": np.array([[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, -1.0, 0.5], [0.0, 1.0, 1.0, -3.0]],
                         np.float32),
        "zeros": np.array([[0.0, -1.5, 2.0, 0.0], [1.0, 0.0, -0.5, 3.0], [0.0, 0.0, 2.5, -2.0]],
                          np.float32),
        "edges": np.array([-2.5, -1.0, -0.0, 0.0, 0.5, 3.0, 2.0], np.float32),
        "edges_other": np.array([2.0, -1.5, 1.0, -1.0, 0.25, -2.0, 2.0], np.float32),
        "nans": np.array([[1.0, np.nan, 0.0, 2.0], [np.nan, np.nan, 2.0, -1.0],
                          [0.5, -1.0, 3.0, np.nan]], np.float32),
        "infs": np.array([np.nan, np.inf, -np.inf, 1.0, -2.0], np.float32),
        "square": normal(3, 3),
    }


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names or constants, positions differentiated)."""
    ops = ms.ops
    return [
        # elementwise
        ("absolute", ops.absolute, ("m",), (0,)),
        ("multiply", ops.multiply, ("m", "n"), (0, 1)),
        ("subtract_alpha", lambda a, b: ops.subtract(a, b, alpha=2.5), ("m", "n"), (0, 1)),
        ("divide_floor", lambda a, b: ops.divide(a, b, rounding_mode="floor"), ("m", "n"), ()),
        ("divide_trunc", lambda a, b: ops.divide(a, b, rounding_mode="trunc"), ("m", "n"), ()),
        ("true_divide", ops.true_divide, ("m", "pos"), (0, 1)),
        ("negative", ops.negative, ("m",), (0,)),
        ("acos", ops.acos, ("unit",), (0,)),
        ("arcsin", ops.arcsin, ("unit",), (0,)),
        ("atan", ops.atan, ("m",), (0,)),
        ("arctan2", ops.arctan2, ("m", "n"), (0, 1)),
        ("acosh", ops.acosh, ("big",), (0,)),
        ("asinh", ops.asinh, ("m",), (0,)),
        ("arctanh", ops.arctanh, ("unit",), (0,)),
        ("log2", ops.log2, ("pos",), (0,)),
        ("log10", ops.log10, ("pos",), (0,)),
        ("exp2", ops.exp2, ("m",), (0,)),
        ("logaddexp", ops.logaddexp, ("m", "n"), (0, 1)),
        ("logaddexp2", ops.logaddexp2, ("m", "n"), (0, 1)),
        ("hypot", ops.hypot, ("m", "n"), (0, 1)),
        ("trunc", ops.trunc, ("edges",), (0,)),
        ("frac", ops.frac, ("edges",), (0,)),
        ("remainder", ops.remainder, ("edges", "edges_other"), (0, 1)),
        ("fmod", ops.fmod, ("edges", "edges_other"), (0, 1)),
        ("floor_mod", ops.floor_mod, ("m", "n"), (0, 1)),
        ("floor_divide", ops.floor_divide, ("edges", "edges_other"), (0, 1)),
        ("float_power", ops.float_power, ("pos", "n"), (0, 1)),
        ("float_power_scalar", lambda a: ops.float_power(a, 3.0), ("edges",), (0,)),
        ("deg2rad", ops.deg2rad, ("m",), (0,)),
        ("rad2deg", ops.rad2deg, ("m",), (0,)),
        ("logit", ops.logit, ("prob",), (0,)),
        ("logit_eps", lambda a: ops.logit(a, 0.2), ("prob",), (0,)),
        ("xlogy", ops.xlogy, ("zeros", "pos"), (0, 1)),
        ("xdivy", ops.xdivy, ("zeros", "pos"), (0, 1)),
        ("copysign", ops.copysign, ("edges", "edges_other"), (0, 1)),
        ("sinc", ops.sinc, ("edges",), (0,)),
        ("isinf", ops.isinf, ("infs",), ()),
        ("isneginf", ops.isneginf, ("infs",), ()),
        ("isposinf", ops.isposinf, ("infs",), ()),
        ("signbit", ops.signbit, ("edges",), ()),
        ("logical_xor", lambda a, b: ops.logical_xor(a > 0, b > 0), ("m", "n"), ()),
        ("addcmul", lambda a, b, c: ops.addcmul(a, b, c, 0.5), ("m", "n", "pos"), (0, 1, 2)),
        ("addcdiv", lambda a, b, c: ops.addcdiv(a, b, c, 1.5), ("m", "n", "pos"), (0, 1, 2)),
        ("addmv", lambda a, b, c: ops.addmv(a, b, c, beta=0.5, alpha=2.0), ("v3", "m", "v4"),
         (0, 1, 2)),
        ("addr", lambda a, b, c: ops.addr(a, b, c, beta=2.0, alpha=0.5), ("m", "v3", "v4"),
         (0, 1, 2)),
        ("mv", ops.mv, ("m", "v4"), (0, 1)),
        ("mm", lambda a, b: ops.mm(a, b.T), ("m", "n"), (0, 1)),
        ("dot", lambda a, b: ops.dot(a, b.T), ("x3", "n"), (0, 1)),
        ("vecdot", ops.vecdot, ("m", "n"), (0, 1)),
        ("vecdot_axis0", lambda a, b: ops.vecdot(a, b, axis=0), ("m", "n"), (0, 1)),
        ("nan_to_num", ops.nan_to_num, ("infs",), (0,)),
        ("nan_to_num_values", lambda a: ops.nan_to_num(a, 1.0, 2.0, -3.0), ("infs",), (0,)),
        ("positive", ops.positive, ("m",), ()),
        ("fmax", ops.fmax, ("edges", "edges_other"), (0, 1)),
        ("fmax_nan", ops.fmax, ("nans", "m"), ()),
        ("heaviside", ops.heaviside, ("edges", "edges_other"), ()),
        ("tensor_add", ops.tensor_add, ("m", "n"), (0, 1)),
        # reductions and statistics
        ("all", lambda a: ops.all(a > -1.0), ("m",), ()),
        ("all_axis", lambda a: ops.all(a > -1.0, 1, True), ("m",), ()),
        ("any_axes", lambda a: ops.any(a > 1.0, (0, 1)), ("m",), ()),
        ("count_nonzero", ops.count_nonzero, ("zeros",), ()),
        ("count_nonzero_axis", lambda a: ops.count_nonzero(a, 1, True), ("zeros",), ()),
        ("std_mean", ops.std_mean, ("m",), (0,)),
        ("std_mean_axis", lambda a: ops.std_mean(a, 1, 1, True), ("m",), (0,)),
        ("var_mean_axis", lambda a: ops.var_mean(a, 0), ("m",), (0,)),
        ("aminmax", ops.aminmax, ("m",), (0,)),
        ("aminmax_all", lambda a: ops.aminmax(a, axis=None), ("m",), (0,)),
        ("aminmax_keep", lambda a: ops.aminmax(a, axis=1, keepdims=True), ("m",), (0,)),
        ("nansum", ops.nansum, ("nans",), ()),
        ("nansum_axis", lambda a: ops.nansum(a, 1), ("nans",), ()),
        ("nanmean_axis", lambda a: ops.nanmean(a, 0, True), ("nans",), ()),
        ("median", ops.median, ("m",), (0,)),
        ("median_axis0_ties", lambda a: ops.median(a, 0), ("ties",), (0,)),
        ("median_keep", lambda a: ops.median(a, 1, True), ("ties",), (0,)),
        ("nanmedian", ops.nanmedian, ("nans",), ()),
        ("logcumsumexp", lambda a: ops.logcumsumexp(a, 1), ("m",), (0,)),
        ("cummax", lambda a: ops.cummax(a, 1), ("ties",), ()),
        ("cummin", lambda a: ops.cummin(a, 0), ("ties",), ()),
        ("cov", ops.cov, ("m",), (0,)),
        ("cov_vector", ops.cov, ("v4",), (0,)),
        ("cov_correction0", lambda a: ops.cov(a, correction=0), ("m",), (0,)),
        ("diff", ops.diff, ("m",), (0,)),
        ("diff_axis0", lambda a: ops.diff(a, 1, 0), ("m",), (0,)),
        ("diff_prepend", lambda a, b: ops.diff(a, 1, 1, prepend=b[:, :1]), ("m", "n"), (0,)),
        ("trapz", ops.trapz, ("m",), (0,)),
        ("trapz_x", ops.trapz, ("m", "v4"), (0,)),
        ("trapz_dx", lambda a: ops.trapz(a, dx=0.5, dim=0), ("m",), (0,)),
        # shapes
        ("t", ops.t, ("m",), (0,)),
        ("ravel", ops.ravel, ("x3",), (0,)),
        ("moveaxis", lambda a: ops.moveaxis(a, 0, -1), ("x3",), (0,)),
        ("movedim", lambda a: ops.movedim(a, (0, 1), (2, 0)), ("x3",), (0,)),
        ("swapdims", lambda a: ops.swapdims(a, 0, 2), ("x3",), (0,)),
        ("unbind", lambda a: ops.unbind(a, 1), ("x3",), (0,)),
        ("unstack", lambda a: ops.unstack(a, 2), ("x3",), (0,)),
        ("tensor_split", lambda a: ops.tensor_split(a, 3, 2), ("x3",), (0,)),
        ("tensor_split_indices", lambda a: ops.tensor_split(a, (1, 3), 2), ("x3",), (0,)),
        ("vsplit", lambda a: ops.vsplit(a, 2), ("m",), (0,)),
        ("hsplit", lambda a: ops.hsplit(a, (1,)), ("m",), (0,)),
        ("dsplit", lambda a: ops.dsplit(a, 2), ("x3",), (0,)),
        ("hstack", lambda a, b: ops.hstack((a, b)), ("m", "n"), (0, 1)),
        ("hstack_vectors", lambda a, b: ops.hstack((a, b)), ("v3", "v4"), (0, 1)),
        ("vstack", lambda a, b: ops.vstack((a, b)), ("v4", "m"), (0, 1)),
        ("row_stack", lambda a, b: ops.row_stack((a, b)), ("m", "n"), (0, 1)),
        ("dstack", lambda a, b: ops.dstack((a, b)), ("m", "n"), (0, 1)),
        ("dstack_vectors", lambda a, b: ops.dstack((a, b)), ("v4", "v4"), (0, 1)),
        ("column_stack", lambda a, b: ops.column_stack((a, b)), ("v3", "m"), (0, 1)),
        ("atleast_2d", ops.atleast_2d, ("v4",), (0,)),
        ("atleast_3d", ops.atleast_3d, ("m",), (0,)),
        ("atleast_3d_vector", ops.atleast_3d, ("v4",), (0,)),
        ("atleast_1d_list", lambda a, b: ops.atleast_1d([a, b]), ("v3", "m"), (0, 1)),
        ("expand", lambda a: ops.expand(a[:, None], ms.Tensor(np.array([2, -1, 5]))), ("v3",),
         (0,)),
        ("expand_as", lambda a, b: ops.expand_as(a[:1], b), ("v4", "m"), (0,)),
        ("view_as", lambda a, b: ops.view_as(a, b.T), ("m", "n"), (0,)),
        ("flipud", ops.flipud, ("m",), (0,)),
        ("fliplr", ops.fliplr, ("m",), (0,)),
        ("rot90", lambda a: ops.rot90(a, 1, (0, 1)), ("m",), (0,)),
        ("rot90_back", lambda a: ops.rot90(a, -3, [1, 2]), ("x3",), (0,)),
        ("diagonal", lambda a: ops.diagonal(a, 1, 1, 2), ("x3",), (0,)),
        ("diagonal_below", lambda a: ops.diagonal(a, -1), ("m",), (0,)),
        ("diag_embed", lambda a: ops.diag_embed(a, 1), ("m",), (0,)),
        ("diag_embed_dims", lambda a: ops.diag_embed(a, -1, 0, 2), ("m",), (0,)),
        ("diagflat", lambda a: ops.diagflat(a, -1), ("m",), (0,)),
        ("diagflat_vector", ops.diagflat, ("v3",), (0,)),
        ("repeat_elements", lambda a: ops.repeat_elements(a, 2, 1), ("m",), (0,)),
        ("reverse", lambda a: ops.reverse(a, [0, 2]), ("x3",), (0,)),
    ]


def measure(ms: Any) -> dict[str, Any]:
    """Outputs, their dtypes and gradients of each case, by name, computed with the
    library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    return measure_cases(ms, _cases(ms), _draws(np.random.default_rng(5)))
