"""``ops_nn_functional``'s functions and ``layers_functional``'s Cells: outputs, dtypes
and gradients against MindSpore 2.7.1's on the same draws
(``data/mindspore_nn_functional.json``, written by
``data/measure_mindspore_nn_functional.py`` from ``ops_nn_functional_cases``),
gradients against central finite differences in float64 on several shapes, the ops
without a MindSpore CPU kernel against their documented formulas, integer results
inactive, eager results Tensors, and bad arguments refused clearly."""
from __future__ import annotations

import numpy as np
import ops_nn_functional_cases
import pytest
from differences import central_differences
from measured_cases import assert_measured, compared, load_measured
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

MEASURED = load_measured("nn_functional")


ours = measured_fixture(lambda: ops_nn_functional_cases.measure(ms))


# MindSpore's MaxUnpool gradient reads the cotangent at a value's index even where a
# later value overwrote it; ours is the derivative, 0 there (finite differences below).
NOT_COMPARED = {"MaxUnpool1d_repeats.grad0"}


@pytest.mark.parametrize("name", compared(MEASURED, NOT_COMPARED))
def test_matches_mindspore(ours, name):
    assert_measured(ours, MEASURED, name, rtol=2e-5, atol=2e-6)


def test_every_case_was_measured(ours):
    assert sorted(ours) == compared(MEASURED)


# ---------------------------------------------------------------- finite differences

RNG = np.random.default_rng(3)
SEQ = RNG.standard_normal((2, 3, 9))
IMAGE = RNG.standard_normal((2, 3, 5, 6))
POSITIVE = np.abs(IMAGE) + 0.3
WEIGHT = RNG.standard_normal((4, 3, 3))
POINTS = RNG.standard_normal((5, 3))
THETA = RNG.standard_normal((2, 2, 3))
GRID = RNG.uniform(-1.4, 1.4, (2, 3, 4, 2))
MATRIX = RNG.standard_normal((3, 4))

