"""The differential fuzzer in CI: a few hundred random programs, none wrong or crashing.

``python -m tests.fuzz --programs 10000 --seed 0`` runs the full campaign; here a
fixed range of seeds runs on every test run. A failure prints its program, shrunk,
with the command that reproduces it. Refusals of what the README lists as unsupported
are recognised by ``fuzz.known`` and counted apart; any other refusal fails this test.
"""
import numpy as np
import pytest
from fuzz import checker, generate, known, run
from fuzz.checker import OK, SKIP, SLOW, WRONG, Outcome, check

from autodiff_compiler import api
from autodiff_compiler.ir import primitives as P

# A sample that guards against regressions: the campaigns (``python -m tests.fuzz``) run
# thousands of programs. CI must stay under 15 minutes on two cores, where a program
# takes about 0.7 s (and a dask or numba one several times that).
CI_PROGRAMS = 120
# Under NumPy 1.x (CI's second run, which MindSpore installs) fewer: what differs there
# is how NumPy promotes and names things, which the first fifty programs meet as well.
PROGRAMS = CI_PROGRAMS if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else 50


# Seeds run in chunks, one test each: pytest-xdist spreads them over the workers (one
# test of all the programs was minutes on one worker at the end of the run).
CHUNK = 50


def _chunks(first: int, count: int, size: int = CHUNK) -> list[range]:
    return [range(start, min(start + size, first + count))
            for start in range(first, first + count, size)]


@pytest.mark.parametrize("seeds", _chunks(0, PROGRAMS), ids=str)
def test_fuzzed_programs_are_never_wrong_and_never_crash(seeds):
    summary = run(seeds)
    reports = "\n".join(f.report() for f in summary.unexpected)
    assert not summary.unexpected, f"{summary.line()}\n{reports}"
    assert summary.counts[OK] >= len(seeds) * 0.6, summary.line()


NUMBA_PROGRAMS = 8  # each compiles its kernels: a few seconds a program


