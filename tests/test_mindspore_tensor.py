"""Tensor, Parameter, dtypes, context and Cell methods, against MindSpore.

Every expected value below was measured in MindSpore 2.10.0 (CPU, PyNative mode), by
running the same expression there.
"""
from __future__ import annotations

import autodiff_compiler.common.dtype as mstype
import numpy as np
import pytest
from autodiff_compiler.common.initializer import Normal, initializer

import autodiff_compiler as ms
from autodiff_compiler import Parameter, ParameterTuple, Tensor, check_grads, context, nn

# (expression, dtype MindSpore gives it)
DTYPES = [
    (lambda: Tensor(1.0), np.float32),
    (lambda: Tensor([0.2, -0.2]), np.float32),
    (lambda: Tensor([1, 2.5]), np.float32),
    (lambda: Tensor(3), np.int64),
    (lambda: Tensor(True), np.bool_),
    (lambda: Tensor(np.array([1.0, 2.0])), np.float64),
    (lambda: Tensor(np.float64(1.0)), np.float64),
    (lambda: Tensor(np.ones(2, np.float32)), np.float32),
    (lambda: Tensor(np.array([1, 2], dtype=np.int32)), np.int32),
    (lambda: Tensor(1.0, ms.float64), np.float64),
    (lambda: Tensor([1, 2], dtype=mstype.float32), np.float32),
    (lambda: Parameter(2.0), np.float32),
    (lambda: Tensor.from_numpy(np.array([1.0])), np.float64),
    # ``ms.tensor``, the constructor as a function (MindSpore 2.x)
    (lambda: ms.tensor([1, 2, 3], ms.int32), np.int32),
    (lambda: ms.tensor([1.5, 2]), np.float32),
    (lambda: ms.tensor(3), np.int64),
    (lambda: ms.tensor(True), np.bool_),
    (lambda: ms.tensor(np.arange(3)), np.int64),
    (lambda: ms.tensor([[1, 2], [3, 4]], ms.float16), np.float16),
    (lambda: ms.tensor([1.0, 2.0], dtype=ms.float32, device="CPU"), np.float32),
]


@pytest.mark.parametrize("make, dtype", DTYPES, ids=range(len(DTYPES)))
def test_dtype_rules_are_mindspores(make, dtype):
    assert make().dtype == dtype


# (tensor, MindSpore's repr)
REPRS = [
    (Tensor(1.0), "Tensor(shape=[], dtype=Float32, value= 1)"),
    (Tensor(2.5), "Tensor(shape=[], dtype=Float32, value= 2.5)"),
    (Tensor(-3.0), "Tensor(shape=[], dtype=Float32, value= -3)"),
    (Tensor(1e10), "Tensor(shape=[], dtype=Float32, value= 1e+10)"),
    (Tensor(-3), "Tensor(shape=[], dtype=Int64, value= -3)"),
    (Tensor(True), "Tensor(shape=[], dtype=Bool, value= True)"),
    (Tensor([0.2, -0.2]),
     "Tensor(shape=[2], dtype=Float32, value= [ 2.00000003e-01, -2.00000003e-01])"),
    (Tensor([1, 2, 3]), "Tensor(shape=[3], dtype=Int64, value= [1, 2, 3])"),
    (Tensor([True, False]), "Tensor(shape=[2], dtype=Bool, value= [ True, False])"),
    (Tensor([1.5], mstype.float16), "Tensor(shape=[1], dtype=Float16, value= [ 1.5000e+00])"),
    (Tensor(np.array([1.0, 2.0])),
     "Tensor(shape=[2], dtype=Float64, value= [ 1.00000000e+00,  2.00000000e+00])"),
    (Tensor([[1.0, 2.5], [3.0, 4.0]]),
     "Tensor(shape=[2, 2], dtype=Float32, value=\n"
     "[[ 1.00000000e+00,  2.50000000e+00],\n [ 3.00000000e+00,  4.00000000e+00]])"),
    (Tensor([[1, 2], [3, 4]]), "Tensor(shape=[2, 2], dtype=Int64, value=\n[[1, 2],\n [3, 4]])"),
    (Tensor(np.arange(8, dtype=np.float32).reshape(2, 2, 2)),
     "Tensor(shape=[2, 2, 2], dtype=Float32, value=\n"
     "[[[ 0.00000000e+00,  1.00000000e+00],\n  [ 2.00000000e+00,  3.00000000e+00]],\n"
     " [[ 4.00000000e+00,  5.00000000e+00],\n  [ 6.00000000e+00,  7.00000000e+00]]])"),
    (Parameter(Tensor([1.0, 2.0]), name="w"),
     "Parameter (name=w, shape=(2,), dtype=Float32, requires_grad=True)"),
]