# name: (loss, arguments); these need shapes when compiling (shape-specialised code)
SHAPED = {
    "conv1d": (lambda x, w: ops.sum(ops.conv1d(x, w, pad_mode="pad", padding=1, stride=2,
                                               dilation=2) ** 2), (SEQ, WEIGHT)),
    "conv1d_same_groups": (lambda x, w: ops.sum(ops.conv1d(x, w, pad_mode="same", groups=3)
                                                ** 2), (SEQ, WEIGHT[:3, :1])),
    "avg_pool1d": (lambda x: ops.sum(ops.avg_pool1d(x, 4, 2, 2, True, False) ** 2), (SEQ,)),
    "avg_pool1d_ceil": (lambda x: ops.sum(ops.avg_pool1d(x, 4, 3, 1, True) ** 2), (SEQ,)),
    "adaptive_avg_pool1d": (lambda x: ops.sum(ops.adaptive_avg_pool1d(x, 3) ** 2), (SEQ,)),
    "lp_pool1d": (lambda x: ops.sum(ops.lp_pool1d(x, 2, 3, 2, True)), (SEQ,)),
    "lp_pool1d_unbatched": (lambda x: ops.sum(ops.lp_pool1d(x[0], 2.5, 2)), (np.abs(SEQ),)),
    "lp_pool2d": (lambda x: ops.sum(ops.lp_pool2d(x, 3, (2, 3), (2, 1), True)), (POSITIVE,)),
    "unfold": (lambda x: ops.sum(ops.unfold(x, (3, 2), (1, 2), (1, 0), 2) ** 2), (IMAGE,)),
    "fold": (lambda c: ops.sum(ops.fold(c, (5, 6), (2, 3), 1, (1, 0), (1, 2)) ** 2),
             (RNG.standard_normal((2, 18, 12)),)),
    "fold_of_unfold": (lambda x: ops.sum(ops.fold(ops.unfold(x, 2, 1, 1, 1) * 0.5, (5, 6), 2,
                                                  1, 1, 1) * x), (IMAGE,)),
    "lrn": (lambda x: ops.sum(ops.lrn(x, 1, 0.5, 2.0, 0.75) ** 2), (IMAGE,)),
    "LPPool2d": (lambda x: ops.sum(nn.LPPool2d(2, 2)(x)), (POSITIVE,)),
    "LRN": (lambda x: ops.sum(nn.LRN(3)(x) * x), (IMAGE,)),
    "ImageGradients": (lambda x: ops.sum(nn.ImageGradients()(x)[0] ** 2)
                       + ops.sum(nn.ImageGradients()(x)[1] ** 3), (IMAGE,)),
    "CentralCrop": (lambda x: ops.sum(nn.CentralCrop(0.6)(x) ** 2), (IMAGE,)),
    "PSNR": (lambda x: ops.sum(nn.PSNR(3.0)(x, IMAGE * 0.5)), (IMAGE,)),
    "MaxUnpool2d": (lambda x: ops.sum(nn.MaxUnpool2d(2)(x, np.array([[[[0, 3], [9, 14]]]]))
                                      * np.arange(16.0).reshape(1, 1, 4, 4) ** 2),
                    (RNG.standard_normal((1, 1, 2, 2)),)),
    "affine_grid": (lambda t: ops.sum(ops.affine_grid(t, (2, 1, 3, 4)) ** 2), (THETA,)),
    "affine_grid_corners": (lambda t: ops.sum(ops.affine_grid(t, (2, 1, 1, 4), True) ** 3),
                            (THETA,)),
    "affine_grid_3d": (lambda t: ops.sum(ops.affine_grid(t, (1, 2, 2, 3, 2)) ** 2),
                       (RNG.standard_normal((1, 3, 4)),)),
    **{f"grid_sample_{mode}_{padding}_{corners}": (
        lambda x, g, mode=mode, padding=padding, corners=corners: ops.sum(
            ops.grid_sample(x, g, mode, padding, corners) ** 2), (IMAGE, GRID))
       for mode in ("bilinear", "nearest") for padding in ("zeros", "border", "reflection")
       for corners in (False, True)},
    "grid_sample_of_affine_grid": (lambda x, t: ops.sum(ops.grid_sample(
        x, ops.affine_grid(t, (2, 3, 3, 2)), padding_mode="reflection") ** 2),
        (IMAGE, THETA * 0.7)),
    # kernels of more than 64 taps: stacked in groups (the compiler's variadic limit)
    "conv1d_long_kernel": (lambda x, w: ops.sum(ops.conv1d(x, w, pad_mode="same") ** 2),
                           (RNG.standard_normal((1, 2, 75)), RNG.standard_normal((3, 2, 70)))),
    "unfold_9x9": (lambda x: ops.sum(ops.unfold(x, 9) ** 2 * np.arange(162.0)[:, None]),
                   (RNG.standard_normal((1, 2, 10, 9)),)),
    "avg_pool1d_long": (lambda x: ops.sum(ops.avg_pool1d(x, 70, 3) ** 2),
                        (RNG.standard_normal((1, 2, 75)),)),
    "SSIM": (lambda x: ops.sum(nn.SSIM()(x, np.sqrt(x) * 0.5 + 0.1)),
             (RNG.uniform(size=(2, 3, 12, 11)),)),
    "SSIM_settings": (lambda x: ops.sum(nn.SSIM(2.0, 3, 0.8, 0.05, 0.1)(x, POSITIVE)),
                      (POSITIVE * 0.7,)),
    "pdist": (lambda x: ops.sum(ops.pdist(x) ** 1.5), (POINTS,)),
    "pdist_p1": (lambda x: ops.sum(ops.pdist(x, 1.0) ** 2), (POINTS,)),
    "pdist_p3": (lambda x: ops.sum(ops.pdist(x, 3.0)), (POINTS,)),
    "pdist_inf": (lambda x: ops.sum(ops.pdist(x, float("inf")) ** 2), (POINTS,)),
    "renorm": (lambda x: ops.sum(ops.renorm(x, 2, 0, 1.5) * np.cos(x)), (MATRIX,)),
    "renorm_p1": (lambda x: ops.sum(ops.renorm(x, 1, 1, 1.0) ** 2), (MATRIX,)),
    "renorm_p3_3d": (lambda x: ops.sum(ops.renorm(x, 3, 1, 0.8) ** 2), (IMAGE[0],)),
    "embedding": (lambda w: ops.sum(ops.embedding(np.array([[0, 2], [1, 2]]), w) ** 2),
                  (MATRIX,)),
    "MatrixSetDiag": (lambda m: ops.sum(nn.MatrixSetDiag()(m, m[..., 0, :3] * 2.0) ** 2),
                      (MATRIX,)),
    "MatrixSetDiag_tall": (lambda m: ops.sum(nn.MatrixSetDiag()(m.T, m[0, :3] ** 2) ** 3),
                           (MATRIX,)),
}


