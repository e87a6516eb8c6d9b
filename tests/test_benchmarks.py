"""The benchmarks' smoke runs (every workload, through run_all.py) and the shared harness.

Each script checks its gradients against hand-written NumPy before timing and exits
with status 1 otherwise, so a passing smoke run is also a correctness test of the
generated code, optimised and not. The smoke run leaves out the optional peers
(autograd, JAX, PyTorch), which CI never installs; where they are installed, a separate
test runs each workload with them. (bench_tutorial.py's own smoke run is also in
test_project.py.)
"""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
# bench_dask.py starts clusters of its own and runs alone (run_all.STANDALONE)
SCRIPTS = sorted(p.stem for p in BENCHMARKS.glob("bench_*.py") if p.stem != "bench_dask")
WORKLOADS = ["bench_elementwise", "bench_hvp", "bench_logreg", "bench_mlp", "bench_per_sample",
             "bench_rnn", "bench_rnn_example", "bench_scalar", "bench_tutorial"]
WITH_MEMORY = {"bench_elementwise", "bench_logreg", "bench_mlp", "bench_rnn", "bench_rnn_example"}
# comparisons of the compiler with itself (no hand-written baseline)
COMPARISONS = ["bench_checkpoint"]
# whole training steps through the MindSpore surface, against hand-written steps
TRAINING = ["bench_train_cnn", "bench_train_step"]
PEERS = [name for name in ("autograd", "jax", "torch") if importlib.util.find_spec(name)]


def run(*args, timeout=300):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One ``run_all.py --quick --no-peers`` of every workload: (process, reports by name)."""
    out = tmp_path_factory.mktemp("bench") / "all.json"
    result = run("benchmarks/run_all.py", "--quick", "--no-peers", "--json", str(out))
    reports = {}
    if out.exists():
        reports = {r["benchmark"]: r for r in json.loads(out.read_text())["benchmarks"]}
    return result, reports


def test_every_workload_is_benchmarked():
    assert sorted(WORKLOADS + COMPARISONS + TRAINING) == SCRIPTS


@pytest.mark.once
def test_run_all_runs_every_benchmark(quick_run):
    result, reports = quick_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(reports) == SCRIPTS
    for name in SCRIPTS:
        assert f"== {name}.py ==" in result.stdout
        assert f"== {name}.py FAILED" not in result.stdout


@pytest.mark.once
@pytest.mark.parametrize("name", WORKLOADS)
def test_workload_smoke_run_checks_and_times_every_case(quick_run, name):
    result, reports = quick_run
    assert name in reports, result.stdout + result.stderr
    report = reports[name]
    assert report["quick"] and report["baseline"] == "hand"
    cases = {r["case"]: r for r in report["results"]}
    assert {"forward", "hand", "cached", "raw", "noopt", "compile"} <= set(cases)
    assert not {"autograd", "jax", "jax_jit", "torch"} & set(cases)  # --no-peers
    assert cases["hand"]["ratio_to_hand"] == 1.0
    assert all(r["median_ns"] > 0 and len(r["samples_ns"]) == 5 for r in cases.values())
    assert report["generated_source"].startswith("def ")
    assert report["generated_source_unoptimized"].startswith("def ")
    assert "optimize=False" in report["unoptimized_function"]
    assert report["machine"]["nproc"] >= 1
    if name in WITH_MEMORY:
        memory = {r["case"]: r for r in report["memory"]}
        assert {"hand", "cached", "raw", "noopt"} <= set(memory)
        assert all(r["peak_bytes"] > 0 for r in memory.values())
    if name in ("bench_rnn", "bench_rnn_example"):
        assert "for t in" in report["generated_source"]
    if name == "bench_per_sample":  # one vectorised program, no loop over the examples
        assert "for " not in report["generated_source"]
        assert cases["loop"]["median_ns"] > 0


@pytest.mark.once
def test_checkpoint_smoke_run_measures_time_and_memory(quick_run):
    result, reports = quick_run
    report = reports["bench_checkpoint"]
    assert report["quick"] and report["baseline"] == "full"
    cases = {r["case"]: r for r in report["results"]}
    assert set(cases) == {"forward", "full", "sqrt", "snapshots10", "levels2"}
    assert all(r["median_ns"] > 0 and len(r["samples_ns"]) == 5 for r in cases.values())
    memory = {r["case"]: r["peak_bytes"] for r in report["memory"]}
    assert all(memory[c] < memory["full"] for c in ("sqrt", "snapshots10", "levels2"))
    assert [r["config"] for r in report["rss"]] == ["full", "sqrt", "snapshots10", "levels2"]
    assert "RSS high-water" in result.stdout
    assert "_segment_backward(" in report["generated_source"]


@pytest.mark.once
@pytest.mark.parametrize("name", TRAINING)
def test_training_step_smoke_run_checks_and_times_both_steps(quick_run, name):
    _, reports = quick_run
    report = reports[name]
    assert report["quick"] and report["baseline"] == "hand"
    cases = {r["case"]: r for r in report["results"]}
    assert set(cases) == {"hand", "mindspore"}
    assert all(r["median_ns"] > 0 and len(r["samples_ns"]) == 5 for r in cases.values())


@pytest.mark.once
def test_smoke_runs_print_tables(quick_run):
    result, _ = quick_run
    assert result.stdout.count("hand-written") >= len(WORKLOADS)
    assert result.stdout.count("peak memory") == len(WITH_MEMORY) + len(COMPARISONS)
    assert "optimisation passes off" in result.stdout


@pytest.mark.skipif(not PEERS, reason="autograd, JAX and PyTorch are optional and not installed")
@pytest.mark.parametrize("name", WORKLOADS)
def test_peers_where_installed(tmp_path, name):
    out = tmp_path / "r.json"
    result = run(f"benchmarks/{name}.py", "--quick", "--samples", "2", "--target-ms", "0.5",
                 "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    cases = {r["case"] for r in json.loads(out.read_text())["results"]}
    expected = {"autograd": {"autograd"}, "jax": {"jax", "jax_jit", "jax_jit_compile"},
                "torch": {"torch"}}
    for peer in PEERS:
        assert expected[peer] <= cases


@pytest.fixture
def harness(monkeypatch):
    """benchmarks/harness.py, imported for this test only."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.delitem(sys.modules, "harness", raising=False)
    import harness
    yield harness
    sys.modules.pop("harness", None)


