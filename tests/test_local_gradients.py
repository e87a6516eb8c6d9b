"""``grad``/``value_and_grad`` of a ``def`` or ``lambda`` written inside the function
being compiled (``pipeline/local.py``): a physics-informed loss differentiating a
function it defines. Its gradient holds what it reads from the enclosing function
constant; an outer gradient differentiates through both. Checked against closed forms
and central differences."""
import functools

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

X = np.array([0.1, 0.5, 1.0])
A = np.array([0.7, -0.3, 1.2])


def second_derivative(x):
    def u(z):
        return np.sum(np.sin(z) * z)
    return np.sum(adc.grad(u)(x))


def of_a_lambda(x):
    return np.sum(adc.grad(lambda z: np.sum(np.sin(z) * z))(x) ** 2)


def closure(x, a):
    u = lambda z: np.sum(np.sin(a * z) * z)  # reads the enclosing a
    return np.sum(adc.grad(u)(x) * a)


def value_and_gradient(x, a):
    def u(z, w):
        return np.sum(np.tanh(z * w)), z * 2.0
    (value, aux), (gz, gw) = adc.value_and_grad(u, (0, 1), has_aux=True)(x, a)
    return value + np.sum(aux * gz) + np.sum(gw ** 2)


def two_levels(x):
    def inner(z):
        return np.sum(np.exp(0.3 * z) * z)

    def middle(z):
        return np.sum(adc.grad(inner)(z) ** 2)
    return np.sum(adc.grad(middle)(x))


def at_a_constant(x):
    inner = lambda y: x * y  # autograd's test_enclosing_scope_ref
    return x * adc.grad(inner)(2.0)  # x * x


def of_a_tuple(x):
    def inner(y):
        return y[0] * y[1]
    return np.sum(np.sin(np.array(adc.grad(inner)((x, x * 2.0)))))


@pytest.mark.parametrize("fn, args", [
    (at_a_constant, (0.7,)), (of_a_tuple, (X,)),
    (second_derivative, (X,)), (of_a_lambda, (X,)), (closure, (X, A)),
    (value_and_gradient, (X, A)), (two_levels, (X,)),
], ids=["at-a-constant", "of-a-tuple", "def", "lambda", "closure", "value_and_grad-aux",
        "two-levels"])
def test_the_gradient_of_a_local_function_differentiates_again(fn, args):
    grads = adc.grad(fn, tuple(range(len(args))))(*args)
    grads = grads if len(args) > 1 else (grads,)  # one position: the gradient bare
    for position, base in enumerate(args):
        def moved(value, position=position):
            values = list(args)
            values[position] = value
            return fn(*values)
        np.testing.assert_allclose(grads[position], central_differences(moved, base),
                                   rtol=1e-6, atol=1e-8)


def test_values_match_the_closed_form():
    # d/dz (z sin z) = sin z + z cos z; d/dx of that = 2 cos x - x sin x
    np.testing.assert_allclose(adc.grad(second_derivative)(X), 2 * np.cos(X) - X * np.sin(X),
                               rtol=1e-12)
    assert second_derivative(X) == pytest.approx(np.sum(np.sin(X) + X * np.cos(X)))


def jacrev_of_a_lambda(x, a):
    return np.sum(adc.jacrev(lambda z: np.sin(z) * z * a)(x) ** 2)


def hessian_of_a_lambda(x, a):
    return np.sum(adc.hessian(lambda z: np.sum(np.sin(z) * z * a))(x) * a)


def lagrangian_acceleration(q, qd):
    """Lagrangian mechanics as JAX's examples write it: Hessians and Jacobians of the
    Lagrangian, a lambda closing over the state."""
    lagrangian = lambda q, qd: 0.5 * np.sum(qd ** 2 * q) - np.sum(np.cos(q) * qd)
    mass = adc.hessian(lambda v: lagrangian(q, v))(qd)
    mixed = adc.jacfwd(adc.jacrev(lagrangian, 1), 0)(q, qd)
    force = adc.grad(lagrangian, 0)(q, qd)
    return np.sum(np.linalg.solve(mass, force - mixed @ qd) ** 2)


def per_example_jacobians(x, a):
    return np.sum(adc.vmap(adc.jacrev(lambda z: np.tanh(z * a) * z))(np.stack([x, 2 * x])))


