"""``mindspore.export``, ``mindspore.load`` and ``nn.GraphCell``: a network's forward
pass saved with its parameters, and run again from the file alone.

MindSpore's tutorials end a training program so: ``export(net, x, file_name="model",
file_format="MINDIR")``, then ``nn.GraphCell(load("model.mindir"))(x)``. A MINDIR file
is MindSpore's protobuf graph; this package cannot write one MindSpore reads, nor read
MindSpore's. What it writes under that name is its own: a zip holding the forward
pass as the code generator makes it (plain NumPy, no ``ops`` or user code needed: the
module ``autodiff-compiler export`` would write), the parameters' values at export
time, and the outputs' structure. ``load`` checks that it is such a file and makes the
function again; the loaded graph reads the file's parameters, so training the network
afterwards changes nothing in it, as in MindSpore.

The forward pass is compiled shape-generic where it can be, so the graph takes inputs
of other shapes (another batch size) as MindSpore's does; else for the inputs given.
A loaded graph is its own Python source (registered with ``linecache``), so it can be
differentiated and compiled into other functions like any NumPy function.
"""
from __future__ import annotations

import inspect
import io
import json
import linecache
import os
import zipfile
from typing import Any

import numpy as np

from .. import trees
from ..backends.numpy import runtime
from ..backends.numpy.standalone import constant_lines, runtime_helpers
from ..errors import AutodiffError, AutodiffValueError, call_site
from ..pipeline.compiler import compile_gradient
from ..pipeline.kinds import abstract
from ..pipeline.spec import GradSpec
from .nn import Cell
from .tensor import Tensor

__all__ = ["export", "load", "GraphCell"]

_FORMAT = "autodiff-compiler forward graph 1"
_SPEC = GradSpec(None, False, None, False, False, False, False, primal="graph")


def export(net: Any, *inputs: Any, file_name: str, file_format: str = "MINDIR",
           **kwargs: Any) -> None:
    """Write ``net``'s forward pass on inputs like ``inputs``, with its parameters, to
    ``file_name`` (``.mindir`` added where it lacks it)."""
    if file_format != "MINDIR":
        raise AutodiffError(f"export: file_format {file_format!r} is not written here",
                            call_site(), hint="use file_format='MINDIR' (the package's own "
                            "forward graph, which load reads back)")
    compiled, kinds = _forward(net, inputs)
    text = _module_text(compiled)
    path = file_name if file_name.endswith(".mindir") else f"{file_name}.mindir"
    parameters = io.BytesIO()
    np.savez(parameters, *(np.asarray(obj) for _, obj in compiled.capture_objects))
    meta = {"format": _FORMAT, "function": compiled.ir.name,
            "outputs": _structure(compiled.value_skeleton), "inputs": kinds}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(meta))
        archive.writestr("forward.py", text)
        archive.writestr("parameters.npz", parameters.getvalue())


def load(file_name: str, **kwargs: Any) -> Graph:
    """The graph ``export`` wrote to ``file_name``: call it, or wrap it in
    ``nn.GraphCell``."""
    try:
        with zipfile.ZipFile(file_name) as archive:
            meta = json.loads(archive.read("meta.json"))
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
                held = meta.get("format") if isinstance(meta, dict) else meta
                raise ValueError(f"it holds {held!r}")
            text = archive.read("forward.py").decode()
            with np.load(io.BytesIO(archive.read("parameters.npz"))) as saved:
                parameters = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise AutodiffError(f"load: {file_name!r} is not a graph this package exported "
                            f"({err})", call_site(),
                            hint="load a file written by mindspore.export here (a MINDIR "
                                 "file MindSpore wrote cannot be read)") from None
    kinds = meta.get("inputs")
    return Graph(_defined(text, meta["function"], os.path.abspath(file_name)), parameters,
                 meta["outputs"], None if kinds is None else tuple(map(tuple, kinds)))


