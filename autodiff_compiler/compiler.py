"""The pipeline: lower -> reverse -> optimise -> codegen -> exec, for one argument kind.

``compile_gradient`` turns a user function plus a ``GradSpec`` into a ``Compiled``:
the optimised gradient IR, its Python source and callable, the guards and captures
needed to call it again, and ``finish``, which arranges the flat outputs into
MindSpore's return structure.
"""
from __future__ import annotations

import inspect
import itertools
import linecache
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from . import passes, trees
from .builder import building
from .captures import Path, guards_hold
from .codegen import Generated, generate
from .errors import (
    AutodiffError,
    AutodiffValueError,
    Loc,
    compiler_errors,
)
from .expressions import may_raise_on_floats
from .ir import Aval, Function, Var, verify
from .lowering import Lowering
from .nn import Cell
from .outputs import seeds_of
from .runtime import NAMESPACE
from .source import definition_loc
from .tensor import Parameter
from .transforms import control as _control  # noqa: F401  (registers the region rules)
from .transforms.forward import forward
from .transforms.reverse import reverse

if TYPE_CHECKING:
    from .api import GradSpec

_SERIAL = itertools.count()
_MISSING = object()


@dataclass
class Compiled:
    """A compiled gradient for one kind of arguments."""

    ir: Function
    source: str
    fn: Callable[..., Any]
    spec: GradSpec
    guards: list[tuple[Path, Any]]
    capture_objects: list[tuple[Path, Any]]
    n_values: int  # leading outputs that are the function's own value leaves
    value_skeleton: Any
    aux_skeleton: Any
    n_aux: int
    flat_positions: list[int] | None  # when every argument is an array, float or static
    keepalive: Any = None  # what the cache key refers to by id
    entry_code: Any = None  # the specialised call path, compiled once (see ``entry``)
    primal: Function | None = None  # the function itself, before any transform (for export)
    # The same gradient spelled with NumPy only, built on first need: where code on
    # Python floats raised (``expressions.may_raise_on_floats``); None if it cannot.
    numpy_twin: Callable[[], Callable[..., Any]] | None = None
    _at_edges: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        spec = self.spec
        self.plain_grads = not (spec.forward or spec.with_value or spec.has_aux or
                                spec.return_ids or spec.weights)

    def run(self, args: Sequence[Any], extra: Sequence[Any] = ()) -> list[Any]:
        """Call the generated function; ``extra`` are cotangent or tangent inputs."""
        if self.flat_positions is not None:
            inputs = [args[i] for i in self.flat_positions]
        else:
            inputs = [leaf for a in args for leaf in _leaves(a)]
        inputs += [path.resolve() for path, _ in self.capture_objects]
        inputs = [v if type(v) is not Parameter else v.view(np.ndarray) for v in inputs]
        try:
            out = self.fn(*inputs, *extra)
        except (ArithmeticError, ValueError) as err:
            if self.numpy_twin is None:
                _note_user_line(err)
                raise
            out = self.at_edges()(*inputs, *extra)
        except Exception as err:
            _note_user_line(err)
            raise
        return list(out) if len(self.ir.outvars) != 1 else [out]

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
                    _note_user_line(err)
                    err.__suppress_context__ = True  # not "during handling of" the first
                    raise
                return _scalars(out) if len(self.ir.outvars) == 1 else \
                    tuple(map(_scalars, out))

            self._at_edges = at_edges
        return self._at_edges

    def entry(self, args: Sequence[Any],
              parameters: Sequence[inspect.Parameter]) -> Callable[..., Any] | None:
        """A ``__call__`` for ``GradFunction`` specialised to this kind of arguments: it
        checks each argument's type, shape and dtype (and the baked-in globals) inline
        and calls the generated function directly; anything else goes to the general
        path ``self._call`` (and may recompile). None where no such check is possible.

        Where the differentiated function takes plain parameters only, the entry takes
        the same ones, so Python binds keywords itself and no ``*args, **kwargs`` are
        packed on each call (``parameters``: the function's own)."""
        if self.entry_code is None:
            self.entry_code = self._entry_code(args, parameters) or False
        if not self.entry_code:
            return None
        code, env, n_args = self.entry_code
        return types.FunctionType(code, env, "__call__", (_MISSING,) * n_args)

    def _entry_code(self, args: Sequence[Any], parameters: Sequence[inspect.Parameter]
                    ) -> tuple[Any, dict[str, Any], int] | None:
        if self.flat_positions is None or len(args) > 16:
            return None
        env: dict[str, Any] = {"fn": self.fn, "note": _note_user_line,
                               "ndarray": np.ndarray, "M": _MISSING, "guards": self.guards,
                               "guards_hold": guards_hold}
        mirrored = _plain(parameters, len(args))
        names = [p.name for p in parameters] if mirrored else [f"a{i}" for i in range(len(args))]
        checks = []
        for i, (name, value) in enumerate(zip(names, args)):
            if type(value) is np.ndarray:
                env[f"s{i}"], env[f"d{i}"] = value.shape, value.dtype
                checks.append(f"type({name}) is ndarray and {name}.shape == s{i} "
                              f"and {name}.dtype is d{i}")
            elif type(value) in (float, int, bool, str) or value is None:
                env[f"v{i}"] = value
                kind = "float" if type(value) is float else f"type(v{i})"
                checks.append(f"type({name}) is {kind}" + (
                    "" if type(value) is float else f" and {name} == v{i}"))
            else:
                return None
        if self.guards:
            checks.append("guards_hold(guards)")
        inputs = [names[i] for i in self.flat_positions]
        for j, (path, _) in enumerate(self.capture_objects):
            env[f"c{j}"] = path.resolve
            inputs.append(f"c{j}()")
        call = self._entry_call(inputs, "fn", env)
        signature, fallback = _mirrored(parameters) if mirrored else (
            ", ".join(f"{n}=M" for n in names) + ", /, *rest, **kwargs",
            f"*(a for a in ({', '.join(names)},) if a is not M), *rest, **kwargs")
        if not mirrored:
            checks.insert(0, "not rest and not kwargs")
        edges = ""
        if self.numpy_twin is not None:  # NumPy's inf or nan where Python floats raise
            env["at_edges"] = self.at_edges
            edges = (f"        except (ArithmeticError, ValueError):\n"
                     f"            return {self._entry_call(inputs, 'at_edges()', env)}\n")
        source = (f"def __call__(self, {signature}):\n"
                  f"    if {' and '.join(checks) or 'True'}:\n"
                  f"        try:\n            return {call}\n{edges}"
                  f"        except Exception as err:\n            note(err)\n            raise\n"
                  f"    return self._call({fallback})\n")
        module = compile(source, f"<autodiff_compiler:entry:{self.ir.name}>", "exec")
        code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
        if mirrored and set(names) & set(code.co_names):  # a parameter named like a global
            return self._entry_code(args, ())
        return code, env, len(names)

    def _entry_call(self, inputs: list[str], fn: str, env: dict[str, Any]) -> str:
        """The entry's call of the generated function ``fn``, arranged by ``finish``
        unless it returns plain gradients."""
        call = f"{fn}({', '.join(inputs)})"
        if self.plain_grads:
            return call
        env["finish"], env["n"] = self.finish, len(self.ir.outvars)
        return f"finish(list({call}) if n != 1 else [{call}])" if len(self.ir.outvars) != 1 \
            else f"finish([{call}])"

    def finish(self, flat: Sequence[Any]) -> Any:
        """Arrange flat outputs as MindSpore returns them."""
        spec, n = self.spec, self.n_values
        if self.plain_grads:  # the common case: gradients only, as a tuple or bare
            return flat[0] if len(flat) == 1 and spec.bare_position else tuple(flat)
        if spec.forward:
            tangent_skeleton = trees.map_leaves(self.value_skeleton, _zero_if_constant)
            return (trees.unflatten(self.value_skeleton, list(flat[:n])),
                    trees.unflatten(tangent_skeleton, list(flat[n:])))
        grads = list(flat[n:len(flat) - self.n_aux])
        n_pos = len(spec.positions or ())
        pos_part = _shape_part(spec, grads[:n_pos], spec.positions or (), spec.bare_position)
        w_ids = tuple(w.name for w in spec.weights or ())
        w_part = _shape_part(spec, grads[n_pos:], w_ids, spec.bare_weight)
        g = (pos_part, w_part) if spec.positions and spec.weights else \
            (pos_part if spec.positions else w_part)
        if spec.with_value:
            return trees.unflatten(self.value_skeleton, list(flat[:n])), g
        if spec.has_aux:
            return g, trees.unflatten(self.aux_skeleton, list(flat[len(flat) - self.n_aux:]))
        return g


