"""jvp and vjp, as MindSpore 2.x spells them (and the JAX-style forms that do not clash).

MindSpore's ``jvp(fn, inputs, v, has_aux=False)`` takes one Tensor or a tuple of them
for ``inputs`` and ``v``; JAX's ``jvp(fn, primals, tangents)`` takes sequences. A tuple
means the same to both, so one function serves both: a bare array or float is one
input. ``vjp(fn, *inputs, weights=None, has_aux=False)`` is the same call in both; its
``vjp_fn`` takes the cotangents as one tuple (MindSpore) or one argument each (JAX).

Pytrees: an argument may be a tuple, list or dict of float arrays (nested as you
like); its tangent, and the gradient ``vjp_fn`` returns for it, have its structure,
and ``vjp_fn``'s cotangent has the output's (a dict output takes a dict). A dict is
matched by its keys, whatever their order; any other difference in structure is an
error naming the argument.

Both compile once per kind of arguments through ``GradFunction`` (same cache as
``grad``); the Jacobian transforms (``jacobians``) reuse the compiled program per basis
vector through ``forward_program`` and ``reverse_program``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from . import trees
from .api import shared_gradient
from .errors import AutodiffError, AutodiffTypeError, AutodiffValueError, call_site
from .frontend.captures import is_array
from .frontend.cells import is_parameter
from .inlined_jvp import lower_jvp
from .ir.core import Aval
from .options import grad_spec
from .pipeline.compiler import Compiled, as_scalar
from .pipeline.local import refuse_local
from .pipeline.outputs import refuse_non_numbers
from .pipeline.replay import Replay
from .pipeline.spec import GradSpec
from .pullbacks import lower_vjp, pullback_lowering


def refuse(message: str, hint: str | None = None, kind: type = AutodiffTypeError) -> None:
    """Raise a bad-argument error located at the user's call, with no package frames."""
    raise kind(message, call_site(), hint=hint).with_traceback(None) from None


def is_float_value(a: Any) -> bool:
    """A value that can carry a tangent: a Python float or complex, or a float (or
    complex) array."""
    return isinstance(a, float | complex) or (is_array(a) and Aval.of(a).is_float)


def _is_sequence(value: Any) -> bool:
    """A tuple, list or namedtuple (not another subclass: a ``ParameterTuple`` is one
    value to a transform)."""
    return type(value) in (tuple, list) or trees.is_namedtuple_type(type(value))


def _is_node(value: Any) -> bool:
    """A container a pytree descends into: a tuple, list, namedtuple or plain dict."""
    return type(value) is dict or _is_sequence(value)


def leaves_of(value: Any) -> list[Any]:
    """The leaves of a pytree, in the order compiled code takes them."""
    return trees.flatten(value, lambda node: not _is_node(node))[0]


def is_float_tree(value: Any) -> bool:
    """A float value, or a container holding float values only (at least one)."""
    leaves = leaves_of(value)
    return bool(leaves) and all(is_float_value(leaf) for leaf in leaves)


def structure(value: Any) -> str:
    """A pytree's structure as a user reads it: ``{'W': *, 'b': (*, *)}``."""
    if type(value) is dict:
        return "{" + ", ".join(f"{k!r}: {structure(v)}" for k, v in value.items()) + "}"
    if type(value) in (tuple, list):
        inner = ", ".join(structure(v) for v in value)
        return f"({inner},)" if type(value) is tuple and len(value) == 1 else \
            (f"({inner})" if type(value) is tuple else f"[{inner}]")
    return "*"


def like(reference: Any, given: Any) -> list[Any] | None:
    """The leaves of ``given`` in the order of ``reference``'s, if the two have the
    same structure (a dict's keys in any order; a tuple and a list alike); else None."""
    if type(reference) is dict:
        if type(given) is not dict or set(given) != set(reference):
            return None
        parts = [like(reference[k], given[k]) for k in reference]
    elif _is_sequence(reference):
        if not _is_sequence(given) or len(given) != len(reference):
            return None
        parts = [like(r, g) for r, g in zip(reference, given)]
    else:
        return None if _is_node(given) else [given]
    return None if any(p is None for p in parts) else [x for p in parts for x in p]