@pytest.mark.parametrize("tensor, expected", REPRS, ids=range(len(REPRS)))
def test_repr_is_mindspores(tensor, expected):
    assert repr(tensor) == expected


@pytest.mark.parametrize("tensor, expected", [
    (Tensor(1.0), "1.0"), (Tensor([0.2, -0.2]), "[ 0.2 -0.2]"),
    (Tensor([[1.0, 2.5], [3.0, 4.0]]), "[[1.  2.5]\n [3.  4. ]]"), (Tensor(3), "3"),
], ids=range(4))
def test_str_is_mindspores(tensor, expected):
    assert str(tensor) == expected


@pytest.mark.parametrize("tensor, expected", [
    (Tensor(1.2345678), "1.2345678"), (Tensor(0.1), "0.1"), (Tensor(1e-8), "1e-08"),
    (Tensor(np.float16(1.2345678)), "1.234"), (Tensor(3), "3"), (Tensor(True), "True"),
    (Tensor([0.2, -0.2]), "[ 0.2 -0.2]"),
    (Parameter(Tensor(2.5), name="w"),
     "Parameter (name=w, shape=(), dtype=Float32, requires_grad=True)"),
], ids=range(8))
def test_an_f_string_prints_as_mindspore_does(tensor, expected):
    """``print(f"loss: {loss}")`` shows ``str(loss)``, as in MindSpore 2.10 (measured),
    not the float32's Python-float digits (``1.2345677614212036``)."""
    assert f"{tensor}" == expected and format(tensor) == expected


def test_an_f_string_format_spec_formats_the_value():
    assert f"{Tensor(1.2345678):.3f}" == "1.235" and f"{Tensor(7):>3d}" == "  7"


def test_methods_and_arithmetic_give_tensors_with_mindspores_values():
    t = Tensor([1.0, 2.0])
    for result in (t + t, t * 2, -t, t ** 2, t.sum(), t[0], t.tanh(), t.mean(keep_dims=True),
                   t.reshape(2, 1), t.transpose(), Parameter(t, name="p") + 1):
        assert type(result) is Tensor
    np.testing.assert_allclose(t.tanh().asnumpy(), [0.7615942, 0.9640276], rtol=1e-6)
    np.testing.assert_allclose(t.exp().asnumpy(), [2.7182798, 7.38906], rtol=1e-6)
    assert t.mean(keep_dims=True).shape == (1,) and float(t.mean()) == 1.5
    assert t.sum().item() == 3.0 and type(t[0].item()) is float
    assert type(t.asnumpy()) is np.ndarray and t.asnumpy().dtype == np.float32
    assert Tensor([[1.0, 2.0]]).T.shape == (2, 1) and t.astype(mstype.int32).dtype == np.int32


def test_from_numpy_and_asnumpy_share_memory_tensor_copies():
    a = np.ones(2, np.float32)
    shared, copied = Tensor.from_numpy(a), Tensor(a)
    a[0] = 5.0
    assert shared[0] == 5.0 and copied[0] == 1.0
    shared.asnumpy()[1] = 9.0
    assert shared[1] == 9.0


def mse(x, y):
    return ((x - y) ** 2).sum()


def test_gradients_of_tensors_are_tensors_and_of_arrays_arrays():
    g = ms.grad(mse)(Tensor([1.0, 2.0]), Tensor([0.0, 0.0]))
    assert type(g) is Tensor and g.dtype == np.float32
    np.testing.assert_allclose(g.asnumpy(), [2.0, 4.0])
    scalar = ms.grad(mse)(Tensor(3.0), Tensor(1.0))  # MindSpore: Tensor(shape=[], ..., 4)
    assert repr(scalar) == "Tensor(shape=[], dtype=Float32, value= 4)"
    plain = ms.grad(mse)(np.array([1.0, 2.0]), np.zeros(2))
    assert type(plain) is np.ndarray
    value, grads = ms.value_and_grad(mse, grad_position=(0, 1))(Tensor([1.0]), Tensor([3.0]))
    assert type(value) is Tensor and [type(g) for g in grads] == [Tensor, Tensor]


