"""The pipeline: lower -> reverse -> optimise -> codegen -> exec, for one argument kind.

``compile_gradient`` turns a user function plus a ``GradSpec`` into a ``Compiled``:
the optimised gradient IR, its Python source and callable, the guards and captures
needed to call it again, and ``finish``, which arranges the flat outputs into
MindSpore's return structure.
"""
from __future__ import annotations

import functools
import inspect
import itertools
import linecache
import types
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backends, trees
from ..ad import control as _control  # noqa: F401  (registers the region rules)
from ..ad.forward import forward
from ..ad.integers import integer_value
from ..ad.reverse import reverse
from ..backends.base import Backend
from ..backends.python.codegen import Generated, generate
from ..backends.python.expressions import may_raise_on_floats
from ..errors import (
    Loc,
    compiler_errors,
)
from ..frontend.captures import Guard, Path
from ..frontend.cells import is_cell, is_plain_array_subclass
from ..frontend.lowering import Lowering
from ..frontend.source import code_signature, definition_loc
from ..ir import primitives as P
from ..ir.builder import building
from ..ir.core import Aval, Function, Var, python_name, verify
from ..opt import passes
from . import leaf_hooks
from .guards import compile_guards
from .kinds import check_captured_library
from .outputs import seeds_of
from .positions import (
    check_positions,
    flat_positions,
    param_names,
    position_trees,
    regroup,
    runtime_leaves,
    shape_part,
    wrt_indices,
    zero_if_constant,
)

if TYPE_CHECKING:
    from .spec import GradSpec

_SERIAL = itertools.count()


@dataclass
class Compiled:
    """A compiled gradient for one kind of arguments."""

    ir: Function
    source: str
    fn: Callable[..., Any]
    spec: GradSpec
    guards: list[Guard]
    capture_objects: list[tuple[Path, Any]]
    n_values: int  # leading outputs that are the function's own value leaves
    value_skeleton: Any
    aux_skeleton: Any
    n_aux: int
    flat_positions: list[int] | None  # when every argument is an array, float or static
    keepalive: Any = None  # what the cache key refers to by id
    entry: Any = None  # the fast call path for this kind of arguments (``entry``), or False
    primal: Function | None = None  # the function itself, before any transform (for export)
    # Where a differentiated argument is a tuple, list or dict of arrays: each position's
    # structure (``trees.LEAF`` for an array), so its gradient comes back in that shape.
    position_trees: list[Any] | None = None
    # The same gradient spelled with NumPy only, built on first need: where code on
    # Python floats raised (``expressions.may_raise_on_floats``); None if it cannot.
    numpy_twin: Callable[[], Callable[..., Any]] | None = None
    # Applied to each output leaf before arranging (set by the API: MindSpore's Tensors
    # come back as Tensors); None leaves the outputs as the generated code made them.
    wrap: Callable[[Any], Any] | None = None
    # Each line of ``source`` that came from the user's code, and the place it came from
    # (the profiler times the lines by it).
    line_locs: dict[int, Loc] | None = None
    # The state its forward pass changes and reads (``replay``), found on first need.
    replay_plan: Any = None
    _at_edges: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        spec = self.spec
        self.plain_grads = not (spec.primal or spec.forward or spec.with_value or spec.has_aux or
                                spec.return_ids or spec.weights is not None
                                or self.position_trees)
        self.holds = compile_guards(self.guards)  # True while nothing baked in has changed

    def run(self, args: Sequence[Any], extra: Sequence[Any] = ()) -> list[Any]:
        """Call the generated function; ``extra`` are cotangent or tangent inputs."""
        inputs = self.inputs(args)
        try:
            out = self.fn(*inputs, *extra)
        except (ArithmeticError, ValueError) as err:
            if self.numpy_twin is None:
                note_user_line(err)
                raise
            out = self.at_edges()(*inputs, *extra)
        except Exception as err:
            note_user_line(err)
            raise
        return list(out) if len(self.ir.outvars) != 1 else [out]

    def inputs(self, args: Sequence[Any]) -> list[Any]:
        """What the generated function takes for ``args``: their array and float
        leaves, then the captured arrays as they are now."""
        if self.flat_positions is not None:
            inputs = [args[i] for i in self.flat_positions]
        else:
            inputs = [leaf for a in args for leaf in runtime_leaves(a)]
        inputs += [path.resolve() for path, _ in self.capture_objects]
        return [np.ndarray.view(v, np.ndarray) if is_plain_array_subclass(v) else v for v in inputs]

    def at_edges(self) -> Callable[..., Any]:
        """The gradient as NumPy computes it for 0-d arrays, for inputs at which the
        fast code on Python floats raised (``1 / 0.0``, ``math.asin(2.0)``): inf or nan,
        with NumPy's warnings. Its own errors are the user's."""
        if self._at_edges is None:
            fn = self.numpy_twin()

            def at_edges(*inputs: Any) -> Any:
                try:
                    out = fn(*(np.array(v) if type(v) is float else v for v in inputs))
                except Exception as err:
                    note_user_line(err)
                    err.__suppress_context__ = True  # not "during handling of" the first
                    raise
                return as_scalar(out) if len(self.ir.outvars) == 1 else \
                    tuple(map(as_scalar, out))

            self._at_edges = at_edges
        return self._at_edges

    def finish(self, flat: Sequence[Any], args: Sequence[Any] | None = None) -> Any:
        """Arrange flat outputs as MindSpore returns them; ``args``, those of a call that
        ran (not a compilation inlining this one): the hooks on its leaves run."""
        spec, n = self.spec, self.n_values
        if self.wrap is not None:
            flat = list(map(self.wrap, flat))
        if spec.primal:
            return trees.unflatten(self.value_skeleton, list(flat))
        if args is not None and not spec.forward and self.wrap is not None:
            flat = leaf_hooks.at_leaves(self, flat, args)
        if self.plain_grads:  # the common case: gradients only, as a tuple or bare
            return flat[0] if len(flat) == 1 and spec.bare_position else tuple(flat)
        if spec.forward:
            tangent_skeleton = trees.map_leaves(self.value_skeleton, zero_if_constant)
            tangent = trees.unflatten(tangent_skeleton, list(flat[n:]))
            return (trees.unflatten(self.value_skeleton, list(flat[:n])), tangent) \
                if spec.with_value else tangent
        grads = list(flat[n:len(flat) - self.n_aux])
        pos_grads, w_grads = regroup(self.position_trees, grads, len(spec.positions or ()))
        # a Parameter listed whose requires_grad is False when called: zeros (MindSpore's)
        w_grads = [g if getattr(w, "requires_grad", True) else np.zeros_like(g)
                   for w, g in zip(spec.weights or (), w_grads)]
        pos_part = shape_part(spec, pos_grads, spec.positions or (), spec.bare_position)
        w_ids = tuple(w.name for w in spec.weights or ())
        w_part = shape_part(spec, w_grads, w_ids, spec.bare_weight)
        # weights=[] (a net without Parameters) still gives MindSpore's (grads, ())
        g = (pos_part, w_part) if spec.positions and spec.weights is not None else \
            (pos_part if spec.positions else w_part)
        if spec.with_value:
            return trees.unflatten(self.value_skeleton, list(flat[:n])), g
        if spec.has_aux:
            return g, trees.unflatten(self.aux_skeleton, list(flat[len(flat) - self.n_aux:]))
        return g


