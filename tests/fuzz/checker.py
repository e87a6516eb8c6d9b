"""Run one program three ways and classify what happened.

The program is written to a real ``.py`` file (the compiler reads source as Python
does) and imported twice: one copy is compiled, the other runs as plain Python to
give values and finite differences. In the plain copy ``ops.stop_gradient`` replays
the values it returned at the unperturbed point, so a difference quotient treats
them as constants, as the gradient does.

Checks: the value against plain Python; the gradient against the
``optimize=False`` pipeline, against code that overwrites every dead array of two or
more elements and against the shape-generic code's; the gradient against
central differences in float64 (in a random direction, trusted only where two step
sizes agree: a kink hit by chance is skipped, not reported); the auxiliary outputs;
and for a share of programs the gradient of ``f_probe`` (a Hessian-vector product,
grad of grad) against differences of the compiled gradient; and ``vmap`` of the
function and of its gradient over a batch of nearby arguments (which may take other
paths through the program) against a Python loop over the examples.
"""
from __future__ import annotations

import functools
import importlib.util
import itertools
import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError, IRVerificationError
from autodiff_compiler.opt import buffers
from autodiff_compiler.options import grad_spec
from autodiff_compiler.pipeline import compiler
from autodiff_compiler.pipeline.kinds import abstract

from .program import Program

OK, SKIP, WRONG, INTERNAL, REFUSED, SLOW = "ok", "skip", "WRONG", "INTERNAL", "REFUSED", "SLOW"
# Seconds the first gradient call, which compiles, may take: compiling should take
# as long as the source is (a program of the generator's size takes about one).
COMPILE_BUDGET = 30.0
# What the README lists as unsupported: a refusal for these is a right answer.
ALLOWED_REFUSALS = [r"second derivatives? through", r"copy it first", r"caller's array",
                    r"view of", r"gradient through vmap of values computed example by example"]
_SERIAL = itertools.count()


@dataclass(frozen=True)
class Outcome:
    category: str
    stage: str = ""
    detail: str = ""

    @property
    def signature(self) -> tuple[str, str, str]:
        """What makes two failures the same failure (for shrinking)."""
        first = self.detail.splitlines()[0] if self.detail else ""
        if self.category == INTERNAL:
            first = first.split(":")[0] if ":" in first else first
            first = re.sub(r"internal compiler error: (\w+).*", r"\1", first)
        elif self.category == WRONG:
            first = ""
        return self.category, self.stage, re.sub(r"[\d.]+", "#", first)


class _OverBudgetError(BaseException):
    """The compile budget ran out (a BaseException: nothing on the way catches it)."""


@contextmanager
def _budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where a timer signal can: the main thread)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(*_: Any) -> None:
        raise _OverBudgetError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _FailError(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.detail)
        self.outcome = outcome


class _Replay:
    """``ops`` for the plain copy: ``stop_gradient`` records, then replays."""

    def __init__(self) -> None:
        self.recorded: list[Any] = []
        self.replaying = False
        self.next = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(adc.ops, name)

    def stop_gradient(self, x: Any) -> Any:
        if not self.replaying:
            self.recorded.append(np.copy(x))
            return x
        value = self.recorded[self.next] if self.next < len(self.recorded) else x
        self.next += 1
        return value


def check(program: Program, workdir: str) -> Outcome:
    """The outcome of every check on ``program`` (the first failure found)."""
    path = os.path.join(workdir, f"fuzz_{program.seed}_{next(_SERIAL)}.py")
    with open(path, "w") as file:
        file.write(program.source())
    try:
        compiled, plain = _load(path, "c"), _load(path, "p")
        plain.grad_f = compiled.grad_f
        _run_checks(program, compiled, plain)
    except _FailError as failure:
        return _unless_a_holder_is_blamed(failure.outcome)
    except Exception as err:  # the generator wrote something Python rejects
        return Outcome(SKIP, "load", f"{type(err).__name__}: {err}")
    finally:
        os.unlink(path)
    return Outcome(OK)


def _unless_a_holder_is_blamed(outcome: Outcome) -> Outcome:
    """An aliasing refusal naming a dict or list the generator made to hold one array
    (``box4 = {"k": ...}``, written by index through it), or an accumulator nothing
    else holds (``lone7``), is no refusal the program earns: nothing else holds that
    array."""
    if outcome.category == SKIP and re.search(r"'(box|lone)\d+' shares memory",
                                              outcome.detail):
        return Outcome(REFUSED, outcome.stage, outcome.detail)
    return outcome


def _load(path: str, tag: str) -> Any:
    name = f"_fuzz_{tag}_{os.path.basename(path)[:-3]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copy(args: tuple) -> tuple:
    return tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)


def _nudged(args: tuple) -> tuple:
    """The float arguments moved by a few ulp: where the value moves by more than the
    tolerance, rounding decides it, and no two correct programs need agree."""
    return tuple(a * (1 + 4 * np.finfo(a.dtype).eps) if isinstance(a, np.ndarray)
                 and a.dtype.kind == "f" else a for a in args)


def _wide(args: tuple) -> tuple:
    return tuple(np.asarray(a, np.float64) if isinstance(a, np.ndarray) else a for a in args)


def _plain_value(plain: Any, fn: Any, args: tuple, replay: _Replay, record: bool,
                 invalid: str = "ignore") -> Any:
    replay.replaying, replay.next = not record, 0
    if record:
        replay.recorded = []
    plain.ops = replay
    try:
        with np.errstate(all="ignore", invalid=invalid):
            return fn(*_copy(args))
    except Exception as err:
        raise _FailError(Outcome(SKIP, "plain", f"{type(err).__name__}: {err}")) from None


