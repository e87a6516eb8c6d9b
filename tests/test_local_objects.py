"""Objects of the user's classes made inside a differentiated function: a model fitted
and asked to predict, a layer built from the arguments, a dataclass of parameters.
Values and gradients are the plain function's (central differences); what would let
such an object outlive the call is refused at the user's line."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError


class Ridge:
    """numpy-ml's shape: settings in __init__, fit() sets coefficients, a property."""

    eps = 1e-8

    def __init__(self, alpha=1.0, fit_intercept=True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.beta = None

    def fit(self, x, y):
        if self.fit_intercept:
            x = np.c_[np.ones(x.shape[0]), x]
        self.beta = np.linalg.inv(x.T @ x + self.alpha * np.eye(x.shape[1])) @ x.T @ y
        return self

    @property
    def coef(self):
        return self.beta[1:] if self.fit_intercept else self.beta

    def predict(self, x):
        if self.fit_intercept:
            x = np.c_[np.ones(x.shape[0]), x]
        return x @ self.beta + self.eps


class Affine:
    def __init__(self, w, b):
        self.w, self.b = w, b

    def __call__(self, x):
        return np.tanh(x @ self.w + self.b)


@dataclasses.dataclass
class Params:
    w: np.ndarray
    scale: float = 1.0
    tags: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        self.norm = np.sum(self.w ** 2)


class Counter:
    def __init__(self):
        self.n = 0

    def step(self, x):
        self.n += 1
        return x * self.n


RNG = np.random.default_rng(3)
X, Y = RNG.normal(size=(6, 3)), RNG.normal(size=6)


def ridge_fit_predict(x):
    model = Ridge(alpha=0.5).fit(x, Y)
    return np.sum((model.predict(x) - Y) ** 2) + np.sum(model.coef ** 2)


def affine_layers(w):
    hidden = Affine(w, 0.1)(X)
    return np.sum(Affine(np.ones((3, 1)), -0.2)(hidden) ** 2)


def dataclass_fields(w):
    p = Params(w.ravel(), scale=2.0)
    return np.sum(p.w * p.scale) + p.norm + len(p.tags)


def dataclass_list_field(w):
    p = Params(w.ravel())
    p.tags.append(np.sum(w ** 2))  # its default_factory's list is the function's own
    return sum(p.tags) + p.norm


def set_on_a_branch(w):
    p = Params(w.ravel())
    if np.sum(w) > 0:
        p.scale = 2.0 * np.sum(w)
    return np.sum(p.w) * p.scale


def counted_in_an_unrolled_loop(w):
    counter = Counter()
    for _ in range(3):
        w = counter.step(w)
    return np.sum(w) + counter.n


def made_in_each_iteration(w):
    total = 0.0
    for k in range(3):
        total = total + np.sum(Affine(w, 0.1 * k)(X))
    return total


class Model:
    """numpy-ml's layers keep their parameters in a dict, and a history in a list."""

    def __init__(self, w):
        self.params = {"W": w}
        self.history = []


def dict_changed_on_a_branch(w):
    m = Model(w)
    if np.sum(w) > 0:  # each path its own copy of the dict
        m.params["W"] = m.params["W"] * 2.0
    m.history.append(np.sum(m.params["W"]))
    return m.history[0] + np.sum(m.params["W"] ** 2)


def list_shared_with_a_name(w):
    m, items = Model(w), []
    m.history = items  # one list, two ways to it: a path's append shows in both
    if np.sum(w) > 0:
        items.append(w * 2.0)
    else:
        items.append(w - 1.0)
    return np.sum(m.history[0] ** 2) + len(items)


class Base:
    scale = 2.0

    def __init__(self, w):
        self.w = w

    def apply(self, v):
        return v @ self.w * self.scale


class Child(Base):
    def __init__(self, w, c):
        super().__init__(w)
        self.c = c

    def apply(self, v):
        return super().apply(v) + self.c * np.sin(v)


class GrandChild(Child):
    def __init__(self, w):
        super(GrandChild, self).__init__(w, 0.5)  # noqa: UP008 (the two-argument form)


def through_super(w):
    return np.sum(Child(w, 3.0).apply(X)) + np.sum(GrandChild(w).apply(X))


class Pair:
    def __init__(self, w):
        self.w = w

    def __add__(self, other):
        return Pair(self.w + other.w)

    def __len__(self):
        return self.w.shape[0]


def with_operators(w):
    both = Pair(w) + Pair(w ** 2)
    return np.sum(both.w) * len(both)


def made_on_each_path(w):
    """One object afterwards, holding the branch taken's attributes."""
    if np.sum(w) > 0:
        p = Params(w.ravel() * 2.0, scale=3.0)
        p.scale = p.scale * np.max(w)
    else:
        p = Params(w.ravel())
    return np.sum(p.w) * p.scale + p.norm


def _layer(w, wide):
    if wide > 0:
        return Affine(w, np.sum(w))
    return Affine(w * 0.5, 0.1)


def returned_by_a_helper_on_each_path(w):
    layer = _layer(w, np.sum(w))
    return np.sum(layer(X) ** 2)


class Stack:
    def __init__(self, first, second):
        self.layers = [first, second]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def holding_objects_made_on_each_path(w):
    if np.max(w) > 1.0:
        net = Stack(Affine(w, 0.1), Affine(w.T, -0.1))
    else:
        net = Stack(Affine(w * 2.0, 0.0), Affine(w, 0.3))
    return np.sum(net(X))


def set_as_an_attribute_on_each_path(w):
    m = Model(w)
    if np.sum(w) > 0:
        m.layer = Affine(w, 0.2)
    else:
        m.layer = Affine(-w, 0.0)
    return np.sum(m.layer(X))


class Sequential:
    """Layers iterated and indexed through the class's own ``__iter__`` and
    ``__getitem__``, as hand-written containers of layers are."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)


def iterated_and_indexed(w):
    net = Sequential(Affine(w, 0.1), Affine(w.T, -0.2))
    h = X
    for layer in net:
        h = layer(h)
    return np.sum(h) + np.sum(net[len(net) - 1](X) ** 2)


def replaced_fields(w):
    p = Params(w.ravel(), scale=2.0)
    q = dataclasses.replace(p, scale=np.sum(w))
    return np.sum(q.w) * q.scale + q.norm + p.scale


def one_object_under_two_names_on_each_path(w):
    """A path's object is one object however many names hold it: a write through one
    name shows through the other after the merge."""
    if np.sum(w) > 0:
        layer = Affine(w, 1.0)
        same = layer
    else:
        layer = Affine(2.0 * w, 2.0)
        same = layer
    same.b = np.sum(w)
    return np.sum(layer(X)) + layer.b


def none_attribute_on_every_path(w):
    p = Affine(w, None) if np.sum(w) > 0 else Affine(2.0 * w, None)
    return np.sum(p.w) ** 2 if p.b is None else np.sum(p.w)


class Vec:
    """Operators written in Python, in place ones and unary ones among them."""

    def __init__(self, a):
        self.a = a

    def __add__(self, other):
        return Vec(self.a + other.a)

    def __iadd__(self, other):
        self.a = self.a + other.a
        return self

    def __neg__(self):
        return Vec(-self.a)

    def __abs__(self):
        return Vec(np.abs(self.a))

    def __lt__(self, other):
        return np.sum(self.a) < np.sum(other.a)

    def __len__(self):
        return self.a.shape[0]


def vector_operators(w):
    v = Vec(w)
    held = v
    v += Vec(w * 2.0)  # its __iadd__ changes the object: ``held`` sees it
    small = -held if Vec(w) < held else abs(held)
    return np.sum(held.a ** 2) + np.sum(small.a) + (3.0 if held else 0.0)


def iterated_outside_a_for(w):
    net = Sequential(Affine(w, 0.1), Affine(w.T, -0.2))
    first, second = net
    layers = [*net]
    return np.sum(second(first(X))) + len(list(net)) * np.sum(layers[0](X)) \
        + (1.0 if first in net else 0.0) + sum(np.sum(layer.w) for layer in net)


@dataclasses.dataclass
class Tag:
    name: str
    scale: float = 1.0


def dataclass_equality(w):
    """The generated __eq__ compares fields (and != is its inverse)."""
    same, other = Tag("a", 2.0) == Tag("a", 2.0), Tag("a") != Tag("b")
    return np.sum(w) * (2.0 if same else 0.5) + (3.0 if other else 0.0)


W = RNG.normal(size=(3, 3))
CASES = [(ridge_fit_predict, X), (affine_layers, W), (dataclass_fields, W),
         (set_on_a_branch, W), (set_on_a_branch, -np.abs(W)), (counted_in_an_unrolled_loop, W),
         (made_in_each_iteration, W), (dict_changed_on_a_branch, W),
         (dict_changed_on_a_branch, -np.abs(W)), (list_shared_with_a_name, W),
         (list_shared_with_a_name, -np.abs(W)), (through_super, W), (with_operators, W),
         (dataclass_list_field, W), (iterated_and_indexed, W), (replaced_fields, W),
         (vector_operators, W), (vector_operators, -np.abs(W)), (iterated_outside_a_for, W),
         (dataclass_equality, W),
         *[(fn, w) for fn in (one_object_under_two_names_on_each_path,
                              none_attribute_on_every_path) for w in (W, -np.abs(W))],
         *[(fn, w) for fn in (made_on_each_path, returned_by_a_helper_on_each_path,
                              holding_objects_made_on_each_path,
                              set_as_an_attribute_on_each_path)
           for w in (W, -np.abs(W), np.abs(W) + 0.5)]]


@pytest.mark.parametrize("fn, x", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in
                                               enumerate(CASES)])
def test_value_and_gradient_are_the_plain_functions(fn, x):
    value, grad = adc.value_and_grad(fn)(x)
    assert value == pytest.approx(fn(x), rel=1e-12)
    np.testing.assert_allclose(grad, central_differences(fn, x), rtol=1e-6, atol=1e-7)


def test_the_object_is_not_changed_at_run_time():
    """Nothing outside a call sees the object, so the generated code keeps nothing."""
    source = adc.gradient_source(ridge_fit_predict, args=(X,))
    assert "setattr" not in source and "const_" not in source


OUTSIDE = Params(np.zeros(3))


def returned(w):
    return Params(w)


def stored_outside(w):
    OUTSIDE.kept = Params(w)
    return np.sum(w)


class Interned:
    """A class that decides what its calls return (a cache of instances)."""

    def __new__(cls, value):
        return super().__new__(cls)

    def __init__(self, value):
        self.value = value


def made_by_its_own_new(w):
    return np.sum(Interned(w).value)


@pytest.mark.parametrize("fn, message", [
    (returned, "returned a Params, not a float value"),
    (stored_outside, "'.kept' would hold a Params made while compiling"),
    (made_by_its_own_new, "making an instance of Interned .*__new__ of its own"),
], ids=["returned", "stored_outside", "own_new"])
def test_an_object_that_would_outlive_the_call_is_refused(fn, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(np.ones(3))
    assert "test_local_objects.py:" in str(info.value)


def classes_differ_by_path(w):
    layer = Affine(w, 0.1) if np.sum(w) > 0 else Pair(w)
    return np.sum(layer.w)


def attributes_differ_by_path(w):
    if np.sum(w) > 0:
        p = Params(w.ravel())
    else:
        p = Params(w.ravel())
        p.extra = 1.0
    return np.sum(p.w)


def made_on_one_path_only(w):
    p = Params(w.ravel()) if np.sum(w) > 0 else OUTSIDE
    return np.sum(p.w)


@pytest.mark.parametrize("fn, message", [
    (classes_differ_by_path, r"results of different structure \(Affine setting b, w and "
                             r"Pair setting w\)"),
    (attributes_differ_by_path, "'p' of different structure .*Params setting extra, norm"),
    (made_on_one_path_only, r"results of different structure \(Params setting norm, scale, "
                            r"tags, w and Params from before the branch\)"),
], ids=["classes", "attributes", "one_path"])
def test_objects_made_on_paths_that_differ_in_kind_are_refused(fn, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(np.ones((3, 3)))
    assert "test_local_objects.py:" in str(info.value)
