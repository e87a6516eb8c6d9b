"""What a compilation differentiates, and how its gradients come back: the inputs
named by ``grad_position`` (an array, or a tuple, list or dict of arrays, whose
gradient has the same structure) and the weights, as indices of the program's inputs;
the runtime leaves of the arguments, in the order lowering flattened them; and the
flat outputs arranged as MindSpore returns them."""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..errors import AutodiffError, AutodiffValueError
from ..frontend.captures import is_array
from ..frontend.source import code_signature
from ..ir.arrays import is_foreign_array
from ..ir.core import Eqn, Function, Var
from ..ir.primitives.core import rule_of

if TYPE_CHECKING:
    from ..frontend.lowering import Lowering
    from .spec import GradSpec


def _is_var(x: Any) -> bool:
    return isinstance(x, Var)


def regroup(position_trees: list[Any] | None, grads: list[Any],
             n_positions: int) -> tuple[list, list]:
    """One gradient per differentiated position, each in its argument's structure, and
    the gradients after them (the weights')."""
    if position_trees is None:
        return grads[:n_positions], grads[n_positions:]
    out = []
    for skeleton in position_trees:
        n = len(trees.flatten(skeleton, lambda node: node is trees.LEAF)[0])
        out.append(trees.unflatten(skeleton, grads[:n]))
        grads = grads[n:]
    return out, grads


def zero_if_constant(value: Any) -> Any:
    """The tangent of an output that is a constant: 0.0, or zeros like a NumPy scalar
    (a function's value may hold numbers that no input reaches)."""
    if isinstance(value, bool | int | float | complex):
        return 0.0
    if isinstance(value, np.generic | np.ndarray):
        inexact = np.issubdtype(value.dtype, np.inexact)
        return np.zeros_like(value, dtype=None if inexact else np.float64)[()]
    return value


def shape_part(spec: GradSpec, grads: list, ids: Sequence[Any], bare: bool) -> Any:
    """Gradients as MindSpore returns them: bare for one position, else a tuple, each
    paired with its position or weight name with ``return_ids``."""
    items = list(zip(ids, grads)) if spec.return_ids else grads
    return items[0] if bare else tuple(items)


def runtime_leaves(value: Any) -> list[Any]:
    """The values of one argument the generated function takes, in the order lowering
    flattened it."""
    if isinstance(value, tuple | list):
        return [leaf for v in value for leaf in runtime_leaves(v)]
    if isinstance(value, dict):  # in key order, as ``trees.flatten`` walks it
        return [leaf for v in value.values() for leaf in runtime_leaves(v)]
    if isinstance(value, float | complex) or is_array(value):
        return [value]
    if is_foreign_array(value):
        return [value]
    return []


def position_trees(args: list[Any], spec: GradSpec) -> list[Any] | None:
    """Each differentiated position's structure, where one is a container (else None)."""
    skeletons = [trees.flatten(args[p], _is_var)[1] for p in spec.positions or ()]
    return skeletons if any(s is not trees.LEAF for s in skeletons) else None


def flat_positions(args: list[Any]) -> list[int] | None:
    """Positions of runtime arguments, when no argument is a container."""
    if any(isinstance(a, tuple | list | dict) for a in args):
        return None
    return [i for i, a in enumerate(args) if isinstance(a, Var)]


def check_positions(target: Any, args: list, spec: GradSpec, loc: Any) -> None:
    """Each position is an argument holding arrays only, else refused at the function's
    def, naming it, before the function is lowered (``None`` at a position fails an
    operator there first, which is not the mistake)."""
    names = param_names(target)
    for p in spec.positions or ():
        if not -len(args) <= p < len(args):
            raise AutodiffValueError(f"grad_position {p} is out of range: the function takes "
                                     f"{len(args)} arguments", loc)
        arg, name = args[p], names[p] if p < len(names) else f"#{p}"
        leaves, skeleton = trees.flatten(arg, _is_var)
        if not leaves or any(not isinstance(leaf, Var) for leaf in leaves) \
                or not _only_leaves(skeleton):
            what = "None" if arg is None else f"a {type(arg).__name__}"
            raise AutodiffError(
                f"cannot differentiate with respect to argument '{name}' (position {p}): "
                f"it is {what}, not a float array or a tuple, list or dict of them", loc,
                hint="pass a float array (e.g. np.float32) at that position, or leave it "
                     "out of grad_position")


