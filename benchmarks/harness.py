"""Timing machinery shared by the ``bench_*.py`` workloads.

A workload file defines a ``build(stack, quick)`` function that checks its gradients
(raising :class:`BenchmarkError` on a mismatch) and returns a :class:`Suite`: the cases
to time, the namespace their statements run in, the baseline case the ratios are taken
to, and optional peak-memory cases. Its ``main`` is then ``harness.main(NAME, __doc__,
build)``, which gives it the common flags::

    --quick            seconds-long smoke run: 5 samples of ~2 ms, the same checks
    --json PATH        also write the results (every sample, machine facts) as JSON
    --samples N        samples per case (default 25; quick 5)
    --target-ms T      length of one sample in ms (default 20; quick 2)
    --source           also print the generated code
    --no-peers         leave out autograd, JAX and PyTorch even where installed
    --peers-only       (internal) time only the baseline and the peers

How it times (as ``timeit`` does, see benchmarks/README.md):

- A statement case is a ``timeit.Timer`` over ``time.perf_counter_ns`` with the call
  inlined, so no extra closure call is timed; ``timeit`` turns garbage collection off
  during a sample.
- Before sampling, each statement case gets the loops per sample (1, 2, 5, 10, ...) that
  make one sample last at least the target; this also warms it up. A *sample* case
  (a callable returning the nanoseconds of one call, used for first-call compile time)
  runs once as a warm-up instead.
- All cases are sampled in one process, interleaved round-robin: each round takes one
  sample of every case and starts at a different case; ``gc.collect()`` runs between
  rounds.
- The report gives, per case, the median time per call, p25, p75, min, max and the
  median divided by the baseline's median.

Nothing is timed before ``build`` has returned, so a failed check exits with status 1
(``--quick`` included) before any timing.

Peers (autograd, JAX, PyTorch; optional, never installed by CI) are timed in a separate
interpreter that ``main`` starts with ``--peers-only``: it times the baseline again and
the peers' ratios are to that. Running PyTorch or JAX in the process changes how
glibc's malloc serves NumPy's large arrays from then on, so they must not share a
process with the NumPy cases they are compared with.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import importlib.metadata
import importlib.util
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import timeit
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------- suites


@dataclass
class Case:
    """One timed case: either ``statement`` (run by ``timeit`` in the suite's namespace,
    calibrated loops per sample) or ``sample`` (a callable that performs one call and
    returns its duration in ns; one call per sample, e.g. a first call that compiles)."""

    name: str
    label: str
    statement: str | None = None
    sample: Callable[[], int] | None = None

    def __post_init__(self) -> None:
        if (self.statement is None) == (self.sample is None):
            raise ValueError(f"case {self.name!r}: give exactly one of statement and sample")


@dataclass
class MemoryCase:
    """Peak memory of one call of ``call()``, measured with ``tracemalloc``."""

    name: str
    label: str
    call: Callable[[], Any]


@dataclass
class Suite:
    name: str                                  # e.g. "bench_tutorial" (JSON "benchmark")
    cases: list[Case]
    namespace: dict[str, Any]                  # globals for the statements
    baseline: str = "hand"                     # ratios are to this case's median
    notes: list[str] = field(default_factory=list)       # appended to the settings line
    memory: list[MemoryCase] = field(default_factory=list)
    source: str | None = None                  # the generated code, for --source and JSON
    extra: dict[str, Any] = field(default_factory=dict)  # more JSON fields
    peers: bool = False                        # has peer cases where they are installed

    def case(self, name: str, label: str, statement: str) -> None:
        self.cases.append(Case(name, label, statement=statement))


# ---------------------------------------------------------------------------- checks


class BenchmarkError(SystemExit):
    """A failed check: printed to stderr, exit status 1."""

    prefix = "bench"

    def __init__(self, message: str) -> None:
        super().__init__(f"{BenchmarkError.prefix}: FAILED: {message}")


def assert_same(what: str, got: Any, want: Any, rtol: float, atol: float = 0.0) -> None:
    """Same shape, dtype and (``assert_allclose``) value, or a BenchmarkError."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        raise BenchmarkError(f"{what}: got shape {got.shape} dtype {got.dtype}, "
                             f"expected shape {want.shape} dtype {want.dtype}")
    try:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    except AssertionError as err:
        raise BenchmarkError(f"{what} differs from the hand-written value:\n{err}") from None