@pytest.mark.parametrize("name", sorted(SHAPED))
def test_shaped_gradients_match_finite_differences(name):
    loss, args = SHAPED[name]
    ms.check_grads(loss, *args, generic=False)


# name: (loss, arguments), in shape-generic code too
GENERIC = {
    "softmin": (lambda x: ops.sum(ops.softmin(x, 0) * np.sin(x)), (MATRIX,)),
    "softmin_vector": (lambda x: ops.sum(ops.softmin(x) ** 2), (MATRIX[0],)),
    "Moments": (lambda x: nn.Moments()(x)[0] * nn.Moments()(x)[1], (IMAGE[0],)),
    "Moments_axes": (lambda x: ops.sum(nn.Moments((0, 2), True)(x)[1] ** 2), (IMAGE[0],)),
    "ReduceLogSumExp": (lambda x: ops.sum(nn.ReduceLogSumExp(-1)(x) ** 2), (IMAGE[0],)),
    "MatDet": (lambda a: ops.sum(nn.MatDet()(a)), (IMAGE[0, :, :3, :3],)),
    "MatInverse": (lambda a: ops.sum(nn.MatInverse()(a @ np.swapaxes(a, -1, -2) + np.eye(3))
                                     * np.arange(9.0).reshape(3, 3)), (IMAGE[0, :, :3, :3],)),
    "MatrixDiag": (lambda v: ops.sum(nn.MatrixDiag()(v) * np.arange(16.0).reshape(4, 4)),
                   (MATRIX,)),
    "MatrixDiagPart": (lambda m: ops.sum(nn.MatrixDiagPart()(m) ** 3), (IMAGE[0],)),
    "TripletMarginWithDistanceLoss": (lambda a: nn.TripletMarginWithDistanceLoss()(
        a, a * 0.5 + 0.3, MATRIX[::-1] * 2.0), (MATRIX,)),
    "TripletMarginWithDistanceLoss_swap": (lambda a: nn.TripletMarginWithDistanceLoss(
        lambda u, v: ops.sum(ops.abs(u - v), -1), swap=True, reduction="sum", margin=3.0)(
        a, a * 0.5 + 0.3, MATRIX[::-1] * 2.0), (MATRIX,)),
}


@pytest.mark.parametrize("name", sorted(GENERIC))
def test_gradients_match_finite_differences(name):
    loss, args = GENERIC[name]
    ms.check_grads(loss, *args)


def test_the_embedding_rows_and_their_gradient_settings():
    """The rows named; ``padding_idx``'s row gets no gradient (a negative one counting
    from the end), and ``scale_grad_by_freq`` divides by each row's count: row 2,
    named twice, gets its gradient once."""
    weight = MATRIX
    index = np.array([[0, 2], [2, 1]])
    np.testing.assert_array_equal(ops.embedding(index, weight), weight[index])

    def total(w, **options):
        return ops.sum(ops.embedding(index, w, **options) * np.arange(1.0, 5.0))

    plain = ms.grad(total)(weight)
    np.testing.assert_allclose(plain, np.array([1.0, 1.0, 2.0])[:, None] * np.arange(1.0, 5.0))
    padded = ms.grad(lambda w: total(w, padding_idx=-2))(weight)  # row 1
    np.testing.assert_allclose(padded, np.array([1.0, 0.0, 2.0])[:, None] * np.arange(1.0, 5.0))
    scaled = ms.grad(lambda w: total(w, scale_grad_by_freq=True))(weight)
    np.testing.assert_allclose(scaled, np.array([1.0, 1.0, 1.0])[:, None] * np.arange(1.0, 5.0))
    both = ms.grad(lambda w: total(w, padding_idx=0, scale_grad_by_freq=True))(weight)
    np.testing.assert_allclose(both, np.array([0.0, 1.0, 1.0])[:, None] * np.arange(1.0, 5.0))
    assert np.array_equal(ops.embedding(index, weight, padding_idx=0), weight[index])


