"""Benchmark a Hessian-vector product: generated code vs hand-written NumPy (and JAX).

Run from the repository root::

    python benchmarks/bench_hvp.py                   # full run, ~5 s (more with the peers)
    python benchmarks/bench_hvp.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_hvp.py --json benchmarks/results_hvp.json
    python benchmarks/bench_hvp.py --source          # also print the generated code

The workload: a two-layer MLP's squared-error loss, ``0.5 * mean(sum((tanh(x W1) W2 -
y)**2, 1))``, batch 256, 784 -> 128 (tanh) -> 10, float64, and the product of its
Hessian with respect to (W1, W2) with a direction (V1, V2), never forming the Hessian
(101,632 x 101,632 entries). ``adc.hvp(loss, (w1, w2, x, y), (v1, v2, None, None),
grad_position=(0, 1))`` is forward mode over the compiled gradient (the data's tangents
``None``: held constant); the baseline is Pearlmutter's R-operator written by hand; the
peer is ``jax.jvp(jax.grad(loss))``, the form JAX's documentation gives, with and
without ``jax.jit``, where JAX is installed (never required). Before timing anything it
checks the hand-written product against central differences of the hand-written
gradient, and every other product against the hand-written one (rtol 1e-9). See
benchmarks/README.md.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as adc
from autodiff_compiler.directional import forward_program

# ---------------------------------------------------------------------------- the workload

BATCH, INPUTS, HIDDEN, OUTPUTS = 256, 784, 128, 10
POSITIONS = (0, 1)


def loss(w1, w2, x, y):
    r = np.tanh(x @ w1) @ w2 - y
    return 0.5 * np.mean(np.sum(r * r, axis=1))


def hand_grad(w1, w2, x, y):
    """d loss / d (W1, W2) by backpropagation (for the checks)."""
    h = np.tanh(x @ w1)
    dz = (h @ w2 - y) / len(x)
    dh = (dz @ w2.T) * (1.0 - h * h)
    return x.T @ dh, h.T @ dz


def hand_hvp(w1, w2, x, y, v1, v2):
    """H @ (V1, V2) by Pearlmutter's R-operator: the backward pass above differentiated
    along (V1, V2), each R-value next to the value it is the derivative of."""
    h = np.tanh(x @ w1)
    d = 1.0 - h * h                      # tanh' from its output
    rh = d * (x @ v1)                    # R{h}
    dz = (h @ w2 - y) / len(x)
    rdz = (rh @ w2 + h @ v2) / len(x)    # R{dz}
    dh = dz @ w2.T
    rdh = rdz @ w2.T + dz @ v2.T         # R{dh}
    rda = rdh * d - 2.0 * dh * h * rh    # R{dh * (1 - h^2)}
    return x.T @ rda, rh.T @ dz + h.T @ rdz


def loss_with(xp: Any):
    """The workload for a NumPy-like module (jax.numpy)."""
    def loss(w1, w2, x, y):
        r = xp.tanh(x @ w1) @ w2 - y
        return 0.5 * xp.mean(xp.sum(r * r, axis=1))
    return loss


def make_inputs(seed: int = 0) -> tuple[np.ndarray, ...]:
    """x ~ N(0, 1), y ~ N(0, 1); W1 ~ N(0, 1/784), W2 ~ N(0, 1/128) (tanh neither
    saturated nor linear); the direction (V1, V2) ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, INPUTS))
    y = rng.standard_normal((BATCH, OUTPUTS))
    w1 = rng.standard_normal((INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    w2 = rng.standard_normal((HIDDEN, OUTPUTS)) / np.sqrt(HIDDEN)
    v1 = rng.standard_normal(w1.shape)
    v2 = rng.standard_normal(w2.shape)
    return w1, w2, x, y, v1, v2


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-9
ARGS = "w1, w2, x, y"
NAMES = ("HV1", "HV2")


def assert_hvp(what: str, got: Any, want: tuple) -> None:
    harness.assert_grads(what, got, want, NAMES, RTOL, 1e-12)


def check_hand(args: tuple, direction: tuple, eps: float = 1e-5) -> None:
    """The hand-written product against central differences of the gradient."""
    w1, w2, x, y = args
    v1, v2 = direction
    up = hand_grad(w1 + eps * v1, w2 + eps * v2, x, y)
    down = hand_grad(w1 - eps * v1, w2 - eps * v2, x, y)
    numeric = tuple((u - d) / (2 * eps) for u, d in zip(up, down))
    harness.assert_grads("hand-written Hessian-vector product", hand_hvp(*args, *direction),
                         numeric, NAMES, 1e-5, 1e-5)
    harness.assert_grads("hand-written gradient", hand_grad(*args),
                         tuple(adc.grad(loss, POSITIONS)(*args)), ("dW1", "dW2"), 1e-10)


def hvp(fn: Any, args: tuple, direction: tuple) -> tuple:
    """The API's Hessian-vector product with the data held constant."""
    return adc.hvp(fn, args, (*direction, None, None), grad_position=POSITIONS)


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    w1, w2, x, y, v1, v2 = make_inputs()
    args, direction = (w1, w2, x, y), (v1, v2)
    check_hand(args, direction)
    want = hand_hvp(*args, *direction)
    assert_hvp("adc.hvp", hvp(loss, args, direction), want)
    other = make_inputs(seed=1)  # same shapes: the same compiled program
    assert_hvp("adc.hvp on other inputs", hvp(loss, other[:4], other[4:]), hand_hvp(*other))

    # the compiled program itself: forward mode over the compiled gradient, returning the
    # tangent alone (what adc.hvp runs)
    grad_fn = adc.grad(loss, POSITIONS)
    _, compiled = forward_program(grad_fn, args, POSITIONS, with_value=False)
    raw = compiled.fn
    assert_hvp("generated function called directly", tuple(raw(*args, v1, v2)), want)
    noopt, noopt_source = _unoptimized(grad_fn, compiled.spec, args, direction, want)

    suite = Suite(
        name="bench_hvp", cases=[], baseline="hand",
        namespace={"loss": loss, "hand_hvp": hand_hvp, "hvp": hvp, "raw": raw,
                   "noopt": noopt, "w1": w1, "w2": w2, "x": x, "y": y, "v1": v1, "v2": v2,
                   "args": args, "direction": direction},
        notes=[f"batch {BATCH}, {INPUTS} -> {HIDDEN} (tanh) -> {OUTPUTS}, float64, "
               "H @ v with respect to (W1, W2)"],
        extra={"shape": {"batch": BATCH, "inputs": INPUTS, "hidden": HIDDEN,
                         "outputs": OUTPUTS, "dtype": "float64"},
               "raw_function": "forward_program(adc.grad(loss, (0, 1)), args, (0, 1), "
                               "with_value=False).fn",
               "generated_source_unoptimized": noopt_source,
               "unoptimized_function": "compile_gradient(grad_fn, spec, abstract(args), "
                                       "optimize=False).fn",
               "parse_cache_cleared": harness.clear_parse_cache()},
        source=compiled.source)
    suite.case("forward", "(a) forward: loss(...)", f"loss({ARGS})")
    suite.case("hand", "(b) hand-written NumPy R-operator", f"hand_hvp({ARGS}, v1, v2)")
    suite.case("cached", "(c) adc.hvp(loss, ...), cached", "hvp(loss, args, direction)")
    suite.case("raw", "(d) generated function, no wrapper", f"raw({ARGS}, v1, v2)")
    suite.case("noopt", "(e) generated, optimisation passes off", f"noopt({ARGS}, v1, v2)")
    fresh = harness.FreshFunctions(stack, loss, "import numpy as np\n\n\n", suite.name)
    suite.cases.append(harness.first_call_case(
        "compile", "(f) first call: compile + run", fresh,
        lambda fn: hvp(fn, args, direction),
        lambda out: assert_hvp("freshly compiled product", out, want)))
    _add_jax(suite, args, direction, lambda what, out: assert_hvp(what, out, want))
    return suite


def _unoptimized(grad_fn: Any, spec: Any, args: tuple, direction: tuple, want: tuple
                 ) -> tuple[Any, str]:
    """The same program compiled with the optimisation passes off, checked."""
    from autodiff_compiler import api
    from autodiff_compiler.pipeline.kinds import abstract
    compiled = api.compile_gradient(grad_fn, spec, [abstract(a, spec.specialize) for a in args],
                                    optimize=False)
    assert_hvp("generated function with optimisation passes off",
               tuple(compiled.fn(*args, *direction)), want)
    return compiled.fn, compiled.source


def _add_jax(suite: Suite, args: tuple, direction: tuple, check: Any) -> None:
    """(g) ``jax.jvp(jax.grad(loss))`` without jit and (h) under ``jax.jit``, where JAX
    is installed (in the peers' own process only; see harness.peer)."""
    suite.peers = True
    jax = harness.peer("jax")
    if jax is None:
        return
    import jax.numpy as jnp
    w1, w2, x, y = (jnp.asarray(a) for a in args)
    v = tuple(jnp.asarray(a) for a in direction)
    grad = jax.grad(loss_with(jnp), argnums=POSITIONS)

    def jax_hvp(w1: Any, w2: Any, v1: Any, v2: Any) -> Any:
        return jax.jvp(lambda a, b: grad(a, b, x, y), (w1, w2), (v1, v2))[1]

    peers = [
        harness.Peer("jax", "(g) JAX jvp(grad), no jit",
                     "jax.block_until_ready(jax_hvp(jw1, jw2, *jv))",
                     {"jax": jax, "jax_hvp": jax_hvp, "jw1": w1, "jw2": w2, "jv": v}),
        harness.Peer("jax_jit", "(h) JAX jvp(grad), jit",
                     "jax.block_until_ready(jax_jit_hvp(jw1, jw2, *jv))",
                     {"jax_jit_hvp": jax.jit(jax_hvp)}),
    ]
    harness.add_peer_cases(suite, peers, check)


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_hvp", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())