def assert_grads(what: str, got: Any, want: tuple, names: tuple[str, ...], rtol: float,
                 atol_rel: float = 0.0) -> None:
    """``got`` is a tuple like ``want`` whose entries match (named ``names``).

    ``atol_rel`` sets each entry's absolute tolerance to that fraction of the largest
    magnitude in the expected array: in float32, entries near zero that are sums of many
    terms differ by rounding far beyond any relative tolerance.
    """
    if not isinstance(got, tuple) or len(got) != len(want):
        raise BenchmarkError(
            f"{what}: expected a tuple ({', '.join(names)}), got {type(got).__name__} "
            f"of length {len(got) if isinstance(got, tuple) else '?'}")
    for name, g, w in zip(names, got, want):
        atol = atol_rel * float(np.max(np.abs(w))) if atol_rel else 0.0
        assert_same(f"{what}: {name}", g, w, rtol, atol)


def check_directional(what: str, loss: Callable[..., Any], grads: Any, args: tuple,
                      positions: tuple[int, ...], rtol: float = 1e-5, eps: float = 1e-6,
                      seed: int = 2) -> None:
    """Check ``grads`` (one per position, the gradient of ``loss`` at ``args``) against
    central differences of ``loss`` along one random direction per position."""
    rng = np.random.default_rng(seed)
    for position, grad in zip(positions, grads):
        arg = args[position]
        if isinstance(arg, float):
            direction: Any = float(rng.standard_normal())
        else:
            direction = rng.standard_normal(np.shape(arg))
        plus, minus = list(args), list(args)
        plus[position] = arg + eps * direction
        minus[position] = arg - eps * direction
        numeric = (float(loss(*plus)) - float(loss(*minus))) / (2 * eps)
        analytic = float(np.sum(np.asarray(grad, dtype=np.float64) * direction))
        if not np.isclose(analytic, numeric, rtol=rtol, atol=0.0):
            raise BenchmarkError(
                f"{what}: the derivative along a random direction in argument {position} "
                f"is {analytic!r}, central differences give {numeric!r}")


def raw_function(grad_fn: Any, args: tuple, arg_names: str,
                 check: Callable[[str, Any], None]) -> tuple[Callable | None, str]:
    """The generated function itself (``grad_fn.compiled_for(args).fn``), or None, and a
    note on how it was reached; ``check(what, tuple_of_outputs)`` checks its result.

    ``Compiled.run`` calls ``fn(*array_leaves_of_args, *captured_arrays)``; when nothing
    is captured and the args are plain arrays, ``fn(*args)`` is exactly what the wrapper
    runs.
    """
    try:
        compiled = grad_fn.compiled_for(args)
        raw = compiled.fn
    except AttributeError as err:
        return None, f"not reachable ({err})"
    if getattr(compiled, "capture_objects", ()):
        return None, "not timed: the generated function takes captured arrays as extra inputs"
    try:
        out = raw(*args)
    except TypeError as err:
        return None, f"not timed: calling it with ({arg_names}) failed ({err})"
    check("generated function called directly", tuple(out) if isinstance(out, list) else out)
    comma = "," if "," not in arg_names else ""
    return raw, f"grad_fn.compiled_for(({arg_names}{comma})).fn"


def numba_function(grad_fn: Any, args: tuple,
                   check: Callable[[str, Any], None]) -> Callable | None:
    """The numba backend's generated function for the same gradient, compiled, its
    kernels run once and its result checked; None where numba is not installed."""
    if importlib.util.find_spec("numba") is None:
        return None
    from autodiff_compiler.api import GradFunction

    numba_grad = GradFunction(grad_fn.fn, dataclasses.replace(grad_fn.spec, backend="numba"))
    fn = numba_grad.compiled_for(args).fn
    out = fn(*args)
    check("numba backend's generated function", tuple(out) if isinstance(out, list) else out)
    return fn


