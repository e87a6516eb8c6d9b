"""The NumPy surface: which Python callables and array methods map to which primitives.

Each entry takes the call's arguments as the user wrote them (symbolic ``Var``s for
runtime values, plain Python for values known when compiling) and builds IR. An
array method and its function form share one builder (``x.sum()`` / ``np.sum(x)``),
hence one primitive. Library functions of this package that are not listed here
(``ops.*``, ``nn.*``) are compiled from their own source like user code. A NumPy
function with no entry is refused at the user's line with a hint on how to register
a rule (``autodiff_compiler.extend``). ``autodiff_compiler.supported`` renders the
tables for the README.
"""
from __future__ import annotations

import builtins
import itertools
import math
import operator
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ...errors import AutodiffError
from .. import builder
from ..core import Var, ndim_of
from ..reference import sigmoid


def stop_gradient(value: Any) -> Any:
    """The value itself, through which no gradient flows (``ops.stop_gradient``)."""
    return value


class CompileTimeError(Exception):
    """An argument that must be known when compiling was not; lowering adds the place."""


class UnsupportedArgumentError(CompileTimeError):
    """An argument the compiler does not take (yet); lowering adds the place and the
    way round it."""


Builder = Callable[..., Any]
FUNCTIONS: dict[Any, Builder] = {}
METHODS: dict[str, Builder] = {}
ATTRIBUTES: dict[str, Callable[[Var], Any]] = {}
# A MindSpore Tensor's methods whose meaning differs from an array's (``x.max(1)``),
# for values ``Var.tensor`` marks
TENSOR_ATTRIBUTES: dict[str, Callable[[Var], Any]] = {}
# The array subclasses a value ``Var.tensor`` marks may be (MindSpore's Tensor and
# Parameter): what ``hasattr`` of such a value asks
TENSOR_CLASSES: list[type] = []
# For the README: family -> spellings, in the order they were registered.
FAMILIES: dict[str, list[str]] = {}
# What users registered with ``extend`` (left out of the README's table).
USER_FUNCTIONS: set[Any] = set()
USER_METHODS: set[str] = set()


# Callables that write their first argument in place and whose builders emit that
# write and return the value written (``ops.assign``): a call may stand alone as a
# statement, and the frontend reads the argument as that value afterwards.
EFFECTS: set[Any] = set()


def is_effect(func: Any) -> bool:
    try:
        return func in EFFECTS
    except TypeError:  # unhashable callables
        return False


def register(family: str, build: Builder, *functions: Any, methods: tuple[str, ...] = (),
             attributes: tuple[str, ...] = ()) -> Builder:
    """Make ``build`` the builder of each callable in ``functions`` and of the array
    methods and attributes named."""
    names = FAMILIES.setdefault(family, [])
    for fn in functions:
        FUNCTIONS[fn] = build
        names.append(display_name(fn))
        names.extend(_ALIASES.get(fn, ()))
    for name in methods:
        METHODS[name] = build
        names.append(f"x.{name}()")
    for name in attributes:
        ATTRIBUTES[name] = build
        names.append(f"x.{name}")
    return build


def display_name(fn: Any) -> str:
    """``np.linalg.inv``, ``abs``, ``ops.sigmoid``: how a user spells ``fn``."""
    if fn in _USUAL_NAMES:
        return _USUAL_NAMES[fn]
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__name__", None) or repr(fn)
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, np.ufunc):  # np.add.reduce
        return f"{display_name(owner)}.{name}"
    if isinstance(fn, np.ufunc) and getattr(np, name, None) is not fn:
        special = sys.modules.get("scipy.special")
        return f"scipy.special.{name}" if getattr(special, name, None) is fn else name
    if module == "numpy" or isinstance(fn, np.ufunc):
        return f"np.{name}"
    if module.startswith("scipy."):  # scipy.special.logsumexp, scipy.stats.norm.logpdf
        public = ".".join(module.split(".")[:2])
        owner = getattr(fn, "__self__", None)  # a distribution: its class, less "_gen"
        owner = None if owner is None else type(owner).__name__.removesuffix("_gen")
        return f"{public}.{owner}.{name}" if owner else f"{public}.{name}"
    if module.startswith("numpy."):
        return "np." + module.split(".", 1)[1].removeprefix("_core.").split(".")[0] + f".{name}" \
            if module.startswith(("numpy.linalg", "numpy.fft", "numpy.random")) else f"np.{name}"
    if module == "builtins":
        return name
    return f"{module.removeprefix('autodiff_compiler.')}.{name}"


_USUAL_NAMES = {np.abs: "np.abs", np.mod: "np.mod", np.conj: "np.conj", sigmoid: "ops.sigmoid",
                stop_gradient: "ops.stop_gradient"}
_ALIASES = {np.divide: ["np.true_divide"], np.mod: ["np.remainder"], np.abs: ["np.absolute"],
            np.conj: ["np.conjugate"]}  # other names of the same NumPy function
