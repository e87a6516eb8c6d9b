"""``ops`` scatters (``ops_scatter``), ``ops.interpolate`` and ``nn.Upsample``
(``ops_resize``): gradients against central finite differences in float64 (compiled
for the arguments' shapes: the index and weight tables are worked out from them),
values against NumPy's where MindSpore's CPU build cannot run the op, the semantics
chosen for repeated indices, and MindSpore's errors for bad arguments. Values and
gradients against MindSpore's are in ``test_mindspore_layers_measured``
(``scatter_resize_cases``)."""
from __future__ import annotations

import numpy as np
import pytest
from test_mindspore_ops_extra import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

X = np.sin(np.arange(1.0, 21.0) * 1.3).reshape(4, 5) * 2
X3 = np.cos(np.arange(1.0, 25.0) * 0.7).reshape(3, 2, 4)
POINTS = np.array([[0, 1], [2, 4], [3, 0]])
REPEATED = np.array([[1, 1], [3, 2], [1, 1], [0, 4], [1, 1]])
ROWS = np.array([[2], [0]], np.int32)
U3 = np.array([1.7, -0.6, 2.3])
U5 = np.array([1.4, -0.8, 0.6, 2.9, -1.9])
ROW_VALUES = np.sin(np.arange(16.0)).reshape(2, 2, 4) + 0.5
ALONG = np.array([[1, 4], [3, -1], [0, 2]])
TWICE = np.array([[1, 1], [3, 3], [0, 2]])
SRC = np.array([[0.3, -1.2], [2.2, 0.9], [-0.4, 1.6]])

# name, f(x, updates), x, updates: each checked for both arguments
SCATTERS = [
    ("update", lambda x, u: ops.tensor_scatter_update(x, POINTS, u), X, U3),
    ("add", lambda x, u: ops.tensor_scatter_add(x, POINTS, u), X, U3),
    ("sub", lambda x, u: ops.tensor_scatter_sub(x, POINTS, u), X, U3),
    ("max", lambda x, u: ops.tensor_scatter_max(x, POINTS, u), X, U3),
    ("min", lambda x, u: ops.tensor_scatter_min(x, POINTS, u), X, U3),
    ("mul", lambda x, u: ops.tensor_scatter_mul(x, POINTS, u), X, U3),
    ("div", lambda x, u: ops.tensor_scatter_div(x, POINTS, u), X, U3),
    ("update_rows", lambda x, u: ops.tensor_scatter_update(x, ROWS, u), X3, ROW_VALUES),
    ("mul_rows", lambda x, u: ops.tensor_scatter_mul(x, ROWS, u), X3, ROW_VALUES),
    ("max_rows", lambda x, u: ops.tensor_scatter_max(x, ROWS, u), X3, ROW_VALUES),
    # repeated indices: the derivative of what is computed (see ops_scatter)
    ("update_repeated", lambda x, u: ops.tensor_scatter_update(x, REPEATED, u), X, U5),
    ("add_repeated", lambda x, u: ops.tensor_scatter_add(x, REPEATED, u), X, U5),
    ("sub_repeated", lambda x, u: ops.tensor_scatter_sub(x, REPEATED, u), X, U5),
    ("max_repeated", lambda x, u: ops.tensor_scatter_max(x, REPEATED, u), X, U5),
    ("min_repeated", lambda x, u: ops.tensor_scatter_min(x, REPEATED, u), X, U5),
    ("mul_repeated", lambda x, u: ops.tensor_scatter_mul(x, REPEATED, u), X, U5),
    ("div_repeated", lambda x, u: ops.tensor_scatter_div(x, REPEATED, u), X, U5),
    ("scatter_nd", lambda x, u: ops.scatter_nd(REPEATED, u, (4, 5)) * x, X, U5),
    ("scatter_axis1", lambda x, u: ops.scatter(x, 1, ALONG, u), X, SRC),
    ("scatter_axis0", lambda x, u: ops.scatter(x, 0, np.array([[3, 0], [1, 2]]), u),
     X, SRC[:2]),
    ("scatter_repeated", lambda x, u: ops.scatter(x, 1, TWICE, u), X, SRC),
    ("scatter_src_cut", lambda x, u: ops.scatter(x, 1, ALONG[:2, :1], u), X, SRC),
    ("elements_add", lambda x, u: ops.tensor_scatter_elements(x, TWICE, u, -1, "add"),
     X, SRC),
    ("method_scatter", lambda x, u: Tensor(x).scatter(1, ALONG, u), X, SRC),
    ("method_scatter_axis", lambda x, u: Tensor(x).scatter(axis=1, index=ALONG, src=u),
     X, SRC),
    ("method_scatter_add_dim", lambda x, u: Tensor(x).scatter_add(1, TWICE, u), X, SRC),
    ("method_scatter_add_indices", lambda x, u: Tensor(x).scatter_add(REPEATED, u), X, U5),
]