def _split(program: Program, out: Any) -> tuple[float, Any]:
    return (out[0], out[1]) if program.aux else (out, None)


def _compiled(stage: str, thunk: Any) -> Any:
    """Run ``thunk`` (compiling and calling generated code); classify any exception."""
    try:
        with np.errstate(all="ignore"):
            return thunk()
    except Exception as err:
        raise _failure(stage, err) from None


def _failure(stage: str, err: Exception) -> _FailError:
    """What an exception from compiling or running generated code says of the program."""
    text = str(err)
    if not isinstance(err, AutodiffError):
        return _FailError(Outcome(INTERNAL, stage, f"{type(err).__name__}: {err}"))
    if isinstance(err, IRVerificationError) or "internal compiler error" in text:
        return _FailError(Outcome(INTERNAL, stage, text))
    allowed = any(re.search(p, text) for p in ALLOWED_REFUSALS)
    return _FailError(Outcome(SKIP if allowed else REFUSED, stage, text))


def _run_checks(program: Program, compiled: Any, plain: Any) -> None:
    args, positions, replay = program.args, program.positions, _Replay()
    value, aux = _split(program, _plain_value(plain, plain.f, args, replay, record=True))
    if not np.all(np.isfinite(np.asarray(value, np.float64))) or abs(float(value)) > 1e6:
        raise _FailError(Outcome(SKIP, "plain", "value not finite or too large"))
    f32 = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
    rtol = 2e-3 if f32 else 1e-6
    nudged, _ = _split(program, _plain_value(plain, plain.f, _nudged(args), replay,
                                             record=False))
    if not np.allclose(np.asarray(nudged, np.float64), np.asarray(value, np.float64),
                       rtol=rtol, atol=rtol):  # (sin of 1e23: any rounding decides it)
        raise _FailError(Outcome(SKIP, "plain", "the value changes with the last bits of "
                                                "the arguments"))
    if f32:  # float32's rounding decides it where float64 gives another value (sin of 1e12)
        wide, _ = _split(program, _plain_value(plain, plain.f, _wide(args), replay,
                                               record=False))
        if not np.allclose(np.asarray(wide, np.float64), np.asarray(value, np.float64),
                           rtol=rtol, atol=rtol):
            raise _FailError(Outcome(SKIP, "plain", "float32 rounding decides the value"))
    vg = adc.value_and_grad(compiled.f, grad_position=positions, has_aux=bool(program.aux))
    try:
        with _budget(COMPILE_BUDGET):
            out, grads = _compiled("grad", lambda: vg(*_copy(args)))
    except _OverBudgetError:
        raise _FailError(Outcome(SLOW, "grad", f"compiling and running the gradient took over "
                                               f"{COMPILE_BUDGET:g} s")) from None
    grads = (grads,) if len(positions) == 1 else grads  # one position: a bare gradient
    got_value, got_aux = _split(program, out)
    _expect_close("value", got_value, value, rtol)
    if program.aux:
        _expect_close("aux", got_aux, aux, rtol)
    _check_outputs_are_fresh(vg, args, out, grads)
    if "global_table" in program.features:
        _check_table_is_read_at_each_call(program, compiled, plain, vg, rtol)
    if program.seed % 4 == 0:  # a quarter of programs: the costlier checks spread out
        _check_vjp_of_a_repeated_output(program, compiled, out, grads, rtol)
    def against_differences(stage: str, derivatives: Any, rng: np.random.Generator) -> None:
        _check_directional(stage, lambda a: _split(program, _plain_value(
            plain, plain.f, a, replay, record=False))[0], args, positions, derivatives,
            rng, f32,
            record=lambda a: _plain_value(plain, plain.f, a, replay, record=True),
            strict=lambda a: _plain_value(plain, plain.f, a, replay, record=False,
                                          invalid="raise"),
            held_ties="stop_gradient" in program.features)

    if program.seed % 4 in (1, 3):
        _check_jacobian(adc.jacrev if program.seed % 4 == 1 else adc.jacfwd, program,
                        compiled, grads, rtol, against_differences)
    if program.seed % 4 == 2:
        _check_bound_by_keyword(program, compiled, grads, rtol)
    _check_unoptimised(program, compiled, grads, rtol)
    _check_in_place(program, compiled, grads, rtol)
    _check_shape_generic(program, compiled, grads, rtol)
    for backend in OTHER_BACKENDS:
        _check_backend(backend, program, compiled, out, grads, 1e-5 if f32 else 1e-9)
    rng = np.random.default_rng(program.seed)
    against_differences("grad", grads, rng)
    if program.hessian and "stop_gradient" not in program.features:
        _check_hessian(program, compiled, plain, rng, f32)
    # (a random state the function makes is made once for the whole batch, where a
    # call per example makes one each: vmap draws each example's own numbers only
    # while every example takes the same path, and refuses the draws where they part)
    if "stop_gradient" not in program.features and "draws" not in program.features:
        _check_vmap(program, compiled, plain, replay, rtol)


