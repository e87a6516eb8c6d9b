"""Random draws inside a differentiated function, from NumPy's global state or from the
user's own RandomState or Generator (black-box VI, a VAE, dropout masks): each call
draws from that stream as the user's code does, and the gradient is the
reparameterisation's (location-scale draws), zero (draws of integers) or refused."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError

M = np.array([0.1, -0.3])
STATES = {"RandomState": lambda: np.random.RandomState(5),
          "Generator": lambda: np.random.default_rng(5)}


def _objectives(state):
    """(name, objective of m drawing from ``state``), written as autograd's examples are."""
    standard = state.randn if hasattr(state, "randn") else state.standard_normal
    args = (4, 2) if hasattr(state, "randn") else ((4, 2),)
    return {
        "standard normal": lambda m: np.sum((standard(*args) * np.exp(m) + m) ** 2),
        "normal(m, exp(m))": lambda m: np.sum(np.sin(state.normal(m, np.exp(m), size=(3, 2)))),
        "normal without size": lambda m: np.sum(state.normal(m, 0.5) ** 2),
        "uniform(m, m + 1)": lambda m: np.sum(state.uniform(m, m + 1.0, size=(3, 2)) ** 3),
        "exponential(exp(m))": lambda m: np.sum(np.sqrt(state.exponential(np.exp(m), (3, 2)))),
        "binomial mask": lambda m: np.sum((m * state.binomial(1, 0.7, size=2)) ** 2),
        "stop_gradient": lambda m: np.sum(adc.ops.stop_gradient(standard(*args)) @ m),
    }


@pytest.mark.parametrize("state", STATES.keys())
@pytest.mark.parametrize("name", _objectives(np.random.RandomState(0)).keys())
def test_a_draw_from_the_users_state_follows_its_stream(state, name):
    """The compiled gradient, then the plain function, from the same seed: the same
    draws, so the gradient is the finite differences' of the function with those
    draws (the stream is reset before each evaluation)."""
    made = STATES[state]()
    objective = _objectives(made)[name]
    start = made.get_state() if state == "RandomState" else made.bit_generator.state

    def reset():
        if state == "RandomState":
            made.set_state(start)
        else:
            made.bit_generator.state = start

    def fixed(m):  # the objective on the draws the stream starts with
        reset()
        return objective(m)

    reset()
    value, grad = adc.value_and_grad(objective)(M)
    np.testing.assert_allclose(value, fixed(M), rtol=1e-12)
    reset()
    np.testing.assert_allclose(adc.grad(objective)(M), grad, rtol=1e-12)
    np.testing.assert_allclose(grad, central_differences(fixed, M), rtol=1e-6, atol=1e-8)
    reset()
    objective(M)  # the stream moves on: the next call draws anew
    assert name == "binomial mask" or not np.allclose(adc.grad(objective)(M), grad)


def _masked(w):
    return np.sum((w * (np.random.rand(*w.shape) < 0.7) + np.random.randint(0, 2, 3)) ** 2)


def _chosen(w):
    return np.sum(w[np.random.choice(3, size=2)] ** 2) * np.random.poisson(3.0)


@pytest.mark.parametrize("fn", [_masked, _chosen])
def test_draws_from_the_global_state_repeat_with_its_seed(fn):
    w = np.array([0.5, -0.3, 0.2])

    def seeded(v):
        np.random.seed(0)
        return fn(v)

    np.random.seed(0)
    grad = adc.grad(fn)(w)
    np.testing.assert_allclose(grad, central_differences(seeded, w), rtol=1e-6, atol=1e-8)


RNG = np.random.default_rng(0)
RS = np.random.RandomState(0)


def _noise_of_a_selection(x):
    kept = x[x > 0.35]  # its shape is known at run time only: size= is computed then
    return np.sum(kept * RS.standard_normal(size=kept.shape)) + np.sum(RNG.random(kept.shape))


def test_a_draw_sized_at_run_time_takes_the_shape_computed():
    """size=y.shape of a masked y was taken for a parameter carrying a gradient (its
    dtype unknown) and refused; it is an int tuple, passed by keyword when the code runs."""
    x = np.array([0.3, 0.4, 0.5])
    state = RS.get_state()
    grad = adc.grad(_noise_of_a_selection)(x)
    RS.set_state(state)
    np.testing.assert_array_equal(grad, [0.0, *RS.standard_normal(2)])
    assert "size=" in adc.grad(_noise_of_a_selection).source(x)