def tensor_methods(x, y):
    return (x.tanh() * y.sin()).sum() + x.pow(2).sum() + x.neg().exp().sum()


def test_mindspore_tensor_methods_compile_to_numpys_gradients():
    """``x.tanh()`` and its kin inside a differentiated function: the gradient of the
    same function written with NumPy's functions."""
    def with_numpy(x, y):
        return (np.tanh(x) * np.sin(y)).sum() + np.power(x, 2).sum() + np.exp(-x).sum()

    x, y = Tensor([0.5, 1.0]), Tensor([2.0, 3.0])
    got = ms.grad(tensor_methods, grad_position=(0, 1))(x, y)
    want = ms.grad(with_numpy, grad_position=(0, 1))(np.asarray(x), np.asarray(y))
    for g, w in zip(got, want):
        assert type(g) is Tensor
        np.testing.assert_allclose(g.asnumpy(), w, rtol=1e-6)
    np.testing.assert_allclose(float(tensor_methods(x, y)), 2.7520876, rtol=1e-6)
    mindspore_grads = ([1.1085844, 1.691388], [-0.192308605, -0.75397253])
    for g, w in zip(got, mindspore_grads):
        np.testing.assert_allclose(g.asnumpy(), w, rtol=1e-6)


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor([1.0, 2.0]), name="w")
        self.frozen = Parameter(Tensor([3.0]), name="frozen", requires_grad=False)
        self.fc = nn.Dense(2, 3)
        self.seq = nn.SequentialCell([nn.Dense(3, 2), nn.ReLU()])

    def construct(self, x):
        return self.seq(self.fc(x * self.w)).sum()


def test_cell_gradients_are_tensors():
    net = Net()
    grads = ms.grad(net, grad_position=None, weights=net.trainable_params())(Tensor([1.0, 2.0]))
    assert [type(g) for g in grads] == [Tensor] * 5


def test_cell_methods_list_and_name_as_mindspore():
    net = Net()
    assert (net.training, net.phase) == (False, "predict")
    assert net.set_train() is net and net.training and net.seq.training and net.phase == "train"
    assert not net.set_train(False).training
    params = net.get_parameters()
    assert type(params).__name__ == "generator"
    assert [p.name for p in params] == ["w", "frozen", "fc.weight", "fc.bias", "seq.0.weight",
                                        "seq.0.bias"]
    assert type(net.trainable_params()) is list
    assert [p.name for p in net.untrainable_params()] == ["frozen"]
    assert [p.name for p in net.trainable_params(recurse=False)] == ["w"]
    assert [n for n, _ in net.cells_and_names()] == ["", "fc", "seq", "seq.0", "seq.1"]
    assert list(net.name_cells()) == ["fc", "seq"]
    net.insert_child_to_cell("extra", nn.Dense(1, 1))
    assert [n for n, _ in net.parameters_and_names(name_prefix="net")][-2:] == \
        ["net.extra.weight", "net.extra.bias"]
    assert repr(net) == (
        "Net(\n  (fc): Dense(input_channels=2, output_channels=3, has_bias=True)\n"
        "  (seq): SequentialCell(\n"
        "    (0): Dense(input_channels=3, output_channels=2, has_bias=True)\n"
        "    (1): ReLU()\n  )\n"
        "  (extra): Dense(input_channels=1, output_channels=1, has_bias=True)\n)")


@pytest.mark.parametrize("drop", ["del", "none", "inserted"])
def test_a_removed_sub_cell_leaves_the_listings(drop):
    """``del net.fc`` or ``net.fc = None`` kept its Parameters in ``trainable_params``
    (and so in an optimizer, a checkpoint); MindSpore drops them."""
    net = Net()
    if drop == "inserted":
        net.insert_child_to_cell("extra", nn.Dense(1, 1))
        del net.extra
    elif drop == "del":
        del net.fc
    else:
        net.fc = None
    kept = ["w", "frozen", "seq.0.weight", "seq.0.bias"]
    if drop == "inserted":
        kept[2:2] = ["fc.weight", "fc.bias"]
    assert [p.name for p in net.get_parameters()] == kept
    assert "fc" not in [n for n, _ in net.cells_and_names()] or drop == "inserted"
    assert "extra" not in net.name_cells()


