"""An OrderedDict is a pytree, as a dict is (``vmap`` left one unbatched, ``grad`` took
it as a constant object), and a namedtuple may give ``vmap``'s axes (JAX's
test_vmap_structured_in_axes; it raised TypeError from inside the package)."""
from __future__ import annotations

import collections

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

Point = collections.namedtuple("Point", ["x", "y"])
RNG = np.random.default_rng(3)
XS = RNG.standard_normal(3)
TABLE = RNG.standard_normal(3)


def scaled(x, d):
    return x * d["a"] + d["b"]


@pytest.mark.parametrize("kind", [dict, collections.OrderedDict], ids=lambda k: k.__name__)
def test_vmap_batches_every_array_of_a_dict_argument(kind):
    d = kind([("a", TABLE), ("b", 2.0 * TABLE)])
    expected = [scaled(XS[i], {"a": TABLE[i], "b": 2.0 * TABLE[i]}) for i in range(3)]
    np.testing.assert_allclose(adc.vmap(scaled)(XS, d), expected)
    by_key = adc.vmap(scaled, in_axes=(0, kind([("a", 0), ("b", None)])))
    shared = kind([("a", TABLE), ("b", 1.5)])
    np.testing.assert_allclose(by_key(XS, shared), XS * TABLE + 1.5)


def loss(d, x):
    return np.sum(np.tanh(d["w"] * x)) + d["c"] ** 2


def test_grad_of_an_ordered_dict_argument_matches_central_differences_and_is_not_stale():
    d = collections.OrderedDict([("w", RNG.standard_normal(3)), ("c", 0.7)])
    grad = adc.grad(loss)
    for _ in range(2):
        g = grad(d, XS)
        expected_w = central_differences(
            lambda w: loss(collections.OrderedDict([("w", w), ("c", d["c"])]), XS), d["w"])
        np.testing.assert_allclose(g["w"], expected_w, rtol=1e-6, atol=1e-8)
        assert g["c"] == pytest.approx(2.0 * d["c"])
        d["w"] = d["w"] * 2.0  # a new array under the key: the next call reads it
        d["c"] = 1.3


def swap(p):
    return Point(p.y * 2.0, p.x)


def test_namedtuple_axes():
    p = Point(RNG.standard_normal((2, 5)), RNG.standard_normal((5, 2)))
    out = adc.vmap(swap, in_axes=(Point(1, 0),))(p)
    assert isinstance(out, Point)
    np.testing.assert_allclose(out.x, p.y * 2.0)
    np.testing.assert_allclose(out.y, p.x.T)
    moved = adc.vmap(swap, in_axes=(Point(1, 0),), out_axes=Point(1, 0))(p)
    np.testing.assert_allclose(moved.x, (p.y * 2.0).T)
    np.testing.assert_allclose(moved.y, p.x.T)