def _check_outputs_are_fresh(vg: Any, args: tuple, out: Any, grads: Any) -> None:
    """Users may update what a call returned: scribbling on every returned array must
    change neither the arguments of that call (a view of one handed out would) nor the
    next call's results (a constant, an input or another output handed out would)."""
    def arrays(tree: Any) -> list[np.ndarray]:
        if isinstance(tree, tuple | list):
            return [a for item in tree for a in arrays(item)]
        return [tree] if isinstance(tree, np.ndarray) else []

    before = [np.copy(a) for a in arrays((out, grads))]
    passed = _copy(args)
    for a in arrays(_compiled("grad", lambda: vg(*passed))):
        if a.flags.writeable:
            a[...] = 7
    if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(arrays(passed), arrays(args))):
        raise _FailError(Outcome(WRONG, "grad", "updating the results in place changed the "
                                                "arguments (a result is a view of one)"))
    again = arrays(_compiled("grad", lambda: vg(*_copy(args))))
    if len(again) != len(before) or not all(
            np.array_equal(a, b, equal_nan=True) for a, b in zip(again, before)):
        raise _FailError(Outcome(WRONG, "grad", "a second call's results changed when the "
                                                "first call's were updated in place"))


def _check_table_is_read_at_each_call(program: Program, compiled: Any, plain: Any, vg: Any,
                                      rtol: float) -> None:
    """Arrays the function reads from a module-level container, updated in place after
    the gradient has compiled: the next call sees the new values."""
    saved = [np.copy(a) for a in compiled.TABLE]
    for module in (compiled, plain):
        for a in module.TABLE:
            a *= 1.25
    try:
        with np.errstate(all="ignore"):
            want = _split(program, plain.f(*_copy(program.args)))[0]
        got = _split(program, _compiled("grad", lambda: vg(*_copy(program.args)))[0])[0]
        _expect_close("value after TABLE's arrays were updated in place", got, want, rtol,
                      stage="grad")
    finally:
        for module in (compiled, plain):
            for a, old in zip(module.TABLE, saved):
                a[...] = old


VMAP_EXAMPLES = 3
# Each example's arguments as ``a * scale + shift`` (see ``_check_vmap``).
VMAP_NEAR = ((1.0, 1.02, 1.04), (0.0, 0.01, 0.02))
VMAP_FAR = ((1.0, -1.0, 0.5), (0.0, 0.1, 0.4))
# Backends whose gradient is checked against the NumPy backend's on every program
# (``python -m tests.fuzz --backend numba``): the same program, other generated code.
OTHER_BACKENDS: list[str] = []
# What each backend refuses by design (its README says why): skipped, not failures.
BACKEND_REFUSALS = {"dask": r"the dask backend cannot compute this lazily",
                    "array_api": r"the array API backend cannot write this"}


def _check_vmap(program: Program, compiled: Any, plain: Any, replay: _Replay,
                rtol: float) -> None:
    """``vmap(f)`` and ``vmap(grad(f))`` over nearby arguments (each float array moved
    a little per example) against each example run on its own. One program in three
    moves them far (a sign flipped, a scale), so that the examples take different
    branches and stop their loops at different steps: a batched branch must then read
    only the values of the examples taking it."""
    args, positions = program.args, program.positions
    batched = [isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in args]
    if not any(batched):
        return
    scale, shift = (VMAP_FAR if program.seed % 3 == 1 else VMAP_NEAR)
    examples = [tuple(a * scale[k] + shift[k] if b else a for a, b in zip(args, batched))
                for k in range(VMAP_EXAMPLES)]
    stack = tuple(np.stack([e[j] for e in examples]) if b else a
                  for j, (a, b) in enumerate(zip(args, batched)))
    in_axes = tuple(0 if b else None for b in batched)
    outs = [_split(program, _plain_value(plain, plain.f, e, replay, record=True))
            for e in examples]
    if not all(np.all(np.isfinite(np.asarray(v, np.float64))) for v, _ in outs):
        return
    got = _split(program, _compiled("vmap", lambda: adc.vmap(compiled.f, in_axes)(*stack)))
    _expect_close("vmap value", got[0], np.stack([v for v, _ in outs]), rtol, stage="vmap")
    gradient = adc.grad(compiled.f, grad_position=positions, has_aux=bool(program.aux))
    want = [_compiled("vmap", lambda e=e: gradient(*_copy(e))) for e in examples]
    got = _compiled("vmap", lambda: adc.vmap(gradient, in_axes)(*stack))
    if program.aux:
        want, got = [w[0] for w in want], got[0]
    want = [(w,) if len(positions) == 1 else w for w in want]
    got = (got,) if len(positions) == 1 else got
    for k, g in enumerate(got):
        _expect_close(f"vmap gradient {k}", g, np.stack([w[k] for w in want]), rtol,
                      stage="vmap")
    if program.seed % 4 == 2:  # reverse mode through vmap: one example's branch must not
        # reach another's gradient (a NaN the select never picked came back as 0 * nan)
        total = _summed_vmap(compiled.f, in_axes, bool(program.aux))
        through = _compiled("vmap", lambda: adc.grad(total, grad_position=positions)(*stack))
        through = (through,) if len(positions) == 1 else through
        for k, p in enumerate(positions):
            if batched[p]:
                _expect_close(f"grad of the sum of vmap, argument {p}", through[k],
                              np.stack([w[k] for w in want]), rtol, stage="vmap")
        _check_tangent_of_the_gradient_through_vmap(total, stack, examples, gradient,
                                                    positions, batched, bool(program.aux),
                                                    rtol)
        if program.seed % 8 == 2:  # vmap of that gradient: an inner vmap's rows, listed
            # by a loop of the outer (lists of lists of rows, read back as arrays)
            _unless_known(program, lambda: _check_vmap_of_the_gradient_through_vmap(
                total, stack, batched, in_axes, positions, rtol))
    if program.hessian:  # vmap of a second derivative (a checkpoint's calls, batched)
        _unless_known(program, lambda: _check_vmap_of_a_second_derivative(
            program, compiled, examples, stack, in_axes, rtol))


