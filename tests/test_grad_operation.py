"""``ops.GradOperation`` and ``get_grad`` as MindSpore 2.10 answers (measured, PyNative):
for ``construct`` = x * w * y with x = [3, 4], y = [0.5, -1], w = [1, 2], sensitivity
s = [2, 3]."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, ParameterTuple, Tensor, nn, ops

X = Tensor(np.array([3.0, 4.0], np.float32))
Y = Tensor(np.array([0.5, -1.0], np.float32))
S = Tensor(np.array([2.0, 3.0], np.float32))


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([1.0, 2.0], np.float32)), name="w")

    def construct(self, x, y):
        return x * self.w * y


class GradWrap(nn.Cell):
    """The gradient taken inside another Cell's construct, as MindSpore's tests do."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.grad_op = ops.GradOperation(get_all=True)

    def construct(self, x, y):
        return self.grad_op(self.net)(x, y)


class OneInput(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([1.0, 2.0], np.float32)), name="w")

    def construct(self, x):
        return (x * self.w).sum()


class GradWrap1(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.grad_op = ops.GradOperation(get_all=True)

    def construct(self, x):
        return self.grad_op(self.net)(x)


def weights(net):
    return ParameterTuple(net.trainable_params())


def _all_and_weights(net):
    return ops.GradOperation(get_all=True, get_by_list=True)(net, weights(net))(X)


CASES = {
    "first input": (lambda n: ops.GradOperation()(n)(X, Y), [0.5, -2.0]),
    "all inputs": (lambda n: ops.GradOperation(get_all=True)(n)(X, Y),
                   ([0.5, -2.0], [3.0, 8.0])),
    "weights": (lambda n: ops.GradOperation(get_by_list=True)(n, weights(n))(X, Y),
                ([1.5, -4.0],)),
    "inputs and weights": (
        lambda n: ops.GradOperation(get_all=True, get_by_list=True)(n, weights(n))(X, Y),
        (([0.5, -2.0], [3.0, 8.0]), ([1.5, -4.0],))),
    "sensitivity": (lambda n: ops.GradOperation(sens_param=True)(n)(X, Y, S), [1.0, -6.0]),
    "sensitivity, all inputs": (
        lambda n: ops.GradOperation(get_all=True, sens_param=True)(n)(X, Y, S),
        ([1.0, -6.0], [6.0, 24.0])),
    "inside a Cell": (lambda n: GradWrap(n)(X, Y), ([0.5, -2.0], [3.0, 8.0])),
    # one input: get_all still gives a tuple (measured in MindSpore 2.10)
    "all of one input": (lambda n: ops.GradOperation(get_all=True)(OneInput())(X), ([1.0, 2.0],)),
    "all of one input and weights": (
        lambda n: _all_and_weights(OneInput()), (([1.0, 2.0],), ([3.0, 4.0],))),
    "all of one input, inside a Cell": (lambda n: GradWrap1(OneInput())(X), ([1.0, 2.0],)),
}


def same_structure(got, expected):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            same_structure(g, e)
    else:
        assert isinstance(got, Tensor)
        np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize("name", list(CASES))
def test_grad_operation_answers_as_mindspore(name):
    make, expected = CASES[name]
    same_structure(make(Net()), expected)


def test_grad_operation_inside_compiled_code_is_differentiated_again():
    wrap = GradWrap(Net())

    def total(x, y):
        return sum(g.sum() for g in wrap(x, y))

    gx, gy = ms.grad(total, (0, 1))(X, Y)  # d/dx sum(w y + x w) = w, and so for y
    np.testing.assert_allclose(gx, [1.0, 2.0])
    np.testing.assert_allclose(gy, [1.0, 2.0])


def test_function_and_get_grad():
    def f(x, y):
        return (x * y).sum()

    np.testing.assert_allclose(ops.GradOperation()(f)(X, Y), [0.5, -1.0])
    net = Net()
    g = ms.grad(net, (0, 1), weights(net), return_ids=True)(X, Y)
    np.testing.assert_allclose(ms.get_grad(g, 1), [3.0, 8.0])
    np.testing.assert_allclose(ms.get_grad(g, net.w), [1.5, -4.0])
    with pytest.raises(RuntimeError, match="Can not find the gradient"):
        ms.get_grad(g, 5)


def test_stop_gradient_of_a_tuple():
    def f(x, y):
        held = ops.stop_gradient((x, y))
        return (held[0] * x).sum()

    np.testing.assert_allclose(ms.grad(f)(X, Y), [3.0, 4.0])  # MindSpore: [3, 4]


def test_stop_gradient_of_a_tuple_unpacks():
    """``a, b = ops.stop_gradient((x * y, x + y))`` keeps the tuple (it was stacked into
    one array, whose unpacking was refused); MindSpore 2.10 gives ([2, 4], [0, 0]) for
    GradOperation(get_all=True) at x = [1, 2], y = [3, 4]."""
    def f(x, y):
        a, b = ops.stop_gradient((x * y, {"s": x + y}))
        return a + b["s"] + x * x

    gx, gy = ops.GradOperation(get_all=True)(f)(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
    np.testing.assert_allclose(gx, [2.0, 4.0])
    np.testing.assert_allclose(gy, [0.0, 0.0])


@pytest.mark.parametrize("make, message", [
    (lambda: ops.GradOperation(get_all=1), "must be a bool"),
    (lambda: ops.GradOperation(get_by_list=True)(lambda x: x * 2.0), "needs the weights"),
    (lambda: ops.GradOperation(sens_param=True)(Net())(X), "needs its inputs"),
])
def test_bad_use_is_a_type_error(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_get_by_list_without_weights_takes_the_cells_trainable_parameters():
    """MindSpore's PyNative (its test_pynative_requires_grad_without_params, measured):
    ((d/dx,), (d/dp1, d/dp3)) of p1 * x + p3 at x = 3, p1 = 2."""
    class Affine(nn.Cell):
        def __init__(self):
            super().__init__()
            self.p1 = Parameter(Tensor(np.array([2.0], np.float32)), name="p1")
            self.p3 = Parameter(Tensor(np.array([5.0], np.float32)), name="p3")

        def construct(self, x):
            return self.p1 * x + self.p3

    (gx,), (g1, g3) = ops.GradOperation(get_all=True, get_by_list=True)(Affine())(
        Tensor(np.array([3.0], np.float32)))
    np.testing.assert_allclose([gx.asnumpy(), g1.asnumpy(), g3.asnumpy()],
                               [[2.0], [3.0], [1.0]])


class Inputless(nn.Cell):
    """A Cell whose construct takes no inputs, only its Parameter (MindSpore's
    tests/st/gradient nets): 3 w^2, whose gradient at w = 2 is 12."""

    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0], np.float32)), name="w")

    def construct(self):
        return self.w * self.w * 3


