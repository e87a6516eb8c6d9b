"""grad, value_and_grad, gradient_source: argument handling and the cache (``jvp`` and
``vjp`` live in ``directional``, the Jacobians in ``jacobians``).

A ``GradFunction`` compiles once per *kind* of arguments (shape and dtype of each
array, the value of each Python int/str/None, "a float" for Python floats) and
keeps the result in a module-level cache, so calling ``grad(f)`` afresh inside a
training loop costs a dictionary lookup. Compiled code is re-checked against the
globals it baked in (see ``guards``) before each call. Defaults are bound as arguments,
read at every call as Python reads them.

Compiling is thread-safe: each thread builds in its own builder, and the first calls
of one kind from several threads compile once (a lock per cache key) and share it.
"""
from __future__ import annotations

import inspect
import threading
import types
import weakref
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from .errors import AutodiffError, AutodiffTypeError, at_users_call
from .frontend.cells import is_cell, is_parameter, results_as
from .frontend.lowering import flat_arguments, split_arguments
from .frontend.source import code_signature, definition_loc
from .ir.builder import inline
from .ir.surface import evaluated_when_compiling
from .options import grad_spec, jax_spellings
from .pipeline.compiler import Compiled, compile_gradient
from .pipeline.entry import make_entry
from .pipeline.kinds import abstract, check_library, dynamic_leaves, kind_of, objects_in
from .pipeline.library import as_compilable
from .pipeline.local import LocalGradient, local_form
from .pipeline.spec import GradSpec

_CACHE: dict[tuple, Compiled] = {}
CACHE_SIZE = 1024  # compiled specialisations kept, oldest dropped first
_ENTRIES: dict[tuple, type] = {}  # GradFunction classes with a fast call path, by key
_LOCKS: dict[tuple, threading.Lock] = {}  # one per cache key being compiled
_LOCKS_LOCK = threading.Lock()  # held to change the three tables above


