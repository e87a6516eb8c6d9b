"""Every transform's program prints, as ``gradient_source(..., transform=...)`` and
``autodiff-compiler show --transform``, and the printed source computes what the
transform does (it is run here and compared with the API's own answer)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.api import TRANSFORMS
from autodiff_compiler.backends.numpy.runtime import NAMESPACE
from autodiff_compiler.cli import main

X = np.array([0.3, -1.2, 2.0])
Y = np.array([1.5, 0.5, -0.7])
TX, TY = np.array([1.0, -2.0, 0.5]), np.array([0.25, 1.0, -1.0])


def f(x, y):
    return np.sum(np.sin(x) * y + x * x * y)


def run(source, *args):
    namespace = dict(NAMESPACE)
    exec(compile(source, "<printed>", "exec"), namespace)
    name = source.split("def ", 1)[1].split("(", 1)[0]
    return namespace[name](*args)


def expected(transform):
    if transform == "grad":
        return adc.grad(f, (0, 1))(X, Y)
    if transform == "vjp":
        out, vjp_fn = adc.vjp(f, X, Y)
        return (out, *vjp_fn(np.float64(2.0)))
    if transform == "jvp":
        return adc.jvp(f, (X, Y), (TX, TY))
    return adc.hvp(f, (X, Y), (TX, TY), grad_position=(0, 1))  # the tangent alone


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_printed_program_computes_the_transform(transform):
    source = adc.gradient_source(f, (0, 1), transform=transform, args=(X, Y))
    extra = {"grad": (), "vjp": (np.float64(2.0),), "jvp": (TX, TY), "hvp": (TX, TY)}
    got = run(source, X, Y, *extra[transform])
    for g, e in zip(got, expected(transform), strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    assert "np.sin(x)" in source or "sin(x)" in source


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_show_prints_each_transform(transform, tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("import numpy as np\n\n\ndef f(x, y):\n    return np.sum(np.sin(x) * y)\n")
    assert main(["show", f"{path}:f", "--grad-position", "0,1", "--transform", transform,
                 "--example", "np.ones(3), np.ones(3)"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("def ") and "np.cos(x)" in out


def test_jvp_of_weights_and_an_unknown_transform_are_refused():
    with pytest.raises(adc.AutodiffError, match="not weights"):
        adc.gradient_source(f, None, [adc.Parameter(X, name="w")], transform="jvp")
    with pytest.raises(ValueError, match="unknown transform"):
        adc.gradient_source(f, transform="vmap2")


@pytest.mark.parametrize("transform, name", [("jacrev", "jacrev_f"), ("jacfwd", "jacfwd_f"),
                                             ("hessian", "hessian_f"), ("vmap", "f")])
def test_show_prints_the_one_program_of_jacobians_and_vmap(transform, name, tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("import numpy as np\n\n\ndef f(x, y):\n    return np.sum(np.sin(x) * y)\n")
    assert main(["show", f"{path}:f", "--transform", transform,
                 "--example", "np.ones((4, 3)), np.ones((4, 3))"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("def ") and name in out.split("(")[0]
    assert "for " not in out  # one vectorised program, no loop over basis vectors


def test_jacobians_and_vmap_need_example_arguments(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("import numpy as np\n\n\ndef f(x):\n    return np.sin(x)\n")
    assert main(["show", f"{path}:f", "--transform", "jacrev"]) == 2
    assert "give --example" in capsys.readouterr().err
