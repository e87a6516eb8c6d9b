"""``obj.name = value`` inside a differentiated function, on an object made outside it:
the object holds after the call what it holds after the plain function, later reads in
the same call see the value written (the gradient flows through them), branches give
the path taken's value, and what cannot be done so is refused at the user's line."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import Parameter, Tensor, nn, ops
from autodiff_compiler.errors import AutodiffError


class Dense:
    """A layer of from-scratch NumPy code: it keeps what its backward pass needs."""

    def __init__(self) -> None:
        self.w = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
        self.cache = None

    def forward(self, x):
        self.cache = (x, self.w)
        return np.tanh(x @ self.w)

    def cached_product(self):
        x, w = self.cache
        return np.sum(x @ w)


class State:
    def __init__(self) -> None:
        self.total = 0.0
        self.calls = 0
        self.h = np.array([1.0, -2.0, 0.5])


LAYER, STATE = Dense(), State()


def cache_then_read(x):
    y = LAYER.forward(x.reshape(1, 3))
    return np.sum(y ** 2) + LAYER.cached_product()


def set_on_each_path(x):
    if np.sum(x) > 0:
        STATE.h = x * 2.0
    else:
        STATE.h = x - 1.0
    return np.sum(STATE.h ** 2)


def set_on_one_path(x):  # the other path reads what the object holds
    if np.sum(x) > 0:
        STATE.h = np.sin(x) * 3.0
    return np.sum(STATE.h * x)


def set_in_unrolled_loop(x):
    STATE.h = np.ones(3)
    for _ in range(3):
        STATE.h = STATE.h * 0.5 + np.sin(x)
    return np.sum(STATE.h ** 2)


def augmented(x):
    STATE.total += np.sum(x ** 2)
    STATE.h = x * 1.0
    STATE.h *= 2.0
    return STATE.total + np.sum(STATE.h)


def counted(x):
    STATE.calls += 1
    return np.sum(x) * STATE.calls


def conditional_expression(x):
    STATE.h = np.cos(x) if np.max(x) > 0.4 else x
    return np.sum(STATE.h * x)


class Fitted:
    """A model fitted in place, read back through a property and len()."""

    def __init__(self):
        self.beta = np.zeros(3)

    @property
    def coef(self):
        return self.beta * 2.0

    def __len__(self):
        return int(self.beta.shape[0])


MODEL = Fitted()


def property_after_a_write(x):
    MODEL.beta = np.sin(x)
    return np.sum(MODEL.coef ** 2) * len(MODEL)


def written_after_it_is_held(x):
    out = np.cos(x)
    LAYER.cache = out
    out[0] = -1.0  # NumPy's attribute holds the same array: it sees the write
    out *= 2.0
    return np.sum(out * x)


def set_by_name(x):
    """``setattr`` as a statement is ``STATE.h = ...``; one made inside keeps it."""
    for name, value in (("h", np.exp(x)), ("total", np.sum(x))):
        setattr(STATE, name, value)
    local = Lazy()
    for name in ("scale",):
        setattr(local, name, np.sum(x))
    return np.sum(STATE.h) * local.scale + STATE.total


CASES = [cache_then_read, set_on_each_path, set_on_one_path, set_in_unrolled_loop, augmented,
         counted, conditional_expression, property_after_a_write, written_after_it_is_held,
         set_by_name]
POINTS = [np.array([0.3, -0.2, 0.5]), np.array([-0.3, -0.2, -0.5])]


def _fresh() -> None:
    global LAYER, STATE, MODEL
    LAYER, STATE, MODEL = Dense(), State(), Fitted()


def _held() -> dict:
    return copy.deepcopy({"layer": vars(LAYER), "state": vars(STATE), "model": vars(MODEL)})


def _assert_same_state(got: dict, want: dict) -> None:
    for obj in want:
        assert set(got[obj]) == set(want[obj])
        for name, value in want[obj].items():
            if value is None:
                assert got[obj][name] is None
                continue
            wanted = value if isinstance(value, tuple) else (value,)
            held = got[obj][name] if isinstance(value, tuple) else (got[obj][name],)
            for a, b in zip(held, wanted, strict=True):
                np.testing.assert_allclose(a, b, err_msg=f"{obj}.{name}")


@pytest.mark.parametrize("x", POINTS, ids=["positive_sum", "negative_sum"])
@pytest.mark.parametrize("fn", CASES, ids=[f.__name__ for f in CASES])
def test_value_gradient_and_the_object_afterwards_are_the_plain_functions(fn, x):
    _fresh()
    want_value = fn(x.copy())
    want_state = _held()

    def loss(point):
        _fresh()
        return fn(point)

    want_grad = central_differences(loss, x)
    _fresh()
    value, grad = adc.value_and_grad(fn)(x.copy())
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-6, atol=1e-8)
    _assert_same_state(_held(), want_state)


class Lazy:
    pass


LAZY = Lazy()


def lazily_initialised(x):
    if not hasattr(LAZY, "scale"):
        LAZY.scale = 2.0 * x
    return np.sum(LAZY.scale * x)


def test_a_hasattr_answer_is_checked_again_at_each_call():
    """The first call sets the attribute at run time; the next takes the other path, as
    Python does (the compiled answer was kept, and set it again from the new x)."""
    x, y = np.array([0.5, 1.0]), np.array([3.0, 4.0])
    grad = adc.grad(lazily_initialised)
    np.testing.assert_allclose(grad(x), 4.0 * x)
    np.testing.assert_allclose(grad(y), 2.0 * x)  # LAZY.scale is the first call's
    np.testing.assert_allclose(LAZY.scale, 2.0 * x)


def test_each_call_sets_that_calls_values_and_reads_the_last_ones():
    _fresh()
    grad = adc.grad(counted)
    for calls in (1, 2, 3):
        np.testing.assert_allclose(grad(np.ones(3)), calls * np.ones(3))
        assert STATE.calls == calls


def cached_sine(x):
    STATE.h = np.sin(x)
    return STATE.h * x


def test_other_transforms_set_the_forward_value_once():
    _fresh()
    second = adc.grad(adc.grad(cached_sine))(0.5)
    assert second == pytest.approx(2 * np.cos(0.5) - 0.5 * np.sin(0.5))
    assert STATE.h == pytest.approx(np.sin(0.5))
    _, tangent = adc.jvp(cached_sine, (0.7,), (1.0,))
    assert tangent == pytest.approx(np.sin(0.7) + 0.7 * np.cos(0.7))
    assert STATE.h == pytest.approx(np.sin(0.7))


def test_vmap_of_a_function_setting_an_attribute_is_refused():
    """Each example would set it from the value the call began with, where a loop over
    the examples reads each one's (a counter would count to 1, not to 3)."""
    _fresh()
    with pytest.raises(AutodiffError, match=r"vmap of a function that sets '\.calls'"):
        adc.vmap(adc.grad(counted))(np.ones((3, 2)))
    assert STATE.calls == 0