class GradFunction:
    """The gradient of ``fn``: call it like ``fn``; compiled on first use per argument kind.

    Calls take the general path (``_call``) until one has compiled; from then on the
    instance's class is a subclass, shared by every ``grad`` of the same function and
    spec, whose ``__call__`` is the generated entry for the last kind of arguments: it
    checks them inline and calls the gradient, with no frame of this class between
    (about 130 ns less per call than a method that forwards to it).
    """

    def __init__(self, fn: Callable[..., Any], spec: GradSpec) -> None:
        if not callable(fn):
            raise TypeError(f"can only differentiate a function or a Cell, not {fn!r}")
        fn = as_compilable(fn)  # np.sin: a function calling it
        self.fn, self.spec = fn, spec
        self._key = (_fn_key(fn), spec.key())
        fast = _ENTRIES.get(self._key)
        if fast is not None:
            self.__class__ = fast
        target = type(fn).construct if is_cell(fn) else fn
        self.__name__ = getattr(target, "__name__", "fn")
        self.__qualname__ = getattr(target, "__qualname__", self.__name__)
        self.__doc__ = getattr(target, "__doc__", None)

    def __repr__(self) -> str:
        return f"<gradient of {self.__qualname__}>"

    def __transform_key__(self) -> tuple:
        """What the compiled program depends on besides ``fn``: a transform of ``fn``,
        as ``vmap``'s and the Jacobians' are (its defaults are ``fn``'s)."""
        return self.spec.key()

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        return self._call(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """How ``fn`` is called: worked out once per function and defaults (``_signature``),
        so a function given defaults after this object was made is called with them."""
        return _signature(self.fn)

    def _binding(self, signature: inspect.Signature) -> tuple[bool, int]:
        """Whether calls need binding (keyword-only parameters or defaults), and the
        number of parameters when there is no ``*args``/``**kwargs``."""
        held = self.__dict__.get("_binding_of")
        if held is not None and held[0] is signature:
            return held[1]
        params = signature.parameters.values()
        var = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)
        needed = any(p.kind is p.KEYWORD_ONLY or (p.default is not p.empty and not var)
                     for p in params)
        binding = needed, -1 if var else len(params)
        self._binding_of = (signature, binding)
        return binding

    def _bind(self, args: tuple, kwargs: dict) -> tuple:
        """The arguments of ``fn(*args, **kwargs)``, one per parameter in order, the
        values ``*args`` gathers in its place and keyword-only ones last, defaults
        filled in as the function has them now (what ``split_arguments`` reads)."""
        needed, n_params = self._binding(self.__signature__)
        if not kwargs and (not needed or len(args) == n_params):
            return args
        try:
            bound = _live_signature(self.fn, self.__signature__).bind(*args, **kwargs)
        except TypeError as err:
            name = self.__qualname__
            if not hasattr(self.fn, "library_fn") or not kwargs:
                # (``as_compilable``'s wrapper of a library function has it); a keyword
                # functools.partial binds makes the parameters after it keyword-only
                raise AutodiffTypeError(f"{name} cannot take these arguments: {err}",
                                        None).with_traceback(None) from None
            raise AutodiffTypeError(
                f"{name} handed to a transform takes its operands and options by position "
                f"only ({err})", None,
                hint=f"bind options with functools.partial({name}, "
                     f"{next(iter(kwargs))}=...), or differentiate a def calling "
                     f"{name}").with_traceback(None) from None
        bound.apply_defaults()
        flat, name, gathered = flat_arguments(bound)
        if gathered:
            code = getattr(self.fn, "__code__", None)
            raise AutodiffTypeError(
                f"{self.__qualname__} gathers keyword arguments in **{name}: a "
                "differentiated function takes them by name only",
                definition_loc(self.fn) if code is not None else None,
                hint=f"name the parameter ({next(iter(gathered))}=...) in its signature, "
                     "or call it from a function of the arguments to differentiate")
        return tuple(flat)

    def _call(self, /, *args: Any, **kwargs: Any) -> Any:
        """The general call path; it leaves a fast one for arguments of this kind. A
        MindSpore Cell's gradient right after its ``set_grad()`` call runs from where
        that call started (``mindspore.forward_reuse``)."""
        record = getattr(self.fn, "__forward_record__", None)
        if record is not None:
            return record.replayed(self.fn, lambda: self._call_now(args, kwargs), args,
                                   kwargs)
        return self._call_now(args, kwargs)

    def _call_now(self, args: tuple, kwargs: dict) -> Any:
        args = self._bind(args, kwargs)
        compiled = self.compiled_for(args)
        if compiled.entry is None:
            parameters = list(self.__signature__.parameters.values())
            # a Parameter passed where weights are taken may be one of them: the fast
            # path checks kinds, not which array it is, so such calls take this path
            passed = self.spec.weights and any(is_parameter(leaf) for a in args
                                               for leaf in dynamic_leaves(a))
            compiled.entry = False if passed else \
                make_entry(compiled, self.fn, args, parameters) or False
        entry = compiled.entry
        if entry:
            fast = _ENTRIES.get(self._key)
            if fast is None:
                with _LOCKS_LOCK:
                    _evict(_ENTRIES)
                    fast = _ENTRIES.setdefault(self._key,
                                               type("GradFunction", (GradFunction,), {}))
            fast.__call__ = entry
            self.__class__ = fast
        return compiled.finish(compiled.run(args), args)

    def compiled_for(self, args: Sequence[Any]) -> Compiled:
        """The compiled gradient for arguments of this kind (from the cache if it holds)."""
        try:
            if _code_of(self.fn) is not self._key[0][0]:
                self._key = (_fn_key(self.fn), self.spec.key())  # its code was replaced
                self.__class__ = _ENTRIES.get(self._key, GradFunction)
            key = (self._key, tuple(map(kind_of, args)), self._weights_passed(args))
            compiled = _CACHE.get(key)
            if compiled is None or not compiled.holds():
                with _lock(key):  # one thread compiles; the others wait and share it
                    compiled = _CACHE.get(key)
                    if compiled is None or not compiled.holds():
                        compiled = self._compile(key, args)
        except AutodiffError as err:  # the user's call is the last frame
            raise at_users_call(err).with_traceback(None) from None
        return compiled

    def _weights_passed(self, args: Sequence[Any]) -> tuple:
        """``(k, j)`` for each array of the arguments that is weight ``j`` itself."""
        if not self.spec.weights:
            return ()
        ids = {id(w): j for j, w in enumerate(self.spec.weights)}
        leaves = [leaf for a in args for leaf in dynamic_leaves(a)]
        return tuple((k, ids[id(leaf)]) for k, leaf in enumerate(leaves) if id(leaf) in ids)

    def _compile(self, key: tuple, args: Sequence[Any]) -> Compiled:
        # a wrong call: TypeError, as for fn itself, naming it and where it is defined
        positional, keywords = split_arguments(self.__signature__, args)
        try:
            self.__signature__.bind(*positional, **keywords)
        except TypeError as err:
            code = getattr(self.fn, "__code__", None)
            raise AutodiffTypeError(
                f"{self.__qualname__}{self.__signature__} cannot take these arguments: "
                f"{err}", definition_loc(self.fn) if code is not None else None
            ).with_traceback(None) from None
        check_library(self.fn, args, self.spec.backend)
        stand_ins = [abstract(a, self.spec.specialize) for a in args]
        compiled = compile_gradient(self.fn, self.spec, stand_ins, weights_passed=key[2])
        compiled.wrap = _result_wrapper(self.fn, self.spec, args)  # MindSpore in and out
        # The key holds ids of fn's closure cells: keep them (and fn) alive while
        # the entry lives, so no other closure can come to share those ids.
        compiled.keepalive = (self.fn, [o for a in args for o in objects_in(a)])
        with _LOCKS_LOCK:
            _evict(_CACHE)
            _CACHE[key] = compiled
        return compiled

    def source(self, /, *args: Any, **kwargs: Any) -> str:
        """The generated source, specialised to these arguments."""
        return self.compiled_for(self._bind(args, kwargs)).source

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        """Inline this gradient into a function being compiled (``grad(grad(f))``)."""
        args = self._bind(tuple(args), kwargs)
        compiled = compile_gradient(self.fn, self.spec, [abstract(a) for a in args])
        inputs = [leaf for a in args for leaf in dynamic_leaves(a)]
        inputs += [low.captures.free_value(path, obj) for path, obj in compiled.capture_objects]
        for guard in compiled.guards:  # what the inner function read, the outer one guards
            low.captures.guard(guard)
        return compiled.finish(inline(compiled.ir, inputs))