@pytest.mark.parametrize("fn, x, u", [case[1:] for case in SCATTERS],
                         ids=[case[0] for case in SCATTERS])
def test_scatter_gradients_match_finite_differences(fn, x, u):
    weights = np.cos(np.arange(np.size(fn(x, u))) * 0.9).reshape(np.shape(fn(x, u)))

    def loss(x, u):
        return np.sum(fn(x, u) * weights)

    gx, gu = ms.grad(loss, (0, 1))(x, u)
    np.testing.assert_allclose(np.asarray(gx), central_differences(lambda v: loss(v, u), x),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(np.asarray(gu), central_differences(lambda v: loss(x, v), u),
                               rtol=1e-6, atol=1e-8)


def scatter_then_resize(x, u):
    scattered = ops.tensor_scatter_mul(x, REPEATED, u) + ops.tensor_scatter_max(x, POINTS, u[:3])
    return ops.interpolate(scattered[None, None], size=(3, 7), mode="bilinear")


def test_forward_mode_matches_finite_differences():
    """The tangent of ``x`` and ``u`` along random directions, against their central
    difference."""
    rng = np.random.default_rng(0)
    dx, du = rng.standard_normal(X.shape), rng.standard_normal(U5.shape)
    _, tangent = ms.jvp(scatter_then_resize, (X, U5), (dx, du))
    eps = 1e-6
    numeric = (scatter_then_resize(X + eps * dx, U5 + eps * du)
               - scatter_then_resize(X - eps * dx, U5 - eps * du)) / (2 * eps)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6, atol=1e-8)


def test_scatter_of_a_number_has_the_inputs_gradient_only_where_kept():
    def loss(x):
        return np.sum(ops.scatter(x, -1, ALONG, 0.5) * np.cos(x))

    np.testing.assert_allclose(np.asarray(ms.grad(loss)(X)), central_differences(loss, X),
                               rtol=1e-6, atol=1e-8)


def reference_scatter(x, indices, updates, combine):
    """One update after another, as a loop over the index vectors."""
    out = np.array(x, copy=True)
    for index, value in zip(indices.reshape(-1, indices.shape[-1]),
                            updates.reshape(-1, *x.shape[indices.shape[-1]:])):
        out[tuple(index)] = combine(out[tuple(index)], value)
    return out


COMBINE = {"update": lambda old, new: new, "add": np.add, "sub": np.subtract,
           "max": np.maximum, "min": np.minimum, "mul": np.multiply, "div": np.divide}


@pytest.mark.parametrize("kind", sorted(COMBINE))
@pytest.mark.parametrize("indices, updates", [(POINTS, U3), (REPEATED, U5),
                                              (ROWS, np.arange(10.0).reshape(2, 5))],
                         ids=["points", "repeated", "rows"])
def test_tensor_scatters_equal_one_update_after_another(kind, indices, updates):
    got = getattr(ops, f"tensor_scatter_{kind}")(X, indices, updates)
    np.testing.assert_allclose(got, reference_scatter(X, indices, updates, COMBINE[kind]),
                               rtol=1e-14)


