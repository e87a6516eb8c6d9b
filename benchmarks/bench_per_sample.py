"""Benchmark per-sample gradients of an MLP: ``vmap(grad(loss))`` vs a Python loop of
``grad`` vs hand-written NumPy.

Run from the repository root::

    python benchmarks/bench_per_sample.py            # full run (with JAX where installed)
    python benchmarks/bench_per_sample.py --quick    # seconds-long smoke run (CI)
    python benchmarks/bench_per_sample.py --source   # also print the generated code

The workload: the softmax cross-entropy of one example (64 features, a tanh hidden
layer of 128 units, 10 classes, float32) and its gradient with respect to W1, b1, W2
and b2, for each of a batch of 256 examples (DP-SGD and influence functions need them
one by one). ``vmap(grad(loss), in_axes=(None, None, None, None, 0, 0))`` compiles one
vectorised NumPy program; the loop calls the compiled ``grad`` 256 times; the
hand-written version is the same maths in batched NumPy (outer products per example).
Before timing it checks the hand-written gradients in float64 against central
differences of one example's loss, and every other result against them (float32: rtol
1e-4 plus an absolute 1e-5 of each array's largest entry). ``jax.vmap(jax.grad)`` is
timed too where JAX is installed (never required). See benchmarks/README.md.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as adc

# ---------------------------------------------------------------------------- the workload

BATCH, INPUTS, HIDDEN, CLASSES = 256, 64, 128, 10
DTYPE = np.float32
POSITIONS = (0, 1, 2, 3)
IN_AXES = (None, None, None, None, 0, 0)


def loss(w1, b1, w2, b2, x, label):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    s = z - np.max(z)
    return -np.sum(label * (s - np.log(np.sum(np.exp(s)))))


def hand_per_sample(w1, b1, w2, b2, xs, labels):
    """Each example's d loss / d (W1, b1, W2, b2), written by hand for the whole batch:
    d loss / dz = softmax(z) - label per row (each label sums to 1); the weight
    gradients are per-example outer products."""
    h = np.tanh(xs @ w1 + b1)
    z = h @ w2 + b2
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z, out=z)
    p /= p.sum(axis=1, keepdims=True)
    dz = p - labels
    dh = dz @ w2.T
    dh *= 1.0 - h * h
    return xs[:, :, None] * dh[:, None, :], dh, h[:, :, None] * dz[:, None, :], dz


def loss_with(xp: Any):
    """The workload for a NumPy-like module (jax.numpy)."""
    def one(w1, b1, w2, b2, x, label):
        h = xp.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        s = z - xp.max(z)
        return -xp.sum(label * (s - xp.log(xp.sum(xp.exp(s)))))
    return one


def make_inputs(seed: int = 0, dtype: Any = DTYPE) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    b1 = 0.1 * rng.standard_normal(HIDDEN)
    w2 = rng.standard_normal((HIDDEN, CLASSES)) / np.sqrt(HIDDEN)
    b2 = 0.1 * rng.standard_normal(CLASSES)
    xs = rng.standard_normal((BATCH, INPUTS))
    labels = np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)]
    return tuple(a.astype(dtype) for a in (w1, b1, w2, b2, xs, labels))


# ---------------------------------------------------------------------------- correctness

RTOL, ATOL_REL = 1e-4, 1e-5  # float32
ARGS = "w1, b1, w2, b2, xs, labels"
NAMES = ("dW1", "db1", "dW2", "db2")


def assert_grads(what: str, got: Any, want: tuple) -> None:
    harness.assert_grads(what, got, want, NAMES, RTOL, ATOL_REL)


def check(per_sample: Any, args: tuple) -> None:
    """The hand-written gradients (float64, against differences of example 0) and the
    API's (against the hand-written ones)."""
    wide = make_inputs(dtype=np.float64)
    first = (*wide[:4], wide[4][0], wide[5][0])
    harness.check_directional("hand-written per-sample gradient (float64, example 0)", loss,
                              tuple(g[0] for g in hand_per_sample(*wide)), first, POSITIONS)
    want = hand_per_sample(*args)
    assert_grads(f"per_sample({ARGS})", per_sample(*args), want)
    other = make_inputs(seed=1)
    assert_grads("per_sample on other inputs", per_sample(*other), hand_per_sample(*other))