class Graph:
    """A loaded forward pass: ``graph(*inputs)`` runs it on the file's parameters.
    ``kinds``: the inputs' shapes and dtypes where it was compiled for them alone."""

    def __init__(self, fn: Any, parameters: list[np.ndarray], outputs: Any,
                 kinds: tuple | None = None) -> None:
        self.fn, self.parameters, self.outputs, self.kinds = fn, parameters, outputs, kinds

    def __call__(self, *inputs: Any) -> Any:
        if self.kinds is not None:
            given = tuple((list(np.shape(a)), str(np.asarray(a).dtype)) for a in inputs)
            if given != tuple((list(s), d) for s, d in self.kinds):
                raise AutodiffValueError(
                    f"this graph takes inputs of shapes and dtypes {list(self.kinds)}, not "
                    f"{list(given)}: its network compiles for the exported inputs' shapes "
                    "only", call_site(), hint="export it with inputs like those you call "
                                              "it with")
        flat = self.fn(*inputs, *self.parameters)
        return _rebuilt(self.outputs, list(flat) if isinstance(self.outputs, list) else [flat])


class GraphCell(Cell):
    """A Cell running a loaded graph (MindSpore's ``nn.GraphCell``); its outputs are
    Tensors. ``params_init`` (new parameter values by name) is not taken: the graph's
    parameters are its file's."""

    def __init__(self, graph: Graph, params_init: Any = None, obf_random_seed: Any = None
                 ) -> None:
        super().__init__()
        if not isinstance(graph, Graph):
            raise AutodiffValueError("GraphCell takes the graph mindspore.load returns",
                                     call_site())
        if params_init is not None:
            raise AutodiffError("GraphCell(params_init=...) is not supported: the graph's "
                                "parameters are those its file holds", call_site(),
                                hint="export the network again after setting them")
        self.graph = graph

    def construct(self, *inputs: Any) -> Any:
        return _as_tensors(self.graph(*inputs))


def _forward(net: Any, inputs: tuple) -> tuple[Any, list | None]:
    """The forward program: shape-generic where that compiles (no kinds), else for
    ``inputs`` (and their shapes and dtypes, which the graph then takes alone)."""
    try:
        return compile_gradient(net, _SPEC, None), None
    except AutodiffError:
        try:
            compiled = compile_gradient(net, _SPEC, [abstract(a) for a in inputs])
        except AutodiffError as err:
            raise err.with_traceback(None) from None
        return compiled, [[list(np.shape(a)), str(np.asarray(a).dtype)] for a in inputs]


def _module_text(compiled: Any) -> str:
    """A standalone module: NumPy, the runtime helpers and constants the code reads, and
    the generated function (which takes the inputs, then the parameters)."""
    namespace, code = compiled.fn.__globals__, compiled.fn.__code__
    constants = {name: namespace[name] for name in code.co_names
                 if name in namespace and name not in runtime.NAMESPACE}
    parts = ["import math", "import numpy as np"]
    if "scipy" in compiled.source:
        parts.append("import scipy.special")
    parts += [inspect.getsource(h).rstrip() for h in runtime_helpers([compiled.source])]
    parts += [*constant_lines(constants), compiled.source.rstrip()]
    return "\n\n\n".join(parts) + "\n"


def _defined(text: str, name: str, path: str) -> Any:
    """The function ``name`` that ``text`` defines, its source readable (``linecache``)
    as a file's is, so the compiler can read it again."""
    filename = f"<graph {path}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: dict[str, Any] = {"__name__": f"graph_{name}"}
    exec(compile(text, filename, "exec", dont_inherit=True), namespace)  # (our own code)
    return namespace[name]


def _structure(skeleton: Any) -> Any:
    """The outputs' structure as JSON: ``null`` for an array, a list for a tuple."""
    if skeleton is trees.LEAF:
        return None
    if isinstance(skeleton, tuple | list):
        return [_structure(s) for s in skeleton]
    raise AutodiffError("export: a network returning a dict or an object is not supported",
                        call_site(), hint="return an array or a tuple of them")


def _rebuilt(structure: Any, flat: list) -> Any:
    if structure is None:
        return flat.pop(0)
    return tuple(_rebuilt(s, flat) for s in structure)


def _as_tensors(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(map(_as_tensors, value))
    return value if isinstance(value, Tensor) else Tensor(value)
