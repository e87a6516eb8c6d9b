"""jacfwd, jacrev, hessian, hvp, and jvp/vjp as MindSpore 2.x spells them.

Every derivative is checked against central finite differences in float64 (Jacobians
column by column). Result structures follow what MindSpore 2.x returns, measured on
it: a Jacobian has shape ``output.shape + input.shape``; several positions give a
tuple over positions (one position, even ``(0,)``, the array alone); several outputs
a tuple over outputs, each holding the positions' part; ``has_aux`` gives
``(jacobian, aux)`` with aux the second output alone or the rest as a tuple.
"""
import control_cases as cases
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, directional, nn

RNG = np.random.default_rng(11)
EPS = 1e-6


def uniform(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


def outputs_of(fn, args):
    out = fn(*args)
    return list(out) if isinstance(out, tuple) else [out]


def numeric_jacobian(fn, args, out_index, position):
    """d fn(*args)[out_index] / d args[position], column by column, shape out + in."""
    x = np.asarray(args[position], dtype=np.float64)
    out_shape = np.shape(outputs_of(fn, args)[out_index])
    columns = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = EPS
        step = step.reshape(x.shape)
        hi, lo = list(args), list(args)
        hi[position], lo[position] = x + step, x - step
        diff = (np.asarray(outputs_of(fn, hi)[out_index]) -
                np.asarray(outputs_of(fn, lo)[out_index])) / (2 * EPS)
        columns.append(np.broadcast_to(diff, out_shape).ravel())
    if not columns:
        return np.zeros(out_shape + x.shape)
    return np.stack(columns, axis=-1).reshape(out_shape + x.shape)


def broadcast_sum(x, y):
    return np.sin(x) * y + x ** 2          # x (3, 1), y (4,) -> (3, 4)


def two_outputs(x, y):
    return x * y, np.exp(x) + np.sum(y)    # (3,) and (3,)


def matvec(m, x):
    return np.tanh(m @ x)                  # (2, 3) @ (3,) -> (2,)


def scalar_of_scalar(x):
    return np.sin(x) * x ** 3              # 0-d -> 0-d


def with_aux(x):
    return np.cos(x) * x, np.sum(x), x * 2.0


def _halving(v):
    if np.sum(v * v) < 0.1:
        return v
    return _halving(v * 0.5) + np.sin(v)


def recursion_to_a_run_time_depth(x):
    return np.sum(_halving(x))


def accumulator_started_as_a_float(x):
    acc = 0.0
    for i in range(4):
        acc = acc + np.sin(x * (i + 1))
        if np.sum(acc) > 2.0:
            break
    return acc.sum()


def branch_of_two_shapes(x):
    s = np.sum(x)
    v = s * np.sin(x) if s > 0 else s      # a vector on one path, 0-d on the other
    return np.sum(v)


def layers_by_formatted_key(params, h):
    for i in range(2):
        h = np.tanh(h @ params[f"W{i}"])
    return h


def split_in_three(x):
    return tuple(np.array_split(np.sin(x), 3))   # (1,) -> (1,), (0,), (0,)


def one_entry_beside_none(x, y):
    return x * np.sum(y ** 2) + np.exp(x), y * x  # x (1,), y (0,)


CASES = [  # (function, arguments, positions)
    (broadcast_sum, (uniform(3, 1), uniform(4)), (0, 1)),
    (two_outputs, (uniform(3), uniform(3)), (0, 1)),
    (matvec, (uniform(2, 3), uniform(3)), (0, 1)),
    (scalar_of_scalar, (np.array(0.7),), (0,)),
    (cases.branch, (uniform(4),), (0,)),
    (cases.branch, (-np.abs(uniform(4)),), (0,)),
    (cases.loop_range, (uniform(3), uniform(3)), (0, 1)),
    (cases.while_loop, (uniform(3) * 0.1,), (0,)),
    (cases.break_and_continue, (uniform(2, 2),), (0,)),
    (cases.rnn, (uniform(3, 2, 4), uniform(5, 5) * 0.5, uniform(4, 5) * 0.5), (1, 2)),
    # the value of a region batched as a loop over the basis carries the batch axis
    (recursion_to_a_run_time_depth, (np.array([0.3, 0.6, -0.2]),), (0,)),
    (accumulator_started_as_a_float, (uniform(2, 3),), (0,)),
    (branch_of_two_shapes, (np.array([0.3, -0.2, 0.1]),), (0,)),
    (layers_by_formatted_key, ({"W0": uniform(2, 3), "W1": uniform(3, 2)}, uniform(2)), (1,)),
    # one entry in all, beside outputs or inputs with none (the basis is one vector)
    (split_in_three, (uniform(1),), (0,)),
    (one_entry_beside_none, (uniform(1), uniform(0)), (0, 1)),
]
IDS = [f"{fn.__name__}-{i}" for i, (fn, _, _) in enumerate(CASES)]


def expected(fn, args, positions, bare):
    """The numeric Jacobians arranged as MindSpore arranges them."""
    outs = fn(*args)
    several = isinstance(outs, tuple)
    per_output = [[numeric_jacobian(fn, args, i, p) for p in positions]
                  for i in range(len(outs) if several else 1)]
    arranged = [row[0] if bare else tuple(row) for row in per_output]
    return tuple(arranged) if several else arranged[0]


def assert_same_tree(got, want, rtol=1e-5, atol=1e-7):
    assert type(got) is type(want) or not isinstance(want, tuple), (got, want)
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same_tree(g, w, rtol, atol)
        return
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("transform", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
@pytest.mark.parametrize(("fn", "args", "positions"), CASES, ids=IDS)
def test_jacobian_matches_finite_differences(transform, fn, args, positions):
    got = transform(fn, grad_position=positions)(*args)
    assert_same_tree(got, expected(fn, args, positions, bare=len(positions) == 1))


@pytest.mark.parametrize("transform", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
def test_one_position_gives_the_array_alone_even_as_a_tuple(transform):
    x, y = uniform(3), uniform(3)
    one = transform(two_outputs, grad_position=(1,))(x, y)
    assert isinstance(one, tuple) and len(one) == 2  # a tuple over the outputs only
    for i, jac in enumerate(one):
        assert np.shape(jac) == np.shape(two_outputs(x, y)[i]) + np.shape(y)
        np.testing.assert_allclose(jac, numeric_jacobian(two_outputs, (x, y), i, 1),
                                   rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("transform", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
def test_empty_input_gives_an_empty_jacobian(transform):
    args = (np.zeros((0, 1)), uniform(2))
    jac = transform(broadcast_sum, grad_position=(0, 1))(*args)
    out_shape = np.shape(broadcast_sum(*args))
    assert [np.shape(j) for j in jac] == [out_shape + np.shape(a) for a in args]


@pytest.mark.parametrize("transform", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
def test_negative_position_and_float32_keep_dtype(transform):
    m, x = uniform(2, 3).astype(np.float32), uniform(3).astype(np.float32)
    jac = transform(matvec, grad_position=-1)(m, x)
    assert jac.dtype == np.float32 and jac.shape == matvec(m, x).shape + x.shape
    np.testing.assert_allclose(jac, numeric_jacobian(matvec, (m.astype(float), x.astype(float)),
                                                     0, 1), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("transform", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
def test_has_aux_differentiates_the_first_output_and_returns_the_rest(transform):
    x = uniform(4)
    jac, aux = transform(with_aux, has_aux=True)(x)
    first = lambda x: with_aux(x)[0]
    np.testing.assert_allclose(jac, numeric_jacobian(first, (x,), 0, 0), rtol=1e-5, atol=1e-7)
    assert isinstance(aux, tuple) and len(aux) == 2  # the rest, as a tuple
    np.testing.assert_allclose(aux[0], np.sum(x))
    np.testing.assert_allclose(aux[1], x * 2.0)

    def pair(x):
        return np.sin(x), x * 3.0

    jac, aux = transform(pair, has_aux=True)(x)  # two outputs: aux alone
    np.testing.assert_allclose(jac, np.diag(np.cos(x)), rtol=1e-12)
    np.testing.assert_allclose(aux, x * 3.0)


def scalar_loss(x, y):
    return np.sum(np.sin(x) * y ** 2) + np.sum(x ** 3)


HESSIAN_CASES = [
    (scalar_loss, (uniform(3), uniform(3)), (0, 1)),
    (scalar_of_scalar, (np.array(0.3),), (0,)),
    (cases.branch, (uniform(3),), (0,)),
    (cases.loop_range, (uniform(3), uniform(3)), (0, 1)),
    (cases.while_loop, (uniform(2) * 0.1,), (0,)),
    (cases.break_and_continue, (uniform(3),), (0,)),
    (cases.grow_in_steps_until_large, (np.array([0.6, 0.9]),), (0,)),
    (cases.rnn, (uniform(2, 2, 3), uniform(3, 3) * 0.5, uniform(3, 3) * 0.5), (1,)),
    (branch_of_two_shapes, (np.array([0.3, -0.2, 0.1]),), (0,)),
    (branch_of_two_shapes, (np.array([-0.3, -0.2, 0.1]),), (0,)),
]


def numeric_hessian(fn, args, positions):
    """H[i][j] = d grad_i / d x_j, the gradient by adc.grad, differences column by column."""
    gradient = adc.grad(fn, grad_position=positions)

    def grads(*a):
        g = gradient(*a)
        return tuple(g) if len(positions) > 1 else g

    return [[numeric_jacobian(grads, args, i, q) for q in positions]
            for i in range(len(positions))]


@pytest.mark.parametrize(("fn", "args", "positions"), HESSIAN_CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(HESSIAN_CASES)])
def test_hessian_matches_finite_differences_of_the_gradient(fn, args, positions):
    got = adc.hessian(fn, grad_position=positions)(*args)
    want = numeric_hessian(fn, args, positions)
    want = want[0][0] if len(positions) == 1 else tuple(tuple(row) for row in want)
    assert_same_tree(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("fn", "args", "positions"), HESSIAN_CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(HESSIAN_CASES)])
def test_hvp_is_the_hessian_times_the_vector(fn, args, positions):
    v = tuple(uniform(*np.shape(a)) for a in args)
    got = adc.hvp(fn, args, v, grad_position=positions)
    got = got if len(positions) > 1 else (got,)
    for i, p in enumerate(positions):
        # v moves every argument, not only the differentiated ones: differences of the
        # gradient along v (no Hessian formed on either side)
        grad_i = adc.grad(fn, grad_position=p)
        bumped = [np.asarray(a) + EPS * t for a, t in zip(args, v)]
        dropped = [np.asarray(a) - EPS * t for a, t in zip(args, v)]
        want = (grad_i(*bumped) - grad_i(*dropped)) / (2 * EPS)
        assert np.shape(got[i]) == np.shape(args[p])
        np.testing.assert_allclose(got[i], want, rtol=1e-5, atol=1e-6)


def two_layer_loss(w1, w2, x):
    return np.sum(np.tanh(x @ w1) @ w2)


def test_hvp_program_returns_the_tangent_alone_and_skips_the_gradient():
    """hvp discards the gradient, so its program neither returns nor computes it: the
    gradient's own product ``x.T @ g`` is left out (one matmul fewer than jvp of grad)."""
    args = (uniform(3, 4), uniform(4, 2), uniform(5, 3))
    v = (uniform(3, 4), uniform(4, 2), None)
    hvp_ir = adc.gradient_ir(two_layer_loss, (0, 1), args=args, transform="hvp")
    jvp_ir = adc.gradient_ir(adc.grad(two_layer_loss, (0, 1)), (0, 1), args=args,
                             transform="jvp")
    assert hvp_ir.count(" matmul") < jvp_ir.count(" matmul")
    got = adc.hvp(two_layer_loss, args, v, grad_position=(0, 1))
    _, want = adc.jvp(adc.grad(two_layer_loss, (0, 1)), args, v)
    assert_same_tree(got, want, rtol=1e-12, atol=1e-12)


def test_repeated_transform_calls_share_one_compiled_function_per_function_object():
    """jvp, vjp and hvp take ``fn`` anew at every call and keep its gradient object per
    function: functions sharing code but not defaults, and defaults replaced between
    calls, still get their own answers."""
    x, v = uniform(4), uniform(4)
    scaled = [lambda x, k=k: k * np.sum(x ** 3) for k in (1.0, 2.0, 3.0)]
    for _ in range(2):
        for k, f in zip((1.0, 2.0, 3.0), scaled):
            np.testing.assert_allclose(adc.hvp(f, x, v), 6 * k * x * v, rtol=1e-12)
            np.testing.assert_allclose(adc.jvp(f, x, v)[1], 3 * k * np.sum(x ** 2 * v),
                                       rtol=1e-12)
            np.testing.assert_allclose(adc.vjp(f, x)[1](1.0)[0], 3 * k * x ** 2, rtol=1e-12)
    f = scaled[0]
    f.__defaults__ = (5.0,)
    np.testing.assert_allclose(adc.hvp(f, x, v), 30 * x * v, rtol=1e-12)
    np.testing.assert_allclose(adc.jvp(f, x, v)[1], 15 * np.sum(x ** 2 * v), rtol=1e-12)

    def cube(x, k):
        return k * np.sum(x ** 3)
    np.testing.assert_allclose(adc.hvp(cube, (x, 2.0), (v, None)), 12 * x * v, rtol=1e-12)
    cube.__defaults__ = (4.0,)  # k may now be left out
    np.testing.assert_allclose(adc.hvp(cube, x, v), 24 * x * v, rtol=1e-12)


def test_hessian_is_symmetric_and_agrees_with_jacobian_of_gradient():
    x, y = uniform(3), uniform(3)
    hess = adc.hessian(scalar_loss, grad_position=(0, 1))(x, y)
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(hess[i][j], hess[j][i].T, rtol=1e-12, atol=1e-12)
    via_jacrev = adc.jacfwd(adc.grad(scalar_loss, grad_position=(0, 1)),
                            grad_position=(0, 1))(x, y)
    assert_same_tree(hess, via_jacrev, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("outer", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
@pytest.mark.parametrize("inner", [adc.jacrev, adc.jacfwd], ids=["jacrev", "jacfwd"])
@pytest.mark.parametrize(("fn", "args", "positions"), HESSIAN_CASES[:4],
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(HESSIAN_CASES[:4])])
def test_jacobian_of_jacobian_of_a_scalar_function_is_the_hessian(outer, inner, fn, args,
                                                                   positions):
    got = outer(inner(fn, grad_position=positions), grad_position=positions)(*args)
    assert_same_tree(got, adc.hessian(fn, grad_position=positions)(*args), rtol=1e-10,
                     atol=1e-12)


@pytest.mark.parametrize("outer", [adc.jacfwd, adc.jacrev], ids=["jacfwd", "jacrev"])
@pytest.mark.parametrize("inner", [adc.jacrev, adc.jacfwd], ids=["jacrev", "jacfwd"])
def test_jacobian_of_jacobian_of_a_vector_function(outer, inner):
    x = uniform(3)
    got = outer(inner(cube))(x)  # d(diag(3 x^2))/dx: 6 x_i at [i, i, i]
    want = np.zeros((3, 3, 3))
    want[np.arange(3), np.arange(3), np.arange(3)] = 6 * x
    assert got.shape == (3, 3, 3)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    numeric = numeric_jacobian(inner(cube), (x,), 0, 0)
    np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------ jvp / vjp, MindSpore


def cube(x):
    return x ** 3


def test_jvp_takes_a_bare_tensor_as_mindspore_does():
    x, v = uniform(3), uniform(3)
    out, tangent = adc.jvp(cube, x, v)
    np.testing.assert_allclose(out, x ** 3)
    np.testing.assert_allclose(tangent, 3 * x ** 2 * v, rtol=1e-12)
    assert adc.jvp(cube, (x,), v)[1] == pytest.approx(tangent)  # (x,) with a bare v


def test_jvp_with_several_inputs_and_outputs_mirrors_the_outputs():
    x, y, vx, vy = uniform(3), uniform(3), uniform(3), uniform(3)
    out, tangent = adc.jvp(two_outputs, [x, y], [vx, vy])
    assert isinstance(out, tuple) and isinstance(tangent, tuple) and len(tangent) == 2
    for i in range(2):
        want = numeric_jacobian(two_outputs, (x, y), i, 0) @ vx + \
            numeric_jacobian(two_outputs, (x, y), i, 1) @ vy
        np.testing.assert_allclose(tangent[i], want, rtol=1e-5, atol=1e-7)


def test_jvp_has_aux_returns_output_tangent_and_aux():
    x, v = uniform(4), uniform(4)
    out, tangent, aux = adc.jvp(with_aux, x, v, has_aux=True)
    np.testing.assert_allclose(out, np.cos(x) * x)
    np.testing.assert_allclose(tangent, (np.cos(x) - x * np.sin(x)) * v, rtol=1e-12)
    assert isinstance(aux, tuple) and len(aux) == 2
    np.testing.assert_allclose(aux[1], x * 2.0)


def test_jvp_tangent_for_an_int_argument_must_be_zero():
    def scaled(x, n):
        return x * n

    x, v = uniform(3), uniform(3)
    assert adc.jvp(scaled, (x, 3), (v, None))[1] == pytest.approx(3 * v)
    assert adc.jvp(scaled, (x, 3), (v, 0))[1] == pytest.approx(3 * v)
    with pytest.raises(adc.AutodiffError, match="not a float value") as info:
        adc.jvp(scaled, (x, 3), (v, 1.0))
    assert "test_jacobians.py:" in str(info.value)


def test_vjp_fn_takes_a_tuple_or_one_argument_per_output():
    x, y, gx, gy = uniform(3), uniform(3), uniform(3), uniform(3)
    out, vjp_fn = adc.vjp(two_outputs, x, y)
    np.testing.assert_allclose(out[0], x * y)
    want = [sum(numeric_jacobian(two_outputs, (x, y), i, p).T @ g
                for i, g in enumerate((gx, gy))) for p in (0, 1)]
    for grads in (vjp_fn((gx, gy)), vjp_fn(gx, gy)):
        assert isinstance(grads, tuple) and len(grads) == 2
        for g, w in zip(grads, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-7)
    single = adc.vjp(cube, x)[1](gx)
    assert isinstance(single, tuple) and len(single) == 1  # a tuple even for one input
    np.testing.assert_allclose(single[0], 3 * x ** 2 * gx, rtol=1e-12)


def test_vjp_has_aux_returns_output_function_and_aux():
    x, g = uniform(4), uniform(4)
    out, vjp_fn, aux = adc.vjp(with_aux, x, has_aux=True)
    np.testing.assert_allclose(out, np.cos(x) * x)
    assert isinstance(aux, tuple) and len(aux) == 2
    (grad_x,) = vjp_fn(g)
    np.testing.assert_allclose(grad_x, (np.cos(x) - x * np.sin(x)) * g, rtol=1e-12)


class Affine(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = adc.Parameter(uniform(3), name="w")
        self.b = adc.Parameter(uniform(1), name="b")

    def construct(self, x):
        return x * self.w + self.b


def test_vjp_with_weights_returns_input_and_weight_gradients():
    net, x, g = Affine(), uniform(3), uniform(3)
    grads = adc.vjp(net, x, weights=net.trainable_params())[1](g)
    (grad_x,), (grad_w, grad_b) = grads
    np.testing.assert_allclose(grad_x, np.asarray(net.w) * g, rtol=1e-12)
    np.testing.assert_allclose(grad_w, x * g, rtol=1e-12)
    np.testing.assert_allclose(grad_b, [np.sum(g)], rtol=1e-12)
    (grad_x,), grad_w = adc.vjp(net, x, weights=net.w)[1](g)  # one bare Parameter: bare
    np.testing.assert_allclose(grad_w, x * g, rtol=1e-12)


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.jacfwd(cube, grad_position=2)(uniform(3)), ValueError, "out of range"),
    (lambda: adc.jacrev(cube, grad_position="0"), TypeError, "grad_position must be"),
    (lambda: adc.jacrev(two_outputs, grad_position=1)(uniform(3), 2), TypeError,
     "argument 1"),
    (lambda: adc.jacfwd(cube, has_aux=True)(uniform(3)), ValueError, "more than one output"),
    (lambda: adc.jacfwd(cube, has_aux="yes"), TypeError, "has_aux must be True or False"),
    (lambda: adc.jvp(cube, "x", "v"), TypeError, "must be an array"),
    (lambda: adc.jvp(two_outputs, (uniform(3), uniform(3)), (uniform(3),)), ValueError,
     "one tangent per float argument"),
    (lambda: adc.jvp(cube, uniform(3), uniform(4)), ValueError, "tangent 0 has shape"),
    (lambda: adc.vjp(cube, uniform(3))[1](uniform(4)), ValueError, "cotangent 0 has shape"),
    (lambda: adc.vjp(two_outputs, uniform(3), uniform(3))[1](uniform(3)), TypeError,
     "one cotangent per float output"),
    (lambda: adc.jvp(cube, uniform(3), uniform(3), has_aux=True), ValueError,
     "more than one output"),
    (lambda: adc.hessian(lambda x: np.sum(x) > 0)(uniform(3)), TypeError, "float values"),
    (lambda: adc.vjp(cube, uniform(3), has_aux=1), TypeError, "has_aux must be True or"),
    # jacfwd seeded one of the copies and gave the other zeros
    (lambda: adc.jacfwd(cube, grad_position=(0, 0))(uniform(3)), ValueError, "twice"),
    (lambda: adc.jacrev(two_outputs, grad_position=(1, -1))(uniform(3), uniform(3)),
     ValueError, "names argument 1 twice"),
    # each mode would give one part of a Jacobian between real and complex values
    (lambda: adc.jacrev(lambda x: np.conj(x * 0.5j))(uniform(2)), TypeError,
     "complex output with respect to a real input"),
    (lambda: adc.jacfwd(lambda z: np.abs(z * z))(uniform(2) + 0.5j), TypeError,
     "real output with respect to a complex input"),
    # no number, so no derivative: zeros would look like one
    (lambda: adc.jacrev(lambda x: None)(uniform(3)), TypeError, "returned None"),
    (lambda: adc.jacfwd(lambda x: (x, "text"))(uniform(3)), TypeError, "only numbers"),
    (lambda: adc.vjp(lambda x: None, uniform(3)), TypeError, "returned None"),
], ids=["position-range", "position-type", "int-argument", "aux-single-output",
        "aux-flag", "jvp-inputs", "jvp-count", "jvp-shape", "vjp-shape", "vjp-count",
        "jvp-aux-single-output", "hessian-vector-output", "vjp-aux-flag",
        "jacfwd-position-twice", "jacrev-position-twice-negative", "jacrev-complex-of-real",
        "jacfwd-real-of-complex", "jacrev-none", "jacfwd-str", "vjp-none"])
def test_bad_arguments_raise_located_errors(call, error, message):
    with pytest.raises(adc.AutodiffError, match=message) as info:
        call()
    assert isinstance(info.value, error)
    assert "test_jacobians.py:" in str(info.value)  # the user's line


def _outer_sines(x):
    return np.sin(np.outer(x, x))


def _sum_of_sines_of_a_jacobian(x):
    return np.sum(np.sin(adc.jacrev(_outer_sines)(x)))


def test_jacobian_inside_a_differentiated_function_needs_shapes():
    """Shape-specialised code differentiates through it; shape-generic code, which
    learns the shapes at run time, refuses it with the reason (it once said the
    argument 'is Var')."""
    x = np.array([0.3, -0.4])
    eps = 1e-6
    numeric = [(_sum_of_sines_of_a_jacobian(x + eps * e)
                - _sum_of_sines_of_a_jacobian(x - eps * e)) / (2 * eps) for e in np.eye(2)]
    np.testing.assert_allclose(adc.grad(_sum_of_sines_of_a_jacobian)(x), numeric, rtol=1e-6)
    with pytest.raises(AutodiffError, match="needs the shapes and dtypes of its arguments"):
        directional.vjp(_sum_of_sines_of_a_jacobian, x, specialize=False)


def _same_twice(x):
    return x, x


def _computed_twice(x):
    y = 2.0 * np.sin(x)
    return [y, y]


def _in_a_dict(x):
    return dict([("a", x)], b=x * 1.0, c=x)


@pytest.mark.parametrize("fn", [_same_twice, _computed_twice, _in_a_dict])
def test_an_output_returned_twice_gets_each_cotangent(fn):
    """autograd's test_make_list / test_make_dict: one value at two outputs. Its
    cotangent is the sum of both places' (an internal error before: the sum was made
    outside the program, or not at all)."""
    x = np.array([0.3, -0.8])
    out, vjp_fn = adc.vjp(fn, x)
    leaves = list(out.values()) if isinstance(out, dict) else list(out)
    cts = [np.full(2, k + 1.0) for k in range(len(leaves))]
    got = vjp_fn(dict(zip(out, cts)) if isinstance(out, dict) else type(out)(cts))
    slope = np.cos(x) * 2.0 if fn is _computed_twice else np.ones(2)
    want = sum(cts) * slope
    np.testing.assert_allclose(got[0] if isinstance(got, tuple) else got, want, rtol=1e-12)
    for transform in (adc.jacrev, adc.jacfwd):
        jac = transform(fn)(x)
        blocks = list(jac.values()) if isinstance(jac, dict) else list(jac)
        for block in blocks:
            np.testing.assert_allclose(block, np.diag(slope), rtol=1e-12)


def sine_energy(w):
    return np.sum(np.sin(w) ** 2)


def total_curvature(w):
    return np.sum(adc.hvp(sine_energy, (w,), (np.ones_like(w),)))


def pulled_back(w):
    _, vjp_fn = adc.vjp(sine_energy, w)
    return np.sum(vjp_fn(1.0)[0])


def test_hvp_inside_a_differentiated_function_is_inlined():
    """``hvp`` inside a function being compiled is jvp of grad, inlined (it compiled
    hvp's own source and stopped at a try statement). d/dw of sum(H 1) is the third
    derivative: sum_j d3 E / dw_i dw_i dw_j, diagonal here: -4 sin(2 w)."""
    w = np.linspace(0.1, 1.0, 4)
    np.testing.assert_allclose(adc.grad(total_curvature)(w), -4.0 * np.sin(2.0 * w),
                               rtol=1e-12)
    np.testing.assert_allclose(adc.vmap(total_curvature)(np.stack([w, 2 * w])),
                               [np.sum(2.0 * np.cos(2.0 * v)) for v in (w, 2 * w)], rtol=1e-12)


def sines_and_square(w):
    return np.sin(w), np.sum(w * w)


def with_first(v):
    return sines_and_square(v), v[0]


def pulled_back_pair(w):  # two outputs, has_aux, a cotangent that depends on w
    (_wave, energy), vjp_fn, aux = adc.vjp(with_first, w, has_aux=True)
    (g,) = vjp_fn((np.cos(w), 0.5))
    return np.sum(g * w) + aux + energy


def tangent_of_sine(x):
    return adc.jvp(np.sin, (x,), (np.array([1.0, 0.5, -2.0, 0.25]),))[1]


def test_vjp_inside_a_differentiated_function_is_inlined():
    """``vjp`` inside a compiled function gives the outputs and a ``vjp_fn`` that inlines
    the weighted gradient where it is called (it was refused: compiled code carries no
    functions). sum(vjp_fn(1)) of sum(sin(w)^2) is sum(sin 2w)."""
    w = np.linspace(0.1, 1.0, 4)
    np.testing.assert_allclose(adc.grad(pulled_back)(w), 2.0 * np.cos(2.0 * w), rtol=1e-12)
    np.testing.assert_allclose(adc.vmap(pulled_back)(np.stack([w, 2 * w])),
                               [np.sum(np.sin(2 * v)) for v in (w, 2 * w)], rtol=1e-12)
    np.testing.assert_allclose(pulled_back_pair(w), np.sum(np.cos(w) ** 2 * w + w * w) +
                               w[0] + np.sum(w * w), rtol=1e-12)
    np.testing.assert_allclose(adc.grad(pulled_back_pair)(w),
                               central_differences(pulled_back_pair, w), rtol=1e-7)


def floored_square(x):
    return max(x[0] * x[0], 0.05)  # float32 on one path, a Python float on the other


def pulled_back_floored(x):
    _, pullback = adc.vjp(floored_square, x)
    return np.sum(pullback(1.0)[0] * x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vjp_inside_a_gradient_of_an_output_whose_dtype_a_branch_decides(dtype):
    """float32 on one path, a Python float on the other: its dtype is decided at run
    time, and its vjp_fn inside grad was refused as not of a float output."""
    x = np.array([0.5, 0.3], dtype)
    got = adc.grad(pulled_back_floored)(x)  # sum(2 x0 e0 * x) = 2 x0^2: 4 x0, 0
    np.testing.assert_allclose(got, [4 * 0.5, 0.0], rtol=1e-6)


def constant_energy(x):
    return np.ones(()) * 2.5


def test_hessian_of_a_constant_is_zeros():
    """grad of it is zeros; hessian refused it as having no outputs."""
    np.testing.assert_array_equal(adc.hessian(constant_energy)(uniform(2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(adc.hessian(lambda x: np.ones(2))(uniform(2)),
                                  np.zeros((2, 2, 2)))


def test_hessian_of_a_vector_output_is_jacfwd_of_jacrev_as_jax_and_torch_give_it():
    """PyTorch's Jacobians tutorial takes hessian(predict) of a vector output, a stack of
    Hessians of shape out + in + in; it was refused as not one scalar."""
    w, x = uniform(4, 3), uniform(3)
    hess = adc.hessian(lambda x: np.tanh(w @ x))(x)
    assert hess.shape == (4, 3, 3)
    for i in range(4):  # each output's own Hessian: (1 - t^2)' w_i w_i^T
        t = np.tanh(w[i] @ x)
        np.testing.assert_allclose(hess[i], -2 * t * (1 - t ** 2) * np.outer(w[i], w[i]),
                                   rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(adc.hessian(cube)(x),
                               adc.jacfwd(adc.jacrev(cube))(x), rtol=1e-13)
    xs = uniform(5, 3)
    np.testing.assert_allclose(adc.vmap(adc.hessian(lambda x: np.tanh(w @ x)))(xs),
                               np.stack([adc.hessian(lambda x: np.tanh(w @ x))(r) for r in xs]),
                               rtol=1e-12)


def test_jvp_of_a_numpy_function_inside_a_transform():
    xs = np.array([[0.3, -1.2, 0.5, 2.0], [1.0, 2.0, -0.4, 0.0]])
    np.testing.assert_allclose(adc.vmap(tangent_of_sine)(xs),
                               np.cos(xs) * [1.0, 0.5, -2.0, 0.25], rtol=1e-12)


def cast_of_a_python_float(a):
    return np.float64(a) * 2.0 + np.float32(a) * np.sin(np.float64(a))


def test_jacobians_of_a_numpy_scalar_cast_of_a_python_float():
    """np.float64(a) of a Python float: its shape was unknown when compiling (a Python
    float has no astype), so Jacobians refused it where grad worked."""
    a = 0.7
    expected = 2.0 + np.float32(1.0) * np.sin(a) + a * np.cos(a)
    for jac in (adc.jacrev, adc.jacfwd):
        assert float(jac(cast_of_a_python_float)(a)) == pytest.approx(expected, rel=1e-6)
    assert float(adc.grad(cast_of_a_python_float)(a)) == pytest.approx(expected, rel=1e-6)


def wave_and_energy(x, y):
    return np.sin(x) * y, np.sum(x ** 2)


def test_linearize_gives_the_value_and_the_linear_map_at_the_point():
    """JAX's and torch.func's linearize: the map is jvp's tangent at the point held, for
    any tangents, and vmap of it is the Jacobian times a batch of them."""
    x, y = uniform(3), uniform(3)
    out, f_jvp = adc.linearize(wave_and_energy, x, y)
    np.testing.assert_allclose(out[0], np.sin(x) * y, rtol=1e-15)
    for tx, ty in ((uniform(3), uniform(3)), (np.ones(3), np.zeros(3))):
        want = adc.jvp(wave_and_energy, (x, y), (tx, ty))[1]
        assert_same_tree(f_jvp(tx, ty), want, rtol=1e-12, atol=0)
    _, g_jvp = adc.linearize(scalar_of_scalar, x)
    jac = numeric_jacobian(lambda v: np.sin(v) * v ** 3, (x,), 0, 0)
    np.testing.assert_allclose(adc.vmap(g_jvp)(np.eye(3)), jac.T, rtol=1e-6, atol=1e-9)
    with pytest.raises(adc.AutodiffError, match="one tangent per primal"):
        f_jvp(x)


def test_linearize_and_hessian_with_aux_return_it_beside_as_jax():
    x, y = uniform(3), uniform(3)
    out, f_jvp, energy = adc.linearize(wave_and_energy, x, y, has_aux=True)
    np.testing.assert_allclose(out, np.sin(x) * y, rtol=1e-15)
    assert energy == pytest.approx(np.sum(x ** 2), rel=1e-15)
    tx, ty = uniform(3), uniform(3)
    np.testing.assert_allclose(f_jvp(tx, ty), np.cos(x) * y * tx + np.sin(x) * ty,
                               rtol=1e-12)
    hessian, aux = adc.hessian(with_aux, has_aux=True)(x)
    np.testing.assert_allclose(hessian, adc.hessian(lambda v: with_aux(v)[0])(x), rtol=1e-12)
    assert isinstance(aux, tuple) and len(aux) == 2
    np.testing.assert_allclose(aux[1], x * 2.0)
    with pytest.raises(adc.AutodiffError, match=r"needs the function to return \(out, aux\)"):
        adc.linearize(scalar_of_scalar, x, has_aux=True)


def test_pullback_and_linear_map_stay_at_the_point_the_caller_then_steps_from():
    """An optimiser's in-place step (``x -= lr * g``) between taking ``vjp``/``linearize``
    and calling the map moved the point the map was taken at: the map read the
    caller's array again. It is the derivative where ``out`` was computed."""
    x, y = uniform(3), uniform(3)
    x0, y0 = x.copy(), y.copy()
    out, vjp_fn = adc.vjp(wave_and_energy, x, y)
    _, f_jvp = adc.linearize(wave_and_energy, x, y)
    cotangents, tangents = (np.ones(3), 1.0), (np.ones(3), np.ones(3))
    x -= 0.5
    y *= 2.0
    want_vjp = adc.vjp(wave_and_energy, x0, y0)[1](*cotangents)
    assert_same_tree(vjp_fn(*cotangents), want_vjp, rtol=1e-15, atol=0)
    assert_same_tree(f_jvp(*tangents), adc.jvp(wave_and_energy, (x0, y0), tangents)[1],
                     rtol=1e-15, atol=0)
    np.testing.assert_allclose(out[0], np.sin(x0) * y0, rtol=1e-15)


def _tangent_by_linearize(x, t):
    g = lambda z: np.tanh(z) * z[::-1]
    out, f_jvp = adc.linearize(g, x)
    return np.sum(out) + np.sum(f_jvp(t) ** 2)


def test_linearize_inside_a_transform_inlines_jvp_where_its_map_is_called():
    """``vmap`` or ``grad`` of a function that linearizes a lambda: ``linearize`` was
    compiled from its own source there, and refused at a ``type()`` the user never
    wrote. The value and the map are jvp's, made where they are called."""
    xs, ts = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]), np.array([[1.0, 0.5, -1.0]] * 2)

    def plain(x, t):
        z = np.tanh(x) * x[::-1]
        d = (1 - np.tanh(x) ** 2) * t * x[::-1] + np.tanh(x) * t[::-1]
        return np.sum(z) + np.sum(d ** 2)

    np.testing.assert_allclose(adc.vmap(_tangent_by_linearize)(xs, ts),
                               [plain(x, t) for x, t in zip(xs, ts)], rtol=1e-12)
    np.testing.assert_allclose(adc.grad(_tangent_by_linearize)(xs[0], ts[0]),
                               central_differences(lambda x: plain(x, ts[0]), xs[0]),
                               rtol=1e-6, atol=1e-9)


def _penalised(x, beta=0.5, *, gamma=1.0):
    return np.sum(np.sin(x)) + beta * np.sum(x ** 2) + gamma * np.sum(x ** 3)


@pytest.mark.parametrize("transform", [adc.jacrev, adc.jacfwd, adc.hessian])
def test_jacobians_take_keyword_arguments_as_the_function_does(transform):
    """``jacrev(f)(x, beta=2.0)``, as JAX's and as ``grad`` take them: a TypeError of
    ``Jacobian.__call__`` before."""
    x = np.array([0.3, -0.4])
    got = transform(_penalised)(x, beta=2.0, gamma=0.5)
    want = transform(lambda v: _penalised(v, 2.0, gamma=0.5))(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(transform(_penalised)(x, 2.0), transform(_penalised)(x, beta=2.0))
    assert "def " in transform(_penalised).source(x, beta=2.0)


def _returns_in_a_loop(x):
    for _ in range(3):
        if np.sum(x) > 2.0:
            return np.sum(x) * x[0]
        x = x * 2.0
    return np.sum(x * x)


@pytest.mark.parametrize("transform", [adc.jacrev, adc.jacfwd])
def test_jacobians_of_a_function_returning_inside_a_loop(transform):
    """Until a ``return`` in the loop ran, the result was carried as None, so its shape
    was unknown and the Jacobian refused ("known only when the code runs") though every
    path returns a number. The carry now stands in zeros of the result's type."""
    for x in (np.array([0.1, -0.2, 0.3]), np.array([0.4, 0.5, 0.3])):
        np.testing.assert_allclose(transform(_returns_in_a_loop)(x),
                                   central_differences(_returns_in_a_loop, x),
                                   rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(adc.hessian(_returns_in_a_loop)(np.array([0.1, -0.2, 0.3])),
                               2 * 64 * np.eye(3), rtol=1e-9)