def test_the_matrix_cells_follow_their_formulas():
    """No MindSpore CPU kernel: the determinant and inverse (of a symmetric positive
    definite matrix, which MindSpore documents), the diagonal laid, read and set."""
    a = IMAGE[0, :, :3, :3]
    spd = a @ np.swapaxes(a, -1, -2) + np.eye(3)
    np.testing.assert_allclose(nn.MatDet()(spd), np.linalg.det(spd))
    np.testing.assert_allclose(nn.MatInverse()(spd) @ spd, np.broadcast_to(np.eye(3), spd.shape),
                               atol=1e-12)
    np.testing.assert_array_equal(nn.MatrixDiag()(np.array([1.0, 2.0])), [[1, 0], [0, 2]])
    np.testing.assert_array_equal(nn.MatrixDiagPart()(np.arange(6.0).reshape(2, 3)), [0, 4])
    set_wide = nn.MatrixSetDiag()(np.ones((2, 3)), np.array([7.0, 8.0]))
    np.testing.assert_array_equal(set_wide, [[7, 1, 1], [1, 8, 1]])
    set_tall = nn.MatrixSetDiag()(np.ones((3, 2)), np.array([7.0, 8.0]))
    np.testing.assert_array_equal(set_tall, [[7, 1], [1, 8], [1, 1]])


def test_rrelu_scales_negative_entries_by_a_drawn_slope():
    """Positive entries pass; each negative one is scaled by a slope in [lower, upper]
    drawn at each call, which is also its derivative."""
    x = np.array([[-1.0, 2.0, -3.0, 0.5], [-0.2, -4.0, 1.0, -1.5]])
    cell = nn.RReLU(0.1, 0.3)
    out = cell(x)
    negative = x < 0
    np.testing.assert_array_equal(out[~negative], x[~negative])
    slopes = out[negative] / x[negative]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3)) and np.ptp(slopes) > 0
    assert not np.array_equal(cell(x), out)  # a new draw
    value, grad = ms.value_and_grad(lambda v: ops.sum(cell(v)))(x)
    drawn = np.asarray(grad)
    np.testing.assert_array_equal(drawn[~negative], 1.0)
    assert np.all((drawn[negative] >= 0.1) & (drawn[negative] <= 0.3))
    np.testing.assert_allclose(value, np.sum(np.where(negative, x * drawn, x)))


def test_nearest_sampling_rounds_halves_away_from_zero_and_reads_nothing_outside():
    """A point halfway between pixels reads the one away from zero (MindSpore's forward
    pass), and the gradient goes where the value was read: none from a point outside."""
    image = np.arange(1.0, 21.0).reshape(1, 1, 4, 5)
    grid = np.array([[[[0.0, -1.0], [-1.0, 0.0], [0.5, -0.5], [0.0, 0.0]]]])  # y=-0.5, x=-0.5
    out = ops.grid_sample(image, grid, "nearest", "zeros", False)
    np.testing.assert_array_equal(out, [[[[0.0, 0.0, 9.0, 13.0]]]])
    grad = ms.grad(lambda x: ops.sum(ops.grid_sample(x, grid, "nearest") * np.arange(4.0)))(image)
    expected = np.zeros((1, 1, 4, 5))
    expected[0, 0, 1, 3], expected[0, 0, 2, 2] = 2.0, 3.0
    np.testing.assert_array_equal(grad, expected)


def test_the_grid_gradient_is_zero_where_a_point_is_clipped():
    """``border`` and ``reflection`` clip a point; on the bound and beyond, its
    gradient is 0, as MindSpore's."""
    image = np.arange(1.0, 21.0).reshape(1, 1, 4, 5) ** 1.5
    grid = np.array([[[[1.0, 0.2], [1.3, -0.4], [-0.3, -1.0]]]])
    for padding in ("border", "reflection"):
        grad = ms.grad(lambda g, mode=padding: ops.sum(
            ops.grid_sample(image, g, "bilinear", mode, True)))(grid)
        assert grad[0, 0, 0, 0] == 0.0 and grad[0, 0, 2, 1] == 0.0
        assert grad[0, 0, 0, 1] != 0.0 and grad[0, 0, 2, 0] != 0.0
    border = ms.grad(lambda g: ops.sum(ops.grid_sample(image, g, "bilinear", "border", True)))(
        grid)
    assert border[0, 0, 1, 0] == 0.0


