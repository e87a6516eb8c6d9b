"""Sums of scatter-adds (``opt.scatters``), the basic-index path of ``index_add``, and
windows that tile their image (``ops_conv.tiles``): the gradient of a value read through several
slices, written as one running sum, and unchanged by it.
"""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import ops
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.builder import building
from autodiff_compiler.ir.core import Aval, Const, Function, Var
from autodiff_compiler.ir.reference import index_add
from autodiff_compiler.mindspore import ops_conv
from autodiff_compiler.mindspore.ties import first_max
from autodiff_compiler.opt import passes


def _code(source):
    """The generated source without its comments (which quote the user's lines)."""
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith("#"))


def _same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


# ---------------------------------------------------------------------------- index_add


@pytest.mark.parametrize("index", [
    np.s_[1:4], np.s_[:, 0], np.s_[::-2, 1:], np.s_[None, 2], np.s_[..., 1:3], 2, (),
], ids=["slice", "int", "negative_step", "none", "ellipsis", "bare_int", "empty"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_index_add_at_a_basic_index_is_np_add_at_bit_for_bit(index, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((5, 4)) * 10).astype(dtype)
    v = (rng.standard_normal(x[index].shape) * 10).astype(dtype)
    want = x.copy()
    np.add.at(want, index, v)
    _same_bits(index_add(x, index, v), want)


@pytest.mark.parametrize("index, v", [
    ((np.array([0, 0, 2]),), np.ones((3, 4))),  # repeated rows accumulate
    (np.s_[1:3], np.ones((2, 4), np.float32)),  # another dtype: np.add.at's casting
    (np.s_[1:3], 0.5),  # a Python float
], ids=["repeats", "other_dtype", "python_float"])
def test_index_add_keeps_np_add_at_elsewhere(index, v):
    x = np.arange(20.0).reshape(5, 4)
    want = x.copy()
    np.add.at(want, index, v)
    _same_bits(index_add(x, index, v), want)
    assert x[0, 1] == 1.0  # the input is not touched


# ---------------------------------------------------------------------------- the pass


def _program(index, dtypes=("float64", "float64", "float64")):
    """``a + index_add(zeros_like(x), index, v)`` as IR, and its arguments."""
    a, x = Var(Aval((5, 4), np.dtype(dtypes[0])), "a"), Var(Aval((5, 4), np.dtype(dtypes[1])), "x")
    rng = np.random.default_rng(1)
    shape = np.zeros((5, 4))[index].shape
    v = Var(Aval(shape, np.dtype(dtypes[2])), "v")
    with building() as b:
        out = a + P.index_add(P.zeros_like(x), Const(index), v)
    fn = Function("p", (a, x, v), tuple(b.eqns), (out,))
    args = [rng.standard_normal(var.aval.shape).astype(var.aval.dtype) for var in (a, x, v)]
    return fn, args


def _run(fn, args):
    from autodiff_compiler.backends.numpy import BACKEND as NUMPY
    from autodiff_compiler.backends.python import codegen
    from autodiff_compiler.pipeline import compiler
    return compiler._load(fn.name, codegen.generate(fn, backend=NUMPY), NUMPY)(*args)


@pytest.mark.parametrize("index", [np.s_[1:4], np.s_[:, ::2], np.s_[2]],
                         ids=["rows", "strided", "int"])
def test_a_sum_with_a_scatter_into_zeros_adds_into_the_sum(index):
    fn, args = _program(index)
    merged = passes.scatter_sums(fn)
    assert [e.prim for e in passes.dce(merged).eqns] == [P.index_add]
    assert passes.dce(merged).eqns[0].invars[0] is fn.invars[0]
    np.testing.assert_array_equal(_run(passes.optimize(fn), args), _run(passes.dce(fn), args))


@pytest.mark.parametrize("index, dtypes", [
    ((np.array([0, 0, 1]),), ("float64",) * 3),  # repeats: the sums would reassociate
    (np.s_[1:4], ("float64", "float64", "float32")),  # v cast on the way in
    (np.s_[1:4], ("float32", "float64", "float64")),  # the sum promotes a
], ids=["array_index", "cast_values", "promoted_sum"])
def test_scatter_sums_leave_what_would_not_be_exact(index, dtypes):
    fn, args = _program(index, dtypes)
    assert P.add in [e.prim for e in passes.dce(passes.scatter_sums(fn)).eqns]
    np.testing.assert_array_equal(_run(passes.optimize(fn), args), _run(passes.dce(fn), args))


def differences(x):
    return np.sum((x[1:] - x[:-1]) ** 2) + np.sum(x[::2] * x[1::2])


def test_a_gradient_through_several_slices_is_one_running_sum():
    x = np.random.default_rng(2).standard_normal((8, 3))
    code = _code(adc.gradient_source(differences, args=(x,)))
    assert "+ index_add(" not in code and code.count("index_add(np.zeros_like") == 1
    unoptimised = adc.gradient_source(differences, args=(x,), optimize=False)
    assert "+ index_add(" in _code(unoptimised)
    adc.check_grads(differences, x)
    d = x[1:] - x[:-1]
    want = np.zeros_like(x)
    want[1:] += 2 * d
    want[:-1] -= 2 * d
    want[::2] += x[1::2]
    want[1::2] += x[::2]
    np.testing.assert_allclose(adc.grad(differences)(x), want, rtol=1e-14)


# ---------------------------------------------------------------------------- pooling


def pooled(x):
    return np.sum(np.sin(ops.max_pool2d(x, 2, 2)))


def pooled_by_slices(x):
    """The same pooling by strided slices, as ``patches`` writes any window (the first
    of tied maxima taking the gradient, as MindSpore's pooling gives it)."""
    ho, wo = x.shape[2] // 2, x.shape[3] // 2
    windows = np.stack([x[:, :, i:i + 2 * ho - 1:2, j:j + 2 * wo - 1:2]
                        for i in range(2) for j in range(2)], axis=2)
    return np.sum(np.sin(first_max(windows, axis=2)))


@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 2, 7, 5)], ids=["even", "odd_valid"])
def test_max_pooling_by_tiles_is_pooling_by_patches(shape):
    x = np.random.default_rng(3).permutation(int(np.prod(shape))).reshape(shape) / 7.0
    x[0, 0, :2, :2] = 1.5  # a tie inside one window: the first takes the gradient
    code = _code(adc.gradient_source(pooled, args=(x,)))
    # no scatter-add per window position; 'valid' pooling of odd sizes drops the last
    # row or column: the adjoint of that one slice is the only one
    assert code.count("index_add(") == (0 if shape[2] % 2 == shape[3] % 2 == 0 else 1)
    # equal values (a product with a zero share keeps its sign, -0, where the sum of
    # scatter-adds into zeros gave +0)
    np.testing.assert_array_equal(adc.grad(pooled)(x), adc.grad(pooled_by_slices)(x))
    assert adc.grad(pooled)(x)[0, 0, 0, 0] == pytest.approx(np.cos(1.5))
    assert np.all(adc.grad(pooled)(x)[0, 0, :2, :2].ravel()[1:] == 0.0)