@pytest.mark.parametrize("fn", [jacrev_of_a_lambda, hessian_of_a_lambda,
                                lagrangian_acceleration, per_example_jacobians])
def test_jacobians_of_a_local_function_are_made_where_they_are_called(fn):
    """They were refused: a Jacobian compiled its function on its own. It is now made
    where it is called, of the local function's program, as grad of one is."""
    x, a = np.array([0.3, 0.7, 1.1]), np.array([0.5, 2.0, 1.5])
    _matches_central_differences(fn, x, a)
    if fn is hessian_of_a_lambda:  # diagonal: (2 cos z - z sin z) a, weighted by a
        assert fn(x, a) == pytest.approx(np.sum((2 * np.cos(x) - x * np.sin(x)) * a * a))


def rows_mapped(x, a):
    def row(r):
        return np.sum(np.sin(r)) * r[0] + np.sum(r * a)  # reads the enclosing a
    return np.sum(adc.vmap(row)(x) ** 2)


def rows_mapped_by_a_lambda(x, a):
    return np.sum(adc.vmap(lambda r, s: np.tanh(r * s), in_axes=(0, None))(x, a[0]))


def per_example_gradients(x, a):
    def loss(r):
        return np.sum(np.sin(r * a)) ** 2  # reads the enclosing a
    return np.sum(adc.vmap(adc.grad(loss))(x) * x)  # a gradient penalty, as DP-SGD's


def per_example_values_and_gradients(x, a):
    value, grads = adc.vmap(adc.value_and_grad(lambda r: np.sum(np.tanh(r) * a)))(x)
    return np.sum(value ** 2) + np.sum(grads * x)


@pytest.mark.parametrize("fn", [rows_mapped, rows_mapped_by_a_lambda, per_example_gradients,
                                per_example_values_and_gradients])
def test_vmap_of_a_local_function_batches_it_where_it_is_called(fn):
    x, a = np.arange(6.0).reshape(2, 3) / 5, np.array([0.3, -0.2, 0.5])
    gx, ga = adc.grad(fn, (0, 1))(x, a)
    np.testing.assert_allclose(gx, central_differences(lambda v: fn(v, a), x), rtol=1e-6)
    np.testing.assert_allclose(ga, central_differences(lambda v: fn(x, v), a), rtol=1e-6,
                               atol=1e-9)
    if fn is per_example_gradients:  # each row's gradient, 2 s a cos(r a), s = sum(sin(r a))
        assert fn(x, a) == pytest.approx(sum(np.sum(
            2 * np.sum(np.sin(r * a)) * a * np.cos(r * a) * r) for r in x))
    if fn is rows_mapped:  # the mapped values, row by row
        assert fn(x, a) == pytest.approx(sum(
            (np.sum(np.sin(r)) * r[0] + np.sum(r * a)) ** 2 for r in x))


def vjp_of_a_lambda(x, a):
    value, pullback = adc.vjp(lambda z: (np.sin(z) * a, np.sum(z ** 2)), x)
    (g,) = pullback((np.cos(x), 2.0))
    return np.sum(value[0]) + np.sum(g * x)


def vjp_of_a_def_with_aux(x, a):
    def scaled(z):
        return np.tanh(z * a), np.sum(z)
    value, pullback, aux = adc.vjp(scaled, x, has_aux=True)
    return np.sum(pullback(value)[0]) + aux


@pytest.mark.parametrize("fn", [vjp_of_a_lambda, vjp_of_a_def_with_aux])
def test_vjp_of_a_local_function_is_made_where_it_is_called(fn):
    """It was refused as a function with no program of its own."""
    x, a = np.array([0.3, -0.7, 1.1]), np.array([0.5, 2.0, -1.5])
    _matches_central_differences(fn, x, a)
    if fn is vjp_of_a_lambda:  # sin(x) a + (cos(x) a cos(x) + 2 * 2 x) x
        assert fn(x, a) == pytest.approx(np.sum(np.sin(x) * a + (a * np.cos(x) ** 2
                                                                  + 4.0 * x) * x))


def update(a, x):
    return 0.5 * (x + a / x)


@adc.custom_vjp
def newton_sqrt(a):
    x_prev, x = a, update(a, a)
    while np.abs(x_prev - x) > 1e-12:
        x_prev, x = x, update(a, x)
    return x