def wrt_indices(target: Any, args: list, spec: GradSpec, primal: Function,
                low: Lowering, loc: Any) -> list[int]:
    """The program inputs to differentiate: each leaf of each position, then each
    weight; anything there that has no gradient is refused at the function's def.

    A MindSpore Tensor of integers (or an integer Parameter among the weights) is
    differentiated as MindSpore differentiates it: int zeros where nothing derivable
    reads it (labels read as indices or compared: ``grad(net, (0, 1))(data, labels)``
    is how its programs ask), else the derivative computed in integers through integer
    operations and truncated to an integer at each of MindSpore's casts to a float
    type; the reverse pass refuses it through anything else
    (``ad.reverse.check_integer_paths``). A NumPy integer array is refused, as JAX
    refuses it; so is a bool Tensor a derivative reaches, and an integer Tensor in
    forward mode."""
    names = param_names(target)
    check_positions(target, args, spec, loc)
    invars, wrt = list(primal.invars), []
    for p in spec.positions or ():
        arg, name = args[p], names[p] if p < len(names) else f"#{p}"
        leaves = trees.flatten(arg, _is_var)[0]
        for leaf in leaves:
            if not leaf.aval.is_float and not (
                    leaf.tensor and leaf.aval.dtype is not None and leaf.aval.dtype.kind in "biu"
                    and (_integer_gradient(leaf, spec) or not _reaches_outputs(primal, leaf))):
                raise AutodiffError(
                    f"cannot differentiate with respect to argument '{name}' (position {p})"
                    f": {'it' if leaf is arg else 'an array in it'} has dtype "
                    f"{leaf.aval.dtype}", loc,
                    hint="cast it to a float dtype first, e.g. x.astype(np.float32)")
            wrt.append(invars.index(leaf))
    for w in spec.weights or ():
        leaf = low.captures.input_of(w)
        if not leaf.aval.is_float and not _integer_gradient(leaf, spec) and \
                _reaches_outputs(primal, leaf):
            name = getattr(w, "name", None) or "a weight"
            raise AutodiffError(
                f"cannot differentiate with respect to Parameter '{name}': it has dtype "
                f"{leaf.aval.dtype}, and a derivative reaches it (MindSpore gives that "
                "derivative truncated to an integer; it is not computed here)", loc,
                hint="make the Parameter float, e.g. Parameter(Tensor(v, ms.float32)), or "
                     "leave it out of the weights (requires_grad=False)")
        wrt.append(invars.index(leaf))
    return wrt


def _integer_gradient(leaf: Var, spec: GradSpec) -> bool:
    """Whether ``leaf``, of a MindSpore Tensor or Parameter, gets MindSpore's integer
    gradient: of integers (not bools), in reverse mode."""
    dtype = leaf.aval.dtype
    return dtype is not None and dtype.kind in "iu" and not spec.forward


def _reaches_outputs(fn: Function, leaf: Var) -> bool:
    """Whether a derivative may flow from ``fn``'s outputs to ``leaf``, whatever the
    dtypes on the way: through an operand some rule differentiates (not an index, a
    comparison or a shape), or any operand of a region (a loop or branch: not looked
    into)."""
    reached = {leaf}
    for eqn in fn.eqns:
        read = [i for i, a in enumerate(eqn.invars) if isinstance(a, Var) and a in reached]
        if not read or not eqn.prim.differentiable:
            continue
        if eqn.prim.form == "apply" and eqn.prim.vjp is not None and \
                all(_no_rule(eqn, i) for i in read):
            continue
        reached.update(eqn.outvars)
    return any(isinstance(v, Var) and v in reached for v in fn.outvars)


def _no_rule(eqn: Eqn, i: int) -> bool:
    try:
        return rule_of(eqn.prim.vjp, i, eqn) is None
    except AutodiffError:
        return False


def _only_leaves(skeleton: Any) -> bool:
    """A skeleton holding nothing but ``LEAF``s in tuples, lists and dicts: every value
    in the argument is an array to differentiate, or None, an empty subtree (JAX's
    meaning: ``{"w": w, "b": None}``, whose gradient holds None there)."""
    if skeleton is trees.LEAF or skeleton is None:
        return True
    if isinstance(skeleton, tuple | list):
        return all(_only_leaves(s) for s in skeleton)
    if isinstance(skeleton, dict):
        return all(_only_leaves(s) for s in skeleton.values())
    return False


def param_names(target: Any) -> list[str]:
    known = getattr(target, "signature", None)  # a function defined in compiled code
    try:
        names = list((known if isinstance(known, inspect.Signature)
                      else code_signature(target)).parameters)
    except (TypeError, ValueError):
        return []
    return names[1:] if names and names[0] == "self" else names