LOGITS = np.array([[0.3, -1.2, 2.0, 0.5], [1.0, 1.1, -0.4, 0.0]])


def _soft_with(noise, tau):
    def soft(logits):
        return ops.softmax((logits + noise) / tau, -1)
    return soft


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_adds_gumbel_noise_and_differentiates_as_the_softmax(hard):
    """The noise is ``-log(-log(u))``, ``u`` drawn from NumPy's global state; ``hard``
    gives the one-hot of the largest entry with the softmax's gradient."""
    from autodiff_compiler.mindspore.ops_nn_sampling import _TINY
    np.random.seed(4)
    noise = -np.log(-np.log(np.random.uniform(_TINY, 1.0, LOGITS.shape)))
    soft = _soft_with(noise, 0.7)
    np.random.seed(4)
    out = np.asarray(ops.gumbel_softmax(LOGITS, 0.7, hard))
    if hard:
        np.testing.assert_array_equal(out, np.eye(4)[np.argmax(soft(LOGITS), -1)])
    else:
        np.testing.assert_allclose(out, soft(LOGITS), rtol=1e-12)
        np.testing.assert_allclose(np.sum(out, -1), 1.0)
    weights = np.arange(8.0).reshape(2, 4)
    np.random.seed(4)
    grad = ms.grad(lambda z: ops.sum(ops.gumbel_softmax(z, 0.7, hard) * weights))(LOGITS)
    np.testing.assert_allclose(
        grad, central_differences(lambda z: np.sum(soft(z) * weights), LOGITS), atol=1e-8)


def test_gumbel_softmax_draws_anew_along_dim():
    np.random.seed(5)
    first = ops.gumbel_softmax(LOGITS, 1.0, True, 0)
    assert np.array_equal(np.sum(first, 0), [1.0] * 4)
    assert not np.array_equal(ops.gumbel_softmax(LOGITS), ops.gumbel_softmax(LOGITS))


# ---------------------------------------------------------------- inactive results


def test_integer_results_carry_no_gradient():
    """``pdist`` with ``p = 0`` counts differing entries: a float count with no gradient,
    used in the loss as a weight."""
    points = np.array([[0.0, 1.0, 2.0], [0.0, 1.5, 5.0], [3.0, 1.0, 2.0]])
    counts = ops.pdist(points, 0.0)
    np.testing.assert_array_equal(counts, [2.0, 1.0, 3.0])

    def loss(x):
        return ops.sum(ops.pdist(x, 0.0) * ops.pdist(x, 1.0))

    np.testing.assert_allclose(ms.grad(loss)(points), central_differences(loss, points),
                               atol=1e-6)


def test_unpooling_keeps_the_last_of_repeated_indices():
    """Values sent to one index: the last is kept (as MindSpore's kernel), and only it
    gets a gradient."""
    x = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    index = np.array([[[1, 5, 1, 0]]])
    np.testing.assert_array_equal(nn.MaxUnpool1d(2)(x, index), [[[4, 3, 0, 0, 0, 2, 0, 0]]])
    def loss(v):
        return ops.sum(nn.MaxUnpool1d(2)(v, index) * np.arange(8.0))

    np.testing.assert_array_equal(ms.grad(loss)(x), [[[0.0, 5.0, 1.0, 0.0]]])
    np.testing.assert_allclose(ms.grad(loss)(x), central_differences(loss, x), atol=1e-8)


# ---------------------------------------------------------------- eager results