def _unless_known(program: Program, check: Any) -> None:
    """A further check, passed over where it meets a limitation the README lists (the
    checks before it decide the program's outcome)."""
    from .known import classify
    try:
        check()
    except _FailError as failure:
        if classify(program, failure.outcome) is None:
            raise


def _check_vmap_of_the_gradient_through_vmap(total: Any, stack: tuple, batched: list,
                                             in_axes: tuple, positions: tuple,
                                             rtol: float) -> None:
    outer = (stack, tuple(a * 1.01 if b else a for a, b in zip(stack, batched)))
    grad_total = adc.grad(total, grad_position=positions)
    got = _compiled("vmap", lambda: adc.vmap(grad_total, in_axes)(
        *(np.stack([o[j] for o in outer]) if b else a
          for j, (a, b) in enumerate(zip(stack, batched)))))
    _expect_stacked("vmap of the grad of the sum of vmap", got,
                    [grad_total(*_copy(o)) for o in outer], positions, rtol)


def _check_vmap_of_a_second_derivative(program: Program, compiled: Any, examples: list,
                                       stack: tuple, in_axes: tuple, rtol: float) -> None:
    positions = program.positions
    us = tuple(_like(program.args[i], np.random.default_rng(program.seed)) for i in positions)
    second = adc.grad(compiled.f_probe, grad_position=positions)
    want = [_compiled("vmap", lambda e=e: second(*_copy(e), *us)) for e in examples]
    got = _compiled("vmap", lambda: adc.vmap(second, (*in_axes, *(None,) * len(us)))(
        *stack, *us))
    _expect_stacked("vmap of the gradient of <grad f, u>", got, want, positions, rtol)


def _expect_stacked(what: str, got: Any, want: list, positions: tuple, rtol: float) -> None:
    """vmap's gradient against each example's, stacked (one array per position)."""
    got = (got,) if len(positions) == 1 else got
    want = [(w,) if len(positions) == 1 else w for w in want]
    for k, g in enumerate(got):
        _expect_close(f"{what} {k}", g, np.stack([w[k] for w in want]), rtol, stage="vmap")


def _check_tangent_of_the_gradient_through_vmap(total: Any, stack: tuple, examples: list,
                                                gradient: Any, positions: tuple,
                                                batched: list, aux: bool,
                                                rtol: float) -> None:
    """The tangent of ``grad(sum(vmap(f)))`` along a direction against each example's
    tangent of its own gradient (fuzz seed 700042's kind: the rows vmap keeps per
    example, read back by the adjoint, lost their tangents)."""
    rng = np.random.default_rng(len(examples))
    direction = tuple(rng.standard_normal(np.shape(a)).astype(a.dtype) if b else None
                      for a, b in zip(stack, batched))
    through = adc.grad(total, grad_position=positions)
    _, got = _compiled("vmap", lambda: adc.jvp(through, _copy(stack), direction))
    got = (got,) if len(positions) == 1 else got
    want = []
    for k, e in enumerate(examples):
        per_example = tuple(d[k] if d is not None else None for d in direction)
        _, t = _compiled("vmap", lambda e=e, d=per_example: adc.jvp(gradient, _copy(e), d))
        t = t[0] if aux else t
        want.append((t,) if len(positions) == 1 else t)
    for k, p in enumerate(positions):
        if batched[p]:
            _expect_close(f"tangent of the grad of the sum of vmap, argument {p}", got[k],
                          np.stack([w[k] for w in want]), rtol, stage="vmap")


def _summed_vmap(f: Any, in_axes: tuple, aux: bool) -> Any:
    """The sum over examples of ``vmap(f)``'s value: its gradient with respect to a
    batched argument is each example's gradient, stacked."""
    mapped = adc.vmap(f, in_axes)

    def total(*args):
        out = mapped(*args)
        return np.sum(out[0] if aux else out)

    return total


def _array_library(backend: str) -> tuple[Any, Any]:
    """How the arguments become ``backend``'s arrays, and its results NumPy's again."""
    if backend == "dask":
        import dask.array as da
        return (lambda a: da.from_array(a, chunks=1) if isinstance(a, np.ndarray) else a,
                lambda r: np.asarray(r.compute() if hasattr(r, "compute") else r))
    if backend == "array_api":
        import array_api_strict as xps
        return (lambda a: xps.asarray(a) if isinstance(a, np.ndarray) else a,
                lambda r: np.asarray(r) if isinstance(r, float | int) else np.from_dlpack(r))
    return (lambda a: a), (lambda r: r)