def test_the_gradient_source_sets_the_attribute_in_its_forward_pass():
    _fresh()
    source = adc.gradient_source(cached_sine, args=(0.5,))
    assert "setattr(" in source and source.index("setattr(") < source.index("grad of:")


class Attention(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.w = Parameter(Tensor(np.linspace(-1, 1, 6).reshape(3, 2).astype(np.float32)),
                           name="w")
        self.weights = None

    def construct(self, x):
        self.weights = ops.softmax(ops.matmul(x, self.w), axis=-1)
        return ops.sum(self.weights * self.weights)


def test_a_cell_keeps_a_tensor_it_computed_in_construct():
    net = Attention()
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3) * 0.1)
    (grad,) = adc.grad(net, None, net.trainable_params())(x)
    logits = x.asnumpy() @ net.w.asnumpy()
    weights = np.exp(logits) / np.sum(np.exp(logits), axis=-1, keepdims=True)
    assert isinstance(net.weights, Tensor)
    np.testing.assert_allclose(net.weights.asnumpy(), weights, rtol=1e-6)

    def loss(w):
        logits = x.asnumpy().astype(np.float64) @ w
        p = np.exp(logits) / np.sum(np.exp(logits), axis=-1, keepdims=True)
        return np.sum(p * p)

    np.testing.assert_allclose(grad, central_differences(loss, net.w.asnumpy().astype(np.float64)),
                               rtol=1e-3, atol=1e-5)


