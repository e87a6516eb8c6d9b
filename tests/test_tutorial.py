"""MindSpore's autograd tutorial reproduces MindSpore's printed numbers."""
import numpy as np
import pytest
from tutorial_model import (
    Network,
    function,
    function_stop_gradient,
    function_with_logits,
    make_forward_fn,
    make_inputs,
)

import autodiff_compiler as mindspore
from autodiff_compiler import nn

# What MindSpore 2.x prints for the two input sets (float32).
EXPECTED = {
    "rng": dict(loss=0.20113416, z=[-2.7880893, -1.1070185, -1.2226026],
                row=[0.019323725, 0.082809083, 0.075826235]),
    "seed42": dict(loss=1.3423151, z=[3.8211915, -2.9945121, -1.932323],
                   row=[0.32618925, 0.015891464, 0.042164546]),
}
SOURCES = list(EXPECTED)


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=2e-6, atol=2e-8)


@pytest.mark.parametrize("source", SOURCES)
def test_tutorial_loss_and_logits(source):
    x, y, w, b = make_inputs(source)
    loss, z = function_with_logits(x, y, w, b)
    _close(loss, EXPECTED[source]["loss"])
    _close(z, EXPECTED[source]["z"])


@pytest.mark.parametrize("source", SOURCES)
def test_tutorial_grad_of_loss(source):
    x, y, w, b = make_inputs(source)
    dw, db = mindspore.grad(function, (2, 3))(x, y, w, b)
    row = EXPECTED[source]["row"]
    _close(dw, np.tile(row, (5, 1)))
    _close(db, row)
    assert dw.dtype == db.dtype == np.float32
    assert type(dw) is mindspore.Tensor and type(db) is mindspore.Tensor  # Tensors in


@pytest.mark.parametrize("source", SOURCES)
def test_tutorial_extra_output_adds_its_gradient(source):
    x, y, w, b = make_inputs(source)
    dw, db = mindspore.grad(function_with_logits, (2, 3))(x, y, w, b)
    row = np.add(EXPECTED[source]["row"], 1.0)
    _close(dw, np.tile(row, (5, 1)))
    _close(db, row)


@pytest.mark.parametrize("source", SOURCES)
def test_tutorial_stop_gradient_blocks_the_extra_output(source):
    x, y, w, b = make_inputs(source)
    dw, db = mindspore.grad(function_stop_gradient, (2, 3))(x, y, w, b)
    _close(db, EXPECTED[source]["row"])
    _close(dw, np.tile(EXPECTED[source]["row"], (5, 1)))


@pytest.mark.parametrize("source", SOURCES)
def test_tutorial_has_aux_returns_grads_and_aux_tuple(source):
    x, y, w, b = make_inputs(source)
    grads, aux = mindspore.grad(function_with_logits, (2, 3), has_aux=True)(x, y, w, b)
    assert isinstance(aux, tuple) and len(aux) == 1
    _close(aux[0], EXPECTED[source]["z"])
    _close(grads[1], EXPECTED[source]["row"])


@pytest.mark.parametrize("source", SOURCES)
def test_tutorial_cell_value_and_grad_over_weights(source):
    x, y, w, b = make_inputs(source)
    model = Network(w, b)
    forward_fn = make_forward_fn(model, nn.BCEWithLogitsLoss())
    params = model.trainable_params()
    assert [p.name for p in params] == ["w", "b"]
    loss, (dw, db) = mindspore.value_and_grad(forward_fn, None, weights=params)(x, y)
    _close(loss, EXPECTED[source]["loss"])
    _close(dw, np.tile(EXPECTED[source]["row"], (5, 1)))
    _close(db, EXPECTED[source]["row"])


def test_tutorial_example_script_prints_mindspore_numbers(capsys):
    import runpy
    from pathlib import Path

    runpy.run_path(str(Path(__file__).parent.parent / "examples" / "seed_tutorial.py"))
    out = capsys.readouterr().out
    assert out.startswith("1.3423151")
    assert "3.26189250e-01" in out and "3.8211915" in out  # as MindSpore prints Tensors
