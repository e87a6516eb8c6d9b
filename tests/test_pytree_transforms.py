"""Pytrees through jvp and vjp: tuples, lists and dicts (nested) as arguments, tangents,
outputs and cotangents, each result in its primal's structure, checked against central
differences along the tangent; and dict outputs and aux through grad/value_and_grad."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError

RNG = np.random.default_rng(11)
X = RNG.normal(size=(4, 3))
PARAMS = {"W": RNG.normal(size=(3, 2)) * 0.5, "b": RNG.normal(size=2) * 0.1}
V_PARAMS = {"W": RNG.normal(size=(3, 2)), "b": RNG.normal(size=2)}
EPS = 1e-6


def tmap(fn, *trees):
    """``fn`` leaf by leaf over trees of the same structure."""
    first = trees[0]
    if isinstance(first, dict):
        return {k: tmap(fn, *(t[k] for t in trees)) for k in first}
    if isinstance(first, tuple | list):
        return type(first)(tmap(fn, *items) for items in zip(*trees))
    return fn(*trees)


def leaves(tree):
    if isinstance(tree, dict):
        return [x for v in tree.values() for x in leaves(v)]
    if isinstance(tree, tuple | list):
        return [x for v in tree for x in leaves(v)]
    return [tree]


def directional(fn, args, tangents):
    """(f(args + eps t) - f(args - eps t)) / 2 eps, in the output's structure."""
    up = fn(*tmap(lambda a, t: a + EPS * t, args, tangents))
    down = fn(*tmap(lambda a, t: a - EPS * t, args, tangents))
    return tmap(lambda u, d: (u - d) / (2 * EPS), up, down)


def assert_tree_close(got, want, rtol=1e-6):
    assert type(got) is type(want)
    if isinstance(want, dict):
        assert list(got) == list(want)
    assert len(leaves(got)) == len(leaves(want))
    for g, w in zip(leaves(got), leaves(want)):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-8)


def metrics(params, x):
    h = np.tanh(x @ params["W"] + params["b"])
    return {"loss": np.mean(h ** 2), "acc": np.mean(h)}


def nested(tree, x):
    (w, scales), extra = tree
    y = np.sin(x @ w) * scales[0] + extra["shift"]
    return (np.sum(y ** 2), [y, np.exp(scales[1])])


NESTED = ((RNG.normal(size=(3, 2)), [np.array(1.5), RNG.normal(size=2)]),
          {"shift": RNG.normal(size=2)})
V_NESTED = ((RNG.normal(size=(3, 2)), [np.array(-0.5), RNG.normal(size=2)]),
            {"shift": RNG.normal(size=2)})


@pytest.mark.parametrize("fn, primals, tangents", [
    (metrics, (PARAMS, X), (V_PARAMS, np.zeros_like(X))),
    (metrics, (PARAMS, X), (V_PARAMS, RNG.normal(size=X.shape))),
    (nested, (NESTED, X), (V_NESTED, np.zeros_like(X))),
], ids=["dict", "dict-and-array", "nested"])
def test_jvp_tangent_has_the_outputs_structure_and_matches_differences(fn, primals, tangents):
    out, tangent = adc.jvp(fn, primals, tangents)
    assert_tree_close(out, fn(*primals), rtol=1e-12)
    assert_tree_close(tangent, directional(fn, primals, tangents))


def test_jvp_takes_one_dict_bare_and_a_dict_in_another_key_order():
    def loss(params):
        return metrics(params, X)["loss"]
    _, want = adc.jvp(loss, (PARAMS,), (V_PARAMS,))
    assert want == pytest.approx(directional(loss, (PARAMS,), (V_PARAMS,)), rel=1e-6)
    swapped = {"b": V_PARAMS["b"], "W": V_PARAMS["W"]}
    assert adc.jvp(loss, PARAMS, swapped)[1] == pytest.approx(want, rel=1e-12)


def test_jvp_has_aux_with_a_dict_aux():
    def with_aux(params, x):
        m = metrics(params, x)
        return m["loss"], {"acc": m["acc"], "b": params["b"]}
    value, tangent, aux = adc.jvp(with_aux, (PARAMS, X), (V_PARAMS, np.zeros_like(X)),
                                  has_aux=True)
    assert value == pytest.approx(metrics(PARAMS, X)["loss"])
    assert tangent == pytest.approx(directional(metrics, (PARAMS, X),
                                                (V_PARAMS, np.zeros_like(X)))["loss"])
    assert list(aux) == ["acc", "b"]
    np.testing.assert_allclose(aux["b"], PARAMS["b"])