def _check_backend(backend: str, program: Program, compiled: Any, out: Any, grads: Any,
                   rtol: float) -> None:
    """The value and gradient ``backend`` generates, against the NumPy backend's (a
    few ulp apart: the same maths, written differently), on that backend's arrays.
    What a backend refuses for a reason its README gives (dask: what cannot stay
    lazy) is that backend's check passed over; the others', and the checks after,
    still run (dask's refusals once skipped the array API backend's check too)."""
    to_backend, to_numpy = _array_library(backend)
    vg = adc.value_and_grad(compiled.f, grad_position=program.positions,
                            has_aux=bool(program.aux), backend=backend)
    args = tuple(map(to_backend, _copy(program.args)))
    try:
        got_out, got = _compiled(backend, lambda: vg(*args))
    except _FailError as failure:
        if failure.outcome.category == REFUSED and backend in BACKEND_REFUSALS and re.search(
                BACKEND_REFUSALS[backend], failure.outcome.detail):
            return
        raise
    got_out = _compiled(backend, lambda: _map_arrays(to_numpy, got_out))
    got = _compiled(backend, lambda: _map_arrays(to_numpy, got))
    got = (got,) if len(program.positions) == 1 else got
    wide = _float64_reference(program, compiled)
    _expect_as_close(f"{backend} value", _split(program, got_out)[0], _split(program, out)[0],
                     rtol, backend, lambda: _split(program, wide()[0])[0])
    for k, (a, b) in enumerate(zip(got, grads)):
        _expect_as_close(f"{backend} gradient {k}", a, b, rtol, backend,
                         lambda k=k: wide()[1][k])


def _float64_reference(program: Program, compiled: Any) -> Any:
    """The NumPy backend's value and gradients on the arguments widened to float64 (a
    thunk, run once if at all): what two float32 results are measured against."""
    done: list = []

    def reference() -> Any:
        if not done:
            vg = adc.value_and_grad(compiled.f, grad_position=program.positions,
                                    has_aux=bool(program.aux))
            out, grads = _compiled("grad", lambda: vg(*_wide(program.args)))
            done.append((out, (grads,) if len(program.positions) == 1 else grads))
        return done[0]
    return reference


def _expect_as_close(what: str, got: Any, want: Any, rtol: float, stage: str,
                     wide: Any) -> None:
    """``got`` (another backend's) close to ``want`` (the NumPy backend's); where they
    part in float32, ``got`` as close to the float64 result as ``want`` is: an
    ill-conditioned program (a sum of terms 1e4 times its size) amplifies each
    backend's rounding alike, and no two correct orders of the same sums need agree
    (fuzz seed 1010314: both 1e-5 from float64, on either side)."""
    try:
        _expect_close(what, got, want, rtol, stage=stage)
    except _FailError:
        if np.asarray(want).dtype != np.float32 or np.shape(got) != np.shape(want):
            raise
        exact = np.asarray(wide(), np.float64)
        off = [float(np.nanmax(np.abs(np.asarray(v, np.float64) - exact), initial=0.0))
               for v in (got, want)]
        if not off[0] <= 4.0 * off[1]:
            raise


def _map_arrays(fn: Any, tree: Any) -> Any:
    if isinstance(tree, tuple | list):
        return type(tree)(_map_arrays(fn, t) for t in tree)
    return fn(tree)


def _value_twice(f: Any, *args: Any) -> Any:
    value = f(*args)
    return value, value


def _loss_twice(f: Any, *args: Any) -> Any:
    loss, _ = f(*args)
    return loss, loss


def _check_vjp_of_a_repeated_output(program: Program, compiled: Any, out: Any, grads: Any,
                                    rtol: float) -> None:
    """``vjp`` of the function returning its value twice: cotangents 1 and 2 there give
    three times the gradient (one value at two outputs gets both cotangents: autograd's
    test_make_list, an internal error once)."""
    twice = functools.partial(_loss_twice if program.aux else _value_twice, compiled.f)
    value = np.asarray(_split(program, out)[0])
    cotangents = (np.ones_like(value), 2.0 * np.ones_like(value))
    if value.ndim == 0:
        cotangents = tuple(c[()] for c in cotangents)
    got = _compiled("vjp", lambda: adc.vjp(twice, *_copy(program.args))[1](cotangents))
    floats = [i for i, a in enumerate(program.args)
              if isinstance(a, float) or (isinstance(a, np.ndarray) and a.dtype.kind == "f")]
    for k, p in enumerate(program.positions):
        _expect_close(f"vjp of the value returned twice, argument {p}",
                      got[floats.index(p)], 3.0 * np.asarray(grads[k]), rtol, stage="vjp")


def _check_jacobian(transform: Any, program: Program, compiled: Any, grads: Any,
                    rtol: float, against_differences: Any) -> None:
    """``jacrev``/``jacfwd`` of the scalar loss is its gradient. A Jacobian needs every
    shape known when compiling, where a gradient does not: a loop whose carried value
    changed shape in its first iteration (``acc = 0.0``, then arrays) made it refuse.
    ``jacfwd`` batches the tangent program over the basis, so a region batched as a loop
    over it (a recursion, a branch whose arms differ in shape) is exercised here."""
    stage = transform.__name__
    try:
        with np.errstate(all="ignore"):
            jac = transform(compiled.f, grad_position=program.positions,
                            has_aux=bool(program.aux))(*_copy(program.args))
    except Exception as err:
        if "known only when the code runs" in str(err):  # a shape the data decides
            return
        raise _failure(stage, err) from None
    jac = jac[0] if program.aux else jac
    jac = (jac,) if len(program.positions) == 1 else jac
    if not all(np.all(np.isfinite(g)) for g in grads) and \
            all(np.all(np.isfinite(j)) for j in jac):
        # A NaN made inside (the mean of no entries) and then dropped by a selection:
        # forward mode drops its NaN tangent with it, reverse mode multiplies the zero
        # cotangent of what was dropped by NaN partials (0 * NaN, as JAX does; seed
        # 101035). A finite Jacobian there is checked against differences instead.
        against_differences(stage, jac, np.random.default_rng(program.seed))
        return
    for k, p in enumerate(program.positions):
        _expect_close(f"{stage}, argument {p}", jac[k], grads[k], rtol, stage=stage)