F32 = Tensor(IMAGE.astype(np.float32))
EAGER = {
    "conv1d": lambda: ops.conv1d(F32[:, :, 0], Tensor(WEIGHT.astype(np.float32))),
    "avg_pool1d": lambda: ops.avg_pool1d(F32[:, :, 0], 2, ceil_mode=True),
    "lp_pool2d": lambda: ops.lp_pool2d(F32, 2, 2),
    "unfold": lambda: ops.unfold(F32, 2), "fold": lambda: ops.fold(ops.unfold(F32, 2),
                                                                   (5, 6), 2),
    "pdist": lambda: ops.pdist(F32[0, 0]), "pdist_p0": lambda: ops.pdist(F32[0, 0], 0.0),
    "renorm": lambda: ops.renorm(F32, 2, 1, 1.0), "lrn": lambda: ops.lrn(F32),
    "softmin": lambda: ops.softmin(F32), "embedding": lambda: ops.embedding(
        Tensor(np.array([1, 0])), F32[0, 0]),
    "Moments": lambda: nn.Moments()(F32)[1], "PSNR": lambda: nn.PSNR()(F32, F32 * 0.5),
    "MaxUnpool2d": lambda: nn.MaxUnpool2d(2)(F32[:, :, :2, :2], Tensor(np.zeros(
        (2, 3, 2, 2), np.int64))),
    "MatrixSetDiag": lambda: nn.MatrixSetDiag()(F32, F32[..., 0, :5]),
    "SSIM": lambda: nn.SSIM(filter_size=5)(F32, F32 * 0.5),
    "affine_grid": lambda: ops.affine_grid(Tensor(THETA.astype(np.float32)), (2, 1, 3, 4)),
    "grid_sample": lambda: ops.grid_sample(F32, Tensor(GRID.astype(np.float32))),
    "grid_sample_nearest": lambda: ops.grid_sample(F32, Tensor(GRID.astype(np.float32)),
                                                   "nearest", "reflection"),
    "gumbel_softmax": lambda: ops.gumbel_softmax(F32, hard=True),
}


@pytest.mark.parametrize("name", sorted(EAGER))
def test_eager_results_are_float32_tensors(name):
    result = EAGER[name]()
    assert type(result) is Tensor
    assert result.dtype == np.float32


def test_softmin_casts_to_dtype_first():
    assert ops.softmin(F32, dtype=np.float64).dtype == np.float64


# ---------------------------------------------------------------- refusals

