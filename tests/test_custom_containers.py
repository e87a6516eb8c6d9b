"""``custom_vjp`` and ``custom_jvp`` functions taking arrays in containers (JAX's
pytrees): each array is a parameter of its own, the JVP rule gets each argument's
tangent in the argument's containers, and ``bwd`` returns each argument's cotangent in
them. Expected numbers are JAX 0.10's (x64), for the namedtuple ``Point`` examples of
its notebook "Custom derivative rules" and a tuple-and-dict one."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError

Point = namedtuple("Point", ["x", "y"])
X = np.array([0.5, -1.0, 2.0])
Y = np.array([1.5, 0.3, -0.7])
W = np.array(2.0)


@adc.custom_jvp
def point_jvp(pt):
    x, y = pt.x, pt.y
    return {'a': x ** 2, 'b': (np.sin(x), np.cos(y))}


@point_jvp.defjvp
def point_jvp_rule(primals, tangents):
    pt, = primals
    pt_dot, = tangents
    ans = point_jvp(pt)
    ans_dot = {'a': 2 * pt.x * pt_dot.x,
               'b': (np.cos(pt.x) * pt_dot.x, -np.sin(pt.y) * pt_dot.y)}
    return ans, ans_dot


@adc.custom_vjp
def point_vjp(pt):
    x, y = pt.x, pt.y
    return {'a': x ** 2, 'b': (np.sin(x), np.cos(y))}


def point_vjp_fwd(pt):
    return point_vjp(pt), pt


def point_vjp_bwd(pt, g):
    a_bar, (b0_bar, b1_bar) = g['a'], g['b']
    x_bar = 2 * pt.x * a_bar + np.cos(pt.x) * b0_bar
    y_bar = -np.sin(pt.y) * b1_bar
    return (Point(x_bar, y_bar),)


point_vjp.defvjp(point_vjp_fwd, point_vjp_bwd)


def on_jvp_point(pt):
    dct = point_jvp(pt)
    return dct['a'] + dct['b'][0]


def on_vjp_point(pt):
    dct = point_vjp(pt)
    return dct['a'] + dct['b'][0]


@adc.custom_vjp
def pair_and_dict(pair, d):
    return pair[0] * d["w"] + np.sin(pair[1])


def pair_and_dict_fwd(pair, d):
    return pair_and_dict(pair, d), (pair, d)


def pair_and_dict_bwd(res, ct):
    pair, d = res
    return (ct * d["w"], ct * np.cos(pair[1])), {"w": np.sum(ct * pair[0])}


pair_and_dict.defvjp(pair_and_dict_fwd, pair_and_dict_bwd)


def pair_loss(p, d):
    return np.sum(pair_and_dict(p, d) ** 2)


def pair_gradient_sum(x):
    return np.sum(adc.grad(lambda x_: pair_loss((x_, Y), {"w": W}))(x))


PT = Point(1., 2.)
CASES = [
    ("jvp_point_grad", lambda: adc.grad(on_jvp_point)(PT), Point(2.5403023058681398, 0.0)),
    ("jvp_point_jvp", lambda: adc.jvp(on_jvp_point, (PT,), (Point(1., 1.),)),
     (1.8414709848078965, 2.5403023058681398)),
    ("jvp_point_grad_grad",
     lambda: adc.grad(adc.grad(lambda x: on_jvp_point(Point(x, 2.0))))(1.0), 1.1585290151921035),
    ("vjp_point_grad", lambda: adc.grad(on_vjp_point)(PT), Point(2.5403023058681398, 0.0)),
    ("vjp_point_arrays", lambda: adc.grad(lambda p: np.sum(on_vjp_point(p)))(Point(X, Y)),
     Point(2 * X + np.cos(X), np.zeros(3))),
    ("vjp_tuple_and_dict", lambda: adc.grad(pair_loss, grad_position=(0, 1))((X, Y), {"w": W}),
     (([7.98997995, -6.81791917, 13.42312925], [0.28259441, -3.25670348, 5.13328777]),
      {"w": 18.82958382})),
    ("vjp_grad_of_grad", lambda: adc.grad(pair_gradient_sum)(X), np.full(3, 8.0)),
]


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in _leaves(tree[k])]
    if isinstance(tree, tuple | list) and not isinstance(tree[0], float):
        return [leaf for t in tree for leaf in _leaves(t)]
    return [tree]


@pytest.mark.parametrize("compute, want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_container_arguments_give_jaxs_numbers_in_their_structure(compute, want):
    got = compute()
    assert type(got) is type(want)
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-12)


def test_a_true_container_rule_agrees_with_finite_differences():
    adc.check_grads(lambda x, y: np.sum(on_vjp_point(Point(x, y)) ** 2), X, Y, modes=("rev",))
    adc.check_grads(lambda x, y: np.sum(on_jvp_point(Point(x, y)) ** 2), X, Y)


def _tuple_for_a_point(pt, g):
    return ((g, g),)  # a tuple where the input is a Point


@adc.custom_vjp
def wrong_structure(pt):
    return pt.x * pt.y


wrong_structure.defvjp(lambda pt: (wrong_structure(pt), pt), _tuple_for_a_point)


def test_a_cotangent_in_other_containers_is_refused_at_the_rule():
    with pytest.raises(AutodiffError, match=r"structured as \(LEAF, LEAF\) for an input "
                                            r"structured as Point\(x=LEAF, y=LEAF\)") as info:
        adc.grad(lambda p: wrong_structure(p))(PT)
    assert "def _tuple_for_a_point" in info.value.loc.source