def _check_bound_by_keyword(program: Program, compiled: Any, grads: Any, rtol: float) -> None:
    """The program handed over as ``partial(gathering, last=...)``, where ``gathering``
    takes the last argument in ``**options``: no parameter of the partial names that
    keyword, so it reaches the call from the partial, not as an argument (it was
    dropped)."""
    last = len(program.args) - 1
    if last < 1 or last in program.positions:
        return
    f = compiled.f

    def gathering(*args: Any, **options: Any) -> Any:
        return f(*args, options["last"])

    bound = functools.partial(gathering, last=_copy(program.args)[last])
    vg = adc.value_and_grad(bound, grad_position=program.positions, has_aux=bool(program.aux))
    _, got = _compiled("partial", lambda: vg(*_copy(program.args[:last])))
    got = (got,) if len(program.positions) == 1 else got
    for k, (a, b) in enumerate(zip(got, grads)):
        _expect_close(f"through a partial's gathered keyword, gradient {k}", a, b, rtol,
                      stage="partial")


def _check_unoptimised(program: Program, compiled: Any, grads: Any, rtol: float) -> None:
    spec = grad_spec(program.positions, None, bool(program.aux), False, with_value=True)
    args = program.args
    c = _compiled("unoptimised", lambda: compiler.compile_gradient(
        compiled.f, spec, [abstract(a) for a in args], optimize=False))
    _, plain_grads = _compiled("unoptimised", lambda: c.finish(c.run(_copy(args))))
    plain_grads = (plain_grads,) if len(program.positions) == 1 else plain_grads
    for k, (a, b) in enumerate(zip(grads, plain_grads)):
        _expect_close(f"optimised vs unoptimised, gradient {k}", a, b, rtol, stage="optimize")


def _check_in_place(program: Program, compiled: Any, grads: Any, rtol: float) -> None:
    """The gradient compiled as if every array of two or more elements were large
    (``buffers.LARGE``), so that results overwrite dying operands and dead temporaries
    wherever code generation finds them safe, and the schedule reorders for it:
    against the gradient as compiled for these small arrays, and the arguments
    unchanged. (A 0-d value is left alone: a ufunc makes it a NumPy scalar.)"""
    spec = grad_spec(program.positions, None, bool(program.aux), False, with_value=True)
    large = buffers.LARGE
    buffers.LARGE = 2
    try:
        c = _compiled("in place", lambda: compiler.compile_gradient(
            compiled.f, spec, [abstract(a) for a in program.args]))
    finally:
        buffers.LARGE = large
    passed = _copy(program.args)
    _, in_place_grads = _compiled("in place", lambda: c.finish(c.run(passed)))
    if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(passed, program.args)
               if isinstance(a, np.ndarray)):
        raise _FailError(Outcome(WRONG, "in place", "the gradient wrote into an argument"))
    in_place_grads = (in_place_grads,) if len(program.positions) == 1 else in_place_grads
    for k, (a, b) in enumerate(zip(in_place_grads, grads)):
        _expect_close(f"in place vs fresh arrays, gradient {k}", a, b, rtol, stage="in place")


def _check_shape_generic(program: Program, compiled: Any, grads: Any, rtol: float) -> None:
    """The shape-generic code's gradient (what ``gradient_source`` prints, and
    ``specialize=False``) against the specialised code's. What needs a shape when
    compiling is refused there by design: that check is skipped, not failed."""
    spec = grad_spec(program.positions, None, bool(program.aux), False, with_value=True)
    try:
        c = _compiled("generic", lambda: compiler.compile_gradient(
            compiled.f, spec, [abstract(a, specialize=False) for a in program.args]))
    except _FailError as failure:
        if failure.outcome.category in (REFUSED, SKIP):
            return
        raise
    _, generic_grads = _compiled("generic", lambda: c.finish(c.run(_copy(program.args))))
    generic_grads = (generic_grads,) if len(program.positions) == 1 else generic_grads
    # cumprod's derivative in shape-generic code divides by its operand (the README's
    # rules): NaN at a zero entry, where the specialised code's is exact. And a NaN made
    # inside and dropped gives reverse mode NaN there (0 * NaN, as JAX's: the README):
    # the specialised code may have left out the dead work that carries it (a loop the
    # shape-generic code keeps, seed 160103); its finite gradient was checked already.
    nan_allowed = "np.cumprod(" in program.source() or \
        _makes_nan(lambda a: compiled.f(*_copy(a)), program.args)
    for k, (a, b) in enumerate(zip(generic_grads, grads)):
        if nan_allowed:
            a = np.where(np.isnan(a) & ~np.isnan(b), b, a)
        _expect_close(f"shape-generic vs specialised, gradient {k}", a, b, rtol,
                      stage="generic")


def _expect_close(what: str, got: Any, want: Any, rtol: float, stage: str = "value") -> None:
    got64, want64 = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = 1.0 + float(np.nanmax(np.abs(want64), initial=0.0))
    if got64.shape != want64.shape or not np.allclose(got64, want64, rtol=rtol,
                                                      atol=rtol * scale, equal_nan=True):
        raise _FailError(Outcome(WRONG, stage, f"{what}: got {got!r}, want {want!r}"))