REFUSED = {
    "conv1d_rank": (lambda: ops.conv1d(IMAGE, WEIGHT), ValueError, "3-d"),
    "conv1d_groups": (lambda: ops.conv1d(SEQ, WEIGHT, groups=2), ValueError, "groups"),
    "conv1d_pad_mode": (lambda: ops.conv1d(SEQ, WEIGHT, pad_mode="full"), ValueError,
                        "pad_mode"),
    "avg_pool1d_padding": (lambda: ops.avg_pool1d(SEQ, 2, 1, 2), ValueError, "half"),
    "avg_pool1d_window": (lambda: ops.avg_pool1d(SEQ, 12), ValueError, "larger"),
    "adaptive_avg_pool1d": (lambda: ops.adaptive_avg_pool1d(SEQ, 4), ValueError, "multiple"),
    "lp_pool2d_rank": (lambda: ops.lp_pool2d(SEQ, 2, 2), ValueError, "4-d"),
    "embedding_max_norm": (lambda: ops.embedding(np.array([0]), MATRIX, max_norm=1.0),
                           ValueError, "max_norm"),
    "embedding_float_index": (lambda: ops.embedding(np.array([0.0]), MATRIX), TypeError,
                              "integer"),
    "fold_shape": (lambda: ops.fold(np.ones((1, 7, 12)), (5, 6), 2), ValueError, "columns"),
    "fold_size": (lambda: ops.fold(np.ones((1, 4, 12)), (1, 2, 3), 2), ValueError,
                  "output_size"),
    "unfold_kernel": (lambda: ops.unfold(IMAGE, (1, 2, 3)), ValueError, "pair"),
    "pdist_rank": (lambda: ops.pdist(SEQ), ValueError, "2-d"),
    "pdist_p": (lambda: ops.pdist(POINTS, -1.0), ValueError, "at least 0"),
    "renorm_axis": (lambda: ops.renorm(MATRIX, 2, 2, 1.0), ValueError, "axis"),
    "renorm_p": (lambda: ops.renorm(MATRIX, 0, 0, 1.0), ValueError, "positive"),
    "lrn_region": (lambda: ops.lrn(IMAGE, norm_region="WITHIN_CHANNEL"), ValueError,
                   "ACROSS_CHANNELS"),
    "LRN_region": (lambda: nn.LRN(norm_region="WITHIN_CHANNEL"), ValueError, "ACROSS"),
    "CentralCrop_fraction": (lambda: nn.CentralCrop(1.5), ValueError, "central_fraction"),
    "CentralCrop_rank": (lambda: nn.CentralCrop(0.5)(MATRIX), ValueError, "image"),
    "PSNR_shapes": (lambda: nn.PSNR()(IMAGE, IMAGE[0]), ValueError, "one shape"),
    "PSNR_max_val": (lambda: nn.PSNR(0.0), ValueError, "max_val"),
    "ImageGradients_rank": (lambda: nn.ImageGradients()(SEQ), ValueError, "N, C, H, W"),
    "MatrixSetDiag": (lambda: nn.MatrixSetDiag()(MATRIX, np.ones(4)), ValueError, "diagonal"),
    "MaxUnpool_size": (lambda: nn.MaxUnpool1d(2)(SEQ, np.zeros(SEQ.shape, int), (2, 3, 30)),
                       ValueError, "within the stride"),
    "MaxUnpool_rank": (lambda: nn.MaxUnpool2d(2)(SEQ[0, 0], np.zeros(9, int)), ValueError,
                       "axes"),
    "MaxUnpool_sizes": (lambda: nn.MaxUnpool2d((2, 2, 2)), ValueError, "2 sizes"),
    "MaxUnpool_index": (lambda: nn.MaxUnpool1d(2)(SEQ[:, :, :2], np.full((2, 3, 2), 9)),
                        AssertionError, "outside"),
    "affine_grid": (lambda: ops.affine_grid(THETA, (2, 1, 3)), ValueError, "does not fit"),
    "affine_grid_batch": (lambda: ops.affine_grid(THETA, (3, 1, 3, 4)), ValueError, "fit"),
    "grid_sample_mode": (lambda: ops.grid_sample(IMAGE, GRID, "bicubic"), ValueError, "mode"),
    "grid_sample_padding": (lambda: ops.grid_sample(IMAGE, GRID, padding_mode="wrap"),
                            ValueError, "padding_mode"),
    "grid_sample_grid": (lambda: ops.grid_sample(IMAGE, GRID[..., :1]), ValueError,
                         "Ho, Wo, 2"),
    "gumbel_softmax_tau": (lambda: ops.gumbel_softmax(LOGITS, 0.0), ValueError, "tau"),
    "SSIM_size": (lambda: nn.SSIM()(IMAGE, IMAGE), ValueError, "at least 11"),
    "SSIM_settings": (lambda: nn.SSIM(filter_sigma=0.0), ValueError, "positive"),
    "RReLU_bounds": (lambda: nn.RReLU(0.5, 0.1), ValueError, "lower"),
    "Triplet_margin": (lambda: nn.TripletMarginWithDistanceLoss(margin=-1.0), ValueError,
                       "margin"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_arguments_are_refused_clearly(name):
    call, error, message = REFUSED[name]
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("groups, channels", [(1, 4), (2, 2)], ids=["plain", "grouped"])
def test_a_convolution_whose_channels_do_not_match_names_them(groups, channels):
    """MindSpore names the C_in mismatch; NumPy's reshape error ('cannot reshape array
    of size 216') said nothing of it."""
    x = Tensor(np.ones((2, channels, 7, 7), np.float32))
    weight = Tensor(np.ones((6, 3, 3, 3), np.float32))
    with pytest.raises(ValueError, match=rf"input's channels \(C_in {channels},.*weight's "
                                         rf"\(3,.*groups \({groups}\)"):
        ops.conv2d(x, weight, groups=groups)
    with pytest.raises(ms.AutodiffError, match=r"C_in[\s\S]*test_mindspore_nn_functional"
                                              r"|test_mindspore_nn_functional[\s\S]*C_in"):
        ms.grad(lambda a: ops.conv2d(a, weight, groups=groups).sum())(x)  # at this line


# MindSpore 2.10 on rng(0)'s standard normals, shape (2, 3, 7, 6), float32: the output's
# shape, the sum of the values and of the indices, the sum of the gradient of sum(out ** 2)
# and of its squares, as MindSpore printed them
POOLS_WITH_INDICES = [
    (dict(kernel_size=2, stride=2), (2, 3, 3, 3), 57.54948806762695, 966,
     115.0989761352539, 327.034423828125),
    (dict(kernel_size=3, stride=2, padding=1), (2, 3, 4, 3), 100.85904693603516, 1457,
     201.7180938720703, 1704.1326904296875),
    (dict(kernel_size=3, stride=2, ceil_mode=True), (2, 3, 3, 3), 72.79821014404297, 1070,
     145.59642028808594, 589.2705078125),
    (dict(kernel_size=2, stride=2, ceil_mode=True, padding=1), (2, 3, 4, 4),
     72.28827667236328, 1708, 144.57655334472656, 468.5389404296875),
    (dict(kernel_size=3, stride=1, dilation=2), (2, 3, 3, 2), 50.7495231628418, 662,
     101.4990463256836, 400.15972900390625),
]


@pytest.mark.parametrize("settings, shape, total, index_total, grad_total, grad_squares",
                         POOLS_WITH_INDICES, ids=lambda v: "-".join(
                             f"{k}{w}" for k, w in v.items()) if isinstance(v, dict) else None)
def test_max_pool_with_indices_and_ceil_mode_as_mindspore(settings, shape, total,
                                                          index_total, grad_total,
                                                          grad_squares):
    """SegNet's pooling: return_indices and ceil_mode were refused."""
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32))
    values, indices = ops.max_pool2d(x, return_indices=True, **settings)
    assert values.shape == shape and indices.dtype == np.int64
    assert float(values.sum()) == pytest.approx(total, rel=1e-6)
    assert int(indices.sum()) == index_total
    np.testing.assert_array_equal(np.take_along_axis(
        x.reshape(2, 3, -1), indices.reshape(2, 3, -1), -1).reshape(shape), values)
    grad = ms.grad(lambda a: (ops.max_pool2d(a, return_indices=True, **settings)[0] ** 2)
                   .sum())(x)
    assert float(grad.sum()) == pytest.approx(grad_total, rel=1e-5)
    assert float((grad * grad).sum()) == pytest.approx(grad_squares, rel=1e-5)


