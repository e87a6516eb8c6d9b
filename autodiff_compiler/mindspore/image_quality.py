"""MindSpore's image similarity measures ``nn.PSNR``, ``nn.SSIM`` and ``nn.MSSSIM``;
re-exported by ``nn``. Each ``construct`` is whole-array NumPy, compiled like user code
inside a differentiated function (a loss of ``1 - ssim`` trains through it).

Choices, as MindSpore 2.10 makes them (measured in its graph mode: its PyNative mode
refuses these Cells on CPU):

* The Gaussian window has offsets ``-size // 2 + 1 ... size // 2`` (MindSpore's
  ``np.mgrid`` range), so an even ``filter_size`` gives a window one tap off centre,
  not a symmetric one; odd sizes are symmetric either way.
* ``SSIM`` filters separably (the window is the outer product of a line): ``2 k``
  weighted slices for each local mean where a 2-d window would take ``k^2``.
* ``MSSSIM`` computes, at each of ``len(power_factors)`` scales (each the last halved
  by a 2x2 average, rounding down), per image and channel the mean SSIM and the mean
  contrast-structure term ``(2 sxy + c2) / (sx^2 + sy^2 + c2)``; each is clipped at 0,
  the contrast terms of all scales but the last and the SSIM of the last are raised to
  the power factors and multiplied, and the result is averaged over the channels.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .nn import Cell

__all__ = ["PSNR", "SSIM", "MSSSIM"]


class PSNR(Cell):
    """The peak signal-to-noise ratio of each image pair (N, C, H, W):
    ``10 log10(max_val^2 / mse)``, (N,)."""

    def __init__(self, max_val: float = 1.0) -> None:
        super().__init__()
        if max_val <= 0:
            raise ValueError(f"PSNR: max_val must be positive, not {max_val}")
        self.max_val = max_val

    def construct(self, img1: Any, img2: Any) -> Any:
        if np.ndim(img1) != 4 or np.shape(img1) != np.shape(img2):
            raise ValueError(f"PSNR: the images must be (N, C, H, W) of one shape, not "
                             f"{np.shape(img1)} and {np.shape(img2)}")
        mse = np.mean(np.square(img1 - img2), axis=(1, 2, 3))
        return 10.0 * np.log10(self.max_val * self.max_val / mse)


class SSIM(Cell):
    """The structural similarity of each image pair (N, C, H, W), (N,): the mean over
    channels and positions of ``(2 mx my + c1) (2 sxy + c2) / ((mx^2 + my^2 + c1) (sx^2 +
    sy^2 + c2))``, the local means and (co)variances weighted by a ``filter_size``
    Gaussian of ``filter_sigma`` over the windows inside the image, ``c1 = (k1
    max_val)^2`` and ``c2 = (k2 max_val)^2``."""

    def __init__(self, max_val: float = 1.0, filter_size: int = 11, filter_sigma: float = 1.5,
                 k1: float = 0.01, k2: float = 0.03) -> None:
        super().__init__()
        if max_val <= 0 or filter_size < 1 or filter_sigma <= 0:
            raise ValueError(f"{type(self).__name__}: max_val ({max_val}), filter_size "
                             f"({filter_size}) and filter_sigma ({filter_sigma}) must be "
                             "positive")
        self.max_val, self.filter_size, self.filter_sigma = max_val, filter_size, filter_sigma
        self.k1, self.k2 = k1, k2

    def check(self, img1: Any, img2: Any) -> None:
        if np.ndim(img1) != 4 or np.shape(img1) != np.shape(img2) \
                or min(np.shape(img1)[2:]) < self.filter_size:
            raise ValueError(f"{type(self).__name__}: the images must be (N, C, H, W) of one "
                             f"shape, at least {self.filter_size} in height and width, not "
                             f"{np.shape(img1)} and {np.shape(img2)}")

    def similarity(self, img1: Any, img2: Any) -> tuple:
        """Per image and channel, (N, C): the mean SSIM and the mean contrast-structure
        term."""
        line = _gaussian(self.filter_size, self.filter_sigma)
        size = self.filter_size

        def local(x: Any) -> Any:  # the Gaussian-weighted mean of each window, separably
            rows = np.shape(x)[2] - size + 1
            cols = np.shape(x)[3] - size + 1
            down = sum([x[:, :, i:i + rows] * line[i] for i in range(size)])
            return sum([down[..., j:j + cols] * line[j] for j in range(size)])

        c1 = (self.k1 * self.max_val) ** 2
        c2 = (self.k2 * self.max_val) ** 2
        mean1, mean2 = local(img1), local(img2)
        means = mean1 * mean2
        squares = mean1 * mean1 + mean2 * mean2
        luminance = (2 * means + c1) / (squares + c1)
        covariance = local(img1 * img2) - means
        variances = local(img1 * img1) + local(img2 * img2) - squares
        contrast = (2 * covariance + c2) / (variances + c2)
        return np.mean(luminance * contrast, axis=(2, 3)), np.mean(contrast, axis=(2, 3))

    def construct(self, img1: Any, img2: Any) -> Any:
        self.check(img1, img2)
        return np.mean(self.similarity(img1, img2)[0], axis=1)


class MSSSIM(SSIM):
    """Multi-scale structural similarity of each image pair (N, C, H, W), (N,), over
    ``len(power_factors)`` scales (see the module's docstring)."""

    def __init__(self, max_val: float = 1.0,
                 power_factors: Any = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333),
                 filter_size: int = 11, filter_sigma: float = 1.5, k1: float = 0.01,
                 k2: float = 0.03) -> None:
        super().__init__(max_val, filter_size, filter_sigma, k1, k2)
        if not isinstance(power_factors, tuple | list):
            raise TypeError(f"For 'MSSSIM', the type of 'power_factors' should be one of "
                            f"['tuple', 'list'], but got type "
                            f"'{type(power_factors).__name__}'.")
        self.power_factors = tuple(float(w) for w in power_factors)

    def construct(self, img1: Any, img2: Any) -> Any:
        self.check(img1, img2)
        terms = []
        for level, weight in enumerate(self.power_factors):
            ssim, contrast = self.similarity(img1, img2)
            last = level == len(self.power_factors) - 1
            term = ssim if last else contrast
            # clipped at 0 by a selection, as MindSpore's ReLU: a clipped term's gradient
            # is 0 even where the power's derivative at 0 is infinite
            terms.append(np.where(term > 0, term, 0.0) ** weight)
            if not last:
                img1, img2 = _halved(img1), _halved(img2)
        product = terms[0]
        for term in terms[1:]:
            product = product * term
        return np.mean(product, axis=1)


def _halved(x: Any) -> Any:
    """The 2x2 averages of (N, C, H, W) images (an odd last row or column dropped)."""
    rows, cols = np.shape(x)[2] // 2 * 2, np.shape(x)[3] // 2 * 2
    x = x[:, :, :rows, :cols]
    return (x[:, :, 0::2, 0::2] + x[:, :, 1::2, 0::2] + x[:, :, 0::2, 1::2]
            + x[:, :, 1::2, 1::2]) * 0.25


def _gaussian(size: int, sigma: float) -> tuple:
    """A normalised Gaussian of ``size`` taps at MindSpore's offsets (see the module's
    docstring), as Python floats (so that they keep the images' dtype); the 2-d window
    is its outer product."""
    offsets = np.arange(size, dtype=np.float64) + (-size // 2 + 1)
    line = np.exp(-offsets * offsets / (2 * sigma * sigma))
    return tuple(float(v) for v in line / np.sum(line))


for _helper in (_gaussian,):
    _helper.__evaluated_when_compiling__ = True  # a constant of the settings