def test_scatter_nd_and_scatter_add_sum_repeats_as_np_add_at():
    want = np.zeros((4, 5))
    np.add.at(want, tuple(REPEATED.T), U5)
    np.testing.assert_array_equal(ops.scatter_nd(REPEATED, U5, (4, 5)), want)
    along = X.copy()
    np.add.at(along, (np.arange(3)[:, None], TWICE % 5), SRC)
    np.testing.assert_allclose(Tensor(X).scatter_add(1, TWICE, SRC), along, rtol=1e-15)
    np.testing.assert_allclose(ops.tensor_scatter_elements(X, TWICE, SRC, 1, "add"), along,
                               rtol=1e-15)


def test_scatter_elements_skips_updates_outside_and_counts_negatives_from_the_end():
    index = np.array([[5, -1], [-6, 0]])
    want = X.copy()
    want[0, 4], want[1, 0] = 7.0, 8.0
    np.testing.assert_array_equal(
        ops.tensor_scatter_elements(X, index, np.array([[6.0, 7.0], [5.0, 8.0]]), 1), want)


def test_scatters_keep_dtype_and_give_tensors():
    x = Tensor(X.astype(np.float32))
    u = Tensor(U3.astype(np.float32))
    for kind in COMBINE:
        y = getattr(ops, f"tensor_scatter_{kind}")(x, POINTS.astype(np.int32), u)
        assert type(y) is Tensor and y.dtype == np.float32
    y = ops.scatter_nd(Tensor(POINTS.astype(np.int32)), u, (4, 5))
    assert type(y) is Tensor and y.dtype == np.float32
    grads = ms.grad(lambda x, u: ops.sum(ops.tensor_scatter_mul(x, POINTS, u)), (0, 1))(x, u)
    assert all(g.dtype == np.float32 for g in grads)


def test_indices_outside_the_input_fail_an_assert():
    outside = np.array([[4, 0]])
    with pytest.raises(AssertionError, match="inside 'input_x'"):
        ops.tensor_scatter_add(X, outside, U3[:1])
    with pytest.raises(AssertionError, match="inside 'input_x'"):
        ms.grad(lambda x: ops.sum(ops.tensor_scatter_update(x, np.array([[-1, 0]]), U3[:1])))(X)


def test_scatter_add_writes_into_its_parameter_and_passes_no_gradient():
    p = ms.Parameter(Tensor(np.zeros((3, 2))), name="p")
    index = np.array([0, 2, 0])
    assert ops.scatter_add(p, index, np.ones((3, 2))) is p
    np.testing.assert_array_equal(p, [[2, 2], [0, 0], [1, 1]])

    def loss(x):
        return ops.sum(x * ops.scatter_add(p, index, np.ones((3, 2))))

    np.testing.assert_array_equal(ms.grad(loss)(np.ones((3, 2))), [[4, 4], [0, 0], [2, 2]])
    np.testing.assert_array_equal(p, [[4, 4], [0, 0], [2, 2]])

    def through_the_write(x):
        return ops.sum(ops.scatter_add(p, index, x))

    with pytest.raises(ms.AutodiffError, match="gradient would flow"):
        ms.grad(through_the_write)(np.ones((3, 2)))


SCATTER_ERRORS = [
    (lambda: ops.tensor_scatter_add(X, POINTS.astype(float), U3), TypeError,
     "dtype of 'indices' must be int32 or int64"),
    (lambda: ops.tensor_scatter_update(X, np.array([0, 1]), U3[:1]), ValueError,
     "dimension of 'indices' cannot be less than 2"),
    (lambda: ops.tensor_scatter_mul(X, np.array([[0, 1, 1]]), U3[:1]), ValueError,
     "last dimension of 'indices' must be less than or equal"),
    (lambda: ops.tensor_scatter_max(X, POINTS, U3[:2]), ValueError,
     r"updates_shape = indices_shape\[:-1\]"),
    (lambda: ops.tensor_scatter_div(X, POINTS, U3.astype(np.float32)), TypeError,
     "must have the same dtype"),
    (lambda: ops.scatter_nd(POINTS, U3, [4, 5]), TypeError, "'shape' must be a tuple"),
    (lambda: ops.scatter(X, 2, ALONG, SRC), ValueError, r"'axis' must be an int in \[-2, 2\)"),
    (lambda: ops.scatter(X, 1, ALONG[0], SRC), ValueError, "must have the same rank"),
    (lambda: ops.scatter(X, 1, np.zeros((5, 1), np.int64), np.ones((5, 1))), ValueError,
     "no larger than 'input_x'"),
    (lambda: ops.scatter(X, 1, ALONG, SRC[:2]), ValueError, "no larger than 'updates'"),
    (lambda: ops.tensor_scatter_elements(X, ALONG, SRC, 1, "mul"), ValueError,
     "'reduction' must be 'none' or 'add'"),
    (lambda: ops.scatter_add(X.copy(), np.array([[0, 1]]), np.ones((2, 5))), ValueError,
     r"indices.shape \+ input_x.shape\[1:\]"),
]