def python_loop(grad_fn: Any) -> Any:
    """Per-sample gradients as a Python loop of the compiled ``grad``, stacked."""
    def run(w1, b1, w2, b2, xs, labels):
        rows = [grad_fn(w1, b1, w2, b2, x, label) for x, label in zip(xs, labels)]
        return tuple(np.stack(parts) for parts in zip(*rows))
    return run


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    per_sample = adc.vmap(adc.grad(loss, POSITIONS), in_axes=IN_AXES)
    check(per_sample, args)
    want = hand_per_sample(*args)
    loop = python_loop(adc.grad(loss, POSITIONS))
    assert_grads("Python loop of grad", loop(*args), want)
    losses = adc.vmap(loss, in_axes=IN_AXES)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    program = per_sample._program  # the GradFunction compiling the batched program
    suite = Suite(
        name="bench_per_sample", cases=[], baseline="hand",
        namespace={"losses": losses, "hand": hand_per_sample, "loop": loop},
        notes=[f"batch {BATCH}, {INPUTS} -> {HIDDEN} (tanh) -> {CLASSES}, float32, "
               "gradients per example"],
        extra={"shape": {"batch": BATCH, "inputs": INPUTS, "hidden": HIDDEN,
                         "classes": CLASSES, "dtype": "float32"}},
        source=per_sample.source(*args))
    names = [n.strip() for n in ARGS.split(",")]
    raw, raw_note = harness.raw_function(program, args, ARGS, check_want)
    noopt, noopt_note, noopt_source = harness.unoptimized_function(program, args, ARGS,
                                                                   check_want)
    suite.namespace.update(dict(zip(names, args)), per_sample=per_sample, raw=raw, noopt=noopt)
    call = f"({ARGS})"
    suite.case("forward", "(a) forward: vmap(loss)(...)", f"losses{call}")
    suite.case("hand", "(b) hand-written NumPy per-sample gradients", f"hand{call}")
    suite.case("cached", "(c) vmap(grad(loss))(...)", f"per_sample{call}")
    if raw is not None:
        suite.case("raw", "(d) generated function, no wrapper", f"raw{call}")
    if noopt is not None:
        suite.case("noopt", "(e) generated, optimisation passes off", f"noopt{call}")
    suite.case("loop", "(g) Python loop of grad over the examples", f"loop{call}")
    fresh = harness.FreshFunctions(stack, loss, "import numpy as np\n\n\n", suite.name)
    suite.cases.append(harness.first_call_case(
        "compile", "(f) first call: compile + run", fresh,
        lambda fn: adc.vmap(adc.grad(fn, POSITIONS), in_axes=IN_AXES)(*args),
        lambda grads: check_want("freshly compiled per-sample gradients", grads)))
    suite.notes.append(f"raw function: {raw_note}")
    suite.extra.update(raw_function=raw_note, unoptimized_function=noopt_note,
                       generated_source_unoptimized=noopt_source,
                       parse_cache_cleared=harness.clear_parse_cache())
    add_jax(suite, args, check_want)
    return suite


def add_jax(suite: Suite, args: tuple, check_want: Any) -> None:
    """``jax.vmap(jax.grad(loss))``, without and with ``jax.jit``, where JAX is installed
    (in the peers' own process only, as the other benchmarks time their peers)."""
    suite.peers = True
    jax = harness.peer("jax")
    if jax is None:
        return
    import jax.numpy as jnp
    jax_args = tuple(jnp.asarray(a) for a in args)
    batched = jax.vmap(jax.grad(loss_with(jnp), argnums=POSITIONS), in_axes=IN_AXES)
    harness.add_peer_cases(suite, [
        harness.Peer("jax", "(h) jax.vmap(jax.grad), no jit",
                     "jax.block_until_ready(jax_per_sample(*jax_args))",
                     {"jax": jax, "jax_per_sample": batched, "jax_args": jax_args}),
        harness.Peer("jax_jit", "(i) jax.jit(jax.vmap(jax.grad))",
                     "jax.block_until_ready(jax_jit_per_sample(*jax_args))",
                     {"jax_jit_per_sample": jax.jit(batched)}),
    ], check_want)
    one = loss_with(jnp)

    def new_jitted() -> Any:
        fresh = lambda *a: one(*a)  # a new function object: jit's caches miss
        return jax.jit(jax.vmap(jax.grad(fresh, argnums=POSITIONS), in_axes=IN_AXES))

    suite.cases.append(harness.sample_case(
        "jax_jit_compile", "(j) jax.jit first call", new_jitted,
        lambda fn: jax.block_until_ready(fn(*jax_args)),
        lambda out: check_want("JAX jit, first call", harness.to_numpy(out))))


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_per_sample", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())