SENS = Tensor(np.array([2.0], np.float32))


@pytest.mark.parametrize("call, want", [
    (lambda n, p: ops.GradOperation(get_by_list=True)(n, p)(), ([12.0],)),
    (lambda n, p: ops.GradOperation(get_all=True, get_by_list=True)(n, p)(), ((), ([12.0],))),
    (lambda n, p: ops.GradOperation()(n)(), ()),
    (lambda n, p: ops.GradOperation(get_all=True)(n)(), ()),
    (lambda n, p: ops.GradOperation(get_by_list=True, sens_param=True)(n, p)(SENS), ([24.0],)),
    (lambda n, p: ms.grad(n, None, p)(), ([12.0],)),
], ids=["by_list", "all_and_list", "plain", "all", "sens", "ms_grad"])
def test_a_cell_of_no_inputs_gives_its_weights_gradients(call, want):
    """Measured in MindSpore 2.10; the GradOperation forms raised a bare TypeError."""
    net = Inputless()
    got = call(net, ParameterTuple(net.trainable_params()))
    assert _nested(got) == _nested(want)


def _nested(value):
    if isinstance(value, tuple):
        return tuple(_nested(v) for v in value)
    return np.asarray(value, np.float64).tolist()


class TwoOutputs(nn.Cell):
    """Returns (sum(x w y), x w w): with sens (s0, s1) the gradient is that of
    s0 sum(x w y) + sum(s1 x w w) (MindSpore 2.10 weights each output by its sens)."""

    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([1.0, 2.0], np.float32)), name="w")

    def construct(self, x, y):
        return (x * self.w * y).sum(), x * self.w * self.w