def newton_sqrt_fwd(a):
    x_star = newton_sqrt(a)
    return x_star, (a, x_star)


def newton_sqrt_bwd(res, x_star_bar):
    """Implicit differentiation of the fixed point, as JAX's custom_vjp notebook writes
    it: the pullbacks of lambdas over the update, a fixed point of the adjoint."""
    a, x_star = res
    _, vjp_a = adc.vjp(lambda a: update(a, x_star), a)
    _, vjp_x = adc.vjp(lambda x: update(a, x), x_star)
    u = x_star_bar
    for _ in range(50):
        u = x_star_bar + vjp_x(u)[0]
    return vjp_a(u)


newton_sqrt.defvjp(newton_sqrt_fwd, newton_sqrt_bwd)


def test_a_custom_rules_pullbacks_of_lambdas_differentiate_a_fixed_point():
    for a in (2.0, 9.0):
        assert adc.grad(newton_sqrt)(a) == pytest.approx(0.5 / np.sqrt(a), rel=1e-10)


def jvp_of_a_lambda(x, a):
    value, tangent = adc.jvp(lambda z: np.sin(z) * a, (x,), (np.cos(x),))
    return np.sum(value * tangent)


def hvp_of_a_lambda(x, a):
    """A Hessian-vector product as JAX's autodiff cookbook writes it: forward over the
    gradient of a lambda."""
    gradient = adc.grad(lambda y: np.sum(np.sin(y) * y ** 2))
    return np.sum(adc.jvp(lambda z: gradient(z), (x,), (a,))[1] ** 2)


@pytest.mark.parametrize("fn", [jvp_of_a_lambda, hvp_of_a_lambda])
def test_jvp_of_a_local_function_is_made_where_it_is_called(fn):
    x, a = np.array([0.3, -0.7, 1.1]), np.array([0.5, 2.0, -1.5])
    _matches_central_differences(fn, x, a)
    if fn is hvp_of_a_lambda:  # the Hessian is diagonal: d^2/dy^2 of sin(y) y^2
        hessian = -x ** 2 * np.sin(x) + 4 * x * np.cos(x) + 2 * np.sin(x)
        assert fn(x, a) == pytest.approx(np.sum((hessian * a) ** 2))


def _matches_central_differences(fn, x, a):
    """``grad(fn, (0, 1))`` at ``(x, a)`` is central differences' in each argument."""
    gx, ga = adc.grad(fn, (0, 1))(x, a)
    np.testing.assert_allclose(gx, central_differences(lambda v: fn(v, a), x), rtol=1e-6)
    np.testing.assert_allclose(ga, central_differences(lambda v: fn(x, v), a), rtol=1e-6)


def predict(w, z):
    return np.tanh(w @ z)


def jvp_of_a_partial(x, a):
    w = np.outer(a, x)  # a value of the program: the partial holds it
    return np.sum(adc.jvp(functools.partial(predict, w), (x,), (a,))[1] ** 2)


def vjp_of_a_partial(x, a):
    w = np.outer(a, x)
    return np.sum(adc.vjp(functools.partial(predict, w), x)[1](a)[0] * x)


def vmap_of_a_partial(x, a):
    return np.sum(adc.vmap(functools.partial(predict, np.outer(a, x)))(np.stack([x, 2 * x])))


def grad_of_a_partial_of_a_lambda(x, a):
    loss = functools.partial(lambda w, z: np.sum(predict(w, z)), np.outer(a, a))
    return np.sum(adc.grad(loss)(x) ** 2) + loss(x)


def jacobian_of_a_partial_by_keyword(x, a):
    scaled = functools.partial(lambda z, *, k: np.sin(z) * k, k=np.sum(a))
    return np.sum(adc.jacrev(scaled)(x) * a)


def second_derivative_of_a_lambda(x, a):
    """u''(x), as a physics-informed loss writes it: grad of grad of a lambda."""
    u = lambda z: np.sum(np.sin(a * z))
    return np.sum(adc.grad(adc.grad(u))(x[:1]) ** 2)


@pytest.mark.parametrize("fn", [jvp_of_a_partial, vjp_of_a_partial, vmap_of_a_partial,
                                grad_of_a_partial_of_a_lambda,
                                jacobian_of_a_partial_by_keyword,
                                second_derivative_of_a_lambda])