def _as_inputs(inputs: Any, what: str) -> tuple:
    """MindSpore's ``inputs``/``v``: a tuple or list of values, or one bare value (an
    array, a number or a dict of them)."""
    if isinstance(inputs, tuple | list):
        return tuple(inputs)
    if is_array(inputs) or isinstance(inputs, float | int | complex) or type(inputs) is dict:
        return (inputs,)
    refuse(f"jvp {what} must be an array, a float or a tuple of them, not "
           f"{type(inputs).__name__}", hint="e.g. jvp(f, x, v) or jvp(f, (x, y), (vx, vy))")
    raise AssertionError  # unreachable: refuse raised


def check_flag(name: str, value: Any) -> bool:
    """A yes/no option: a bool, as MindSpore checks (a truthy string is no answer)."""
    if not isinstance(value, bool | np.bool_):
        refuse(f"{name} must be True or False, not {value!r}")
    return bool(value)


def split_aux(out: Any) -> tuple[Any, Any]:
    """``(output, aux)`` of a ``has_aux`` function as MindSpore splits it: the first
    output, and the second alone or the rest as a tuple."""
    if not (isinstance(out, tuple | list) and len(out) >= 2):
        refuse("has_aux=True needs the function to return more than one output "
               "(output, aux...)", hint="return (output, aux), or drop has_aux=True",
               kind=AutodiffValueError)
    return out[0], (out[1] if len(out) == 2 else tuple(out[1:]))


# ---------------------------------------------------------------------------- forward


def forward_program(fn: Callable[..., Any], args: tuple, positions: Sequence[int],
                    specialize: bool = True, with_value: bool = True
                    ) -> tuple[tuple, Compiled]:
    """The compiled forward-mode program of ``fn`` at ``args`` for tangents at
    ``positions``, and the arguments bound (defaults as arguments); evaluate it with
    ``compiled.finish(compiled.run(bound, tangents))``. ``with_value=False``: a program
    returning the tangents alone, whose code computes only what they need."""
    spec = GradSpec(tuple(positions), False, None, False, has_aux=False, return_ids=False,
                    with_value=with_value, specialize=specialize, forward=True)
    grad_fn = shared_gradient(fn, spec)
    bound = grad_fn._bind(args, {})
    return bound, grad_fn.compiled_for(bound)


def jvp(fn: Callable[..., Any], inputs: Any, v: Any, has_aux: bool = False,
        specialize: bool = True) -> tuple:
    """``(outputs, jvp_outputs)`` by forward mode, or ``(outputs, jvp_outputs, aux)``
    with ``has_aux`` (the tangent of the first output only).

    ``inputs``: one array or float, or a tuple/list of arguments; ``v``: the tangent of
    each, shaped like it (a tuple for a tuple). Tangents may also be given for the float
    arguments only, as earlier versions took them; a non-float argument's tangent must
    be ``None`` or zeros. A float argument's tangent ``None`` holds it constant: the
    same answer as zeros, without computing tangents from it (data in a Hessian-vector
    product). ``specialize=False`` compiles shape-generic code.
    """
    has_aux = check_flag("has_aux", has_aux)
    out, tangent = directional_derivative(fn, inputs, v, specialize, with_value=True)
    if not has_aux:
        return out, tangent
    value, aux = split_aux(out)
    return value, split_aux(tangent)[0], aux