def _mirrored(parameters: Sequence[inspect.Parameter]) -> tuple[str, str]:
    """An entry's parameter list mirroring the function's (each defaulting to ``M``,
    missing), and the arguments it passes on to the general path."""
    kinds = inspect.Parameter
    only = [p.name for p in parameters if p.kind is kinds.POSITIONAL_ONLY]
    either = [p.name for p in parameters if p.kind is kinds.POSITIONAL_OR_KEYWORD]
    keyword = [p.name for p in parameters if p.kind is kinds.KEYWORD_ONLY]
    signature = ", ".join([*(f"{n}=M" for n in only), *(["/"] if only else []),
                           *(f"{n}=M" for n in either), *(["*"] if keyword else []),
                           *(f"{n}=M" for n in keyword)])
    named = "".join(f"({n!r}, {n}), " for n in either + keyword)
    fallback = (f"*(a for a in ({''.join(f'{n}, ' for n in only)}) if a is not M), "
                f"**{{k: v for k, v in ({named}) if v is not M}}")
    return signature, fallback


def _plain(parameters: Sequence[inspect.Parameter], n_args: int) -> bool:
    """Parameters an entry can take as they are: one per argument, no ``*``/``**``."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
             inspect.Parameter.KEYWORD_ONLY)
    return len(parameters) == n_args and all(p.kind in kinds for p in parameters) \
        and not {p.name for p in parameters} & {"self", "a", "k", "v"}


def _zero_if_constant(value: Any) -> Any:
    return 0.0 if isinstance(value, bool | int | float | complex) else value


def _shape_part(spec: GradSpec, grads: list, ids: Sequence[Any], bare: bool) -> Any:
    items = list(zip(ids, grads)) if spec.return_ids else grads
    return items[0] if bare else tuple(items)


def _scalars(value: Any) -> Any:
    """A 0-d array as the NumPy scalar it holds (what a Python float's gradient is)."""
    return value[()] if type(value) is np.ndarray and value.ndim == 0 else value


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, tuple | list):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, np.ndarray | np.generic | float | complex) and not isinstance(value, bool):
        return [value]
    return []


