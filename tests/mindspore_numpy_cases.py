"""``mindspore.numpy`` (``autodiff_compiler.numpy``) measured against MindSpore: one table,
run by MindSpore (``data/measure_mindspore_numpy.py`` writes
``data/mindspore_numpy.json``) and by this package (``test_mindspore_numpy.py``) on the
same draws.

Each case records every output (as float64 values) and its dtype, and, for the
arguments listed as differentiated, the gradient of a weighted sum of the float
outputs taken with ``grad`` (the function compiled from its source, or mapped to NumPy's
primitive). Constructors take no arguments: their values and dtypes are recorded.
Cases where this package keeps NumPy's rule on purpose (integer inputs to float
functions, ``mean`` of ints, ``unique``; see ``numpy_api``'s docstring) are not here.
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    m = normal(3, 4)
    return {
        "m": m, "n": normal(3, 4), "x3": normal(2, 3, 4), "v4": normal(4), "w4": normal(4),
        "row": normal(1, 4), "col": normal(3, 1), "square": normal(3, 3), "s": normal(),
        "pos": (np.abs(m) + 0.5).astype(np.float32), "rising": np.sort(m[0]),
        "ints": np.array([[1, 0, 3, 2], [4, 0, 6, 1], [0, 7, 2, 9]], np.int32),
        "ties": np.array([[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, -1.0, 0.5], [0.0, 1.0, 1.0, -3.0]],
                         np.float32),
    }


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated)."""
    mnp = importlib.import_module(ms.__name__ + ".numpy")
    i0, i2 = mnp.array([0, 2]), mnp.array([[0, 3], [1, 1], [2, 0]])
    return [
        # constructors: values and MindSpore's dtypes
        ("ones", lambda: mnp.ones(3), (), ()),
        ("ones_int32", lambda: mnp.ones((2, 3), mnp.int32), (), ()),
        ("zeros", lambda: mnp.zeros((2, 2)), (), ()),
        ("empty", lambda: mnp.empty(3), (), ()),
        ("full_int", lambda: mnp.full(3, 1), (), ()),
        ("full_float", lambda: mnp.full((2, 2), 1.5), (), ()),
        ("full_bool", lambda: mnp.full(2, True), (), ()),
        ("full_dtype", lambda: mnp.full((2,), 2.5, mnp.int32), (), ()),
        ("arange", lambda: mnp.arange(5), (), ()),
        ("arange_start", lambda: mnp.arange(1, 4), (), ()),
        ("arange_step", lambda: mnp.arange(0, 5, 2), (), ()),
        ("arange_float", lambda: mnp.arange(0, 1, 0.25), (), ()),
        ("arange_float_stop", lambda: mnp.arange(3.0), (), ()),
        ("arange_mixed", lambda: mnp.arange(2, 5.0), (), ()),
        ("arange_dtype", lambda: mnp.arange(3, dtype=mnp.float32), (), ()),
        ("array_ints", lambda: mnp.array([1, 2]), (), ()),
        ("array_floats", lambda: mnp.array([1.0]), (), ()),
        ("array_mixed", lambda: mnp.array([1, 2.5]), (), ()),
        ("array_int", lambda: mnp.array(3), (), ()),
        ("array_float", lambda: mnp.array(2.5), (), ()),
        ("array_bool", lambda: mnp.array([True, False]), (), ()),
        ("array_ndmin", lambda: mnp.array([1, 2], ndmin=3), (), ()),
        ("array_dtype", lambda: mnp.array([[1, 2], [3, 4]], dtype=mnp.float32), (), ()),
        ("asarray_ints", lambda: mnp.asarray([1, 2]), (), ()),
        ("asarray_floats", lambda: mnp.asarray([1.5, 2]), (), ()),
        ("asfarray", lambda: mnp.asfarray([1, 2]), (), ()),
        ("linspace", lambda: mnp.linspace(0, 1, 5), (), ()),
        ("linspace_open", lambda: mnp.linspace(0, 1, 3, endpoint=False), (), ()),
        ("linspace_int", lambda: mnp.linspace(0, 10, 5, dtype=mnp.int32), (), ()),
        ("linspace_step", lambda: mnp.linspace(0, 1, 5, retstep=True), (), ()),
        ("logspace", lambda: mnp.logspace(0, 2, 3), (), ()),
        ("logspace_base", lambda: mnp.logspace(0, 2, 3, base=2.0), (), ()),
        ("geomspace", lambda: mnp.geomspace(1, 100, 3), (), ()),
        ("eye", lambda: mnp.eye(2), (), ()),
        ("eye_offset", lambda: mnp.eye(2, 3, 1), (), ()),
        ("identity", lambda: mnp.identity(3), (), ()),
        ("tri", lambda: mnp.tri(2, 3, -1), (), ()),
        ("indices", lambda: mnp.indices((2, 3)), (), ()),
        ("ones_like", mnp.ones_like, ("m",), ()),
        ("ones_like_int", mnp.ones_like, ("ints",), ()),
        ("zeros_like_dtype", lambda a: mnp.zeros_like(a, dtype=mnp.int32), ("m",), ()),
        ("full_like_int", lambda a: mnp.full_like(a, 2.5), ("ints",), ()),
        ("empty_like_shape", lambda a: mnp.empty_like(a, shape=(4,)), ("m",), ()),
        # elementwise
        ("exp", mnp.exp, ("m",), (0,)),
        ("log", mnp.log, ("pos",), (0,)),
        ("log1p", mnp.log1p, ("pos",), (0,)),
        ("sqrt", mnp.sqrt, ("pos",), (0,)),
        ("tanh", mnp.tanh, ("m",), (0,)),
        ("sin_cos", lambda a: mnp.sin(a) * mnp.cos(a), ("m",), (0,)),
        ("square", mnp.square, ("m",), (0,)),
        ("abs", mnp.abs, ("m",), (0,)),
        ("reciprocal", mnp.reciprocal, ("pos",), (0,)),
        ("power", mnp.power, ("pos", "n"), (0, 1)),
        ("add_broadcast", mnp.add, ("row", "col"), (0, 1)),
        ("subtract", mnp.subtract, ("m", "n"), (0, 1)),
        ("multiply", mnp.multiply, ("m", "n"), (0, 1)),
        ("divide", mnp.divide, ("m", "pos"), (0, 1)),
        ("true_divide", mnp.true_divide, ("m", "pos"), (0, 1)),
        ("maximum", mnp.maximum, ("m", "n"), (0, 1)),
        ("minimum", mnp.minimum, ("m", "n"), (0, 1)),
        ("arctan2", mnp.arctan2, ("m", "n"), (0, 1)),
        ("hypot", mnp.hypot, ("m", "n"), (0, 1)),
        ("logaddexp", mnp.logaddexp, ("m", "n"), (0, 1)),
        ("expm1", mnp.expm1, ("m",), (0,)),
        ("negative", mnp.negative, ("m",), (0,)),
        ("clip", lambda a: mnp.clip(a, -0.5, 0.5), ("m",), (0,)),
        ("where", lambda a, b: mnp.where(a > 0, a, b), ("m", "n"), (0, 1)),
        ("where_scalar", lambda a: mnp.where(a > 0, a, 0.0), ("m",), (0,)),
        ("sign", mnp.sign, ("m",), ()),
        ("floor_ceil", lambda a: (mnp.floor(a), mnp.ceil(a)), ("m",), ()),
        ("isnan", mnp.isnan, ("m",), ()),
        ("greater_equal", lambda a, b: mnp.greater_equal(a, b), ("m", "n"), ()),
        # reductions and statistics
        ("sum", mnp.sum, ("m",), (0,)),
        ("sum_axis", lambda a: mnp.sum(a, 0, None, True), ("m",), (0,)),
        ("sum_initial", lambda a: mnp.sum(a, axis=1, initial=2.0), ("m",), (0,)),
        ("sum_bool", lambda a: mnp.sum(a > 0), ("m",), ()),
        ("sum_int", mnp.sum, ("ints",), ()),
        ("mean", mnp.mean, ("m",), (0,)),
        ("mean_keepdims", lambda a: mnp.mean(a, 1, True), ("x3",), (0,)),
        ("std", mnp.std, ("m",), (0,)),
        ("std_ddof", lambda a: mnp.std(a, 0, 1), ("m",), (0,)),
        ("var", lambda a: mnp.var(a, None, 0, True), ("m",), (0,)),
        ("var_axis", lambda a: mnp.var(a, axis=1, ddof=1), ("x3",), (0,)),
        ("amax", lambda a: mnp.amax(a, 1), ("m",), (0,)),
        ("amin_keepdims", lambda a: mnp.amin(a, 0, True), ("m",), (0,)),
        ("max", mnp.max, ("m",), (0,)),
        ("min_axis", lambda a: mnp.min(a, axis=-1), ("x3",), (0,)),
        ("max_ties", lambda a: mnp.max(a, axis=1), ("ties",), (0,)),
        ("ptp", lambda a: mnp.ptp(a, 1), ("m",), (0,)),
        ("argmax", mnp.argmax, ("m",), ()),
        ("argmax_axis", lambda a: mnp.argmax(a, 1), ("m",), ()),
        ("argmin_axis", lambda a: mnp.argmin(a, axis=0), ("m",), ()),
        ("count_nonzero", mnp.count_nonzero, ("ints",), ()),
        ("count_nonzero_axis", lambda a: mnp.count_nonzero(a, axis=0), ("ints",), ()),
        ("cumsum", lambda a: mnp.cumsum(a, 1), ("m",), (0,)),
        ("cumsum_flat", mnp.cumsum, ("m",), (0,)),
        ("cumprod", lambda a: mnp.cumprod(a, axis=0), ("m",), (0,)),
        ("average", lambda a, w: mnp.average(a, 1, w), ("m", "w4"), (0, 1)),
        ("nansum", mnp.nansum, ("m",), (0,)),
        ("nanmean_axis", lambda a: mnp.nanmean(a, axis=0), ("m",), (0,)),
        ("norm", mnp.norm, ("m",), (0,)),
        ("norm_axis", lambda a: mnp.norm(a, axis=1), ("m",), (0,)),
        ("trace", mnp.trace, ("square",), (0,)),
        ("diff", mnp.diff, ("m",), (0,)),
        ("interp", lambda a, b, c: mnp.interp(a, b, c), ("v4", "rising", "w4"), (0,)),
        ("cov", mnp.cov, ("m",), (0,)),
        ("corrcoef", mnp.corrcoef, ("m",), (0,)),
        ("vander", lambda a: mnp.vander(a, 3), ("v4",), (0,)),
        ("matrix_power", lambda a: mnp.matrix_power(a, 3), ("square",), (0,)),
        # shapes and indexing
        ("concatenate", lambda a, b: mnp.concatenate((a, b), axis=1), ("m", "n"), (0, 1)),
        ("concatenate_flat", lambda a, b: mnp.concatenate((a, b), axis=None), ("m", "n"),
         (0, 1)),
        ("stack", lambda a, b: mnp.stack((a, b), 1), ("m", "n"), (0, 1)),
        ("hstack_vstack", lambda a, b: (mnp.hstack((a, b)), mnp.vstack((a, b))), ("m", "n"),
         (0, 1)),
        ("reshape", lambda a: mnp.reshape(a, (2, 6)), ("m",), (0,)),
        ("reshape_flat", lambda a: mnp.reshape(a, -1), ("m",), (0,)),
        ("transpose", mnp.transpose, ("x3",), (0,)),
        ("transpose_axes", lambda a: mnp.transpose(a, (1, 2, 0)), ("x3",), (0,)),
        ("swapaxes", lambda a: mnp.swapaxes(a, 0, 2), ("x3",), (0,)),
        ("moveaxis", lambda a: mnp.moveaxis(a, 0, -1), ("x3",), (0,)),
        ("expand_squeeze", lambda a: mnp.squeeze(mnp.expand_dims(a, 0)), ("m",), (0,)),
        ("ravel", mnp.ravel, ("m",), (0,)),
        ("tile", lambda a: mnp.tile(a, (2, 1)), ("m",), (0,)),
        ("repeat", lambda a: mnp.repeat(a, 2, axis=1), ("m",), (0,)),
        ("split", lambda a: mnp.split(a, 2, axis=1), ("m",), (0,)),
        ("flip", lambda a: mnp.flip(a, 1), ("m",), (0,)),
        ("roll", lambda a: mnp.roll(a, 1, axis=0), ("m",), (0,)),
        ("broadcast_to", lambda a: mnp.broadcast_to(a, (3, 4)), ("row",), (0,)),
        ("diag", mnp.diag, ("square",), (0,)),
        ("diag_vector", mnp.diag, ("v4",), (0,)),
        ("tril_triu", lambda a: (mnp.tril(a), mnp.triu(a, 1)), ("m",), (0,)),
        ("take", lambda a: mnp.take(a, i0), ("m",), (0,)),
        ("take_axis", lambda a: mnp.take(a, i0, axis=1), ("m",), (0,)),
        ("take_clip", lambda a: mnp.take(a, mnp.array([-1, 13, 5])), ("m",), (0,)),
        ("take_along_axis", lambda a: mnp.take_along_axis(a, i2, 1), ("m",), (0,)),
        # linear algebra
        ("dot", lambda a, b: mnp.dot(a, mnp.transpose(b)), ("m", "n"), (0, 1)),
        ("dot_vectors", mnp.dot, ("v4", "w4"), (0, 1)),
        ("dot_scalar", mnp.dot, ("s", "m"), (0, 1)),
        ("matmul", lambda a, b: mnp.matmul(a, mnp.transpose(b)), ("m", "n"), (0, 1)),
        ("inner", mnp.inner, ("m", "n"), (0, 1)),
        ("outer", mnp.outer, ("v4", "w4"), (0, 1)),
        ("tensordot", lambda a, b: mnp.tensordot(a, b, 1), ("square", "m"), (0, 1)),
        ("tensordot_axes", lambda a, b: mnp.tensordot(a, b, ((0, 1), (1, 2))), ("m", "x3"),
         (0, 1)),
        ("kron", mnp.kron, ("square", "row"), (0, 1)),
    ]


def measure(ms: Any) -> dict[str, Any]:
    """Outputs, their dtypes and Python types, and gradients of each case, by name,
    computed with the library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    return measure_cases(ms, _cases(ms), _draws(np.random.default_rng(9)), record_type=True)