def directional_derivative(fn: Callable[..., Any], inputs: Any, v: Any,
                           specialize: bool = True, *, with_value: bool = False) -> Any:
    """The tangent of ``fn``'s outputs along ``v`` at ``inputs`` (``jvp``'s arguments),
    or ``(outputs, tangent)`` ``with_value``. Without the value the compiled program
    leaves out the work only the value needs: ``hvp`` (the tangent of a gradient) then
    does not compute the gradient itself."""
    refuse_local(fn, "jvp")
    primals = _as_inputs(inputs, "inputs")
    one = len(primals) == 1 and like(primals[0], v) is not None and like(primals, v) is None
    tangents = (v,) if one else _as_inputs(v, "v")
    positions = tuple(i for i, a in enumerate(primals) if is_float_tree(a))
    if len(tangents) == len(primals):
        for i, t in enumerate(tangents):
            if i not in positions and t is not None and any(map(np.any, leaves_of(t))):
                refuse(f"jvp: argument {i} is not a float value, so its tangent must be "
                       f"None or zeros", hint="differentiate only float arguments")
        positions = tuple(i for i in positions if tangents[i] is not None)  # None: held
        tangents = tuple(tangents[i] for i in positions)
        if not positions:
            refuse("jvp: every tangent is None, so nothing is differentiated",
                   kind=AutodiffValueError, hint="give a tangent for at least one input")
    if len(tangents) != len(positions):
        refuse(f"jvp needs one tangent per float argument ({len(positions)}), got "
               f"{len(tangents)}", kind=AutodiffValueError,
               hint="pass v with the same structure as inputs")
    flat, shapes, names = [], [], []
    for k, (i, t) in enumerate(zip(positions, tangents)):
        leaves = like(primals[i], t)
        if leaves is None:
            refuse(f"jvp: tangent {k} has the structure {structure(t)}, but its input "
                   f"(argument {i}) has {structure(primals[i])}", kind=AutodiffValueError,
                   hint="give each tangent the structure of its input")
        # a number as the tangent of a 0-d array is that array's tangent (the generated
        # code indexes and reshapes it as it does its primal); a 0-d array as the
        # tangent of a Python float is its scalar, immutable as the float is
        flat += [np.asarray(t_leaf, dtype=p.dtype) if isinstance(p, np.ndarray)
                 and not isinstance(t_leaf, np.ndarray)
                 else as_scalar(t_leaf) if type(p) is float else t_leaf
                 for t_leaf, p in zip(leaves, leaves_of(primals[i]))]
        shapes += [np.shape(leaf) for leaf in leaves_of(primals[i])]
        names += [f"{k}" if len(leaves) == 1 and not _is_node(t) else f"{k} (leaf {j})"
                  for j in range(len(leaves))]
    _check_shapes("tangent", flat, shapes, "float argument", names)
    bound, compiled = forward_program(fn, primals, positions, specialize, with_value)
    return compiled.finish(compiled.run(bound, tuple(flat)))


jvp.__lower_call__ = lower_jvp  # type: ignore[attr-defined]  (frontend.calls: inlined_jvp)


def _check_shapes(what: str, values: Sequence[Any], shapes: Sequence[Any], of: str,
                  names: Sequence[str] | None = None) -> None:
    """Each tangent or cotangent shaped like its primal (``None``: not known), as
    MindSpore and JAX check: a wrong shape would broadcast into a wrong answer."""
    for i, (value, shape) in enumerate(zip(values, shapes)):
        if shape is not None and np.shape(value) != tuple(shape):
            name = names[i] if names else str(i)
            refuse(f"{what} {name} has shape {np.shape(value)}, but {of} {name} has shape "
                   f"{tuple(shape)}", kind=AutodiffValueError,
                   hint=f"give each {what} the shape of its {of}")


# ---------------------------------------------------------------------------- reverse


def reverse_program(fn: Callable[..., Any], args: tuple, positions: Sequence[int],
                    weights: Any = None, has_aux: bool = False,
                    specialize: bool = True) -> tuple[tuple, Compiled]:
    """The compiled reverse-mode program of ``fn`` taking cotangents as inputs, and the
    arguments bound; ``compiled.finish(compiled.run(bound, cotangents))`` gives
    ``(value, gradients)``. Cotangents go to the float outputs (of the first output
    with ``has_aux``), in order."""
    refuse_local(fn, "vjp")
    try:
        spec = grad_spec(tuple(positions) if positions else None, weights, has_aux, False,
                         with_value=True, cotangent_inputs=True)
    except AutodiffError as err:
        refuse(err.message, err.hint, kind=type(err))
    spec = replace(spec, bare_position=False, specialize=specialize)
    grad_fn = shared_gradient(fn, spec)
    bound = grad_fn._bind(args, {})
    return bound, grad_fn.compiled_for(bound)


def float_outputs(compiled: Compiled) -> list:
    """The outputs a cotangent goes to, as IR variables (shape and dtype)."""
    outs = compiled.primal.outvars
    if compiled.spec.has_aux:
        outs = outs[:_first_output_size(compiled)]
    return [v for v in outs if v.aval.is_float]


def _first_output_size(compiled: Compiled) -> int:
    """How many leaves the first output has (the value skeleton marks them ``LEAF``)."""
    from . import trees
    first = compiled.value_skeleton[0]
    return len(trees.flatten(first, lambda node: node is trees.LEAF)[0])


