"""What the checkpointing tests share: small float64 inputs and a comparison of two
functions' gradients (one checkpointed, one not)."""
from __future__ import annotations

import numpy as np

import autodiff_compiler as adc

RNG = np.random.default_rng(7)
H = 4
w = RNG.normal(size=(H, H)) * 0.6
u = RNG.normal(size=(H, 3)) * 0.6
H0 = RNG.normal(size=H)
XS = RNG.normal(size=(11, 3))


def assert_same_gradient(f, plain, *args, positions=(0,)):
    """``grad(f)`` equals ``grad(plain)`` at ``args`` to rounding."""
    got = adc.grad(f, grad_position=positions)(*args)
    want = adc.grad(plain, grad_position=positions)(*args)
    for g, v in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(g, v, rtol=1e-12, atol=1e-14)