def as_scalar(value: Any) -> Any:
    """A 0-d array as the NumPy scalar it holds (what a Python float's gradient is)."""
    return value[()] if type(value) is np.ndarray and value.ndim == 0 else value


def compile_gradient(fn: Any, spec: GradSpec, args: list[Any] | None, *,
                     optimize: bool = True, weights_passed: tuple = ()) -> Compiled:
    """Compile the gradient of ``fn`` for abstract ``args`` (``None``: shape-generic).
    ``optimize=False`` skips ``passes.PIPELINE`` and in-place writes (to see what the
    transform emitted). ``weights_passed``: ``(k, j)`` where the ``k``-th array of the
    arguments is weight ``j`` itself (``value_and_grad(loss, None, [p])(p)``): reads of
    the weight are reads of that argument, so its gradient counts both.

    Failures are ``AutodiffError``s at the user's line; an unexpected exception is a
    compiler bug, reported as one at the line being compiled when it happened.
    """
    with compiler_errors(_definition_loc(fn)):
        return _compile(fn, spec, args, optimize, weights_passed)


def _definition_loc(fn: Any) -> Loc | None:
    target = _target(fn)
    return definition_loc(target) if isinstance(target, types.FunctionType) else None


def _compile(fn: Any, spec: GradSpec, args: list[Any] | None, optimize: bool = True,
             weights_passed: tuple = ()) -> Compiled:
    target = _target(fn)
    loc = _definition_loc(fn)
    with building(loc) as b:
        low = Lowering()
        args = _generic_args(fn, target) if args is None else args
        _name_arguments(target, args)
        leaves = [v for a in args for v in trees.flatten(a, _is_var)[0]]
        for k, j in weights_passed:  # the weight read is the argument
            low.captures.vars[id(spec.weights[j])] = leaves[k]
        for a in args:  # an object passed (a default): guarded as a global read would be
            if not isinstance(a, Var | bool | int | float | complex | str | tuple | list) \
                    and type(a) is not dict and a is not None:
                low.captures.free_value(Path.of_object(a), a)
        # An array made while compiling is a constant of the program: returned, it is
        # copied like any output, or every call would hand out the same array.
        check_positions(target, args, spec, loc)  # (wrt_indices checks their dtypes)
        out = trees.map_leaves(low.call_entry(fn, args),
                               lambda v: P.copy(v) if isinstance(v, np.ndarray) else v)
        for w in spec.weights or ():
            low.captures.array(Path.of_object(w, w.name or "weight"), w)
    arg_vars = [v for a in args for v in trees.flatten(a, _is_var)[0]]
    cap_vars = [var for _, _, var in low.captures.arrays]
    primal = verify(_primal(fn, arg_vars + cap_vars, b.eqns, out, loc))
    # the arguments first: an int one makes an int output, and is the mistake to name
    wrt = wrt_indices(target, args, spec, primal, low, loc)
    integers = not spec.forward and any(integer_value(primal.invars[i]) for i in wrt)
    seeds, aux_leaves, aux_skeleton = ([], [], None) if spec.primal else \
        seeds_of(out, spec, loc, integers=integers)
    program = derivative_program(primal, spec, wrt, seeds, aux_leaves)
    backend = backends.get(spec.backend)
    ir = verify(passes.optimize(program, fused=backend.fuses,
                                        numpy_arrays=backend.numpy_arrays) if optimize
                else passes.fresh_outputs(program))
    guards = low.captures.guards + _weight_guards(low, spec) + _code_guards(fn, target)
    captures = [(path, obj) for path, obj, _ in low.captures.arrays]
    check_captured_library(fn, captures, spec.backend)
    doc = _doc(target, spec, wrt, ir)
    generated = generate(ir, doc, backend=backend, in_place=optimize)
    spelled = functools.partial(backend.spell, python_floats=backend.python_floats)
    numpy_twin = (lambda: _load(ir.name, generate(ir, doc, backend=backend, in_place=optimize,
                                                  python_floats=False), backend)) \
        if may_raise_on_floats(ir, spelled) else None
    value_skeleton = trees.flatten(out, _is_var)[1]
    n_out = len(primal.outvars)
    shown = f"{generated.support}\n\n{generated.source}" if generated.support \
        else generated.source
    return Compiled(ir, shown, _load(ir.name, generated, backend), spec, guards,
                    captures,
                    n_out if spec.with_value else 0, value_skeleton, aux_skeleton,
                    0 if spec.with_value else len(aux_leaves), flat_positions(args),
                    primal=primal, numpy_twin=numpy_twin,
                    position_trees=position_trees(args, spec), line_locs=generated.line_locs)