def test_a_cell_appended_to_a_named_container_is_named_by_the_whole_path():
    """``self.head.append(layer)`` after ``self.head = SequentialCell(...)``: MindSpore
    names it ``head.1.weight``; it was ``1.weight``, and two such lists collided."""
    class Heads(nn.Cell):
        def __init__(self):
            super().__init__()
            self.head = nn.SequentialCell(nn.Dense(2, 2))
            self.tail = nn.CellList([nn.Dense(2, 2)])

    class Outer(nn.Cell):
        def __init__(self):
            super().__init__()
            self.heads = Heads()

    net = Outer()
    net.heads.head.append(nn.Dense(2, 3))
    net.heads.tail.append(nn.Dense(3, 3))
    assert [p.name for p in net.get_parameters()] == [
        f"heads.{part}.{i}.{kind}" for part in ("head", "tail") for i in (0, 1)
        for kind in ("weight", "bias")]
    ms.nn.Adam(net.trainable_params(), 0.01)  # no two Parameters of one name


def test_fill_diagonal_and_sum_to_size_as_mindspore():
    """Measured in MindSpore 2.10: a new Tensor (the input untouched); ``wrap`` restarts
    the diagonal below a tall matrix's square part."""
    x = Tensor(np.zeros((3, 3), np.float32))
    np.testing.assert_array_equal(x.fill_diagonal(5.0), 5.0 * np.eye(3))
    assert not x.any()
    tall = Tensor(np.zeros((7, 3), np.float32))
    np.testing.assert_array_equal(tall.fill_diagonal(2.0, wrap=True),
                                  2.0 * np.vstack([np.eye(3), np.zeros((1, 3)), np.eye(3)]))
    np.testing.assert_array_equal(tall.fill_diagonal(2.0),
                                  2.0 * np.vstack([np.eye(3), np.zeros((4, 3))]))
    a = Tensor(np.ones((2, 3, 4), np.float32))
    assert a.sum_to_size((3, 1)).shape == (3, 1) and a.sum_to_size(1, 4).shape == (1, 4)
    np.testing.assert_array_equal(a.sum_to_size(3, 4), np.full((3, 4), 2.0))

    def loss(x):
        return (x.fill_diagonal(0.0) ** 2).sum() + (x.sum_to_size(1, 3) ** 2).sum()

    m = Tensor(np.arange(9.0, dtype=np.float32).reshape(3, 3))
    want = 2 * m * (1 - np.eye(3)) + 2 * m.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(ms.grad(loss)(m), want)


def test_tensor_flatten_takes_start_dim_by_position_eagerly_and_compiled():
    x = Tensor(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4))
    assert x.flatten(1).shape == (2, 12) and x.flatten(0, 1).shape == (6, 4)
    assert x.flatten().shape == (24,) and x.flatten(start_dim=1).shape == (2, 12)

    def loss(x):
        return (x.flatten(1) ** 2).sum() + x.flatten(0, 1).sum()

    np.testing.assert_allclose(ms.grad(loss)(x), 2 * x + 1)


def test_parameter_set_data_clone_value_and_parameter_tuple():
    w = Parameter(Tensor([1.0, 2.0]), name="w")
    assert w.set_data(Tensor([5.0, 6.0])) is w and w.value().tolist() == [5.0, 6.0]
    assert type(w.value()) is Tensor
    c = w.clone()
    assert c.name == "w" and c is not w and c.tolist() == [5.0, 6.0]
    clones = ParameterTuple([w]).clone("m", "zeros")
    assert [p.name for p in clones] == ["m.w"] and clones[0].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="its name 'w' already exists"):
        ParameterTuple([w, Parameter(Tensor([2.0]), name="w")])
    assert len(ParameterTuple([w, w])) == 2  # the same Parameter twice: accepted
    with pytest.raises(ValueError, match="can not be `bool`"):
        Parameter(True)
    import pickle
    again = pickle.loads(pickle.dumps(c))
    assert type(again) is Parameter and again.name == "w" and again.tolist() == [5.0, 6.0]