@pytest.mark.parametrize("call, error, message", SCATTER_ERRORS,
                         ids=[f"{i}" for i in range(len(SCATTER_ERRORS))])
def test_bad_scatter_arguments_raise_mindspores_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------- interpolate

RESIZES = [  # name, input shape, interpolate's arguments
    ("nearest_3d", (2, 2, 5), dict(size=8)),
    ("nearest_4d_down", (1, 2, 5, 7), dict(size=(3, 2))),
    ("nearest_4d_scale", (1, 2, 3, 4), dict(scale_factor=(1.7, 0.6),
                                            recompute_scale_factor=True)),
    ("nearest_5d_scale", (1, 1, 3, 2, 4), dict(scale_factor=(1.5, 2.0, 0.7))),
    ("nearest_exact", (1, 2, 5, 3), dict(size=(3, 7), mode="nearest-exact")),
    ("linear", (2, 2, 5), dict(size=9, mode="linear")),
    ("linear_down", (2, 2, 7), dict(size=3, mode="linear")),
    ("linear_to_1", (2, 2, 4), dict(size=1, mode="linear")),
    ("linear_corners", (2, 2, 5), dict(size=7, mode="linear", align_corners=True)),
    ("bilinear", (2, 2, 3, 5), dict(size=(6, 4), mode="bilinear")),
    ("bilinear_corners", (1, 2, 3, 5), dict(size=(6, 1), mode="bilinear",
                                            align_corners=True)),
    ("bilinear_scale", (1, 2, 3, 4), dict(scale_factor=2.5, mode="bilinear",
                                          recompute_scale_factor=True)),
    ("trilinear", (1, 2, 2, 3, 4), dict(size=(3, 5, 2), mode="trilinear")),
    ("trilinear_scale", (1, 1, 3, 2, 4), dict(scale_factor=(1.5, 2.0, 0.6),
                                              mode="trilinear", align_corners=True)),
    ("area", (1, 2, 5, 7), dict(size=(2, 3), mode="area")),
    ("area_3d", (2, 2, 6), dict(size=2, mode="area")),
    ("area_5d_scale", (1, 1, 4, 5, 3), dict(scale_factor=0.6, mode="area")),
]


@pytest.mark.parametrize("shape, kwargs", [case[1:] for case in RESIZES],
                         ids=[case[0] for case in RESIZES])
def test_interpolate_gradients_match_finite_differences(shape, kwargs):
    x = np.sin(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) * 1.7)
    y = ops.interpolate(x, **kwargs)
    weights = np.cos(np.arange(y.size) * 0.9).reshape(y.shape)

    def loss(x):
        return np.sum(ops.interpolate(x, **kwargs) * weights)

    np.testing.assert_allclose(np.asarray(ms.grad(loss)(x)), central_differences(loss, x),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cell", [nn.Upsample(size=(5, 3)),
                                  nn.Upsample(scale_factor=2.0, mode="bilinear",
                                              recompute_scale_factor=True)],
                         ids=["nearest", "bilinear"])
def test_upsample_gradient_matches_finite_differences(cell):
    x = np.sin(np.arange(24.0).reshape(1, 2, 3, 4))
    weights = np.cos(np.arange(cell(x).size)).reshape(cell(x).shape)

    def loss(x):
        return np.sum(cell(x) * weights)

    np.testing.assert_allclose(np.asarray(ms.grad(loss)(x)), central_differences(loss, x),
                               rtol=1e-6, atol=1e-8)