_SHARED: dict[tuple, tuple[Any, GradFunction]] = {}  # by (id(fn), spec key): (fn, gradient)


def shared_gradient(fn: Callable[..., Any], spec: GradSpec) -> GradFunction:
    """``GradFunction(fn, spec)``, the same object at each call for the same function and
    spec. ``jvp``, ``vjp`` and ``hvp`` take ``fn`` anew at every call; sharing the object
    keeps what it works out once (the signature, how calls bind, its fast class) from
    being worked out per call. The entry holds ``fn``, so its id names it while it lasts."""
    key = (id(fn), spec.key())
    held = _SHARED.get(key)
    if held is not None and held[0] is fn:
        return held[1]
    gradient = GradFunction(fn, spec)
    with _LOCKS_LOCK:
        _evict(_SHARED)
        _SHARED[key] = (fn, gradient)
    return gradient


def _result_wrapper(fn: Any, spec: GradSpec, args: Sequence[Any]) -> Any:
    """How results come back when the call is MindSpore's (a Cell or Parameters
    differentiated, or a Tensor among the arguments): the class's ``__results_as__``
    (``frontend.cells``). NumPy arrays and Python floats in give NumPy results out."""
    for obj in (fn, *(spec.weights or ()), *(leaf for a in args for leaf in dynamic_leaves(a))):
        wrap = results_as(obj)
        if wrap is not None:
            return wrap
    return None


def _lock(key: tuple) -> threading.Lock:
    with _LOCKS_LOCK:
        _evict(_LOCKS)
        return _LOCKS.setdefault(key, threading.Lock())


def _evict(table: dict) -> None:
    """Drop the oldest entries of a table at ``CACHE_SIZE`` (holding ``_LOCKS_LOCK``)."""
    while len(table) >= CACHE_SIZE:
        table.pop(next(iter(table)), None)


