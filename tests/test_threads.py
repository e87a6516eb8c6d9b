"""Compiling is thread-safe: first calls from several threads at once compile each
kind of arguments once, and every thread gets the sequential result."""
import importlib
import sys
import threading

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import api

# Nothing here depends on the NumPy version: CI runs it once (pyproject.toml).
pytestmark = pytest.mark.once

SIZES = [25, 80, 250]


@pytest.fixture
def module(tmp_path, monkeypatch):
    lines = ["import numpy as np", ""]
    for n in SIZES:
        lines.append(f"def f{n}(x):")
        lines.append("    y = x")
        for i in range(n):
            op = ["y = y * 0.99 + np.sin(y) * 0.01", "y = y + 0.001 * y * y",
                  "y = np.tanh(y) * 0.5 + y * 0.5"][i % 3]
            lines.append(f"    {op}")
        lines += ["    return np.sum(y)", ""]
    (tmp_path / "thread_cases.py").write_text("\n".join(lines))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("thread_cases")
    sys.modules.pop("thread_cases", None)


def _run_threads(jobs):
    results, errors = [None] * len(jobs), []
    start = threading.Barrier(len(jobs))

    def work(i, job):
        try:
            start.wait()
            results[i] = job()
        except Exception as err:  # reported below, with the thread's job
            errors.append((i, err))

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_concurrent_first_calls_compile_once_and_agree(module, monkeypatch):
    x = np.linspace(0.1, 0.9, 5)
    fns = [getattr(module, f"f{n}") for n in SIZES]
    jobs = [lambda fn=fns[i % 3]: adc.grad(fn)(x) for i in range(8)]
    jobs[7] = lambda: adc.grad(fns[0])(x[:3])  # another kind of arguments
    compiles = []
    compile_gradient = api.compile_gradient

    def counting(fn, *args, **kwargs):
        compiles.append(fn)
        return compile_gradient(fn, *args, **kwargs)

    monkeypatch.setattr(api, "compile_gradient", counting)
    results = _run_threads(jobs)
    assert sorted(f.__name__ for f in compiles) == ["f25", "f25", "f250", "f80"]
    api._CACHE.clear()
    api._ENTRIES.clear()
    for job, got in zip(jobs, results):
        np.testing.assert_array_equal(got, job())


def test_concurrent_compiles_of_distinct_functions_agree_with_sequential(module):
    x = np.linspace(-0.5, 0.5, 4)
    fns = [getattr(module, f"f{n}") for n in SIZES]
    sources = [lambda fn=fns[i % 3], k=i: adc.gradient_source(fn, args=(x[:1 + k % 4],))
               for i in range(8)]
    concurrent = _run_threads(sources)
    assert concurrent == [job() for job in sources]
