"""``nn.SSIM`` with an even ``filter_size`` and ``nn.MSSSIM`` (``image_quality``): values
against MindSpore 2.10's (graph mode: its PyNative mode refuses these Cells on CPU),
gradients against central finite differences, and a clipped scale's zero gradient."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn


def _images(n, c, h, w, k, dtype=np.float32):
    i = np.arange(n * c * h * w, dtype=np.float64).reshape(n, c, h, w)
    a = 0.5 + 0.4 * np.sin(i * 0.37 + k)
    b = 0.5 + 0.4 * np.sin(i * 0.37 + k + 0.3 * np.cos(i * 0.11))
    return a.astype(dtype), b.astype(dtype)


# Measured on MindSpore 2.10 (CPU, GRAPH_MODE) on these images. The even filter sizes
# use MindSpore's window, whose offsets run -size//2+1 ... size//2 (one tap off centre).
MEASURED = [
    ("ssim_even", lambda: nn.SSIM(filter_size=4), (2, 2, 12, 13, 0.0),
     [0.9822707176208496, 0.9829298257827759]),
    ("ssim_even_settings", lambda: nn.SSIM(max_val=2.0, filter_size=6, filter_sigma=0.9),
     (2, 2, 12, 13, 0.0), [0.9800137281417847, 0.9832757711410522]),
    ("msssim_three_scales", lambda: nn.MSSSIM(power_factors=(0.3, 0.3, 0.4), filter_size=3),
     (2, 2, 13, 15, 1.0), [0.979515790939331, 0.9732083082199097]),
    ("msssim_even_settings", lambda: nn.MSSSIM(max_val=2.0, power_factors=[0.5, 0.5],
                                               filter_size=4, filter_sigma=1.0, k1=0.02,
                                               k2=0.05),
     (1, 3, 12, 12, 2.0), [0.9821653366088867]),
]


@pytest.mark.parametrize("make, shape, expected", [c[1:] for c in MEASURED],
                         ids=[c[0] for c in MEASURED])
def test_values_are_mindspores(make, shape, expected):
    a, b = _images(*shape)
    np.testing.assert_allclose(make()(Tensor(a), Tensor(b)).asnumpy(), expected, rtol=2e-6)


def test_msssim_gradient_matches_finite_differences():
    a, b = _images(1, 2, 12, 13, 0.5, np.float64)
    cell = nn.MSSSIM(power_factors=(0.5, 0.5), filter_size=3)

    def loss(x):
        return cell(x, Tensor(b)).sum()

    grad = ms.grad(loss)(Tensor(a)).asnumpy()
    np.testing.assert_allclose(grad, central_differences(lambda x: float(loss(Tensor(x))), a),
                               rtol=1e-5, atol=1e-9)


def test_a_clipped_scale_has_zero_gradient_not_nan():
    # channel 1 anti-correlated: its contrast terms are negative and clipped to 0, whose
    # power has an infinite derivative; MindSpore 2.10 gives 0.5 and a zero gradient there
    # (measured), as a selection does.
    i = np.arange(2 * 8 * 8, dtype=np.float64).reshape(1, 2, 8, 8)
    a = (0.5 + 0.4 * np.sin(i * 0.37)).astype(np.float32)
    b = a.copy()
    b[0, 1] = 1 - a[0, 1]
    cell = nn.MSSSIM(power_factors=(0.4, 0.6), filter_size=3)
    np.testing.assert_allclose(cell(Tensor(a), Tensor(b)).asnumpy(), [0.5], rtol=1e-6)
    grad = ms.grad(lambda x, y: cell(x, y).sum())(Tensor(a), Tensor(b)).asnumpy()
    assert not np.isnan(grad).any()
    np.testing.assert_array_equal(grad[0, 1], 0.0)