def _live_signature(fn: Any, signature: inspect.Signature) -> inspect.Signature:
    """``signature`` with the defaults the function has now (``__defaults__`` and
    ``__kwdefaults__`` may have been replaced since it was worked out)."""
    target = type(fn).construct if is_cell(fn) else getattr(fn, "__func__", fn)
    had = any(p.default is not p.empty for p in signature.parameters.values())
    if not had and getattr(target, "__defaults__", None) is None and \
            getattr(target, "__kwdefaults__", None) is None:
        return signature
    from .pipeline.entry import MISSING, default
    params = []
    for p in signature.parameters.values():
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            now = default(fn, p.name)
            p = p.replace(default=p.empty if now is MISSING else now)
        params.append(p)
    return signature.replace(parameters=params)


# Signatures by function, while its defaults are the same objects: working one out was
# most of the per-call cost of ``jvp`` and ``hvp``. Weak keys: a function dropped takes
# its entry with it (a new one cannot inherit it by a reused id).
_SIGNATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    """How ``fn`` is called (a Cell: its ``construct`` without ``self``)."""
    if isinstance(fn, GradFunction):
        return fn.__signature__
    target = type(fn).construct if is_cell(fn) else fn
    if type(target) is not types.FunctionType:  # a method, a partial, a callable object
        return code_signature(fn)
    defaults = (target.__defaults__, target.__kwdefaults__)  # replaceable: part of the key
    held = _SIGNATURES.get(target)
    if held is not None and held[0] is defaults[0] and held[1] is defaults[1]:
        return held[2]
    sig = code_signature(target)
    if target is not fn:
        sig = sig.replace(parameters=list(sig.parameters.values())[1:])
    _SIGNATURES[target] = (*defaults, sig)
    return sig


def _fn_key(fn: Any) -> tuple:
    """What a compilation of ``fn`` depends on besides its arguments and guards: its
    code (first), closure cells and globals."""
    if is_cell(fn):
        return (_code_of(fn), id(fn))
    if isinstance(fn, GradFunction):
        return (_code_of(fn), _fn_key(fn.fn), fn.spec.key())
    if hasattr(fn, "__transform_key__"):  # another transform's function (``vmap``)
        return (_code_of(fn), _fn_key(fn.fn), fn.__transform_key__())
    cells = tuple(id(c) for c in (getattr(fn, "__closure__", None) or ()))
    return (_code_of(fn), cells, id(getattr(fn, "__globals__", None)))


def _code_of(fn: Any) -> Any:
    if is_cell(fn):
        return type(fn).construct.__code__
    if isinstance(fn, GradFunction) or hasattr(fn, "__transform_key__"):
        return _code_of(fn.fn)
    return getattr(fn, "__code__", fn)


# ---------------------------------------------------------------------------- public API


@evaluated_when_compiling
def grad(fn: Callable[..., Any] | None = None, grad_position: Any = 0, weights: Any = None,
         has_aux: bool = False, return_ids: bool = False, sens_param: bool = False, *,
         backend: str = "numpy", argnums: Any = None, holomorphic: bool = False) -> Any:
    """The gradient function of ``fn`` (MindSpore semantics); also a decorator.
    ``sens_param``: the output's cotangent is passed after the arguments
    (``sensitivity``). ``backend`` chooses whose code is generated:
    ``"numpy"`` (the default), ``"array_api"`` (any array API library) or ``"dask"``
    (lazy, chunked arrays). ``argnums`` and ``holomorphic`` are JAX's spellings
    (``options.jax_spellings``)."""
    grad_position, listed = jax_spellings(grad_position, argnums, holomorphic)
    spec = grad_spec(grad_position, weights, has_aux, return_ids, with_value=False,
                     backend=backend, listed=listed)
    if sens_param:
        from .sensitivity import weighted
        return (lambda f: _gradient(weighted(f, has_aux), spec)) if fn is None else \
            _gradient(weighted(fn, has_aux), spec)
    if fn is None:
        return lambda f: _gradient(f, spec)
    return _gradient(fn, spec)