def test_set_data_refuses_a_wider_dtype_as_mindspore_does_and_casts_a_narrower_one():
    """MindSpore raises where the data's dtype ranks above the Parameter's (float64
    into float32: silently cast before); an int or float16 Tensor is cast."""
    w = Parameter(Tensor(np.zeros(2, np.float32)), name="w")
    with pytest.raises(TypeError, match=r"Can not change the Parameter dtype.*astype"):
        w.set_data(Tensor(np.array([1.0, 2.0])))
    with pytest.raises(TypeError, match="cannot change its dtype in place"):
        w.set_dtype(ms.float64)
    assert w.tolist() == [0.0, 0.0]
    for narrower in (np.array([1, 2], np.int32), np.array([1.5, 2.5], np.float16)):
        w.set_data(Tensor(narrower))
        assert w.dtype == np.float32 and w.tolist() == narrower.astype(np.float32).tolist()


def _cube_unless_a_tensor(x):
    if hasattr(x, "asnumpy"):
        return np.sum(x * x) * (getattr(x, "dtype", None) == np.float64)
    return np.sum(x ** 3) + getattr(x, "no_such_attribute", 0.5)


def test_hasattr_and_getattr_of_a_run_time_array_answer_as_its_class_does():
    """``hasattr(x, "asnumpy")``: a Tensor's answer for a Tensor argument, NumPy's for an
    array (refused before as a call without a derivative rule)."""
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(ms.grad(_cube_unless_a_tensor)(Tensor(x)), 2 * x)
    np.testing.assert_allclose(ms.grad(_cube_unless_a_tensor)(x), 3 * x ** 2)
    with pytest.raises(ms.AutodiffError, match="Tensor or a Parameter"):
        ms.grad(lambda v: np.sum(v) * hasattr(v, "requires_grad"))(Tensor(x))


def _logged(x):
    loss = np.sum(x ** 2)
    print("loss:", loss.asnumpy(), "x:", x.asnumpy())
    return loss + np.sum(x.asnumpy() * x)  # no gradient through the NumPy copy


def test_asnumpy_in_a_differentiated_function_is_data(capsys):
    """PyNative's logging, ``print(loss.asnumpy())``: refused before as an unknown array
    attribute. The NumPy array carries no gradient, as in MindSpore."""
    x = np.array([1.0, -2.0])
    value, grad = ms.value_and_grad(_logged)(Tensor(x))
    np.testing.assert_allclose([float(value), *grad.asnumpy()], [10.0, *(3 * x)])
    assert capsys.readouterr().out == "loss: 5.0 x: [ 1. -2.]\n"


def test_dtypes_print_as_mindspore():
    assert [str(t) for t in (mstype.float32, mstype.float64, mstype.int32, mstype.uint8,
                             mstype.bool_)] == ["Float32", "Float64", "Int32", "UInt8", "Bool"]
    assert repr(mstype.int32) == "mindspore.int32" and ms.dtype.float32 is mstype.float32
    assert mstype.float32 == np.float32 and np.zeros(2, mstype.float16).dtype == np.float16


def test_context_seed_and_initializers():
    assert (ms.GRAPH_MODE, ms.PYNATIVE_MODE) == (0, 1)
    assert ms.get_context("mode") == ms.PYNATIVE_MODE
    context.set_context(mode=context.GRAPH_MODE)
    assert ms.get_context("mode") == ms.GRAPH_MODE
    ms.set_context(mode=ms.PYNATIVE_MODE)
    with pytest.raises(ValueError, match=r"should be context\.GRAPH_MODE"):
        ms.set_context(mode=5)
    with pytest.raises(TypeError, match=r"must be <class 'int'>"):
        ms.set_context(mode="GRAPH")
    with pytest.raises(ValueError, match="not recognized"):
        ms.set_context(foo=1)
    with pytest.warns(RuntimeWarning, match="on the CPU"):
        ms.set_context(device_target="Ascend")
    ms.set_context(device_target="CPU")
    ms.set_seed(7)
    first = initializer(Normal(0.5), (3, 2))
    ms.set_seed(7)
    again = initializer(Normal(0.5), (3, 2))
    assert type(first) is Tensor and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)