def test_transforms_of_a_partial_of_run_time_values_are_made_where_called(fn):
    """A partial holding the program's values (or of a lambda of it) was compiled on its
    own, where those values do not exist: 'used before it is defined', or an internal
    error. It is a local function now, as the lambda calling it would be."""
    x, a = np.array([0.3, -0.7, 1.1]), np.array([0.5, 2.0, -1.5])
    _matches_central_differences(fn, x, a)


PARAMS = {"w": np.array([[1.0, 2.0], [0.5, -1.0]]), "b": np.array([0.1, -0.3])}


def layer(p, x):
    return np.tanh(p["w"] @ x + p["b"])


def _jacobian_of_layer(x):
    """d layer / d (w, b) flattened in that order, by hand."""
    d = 1 - np.tanh(PARAMS["w"] @ x + PARAMS["b"]) ** 2
    return np.concatenate([np.einsum("i,ij,k->ijk", d, np.eye(2), x).reshape(2, 4),
                           np.diag(d)], axis=1)


def ntk_block(x1, x2):
    """PyTorch's neural-tangent-kernel tutorial, its NTK-vector products: the vjp of
    the parameters (a dict) at x1, then the jvp at x2 along it, one row at a time."""
    _, pullback = adc.vjp(lambda p: layer(p, x1), PARAMS)

    def row(vec):
        return adc.jvp(functools.partial(layer, x=x2), (PARAMS,), pullback(vec))[1]
    return adc.vmap(row)(np.eye(2))


def test_jvp_and_vjp_of_a_dict_of_parameters_inside_a_transform():
    """They took float arrays alone there: 'takes float arrays as inputs', 'needs at
    least one float array argument'."""
    x1, x2 = np.array([0.3, -0.2]), np.array([-0.5, 0.4])
    want = (_jacobian_of_layer(x1) @ _jacobian_of_layer(x2).T).T
    np.testing.assert_allclose(ntk_block(x1, x2), want, rtol=1e-12)
    tangents = {"w": np.ones((2, 2)), "b": np.array([1.0, -1.0])}
    along = np.concatenate([tangents["w"].ravel(), tangents["b"]])
    per_example = adc.vmap(lambda x: adc.jvp(layer, (PARAMS, x), (tangents, np.zeros(2)))[1])
    np.testing.assert_allclose(per_example(np.stack([x1, x2])),
                               np.stack([_jacobian_of_layer(x) @ along for x in (x1, x2)]),
                               rtol=1e-12)
    with pytest.raises(adc.AutodiffError, match="tangents of the same structure"):
        adc.vmap(lambda x: adc.jvp(layer, (PARAMS, x), ({"w": 1.0}, x))[1])(np.stack([x1]))


def vmap_of_vmap_of_a_lambda(x, a):
    rows = np.outer(a, x)
    return np.sum(adc.vmap(adc.vmap(lambda z: np.sin(z) * z))(rows))


def vmap_of_vmap_of_a_partial(x, a):
    def scaled(z, b):
        return np.tanh(z * b)
    return np.sum(adc.vmap(adc.vmap(functools.partial(scaled, b=a[0])))(np.outer(a, x)))


@pytest.mark.parametrize("fn", [vmap_of_vmap_of_a_lambda, vmap_of_vmap_of_a_partial])
def test_vmap_of_vmap_of_a_local_function(fn):
    """The inner vmap of a local function was not local itself: 'unhashable type:
    LocalFunction', or its closure's values 'used before they are defined'."""
    x, a = np.array([0.3, -0.7, 1.1]), np.array([0.5, 2.0, -1.5])
    _matches_central_differences(fn, x, a)


def _cubed(t):
    return np.sin(t) * t ** 2


CONSTANT_POINTS = {"python float": 2.0, "numpy scalar": np.float64(2.0),
                   "0-d array": np.array(2.0), "1-d array": np.array([2.0, -0.5])}


def _jvp_at(point, fn):
    def f(x):  # JAX's perturbation-confusion check: d/dx of d/dt (x * t) at t = 2 is 1
        return np.sum(adc.jvp(lambda t: x * fn(t), (point,), (np.ones_like(point),))[1])
    return f


def _vjp_at(point, fn):
    def f(x):
        _, pullback = adc.vjp(lambda t: x * fn(t), point)
        return np.sum(pullback(np.ones_like(point))[0])
    return f