def _check_directional(stage: str, fn: Any, args: tuple, positions: tuple, grads: Any,
                       rng: np.random.Generator, f32: bool, record: Any,
                       strict: Any = None, held_ties: bool = False) -> None:
    """``<grads, u>`` against central differences of ``fn`` along ``u`` (float64);
    ``strict`` is ``fn`` with invalid operations raising (see ``_makes_nan``);
    ``held_ties``: ``fn`` holds values constant (``stop_gradient``), so it may tie one
    with itself at many entries at once (see the kink below)."""
    wide = _wide(args)
    record(wide)
    dirs = {i: rng.standard_normal(np.shape(args[i])) for i in positions}
    analytic = sum(float(np.sum(np.asarray(g, np.float64) * dirs[i]))
                   for g, i in zip(grads, positions))
    terms = sum(float(np.sum(np.abs(np.asarray(g, np.float64) * dirs[i])))
                for g, i in zip(grads, positions))

    def along(h: float) -> float:
        moved = list(wide)
        for i in positions:
            moved[i] = wide[i] + h * dirs[i]
            if isinstance(args[i], float):
                moved[i] = float(moved[i])
        return float(fn(tuple(moved)))

    def quotient(h: float) -> float:
        return (along(h) - along(-h)) / (2 * h)

    def one_sided(h: float) -> tuple[float, float]:
        """The forward and the backward quotient: their gap is ``h f''`` where smooth,
        a constant at a kink."""
        middle = along(0.0)
        return (along(h) - middle) / h, (middle - along(-h)) / h

    fine, coarse = quotient(1e-5), quotient(4e-5)
    # Whether differences can be trusted is for them alone to say: a scale taken from
    # the compiled gradient would let a huge one (right or wrong) pass any pair.
    if not (np.isfinite(fine) and abs(fine - coarse) <= 1e-5 * (1.0 + abs(fine) + abs(coarse))):
        raise _FailError(Outcome(SKIP, stage, "not smooth here: difference quotients disagree"))
    scale = 1.0 + abs(fine) + terms
    if not np.isfinite(analytic) or abs(analytic - fine) > (3e-3 if f32 else 1e-5) * scale:
        # A kink met exactly (``maximum(stop_gradient(a), a)`` ties by construction) has
        # one-sided slopes that disagree by the same amount at every step, so the central
        # quotients agree with each other yet give their mean, which no tie convention
        # need match: a convention's derivative (a tie's 1/2 to each side, 0 for |x| at
        # 0) lies between the one-sided slopes, and only there is it excused (seed
        # 100577: a gap of 1.5e-3 and the derivative 4.3e-4 from the mean). Smooth, the
        # gap shrinks with the step. Where a held value ties with the value it was taken
        # from at several entries (np.max([stop_gradient(a), a]) in a loop, seed
        # 200290), each tie's 1/2 is weighed by what follows it, with either sign, and
        # the sum need not lie between the one-sided slopes: a kink is all there is to
        # tell there.
        # A one-sided quotient is off by ``h f'' / 2``: extrapolated from steps h and 4h
        # it is not (seed 350590: f'' of 27 put the backward slope 2.7e-4 from the
        # derivative at h = 1e-5, outside the bound).
        (forward, backward), coarse_sides = one_sided(1e-5), one_sided(4e-5)
        gap_fine, gap_coarse = forward - backward, np.subtract(*coarse_sides)
        forward, backward = (fine_side - (coarse_side - fine_side) / 3 for fine_side, coarse_side
                             in zip((forward, backward), coarse_sides))
        between = min(forward, backward) - 1e-5 * scale <= analytic \
            <= max(forward, backward) + 1e-5 * scale
        if abs(gap_fine) > 1e-6 * scale and abs(gap_coarse) < 2.0 * abs(gap_fine) and \
                (between or held_ties):
            raise _FailError(Outcome(SKIP, stage, "at a kink: one-sided slopes differ"))
        # Intermediate values near overflow (a loop that grows to 1e128) make a
        # derivative that cancels exactly in exact arithmetic come out as rounding times
        # their square (seed 77514): beyond 1e100 neither side can be trusted.
        if not np.isfinite(analytic) and strict is not None and _makes_nan(strict, wide):
            raise _FailError(Outcome(SKIP, stage, "a NaN inside (an invalid operation at "
                                                  "these values): no derivative there"))
        if np.isfinite(analytic) and abs(analytic) > 1e100:
            raise _FailError(Outcome(SKIP, stage, "derivative beyond 1e100: rounding of "
                                                  "near-overflow intermediates decides it"))
        # Flat in floating point (logit(expit(31)): expit is 1 - 3e-14, which a step of
        # 1e-5 does not move, seed 78658) while the maths is not: longer steps see the
        # slope the compiled derivative gives, and the short ones do not. A derivative
        # that is wrong where the function is truly flat stays WRONG: no step sees it.
        long_step, longer_step = quotient(5e-3), quotient(1e-2)
        tolerance = 0.05 * abs(longer_step)
        if abs(long_step - longer_step) <= tolerance and \
                abs(analytic - longer_step) <= tolerance < abs(fine - longer_step):
            raise _FailError(Outcome(SKIP, stage, "flat in floating point at small steps, "
                                                  "the slope seen at longer ones"))
        raise _FailError(Outcome(WRONG, stage, f"directional derivative: compiled {analytic!r}, "
                                             f"finite differences {fine!r}"))