S0 = Tensor(np.float32(2.0))
_x, _y, _w, _s0, _s = (np.asarray(v, np.float64) for v in (X, Y, [1.0, 2.0], S0, S))
GRAD_X = _s0 * _w * _y + _s * _w * _w
GRAD_W = _s0 * _x * _y + _s * _x * 2 * _w


@pytest.mark.parametrize("call, want", [
    (lambda n: ops.GradOperation(get_by_list=True, sens_param=True)(n, weights(n))(
        X, Y, (S0, S)), (GRAD_W,)),
    (lambda n: ops.GradOperation(get_by_list=True, sens_param=True)(n, weights(n))(
        X, Y, [S0, S]), (GRAD_W,)),
    (lambda n: ops.GradOperation(sens_param=True)(n)(X, Y, (S0, S)), GRAD_X),
    (lambda n: ops.GradOperation(get_all=True, sens_param=True)(n)(X, Y, (S0, S)),
     (GRAD_X, _s0 * _x * _w)),
    (lambda n: nn.ForwardValueAndGrad(n, weights(n), get_by_list=True, sens_param=True)(
        X, Y, (S0, S))[1], (GRAD_W,)),
], ids=["by_list", "list_of_sens", "first_input", "all_inputs", "ForwardValueAndGrad"])
def test_sens_of_a_tuple_output_weights_each_output(call, want):
    same_structure(call(TwoOutputs()), want)


def test_sens_of_a_tuple_output_must_be_as_many():
    net = TwoOutputs()
    with pytest.raises(ms.AutodiffError, match="returns 2 values: sens must be a tuple of as"):
        ops.GradOperation(get_by_list=True, sens_param=True)(net, weights(net))(X, Y, S)


def _ids(value):
    """The structure of a return_ids result: ids kept, gradients as "g"."""
    if isinstance(value, tuple):
        return tuple(_ids(v) for v in value)
    return value if isinstance(value, int | str) else "g"


# (grad_position, with the weights, structure) as MindSpore 2.10 returns them
RETURN_IDS = [
    (0, False, (0, "g")),
    ((0,), False, (0, "g")),
    (1, False, ((1, "g"),)),
    ((1,), False, ((1, "g"),)),
    ((0, 1), False, ((0, "g"), (1, "g"))),
    ((1, 0), False, ((1, "g"), (0, "g"))),
    (0, True, ((0, "g"), (("w", "g"),))),
    (1, True, (((1, "g"),), (("w", "g"),))),
    ((0, 1), True, (((0, "g"), (1, "g")), (("w", "g"),))),
]


@pytest.mark.parametrize(("position", "with_weights", "want"), RETURN_IDS)
@pytest.mark.parametrize("make", [ms.grad, lambda *a, **k: (
    lambda *xs: ms.value_and_grad(*a, **k)(*xs)[1])], ids=["grad", "value_and_grad"])
def test_return_ids_nests_one_position_as_mindspore(make, position, with_weights, want):
    """With return_ids a single position's pair comes bare for position 0 only, in a
    1-tuple for any other (measured in MindSpore 2.10)."""
    net = Net()
    out = make(net, grad_position=position, weights=weights(net) if with_weights else None,
               return_ids=True)(X, Y)
    assert _ids(out) == want
    for p in (position if isinstance(position, tuple) else (position,)):
        np.testing.assert_allclose(ms.get_grad(out, p), [0.5, -2.0] if p == 0 else [3.0, 8.0])