@pytest.mark.parametrize("tangent, message", [
    ({"W": V_PARAMS["W"]}, r"tangent 0 has the structure \{'W': \*\}, but its input "
                           r"\(argument 0\) has \{'W': \*, 'b': \*\}"),
    ((V_PARAMS["W"], V_PARAMS["b"]), "has the structure"),
    ({"W": V_PARAMS["W"], "b": np.ones(3)}, r"tangent 0 \(leaf 1\) has shape \(3,\)"),
], ids=["missing-key", "tuple-for-dict", "leaf-shape"])
def test_jvp_tangent_of_another_structure_is_a_located_error(tangent, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.jvp(metrics, (PARAMS, X), (tangent, np.zeros_like(X)))
    assert info.value.loc.file.endswith("test_pytree_transforms.py")


@pytest.mark.parametrize("cotangent", [{"loss": 1.0, "acc": 0.0}, {"acc": 0.0, "loss": 1.0},
                                       {"loss": 0.3, "acc": -2.0}],
                         ids=["loss", "key-order", "mixed"])
def test_vjp_takes_a_dict_cotangent_and_returns_the_arguments_structure(cotangent):
    out, vjp_fn = adc.vjp(metrics, PARAMS, X)
    assert_tree_close(out, metrics(PARAMS, X), rtol=1e-12)
    g_params, g_x = vjp_fn(cotangent)
    # <vjp(c), v> = <c, jvp(v)> for any v: check it along two directions per argument
    for v_params, v_x in ((V_PARAMS, np.zeros_like(X)),
                          (tmap(np.zeros_like, PARAMS), RNG.normal(size=X.shape))):
        lhs = sum(np.sum(g * v) for g, v in zip(leaves(g_params), leaves(v_params)))
        lhs += np.sum(g_x * v_x)
        d = directional(metrics, (PARAMS, X), (v_params, v_x))
        assert lhs == pytest.approx(cotangent["loss"] * d["loss"] + cotangent["acc"] * d["acc"],
                                    rel=1e-6, abs=1e-9)
    assert list(g_params) == ["W", "b"]


def test_vjp_nested_output_and_argument():
    _, vjp_fn = adc.vjp(nested, NESTED, X)
    cotangent = (1.0, [RNG.normal(size=(4, 2)), RNG.normal(size=2)])
    g_tree, g_x = vjp_fn(cotangent)
    assert tmap(np.shape, g_tree) == tmap(np.shape, NESTED)  # the argument's structure
    v_x = RNG.normal(size=X.shape)
    d = directional(nested, (NESTED, X), (V_NESTED, v_x))
    lhs = sum(np.sum(g * v) for g, v in zip(leaves(g_tree), leaves(V_NESTED)))
    lhs += np.sum(g_x * v_x)
    rhs = sum(np.sum(c * t) for c, t in zip(leaves(cotangent), leaves(d)))
    assert lhs == pytest.approx(rhs, rel=1e-6)
    assert vjp_fn(*cotangent)[0][1]["shift"] == pytest.approx(g_tree[1]["shift"])  # JAX-style


@pytest.mark.parametrize("cotangent, error, message", [
    ({"loss": 1.0}, TypeError, r"structure of the output of metrics, \{'loss': \*, 'acc': \*\}"),
    ((1.0, 0.0, 2.0), TypeError, "structure of the output"),
    ({"loss": np.ones(2), "acc": 0.0}, ValueError, r"cotangent 0 has shape \(2,\)"),
], ids=["missing-key", "tuple-for-dict", "leaf-shape"])
def test_vjp_cotangent_of_another_structure_is_a_located_error(cotangent, error, message):
    _, vjp_fn = adc.vjp(metrics, PARAMS, X)
    with pytest.raises(error, match=message) as info:
        vjp_fn(cotangent)
    assert info.value.loc.file.endswith("test_pytree_transforms.py")


def test_value_and_grad_of_a_dict_output_sums_its_values():
    # MindSpore's sensitivity is ones for every output
    (value, g_params) = adc.value_and_grad(metrics)(PARAMS, X)
    assert_tree_close(value, metrics(PARAMS, X), rtol=1e-12)
    d = directional(metrics, (PARAMS, X), (V_PARAMS, np.zeros_like(X)))
    lhs = sum(np.sum(g * v) for g, v in zip(leaves(g_params), leaves(V_PARAMS)))
    assert lhs == pytest.approx(d["loss"] + d["acc"], rel=1e-6)


def test_grad_and_value_and_grad_with_a_dict_aux():
    def with_aux(params, x):
        m = metrics(params, x)
        return m["loss"], {"acc": m["acc"], "h": x @ params["W"]}
    (value, aux), g_params = adc.value_and_grad(with_aux, has_aux=True)(PARAMS, X)
    g_only, (aux_only,) = adc.grad(with_aux, has_aux=True)(PARAMS, X)
    assert value == pytest.approx(metrics(PARAMS, X)["loss"])
    for got in (aux, aux_only):
        assert list(got) == ["acc", "h"]
        np.testing.assert_allclose(got["h"], X @ PARAMS["W"])
    d = directional(metrics, (PARAMS, X), (V_PARAMS, np.zeros_like(X)))
    for g in (g_params, g_only):
        lhs = sum(np.sum(a * v) for a, v in zip(leaves(g), leaves(V_PARAMS)))
        assert lhs == pytest.approx(d["loss"], rel=1e-6)


def test_jvp_none_tangent_holds_a_float_argument_constant():
    v_x = np.zeros_like(X)
    _, with_zeros = adc.jvp(metrics, (PARAMS, X), (V_PARAMS, v_x))
    _, held = adc.jvp(metrics, (PARAMS, X), (V_PARAMS, None))
    assert_tree_close(held, with_zeros, rtol=1e-12)
    hv = adc.hvp(loss_of, (PARAMS, X), (V_PARAMS, None))  # data held constant
    g = adc.grad(loss_of)
    up = g(tmap(lambda a, t: a + EPS * t, PARAMS, V_PARAMS), X)
    down = g(tmap(lambda a, t: a - EPS * t, PARAMS, V_PARAMS), X)
    assert_tree_close(hv, tmap(lambda u, d: (u - d) / (2 * EPS), up, down), rtol=1e-5)
    with pytest.raises(AutodiffError, match="every tangent is None"):
        adc.jvp(metrics, (PARAMS, X), (None, None))


def loss_of(params, x):
    return metrics(params, x)["loss"]


def test_vjp_has_aux_with_a_dict_output_and_a_dict_aux():
    def with_aux(params, x):
        m = metrics(params, x)
        return m, {"h": x @ params["W"]}
    out, vjp_fn, aux = adc.vjp(with_aux, PARAMS, X, has_aux=True)
    assert_tree_close(out, metrics(PARAMS, X), rtol=1e-12)
    np.testing.assert_allclose(aux["h"], X @ PARAMS["W"])
    g_params, _ = vjp_fn({"acc": 1.0, "loss": 0.0})
    d = directional(metrics, (PARAMS, X), (V_PARAMS, np.zeros_like(X)))
    lhs = sum(np.sum(g * v) for g, v in zip(leaves(g_params), leaves(V_PARAMS)))
    assert lhs == pytest.approx(d["acc"], rel=1e-6)
    with pytest.raises(AutodiffError, match="structure of the output"):
        vjp_fn({"h": 1.0})  # the aux takes no cotangent


# ------------------------------------------------------------------ Jacobians


def _dense(p, x):
    return np.tanh(p["w"] @ x + p["b"])


def _numeric_jacobian(f, args, position, leaf_path, eps=1e-6):
    """d f / d (one leaf of one argument), column by column (f returns one array)."""
    def with_leaf(value):
        args2 = list(args)
        tree = dict(args2[position]) if isinstance(args2[position], dict) \
            else list(args2[position])
        tree[leaf_path] = value
        args2[position] = tree if isinstance(args[position], dict) else tuple(tree)
        return f(*args2)
    leaf = args[position][leaf_path]
    out_shape = np.shape(f(*args))
    jac = np.zeros(out_shape + leaf.shape)
    for idx in np.ndindex(leaf.shape):
        e = np.zeros_like(leaf)
        e[idx] = eps
        jac[(..., *idx)] = (with_leaf(leaf + e) - with_leaf(leaf - e)) / (2 * eps)
    return jac


@pytest.mark.parametrize("transform", [adc.jacrev, adc.jacfwd])
def test_jacobian_with_respect_to_a_dict_has_its_structure(transform):
    p = {"w": np.arange(6.0).reshape(2, 3) * 0.1, "b": np.array([0.2, -0.1])}
    x = np.arange(3.0)
    jac = transform(_dense)(p, x)
    assert set(jac) == {"w", "b"} and jac["w"].shape == (2, 2, 3)
    for key in p:
        np.testing.assert_allclose(jac[key], _numeric_jacobian(_dense, (p, x), 0, key),
                                   atol=1e-8)


@pytest.mark.parametrize("transform", [adc.jacrev, adc.jacfwd])
def test_jacobian_of_a_dict_output_with_respect_to_a_tuple(transform):
    def f(t):
        return {"a": np.sin(t[0]), "b": t[1] * 2.0}

    t = (np.array([0.3, -0.4]), np.array([1.0, 2.0, 3.0]))
    jac = transform(f)(t)  # {"a": (d a/d t0, d a/d t1), "b": (...)}
    np.testing.assert_allclose(jac["a"][0], np.diag(np.cos(t[0])))
    np.testing.assert_allclose(jac["a"][1], np.zeros((2, 3)))
    np.testing.assert_allclose(jac["b"][0], np.zeros((3, 2)))
    np.testing.assert_allclose(jac["b"][1], 2 * np.eye(3))


def test_hessian_with_respect_to_a_dict_is_nested_by_keys():
    def g(p):
        return np.sum(np.tanh(p["w"]) * p["b"])

    p = {"w": np.array([0.1, 0.2]), "b": np.array([0.5, -1.0])}
    hess = adc.hessian(g)(p)
    tw = np.tanh(p["w"])
    np.testing.assert_allclose(hess["w"]["w"], np.diag(-2 * tw * (1 - tw ** 2) * p["b"]))
    np.testing.assert_allclose(hess["w"]["b"], np.diag(1 - tw ** 2))
    np.testing.assert_allclose(hess["b"]["b"], np.zeros((2, 2)))