def _makes_nan(run: Any, args: Any) -> bool:
    """Whether the program makes a NaN of numbers that were not (``0 / 0``, the mean of
    no entries, ``sqrt(-1)``) at ``args``, even where its value filters it out: the
    derivative through it is NaN, as it is in NumPy's arithmetic; differences see none.
    ``run(args)`` runs the program; here invalid operations raise, also inside the
    program's own ``np.errstate(all='ignore')`` (seed 471089: ``nan_to_num(sqrt(x))``
    there made a NaN the check did not see)."""
    try:
        with np.errstate(invalid="raise"), _invalid_always_raises():
            run(tuple(args))
    except FloatingPointError:
        return True
    except _FailError as failure:  # (``_plain_value``'s report of it)
        return "FloatingPointError" in failure.outcome.detail
    except Exception:  # (anything else the program raises: no NaN seen)
        return False
    return False


@contextmanager
def _invalid_always_raises() -> Iterator[None]:
    """``np.errstate`` made unable to quiet invalid operations while the block runs."""
    errstate = np.errstate

    def strict_errstate(**settings: Any) -> Any:
        return errstate(**{**settings, "invalid": "raise"})

    np.errstate = strict_errstate
    try:
        yield
    finally:
        np.errstate = errstate


def _check_hessian(program: Program, compiled: Any, plain: Any, rng: np.random.Generator,
                   f32: bool) -> None:
    """The gradient of ``f_probe`` (second derivatives) against differences of the
    gradient; in float64, that of ``f_probe2`` (third derivatives) against differences
    of the second (not again where another backend is what is checked: the same seeds
    run on NumPy's)."""
    args, positions = program.args, program.positions
    us = tuple(_like(args[i], rng) for i in positions)
    # A NaN the program makes and filters out is a NaN partial times a zero cotangent in
    # every order of derivative, not in the first alone: where the first's adjoint of
    # ``sqrt`` ran inside a branch not taken, the second's runs after it (seed 350509).
    def strict(full: tuple) -> Any:  # (no stop_gradient here: nothing to replay)
        return _plain_value(plain, plain.f, full[:len(args)], _Replay(), record=True,
                            invalid="raise")

    _check_higher("hessian", "f_probe", (*args, *us), program, compiled, plain, rng, f32,
                  strict)
    if not f32 and not OTHER_BACKENDS:
        vs = tuple(_like(args[i], rng) for i in positions)
        _check_higher("third", "f_probe2", (*args, *us, *vs), program, compiled, plain, rng,
                      f32, strict)


def _check_higher(stage: str, probe: str, full: tuple, program: Program, compiled: Any,
                  plain: Any, rng: np.random.Generator, f32: bool, strict: Any) -> None:
    positions = program.positions
    gradient = adc.grad(getattr(compiled, probe), grad_position=positions)
    grads = _compiled(stage, lambda: gradient(*_copy(full)))
    grads = (grads,) if len(positions) == 1 else grads
    _check_directional(stage, lambda a: _compiled(f"{stage}-fd",
                                                  lambda: getattr(plain, probe)(*a)),
                       full, positions, grads, rng, f32, record=lambda a: None, strict=strict)
    if stage == "hessian":
        _check_forward_over_reverse(program, compiled, full[len(program.args):], grads,
                                    1e-4 if f32 else 1e-7)
        _check_forward_over_forward(program, compiled, full[len(program.args):], grads,
                                    1e-4 if f32 else 1e-7)


def _check_forward_over_reverse(program: Program, compiled: Any, us: tuple, hvp: tuple,
                                rtol: float) -> None:
    """The tangent of the gradient along ``us`` (forward over reverse) against the
    gradient of ``<grad f, u>`` (reverse over reverse): both are the Hessian times ``u``.
    Lists a gradient keeps (a loop's tape, vmap's rows) once lost their tangents, and
    the product came out zero."""
    args, positions = program.args, program.positions
    moving = dict(zip(positions, us))
    tangents = tuple(moving.get(i) for i in range(len(args)))
    _, tangent = _compiled("forward-over-reverse",
                           lambda: adc.jvp(compiled.grad_f, _copy(args), tangents))
    tangent = tangent[0] if program.aux else tangent
    tangent = (tangent,) if len(positions) == 1 else tangent
    for k, (got, want) in enumerate(zip(tangent, hvp)):
        _expect_close(f"forward-over-reverse Hessian product {k}", got, want, rtol,
                      stage="forward-over-reverse")


def _check_forward_over_forward(program: Program, compiled: Any, us: tuple, hvp: tuple,
                                rtol: float) -> None:
    """The second derivative along ``us`` by ``jet`` (forward mode in ``t`` of forward
    mode) against ``<H u, u>`` from reverse over reverse: ``u^T H u`` both."""
    args, positions = program.args, program.positions
    moving = [args[i] for i in positions]

    def along(*moved: Any) -> Any:
        full = list(args)
        for i, m in zip(positions, moved):
            full[i] = m
        return compiled.f(*full)

    series = tuple(np.stack([np.asarray(u), np.zeros_like(np.asarray(u))]) for u in us)
    _, out_series = _compiled("forward-over-forward", lambda: adc.jet(
        along, tuple(_copy(tuple(moving))), series))
    got = out_series[0] if program.aux else out_series
    want = sum(float(np.sum(np.asarray(h, np.float64) * np.asarray(u, np.float64)))
               for h, u in zip(hvp, us))
    _expect_close("jet's second order along u", np.asarray(got)[1], want, rtol,
                  stage="forward-over-forward")


def _like(a: Any, rng: np.random.Generator) -> Any:
    if isinstance(a, float):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(a)).astype(a.dtype)
