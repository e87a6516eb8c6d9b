"""``export`` and ``check-export``: standalone modules that need only NumPy.

Each exported module is imported in a fresh interpreter started with ``-I -S`` whose
``sys.path`` holds the standard library, a directory with only NumPy in it, and the
module's directory: not this package, nor gast or astor.
"""
import subprocess
import sys
import textwrap
from pathlib import Path

import cli_models
import numpy as np
import pytest
import tutorial_model
from cli_helpers import MODELS, ROOT, TUTORIAL, needs_ruff, ruff_default_rules, run

import autodiff_compiler as adc
from autodiff_compiler.backends.numpy.standalone import literal
from autodiff_compiler.export_module import check_self_contained, read_header

CHILD = textwrap.dedent("""\
    import importlib.util, sys
    sys.path += [sys.argv[1], sys.argv[2]]
    assert importlib.util.find_spec("autodiff_compiler") is None, "package is importable"
    import numpy as np
    module = __import__(sys.argv[3])
    inputs = np.load(sys.argv[4])
    args = [inputs[f"arg_{i}"] for i in range(len(inputs.files))]
    outputs = {}
    for name in sys.argv[6:]:
        out = getattr(module, name)(*args)
        for i, value in enumerate(out if isinstance(out, tuple) else (out,)):
            outputs[f"{name}_{i}"] = value
    np.savez(sys.argv[5], **outputs)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("autodiff_compiler", "gast",
                                                                   "astor"))
    assert not loaded, loaded
""")


def _only(root: Path, *packages: str) -> Path:
    """``root`` holding these packages of NumPy's site-packages (symlinked), nothing else."""
    site = Path(np.__file__).resolve().parent.parent
    for entry in site.iterdir():
        if entry.name.startswith(packages):
            (root / entry.name).symlink_to(entry)
    return root


@pytest.fixture(scope="module")
def numpy_only(tmp_path_factory) -> Path:
    """A directory holding NumPy (symlinked) and nothing else."""
    return _only(tmp_path_factory.mktemp("numpy_only"), "numpy")


@pytest.fixture(scope="module")
def numpy_and_scipy(tmp_path_factory) -> Path:
    pytest.importorskip("scipy")
    return _only(tmp_path_factory.mktemp("numpy_and_scipy"), "numpy", "scipy")


