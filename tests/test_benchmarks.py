"""The benchmarks' smoke runs: the RNN workload, run_all.py, and the shared harness.

(bench_tutorial.py's own smoke run is in test_project.py.) Each script checks its
gradients against hand-written NumPy before timing and exits with status 1 otherwise,
so a passing smoke run is also a correctness test of the generated code.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


def run(*args, timeout=120):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_rnn_benchmark_smoke_run_checks_correctness(tmp_path):
    out = tmp_path / "rnn.json"
    result = run("benchmarks/bench_rnn.py", "--quick", "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hand-written" in result.stdout
    assert "peak memory" in result.stdout
    report = json.loads(out.read_text())
    assert report["benchmark"] == "bench_rnn" and report["baseline"] == "hand"
    cases = {r["case"]: r for r in report["results"]}
    assert {"forward", "hand", "cached", "raw", "compile"} <= set(cases)
    assert cases["hand"]["ratio_to_hand"] == 1.0
    assert all(r["median_ns"] > 0 and len(r["samples_ns"]) == 5 for r in cases.values())
    memory = {r["case"]: r for r in report["memory"]}
    assert {"hand", "cached", "raw"} <= set(memory)
    assert all(r["peak_bytes"] > 0 for r in memory.values())
    assert "for t in" in report["generated_source"]


def test_run_all_runs_every_benchmark(tmp_path):
    out = tmp_path / "all.json"
    result = run("benchmarks/run_all.py", "--quick", "--samples", "2", "--target-ms", "0.5",
                 "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    scripts = sorted(p.stem for p in BENCHMARKS.glob("bench_*.py"))
    reports = json.loads(out.read_text())["benchmarks"]
    assert [r["benchmark"] for r in reports] == scripts
    for name in scripts:
        assert f"== {name}.py ==" in result.stdout


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