def _drawn_around_a_selection(x):
    rng = np.random.default_rng(3)
    kept = x[x > 0.0]  # no size=: the draws are as many as the parameters' broadcast
    return np.sum(rng.normal(kept, 0.3) * kept) + np.sum(rng.uniform(kept * 0.5, 1.0))


def test_a_draw_without_size_takes_its_parameters_shape_at_run_time():
    """It was refused (give size=) where a parameter's shape is known at run time only.
    Reparameterised: the gradient of sum((k + 0.3 z) k) + sum(k / 2 + (1 - k / 2) u)."""
    x = np.array([0.3, -0.4, 0.52, 0.9])
    rng = np.random.default_rng(3)
    kept = x[x > 0]
    z, u = rng.standard_normal(kept.shape), rng.random(kept.shape)
    want = np.zeros_like(x)
    want[x > 0] = 2 * kept + 0.3 * z + 0.5 - 0.5 * u
    value, grad = adc.value_and_grad(_drawn_around_a_selection)(x)
    np.testing.assert_allclose(value, _drawn_around_a_selection(x), rtol=1e-14)
    np.testing.assert_allclose(grad, want, rtol=1e-14)


def _rows_chosen(x):
    return np.sum(RNG.choice(x, 2))


def _indices_by_probabilities(x):
    p = np.exp(x) / np.sum(np.exp(x))
    picked = RNG.choice(3, 4, p=adc.stop_gradient(p))
    return np.sum(np.log(p[picked]))


def test_indices_drawn_with_probabilities_a_gradient_reads_are_data():
    """``choice(n, k, p=stop_gradient(p))`` (REINFORCE's sampled actions): indices, so
    no gradient crosses the draw. Its result's dtype, worked out on stand-ins of the
    operands, was unknown (zeros are no probabilities), and the draw was refused as
    one of float values."""
    x = np.array([0.3, -0.4, 0.5])
    state = RNG.bit_generator.state
    grad = adc.grad(_indices_by_probabilities)(x)
    RNG.bit_generator.state = state

    def plain(v):
        RNG.bit_generator.state = state
        return _indices_by_probabilities(v)

    np.testing.assert_allclose(grad, central_differences(plain, x), rtol=1e-7, atol=1e-9)


def _gamma_of(x):
    return np.sum(np.random.gamma(np.exp(x)))


def _state_read_inside(x):
    state = RS.get_state()
    return np.sum(x) + state[2]


@pytest.mark.parametrize("fn, message", [
    (_rows_chosen, r"x\[rng.choice\(len\(x\), k\)\]"),
    (_gamma_of, "no rule"),
    (_state_read_inside, "seed or shuffle outside"),
])
def test_a_draw_the_gradient_cannot_cross_is_refused_at_the_line(fn, message):
    with pytest.raises(adc.AutodiffError, match=message) as info:
        adc.grad(fn)(np.array([0.3, 0.4, 0.5]))
    assert "test_random_draws.py:" in str(info.value)


def test_generated_code_draws_from_the_state_it_was_given():
    rs = np.random.RandomState(1)

    def objective(m):
        return np.sum(rs.randn(3) * m) + np.sum(np.random.binomial(1, 0.5, size=3) * m)

    source = adc.grad(objective).source(np.ones(3))
    assert ".randn(3)" in source and "np.random.binomial(1, 0.5, size=3)" in source, source


# ---------------------------------------------------------------------------- a state made
# inside the function: a new one at each call, so each call draws the same numbers


def reparameterised(mu):
    rng = np.random.default_rng(5)
    eps = rng.standard_normal(mu.shape)
    u = rng.normal(mu, 2.0)  # d u / d mu = 1: the gradient does not read this draw
    return np.sum((mu + eps) ** 2) + np.sum(u * rng.uniform(size=mu.shape))


def noise(rng, n):
    return rng.normal(size=n)


def handed_to_a_helper(mu):
    rng = np.random.default_rng(seed=3)
    return np.sum(mu * noise(rng, mu.shape[0])) + np.sum(mu ** 2)


def cholesky_trick(a):  # autograd's test_cholesky_reparameterization_trick
    rng = np.random.RandomState(0)
    return np.linalg.norm(np.linalg.cholesky(a) @ rng.randn(a.shape[0]))