def builds_tensors(x):
    c = Tensor([1.0, 2.0])
    d = Tensor(x * 2)
    e = Tensor([x[0], x[1]], ms.float64)
    return (x * c).sum() + Tensor(2.0) * x.sum() + d.sum() + e.sum()


def test_tensor_built_inside_a_differentiated_function():
    """``Tensor(constant)`` is a constant, ``Tensor(computed)`` a copy the gradient flows
    through, ``Tensor([a, b], dtype)`` a stack: d/dx = c + 2 + 2 + 1."""
    x = Tensor([0.5, 1.0])
    g = ms.grad(builds_tensors)(x)
    assert type(g) is Tensor and g.dtype == np.float32
    np.testing.assert_allclose(g.asnumpy(), [6.0, 7.0])
    np.testing.assert_allclose(float(builds_tensors(x)), 10.0)


def weighs_by_a_tensor(x):
    return (x * ms.tensor([1.0, 2.0], ms.float32)).sum() + ms.tensor(x, ms.float32).sum()


def test_tensor_function_inside_a_differentiated_function():
    """``ms.tensor(constant, dtype)`` is a constant, ``ms.tensor(x)`` a copy the gradient
    flows through (MindSpore 2.10 gives [2, 3])."""
    x = ms.tensor([3.0, 4.0], ms.float32)
    assert type(x) is Tensor and x.asnumpy().tolist() == [3.0, 4.0]
    np.testing.assert_allclose(ms.grad(weighs_by_a_tensor)(x).asnumpy(), [2.0, 3.0])


def squares_as_float64(x):
    return (ms.ops.cast(x, mstype.float64) ** 2).sum()


def test_ops_cast_as_mindspore():
    """MindSpore 2.10: cast to Int32 truncates ([1]); the gradient through a float64
    cast comes back Float32, the input's dtype ([2, 4]); the value is Float64 (5)."""
    assert repr(ms.ops.cast(Tensor([1.5]), mstype.int32)) == \
        "Tensor(shape=[1], dtype=Int32, value= [1])"
    x = Tensor([1.0, 2.0])
    assert repr(ms.grad(squares_as_float64)(x)) == \
        "Tensor(shape=[2], dtype=Float32, value= [ 2.00000000e+00,  4.00000000e+00])"
    assert repr(squares_as_float64(x)) == "Tensor(shape=[], dtype=Float64, value= 5)"


# (constructor call, dtype MindSpore 2.10 gives, shape)
CONSTRUCTORS = [
    (lambda: ms.ops.ones(3), np.float32, (3,)),
    (lambda: ms.ops.ones(3, ms.float64), np.float64, (3,)),
    (lambda: ms.ops.zeros((2,)), np.float32, (2,)),
    (lambda: ms.ops.ones_like(Tensor([1.0, 2.0])), np.float32, (2,)),
    (lambda: ms.ops.zeros_like(Tensor([1, 2])), np.int64, (2,)),
    (lambda: ms.ops.full((2,), 1), np.int64, (2,)),
    (lambda: ms.ops.full_like(Tensor([1.0, 2.0]), 3), np.float32, (2,)),
    (lambda: ms.ops.eye(2), np.float32, (2, 2)),
    (lambda: ms.ops.arange(0, 3), np.int64, (3,)),
    (lambda: ms.ops.arange(3), np.int64, (3,)),
    (lambda: ms.ops.linspace(0.0, 1.0, 3), np.float32, (3,)),
    (lambda: ms.ops.linspace(0, 1, 3), np.float32, (3,)),
    (lambda: Tensor(np.ones(2, np.float16)).new_zeros((3,)), np.float16, (3,)),
    (lambda: Tensor(np.ones(2, np.float16)).new_ones(3), np.float16, (3,)),
    (lambda: Tensor([1.0]).new_zeros((2,), dtype=ms.int32), np.int32, (2,)),
    (lambda: Tensor([1, 2]).new_full((2, 1), 7), np.int64, (2, 1)),
    (lambda: Tensor([1.0]).new_empty((1, 2)), np.float32, (1, 2)),
]


@pytest.mark.parametrize("make, dtype, shape", CONSTRUCTORS, ids=range(len(CONSTRUCTORS)))
def test_ops_constructors_give_tensors_of_mindspores_dtype(make, dtype, shape):
    t = make()
    assert type(t) is Tensor and t.dtype == dtype and t.shape == shape