def unoptimized_function(grad_fn: Any, args: tuple, arg_names: str,
                         check: Callable[[str, Any], None]
                         ) -> tuple[Callable | None, str, str | None]:
    """The same gradient compiled with the optimisation passes off, as the generated
    function itself; or None. Also a note on how it was built, and its source.

    It is built as ``GradFunction.compiled_for`` builds the cached one, with
    ``optimize=False``: ``adc.api.compile_gradient(fn, spec, abstract_args,
    optimize=False)``, the arguments made abstract by ``pipeline.kinds.abstract``. A
    failure to compile is a failed check (a compiler bug), not a case left out.
    """
    try:
        from autodiff_compiler import api
        from autodiff_compiler.pipeline.kinds import abstract as stand_in
        abstract = [stand_in(a, grad_fn.spec.specialize) for a in args]
        build = api.compile_gradient
    except (ImportError, AttributeError) as err:
        return None, f"not reachable ({err})", None
    try:
        compiled = build(grad_fn.fn, grad_fn.spec, abstract, optimize=False)
    except Exception as err:
        raise BenchmarkError(f"compiling the gradient with optimize=False failed: "
                             f"{type(err).__name__}: {err}") from None
    if getattr(compiled, "capture_objects", ()):
        return None, "not timed: the generated function takes captured arrays as extra " \
                     "inputs", compiled.source
    out = compiled.fn(*args)
    check("generated function with optimisation passes off",
          tuple(out) if isinstance(out, list) else out)
    note = f"compile_gradient(fn, spec, abstract({arg_names}), optimize=False).fn"
    return compiled.fn, note, compiled.source


# ---------------------------------------------------------------------------- compile time


class FreshFunctions:
    """A new object per call of :meth:`new` for the module-level function ``function``:
    the same source, written to its own module file in a temporary directory and
    imported, so neither the gradient cache (keyed on the code object and globals) nor
    the parse cache has seen it. Writing and importing are for the caller not to time."""

    def __init__(self, stack: contextlib.ExitStack, function: Callable, preamble: str,
                 prefix: str) -> None:
        self.directory = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix=f"{prefix}_")))
        self.source = preamble + textwrap.dedent(inspect.getsource(function))
        self.attr = function.__name__
        self.prefix = prefix
        self.count = 0

    def new(self) -> Callable:
        self.count += 1
        name = f"{self.prefix}_fresh_{self.count}"
        path = self.directory / f"{name}.py"
        path.write_text(self.source)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, self.attr)


def clear_parse_cache() -> bool:
    """Forget parsed source (including ops.py's), as in a fresh process."""
    try:
        from autodiff_compiler.frontend import source
        source._parse_code.cache_clear()
    except (ImportError, AttributeError):
        return False
    return True


def first_call_case(name: str, label: str, fresh: FreshFunctions,
                    call: Callable[[Callable], Any], check: Callable[[Any], None]) -> Case:
    """A sample case timing ``call(f)`` on a new function ``f`` from ``fresh`` with the
    parse cache cleared (a first call in a warm process); ``check`` is not timed."""

    def setup() -> Callable:
        fn = fresh.new()  # not timed: writing and importing the module
        clear_parse_cache()
        return fn

    return sample_case(name, label, setup, call, check)


def sample_case(name: str, label: str, setup: Callable[[], Any],
                call: Callable[[Any], Any], check: Callable[[Any], None]) -> Case:
    """A sample case timing ``call(setup())`` once per sample; neither ``setup`` (e.g.
    building a new function object, so that no cache has seen it) nor ``check`` (of the
    call's result) is timed. Garbage collection is off during the call."""

    def sample() -> int:
        obj = setup()
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            t0 = time.perf_counter_ns()
            result = call(obj)
            elapsed = time.perf_counter_ns() - t0
        finally:
            if was_enabled:
                gc.enable()
        check(result)
        return elapsed

    return Case(name, label, sample=sample)