MADE = [(reparameterised, np.array([0.1, -0.3, 0.7])),
        (handed_to_a_helper, np.array([0.1, -0.3, 0.7])),
        (cholesky_trick, np.array([[2.0, 0.5, 0.1], [0.5, 1.5, 0.2], [0.1, 0.2, 1.0]]))]


@pytest.mark.parametrize("fn, x", MADE, ids=[f.__name__ for f, _ in MADE])
def test_a_state_made_inside_draws_what_each_plain_call_draws(fn, x):
    value, grad = adc.value_and_grad(fn)(x)
    assert value == pytest.approx(fn(x), rel=1e-12)
    np.testing.assert_allclose(grad, central_differences(fn, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(adc.grad(fn)(x), grad, rtol=1e-12)  # every call the same


def test_a_draw_the_gradient_does_not_read_still_advances_the_stream():
    """grad alone needs only the last draw of reparameterised; the draw before it is
    made all the same, or the last takes its numbers (a silently wrong gradient)."""
    x = np.array([0.1, -0.3, 0.7])
    source = adc.gradient_source(reparameterised, args=(x,))
    assert source.count("rng.standard_normal(") == 2
    np.testing.assert_allclose(adc.grad(reparameterised)(x),
                               central_differences(reparameterised, x), rtol=1e-6)
    state = np.random.default_rng(9)

    def drawn_from_the_callers(mu):
        state.standard_normal(2)  # unused: it moves the caller's stream by two numbers
        return np.sum(mu * state.uniform(size=2))

    adc.grad(drawn_from_the_callers)  # (built here, compiled at its first call)
    before = np.random.default_rng(9)
    before.standard_normal(2)
    want = before.uniform(size=2)
    np.testing.assert_array_equal(adc.grad(drawn_from_the_callers)(np.zeros(2)), want)


@pytest.mark.parametrize("fn, x", MADE, ids=[f.__name__ for f, _ in MADE])
def test_under_vmap_a_state_made_inside_draws_for_each_example_what_its_call_draws(fn, x):
    """Each example's call would make the state anew from the same seed: every example
    draws the same numbers, as the plain calls do (not the batch's next ones)."""
    xs = np.stack([x, x * 1.1, x * 0.9 + 0.05 * np.eye(*x.shape[-1:] * 2)[0]])
    np.testing.assert_allclose(adc.vmap(fn)(xs), [fn(e) for e in xs], rtol=1e-12)
    grads = adc.vmap(adc.grad(fn))(xs)
    for e, g in zip(xs, grads):
        np.testing.assert_allclose(g, central_differences(fn, e), rtol=1e-6, atol=1e-8)


def drawn_on_each_examples_branch(x):
    rng = np.random.RandomState(0)
    if np.sum(x) > 0:
        a = rng.randn(3)
    else:
        a = rng.rand(3)
        a = a + rng.rand(3)
    return x * a + rng.randn(3)


def drawn_while_each_example_runs(x):
    rng = np.random.RandomState(0)
    while np.sum(x) < 5.0:
        x = x + rng.rand(3)
    return x


def drawn_with_each_examples_parameter(x):
    rng = np.random.RandomState(0)
    mask = rng.binomial(1, 1.0 / (1.0 + np.exp(-x)))
    return x * mask


def drawn_in_a_loop_every_example_runs(x):
    rng = np.random.RandomState(0)
    for _ in range(3):
        x = x * 0.5 + rng.randn(3)
    return x


@pytest.mark.parametrize("fn, line", [
    (drawn_on_each_examples_branch, "a = rng.randn(3)"),
    (drawn_while_each_example_runs, "x = x + rng.rand(3)"),
    (drawn_with_each_examples_parameter, "mask = rng.binomial(1, 1.0 / (1.0 + np.exp(-x)))")])
def test_under_vmap_a_state_made_inside_drawn_on_each_examples_path_is_refused(fn, line):
    """Each example would draw from its own state along its own path (or with its own
    parameters); one state for the batch cannot give each the numbers its call takes,
    so it is refused at the draw."""
    xs = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]])
    with pytest.raises(AutodiffError, match="differ") as info:
        adc.vmap(fn)(xs)
    assert line in str(info.value) and "test_random_draws.py" in str(info.value)


def test_under_vmap_a_loop_every_example_runs_draws_what_each_call_draws():
    xs = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]])
    fn = drawn_in_a_loop_every_example_runs
    np.testing.assert_allclose(adc.vmap(fn)(xs), [fn(x) for x in xs], rtol=1e-12)