# ---------------------------------------------------------------------------- pipeline


def compile_gradient(fn: Any, spec: GradSpec, args: list[Any] | None, *,
                     optimize: bool = True) -> Compiled:
    """Compile the gradient of ``fn`` for abstract ``args`` (``None``: shape-generic).
    ``optimize=False`` skips ``passes.PIPELINE`` and in-place writes (to see what the
    transform emitted).

    Failures are ``AutodiffError``s at the user's line; an unexpected exception is a
    compiler bug, reported as one at the line being compiled when it happened.
    """
    with compiler_errors(_definition_loc(fn)):
        return _compile(fn, spec, args, optimize)


def _definition_loc(fn: Any) -> Loc | None:
    target = _target(fn)
    return definition_loc(target) if isinstance(target, types.FunctionType) else None


def _compile(fn: Any, spec: GradSpec, args: list[Any] | None, optimize: bool = True) -> Compiled:
    target = _target(fn)
    loc = _definition_loc(fn)
    with building(loc) as b:
        low = Lowering()
        args = _generic_args(fn, target) if args is None else args
        _name_arguments(target, args)
        out = low.call_entry(fn, args)
        for w in spec.weights or ():
            low.captures.array(Path.of_object(w, w.name or "weight"), w)
    arg_vars = [v for a in args for v in trees.flatten(a, _is_var)[0]]
    cap_vars = [var for _, _, var in low.captures.arrays]
    primal = verify(_primal(fn, arg_vars + cap_vars, b.eqns, out, loc))
    seeds, aux_leaves, aux_skeleton = seeds_of(out, spec, loc)
    wrt = _wrt(target, args, spec, arg_vars + cap_vars, low, loc)
    program = _transform(primal, spec, wrt, seeds, aux_leaves)
    ir = verify(passes.optimize(program) if optimize else passes.fresh_outputs(program))
    guards = low.captures.guards + _weight_guards(low, spec)
    captures = [(path, obj) for path, obj, _ in low.captures.arrays]
    doc = _doc(target, spec, wrt, ir)
    generated = generate(ir, doc, in_place=optimize)
    numpy_twin = (lambda: _load(ir.name, generate(ir, doc, in_place=optimize,
                                                  python_floats=False))) \
        if may_raise_on_floats(ir) else None
    value_skeleton = trees.flatten(out, _is_var)[1]
    n_out = len(primal.outvars)
    return Compiled(ir, generated.source, _load(ir.name, generated), spec, guards, captures,
                    n_out if spec.with_value else 0, value_skeleton, aux_skeleton,
                    0 if spec.with_value else len(aux_leaves), _flat_positions(args),
                    primal=primal, numpy_twin=numpy_twin)