def test_windows_that_do_not_tile_are_patches():
    x = np.zeros((1, 1, 6, 6))
    assert ops_conv.tiles(x, 3, 2, 1, "valid", 0) is None  # overlapping
    assert ops_conv.tiles(x, 2, 2, 1, "pad", 1) is None  # padded
    assert ops_conv.tiles(x, 2, 2, 2, "valid", 0) is None  # dilated
    assert ops_conv.tiles(x, 2, 2, 1, "same", 0).shape == (1, 1, 4, 3, 3)


@pytest.mark.parametrize("shape, k", [((2, 3, 6, 8), 2), ((1, 2, 7, 5), 2), ((1, 1, 9, 6), 3),
                                      ((2, 1, 4, 4), (2, 1))])
def test_tiles_are_the_patches_stacked_from_slices(shape, k):
    x = np.random.default_rng(4).standard_normal(shape)
    stride = k
    slices = ops_conv.patches(x[:, :, :, :], k, stride, 1, "valid", 0)  # through tiles
    kh, kw = (k, k) if isinstance(k, int) else k
    ho, wo = shape[2] // kh, shape[3] // kw
    want = np.stack([x[:, :, i:i + (ho - 1) * kh + 1:kh, j:j + (wo - 1) * kw + 1:kw]
                     for i in range(kh) for j in range(kw)], axis=2)
    _same_bits(np.ascontiguousarray(slices), want)