def add_generated_cases(suite: Suite, stack: contextlib.ExitStack, function: Callable,
                        grad_fn: Any, args: tuple, arg_names: str,
                        check: Callable[[str, Any], None], preamble: str) -> dict[str, Any]:
    """Register the cases every workload times for the generated gradient, after its
    (a) forward and (b) hand-written cases:

    (c) ``grad_fn(args)``, the cached call through the API;
    (d) the generated function itself (``grad_fn.compiled_for(args).fn``);
    (e) the generated function compiled with the optimisation passes off;
    (f) the first call of ``adc.grad(f, positions)`` on a new ``f`` (compile + run).

    ``check(what, result)`` checks a gradient result against the hand-written one; it
    runs on (d) and (e) now, and on every gradient (f) compiles. ``arg_names`` names the
    arguments as the statements call them (they are added to the namespace). Returns the
    generated functions (``raw``, ``noopt``; None where not reachable) for memory cases.
    """
    import autodiff_compiler as adc

    names = [n.strip() for n in arg_names.split(",")]
    raw, raw_note = raw_function(grad_fn, args, arg_names, check)
    noopt, noopt_note, noopt_source = unoptimized_function(grad_fn, args, arg_names, check)
    suite.namespace.update(dict(zip(names, args)), grad_fn=grad_fn, raw=raw, noopt=noopt)
    call = f"({arg_names})"
    suite.case("cached", "(c) cached grad_fn(...)", f"grad_fn{call}")
    if raw is not None:
        suite.case("raw", "(d) generated function, no wrapper", f"raw{call}")
    if noopt is not None:
        suite.case("noopt", "(e) generated, optimisation passes off", f"noopt{call}")
    positions = grad_fn.spec.positions
    fresh = FreshFunctions(stack, function, preamble, suite.name)
    suite.cases.append(first_call_case(
        "compile", "(f) first call: compile + run", fresh,
        lambda fn: adc.grad(fn, positions)(*args),
        lambda grads: check("freshly compiled gradient", grads)))
    numba_fn = numba_function(grad_fn, args, check)
    if numba_fn is not None:
        suite.namespace["numba_fn"] = numba_fn
        suite.case("numba", "(n) numba backend, generated function", f"numba_fn{call}")
    suite.notes.append(f"raw function: {raw_note}")
    suite.extra.update(raw_function=raw_note, unoptimized_function=noopt_note,
                       generated_source_unoptimized=noopt_source,
                       parse_cache_cleared=clear_parse_cache())
    return {"raw": raw, "noopt": noopt}


# ---------------------------------------------------------------------------- optional peers

PEER_LIBRARIES = ("autograd", "jax", "torch")
PEER_CASES = ("autograd", "jax", "jax_jit", "torch", "jax_jit_compile")
use_peers = False  # True only in the separate process that times the peers


def peers_installed() -> list[str]:
    """The peer libraries that are installed (without importing them)."""
    return [n for n in PEER_LIBRARIES if importlib.util.find_spec(n) is not None]


def peer(name: str) -> Any:
    """The optional library ``name`` (autograd, jax or torch) if it is installed and
    this is the peers' process, else None. Never required: nothing installs these.

    JAX is put in 64-bit mode, as its default would silently compute float64 workloads
    in float32. PyTorch gets one intra-op thread: with one per CPU, its parallel regions
    wait for every thread, so on a small machine any other load (another process, or
    OpenBLAS's own threads) stalls each region for a scheduler time slice. On a 2-CPU
    machine under a load average of 1.7, that made one logistic-regression gradient
    take 8 ms instead of 0.13 ms.
    """
    if not use_peers:
        return None
    try:
        module = importlib.import_module(name)
    except Exception:  # not installed, or installed but broken: leave it out
        return None
    if name == "jax":
        module.config.update("jax_enable_x64", True)
    if name == "torch":
        module.set_num_threads(1)
    return module


@dataclass
class Peer:
    """The workload's gradient in a peer library: ``statement`` (run in the suite's
    namespace after ``namespace`` is added to it) returns the gradients, finished (JAX's
    ``block_until_ready``), as arrays or a tuple of arrays NumPy can convert."""

    name: str
    label: str
    statement: str
    namespace: dict[str, Any]


def peer_versions() -> dict[str, Any]:
    """Versions (and thread counts) of the peer libraries imported in this process."""
    out: dict[str, Any] = {}
    for name in PEER_LIBRARIES:
        module = sys.modules.get(name)
        if module is None:
            continue
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = getattr(module, "__version__", "?")
        if name == "torch":
            out["torch_threads"] = module.get_num_threads()
        if name == "jax":
            out["jax_backend"] = module.default_backend()
    return out


def to_numpy(out: Any) -> Any:
    """A peer's result (arrays or tensors, or a tuple of them) as NumPy arrays; a
    PyTorch tensor that requires grad (a training step's loss) is detached first."""
    if isinstance(out, tuple | list):
        return tuple(to_numpy(o) for o in out)
    return np.asarray(out.detach() if hasattr(out, "detach") else out)