def _transform(primal: Function, spec: GradSpec, wrt: list[int], seeds: list[Var],
               aux_leaves: list[Var]) -> Function:
    """The derivative program, returning just what ``spec`` asks for, in order:
    the value (or aux) and the derivatives."""
    outs = list(primal.outvars)
    n_out = len(outs)
    if spec.forward:
        full, keep = forward(primal, wrt), list(range(2 * n_out))
    else:
        full = reverse(primal, wrt, [outs.index(s) for s in seeds],
                       cotangent_inputs=spec.cotangent_inputs)
        keep = list(range(n_out)) if spec.with_value else []
        keep += [n_out + i for i in range(len(wrt))]
        keep += [] if spec.with_value else [outs.index(a) for a in aux_leaves]
    prefix = "jvp" if spec.forward else "vjp" if spec.cotangent_inputs else \
        "value_and_grad" if spec.with_value else "grad"
    return passes.select_outputs(replace(full, name=f"{prefix}_{primal.name}"), keep)


def _flat_positions(args: list[Any]) -> list[int] | None:
    """Positions of runtime arguments, when no argument is a container."""
    if any(isinstance(a, tuple | list) for a in args):
        return None
    return [i for i, a in enumerate(args) if isinstance(a, Var)]


def _is_var(x: Any) -> bool:
    return isinstance(x, Var)


def _target(fn: Any) -> Any:
    """The Python function whose source (and parameter names) a compilation starts from."""
    if isinstance(fn, Cell):
        return type(fn).construct
    if hasattr(fn, "__lower_call__"):  # a gradient function: its names are fn's
        return _target(fn.fn)
    return getattr(fn, "__func__", fn)


def _generic_args(fn: Any, target: Any) -> list[Any]:
    """Unknown-shape arguments from the signature, for shape-generic source."""
    params = list(inspect.signature(target).parameters.values())
    if isinstance(fn, Cell | types.MethodType):
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
    for name, arg in zip(_param_names(target), args):
        if isinstance(arg, Var) and not arg.hint:
            arg.hint = name