@evaluated_when_compiling
def value_and_grad(fn: Callable[..., Any] | None = None, grad_position: Any = 0,
                   weights: Any = None, has_aux: bool = False,
                   return_ids: bool = False, sens_param: bool = False, *,
                   backend: str = "numpy", argnums: Any = None,
                   holomorphic: bool = False) -> Any:
    """Like ``grad`` but returns ``(value, gradients)``, the value unmodified."""
    grad_position, listed = jax_spellings(grad_position, argnums, holomorphic)
    spec = grad_spec(grad_position, weights, has_aux, return_ids, with_value=True,
                     backend=backend, listed=listed)
    if sens_param:
        from .sensitivity import SensValueAndGrad, weighted
        spec = replace(spec, has_aux=True)  # (the output rides along: see sensitivity)
        def made(f: Any) -> Any:
            return SensValueAndGrad(_gradient(weighted(f, has_aux, keep_output=True), spec))
        return made if fn is None else made(fn)
    if fn is None:
        return lambda f: _gradient(f, spec)
    return _gradient(fn, spec)


def _gradient(fn: Any, spec: GradSpec) -> Any:
    """``GradFunction(fn, spec)``; for a function defined inside one being compiled
    (``grad`` called while compiling: ``local_form``), its gradient made where it is
    called."""
    local = local_form(fn)
    if local is not None:
        return LocalGradient(local, spec)
    return GradFunction(fn, spec)


# What ``gradient_source``/``gradient_ir`` (and ``autodiff-compiler show --transform``)
# can print: the gradient, the reverse-mode program taking cotangents (``vjp``), the
# forward-mode program taking tangents (``jvp``), and forward over reverse (``hvp``).
TRANSFORMS = ("grad", "vjp", "jvp", "hvp")


def gradient_source(fn: Callable[..., Any], grad_position: Any = 0, weights: Any = None,
                    has_aux: bool = False, *, args: Sequence[Any] | None = None,
                    value: bool = False, optimize: bool = True,
                    backend: str = "numpy", transform: str = "grad") -> str:
    """The generated source of ``transform`` of ``fn`` (the gradient by default):
    shape-generic, or specialised to ``args``. ``optimize=False`` shows the transform's
    output before ``passes.PIPELINE``; ``backend`` whose code it is."""
    fn, spec = _transformed(fn, transform, grad_position, weights, has_aux, value, backend)
    if args is not None and optimize:
        return GradFunction(fn, spec).source(*args)
    return _uncached(fn, spec, args, optimize).source


def gradient_ir(fn: Callable[..., Any], grad_position: Any = 0, weights: Any = None,
                has_aux: bool = False, *, args: Sequence[Any] | None = None,
                value: bool = False, optimize: bool = True, transform: str = "grad") -> str:
    """The printed IR of ``transform`` of ``fn``: shape-generic, or specialised to ``args``."""
    fn, spec = _transformed(fn, transform, grad_position, weights, has_aux, value, "numpy")
    return str(_uncached(fn, spec, args, optimize).ir)


def _transformed(fn: Callable[..., Any], transform: str, grad_position: Any, weights: Any,
                 has_aux: bool, value: bool, backend: str) -> tuple[Any, GradSpec]:
    """The function to compile and what to compile of it for one of ``TRANSFORMS``."""
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}: choose one of "
                         f"{', '.join(TRANSFORMS)}")
    vjp = transform == "vjp"
    spec = grad_spec(grad_position, weights, has_aux, False, with_value=value or vjp,
                     cotangent_inputs=vjp, backend=backend)
    if transform in ("jvp", "hvp"):
        if weights is not None or grad_position is None:
            raise AutodiffError(f"{transform} takes tangents for argument positions, not "
                                "weights", hint="give grad_position, and no weights")
        spec = replace(spec, forward=True, with_value=True, bare_position=False,
                       has_aux=False)
    if transform == "hvp":  # the tangent of the gradient (alone): forward over reverse
        fn, spec = grad(fn, grad_position), replace(spec, with_value=False)
    return fn, spec


def _uncached(fn: Callable[..., Any], spec: GradSpec, args: Sequence[Any] | None,
              optimize: bool) -> Compiled:
    try:
        check_library(fn, args or (), spec.backend)
        stand_ins = None if args is None else [abstract(a) for a in args]
        return compile_gradient(fn, spec, stand_ins, optimize=optimize)
    except AutodiffError as err:
        raise err.with_traceback(None) from None