def test_harness_failed_check_exits_before_timing(harness, capsys):
    def build(stack, quick):
        raise harness.BenchmarkError("dW differs")

    with pytest.raises(SystemExit) as exc:
        harness.main("bench_example", None, build, ["--quick"])
    assert str(exc.value.code) == "bench_example: FAILED: dW differs"
    assert capsys.readouterr().out == ""


def test_harness_times_and_reports_ratios(harness, capsys, tmp_path):
    calls = []

    def build(stack, quick):
        suite = harness.Suite("bench_example", [], {"f": lambda: sum(range(50))},
                              baseline="base")
        suite.case("base", "base case", "f()")
        suite.case("twice", "twice", "f(); f()")
        suite.cases.append(harness.Case("one", "one call", sample=lambda: calls.append(1) or 10))
        suite.memory = [harness.MemoryCase("base", "base", lambda: bytearray(1 << 16))]
        return suite

    out = tmp_path / "r.json"
    assert harness.main("bench_example", None, build,
                        ["--samples", "3", "--target-ms", "0.2", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    results = {r["case"]: r for r in report["results"]}
    assert results["base"]["ratio_to_base"] == 1.0
    assert results["one"]["samples_ns"] == [10, 10, 10] and len(calls) == 4  # + warm-up
    assert report["memory"][0]["peak_bytes"] >= 1 << 16
    assert "vs base" in capsys.readouterr().out


def test_harness_gradient_checks(harness):
    want = (np.array([1.0, 1e-9]), np.float64(2.0))
    harness.assert_grads("ok", (np.array([1.0, 0.0]), 2.0), want, ("a", "b"), 1e-6,
                         atol_rel=1e-6)  # 0 vs 1e-9: within 1e-6 of the largest entry
    with pytest.raises(harness.BenchmarkError, match="a differs"):
        harness.assert_grads("bad", (np.array([1.1, 0.0]), 2.0), want, ("a", "b"), 1e-6)
    with pytest.raises(harness.BenchmarkError, match="dtype"):
        harness.assert_grads("f32", (want[0].astype(np.float32), 2.0), want, ("a", "b"), 1e-6)

    def loss(x, c):
        return float(np.sum(x ** 2) * c)

    x = np.arange(3.0)
    harness.check_directional("right", loss, (2 * x * 3.0, np.sum(x ** 2)), (x, 3.0), (0, 1))
    with pytest.raises(harness.BenchmarkError, match="central differences"):
        harness.check_directional("wrong", loss, (x * 3.0,), (x, 3.0), (0,))


def test_harness_imports_peers_only_in_their_own_process(harness):
    assert not harness.use_peers  # the main process never imports them
    assert harness.peer("numpy") is None
    harness.use_peers = True
    try:
        assert harness.peer("no_such_library_for_sure") is None
        assert harness.peer("json") is not None
    finally:
        harness.use_peers = False


def test_run_all_measures_cpu_load(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.delitem(sys.modules, "run_all", raising=False)
    import run_all
    try:
        busy = run_all.cpu_busy(0.05)
        assert busy is None or 0.0 <= busy <= 1.0
        monkeypatch.setattr(run_all, "cpu_busy", lambda interval=2.0: 0.5)
        assert run_all.wait_for_idle(0.0) == \
            "CPUs still 50% busy after waiting 0 s: started anyway"
        assert run_all.wait_for_idle(0.0, threshold=0.6).startswith("CPUs 50% busy before")
    finally:
        sys.modules.pop("run_all", None)