def _primal(fn: Any, invars: list[Var], eqns: list, out: Any, loc: Any) -> Function:
    leaves = trees.flatten(out, _is_var)[0]
    name = getattr(_target(fn), "__name__", "fn")
    if name == "construct":  # a Cell (or its bound construct) is named after its class
        owner = fn.__self__ if isinstance(fn, types.MethodType) else fn
        name = type(owner).__name__.lower()
    return Function(_identifier(name), tuple(invars), tuple(eqns), tuple(leaves), loc)


def _identifier(name: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "fn"


def _wrt(target: Any, args: list, spec: GradSpec, invars: list[Var], low: Lowering,
         loc: Any) -> list[int]:
    names = _param_names(target)
    wrt = []
    for p in spec.positions or ():
        if not -len(args) <= p < len(args):
            raise AutodiffValueError(f"grad_position {p} is out of range: the function takes "
                                f"{len(args)} arguments", loc)
        arg, name = args[p], names[p] if p < len(names) else f"#{p}"
        if not isinstance(arg, Var):
            what = type(arg).__name__
            raise AutodiffError(
                f"cannot differentiate with respect to argument '{name}' (position {p}): "
                f"it is a {what}, not a float array", loc,
                hint="pass a float array (e.g. np.float32) at that position, or leave it "
                     "out of grad_position")
        if not arg.aval.is_float:
            raise AutodiffError(
                f"cannot differentiate with respect to argument '{name}' (position {p}): "
                f"its dtype is {arg.aval.dtype}", loc,
                hint="cast it to a float dtype first, e.g. x.astype(np.float32)")
        wrt.append(invars.index(arg))
    for w in spec.weights or ():
        wrt.append(invars.index(low.captures.vars[id(w)]))
    return wrt


def _param_names(target: Any) -> list[str]:
    try:
        names = list(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        return []
    return names[1:] if names and names[0] == "self" else names


def _weight_guards(low: Lowering, spec: GradSpec) -> list[tuple[Path, Any]]:
    """A weight found along a path must still be that very Parameter at call time."""
    weights = {id(w) for w in spec.weights or ()}
    return [(path, obj) for path, obj, _ in low.captures.arrays if id(obj) in weights]


def _doc(target: Any, spec: GradSpec, wrt: list[int], ir: Function) -> str:
    where = f" ({ir.loc})" if ir.loc else ""
    names = ", ".join(ir.invars[i].hint or "?" for i in wrt)
    what = "Value and tangent" if spec.forward else \
        "Value and gradient" if spec.with_value else "Gradient"
    return f"{what} of {getattr(target, '__qualname__', ir.name)}{where} with respect to {names}."


def _load(name: str, generated: Generated) -> Callable[..., Any]:
    """Compile and exec generated source, registered in ``linecache`` for tracebacks."""
    source = generated.source
    filename = f"<autodiff_compiler:{name}:{next(_SERIAL)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _LINE_LOCS[filename] = generated.line_locs
    namespace = dict(NAMESPACE, **generated.constants)
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.__source__ = source
    return fn


_LINE_LOCS: dict[str, dict[int, Loc]] = {}


def _note_user_line(err: BaseException) -> None:
    """Add to an exception raised in generated code which line of the user's it came
    from, so a shape error in a gradient names the user's ``file:line``."""
    tb, where = err.__traceback__, None
    while tb is not None:
        locs = _LINE_LOCS.get(tb.tb_frame.f_code.co_filename)
        if locs is not None:
            where = locs.get(tb.tb_lineno)
        tb = tb.tb_next
    if where is not None and hasattr(err, "add_note"):
        role = "the gradient of" if where.adjoint else "the forward pass of"
        err.add_note(f"raised in {role} {where}:\n{where.excerpt()}")