def add_peer_cases(suite: Suite, peers: list[Peer], check: Callable[[str, Any], None]) -> None:
    """Check each peer's gradient (``check(what, result)``, the result converted to
    NumPy) and register it as a case."""
    for p in peers:
        suite.namespace.update(p.namespace)
        check(p.label, to_numpy(eval(p.statement, suite.namespace)))
        suite.case(p.name, p.label, p.statement)
    versions = peer_versions()
    if versions:
        suite.extra["peers"] = versions
        suite.notes.append("peers: " + ", ".join(
            f"{k} {v}" for k, v in versions.items()))


def add_torch_step(suite: Suite, make_model: Callable[[Any], Any], data: np.ndarray,
                   label: np.ndarray, lr: float) -> None:
    """(c) PyTorch eager where installed (in the peers' own process): one SGD step of
    ``make_model(torch.nn)`` with cross-entropy on the batch, as PyTorch writes it."""
    suite.peers = True
    torch = peer("torch")
    if torch is None:
        return
    model = make_model(torch.nn)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(data), torch.from_numpy(label.astype(np.int64))

    def torch_step() -> Any:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    add_peer_cases(suite, [Peer("torch", "(c) PyTorch eager", "torch_step()",
                                {"torch_step": torch_step})], lambda what, out: None)


def add_standard_peers(suite: Suite, loss_with: Callable[[Any], Callable],
                       torch_loss_with: Callable[[Any], Callable] | None, args: tuple,
                       positions: tuple[int, ...], check: Callable[[str, Any], None],
                       letters: str = "ghijk") -> None:
    """Register the peer libraries' gradient of the workload, each where installed:

    (g) autograd, ``autograd.grad(loss_with(autograd.numpy), positions)``;
    (h) JAX without jit, ``jax.grad(loss_with(jax.numpy), positions)``;
    (i) the same under ``jax.jit``;
    (j) PyTorch eager, ``torch.autograd.grad(torch_loss_with(torch)(*tensors), params)``;
    (k) JAX jit's first call on a new function (trace, compile and one run).

    ``loss_with(xp)`` is the workload written against a NumPy-like module; NumPy arrays
    are passed to JAX as JAX arrays made once (``jnp.asarray``), to PyTorch as tensors
    sharing their memory (``torch.from_numpy``), and Python floats as they are (PyTorch:
    0-d float64 tensors). A single position gives a bare gradient, as ``adc.grad`` does.
    Each result is checked with ``check(what, result)`` before anything is timed.
    ``letters`` are the five cases' labels, in that order.

    Only the peers' own process (``--peers-only``, which ``main`` starts) imports them:
    running PyTorch or JAX changes how glibc's malloc hands out large blocks for the
    rest of the process (NumPy's fresh 8 MB arrays stop costing page faults), which
    made the generated elementwise gradient look 25 % faster than in a plain process.
    """
    suite.peers = True
    tag = dict(zip(PEER_CASES, (f"({letter})" for letter in letters)))
    argnums: Any = positions[0] if len(positions) == 1 else positions
    peers: list[Peer] = []
    autograd = peer("autograd")
    if autograd is not None:
        import autograd.numpy as anp
        peers.append(Peer("autograd", f"{tag['autograd']} autograd", "ag_grad(*ag_args)", {
            "ag_grad": autograd.grad(loss_with(anp), argnums), "ag_args": args}))
    jax = peer("jax")
    if jax is not None:
        import jax.numpy as jnp
        jax_args = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
        jax_loss = loss_with(jnp)
        jax_grad = jax.grad(jax_loss, argnums=argnums)
        peers.append(Peer("jax", f"{tag['jax']} JAX, no jit",
                          "jax.block_until_ready(jax_grad(*jax_args))",
                          {"jax": jax, "jax_grad": jax_grad, "jax_args": jax_args}))
        peers.append(Peer("jax_jit", f"{tag['jax_jit']} JAX jit",
                          "jax.block_until_ready(jax_jit_grad(*jax_args))",
                          {"jax_jit_grad": jax.jit(jax_grad)}))
    torch = peer("torch") if torch_loss_with is not None else None
    if torch is not None:
        tensors = [torch.from_numpy(a) if isinstance(a, np.ndarray) else
                   torch.tensor(a, dtype=torch.float64) if isinstance(a, float) else a
                   for a in args]
        for i in positions:
            tensors[i] = tensors[i].detach().requires_grad_(True)
        index = "[0]" if len(positions) == 1 else ""
        peers.append(Peer("torch", f"{tag['torch']} PyTorch eager",
                          f"torch.autograd.grad(torch_loss(*torch_args), torch_params){index}",
                          {"torch": torch, "torch_loss": torch_loss_with(torch),
                           "torch_args": tuple(tensors),
                           "torch_params": tuple(tensors[i] for i in positions)}))
    add_peer_cases(suite, peers, check)
    if jax is not None:
        def new_jitted() -> Callable:
            fresh = lambda *a: jax_loss(*a)  # a new function object: jit's caches miss
            return jax.jit(jax.grad(fresh, argnums=argnums))

        suite.cases.append(sample_case(
            "jax_jit_compile", f"{tag['jax_jit_compile']} JAX jit first call", new_jitted,
            lambda fn: jax.block_until_ready(fn(*jax_args)),
            lambda out: check("JAX jit, first call", to_numpy(out))))