def test_interpolate_examples_of_mindspores_documentation():
    x = Tensor(np.array([[[1, 2, 3], [4, 5, 6]]], np.float32))
    np.testing.assert_array_equal(ops.interpolate(x, size=(6,), mode="nearest"),
                                  [[[1, 1, 2, 2, 3, 3], [4, 4, 5, 5, 6, 6]]])
    y = nn.Upsample(size=(5, 5))(Tensor([[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]]]))
    np.testing.assert_array_equal(y[0, 0], [[1, 1, 2, 3, 4]] * 3 + [[5, 5, 6, 7, 8]] * 2)
    assert y.dtype == np.float32 and type(y) is Tensor
    assert ops.upsample is ops.interpolate


def test_linear_interpolation_keeps_float32():
    x = np.linspace(-1, 1, 24).reshape(1, 2, 3, 4).astype(np.float32)
    assert ops.interpolate(x, size=(5, 7), mode="bilinear").dtype == np.float32
    grad = ms.grad(lambda x: ops.sum(ops.interpolate(x, size=(5, 7), mode="bilinear")))(x)
    assert grad.dtype == np.float32


X4 = np.zeros((1, 2, 3, 4), np.float32)
X3_ = np.zeros((1, 2, 5), np.float32)
RESIZE_ERRORS = [
    (dict(size=3, scale_factor=2.0), ValueError, "cannot be set simultaneously"),
    (dict(), ValueError, "cannot be both empty"),
    (dict(size=3, mode="cubic"), ValueError, "'mode' must be in"),
    (dict(size=3, mode="linear"), ValueError, r"linear only support '\[3\]'D, but got 4D"),
    (dict(size=(3,)), ValueError, "must have the same spatial dimensions"),
    (dict(size=0), ValueError, "'size' must be int and must > 0"),
    (dict(size=2.5), TypeError, "'size' must be int"),
    (dict(size=(2, 1.0)), TypeError, r"'size\[1\]' must be int"),
    (dict(scale_factor=2), TypeError, "'scale_factor' must be float"),
    (dict(scale_factor=-1.0, recompute_scale_factor=True), ValueError, "must > 0"),
    (dict(scale_factor=2.0), ValueError, "'scale_factor' option cannot currently be set"),
    (dict(scale_factor=2.0, mode="bilinear"), ValueError,
     "'scale_factor' option cannot currently be set with the mode = bilinear"),
    (dict(size=3, align_corners=False), ValueError, "'align_corners' option cannot"),
    (dict(size=3, mode="bilinear", align_corners=1), TypeError, "must be a bool"),
    (dict(size=3, recompute_scale_factor=True), ValueError,
     "incorrect to set 'recompute_scale_factor' to True"),
    (dict(scale_factor=0.2, recompute_scale_factor=True), ValueError,
     "size value must be greater than 0"),
]


@pytest.mark.parametrize("kwargs, error, message", RESIZE_ERRORS,
                         ids=[str(case[0]) for case in RESIZE_ERRORS])
def test_bad_interpolate_arguments_raise_mindspores_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        ops.interpolate(X4, **kwargs)


def test_interpolate_refuses_what_mindspores_kernels_refuse():
    with pytest.raises(ValueError, match=r"bilinear only support '\[4\]'D, but got 3D"):
        ops.interpolate(X3_, size=3, mode="bilinear")
    with pytest.raises(ValueError, match="divisible"):
        ops.interpolate(X3_, size=3, mode="area")
    with pytest.raises(TypeError, match="float tensor"):
        ops.interpolate(X4.astype(np.int32), size=3)
    with pytest.raises(ValueError, match="nearest only support"):
        ops.interpolate(np.zeros((2, 3)), size=())


def test_bad_arguments_are_reported_at_the_users_line_when_compiling():
    def loss(x):
        return ops.sum(ops.interpolate(x, size=3, mode="bilinear"))

    with pytest.raises(ms.AutodiffError, match="bilinear only support"):
        ms.grad(loss)(X3_)

    def scattered(x):
        return ops.sum(ops.tensor_scatter_add(x, POINTS.astype(float), U3))

    with pytest.raises(ms.AutodiffError, match="dtype of 'indices' must be int32 or int64"):
        ms.grad(scattered)(X)
