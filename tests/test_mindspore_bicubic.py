"""``ops.interpolate(mode="bicubic")`` and ``nn.Upsample(mode="bicubic")``
(``ops_resize.bicubic_weights``): the weights by which each sample is made, against
MindSpore 2.10's CPU ``ResizeBicubic`` (resizing one-hot inputs gives them), a 2-d
resize against the two 1-d tables applied in turn, and gradients against central
finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

# Measured on MindSpore 2.10 (CPU): ops.interpolate(eye(m) as (1, m, m, 1), size=(n, 1),
# mode="bicubic", align_corners=...)[0, :, :, 0] -- row k is what input entry k gives to
# each of the n samples. The 1/1024-step cubic table shows (0.34058824 rather than the
# exact cubic's 0.3406...), and half-pixel sampling drops the taps past the ends and
# renormalises (1.0792164 at the first sample).
MEASURED = [
    ((4, 7, False), [[1.0792164, 0.697636, 0.04515877, -0.0625, 0.0, 0.0, 0.0],
                     [-0.0792164, 0.34058824, 0.98551244, 0.5625, -0.03067117, -0.03822421, 0.0],
                     [0.0, -0.03822421, -0.03067117, 0.5625, 0.9855123, 0.34058824, -0.0792164],
                     [0.0, 0.0, 0.0, -0.0625, 0.04515877, 0.697636, 1.0792164]]),
    ((4, 7, True), [[1.0, 0.5, 0.0, -0.09375, 0.0, 0.0, 0.0],
                    [0.0, 0.59375, 1.0, 0.59375, 0.0, -0.09375, 0.0],
                    [0.0, -0.09375, 0.0, 0.59375, 1.0, 0.59375, 0.0],
                    [0.0, 0.0, 0.0, -0.09375, 0.0, 0.5, 1.0]]),
    ((5, 2, False), [[0.22137405, 0.0], [0.84732825, 0.0], [-0.06870229, -0.06870229],
                     [0.0, 0.84732825], [0.0, 0.22137405]]),
    ((5, 2, True), [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0]]),
    ((3, 1, False), [[0.0], [1.0], [0.0]]),
]


@pytest.mark.parametrize("case, table", MEASURED, ids=[str(c) for c, _ in MEASURED])
def test_bicubic_weights_are_mindspores(case, table):
    m, n, align_corners = case
    x = Tensor(np.eye(m, dtype=np.float32).reshape(1, m, m, 1))
    out = ops.interpolate(x, size=(n, 1), mode="bicubic", align_corners=align_corners)
    np.testing.assert_allclose(out.asnumpy()[0, :, :, 0], table, rtol=1e-5, atol=2e-7)


def test_a_2d_resize_is_the_two_tables_in_turn():
    from autodiff_compiler.mindspore.ops_resize import bicubic_weights
    x = np.sin(np.arange(40.0)).reshape(1, 2, 4, 5).astype(np.float32)
    out = nn.Upsample(size=(7, 3), mode="bicubic")(Tensor(x)).asnumpy()
    rows, cols = bicubic_weights(4, 7, False), bicubic_weights(5, 3, False)
    np.testing.assert_allclose(out, np.einsum("nchw,hi,wj->ncij", x, rows, cols), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic_gradient_matches_finite_differences(align_corners):
    x = np.cos(np.arange(24.0) * 0.7).reshape(1, 2, 3, 4)
    w = np.sin(np.arange(2 * 5 * 6.0)).reshape(1, 2, 5, 6)

    def loss(a):
        return ops.sum(ops.interpolate(a, size=(5, 6), mode="bicubic",
                                       align_corners=align_corners) * Tensor(w))

    grad = ms.grad(loss)(Tensor(x))
    np.testing.assert_allclose(grad.asnumpy(), central_differences(
        lambda a: loss(Tensor(a)).asnumpy(), x), rtol=1e-6, atol=1e-8)


def test_bicubic_takes_4d_input_only():
    with pytest.raises(ValueError, match=r"bicubic only support '\[4\]'D, but got 3D"):
        ops.interpolate(Tensor(np.zeros((1, 2, 3), np.float32)), size=5, mode="bicubic")