@pytest.mark.once
@pytest.mark.parametrize("seeds", _chunks(CI_PROGRAMS, NUMBA_PROGRAMS, 4), ids=str)
def test_fuzzed_programs_get_the_same_gradient_from_the_numba_backend(seeds, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setattr(checker, "OTHER_BACKENDS", ["numba"])
    summary = run(seeds)
    reports = "\n".join(f.report() for f in summary.unexpected)
    assert not summary.unexpected, f"{summary.line()}\n{reports}"


OTHER_ARRAYS = {"array_api": ("array_api_strict", 30), "dask": ("dask.array", 40)}


@pytest.mark.once
@pytest.mark.parametrize("backend, seeds", [(backend, seeds)
                                            for backend, (_, count) in OTHER_ARRAYS.items()
                                            for seeds in _chunks(0, count)], ids=str)
def test_fuzzed_programs_get_the_same_gradient_on_other_libraries_arrays(backend, seeds,
                                                                        monkeypatch):
    """The array API backend on array-api-strict arrays, the dask backend on dask arrays
    of one-element chunks: what each refuses by design is skipped, nothing else."""
    pytest.importorskip(OTHER_ARRAYS[backend][0])
    monkeypatch.setattr(checker, "OTHER_BACKENDS", [backend])
    summary = run(seeds)
    reports = "\n".join(f.report() for f in summary.unexpected)
    assert not summary.unexpected, f"{summary.line()}\n{reports}"


def test_program_is_reproduced_from_its_seed():
    a, b = generate(17), generate(17)
    assert a.source() == b.source()
    for x, y in zip(a.args, b.args):
        np.testing.assert_array_equal(x, y)
    assert generate(18).source() != a.source()


def test_checker_reports_a_wrong_gradient(tmp_path, monkeypatch):
    """A derivative rule broken on purpose is reported WRONG, and not as a known cause,
    by programs whose gradient goes through it (one whose sin is only tested or
    clipped away is right either way)."""
    wrong = Outcome(WRONG, "grad")
    candidates = [p for p in map(generate, range(200))
                  if "np.sin(" in p.function_source() and not known.classify(p, wrong)][:8]
    candidates = [p for p in candidates if check(p, str(tmp_path)).category == OK]
    monkeypatch.setattr(P.sin, "vjp", (lambda g, ans, x: g * P.cos(x) * 2.0,))
    monkeypatch.setattr(api, "_CACHE", {})
    monkeypatch.setattr(api, "_ENTRIES", {})
    outcomes = [check(p, str(tmp_path)).category for p in candidates]
    assert WRONG in outcomes and set(outcomes) <= {OK, WRONG}, outcomes


def test_checker_reports_a_compile_over_its_budget(tmp_path, monkeypatch):
    """Compiling that takes minutes (a break doubled the code after it, seed 12676) is
    a failure, reported when the budget runs out rather than waited for."""
    monkeypatch.setattr(checker, "COMPILE_BUDGET", 1e-3)
    monkeypatch.setattr(api, "_CACHE", {})
    monkeypatch.setattr(api, "_ENTRIES", {})
    outcome = check(generate(17), str(tmp_path))
    assert outcome.category == SLOW and "took over" in outcome.detail, outcome




def _chained_kink(args: tuple) -> float:
    """Seed 51062 in small: ``b = a + max(stop(a), a)``, then ``b + max(stop(b), b)``,
    at a = 1 where both ties are met exactly. One-sided slopes 4 and 1, so central
    differences say 2.5; halving each tie's gradient says 1.5 * 1.5 = 2.25."""
    a = args[0]
    b = a + max(1.0, a)
    return b + max(2.0, b)


def _small_kink(args: tuple) -> float:
    """Seed 100577 in small: a tie whose jump in slope (0.006) is small beside the
    smooth part's slope (54). Through a chain of ties the derivative need not be the
    central differences' mean (``_chained_kink``); 0.0055 of the jump is 0.0025 from it,
    still between the one-sided slopes."""
    return 100.0 * np.sin(args[0]) + 0.006 * max(1.0, args[0])


def _curved_kink(args: tuple) -> float:
    """Seed 350590 in small: a kink met exactly (an argument entry 0.0 that a filter
    ``if r < 0`` keeps on one side only) where the function curves, so each one-sided
    quotient is off by ``h f'' / 2`` towards the other: the tie's left-hand slope, 0.3,
    must still be found between them."""
    t = args[0] - 1.0
    return 2000.0 * t * t + (-0.7 * t if t >= 0 else 0.3 * t)


def _saturated(args: tuple) -> float:
    """Seed 78658 in small: logit(expit(z)) is z, but near z = 31 expit is 1 - 3e-14,
    which short steps leave where it is: flat in floating point, slope 200 in fact."""
    p = 1.0 / (1.0 + np.exp(-(200.0 * args[0] - 169.0)))
    return float(np.log(p / (1.0 - p)))


def _nan_filtered_out(args: tuple) -> float:
    """Seed 86703 in small: a NaN (the mean of no entries) that a selection then drops,
    so the value is 0.0 and so are the differences, where the derivative is NaN."""
    v = np.sin(np.atleast_1d(args[0] + np.float64(0.0) / np.float64(0.0)))
    return float(np.sum(v[v < 0.5]))


def _nan_quieted_by_the_program(args: tuple) -> float:
    """Seed 471089 in small: ``nan_to_num(sqrt(x - 1.5))`` inside the program's own
    ``np.errstate(all='ignore')``, which must not hide the NaN from the check."""
    with np.errstate(all="ignore"):
        return float(np.nan_to_num(np.sqrt(args[0] - 1.5)))


def _strictly(fn):
    def strict(args):
        try:
            with np.errstate(invalid="raise"):
                return fn(args)
        except FloatingPointError as err:
            raise checker._FailError(checker.Outcome(SKIP, "plain", repr(err))) from None
    return strict


@pytest.mark.parametrize("fn, slope, expected", [
    (_nan_filtered_out, float("nan"), SKIP),
    (_nan_quieted_by_the_program, float("nan"), SKIP),
    (lambda args: np.sin(args[0]), float("nan"), WRONG),
    (_chained_kink, 2.25, SKIP),
    (_small_kink, 100.0 * float(np.cos(1.0)) + 0.0055, SKIP),
    (_small_kink, 100.0 * float(np.cos(1.0)) + 0.02, WRONG),
    (_curved_kink, 0.3, SKIP),
    (_curved_kink, 0.35, WRONG),
    (lambda args: np.sin(args[0]), 0.7, WRONG),
    (lambda args: np.sin(args[0]), float(np.cos(1.0)), OK),
    (_saturated, 200.0, SKIP),
    (lambda args: 3.0, 1.0, WRONG),
    (lambda args: 1e120 * np.sin(args[0]), 1e120 * float(np.cos(1.0)) * 1.1, SKIP),
], ids=["nan-inside", "nan-inside-quieted", "nan-of-nothing", "kink", "small-kink",
        "beyond-a-kink", "curved-kink", "beyond-a-curved-kink", "smooth-wrong",
        "smooth-right", "flat-in-floats", "flat-wrong", "beyond-1e100"])
def test_checker_skips_a_kink_met_exactly_but_reports_a_smooth_mismatch(fn, slope, expected):
    """Central differences at a kink give the mean of the one-sided slopes, which no
    convention for ties need match: such a point is skipped where the derivative lies
    between the one-sided slopes (never called WRONG), while a derivative beyond them,
    or a mismatch where the function is smooth, still is. So are a function flat in
    floating point at short steps whose longer steps see the compiled slope, and a
    derivative beyond 1e100, and a NaN derivative through a NaN the program makes; a
    slope where the function is truly flat, or a NaN of nothing, is WRONG."""
    try:
        with np.errstate(invalid="ignore"):
            checker._check_directional("grad", fn, (1.0,), (0,), (slope,),
                                       np.random.default_rng(0), False,
                                       record=lambda a: None, strict=_strictly(fn))
        outcome = OK
    except checker._FailError as failure:
        outcome = failure.outcome.category
    assert outcome == expected
