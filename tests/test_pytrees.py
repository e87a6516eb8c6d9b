"""Tuples, lists and dicts of arrays (and nests of them) as differentiated arguments:
the gradient comes back in the argument's structure, checked against central finite
differences leaf by leaf, with the MindSpore options around it."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import Parameter
from autodiff_compiler.errors import AutodiffError

RNG = np.random.default_rng(7)
X = RNG.normal(size=(5, 3))


def mlp_loss(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    return np.mean((h @ params["W2"]) ** 2)


def pair_loss(ws, x):
    w, scale = ws
    return np.sum(np.sin(x @ w) * scale)


def nested_loss(tree, x):
    return np.sum(np.exp(x @ tree["layers"][0]) * tree["layers"][1]) + np.sum(tree["bias"] ** 2)


def with_config(x, cfg):
    return np.sum(x ** 2) * cfg["scale"]


PARAMS = {"W1": RNG.normal(size=(3, 4)) * 0.5, "b1": RNG.normal(size=4) * 0.1,
          "W2": RNG.normal(size=(4, 2)) * 0.5}
PAIR = (RNG.normal(size=(3, 2)) * 0.3, RNG.normal(size=2))
NESTED = {"layers": [RNG.normal(size=(3, 2)) * 0.2, RNG.normal(size=(2,))],
          "bias": RNG.normal(size=())}


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    if isinstance(tree, tuple | list):
        return [leaf for v in tree for leaf in _leaves(v)]
    return [tree]


def _numeric(fn, tree, x, eps=1e-6):
    """Central differences of ``fn(tree, x)`` with respect to every entry of every leaf,
    in the tree's structure (leaves perturbed in place on copies)."""
    def copy(t):
        if isinstance(t, dict):
            return {k: copy(v) for k, v in t.items()}
        if isinstance(t, tuple | list):
            return type(t)(copy(v) for v in t)
        return np.array(t, dtype=float)

    def grad_of(path_leaf_index):
        base = copy(tree)
        leaf = _leaves(base)[path_leaf_index]
        out = np.zeros_like(leaf)
        for idx in np.ndindex(leaf.shape):
            old = leaf[idx]
            leaf[idx] = old + eps
            up = fn(base, x)
            leaf[idx] = old - eps
            down = fn(base, x)
            leaf[idx] = old
            out[idx] = (up - down) / (2 * eps)
        return out

    grads = iter([grad_of(i) for i in range(len(_leaves(tree)))])

    def rebuild(t):
        if isinstance(t, dict):
            return {k: rebuild(v) for k, v in t.items()}
        if isinstance(t, tuple | list):
            return type(t)(rebuild(v) for v in t)
        return next(grads)
    return rebuild(tree)


def _assert_same_tree(got, want):
    assert type(got) is type(want)
    if isinstance(want, dict):
        assert list(got) == list(want)
    assert len(_leaves(got)) == len(_leaves(want))
    for g, w in zip(_leaves(got), _leaves(want)):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("fn, tree", [(mlp_loss, PARAMS), (pair_loss, PAIR),
                                      (pair_loss, list(PAIR)), (nested_loss, NESTED)],
                         ids=["dict", "tuple", "list", "nested"])
def test_gradient_has_the_arguments_structure_and_matches_finite_differences(fn, tree):
    _assert_same_tree(adc.grad(fn)(tree, X), _numeric(fn, tree, X))


def test_several_positions_value_and_aux():
    def loss_and_norm(params, x):
        value = mlp_loss(params, x)
        return value, np.sum(params["b1"] ** 2)

    (value, aux), (g_params, g_x) = adc.value_and_grad(
        loss_and_norm, grad_position=(0, 1), has_aux=True)(PARAMS, X)
    assert value == pytest.approx(mlp_loss(PARAMS, X))
    assert aux == pytest.approx(np.sum(PARAMS["b1"] ** 2))
    _assert_same_tree(g_params, _numeric(mlp_loss, PARAMS, X))
    want_x = _numeric(lambda x, p: mlp_loss(p, x), X, PARAMS)
    np.testing.assert_allclose(g_x, want_x, rtol=1e-6, atol=1e-9)


def test_a_tree_beside_weights():
    scale = Parameter(np.array(1.5), name="scale")

    def scaled(params, x):
        return mlp_loss(params, x) * scale

    g_params, g_scale = adc.grad(scaled, grad_position=0, weights=scale)(PARAMS, X)
    _assert_same_tree(g_params, _numeric(lambda p, x: mlp_loss(p, x) * 1.5, PARAMS, X))
    assert g_scale == pytest.approx(mlp_loss(PARAMS, X))


def test_a_dict_not_differentiated_is_read_at_each_call():
    grad = adc.grad(with_config)
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(grad(x, {"scale": 2.0}), 4.0 * x)
    np.testing.assert_allclose(grad(x, {"scale": 3.0}), 6.0 * x)  # not the first call's


def test_keys_in_another_order_compile_their_own_gradient():
    swapped = {"W2": PARAMS["W2"], "b1": PARAMS["b1"], "W1": PARAMS["W1"]}
    grad = adc.grad(mlp_loss)
    first, second = grad(PARAMS, X), grad(swapped, X)
    assert list(second) == ["W2", "b1", "W1"]
    for key in PARAMS:
        np.testing.assert_allclose(second[key], first[key])


def by_key(t, x):
    return np.sum(x @ t["W"])


def by_index(t, x):
    return np.sum(x @ t[0])


@pytest.mark.parametrize("loss, tree, message", [
    (by_key, {"W": np.ones((3, 2)), "n": 3},
     "not a float array or a tuple, list or dict of them"),
    (by_index, (np.ones((3, 2)), np.arange(2)), "an array in it has dtype int"),
])
def test_a_tree_with_a_value_that_has_no_gradient_is_refused(loss, tree, message):
    with pytest.raises(AutodiffError, match=message) as err:
        adc.grad(loss)(tree, X)
    assert err.value.loc is not None and err.value.loc.line > 0


def dense(params, x):
    out = x @ params["w"]
    if params["b"] is not None:
        out = out + params["b"]
    return np.sum(np.tanh(out) ** 2)


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "jacrev", "jacfwd"])
def test_none_in_a_tree_is_an_empty_subtree_with_none_for_its_gradient(transform):
    """JAX's meaning of ``{"w": w, "b": None}`` (a layer without a bias): the gradient
    has the tree's structure, None where it holds None (the tree was refused)."""
    params = {"w": np.linspace(-1.0, 1.0, 6).reshape(3, 2), "b": None}
    fn = getattr(adc, transform)(dense)
    got = fn(params, X)[1] if transform == "value_and_grad" else fn(params, X)
    assert list(got) == ["w", "b"] and got["b"] is None
    want = central_differences(lambda w: dense({"w": w, "b": None}, X), params["w"])
    np.testing.assert_allclose(got["w"], want, rtol=1e-6, atol=1e-9)


def test_none_alone_at_a_position_is_still_refused():
    with pytest.raises(AutodiffError, match="it is None"):
        adc.grad(lambda params, x: dense({"w": x, "b": params}, x))(None, X)


def activated(x, cfg):
    return np.sum(cfg["act"](x))


def test_a_function_in_a_dict_is_a_constant_of_its_own_compilation():
    grad = adc.grad(activated)
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(grad(x, {"act": np.tanh}), 1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(grad(x, {"act": np.sin}), np.cos(x))
    compiled = next(c for c in adc.api._CACHE.values() if c.keepalive[0] is activated)
    assert any(o in (np.tanh, np.sin) for o in compiled.keepalive[1])  # kept alive by id