def test_new_tensors_built_inside_a_differentiated_function():
    """``x.new_ones(shape)``: constants of the gradient, in ``x``'s dtype."""
    def f(x):
        return (x * x.new_ones(x.shape) + x.new_full((3,), 2.0)).sum() * x.new_zeros(()).size

    x = Tensor(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(ms.grad(f)(x), np.ones(3))
    assert ms.value_and_grad(f)(x)[0] == 12.0


WEAK_NUMBERS = [  # (expression, dtype MindSpore gives): the Tensor's, whatever NumPy runs
    ("s * 2.0", np.float32), ("s / 3", np.float32), ("1 - s", np.float32),
    ("v * 0.5", np.float32), ("s ** 2", np.float32), ("s > 0.5", np.bool_),
    ("i + 1", np.int32), ("i * 2", np.int32), ("s + True", np.float32),
    ("np.maximum(s, 0.0)", np.float32), ("np.add(v, 1.5)", np.float32),
]


@pytest.mark.parametrize("expression, dtype", WEAK_NUMBERS, ids=[e for e, _ in WEAK_NUMBERS])
def test_python_numbers_take_the_tensors_dtype(expression, dtype):
    """NumPy 1.x computes a 0-d float32 with a Python float in float64; MindSpore (and
    NumPy 2) keep float32: Tensors do, on either NumPy."""
    v = Tensor(np.array([1.0, 2.0], np.float32))
    s, i = v.sum(), Tensor(np.array(3, np.int32))
    result = eval(expression, {"np": np}, {"s": s, "v": v, "i": i})
    assert isinstance(result, Tensor) and result.dtype == dtype
    want = eval(expression, {"np": np}, {"s": s.asnumpy().astype(np.float64),
                                         "v": v.asnumpy(), "i": 3})
    np.testing.assert_allclose(result.asnumpy(), want, rtol=1e-6)


def test_a_dynamic_shape_placeholder_is_accepted_and_set_inputs_changes_nothing():
    """``net.set_inputs(Tensor(shape=[None, None], dtype=ms.int32))`` (MindSpore 2.x's
    dynamic-shape declaration) raised a TypeError building the placeholder; its open
    axes are empty here (MindSpore reports -1), and the net runs on any length."""
    placeholder = Tensor(shape=[None, None], dtype=ms.int32)
    assert placeholder.shape == (0, 0) and placeholder.dtype == ms.int32
    assert Tensor(shape=(-1, 3), dtype=ms.float32).shape == (0, 3)
    net = nn.Embedding(10, 3)
    net.set_inputs(placeholder)
    assert net.get_inputs() == (placeholder,)
    for shape in ((3, 5), (4, 7)):
        assert net(Tensor(np.zeros(shape, np.int32))).shape == (*shape, 3)


def test_cosine_similarity_cell_is_mindspores():
    """MindSpore 2.10's docstring example of ``nn.CosineSimilarity``; its gradient is
    ``ops.cosine_similarity``'s."""
    x1 = Tensor([[1.0, 3.0, 4.0, 7.0], [2.0, 4.0, 2.0, 5.0], [3.0, 1.0, 5.0, 8.0]])
    x2 = Tensor([[2.0, 4.0, 2.0, 5.0], [3.0, 1.0, 5.0, 8.0], [1.0, 3.0, 4.0, 7.0]])
    cell = nn.CosineSimilarity()
    np.testing.assert_allclose(cell(x1, x2), [0.9402562, 0.8614609, 0.9516245], rtol=1e-6)
    np.testing.assert_allclose(ms.grad(lambda a: cell(a, x2).sum())(x1),
                               ms.grad(lambda a: ms.ops.cosine_similarity(a, x2).sum())(x1))
    wide = [np.asarray(x, np.float64) for x in (x1, x2)]  # and against finite differences
    check_grads(lambda a, b: np.sum(cell(a, b) ** 2), *wide, order=2)


def test_jit_from_common_api_is_the_packages():
    """``from mindspore.common.api import jit`` (MindSpore's own tests and older code)."""
    from autodiff_compiler.common.api import jit, jit_class
    assert jit is ms.jit and jit_class is ms.jit_class