FAMILIES["operators"] = ["x + y", "x - y", "x * y", "x / y", "x // y", "x % y", "x ** y",
                         "x @ y", "-x", "x < y", "x <= y", "x > y", "x >= y", "x == y",
                         "x != y", "x[index]"]

# ---------------------------------------------------------------------------- arguments


def _static(value: Any, what: str) -> Any:
    if isinstance(value, Var):  # computed from constants alone: known all the same
        known = builder.constant_value(value)
        value = value if known is None else known
    if isinstance(value, Var) or _contains_var(value):
        raise CompileTimeError(f"{what} must be known when compiling, not computed at run time")
    return tuple(value) if isinstance(value, list) else value


def _contains_var(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(isinstance(v, Var) or _contains_var(v) for v in value)
    return False


def _unsupported(name: str, **given: Any) -> None:
    for key, value in given.items():
        if value is not None and value is not np._NoValue:
            raise UnsupportedArgumentError(f"{name}(..., {key}=...) is not supported yet")


def _keepdims(value: Any) -> bool:
    return False if value is np._NoValue else bool(_static(value, "keepdims"))


def _dtype(dtype: Any) -> np.dtype | None:
    return None if dtype is None else np.dtype(_static(dtype, "dtype"))


def _dtype_kw(dtype: Any) -> dict[str, Any]:
    return {} if dtype is None else {"dtype": _dtype(dtype)}


def _is_float_dtype(dtype: np.dtype) -> bool:
    return np.issubdtype(dtype, np.inexact)


def _ranks(xs: Any) -> list[int] | None:
    ranks = [ndim_of(x) for x in xs]
    return None if any(r is None for r in ranks) else ranks


# ---------------------------------------------------------------------------- compile time

# Pure functions of Python values, evaluated while compiling when every argument is known.
STATIC_CALLS = frozenset([
    builtins.len, builtins.range, builtins.int, builtins.float, builtins.bool,
    builtins.tuple, builtins.list, builtins.dict, builtins.min, builtins.max,
    builtins.isinstance, builtins.str, builtins.round, builtins.zip, builtins.enumerate,
    builtins.sum, builtins.hasattr, builtins.repr, builtins.type, math.sqrt, math.exp, math.log,
    math.prod,
    np.dtype, np.prod,
    np.float16, np.float32, np.float64, np.int32, np.int64, np.issubdtype, np.finfo, np.iinfo,
    np.triu_indices, np.tril_indices, np.diag_indices, np.indices, np.broadcast_shapes,
    # of values known when compiling, these make values known then too: window
    # functions, orderings and combinations of indices or names, Python's math
    builtins.sorted, np.hanning, np.hamming, np.blackman, np.bartlett, np.kaiser,
    itertools.combinations, itertools.combinations_with_replacement, itertools.permutations,
    itertools.product, operator.itemgetter, operator.attrgetter, operator.methodcaller,
    *(f for f in vars(math).values() if callable(f)),
])


class Structure:
    """The version of what a library's containers hold (MindSpore's tree of Cells and
    their Parameters). Compiled code that listed such a container while compiling
    (iterated over it, took its ``len``, or called a method marked
    ``evaluated_when_compiling`` on it: ``self.trainable_params()``) is guarded on
    ``version``, which the library bumps wherever a listing may change (a Cell appended
    to a CellList, a Parameter frozen): the next call recompiles instead of running
    code made for the old listing. A container's class names its ``Structure`` as
    ``__structure__``."""

    def __init__(self) -> None:
        self.version = 0

    def changed(self) -> None:
        self.version += 1


def structure_of(obj: Any) -> Structure | None:
    """The ``Structure`` whose version a listing of ``obj`` depends on, if any."""
    structure = getattr(type(obj), "__structure__", None)
    return structure if isinstance(structure, Structure) else None


def evaluated_when_compiling(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a pure function of Python values (``grad``) to run while compiling, when a
    compiled function calls it with arguments that are all known then."""
    fn.__evaluated_when_compiling__ = True
    return fn


def is_static_call(func: Any) -> bool:
    if isinstance(func, type) and issubclass(func, BaseException):
        return True  # building the exception a `raise` reached while compiling
    if isinstance(getattr(func, "__self__", None), str) and callable(func):
        return True  # a string's method ("layer{}".format(i)): strings never change
    try:
        return func in STATIC_CALLS or getattr(func, "__evaluated_when_compiling__", False)
    except TypeError:
        return False


# Callables compiled from a Python definition of this package's instead of their own
# source (SciPy's ``logsumexp``, ``norm.logpdf``): the frontend compiles the definition
# as it compiles the user's code.
DEFINITIONS: dict[Any, Callable[..., Any]] = {}

# The surfaces of optional libraries, loaded the first time a callable the tables do not
# hold is looked up while that library is imported (the user's code calls it): SciPy
# costs half a second to import, so nothing here imports it unasked.
_LAZY: dict[str, Callable[[], None]] = {}  # module -> what registers its entries


def add_lazy_surface(module: str, load: Callable[[], None]) -> None:
    """Run ``load`` (which registers entries) once, when ``module`` has been imported
    and a lookup misses."""
    _LAZY[module] = load


# Callable objects of a library's class (an ``np.vectorize`` made at import), by class:
# what a call of one is compiled as (a function, or a ``functools.partial`` of one).
INSTANCE_DEFINITIONS: dict[type, Callable[[Any], Callable[..., Any]]] = {}


def definition(func: Any) -> Callable[..., Any] | None:
    """The Python definition a call of ``func`` is compiled from instead, if any."""
    make = INSTANCE_DEFINITIONS.get(type(func))
    if make is not None:
        return make(func)
    try:
        return DEFINITIONS.get(func)
    except TypeError:  # unhashable callables
        return None


def load_lazy_surfaces() -> bool:
    """Load the surfaces of the libraries imported since; whether any was."""
    ready = [module for module in _LAZY if module in sys.modules]
    for module in ready:
        _LAZY.pop(module)()
    return bool(ready)


def lookup(func: Any) -> Builder | None:
    """The builder for a call to ``func``; for a NumPy or SciPy function without one
    (and without a definition in ``DEFINITIONS``), a builder that refuses it with how to
    register a rule."""
    try:
        build = FUNCTIONS.get(func)
        if build is None and _LAZY and load_lazy_surfaces():
            build = FUNCTIONS.get(func)
        if build is None and definition(func) is not None:
            return None
    except TypeError:  # unhashable callables
        return None
    if build is None and _is_library(func) and not is_static_call(func):
        return _refuse(func)
    if build is not None and func in STATIC_CALLS:
        return _static_first(func, build)
    return build


def _is_library(func: Any) -> bool:
    """A function of NumPy or SciPy (a ufunc, a distribution's method): compiled code
    cannot read its source, or reads into the library's internals."""
    if not callable(func):
        return False
    if isinstance(func, np.ufunc):
        return True
    owner = getattr(func, "__self__", None)  # a bound method: its object's library
    module = _module_of(func) or ("" if owner is None else _module_of(type(owner)))
    return module.partition(".")[0] in ("numpy", "scipy")


def _module_of(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    return module if isinstance(module, str) else ""


def _static_first(func: Any, build: Builder) -> Builder:
    """A callable that is both a static call and a surface entry (``np.prod``): with
    every argument known it runs while compiling."""
    def dispatch(*args: Any, **kw: Any) -> Any:
        if not _contains_var(list(args) + list(kw.values())):
            return func(*args, **kw)
        return build(*args, **kw)
    dispatch.__wrapped__ = build  # its signature is the builder's
    return dispatch


def missing_rule_hint(name: str) -> str:
    return (f"register a rule for {name}: `from autodiff_compiler import extend; "
            f"p = extend.defprimitive({name}); extend.defvjp(p, lambda g, ans, x: ...)` "
            "(see the README); or wrap the call in stop_gradient(...) if no gradient needs "
            "to flow through it")


def _refuse(func: Any) -> Builder:
    """A NumPy or SciPy function without a rule: of Python numbers and strings alone
    (``scipy.special.comb(5, 2)``), computed while compiling, as NumPy's and SciPy's
    functions other than their random ones are pure; otherwise refused."""
    name = display_name(func)
    random = "random" in _module_of(func) or getattr(func, "__name__", "") == "rvs"

    def build(*args: Any, **kw: Any) -> Any:
        if not random and all(_plain_data(v) for v in (*args, *kw.values())):
            return func(*args, **kw)
        raise AutodiffError(f"{name} has no derivative rule", builder.current().loc,
                            hint=missing_rule_hint(name))
    return build


def _plain_data(value: Any) -> bool:
    """A Python number, string or ``None``, or a tuple or list of such: nothing a call
    could write into, nothing known only at run time."""
    if isinstance(value, list | tuple):
        return all(_plain_data(v) for v in value)
    return value is None or isinstance(value, bool | int | float | complex | str)


EXTENDED = "registered with extend"
README_BEGIN, README_END = "<!-- surface:begin -->", "<!-- surface:end -->"


# The README's rows, in this order; a family not listed comes last.
_FAMILY_ORDER = ("operators", "elementwise", "inactive", "reductions", "shapes", "indexing",
                 "linear algebra", "constructors")


def family_rank(family: str) -> tuple[int, str]:
    """NumPy's families in their order, then the others by name (not by when they were
    loaded: SciPy's load when the user's code first imports them)."""
    if family in _FAMILY_ORDER:
        return _FAMILY_ORDER.index(family), ""
    return len(_FAMILY_ORDER), family


# The rest of the table: elementwise functions and reductions, shapes, linear algebra,
# constructors, and the functions that are compositions of primitives: NumPy's general
# ones, its statistics and its signal functions (each module registers its builders on
# import).
from . import (  # noqa: E402,F401  (in this order: a later entry wins)
    arithmetic,
    arrays,
    assembled,
    composed,
    constructors,
    differences,
    elementwise_more,
    fourier,
    linalg,
    linalg_more,
    nan_quantiles,
    numeric,
    searching,
    selection,
    shapes,
    signal,
    statistics,
    ufunc_methods,  # (last: it reads the ufuncs registered above)
)