def derivative_program(primal: Function, spec: GradSpec, wrt: list[int], seeds: list[Var],
               aux_leaves: list[Var]) -> Function:
    """The derivative program, returning just what ``spec`` asks for, in order:
    the value (or aux) and the derivatives."""
    # Dead code first: a value nothing reads must get no adjoint (a NaN computed on a
    # dead path would otherwise meet its zero cotangent: 0 / nan is nan).
    primal = passes.dce(primal)
    if spec.primal:
        return replace(primal, name=f"{spec.primal}_{primal.name}")
    outs = list(primal.outvars)
    n_out = len(outs)
    if spec.forward:
        full = forward(primal, wrt)
        keep = list(range(0 if spec.with_value else n_out, 2 * n_out))
    else:
        full = reverse(primal, wrt, [outs.index(s) for s in seeds],
                       cotangent_inputs=spec.cotangent_inputs)
        keep = list(range(n_out)) if spec.with_value else []
        keep += [n_out + i for i in range(len(wrt))]
        keep += [] if spec.with_value else [outs.index(a) for a in aux_leaves]
    prefix = "jvp" if spec.forward else "vjp" if spec.cotangent_inputs else \
        "value_and_grad" if spec.with_value else "grad"
    return passes.select_outputs(replace(full, name=f"{prefix}_{primal.name}"), keep)


def _is_var(x: Any) -> bool:
    return isinstance(x, Var)