def test_max_unpool_takes_max_pools_indices_as_mindspore():
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))

    def round_trip(a):
        values, indices = ops.max_pool2d(a, 2, 2, return_indices=True)
        return (ops.max_unpool2d(values * 2, indices, 2, 2) * a).sum()

    assert float(round_trip(x)) == pytest.approx(150.4320526123047, rel=1e-6)
    grad = ms.grad(round_trip)(x)  # MindSpore 2.10: 224.8167266845703, 1203.4564208984375
    assert float(grad.sum()) == pytest.approx(224.8167266845703, rel=1e-5)
    assert float((grad * grad).sum()) == pytest.approx(1203.4564208984375, rel=1e-5)
    pool = nn.MaxPool2d(2, 2, pad_mode="pad", return_indices=True)
    assert float(nn.MaxUnpool2d(2, 2)(*pool(x)).sum()) == pytest.approx(56.20418167114258,
                                                                         rel=1e-6)
    with pytest.raises(ValueError, match="need pad_mode 'pad'"):
        nn.MaxPool2d(2, 2, ceil_mode=True)


# MindSpore 2.10 on the same draws: output size, (shape, sum of values, sum of indices,
# sum of the gradient of sum(out ** 2))
ADAPTIVE_WITH_INDICES = [
    ((3, 2), (2, 3, 3, 2), 51.09866714477539, 698, 102.19733428955078),
    (4, (2, 3, 4, 4), 115.1620864868164, 1984, 230.3241729736328),
    ((7, 3), (2, 3, 7, 3), 68.26545715332031, 2589, 136.53091430664062),
    ((None, 4), (2, 3, 7, 4), 95.00357055664062, 3448, 190.00714111328125),
]


@pytest.mark.parametrize("size, shape, total, index_total, grad_total", ADAPTIVE_WITH_INDICES,
                         ids=str)
def test_adaptive_max_pool_with_indices_as_mindspore(size, shape, total, index_total,
                                                    grad_total):
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32))
    values, indices = ops.adaptive_max_pool2d(x, size, return_indices=True)
    assert values.shape == shape and indices.dtype == np.int64
    assert float(values.sum()) == pytest.approx(total, rel=1e-6)
    assert int(indices.sum()) == index_total
    grad = ms.grad(lambda a: (ops.adaptive_max_pool2d(a, size, True)[0] ** 2).sum())(x)
    assert float(grad.sum()) == pytest.approx(grad_total, rel=1e-5)
    cell_values, cell_indices = nn.AdaptiveMaxPool2d(size, return_indices=True)(x)
    np.testing.assert_array_equal(cell_values, values)
    np.testing.assert_array_equal(cell_indices, indices)