# ---------------------------------------------------------------------------- refusals


class WithProperty:
    @property
    def scale(self):
        return 1.0

    @scale.setter
    def scale(self, value):
        pass


HOLDER = WithProperty()


def set_in_while_loop(x):
    s = x
    while np.sum(s) < 10.0:
        s = s * 2.0
        STATE.h = s
    return np.sum(s)


def read_after_one_path_made_it(x):
    if np.sum(x) > 0:
        STATE.made_here = x * 2.0
    return np.sum(STATE.made_here)


def set_through_property(x):
    HOLDER.scale = x
    return np.sum(x)


def set_an_arrays_attribute(x):
    y = x * 2.0
    y.shape = (3, 1)
    return np.sum(y)


class Rescaling(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.w = Parameter(Tensor(np.ones(3, np.float32)), name="w")

    def construct(self, x):
        self.w = self.w * 2.0
        return ops.sum(x * self.w)


def test_a_cell_setting_its_parameter_to_a_tensor_sets_its_values():
    """``self.w = self.w * 2.0`` in construct sets the Parameter's values, as MindSpore's
    Cell does (``ops.assign``): later reads see them, and every call doubles them again
    (this was refused). A gradient with respect to the Parameter itself would flow
    through the write, which MindSpore does not differentiate: refused."""
    net = Rescaling()
    weight = net.w
    x = Tensor(np.array([0.5, 1.0, 1.5], np.float32))
    np.testing.assert_array_equal(adc.grad(net)(x), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(adc.grad(net)(x), [4.0, 4.0, 4.0])
    assert net.w is weight
    np.testing.assert_array_equal(net.w.asnumpy(), [4.0, 4.0, 4.0])
    with pytest.raises(AutodiffError, match=r"a gradient would flow through ops\.assign"):
        adc.grad(net, None, net.trainable_params())(x)


def set_to_a_list_still_built(x):
    STATE.items = []
    STATE.items.append(x)
    return np.sum(x)


def test_a_list_set_then_changed_is_held_as_it_ends():
    """``STATE.items = []`` then ``.append(x)``: the object holds the list as the call
    left it (it is set again at each change), as after the plain function."""
    _fresh()
    x = np.array([0.5, 1.0, 1.5])
    np.testing.assert_array_equal(adc.grad(set_to_a_list_still_built)(x), [1.0, 1.0, 1.0])
    assert isinstance(STATE.items, list) and len(STATE.items) == 1
    np.testing.assert_array_equal(STATE.items[0], x)


def set_by_a_name_made_at_run_time(x):
    setattr(STATE, f"h{np.sum(x):.0f}", x)
    return np.sum(x)


REFUSED = [
    (set_by_a_name_made_at_run_time, "setattr of a name known only at run time"),
    (set_in_while_loop, "'.h' is set inside a loop whose number of iterations is known only"),
    (read_after_one_path_made_it, "'.made_here' was set on some paths of a branch"),
    (set_through_property, "is set by Python code of its class"),
    (set_an_arrays_attribute, "cannot set the attribute '.shape' of an array"),
]


@pytest.mark.parametrize("fn, message", REFUSED, ids=["setattr_name", "while_loop",
                                                      "one_path_made_it",
                                                      "property", "array"])
def test_refused_at_the_users_line(fn, message):
    _fresh()
    x = np.array([0.5, 1.0, 1.5], np.float32)
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(Tensor(x) if isinstance(fn, nn.Cell) else x.astype(np.float64))
    assert "test_attribute_writes.py:" in str(info.value)