def vjp(fn: Callable[..., Any], *inputs: Any, weights: Any = None, has_aux: bool = False,
        specialize: bool = True) -> tuple:
    """``(outputs, vjp_fn)``, or ``(outputs, vjp_fn, aux)`` with ``has_aux`` (then the
    first output is the one differentiated).

    ``vjp_fn(v)`` takes one cotangent per float output (a tuple of them when there are
    several, or one argument each) and returns a tuple with one gradient per float
    argument; with ``weights`` (Parameters), ``(input gradients, weight gradients)``,
    the latter bare for one bare Parameter, as MindSpore returns them.
    """
    has_aux = check_flag("has_aux", has_aux)
    positions = tuple(i for i, a in enumerate(inputs) if is_float_tree(a))
    if not positions and weights is None:
        refuse("vjp needs at least one float argument to differentiate",
               hint="pass float arrays (or Python floats), or weights=[Parameters]")
    bound, compiled = reverse_program(fn, inputs, positions, weights, has_aux, specialize)
    bound = trees.snapshot(bound, keep=is_parameter)  # the point, as ``out`` is computed at it
    name = getattr(fn, "__qualname__", type(fn).__name__)
    # the state the forward pass changes and reads (draws, attributes, Parameters): each
    # vjp_fn's run of the program starts from it, as ``out``'s did (``pipeline.replay``)
    replay = Replay(compiled, compiled.inputs(bound))
    before = replay.take() if replay else None

    def vjp_fn(*cotangents: Any) -> tuple:
        flat = _cotangent_leaves(compiled, cotangents, name)
        outputs = float_outputs(compiled)
        _check_shapes("cotangent", flat, [o.aval.shape for o in outputs], "output")
        # a Python number for a NumPy output: the code was compiled for NumPy values
        # (its dtype, when known: shape-generic code learns it at run time)
        # and a 0-d array for a Python float output: its scalar, which, like the float
        # the code was compiled for, cannot be written into (the code hands it on as is)
        flat = [np.asarray(c, o.aval.dtype)[()] if type(c) in (float, int) and not o.aval.weak
                else as_scalar(c) if o.aval.weak else c for c, o in zip(flat, outputs)]
        return replay.run_from(before, lambda: compiled.finish(compiled.run(bound, flat))[1])

    out = fn(*inputs)
    refuse_non_numbers(split_aux(out)[0] if has_aux else out, "vjp", name, call_site())
    vjp_fn.__lower_call__ = pullback_lowering(  # type: ignore[attr-defined]
        fn, inputs, positions, split_aux(out)[0] if has_aux else out, has_aux, weights)
    if not has_aux:
        return out, vjp_fn
    value, aux = split_aux(out)
    return value, vjp_fn, aux


def _cotangent_leaves(compiled: Compiled, cotangents: tuple, name: str) -> list[Any]:
    """One cotangent per float output, from what ``vjp_fn`` was given: a value with the
    output's structure (one argument, or one per element of a tuple output), or, as
    earlier versions took them, one per float output in order."""
    skeleton = compiled.value_skeleton[0] if compiled.spec.has_aux else \
        compiled.value_skeleton
    outvars = iter(compiled.primal.outvars)
    nodes = leaves_of(skeleton)
    takes = [node is trees.LEAF and next(outvars).aval.is_float for node in nodes]
    given = cotangents[0] if len(cotangents) == 1 else tuple(cotangents)
    leaves = like(skeleton, given)
    if leaves is None and len(cotangents) == 1 and type(given) in (tuple, list):
        leaves = like(skeleton, tuple(given))  # a tuple output given as a list
    if leaves is not None:
        return [leaf for leaf, take in zip(leaves, takes) if take]
    n = sum(takes)
    flat = tuple(given) if len(cotangents) == 1 and type(given) in (tuple, list) and \
        (n != 1 or len(given) == 1) else cotangents
    if len(flat) == n and not any(map(_is_node, flat)):
        return list(flat)
    if not (skeleton is trees.LEAF or (type(skeleton) in (tuple, list)
            and not any(map(_is_node, skeleton)))):  # nested, or a dict: name its structure
        refuse(f"vjp_fn takes a cotangent with the structure of the output of {name}, "
               f"{structure(skeleton)}, got {structure(given)}",
               hint="pass cotangents shaped like the outputs, in the same containers")
    refuse(f"vjp_fn takes one cotangent per float output of {name} ({n}), got {len(flat)}",
           hint="pass a tuple of cotangents shaped like the outputs")
    raise AssertionError  # unreachable: refuse raised


vjp.__lower_call__ = lower_vjp  # type: ignore[attr-defined]  (frontend.calls: pullbacks)