def _target(fn: Any) -> Any:
    """The Python function whose source (and parameter names) a compilation starts from."""
    if is_cell(fn):
        return type(fn).construct
    if hasattr(fn, "__lower_call__") and hasattr(fn, "fn"):  # a gradient: its names are fn's
        return _target(fn.fn)
    return getattr(fn, "__func__", fn)


def _generic_args(fn: Any, target: Any) -> list[Any]:
    """Unknown-shape arguments from the signature, for shape-generic source."""
    params = list(code_signature(target).parameters.values())
    if is_cell(fn) or isinstance(fn, types.MethodType):
        params = params[1:]
    out = []
    for p in params:
        if p.default is inspect.Parameter.empty:
            out.append(Var(Aval(), p.name))
        elif isinstance(p.default, np.ndarray | float):
            out.append(Var(Aval.of(p.default), p.name))
        else:
            out.append(p.default)
    return out


def _name_arguments(target: Any, args: list[Any]) -> None:
    for name, arg in zip(param_names(target), args):
        if isinstance(arg, Var) and not arg.hint:
            arg.hint = name


def _primal(fn: Any, invars: list[Var], eqns: list, out: Any, loc: Any) -> Function:
    leaves = trees.flatten(out, _is_var)[0]
    name = getattr(_target(fn), "__name__", "fn")
    if name == "construct":  # a Cell (or its bound construct) is named after its class
        owner = fn.__self__ if isinstance(fn, types.MethodType) else fn
        name = type(owner).__name__.lower()
    return Function(python_name(str(name), "fn"), tuple(invars), tuple(eqns), tuple(leaves),
                    loc)


def _code_guards(fn: Any, target: Any) -> list[Guard]:
    """A Cell's class keeps its ``construct``; a function taking ``*args``/``**kwargs``
    keeps its code and defaults (the others' defaults are bound as arguments, and the
    fast call path checks their code). The functions it calls are guarded where read."""
    if not isinstance(target, types.FunctionType):
        return []
    if is_cell(fn):
        return [Guard(Path.of_object(type(fn)).attr("construct"), target)]
    if target.__code__.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return [Guard(Path.of_object(target), target)]
    return []


def _weight_guards(low: Lowering, spec: GradSpec) -> list[Guard]:
    """A weight found along a path must still be that very Parameter at call time."""
    weights = {id(w) for w in spec.weights or ()}
    return [Guard(path, obj) for path, obj, _ in low.captures.arrays if id(obj) in weights]


def _doc(target: Any, spec: GradSpec, wrt: list[int], ir: Function) -> str:
    where = f" ({ir.loc})" if ir.loc else ""
    names = ", ".join(ir.invars[i].hint or "?" for i in wrt)
    if spec.primal:
        return f"{spec.primal} of {getattr(target, '__qualname__', ir.name)}{where}."
    what = ("Value and tangent" if spec.with_value else "Tangent") if spec.forward else \
        "Value and gradient" if spec.with_value else "Gradient"
    return f"{what} of {getattr(target, '__qualname__', ir.name)}{where} with respect to {names}."


def _load(name: str, generated: Generated, backend: Backend) -> Callable[..., Any]:
    """Compile and exec generated source, registered in ``linecache`` for tracebacks
    for as long as the function lives (a cache entry dropped takes its lines along)."""
    source = generated.source
    filename = f"<autodiff_compiler:{name}:{next(_SERIAL)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _LINE_LOCS[filename] = generated.line_locs
    namespace = dict(backend.namespace, **generated.constants)
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace.pop(name)  # no cycle through its globals: freed when last used
    fn.__source__ = source
    weakref.finalize(fn, _forget, filename)
    return fn


def _forget(filename: str) -> None:
    linecache.cache.pop(filename, None)
    _LINE_LOCS.pop(filename, None)


_LINE_LOCS: dict[str, dict[int, Loc]] = {}


def note_user_line(err: BaseException) -> None:
    """Add to an exception raised in generated code which line of the user's it came
    from, so a shape error in a gradient names the user's ``file:line``. A function the
    gradient calls (a backward hook, a custom backward, code recomputed for it) is
    running for the gradient although its own lines are forward code."""
    tb, where, for_the_gradient = err.__traceback__, None, False
    while tb is not None:
        locs = _LINE_LOCS.get(tb.tb_frame.f_code.co_filename)
        if locs is not None:
            where = locs.get(tb.tb_lineno)
            for_the_gradient = for_the_gradient or (where is not None and where.adjoint)
        tb = tb.tb_next
    if where is not None and hasattr(err, "add_note"):
        role = "the gradient of" if for_the_gradient else "the forward pass of"
        err.add_note(f"raised in {role} {where}:\n{where.excerpt()}")