# ---------------------------------------------------------------------------- memory


def add_memory_cases(suite: Suite, generated: dict[str, Any], grad_fn: Any, args: tuple,
                     hand_grad: Callable) -> None:
    """Peak memory of one call of (b) the hand-written gradient, (c) ``grad_fn`` and the
    generated functions (d) and (e) that ``add_generated_cases`` returned."""
    suite.memory = [
        MemoryCase("hand", "(b) hand-written gradient", lambda: hand_grad(*args)),
        MemoryCase("cached", "(c) cached grad_fn", lambda: grad_fn(*args)),
    ]
    for name, label in (("raw", "(d) generated function"), ("noopt", "(e) optimisation off")):
        fn = generated.get(name)
        if fn is not None:
            suite.memory.append(MemoryCase(name, label, lambda fn=fn: fn(*args)))


def peak_memory(call: Callable[[], Any], repeat: int = 3) -> int:
    """Peak bytes allocated during one ``call()`` above what was allocated before it (the
    smallest of ``repeat`` measurements), as ``tracemalloc`` sees it. NumPy reports its
    array buffers to ``tracemalloc``, so this counts temporaries, tapes and results."""
    call()  # warm-up: caches, lazy imports
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    best = None
    try:
        for _ in range(repeat):
            gc.collect()
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            result = call()
            peak = tracemalloc.get_traced_memory()[1] - before
            del result
            best = peak if best is None else min(best, peak)
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return best


# ---------------------------------------------------------------------------- timing


def calibrate(timer: timeit.Timer, target_ns: int) -> int:
    """Loops per sample so that one sample takes about ``target_ns`` (1, 2, 5, 10, ...)."""
    loops = 1
    while True:
        for factor in (1, 2, 5):
            n = loops * factor
            if timer.timeit(n) >= target_ns:
                return n
        loops *= 10


def summarize(samples: list[float]) -> dict[str, float]:
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return {"median_ns": statistics.median(samples), "p25_ns": q1, "p75_ns": q3,
            "min_ns": min(samples), "max_ns": max(samples)}


def sample_all(suite: Suite, samples: int, target_ns: int) -> tuple[dict, dict]:
    """Per-call times (ns) of every case, interleaved round-robin; and loops per sample."""
    timers = {c.name: timeit.Timer(c.statement, timer=time.perf_counter_ns,
                                   globals=suite.namespace)
              for c in suite.cases if c.statement is not None}
    loops = {name: calibrate(t, target_ns) for name, t in timers.items()}  # also warms up
    for c in suite.cases:
        if c.sample is not None:
            c.sample()  # warm-up: the first compile also imports lazily
            loops[c.name] = 1
    per_call: dict[str, list[float]] = {c.name: [] for c in suite.cases}
    order = suite.cases
    for r in range(samples):
        for c in order[r % len(order):] + order[:r % len(order)]:
            if c.sample is not None:
                per_call[c.name].append(c.sample())
            else:
                per_call[c.name].append(timers[c.name].timeit(loops[c.name]) / loops[c.name])
        gc.collect()
    return per_call, loops