def export(tmp_path: Path, target: str, *options: str, name: str = "exported") -> Path:
    out = tmp_path / f"{name}.py"
    result = run("export", target, *options, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def call_isolated(numpy_only: Path, module: Path, args: tuple, *functions: str) -> dict:
    """Call ``functions`` of ``module`` on ``args`` in an interpreter without this package."""
    inputs, outputs = module.parent / "inputs.npz", module.parent / "outputs.npz"
    np.savez(inputs, **{f"arg_{i}": np.asarray(a) for i, a in enumerate(args)})
    result = subprocess.run([sys.executable, "-I", "-S", "-c", CHILD, str(numpy_only),
                             str(module.parent), module.stem, str(inputs), str(outputs),
                             *functions], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with np.load(outputs) as data:
        return {key: data[key] for key in data.files}


def assert_all_close(actual: list, expected: list) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-7)


def tutorial_args():
    return tuple(np.asarray(a) for a in tutorial_model.make_inputs("seed42"))


# ---------------------------------------------------------------------------- correctness


def test_exported_tutorial_gradient_matches_grad_without_this_package(tmp_path, numpy_only):
    module = export(tmp_path, f"{TUTORIAL}:function", "--grad-position", "2,3")
    args = tutorial_args()
    out = call_isolated(numpy_only, module, args, "function", "grad_function")
    expected = adc.grad(tutorial_model.function, (2, 3))(*args)
    assert_all_close([out["grad_function_0"], out["grad_function_1"]], list(expected))
    np.testing.assert_allclose(out["function_0"], tutorial_model.function(*args), rtol=1e-6)


def test_exported_specialised_gradient_matches_grad(tmp_path, numpy_only):
    module = export(tmp_path, f"{TUTORIAL}:function", "--grad-position", "2,3",
                    "--example", "x, y, w, b")
    assert "Specialised to the shapes and dtypes" in module.read_text()
    args = tutorial_args()
    out = call_isolated(numpy_only, module, args, "grad_function")
    expected = adc.grad(tutorial_model.function, (2, 3))(*args)
    assert_all_close([out["grad_function_0"], out["grad_function_1"]], list(expected))


def test_exported_helpers_are_copied_with_what_they_call(tmp_path, numpy_only):
    module = export(tmp_path, f"{MODELS}:loss", "--grad-position", "0,1")
    text = module.read_text()
    for helper in ("def sigmoid(", "def matmul_vjp_y(", "def _as_matrices(", "def unbroadcast("):
        assert helper in text
    assert "def matmul_vjp_x(" not in text and "def index_add(" not in text
    m = cli_models
    out = call_isolated(numpy_only, module, (m.w, m.b, m.x, m.y), "grad_loss")
    expected = adc.grad(m.loss, (0, 1))(m.w, m.b, m.x, m.y)
    assert_all_close([out["grad_loss_0"], out["grad_loss_1"]], list(expected))


def test_exported_value_and_grad_of_weights_takes_them_as_parameters(tmp_path, numpy_only):
    module = export(tmp_path, f"{MODELS}:dense_loss", "--grad-position", "none",
                    "--weights", "w,b", "--value-and-grad")
    text = module.read_text()
    assert "def value_and_grad_dense_loss(x, y, w, b):" in text
    assert "w (dense.w), b (dense.b)" in text
    m = cli_models
    out = call_isolated(numpy_only, module, (m.x, m.y, m.w, m.b), "dense_loss",
                        "value_and_grad_dense_loss")
    value, (g_w, g_b) = adc.value_and_grad(m.dense_loss, None, weights=[m.w, m.b])(m.x, m.y)
    assert_all_close([out[f"value_and_grad_dense_loss_{i}"] for i in range(3)],
                     [value, g_w, g_b])
    np.testing.assert_allclose(out["dense_loss_0"], value)


def test_exported_has_aux_returns_gradients_then_aux_flat(tmp_path, numpy_only):
    module = export(tmp_path, f"{MODELS}:loss_and_logits", "--grad-position", "0,1",
                    "--has-aux")
    m = cli_models
    out = call_isolated(numpy_only, module, (m.w, m.b, m.x, m.y), "loss_and_logits",
                        "grad_loss_and_logits")
    (g_w, g_b), (z,) = adc.grad(m.loss_and_logits, (0, 1), has_aux=True)(m.w, m.b, m.x, m.y)
    assert_all_close([out[f"grad_loss_and_logits_{i}"] for i in range(3)], [g_w, g_b, z])
    value, logits = m.loss_and_logits(m.w, m.b, m.x, m.y)
    assert_all_close([out["loss_and_logits_0"], out["loss_and_logits_1"]], [value, logits])


def test_exported_cell_forward_and_gradient(tmp_path, numpy_only):
    module = export(tmp_path, f"{MODELS}:dense")
    m = cli_models
    out = call_isolated(numpy_only, module, (m.x, m.w, m.b), "dense", "grad_dense")
    np.testing.assert_allclose(out["dense_0"], m.dense(m.x))
    np.testing.assert_allclose(out["grad_dense_0"], adc.grad(m.dense)(m.x))


SCIPY_MODEL = """
import numpy as np
import scipy.special as sp
import scipy.stats as st


def loss(x, mu):
    return np.sum(sp.gammaln(x * x + 1.0) + st.norm.logpdf(x, mu, 2.0)) + sp.logsumexp(x)
"""


def test_exported_scipy_gradient_needs_only_numpy_and_scipy(tmp_path, numpy_and_scipy):
    source = tmp_path / "scipy_model.py"
    source.write_text(SCIPY_MODEL)
    module = export(tmp_path, f"{source}:loss", "--grad-position", "0,1")
    text = module.read_text()
    assert "import scipy.special\n" in text and "needs NumPy and SciPy" in text
    args = (np.linspace(0.2, 1.4, 5), 0.3)
    out = call_isolated(numpy_and_scipy, module, args, "loss", "grad_loss")
    namespace: dict = {}
    exec(compile(SCIPY_MODEL, str(source), "exec"), namespace)
    expected = adc.grad(namespace["loss"], (0, 1))(*args)
    assert_all_close([out["grad_loss_0"], out["grad_loss_1"]], list(expected))


@pytest.mark.parametrize("name, x", [
    ("power_loop", np.linspace(-1.0, 1.5, 4)),
    ("sign_branch", np.linspace(-1.0, 1.5, 4)),
    ("sign_branch", np.linspace(-1.5, 1.0, 4)),
], ids=["loop", "branch-taken", "branch-not-taken"])
def test_exported_control_flow_matches_grad(tmp_path, numpy_only, name, x):
    module = export(tmp_path, f"{MODELS}:{name}")
    forward = module.read_text().split(f"def {name}(")[1].split("\ndef ")[0]
    assert "_tape" not in forward  # the forward pass records nothing for a backward pass
    out = call_isolated(numpy_only, module, (x,), name, f"grad_{name}")
    fn = getattr(cli_models, name)
    np.testing.assert_allclose(out[f"{name}_0"], fn(x))
    np.testing.assert_allclose(out[f"grad_{name}_0"], adc.grad(fn)(x))


def test_exported_forward_named_like_a_helper_is_renamed(tmp_path, numpy_only):
    source = tmp_path / "act.py"
    source.write_text("import numpy as np\n\nfrom autodiff_compiler import ops\n\n\n"
                      "def sigmoid(x):\n    return np.sum(ops.sigmoid(x) * x)\n")
    module = export(tmp_path, f"{source}:sigmoid")
    assert "def sigmoid(x):" in module.read_text()  # the helper
    x = np.linspace(-2.0, 2.0, 5)
    out = call_isolated(numpy_only, module, (x,), "sigmoid_forward", "grad_sigmoid")
    p = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(out["sigmoid_forward_0"], np.sum(p * x))
    np.testing.assert_allclose(out["grad_sigmoid_0"], p + x * p * (1 - p))


@needs_ruff
def test_exported_module_passes_ruff_default_rules(tmp_path):
    module = export(tmp_path, f"{MODELS}:dense_loss", "--grad-position", "none",
                    "--weights", "w,b", "--value-and-grad")
    result = ruff_default_rules(str(module))
    assert result.returncode == 0, result.stdout


def test_export_to_stdout():
    result = run("export", f"{MODELS}:loss", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Generated by autodiff-compiler")
    compile(result.stdout, "<export>", "exec")


# ---------------------------------------------------------------------------- header, check


def test_header_names_source_function_options_and_hash(tmp_path):
    module = export(tmp_path, f"{MODELS}:loss", "--grad-position", "0,1")
    fields = read_header(module)
    assert (module.parent / fields["source"]).resolve() == ROOT / MODELS
    assert fields["function"] == "loss"
    assert fields["options"] == "--grad-position 0,1"
    assert len(fields["source-sha256"]) == 64
    assert fields["command"] == (f"autodiff-compiler export {MODELS}:loss --grad-position 0,1 "
                                 f"-o {module}")


def test_check_export_up_to_date_then_changed_then_gone(tmp_path):
    source = tmp_path / "src" / "model.py"
    source.parent.mkdir()
    source.write_text("import numpy as np\n\n\ndef f(x):\n    return np.sum(np.sin(x))\n")
    module = export(tmp_path, f"{source}:f")
    assert read_header(module)["source"] == "src/model.py"  # moves with its source
    result = run("check-export", str(module))
    assert result.returncode == 0, result.stderr
    assert "is up to date" in result.stdout

    source.write_text(source.read_text() + "\n# edited\n")
    result = run("check-export", str(module))
    assert result.returncode == 1
    assert "is out of date" in result.stdout and "autodiff-compiler export" in result.stdout

    source.unlink()
    result = run("check-export", str(module))
    assert result.returncode == 1
    assert "no longer exists" in result.stdout


@pytest.mark.parametrize("contents, message", [
    (None, "no such file"),
    ("def f():\n    pass\n", "has no autodiff-compiler export header"),
], ids=["missing", "not-an-export"])
def test_check_export_user_errors_exit_2(tmp_path, contents, message):
    path = tmp_path / "module.py"
    if contents is not None:
        path.write_text(contents)
    result = run("check-export", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_export_to_a_missing_directory_is_a_user_error(tmp_path):
    result = run("export", f"{MODELS}:loss", "-o", str(tmp_path / "nowhere" / "m.py"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_export_unsupported_construct_is_a_user_error(tmp_path):
    result = run("export", f"{MODELS}:with_global_write", "-o", str(tmp_path / "m.py"))
    assert result.returncode == 2
    assert "tests/cli_models.py:61" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "m.py").exists()


# ---------------------------------------------------------------------------- constants


@pytest.mark.parametrize("value", [
    np.array([1.5, -2.25, 3e-300], dtype=np.float64),
    np.array([[0.1, 0.2]], dtype=np.float32),
    np.array([np.nan, np.inf, -np.inf, 1.0], dtype=np.float32),
    np.array(7, dtype=np.int64),
    np.array([True, False]),
    np.array([1 + 2j, np.nan * 1j], dtype=np.complex128),
    np.arange(6, dtype=">f8").reshape(2, 3),
], ids=["float64", "float32", "non-finite", "0-d int", "bool", "complex", "big-endian"])
def test_literal_rebuilds_constants_exactly(value):
    rebuilt = eval(literal(value), {"np": np})
    assert rebuilt.dtype == value.dtype.newbyteorder("=") and rebuilt.shape == value.shape
    np.testing.assert_array_equal(rebuilt, value)


def test_literal_refuses_what_it_cannot_rebuild():
    with pytest.raises(adc.AutodiffError, match="cannot export a constant of type object"):
        literal(object())
    with pytest.raises(adc.AutodiffError, match="calls Python when it runs"):
        literal(print)  # a Cell hook run as Python, which the program holds


def test_a_module_needing_definitions_from_elsewhere_is_refused():
    check_self_contained("import numpy as np\n\n\ndef f(x):\n    return np.sin(x)\n")
    with pytest.raises(adc.AutodiffError, match="its code uses ext, which lives outside it"):
        check_self_contained("import numpy as np\n\n\ndef f(x):\n    return ext.sinc(x)\n")