@pytest.mark.parametrize("point", CONSTANT_POINTS, ids=str)
@pytest.mark.parametrize("transform", [_jvp_at, _vjp_at], ids=["jvp", "vjp"])
@pytest.mark.parametrize("fn", [lambda t: t, _cubed], ids=["identity", "module-level"])
def test_jvp_and_vjp_at_a_constant_point_inside_grad_and_vmap(point, transform, fn):
    """``jvp(u, (2.0,), (1.0,))`` inside ``grad``: refused before (a Python float, a
    NumPy scalar or a 0-d constant was not taken for a point), while ``grad(u)(2.0)``
    and a 1-d constant worked."""
    f = transform(CONSTANT_POINTS[point], fn)
    for x in (3.0, -0.25):
        assert adc.grad(f)(x) == pytest.approx(central_differences(f, x), rel=1e-7)
    xs = np.array([3.0, -0.25, 1.5])
    np.testing.assert_allclose(adc.vmap(f)(xs), [f(x) for x in xs], rtol=1e-12)
    np.testing.assert_allclose(adc.vmap(adc.grad(f))(xs), [adc.grad(f)(x) for x in xs],
                               rtol=1e-12)


def _predict(w):
    return np.tanh(np.array([[0.5, 1.0, -0.3], [0.2, -1.0, 0.7]]) @ w)


def cookbook_jacobian(w):
    """JAX's autodiff cookbook: a Jacobian from ``vjp`` and ``vmap`` of its ``vjp_fn``."""
    _, pullback = adc.vjp(_predict, w)
    jacobian, = adc.vmap(pullback)(np.eye(2))
    return jacobian


def test_vmap_of_a_vjp_fn_made_inside_a_transform():
    """``vmap(vjp_fn)`` was compiled as a program of its own, which read the point of
    the ``vjp`` from the enclosing one: an IR verification error ("used before it is
    defined") under any outer transform."""
    w = np.array([0.3, -0.2, 0.1])
    np.testing.assert_allclose(cookbook_jacobian(w), adc.jacrev(_predict)(w), rtol=1e-12)
    hessian = adc.jacfwd(adc.jacrev(_predict))(w)
    np.testing.assert_allclose(adc.jacfwd(cookbook_jacobian)(w), hessian, rtol=1e-10)
    np.testing.assert_allclose(adc.jacrev(cookbook_jacobian)(w), hessian, rtol=1e-10)
    ws = np.stack([w, 2 * w, -w])
    np.testing.assert_allclose(adc.vmap(cookbook_jacobian)(ws),
                               [adc.jacrev(_predict)(v) for v in ws], rtol=1e-12)


def scaled_sine(w, data):
    return np.sin(w * data) * data


def hvp_of_a_data_loss(w, v, data):
    """``jvp`` of the gradient in ``w`` along ``v``, the data held constant by ``None``
    (a Hessian-vector product: vmapped, one per direction)."""
    def gradient(w, data):
        return adc.grad(lambda u: np.sum(scaled_sine(u, data)))(w)
    return adc.jvp(gradient, (w, data), (v, None))[1]


@pytest.mark.parametrize("local", [False, True], ids=["module-level", "local"])
def test_a_tangent_none_holds_its_input_constant_inside_a_transform(local):
    """As the eager ``jvp``: the answer zeros give. It was refused inside a compiled
    function ('takes float arrays ... and tangents of the same structure')."""
    w, v, data = np.array([0.3, -1.2]), np.array([1.0, 0.5]), np.array([2.0, -0.7])
    if local:
        def loss(w, data):
            return np.sum(adc.jvp(lambda u, d: np.sin(u * d) * d, (w, data), (v, None))[1])
    else:
        def loss(w, data):
            return np.sum(adc.jvp(scaled_sine, (w, data), (v, None))[1])
    # d/dw sum(cos(w d) d^2 v) = -sin(w d) d^3 v
    np.testing.assert_allclose(adc.grad(loss)(w, data), -np.sin(w * data) * data ** 3 * v,
                               rtol=1e-12)
    np.testing.assert_allclose(adc.vmap(hvp_of_a_data_loss, (None, 0, None))(
        w, np.stack([v, 2 * v]), data), [-np.sin(w * data) * data ** 3 * s * v
                                         for s in (1.0, 2.0)], rtol=1e-12)