def run(suite: Suite, samples: int, target_ns: int, quick: bool) -> dict[str, Any]:
    """Time ``suite`` (and measure its memory cases); the report as a JSON-able dict."""
    names = [c.name for c in suite.cases]
    if suite.baseline not in names:
        raise ValueError(f"baseline {suite.baseline!r} is not among the cases {names}")
    per_call, loops = sample_all(suite, samples, target_ns)
    base = statistics.median(per_call[suite.baseline])
    ratio_key = f"ratio_to_{suite.baseline}"
    results = []
    for c in suite.cases:
        stats = summarize(per_call[c.name])
        results.append({
            "case": c.name, "label": c.label, "statement": c.statement,
            "loops_per_sample": loops[c.name], **stats,
            ratio_key: stats["median_ns"] / base,
            "samples_ns": per_call[c.name],
        })
    report: dict[str, Any] = {
        "benchmark": suite.name,
        "quick": quick,
        "samples": samples,
        "target_sample_ms": target_ns / 1e6,
        "baseline": suite.baseline,
        "notes": suite.notes,
        **suite.extra,
        "machine": machine(),
        "results": results,
    }
    if suite.memory:
        peaks = {m.name: peak_memory(m.call) for m in suite.memory}
        base_mem = peaks.get(suite.baseline)
        report["memory"] = [
            {"case": m.name, "label": m.label, "peak_bytes": peaks[m.name],
             ratio_key: peaks[m.name] / base_mem if base_mem else None}
            for m in suite.memory]
    if suite.source is not None:
        report["generated_source"] = suite.source
    return report


# ---------------------------------------------------------------------------- reporting


def machine() -> dict[str, Any]:
    try:
        nproc = len(os.sched_getaffinity(0))  # what `nproc` prints
    except AttributeError:
        nproc = os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import autodiff_compiler
        version = getattr(autodiff_compiler, "__version__", "?")
    except ImportError:
        version = None
    return {"nproc": nproc, "cpu": cpu, "python": platform.python_version(),
            "python_implementation": platform.python_implementation(),
            "numpy": np.__version__, "autodiff_compiler": version,
            "compiler_commit": compiler_commit(),
            "load_average": _load_average(),
            "blas": blas(), "blas_threads_env": {
                k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                           "MKL_NUM_THREADS") if k in os.environ},
            "platform": platform.platform()}


def compiler_commit() -> str | None:
    """The commit of the checkout that ``autodiff_compiler`` is imported from, with
    "+modified" if its autodiff_compiler/ has uncommitted changes: the generated code,
    and so every figure, belongs to the compiler's state."""
    spec = importlib.util.find_spec("autodiff_compiler")
    if spec is None or spec.origin is None:
        return None
    root = Path(spec.origin).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                                capture_output=True, text=True, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "autodiff_compiler"],
                                 cwd=root, capture_output=True, text=True,
                                 timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not commit:
        return None
    return commit + ("+modified" if changed else "")


def _load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: on a small machine, other processes' load is
    what most often spoils a run (multithreaded BLAS suffers first)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def blas() -> str | None:
    """The BLAS NumPy calls for ``@`` (matters for matmul-bound workloads)."""
    try:
        config = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        return f"{info.get('name')} {info.get('version', '')}".strip()
    except Exception:  # older NumPy, or a layout this does not know
        return None


def fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def fmt_bytes(n: float) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.2f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KiB"
    return f"{n:.0f} B"


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    settings = (f"{report['samples']} interleaved samples per case, "
                f"~{report['target_sample_ms']:g} ms each")
    if any(r["statement"] is None for r in report["results"]):
        settings += " (compile: one first call per sample)"
    settings = "; ".join([settings, *report["notes"]])
    base = report["baseline"]
    ratio_key = f"ratio_to_{base}"
    lines = [
        f"machine: nproc={m['nproc']}, CPU {m['cpu']}, {m['python_implementation']} "
        f"{m['python']}, NumPy {m['numpy']}"
        + (f", load average {m['load_average'][0]:g}" if m.get("load_average") else "")
        + (f", compiler at {m['compiler_commit']}" if m.get("compiler_commit") else ""),
        settings,
        "",
        f"{'case':<40} {'median':>10} {'p25 .. p75':>21} {'vs ' + base:>9}",
    ]
    separate = report.get("peers_process")
    for i, r in enumerate(report["results"]):
        if separate and r.get("process") and not report["results"][i - 1].get("process"):
            versions = ", ".join(f"{k} {v}" for k, v in separate["peers"].items())
            lines += ["", f"peers, in their own process, where {base} took "
                          f"{fmt_ns(separate['baseline_median_ns'])}: {versions}"]
        spread = f"{fmt_ns(r['p25_ns'])} .. {fmt_ns(r['p75_ns'])}"
        lines.append(f"{r['label']:<40} {fmt_ns(r['median_ns']):>10} {spread:>21} "
                     f"{r[ratio_key]:>8.2f}x")
    if report.get("memory"):
        lines += ["", f"{'peak memory of one call (tracemalloc)':<40} {'peak':>10} "
                      f"{'vs ' + base:>9}"]
        for r in report["memory"]:
            ratio = "" if r[ratio_key] is None else f"{r[ratio_key]:.2f}x"
            lines.append(f"{r['label']:<40} {fmt_bytes(r['peak_bytes']):>10} {ratio:>9}")
    return "\n".join(lines)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true",
                   help="seconds-long smoke run: few short samples, same checks")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--samples", type=int, help="samples per case (default 25; quick 5)")
    p.add_argument("--target-ms", type=float,
                   help="time per sample in ms (default 20; quick 2)")
    p.add_argument("--source", action="store_true", help="print the generated code")
    p.add_argument("--no-peers", action="store_true",
                   help="leave out autograd, JAX and PyTorch even where installed")
    p.add_argument("--peers-only", action="store_true",
                   help="time only the baseline and the peers (what the separate process "
                        "for the peers runs)")
    return p


def peers_part(suite: Suite) -> Suite:
    """The suite cut down to its baseline and its peer cases, for the peers' process."""
    suite.cases = [c for c in suite.cases if c.name == suite.baseline or c.name in PEER_CASES]
    suite.memory = []
    return suite


def run_peers(script: str | None, opts: argparse.Namespace, samples: int,
              target_ms: float) -> dict[str, Any]:
    """Run ``script --peers-only`` in a fresh interpreter; its report. The peers'
    process times the baseline again, and their ratios are to that."""
    if script is None:
        raise BenchmarkError("cannot time the peers: the benchmark's source file is unknown")
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as tmp:
        out = Path(tmp) / "peers.json"
        flags = ["--peers-only", "--json", str(out), "--samples", str(samples),
                 "--target-ms", str(target_ms)] + (["--quick"] if opts.quick else [])
        result = subprocess.run([sys.executable, script, *flags], capture_output=True,
                                text=True)
        if result.returncode != 0:
            raise BenchmarkError("the peers' process failed:\n"
                                 + (result.stderr or result.stdout).strip())
        return json.loads(out.read_text())


def merge_peers(report: dict[str, Any], peers: dict[str, Any]) -> None:
    """Add the peers' rows (ratios to the baseline timed in their own process)."""
    base = next(r for r in peers["results"] if r["case"] == report["baseline"])
    rows = [dict(r, process="peers") for r in peers["results"] if r["case"] in PEER_CASES]
    report["results"] += rows
    report["peers_process"] = {
        "baseline_median_ns": base["median_ns"], "baseline_samples_ns": base["samples_ns"],
        "peers": peers.get("peers", {}), "machine": peers["machine"]}


def main(name: str, doc: str | None,
         build: Callable[[contextlib.ExitStack, bool], Suite],
         argv: list[str] | None = None) -> int:
    """Parse the common flags, build (and so check) the suite, time it, print the table,
    and write the JSON if asked."""
    p = parser((doc or name).split("\n\n")[0])
    opts = p.parse_args(argv)
    samples = opts.samples or (5 if opts.quick else 25)
    target_ms = opts.target_ms or (2.0 if opts.quick else 20.0)
    if samples < 2:
        p.error("--samples must be at least 2")
    BenchmarkError.prefix = name
    global use_peers
    use_peers = opts.peers_only
    with contextlib.ExitStack() as stack:
        suite = build(stack, opts.quick)  # runs the correctness checks
        if opts.peers_only:
            suite = peers_part(suite)
        report = run(suite, samples, int(target_ms * 1e6), opts.quick)
    if suite.peers and not opts.peers_only and not opts.no_peers and peers_installed():
        script = inspect.getsourcefile(build)
        merge_peers(report, run_peers(script, opts, samples, target_ms))
    if opts.source and report.get("generated_source"):
        print(report["generated_source"])
    print(table(report))
    if opts.json:
        Path(opts.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {opts.json}")
    sys.stdout.flush()
    return 0