class DictOutput(nn.Cell):
    def construct(self, x):
        return {"a": ops.relu(x), "b": x * 2.0}


def test_sens_of_a_dict_output_is_a_dict_with_its_keys():
    """MindSpore's test_network_with_dict_output: the sens-weighted gradient, the dict
    handed back as its own sens (keys in any order); other keys are a TypeError."""
    x = Tensor(np.array([[0.8, -0.6, 0.2], [1.8, 1.3, -1.1]], np.float32))
    sens = {"b": Tensor(np.full((2, 3), 0.5, np.float32)), "a": x}
    got = ops.GradOperation(sens_param=True)(DictOutput())(x, sens)
    np.testing.assert_allclose(got, np.where(x > 0, x, 0.0) + 1.0, rtol=1e-6)
    with pytest.raises(ms.AutodiffError, match="sens must be a dict with its keys"):
        ops.GradOperation(sens_param=True)(DictOutput())(x, {"a": x})


class Powers(nn.Cell):
    """x * w * x ** n, or its negative: a loop count and a flag among the inputs."""

    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0], np.float32)), name="w")

    def construct(self, x, n, flag=True):
        out = x * self.w
        for _ in range(n):
            out = out * x
        return out if flag else -out


class GradOfPowers(nn.Cell):
    def __init__(self):
        super().__init__()
        self.net = Powers()

    def construct(self, x):
        return ops.GradOperation(get_all=True)(self.net)(x, 2, False)


X1 = Tensor(np.array([1.5], np.float32))


@pytest.mark.parametrize("call, want", [
    (lambda: ops.GradOperation(get_all=True)(Powers())(X1, 2), ([13.5],)),
    (lambda: ops.GradOperation(get_all=True)(Powers())(X1, 2, False), ([-13.5],)),
    (lambda: ops.GradOperation(get_all=True, sens_param=True)(Powers())(X1, 2, Tensor([3.0])),
     ([40.5],)),
    (lambda: ops.GradOperation(get_all=True, get_by_list=True)(Powers())(X1, 2),
     (([13.5],), ([3.375],))),
    (lambda: ops.GradOperation(get_all=True, get_by_list=True)(Powers())(3, 2), ((), ([27.0],))),
    (lambda: ops.GradOperation(get_all=True)(lambda n, m: n + m)(1, 2), ()),
    (lambda: ops.GradOperation(get_all=True)(GradOfPowers())(X1), ([-18.0],)),
])
def test_get_all_leaves_out_python_ints_and_flags(call, want):
    """MindSpore 2.10 leaves its non-Tensor inputs out of ``get_all``'s tuple (measured,
    each value here): the gradient of 2 x^3 is 6 x^2 = 13.5 at x = 1.5, w's is x^3. A
    Python int there was refused as an input that cannot be differentiated."""
    got = call()
    assert _structure(got) == _structure(want)
    for g, w in zip(_leaves(got), _leaves(want)):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-6)


def _structure(tree):
    return [_structure(t) for t in tree] if isinstance(tree, tuple) else None


def _leaves(tree):
    return [x for t in tree for x in _leaves(t)] if isinstance(tree, tuple) else [tree]


class SixTimes(nn.Cell):
    def construct(self, x):
        return 6 * x


@pytest.mark.parametrize("call", [
    lambda n, x: ops.GradOperation(get_by_list=True)(n, n.trainable_params())(x),
    lambda n, x: ms.grad(n, None, n.trainable_params())(x),
], ids=["grad_operation", "grad"])
def test_nothing_to_differentiate_gives_an_empty_tuple_whatever_is_returned(call):
    """No positions and no weights (a Cell of no Parameters): ``()``, for an integer
    output too, as MindSpore 2.10 gives (measured); the integer output was refused as
    having no float to differentiate."""
    for x in (Tensor(np.array([1.0], np.float32)), Tensor(np.array([1], np.int32))):
        assert call(SixTimes(), x) == ()
