"""Whole random programs from a seed: arguments, helpers, statements, return.

``generate(seed)`` is deterministic: the seed alone reproduces the program, its
arguments and whether its second derivative is checked. Statements cover what the
compiler supports: straight-line NumPy, Python floats and 0-d arrays, branches on
run-time values, ``for`` over ``range``/rows/``zip``/``enumerate`` with float and
array accumulators, ``while`` (bounded at compile time or at run time), ``break``,
``continue``, early returns, helpers with defaults and closures, lists built in
loops, subscript assignment, ``stop_gradient``, ``has_aux``, a module-level tuple or
list of arrays read through iteration or unpacking, and a tuple of values read by a
loop's index, a starred unpacking or Python's ``max``/``min``/``sum``, and a
comprehension filtered on run-time values and folded by ``sum``/``any``/``all``, arrays
sized by a count taken from the data (``np.zeros(k)``, ``np.repeat(x, k)``), and a
result passed through complex values (``abs`` and ``real`` of complex products).
"""
from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from .expressions import SHAPES, Expressions, Shape
from .program import Program, Stmt

HESSIAN_SHARE = 0.25  # programs whose grad-of-grad is checked too
FLOAT32_SHARE = 0.15
TABLE_SHARE = 0.15  # programs reading a module-level tuple or list of arrays
PARTS_SHARE = 0.2  # programs reading a tuple of values by a loop's index or unpacking
FILTER_SHARE = 0.15  # programs folding items filtered on run-time values
SIZED_SHARE = 0.1  # programs building arrays whose sizes are counted from the data
COMPLEX_SHARE = 0.1  # programs whose last term passes through complex values
COMPLEX_LINALG_SHARE = 0.08  # programs whose last term goes through complex linear algebra
# A scalar ``t`` through products and linear algebra of complex arrays (``vdot``
# conjugates its first operand; a complex matrix's adjugate and slogdet sign need
# conjugates: each derivative was wrong for complex arrays only)
COMPLEX_LINALG_TERMS = [
    "np.real(np.vdot(np.array([1.0, 0.5j]) * ({t}), np.array([0.3 - 1j, 2.0]) * ({t}) + 1j))",
    "np.abs(np.linalg.det(np.array([[1.0 + 0.5j, 0.3], [0.2j, 0.7]]) "
    "+ ({t}) * np.array([[0.3, 1j], [0.2 - 0.5j, 0.7]])))",
    "np.imag(np.linalg.slogdet(np.array([[1.5 + 0.5j, 0.3], [0.2j, 0.9]]) "
    "+ ({t}) * np.array([[0.3, 1j], [0.2, 0.7j]]))[0])",
    "np.real(np.sum(np.linalg.inv(np.array([[2.0 + 0.5j, 0.3], [0.2j, 1.5]]) "
    "+ np.tanh({t}) * np.array([[0.3j, 0.1], [0.2, 0.4j]]))))",
    "np.real(np.trace(np.array([[1j, 0.5], [0.3, -1j]]) @ np.linalg.matrix_power("
    "np.eye(2) + ({t}) * np.array([[0.3j, 0.1], [0.2, 0.4j]]), 2)))",
]
ZERO_SHARE = 0.5  # programs taking a product whose argument has an entry exactly 0
SCAN_SHARE = 0.3  # ``while`` loops walking an array's rows while a test on them holds
JUMP_IN_BLOCK_SHARE = 0.3  # loops' jumps nested in an ``if True:`` or a ``with``
SPECIAL_SHARE = 0.1  # programs whose last term passes through SciPy's special functions
FACTORY_SHARE = 0.1  # programs calling copies of a factory's nested def, nested in each other
KEPT_SHARE = 0.1  # programs setting an attribute of a module-level object and reading it
DRAWS_SHARE = 0.1  # programs making a random state (default_rng(seed)) and drawing from it
SNAPSHOT_SHARE = 0.15  # ``for`` loops whose accumulator's first value has a second name
PAIR_SHARE = 0.15  # branches followed by a tuple holding None (or one array) on both paths
HELD_SHARE = 0.15  # arrays written by index through the dict or list holding them
BOXED_SHARE = 0.15  # ``for`` loops whose accumulator a helper writes into a list
BOUNDED_SHARE = 0.3  # counted ``while`` loops that also stop once the accumulator is large
IDENTITY_SHARE = 0.1  # branches testing ``bool(c) is True`` and the like
MATCH_SHARE = 0.1  # branches spelt as ``match bool(c):`` with ``case True:``
FIRST_SHARE = 0.15  # ``for`` loops keeping their first value in a name that starts as None
ALIAS_SHARE = 0.1  # a run-time branch's value, a view or a 0-d array on a path, written in place
READER_SHARE = 0.1  # a partial, bound method, generator... of an array, then a write into it
SHARED_SHARE = 0.1  # a list held twice (an alias, a list in a tuple, a helper's parameter),
# changed on a run-time branch's paths and then through the other holder
SETTLING_SHARE = 0.15  # ``while`` tests that start as Python values (``gap = np.inf``),
# then run-time ones, while the body writes an array in place (``hist[c % 4] = ...``)
RENAMED_SHARE = 0.1  # arguments named as generated code names its own values (``i0``)
# Names the backends' generated code gives its own values (a kernel's loop counters, its
# runtime's functions, the adjoint's): a user's argument named so must keep its value
# (numba: an argument ``i1`` was the loop counter ``for i1 in range(n)``)
GENERATED_NAMES = ("i0", "i1", "i2", "p", "item", "outside", "fast_exp", "sigmoid",
                   "floor_divide", "mod", "g", "ans", "out", "result", "value", "grad", "self")
ACCUMULATED_SHARE = 0.1  # an array a loop writes in place, alone or held by an attribute...
WINDOW_SHARE = 0.12  # loops of known length reading slices at their index (``x[t:t + 2]``)
# What that term becomes (``{t}``: a scalar): SciPy's ufuncs, its logsumexp, and a
# squeezed keepdims reduction (whose seed is reshaped: the dask backend failed there).
SPECIAL_TERMS = [
    "scipy.special.expit({t}) + scipy.special.erf(0.3 * {t})",
    "scipy.special.gammaln({t} * {t} + 1.0) + scipy.special.xlogy({t} * {t}, 1.5)",
    "scipy.special.logsumexp(np.atleast_1d({t}) * np.array([1.0, -0.5]))",
    # (its argument kept where expit is not 1 - 1e-16: beyond, rounding holds logit
    # constant at every step differences take, which they read as no slope; seed 390258)
    "scipy.special.log_ndtr({t}) + scipy.special.logit(scipy.special.expit("
    "np.clip({t}, -25.0, 25.0)))",
    "np.squeeze(np.log(np.sum(np.exp(np.atleast_1d({t})), keepdims=True)))",
]
# A helper's parameters, by kind of signature.
SIGNATURES = {"plain": "a, b, k={k}", "keyword_only": "a, b, *, k={k}",
              "varargs": "a, *rest, k={k}"}
HELPER_BODIES = ["np.tanh({a}) * {b} + 0.5 * {a}", "np.sin({a} - {b}) + {a} * {b}",
                 "{a} / (1.5 + np.cos({b}))", "np.exp(np.tanh({a})) * {b} ** 2"]


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.features: set[str] = set()
        self.ex = Expressions(self.rng, self.features)
        self.count = 0
        self.helpers: list[Stmt] = []
        self.aux: str | None = None
        # Choices added after seeds were first run are drawn from a stream of their own,
        # so every seed's program is otherwise what it was.
        self.apart = random.Random(seed + 5800079)
        self.ex.apart = self.apart
        self.ex.picks = random.Random(seed + 7100003)
        self.ex.products = random.Random(seed + 7300013)
        self.ex.sanitised = random.Random(seed + 7900009)
        self.ex.draws = random.Random(seed + 8200001)
        self.zeros = random.Random(seed + 7700071)
        self.swaps = random.Random(seed + 8600023)
        self.sums = random.Random(seed + 9100043)
        self.locals = random.Random(seed + 9300029)
        self.stacks = random.Random(seed + 9500021)
        self.scans = random.Random(seed + 9700019)
        self.snapshots = random.Random(seed + 9800027)
        self.texts = random.Random(seed + 9900103)
        self.pairs = random.Random(seed + 9900119)
        self.spellings = random.Random(seed + 9900181)
        self.holders = random.Random(seed + 9900131)
        self.renames = random.Random(seed + 9900157)
        self.settles = random.Random(seed + 9900161)
        self.boxes = random.Random(seed + 9900137)
        self.bounds = random.Random(seed + 9900139)
        self.firsts = random.Random(seed + 9900149)

    def fresh(self, stem: str = "v") -> str:
        self.count += 1
        return f"{stem}{self.count}"

    # ------------------------------------------------------------------ arguments

    def arguments(self, seed: int) -> tuple[tuple[str, ...], tuple]:
        rng, values = self.rng, np.random.default_rng(seed)
        dtype = np.float32 if rng.random() < FLOAT32_SHARE else np.float64
        if dtype is np.float32:
            self.features.add("float32")
        names, args = [], []
        plain = ("x", "y", "z")[:rng.choice([1, 2, 2, 3])]
        renamed = self.renames.random() < RENAMED_SHARE
        if renamed:
            self.features.add("generated_names")
        for name in plain:
            if renamed:
                name = self.renames.choice([n for n in GENERATED_NAMES if n not in names])
            shape = rng.choice([*SHAPES[1:], ()])
            if shape == () and rng.random() < 0.5:
                args.append(float(values.uniform(-1.5, 1.5)))
                self.features.add("python_float")
            else:
                args.append(values.uniform(-1.5, 1.5, size=shape).astype(dtype))
                if shape == ():
                    self.features.add("0d_array")
            names.append(name)
            self.ex.env[name] = shape
        if rng.random() < 0.2:
            names.append("n")
            args.append(rng.choice([2, 3]))
            self.ex.ints.append("n")
        return tuple(names), tuple(args)

    # ------------------------------------------------------------------ statements

    def block(self, n: int, depth: int) -> list[Stmt]:
        return [s for _ in range(n) for s in self.statement(depth)]

    def statement(self, depth: int) -> list[Stmt]:
        kinds = [self.assign, self.assign, self.assign, self.update, self.update]
        if depth < 2 and self.swaps.random() < 0.06:  # drawn apart: seeds keep programs
            return self.row_fill(depth)
        if depth < 2 and self.sums.random() < 0.05:
            return self.product_sum(depth)
        if depth < 2 and self.locals.random() < 0.04:
            return self.local_transform(depth)
        if depth < 2 and self.stacks.random() < 0.05:
            return self.stacks.choice([self.stack_ops, self.number_started_sum])(depth)
        if depth < 2:
            kinds += [self.if_, self.if_, self.for_, self.for_, self.while_, self.setitem,
                      self.closure, self.list_loop, self.comprehension, self.early_return,
                      self.guard]
        return self.rng.choice(kinds)(depth)

    def assign(self, depth: int) -> list[Stmt]:
        shape = self.rng.choice(SHAPES)
        name = self.fresh()
        rhs = self.ex.expr(shape, self.rng.choice([1, 2, 2]))
        if rhs.isidentifier():
            rhs = f"np.tanh({rhs})"
        if self.rng.random() < 0.1:
            other = self.fresh()
            self.features.add("unpack")
            stmt = Stmt(f"{name}, {other} = {rhs}, {self.ex.expr((), 1)}")
            self.ex.env[other] = ()
        else:
            stmt = Stmt(f"{name} = {rhs}")
        self.ex.env[name] = shape
        return [stmt]

    def update(self, depth: int) -> list[Stmt]:
        name = self.rng.choice(list(self.ex.env))
        shape = self.ex.env[name]
        e = self.ex.expr(shape, 2)
        return [Stmt(self.rng.choice([f"{name} = {name} * 0.5 + {e}",
                                      f"{name} = np.tanh({name}) - {e}"]))]

    def _scoped(self, make):
        """Run ``make`` with names it defines dropped afterwards (a block's locals)."""
        env, ints, fns = dict(self.ex.env), list(self.ex.ints), list(self.ex.unary_fns)
        out = make()
        self.ex.env, self.ex.ints, self.ex.unary_fns = env, ints, fns
        return out

    def if_(self, depth: int) -> list[Stmt]:
        self.features.add("if")
        test = self.ex.condition(1)
        name, shape = self.fresh(), self.rng.choice(SHAPES)
        then = self._scoped(lambda: [*self.block(self.rng.randrange(2), depth + 1),
                                     Stmt(f"{name} = {self.ex.expr(shape, 2)}")])
        if self.rng.random() < 0.3:
            self.features.add("elif")
            inner = self._scoped(lambda: Stmt(f"{name} = {self.ex.expr(shape, 2)}"))
            other = Stmt(f"if {self.ex.condition(1)}:", (inner,),
                         (Stmt(f"{name} = {self.ex.expr(shape, 1)}"),))
            orelse = (other,)
        else:
            orelse = tuple(self._scoped(lambda: [Stmt(f"{name} = {self.ex.expr(shape, 2)}")]))
        self.ex.env[name] = shape
        stmts = [self._branch(test, tuple(then), orelse)]
        if self.pairs.random() < PAIR_SHARE:
            stmts += self._optional_pair(name, shape)
        return stmts

    def _branch(self, test: str, then: tuple[Stmt, ...], orelse: tuple[Stmt, ...]) -> Stmt:
        """``if test:``, or the same branch spelt as an identity with a Python bool
        (``bool(test) is True``: a run-time bool is Python's singleton) or as a
        ``match`` on it."""
        spelling = self.spellings.random()
        if spelling < IDENTITY_SHARE:
            self.features.add("is_bool")
            test = self.spellings.choice([f"bool({test}) is True",
                                          f"bool({test}) is not False",
                                          f"(not ({test})) is False"])
        elif spelling < IDENTITY_SHARE + MATCH_SHARE:
            self.features.add("match")
            cases = (Stmt("case True:", then, keep=True), Stmt("case _:", orelse, keep=True))
            return Stmt(f"match bool({test}):", cases, keep=True)
        return Stmt(f"if {test}:", then, orelse)

    def _optional_pair(self, name: str, shape: Shape) -> list[Stmt]:
        """A tuple whose second item is ``None`` on both paths of a run-time branch (or
        the same array from before it), tested afterwards: the merged tuple holds it as
        it is (it held a branch output, and ``is None`` took the other arm)."""
        self.features.add("optional_pair")
        pair, other = self.fresh("pair"), self.pairs.choice(["None", name])
        return [Stmt(f"{pair} = ({name}, {other}) if {self.ex.condition(1)} else "
                     f"({name} * 0.5, {other})"),
                Stmt(f"{name} = {pair}[0] * 2.0 if {pair}[1] is None else {pair}[0] + {pair}[1]")]

    def _accumulator(self) -> tuple[str, Shape, Stmt]:
        name, shape = self.fresh("acc"), self.rng.choice(SHAPES)
        if shape == ():
            self.features.add("scalar_carry")
            init = self.rng.choice(["0.0", "1.0", self.ex.expr((), 1), "np.zeros(())"])
        else:
            self.features.add("array_carry")
            init = self.rng.choice([f"np.zeros({shape})", f"{self.ex.expr(shape, 1)} * 1.0"])
        return name, shape, Stmt(f"{name} = {init}")

    def _loop_head(self) -> tuple[str, dict[str, Shape], list[str]]:
        """A ``for`` header and the names it binds (arrays and ints)."""
        rng, ex = self.rng, self.ex
        kind = rng.choice(["range", "rows", "zip", "enumerate"])
        self.features.add(f"for_{kind}")
        if kind == "range":
            i = self.fresh("i")
            bound = rng.choice(["3", "2", *ex.ints])
            return f"for {i} in range({bound}):", {}, [i]
        shape = rng.choice([s for s in SHAPES if s])
        rows = ex.expr(shape, 1)
        row = self.fresh("r")
        if kind == "rows":
            return f"for {row} in {rows}:", {row: shape[1:]}, []
        if kind == "enumerate":
            i = self.fresh("i")
            return f"for {i}, {row} in enumerate({rows}):", {row: shape[1:]}, [i]
        other = rng.choice([s for s in SHAPES if s and s[0] == shape[0]])
        row2 = self.fresh("r")
        return (f"for {row}, {row2} in zip({rows}, {ex.expr(other, 1)}):",
                {row: shape[1:], row2: other[1:]}, [])

    def for_(self, depth: int) -> list[Stmt]:
        acc, shape, init = self._accumulator()
        self.ex.env[acc] = shape
        head, bound, ints = self._loop_head()

        def body() -> list[Stmt]:
            self.ex.env.update(bound)
            self.ex.ints += ints
            stmts = self.block(self.rng.randrange(2), depth + 1)
            stmts += self._jump(acc)
            stmts.append(self._carry(acc, shape, ints))
            return stmts

        if self.boxes.random() < BOXED_SHARE:
            return self._boxed_for(acc, init, head, body)
        if self.firsts.random() < FIRST_SHARE:
            return self._first_kept(acc, init, head, body)
        loop = Stmt(head, tuple(self._scoped(body)))
        if self.snapshots.random() < SNAPSHOT_SHARE:
            return self._snapshot(acc, shape, init, loop)
        return [init, loop]

    def _first_kept(self, acc: str, init: Stmt, head: str,
                    body: Callable[[], list[Stmt]]) -> list[Stmt]:
        """``first = None`` before the loop, set in its first iteration (``if first is
        None``) and read after it: once decided for every iteration (the first took
        the other branch), silently."""
        self.features.add("first_kept")
        first = self.fresh("first")
        keep = Stmt(f"if {first} is None:", (Stmt(f"{first} = {acc} * 1.0"),),
                    (Stmt(f"{acc} = {acc} + {first} * 0.25"),))
        return [init, Stmt(f"{first} = None"),
                Stmt(head, (keep, *self._scoped(body))),
                Stmt(f"{acc} = {acc} + {first} * 0.5")]

    def _boxed_for(self, acc: str, init: Stmt, head: str,
                   body: Callable[[], list[Stmt]]) -> list[Stmt]:
        """The accumulator kept in a list a helper writes into (``put_first(box, v)``),
        or set by a nested def through ``nonlocal``: the loop's body assigns no name
        holding it. The writes were once dropped (value and gradient those of the
        first iteration's start); ``nonlocal`` was refused."""
        stmts = self._scoped(body)
        *rest, carry = stmts
        assert carry.text.startswith(acc)  # ``acc = ...`` or ``acc += ...``
        value = carry.text[len(acc):].lstrip()
        value = value[2:] if value.startswith("= ") else f"{acc} + ({value[3:]})"
        if self.boxes.random() < 0.5:
            self.features.add("nonlocal_accumulator")
            setter = Stmt(f"def set_{acc}(v):", (Stmt(f"nonlocal {acc}"), Stmt(f"{acc} = v")))
            return [init, setter, Stmt(head, (*rest, Stmt(f"set_{acc}({value})")))]
        self.features.add("boxed_accumulator")
        if not any(h.text.startswith("def put_first(") for h in self.helpers):
            self.helpers.append(Stmt("def put_first(items, v):", (Stmt("items[0] = v"),)))
        box = self.fresh("box")
        loop = Stmt(head, (Stmt(f"{acc} = {box}[0]"), *rest,
                           Stmt(f"put_first({box}, {value})")))
        # (the loop's header may read the accumulator: it has its value before the loop)
        return [init, Stmt(f"{box} = [{acc}]"), loop, Stmt(f"{acc} = {box}[0]")]

    def _snapshot(self, acc: str, shape: Shape, init: Stmt, loop: Stmt) -> list[Stmt]:
        """``start = acc`` before the loop, read after it: where ``acc`` is an array
        (``np.zeros(())``, ``np.array`` of numbers made while compiling, a computed
        one), ``acc += v`` writes into it and NumPy shows ``start`` the new values; a
        number's is rebound. A silent old value is what it would find."""
        self.features.add("snapshot")
        if self.snapshots.random() < 0.5:  # an array of numbers, made while compiling
            init = Stmt(f"{acc} = np.array({np.full(shape, 0.5).tolist()!r})")
        start = f"{acc}_start"
        return [init, Stmt(f"{start} = {acc}"), loop, Stmt(f"{acc} = {acc} + {start} * 0.5")]

    def _carry(self, acc: str, shape: Shape, ints: list[str]) -> Stmt:
        e = self.ex.expr(shape, 2)
        scale = f" * ({ints[0]} + 1)" if ints and self.rng.random() < 0.5 else ""
        return Stmt(self.rng.choice([f"{acc} = {acc} * 0.5 + {e}{scale}",
                                     f"{acc} = {acc} + np.tanh({e}){scale}",
                                     f"{acc} += {e}{scale}"]))

    def _jump(self, acc: str) -> list[Stmt]:
        r = self.rng.random()
        if r > 0.35:
            return []
        jump = "break" if r < 0.15 else "continue" if r < 0.3 else "return"
        self.features.add(jump)
        stmt = self._return_stmt() if jump == "return" else Stmt(jump)
        jumps = [Stmt(f"if {self.ex.condition(1)}:", (stmt,))]
        if self.apart.random() < JUMP_IN_BLOCK_SHARE:
            # in a block that is not the loop's body: the rest of the body after the
            # block used to be skipped on every path
            self.features.add("jump_in_block")
            head = self.apart.choice(["if True:", "with np.errstate(all='ignore'):"])
            return [Stmt(head, (*jumps, Stmt(f"{acc} = {acc} * 1.25")))]
        return jumps

    def _return_stmt(self) -> Stmt:
        value = self.ex.to_scalar(self.ex.expr((), 2), ())
        return Stmt(f"return {value}" + (f", {self.aux}" if self.aux else ""))

    def early_return(self, depth: int) -> list[Stmt]:
        self.features.add("early_return")
        return [Stmt(f"if {self.ex.condition(1)}:", (self._return_stmt(),))]

    def while_(self, depth: int) -> list[Stmt]:
        acc, shape, init = self._accumulator()
        self.ex.env[acc] = shape
        counter = self.fresh("c")
        if self.scans.random() < SCAN_SHARE:
            start, test, step = self._scan_while(counter)
        elif self.rng.random() < 0.5:
            self.features.add("while_runtime")
            start = Stmt(f"{counter} = 1.0 + np.tanh({self.ex.expr((), 1)})")
            test, step = f"{counter} < 3.0", f"{counter} = {counter} + 0.75"
        else:
            self.features.add("while_static")
            start, test, step = Stmt(f"{counter} = 0"), f"{counter} < 3", f"{counter} += 1"
        if " and " not in test and self.settles.random() < SETTLING_SHARE:
            return self._settling_while(acc, shape, init, counter, depth)
        if " and " not in test and self.bounds.random() < BOUNDED_SHARE:  # (not a scan)
            # two tests, one on the counter, one on what the loop computes (the numba
            # backend's kernel gave both one name once: the second alone decided)
            self.features.add("while_bounded")
            test = f"{test} and {self.ex.to_scalar(acc, shape)} < 4.0"
        body = self._scoped(lambda: [*self.block(self.rng.randrange(2), depth + 1),
                                     self._carry(acc, shape, []), Stmt(step, keep=True)])
        return [init, start, Stmt(f"while {test}:", tuple(body))]

    def _settling_while(self, acc: str, shape: Shape, init: Stmt, counter: str,
                        depth: int) -> list[Stmt]:
        """A ``while`` whose test starts as a Python value (``gap`` is ``np.inf``) and
        is a run-time one after the first iteration, which writes a history array in
        place: the body is lowered again once the test's value settles (the first
        attempt's write outdated the array for the second: a false refusal once)."""
        self.features.add("while_settling")
        gap, history = self.fresh("gap"), self.fresh("hist")
        slot = f"{history}[{counter} % 4]"
        body = self._scoped(lambda: [*self.block(self.rng.randrange(2), depth + 1),
                                     self._carry(acc, shape, []),
                                     Stmt(f"{slot} = {self.ex.to_scalar(acc, shape)}",
                                          keep=True),
                                     Stmt(f"{gap} = np.abs({slot}) + 0.5", keep=True),
                                     Stmt(f"{counter} += 1", keep=True)])
        return [init, Stmt(f"{counter} = 0"), Stmt(f"{gap} = np.inf"),
                Stmt(f"{history} = np.zeros(4)"),
                Stmt(f"while {counter} < 3 and {gap} > 1e-3:", tuple(body)),
                Stmt(f"{acc} = {acc} + np.sum({history})")]

    def _scan_while(self, counter: str) -> tuple[Stmt, str, str]:
        """A ``while`` that walks an array's rows while a test on the row holds: its
        right operand reads past the end unless ``and`` skips it as Python does, and
        under ``vmap`` the examples stop at different rows (a batched ``while``, whose
        branch must read only the examples still walking)."""
        self.features.add("while_scan")
        rng = self.scans
        shape = rng.choice([s for s in SHAPES if s])
        row = self.ex.to_scalar(f"({self.ex.expr(shape, 1)})[{counter}]", shape[1:])
        test = f"{counter} < {shape[0]} and {row} > {rng.choice(['-0.5', '-0.2', '0.05'])}"
        return Stmt(f"{counter} = 0"), test, f"{counter} += 1"

    def guard(self, depth: int) -> list[Stmt]:
        """A check on run-time values that raises where they have diverged (never, at
        the generator's values): compiled as a run-time ``if ...: raise``, or an
        ``assert`` whose message is an array (under vmap, each example's own)."""
        self.features.add("guard")
        shape = self.rng.choice(SHAPES)
        array = self.ex.expr(shape, 1)
        if self.rng.random() < 0.3:  # an assert whose message is the array itself
            check = Stmt(f"assert np.all(np.abs({array}) < 1e6), {array}")
            return [check, *self._logged(array, shape)]
        value = self.ex.to_scalar(array, shape)
        return [Stmt(f"if np.abs({value}) > 1e6:",
                     (Stmt(f"raise ValueError(f'diverged: {{{value}}}')"),))]

    def _logged(self, array: str, shape: Shape) -> list[Stmt]:
        """Sometimes a debug log of a number in an f-string with a format spec, written
        for one example's number (formatted when the program runs, under vmap for the
        whole batch; the logger is silent)."""
        if self.texts.random() >= 0.5:
            return []
        self.features.add("format_spec")
        if not any(h.text.startswith("LOG = ") for h in self.helpers):
            self.helpers.append(Stmt('LOG = __import__("logging").getLogger("fuzz.silent")'))
        spec = self.texts.choice([".4f", ".3g", ">9.2e"])
        return [Stmt(f"LOG.debug(f'value {{{self.ex.to_scalar(array, shape)}:{spec}}}')")]

    def setitem(self, depth: int) -> list[Stmt]:
        self.features.add("setitem")
        shape = self.rng.choice([s for s in SHAPES if s])
        name = self.fresh("b")
        init = self.rng.choice([f"np.zeros({shape})", f"{self.ex.expr(shape, 1)} + 0.0",
                                f"np.array({self.ex.expr(shape, 1)})"])
        i = self.rng.randrange(shape[0])
        target, part = self.rng.choice([(f"{name}[{i}]", shape[1:]),
                                        (f"{name}[1:]", (shape[0] - 1, *shape[1:]))])
        op = self.rng.choice(["=", "+=", "*=", "copyto", "out="])
        if self.swaps.random() < 0.4:  # rows picked by an integer array, maybe one twice
            self.features.add("setitem_by_array")
            again = self.swaps.choice([i, self.swaps.randrange(shape[0])])
            rows = f"np.array([{i}, {again}])"
            target, part = self.swaps.choice(
                [(f"{name}[{rows}]", (2, *shape[1:]))]
                + ([(f"{name}[{rows}, {shape[1] - 1}]", (2, *shape[2:]))] if shape[1:] else []))
        if op in ("=", "+=", "*=") and self.holders.random() < HELD_SHARE:
            return self._held_setitem(name, init, target, op, part, shape)
        self.ex.env[name] = shape
        value = self.ex.expr(part, 2)
        if shape[0] > 1 and self.swaps.random() < 0.15:  # drawn apart: seeds keep programs
            # rows exchanged by a tuple assignment: NumPy's second item is a view of the
            # row the first target overwrote, unless copied
            self.features.add("tuple_of_rows")
            j, copy = (i + 1) % shape[0], self.swaps.choice(["", ".copy()"])
            return [Stmt(f"{name} = {init}"),
                    Stmt(f"{name}[{i}], {name}[{j}] = {name}[{j}] * 0.5, "
                         f"{name}[{i}]{copy}")]
        if op == "copyto":  # NumPy's calls that write into an array
            write = f"np.copyto({target}, {value})"
        elif op == "out=":
            write = f"np.add({target}, {value}, out={target})"
        else:
            write = f"{target} {op} {value}"
        return [Stmt(f"{name} = {init}"), Stmt(write)]

    def _held_setitem(self, name: str, init: str, target: str, op: str, part: Shape,
                      shape: Shape) -> list[Stmt]:
        """The array made in a dict or a list and written by index through it
        (``grads["W"][i] = row``), then read from it: the write's own read of the
        holder once counted as a read of the array it outdated."""
        self.features.add("held_setitem")
        box = self.fresh("box")
        holder, item = self.holders.choice([(f'{{"k": {init}}}', f'{box}["k"]'),
                                            (f"[{init}]", f"{box}[0]")])
        value = self.ex.expr(part, 2)  # (before the array has a name of its own)
        self.ex.env[name] = shape
        return [Stmt(f"{box} = {holder}"), Stmt(f"{item}{target[len(name):]} {op} {value}"),
                Stmt(f"{name} = {item}")]

    def row_fill(self, depth: int) -> list[Stmt]:
        """An array the function made, filled row by row in a loop: each row a value
        of the step, added to, or a function of the row before (written in place, and
        zeroed in place in the adjoint)."""
        self.features.add("row_fill")
        shape = self.swaps.choice([s for s in SHAPES if s and s[0] >= 2])
        name, t = self.fresh("b"), self.fresh("t")
        init = self.swaps.choice([f"np.zeros({shape})", f"{self.ex.expr(shape, 1)} * 1.0"])
        form = self.swaps.choice(["=", "+=", "before"])

        def row() -> Stmt:
            self.ex.ints.append(t)
            value = self.ex.expr(shape[1:], 2)
            if form == "before":  # at t = 0 the row before is the last, as in NumPy
                return Stmt(f"{name}[{t}] = np.tanh({name}[{t} - 1] * 0.5 + {value})")
            return Stmt(f"{name}[{t}] {form} {value} * ({t} + 1)")

        body = self._scoped(row)
        self.ex.env[name] = shape
        return [Stmt(f"{name} = {init}"), Stmt(f"for {t} in range({shape[0]}):", (body,))]

    def product_sum(self, depth: int) -> list[Stmt]:
        """A running sum of products of the step's vectors or matrices
        (``s = s + np.outer(x[t], v)``, ``s += a.T @ b``), often of a row of an array
        as long as the loop: summed as one product after the loop where that qualifies
        (``opt/loop_sums.py``), with the sum read again at each step now and then."""
        self.features.add("product_sum")
        r = self.sums
        name, t = self.fresh("s"), self.fresh("t")
        stacked = [(n, sh) for n, sh in self.ex.env.items() if len(sh) == 2]
        rows = r.choice(stacked) if stacked and r.random() < 0.7 else None
        count = rows[1][0] if rows else r.choice([2, 3, 4])
        m = rows[1][1] if rows else r.choice([2, 3])
        n = r.choice([2, 3, 4])
        init = r.choice([f"np.zeros(({m}, {n}))", f"{self.ex.expr((m, n), 1)} * 1.0"])

        def step() -> list[Stmt]:
            self.ex.ints.append(t)
            if rows or r.random() < 0.5:
                a = f"{rows[0]}[{t}]" if rows else self.ex.expr((m,), 2)
                term = f"np.outer({a}, {self.ex.expr((n,), 2)})"
            else:
                k = r.choice([1, 2, 3])
                term = f"({self.ex.expr((k, m), 2)}).T @ np.tanh({self.ex.expr((k, n), 2)})"
            out = [Stmt(r.choice([f"{name} = {name} + {term}", f"{name} += {term}"]))]
            if r.random() < 0.15:  # the running sum read at every step: stays in the loop
                out.append(Stmt(f"{name} = {name} * 0.5"))
            return out

        body = self._scoped(step)
        self.ex.env[name] = (m, n)
        return [Stmt(f"{name} = {init}"), Stmt(f"for {t} in range({count}):", tuple(body))]

    def local_transform(self, depth: int) -> list[Stmt]:
        """``grad`` or ``vmap`` of a ``def`` the function makes, reading a value of the
        function (its closure): the gradient or mapped rows of a physics-informed loss
        (``pipeline/local.py``), differentiated again by the checker; or the ``def``
        checkpointed (recomputed in the backward pass), affine in its closure's value
        (its gradient then skips that value: differentiated again, its backward made a
        zero of a value it was not passed)."""
        self.features.add("local_transform")
        r = self.locals
        fn, out = self.fresh("d"), self.fresh("v")
        shape = r.choice([s for s in SHAPES if len(s) in (1, 2)])
        scale = self.ex.leaf(())
        if r.random() < 0.3:
            self.features.add("checkpoint")
            body = r.choice(["np.sin(u) + u * {s}", "np.tanh(u) * {s}"]).format(s=scale)
            size = int(np.prod(shape))  # or a constant: only the closure differentiated
            argument = r.choice([self.ex.expr(shape, 2),
                                 f"np.linspace(-1.0, 1.0, {size}).reshape({shape})"])
            call = f"adc.checkpoint({fn})({argument})"
            self.ex.env[out] = shape
            define = Stmt(f"def {fn}(u):", (Stmt(f"return {body}"),))
            if r.random() < 0.5:  # a step of a loop: its carry through the call (vmap of
                # the second derivative batches the call and the tape it packs)
                t = self.fresh("t")
                return [define, Stmt(f"{out} = {call}"), Stmt(
                    f"for {t} in range(2):", (Stmt(f"{out} = adc.checkpoint({fn})({out})"),))]
            return [define, Stmt(f"{out} = {call}")]
        body = r.choice(["np.sum(np.sin(u) * u) * {s}", "np.sum(np.tanh(u * {s}))",
                         "np.sum(u ** 2) * np.cos({s})"]).format(s=scale)
        define = Stmt(f"def {fn}(u):", (Stmt(f"return {body}"),))
        if r.random() < 0.5:
            call = f"adc.grad({fn})({self.ex.expr(shape, 2)})"
            self.ex.env[out] = shape
        else:  # vmap over the rows: one value per row
            call = f"adc.vmap({fn})({self.ex.expr(shape, 2)})"
            self.ex.env[out] = shape[:1]
        return [define, Stmt(f"{out} = {call}")]

    def stack_ops(self, depth: int) -> list[Stmt]:
        """Values pushed on a list the function builds and popped off it, by position
        too (tangent's ``stack_pushing``): the list's methods run while compiling."""
        self.features.add("stack_ops")
        r = self.stacks
        shape = r.choice(SHAPES)
        stack, out = self.fresh("st"), self.fresh()
        pushes = [Stmt(f"{stack}.append({self.ex.expr(shape, 2)})") for _ in range(3)]
        if r.random() < 0.5:  # pushed through another name: += changes the list itself
            alias = self.fresh("al")
            pushes[1:2] = [Stmt(f"{alias} = {stack}"),
                           Stmt(f"{alias} += [{self.ex.expr(shape, 2)}]")]
        pop = r.choice([f"{stack}.pop() * 2.0 + {stack}.pop(0)",
                        f"{stack}.pop(1) - {stack}[-1] * {stack}.pop()"])
        self.ex.env[out] = shape
        return [Stmt(f"{stack} = []"), *pushes, Stmt(f"{out} = {pop}")]

    def number_started_sum(self, depth: int) -> list[Stmt]:
        """A running sum or product started from a Python number (``acc = 0.0``) and
        made an array by its first step: lowered as that step and a loop over the rest
        (a Jacobian of it was refused)."""
        self.features.add("number_started_sum")
        r = self.stacks
        shape = r.choice([s for s in SHAPES if s])
        name, t = self.fresh("acc"), self.fresh("t")
        op, init = r.choice([("+", r.choice(["0.0", "0"])), ("*", r.choice(["1.0", "1"]))])

        def step() -> Stmt:
            self.ex.ints.append(t)
            term = self.ex.expr(shape, 2)
            if op == "*":
                term = f"np.tanh({term})"
            return Stmt(f"{name} = {name} {op} {term}")

        if r.random() < 0.4:  # over the rows of an array (enumerated): peeled as a range is
            row = self.fresh("row")
            rows = f"np.stack([{self.ex.expr(shape, 1)}, {self.ex.expr(shape, 1)}])"
            self.ex.env[row] = shape
            body = self._scoped(step)
            del self.ex.env[row]
            self.ex.env[name] = shape
            return [Stmt(f"{name} = {init}"),
                    Stmt(f"for {t}, {row} in enumerate({rows}):", (body,))]
        body = self._scoped(step)
        self.ex.env[name] = shape
        return [Stmt(f"{name} = {init}"),
                Stmt(f"for {t} in range({r.choice([1, 2, 3, 4])}):", (body,))]

    def closure(self, depth: int) -> list[Stmt]:
        self.features.add("closure")
        name, scale = self.fresh("g"), self.ex.leaf(())
        self.ex.unary_fns.append(name)
        if self.rng.random() < 0.5:
            return [Stmt(f"{name} = lambda u: np.tanh(u) * {scale} + u")]
        return [Stmt(f"def {name}(u):", (Stmt(f"return np.sin(u) * {scale} + 0.5 * u"),))]

    def list_loop(self, depth: int) -> list[Stmt]:
        self.features.add("list_loop")
        parts, shape, i = self.fresh("parts"), self.rng.choice(SHAPES[:5]), self.fresh("i")
        name = self.fresh("st")
        body = self._scoped(lambda: (self.ex.ints.append(i) or
                                     Stmt(f"{parts}.append({self.ex.expr(shape, 2)} * {i})")))
        self.ex.env[name] = (3, *shape)
        return [Stmt(f"{parts} = []"), Stmt(f"for {i} in range(3):", (body,)),
                Stmt(f"{name} = np.stack({parts})")]

    def comprehension(self, depth: int) -> list[Stmt]:
        """A list or generator comprehension over a range, a tuple of constants or the
        rows of an array, stacked or summed; its loop variable is its own."""
        self.features.add("comprehension")
        shape, name, k = self.rng.choice(SHAPES[:5]), self.fresh("c"), self.fresh("k")
        over = self.rng.choice(["range(3)", "(0.5, -1.0, 2.0)", "rows"])
        rows = [n for n, s in self.ex.env.items() if len(s) >= 1 and s[1:] == shape]
        if over == "rows" and rows:
            source = self.rng.choice(rows)
            elt = self._scoped(lambda: self.ex.env.update({k: shape}) or
                               f"np.tanh({k}) * {self.ex.expr(shape, 1)}")
            self.ex.env[name] = shape
            return [Stmt(f"{name} = sum([{elt} for {k} in {source}])")]
        over = "range(3)" if over == "rows" else over
        elt = self._scoped(lambda: (self.ex.ints.append(k) if over == "range(3)" else
                                    self.ex.env.update({k: ()})) or
                           f"{self.ex.expr(shape, 2)} * {k}")
        if self.rng.random() < 0.5:
            self.ex.env[name] = (3, *shape)
            return [Stmt(f"{name} = np.stack([{elt} for {k} in {over}])")]
        self.ex.env[name] = shape
        return [Stmt(f"{name} = sum({elt} for {k} in {over} if {k} != 1)")]

    def global_table(self) -> tuple[Stmt, list[Stmt], str]:
        """``TABLE``, a module-level tuple or list of arrays, read by iterating over it,
        unpacking it, ``enumerate`` or ``zip``; its accumulator's term to add to the
        result. Some terms involve the arrays alone (``1.0 + 0.5 * w``), which code
        that took them for constants would fold while compiling; the checker updates
        the arrays in place between calls, and compiled code must see the new values."""
        self.features.add("global_table")
        shape, n = self.rng.choice(SHAPES[:5]), self.rng.choice([2, 3])
        draw = np.random.default_rng(self.rng.randrange(1 << 30))
        arrays = [f"np.array({np.round(draw.uniform(-1, 1, shape), 2).tolist()!r})"
                  for _ in range(n)]
        listed = ", ".join(arrays)
        table = Stmt(f"TABLE = ({listed},)" if self.rng.random() < 0.5 else f"TABLE = [{listed}]")
        acc, w, i = self.fresh("t"), self.fresh("w"), self.fresh("i")
        scale = self.ex.expr(shape, 1)
        kind = self.rng.choice(["for", "unpack", "enumerate", "zip"])
        start = Stmt(f"{acc} = {scale} * 0.5")
        if kind == "unpack":
            names = [self.fresh("w") for _ in range(n)]
            terms = " + ".join(f"np.sin({name} * {acc}) + {name} * {name}" for name in names)
            stmts = [start, Stmt(f"{', '.join(names)} = TABLE"), Stmt(f"{acc} = {acc} + {terms}")]
        else:
            header = {"for": f"for {w} in TABLE:",
                      "enumerate": f"for {i}, {w} in enumerate(TABLE):",
                      "zip": f"for {w}, {i} in zip(TABLE, (0.5, 1.5, -1.0)):"}[kind]
            weight = "" if kind == "for" else f" * ({i} + 1.0)"
            step = Stmt(f"{acc} = {acc} * (1.0 + 0.5 * {w}) + np.tanh({w} * {acc}){weight}")
            stmts = [start, Stmt(header, (step,))]
        self.ex.env[acc] = shape
        return table, stmts, self.ex.to_scalar(acc, shape)

    def windows(self, draws: random.Random) -> tuple[list[Stmt], str]:
        """A loop of known length reading rows through slices at its index
        (``xs[t + 1:t + 3]``, ``xs[2 * t:2 * t + 3]``), maybe written back through one
        (``ys[t:t + 2] += ...``). Most select as many rows at every step (windows of
        known shape); some fewer at the array's end, or wrap around from a negative
        start at the first steps (NumPy's slices at run time)."""
        self.features.add("windows")
        steps, k, scale = draws.choice([5, 18, 24]), draws.choice([1, 2, 3]), draws.choice([1, 2])
        offset = draws.choice([0, 0, 1, -1, -2])
        # rows enough for every step, or one too few (the last steps select fewer)
        rows = max(scale * (steps - 1) + offset + k - draws.choice([0, 0, 0, 1]), k)
        width = draws.choice([3, 4])
        xs, ys, acc, t = self.fresh("xs"), self.fresh("ys"), self.fresh("acc"), self.fresh("t")
        index = f"{t}" if scale == 1 else f"{scale} * {t}"
        start = index if offset == 0 else f"{index} {'+' if offset > 0 else '-'} {abs(offset)}"
        window = f"{xs}[{start}:{start} + {k}]"
        stmts = [Stmt(f"{xs} = np.outer(np.linspace(0.5, 1.5, {rows}), "
                      f"{self.ex.expr((width,), 1)})"),
                 Stmt(f"{acc} = np.zeros({width})")]
        step = [Stmt(f"{acc} = {acc} * 0.5 + np.sum(np.tanh({window}), axis=0) * 0.3")]
        term = self.ex.to_scalar(acc, (width,))
        if draws.random() < 0.3:  # a window written into, read after the loop
            stmts.append(Stmt(f"{ys} = np.zeros(({rows}, {width}))"))
            step.append(Stmt(f"{ys}[{start}:{start} + {k}] += np.sin({window}) * {acc}"))
            term = f"{term} + np.sum({ys} * {ys})"
        stmts.append(Stmt(f"for {t} in range({steps}):", tuple(step)))
        self.ex.env[acc] = (width,)
        return stmts, term

    def kept_attribute(self, draws: random.Random) -> tuple[list[Stmt], str]:
        """``KEEP.kept = ...``: an attribute of a module-level object (or of one made in
        the function) set, changed on a run-time branch or by a method, and read back,
        as from-scratch layers keep their inputs (the compiled code sets a module-level
        object's when it runs; its reads are the program's values). Set before it is
        read in every call, so each call's value is its own."""
        self.features.add("kept_attribute")
        keep = Stmt("def keep(self, v):", (Stmt("self.kept = v"), Stmt("return v * 0.5")))
        self.helpers.extend([Stmt("class Keeper:", (keep,)), Stmt("KEEP = Keeper()")])
        shape = draws.choice(SHAPES[:5])
        acc = self.fresh("k")
        first, test, later, kept = (self.ex.expr(shape, 2) for _ in range(4))
        # half of them an object made in the function (compiled on, never stored)
        obj = self.fresh("keeper") if draws.random() < 0.5 else "KEEP"
        stmts = [Stmt(f"{obj}.kept = {first}"),
                 Stmt(f"if np.sum({test}) > 0.0:",
                      (Stmt(f"{obj}.kept = {obj}.kept * 0.5 + {later}"),)),
                 Stmt(f"{acc} = {obj}.kept * {obj}.kept"),
                 Stmt(f"{acc} = {acc} + {obj}.keep({kept}) * {obj}.kept")]
        if draws.random() < 0.5:
            stmts.insert(2, Stmt(f"{obj}.kept += 1.0"))
        if obj != "KEEP" and self.snapshots.random() < 0.4:
            # made on each path of a run-time branch: one object afterwards, holding
            # the attributes of the path taken
            self.features.update(("local_object", "object_per_path"))
            other = self.ex.expr(shape, 2)
            made = [Stmt(f"{obj} = Keeper()"), Stmt(f"{obj}.kept = {first}")]
            stmts[:1] = [Stmt(f"if {self.ex.condition(1)}:", tuple(made),
                              (made[0], Stmt(f"{obj}.kept = {other}")))]
        elif obj != "KEEP":
            self.features.add("local_object")
            stmts.insert(0, Stmt(f"{obj} = Keeper()"))
        self.ex.env[acc] = shape
        return stmts, self.ex.to_scalar(acc, shape)

    def written_branch_value(self, draws: random.Random) -> tuple[list[Stmt], str]:
        """A value a run-time branch gives, a view of an array the function made (a
        row, a slice, a reshape's row) or a 0-d ``np.where`` on one path and a value of
        its own on the other, then written in place (``+=``, by index, ``out=``), and
        maybe the array or another name for it read after: NumPy shows the write there
        on the path of the view, so a read is refused (``known``), and a program that
        reads nothing else must be exact. (The seed 320623: a 0-d ``np.where`` on one
        path, kept on an attribute, written through it.)"""
        self.features.add("branch_alias")
        base, picked = self.fresh("a"), self.fresh("w")
        test = self.ex.condition(1)
        if draws.random() < 0.3:  # a 0-d array on one path, a NumPy scalar on the other
            shape = draws.choice([s for s in SHAPES if s])
            made, other = self.ex.expr(shape, 1), self.fresh("s")
            array = (f"np.where({self.ex.to_scalar(base, shape)} > 0.0, "
                     f"{base}.ravel()[0], {base}.ravel()[-1])")
            scalar = draws.choice([f"np.sum({base})", f"np.max({base})", f"{base}.ravel()[1]"])
            paths = (array, scalar) if draws.random() < 0.5 else (scalar, array)
            stmts = [Stmt(f"{base} = {made} * 1.0"),
                     Stmt(f"if {test}:", (Stmt(f"{picked} = {paths[0]}"),),
                          (Stmt(f"{picked} = {paths[1]}"),)),
                     Stmt(f"{other} = {picked}"), Stmt(f"{other} += 1.0")]
            self.ex.env[base] = shape
            reads = [other, picked] if draws.random() < 0.6 else [other]
            return stmts, " + ".join(reads)
        shape = draws.choice([s for s in SHAPES if s and s[0] >= 2])
        i, j = draws.randrange(shape[0]), draws.randrange(shape[0])
        part = shape[1:]
        views = [f"{base}[{i}]", f"{base}[{j}]"]
        if len(shape) >= 2:
            flat = (shape[0] * shape[1], *shape[2:])
            views.append(f"{base}.reshape({flat})[{i}:{i + shape[1]}].reshape({part})")
        made, own, value = (self.ex.expr(s, 1) for s in (shape, part, part))
        paths = draws.choice([(views[0], views[-1]), (views[0], f"{own} * 1.0"),
                              (f"{own} * 1.0", views[1])])
        write = draws.choice([f"{picked} += {value}", f"{picked} *= 0.5"] + (
            [f"np.multiply({picked}, 2.0, out={picked})", f"{picked}[0] = ({value})[0]"]
            if part else []))  # (a row of a vector is a NumPy scalar: rebound)
        stmts = [Stmt(f"{base} = {made} * 1.0"),
                 Stmt(f"if {test}:", (Stmt(f"{picked} = {paths[0]}"),),
                      (Stmt(f"{picked} = {paths[1]}"),)),
                 Stmt(write)]
        self.ex.env[base], self.ex.env[picked] = shape, part
        term = self.ex.to_scalar(picked, part)
        if draws.random() < 0.5:  # the array read again: NumPy shows it the write
            term = f"{term} + {self.ex.to_scalar(base, shape)}"
        return stmts, term

    def reader_then_write(self, draws: random.Random) -> tuple[list[Stmt], str]:
        """Something that reads an array when it is used, made before a write into the
        array and used after it (or before): a partial, a bound method, a generator, a
        map, another name for a list's item, ``np.asarray`` of a number; or a write
        through an advanced index's copy (``b[[0]][0] = v``, which changes nothing), or
        by a helper into the array its caller made (the caller's names see it).
        NumPy shows the write to the reader: exact, or refused as outdated. (A stress
        round found each compiled with the values from before the write.)"""
        self.features.add("reader_then_write")
        shape = draws.choice([s for s in SHAPES if s])
        base, reader = self.fresh("r"), self.fresh("rd")
        made, other, value = (self.ex.expr(shape, 1) for _ in range(3))
        write = draws.choice([f"{base} += {value}", f"{base} *= 0.5",
                              f"{base}[0] = ({value})[0]"])
        kind = draws.choice(["partial", "method", "generator", "map", "item", "asarray",
                             "copy_index", "helper"])
        stmts = [Stmt(f"{base} = {made} * 1.0")]
        if kind == "helper":  # a helper writing into the array its caller made
            if not any(h.text.startswith("def put_scaled(") for h in self.helpers):
                self.helpers.append(Stmt("def put_scaled(buf, i, v):",
                                         (Stmt("buf[i] = v * 2.0"),)))
            named = self.fresh("same")
            stmts += [Stmt(f"{named} = {base}"),
                      Stmt(f"put_scaled({base}, 0, ({value})[0])")]
            self.ex.env[base] = shape
            return stmts, f"{self.ex.to_scalar(named, shape)} + {self.ex.to_scalar(base, shape)}"
        if kind == "asarray":  # a new 0-d array, written through one name, read by both
            kept = self.fresh("kept")
            stmts += [Stmt(f"{reader} = np.asarray({self.ex.to_scalar(base, shape)})"),
                      Stmt(f"{kept} = {reader}"), Stmt(f"{reader} += 1.0")]
            self.ex.env[base] = shape
            return stmts, f"{kept} * {reader}"
        if kind == "copy_index":
            part = self.ex.expr(shape[1:], 1)
            stmts.append(Stmt(f"{base}[[0]][0] = {part}"))
            self.ex.env[base] = shape
            return stmts, self.ex.to_scalar(base, shape)
        made_reader, use = {
            "partial": (f"functools.partial(np.multiply, {base})", f"np.sum({reader}(2.0))"),
            "method": (f"{base}.sum", f"{reader}()"),
            "generator": (f"(np.sum(r * r) for r in {base})", f"sum({reader})"),
            "map": (f"map(np.tanh, {base})", f"np.sum(sum({reader}))"),
            "item": (f"[{base}, {other}]", f"np.sum({reader}[0] * {reader}[1])"),
        }[kind]
        stmts.append(Stmt(f"{reader} = {made_reader}"))
        if kind == "item":  # the write through another name for the list's item
            write = write.replace(base, f"{reader}[0]", 1) if draws.random() < 0.5 else write
        used = self.fresh("u")
        if draws.random() < 0.7:  # written before the use: NumPy shows the write
            stmts += [Stmt(write), Stmt(f"{used} = {use}")]
        else:
            stmts += [Stmt(f"{used} = {use}"), Stmt(write)]
        self.ex.env[base] = shape
        return stmts, f"{used} + {self.ex.to_scalar(base, shape)}"

    def shared_list(self, draws: random.Random) -> tuple[list[Stmt], str]:
        """A list held twice, as another name (``b = a``), in a tuple or a list, or as a
        helper's parameter, changed on the paths of a run-time branch through one
        holder (appended to, an item set) and then through the other: every holder
        shares the one list in Python. (A stress round found the paths' copies merged
        into a new list per name, the later change lost to the other holder.)"""
        self.features.add("shared_list")
        shape = draws.choice(SHAPES[:5])
        items, held = self.fresh("items"), self.fresh("held")
        first, on_a, on_b, later = (self.ex.expr(shape, 1) for _ in range(4))
        via, other = draws.choice([(held, f"{held} = {items}"),
                                   (f"{held}[0]", f"{held} = ({items}, 1.0)"),
                                   (f"{held}[0]", f"{held} = [{items}]")])
        change = draws.choice(["append", "item", "helper"])
        if change == "helper":
            if not any(h.text.startswith("def push_by_sign(") for h in self.helpers):
                branch = Stmt("if np.sum(v) > 0.0:", (Stmt("items.append(v * 2.0)"),),
                              (Stmt("items.append(v - 0.5)"),))
                self.helpers.append(Stmt("def push_by_sign(items, v):", (branch,)))
            step = [Stmt(f"push_by_sign({via}, {on_a})")]
        else:
            write = (lambda e: f"{via}.append({e})") if change == "append" else \
                (lambda e: f"{via}[0] = {e}")
            step = [Stmt(f"if {self.ex.condition(1)}:", (Stmt(write(on_a)),),
                         (Stmt(write(on_b)),))]
        stmts = [Stmt(f"{items} = [{first}]"), Stmt(other), *step]
        if draws.random() < 0.7:  # then through the first holder
            stmts.append(Stmt(f"{items}.append({later})"))
        total = self.fresh("t")
        stmts.append(Stmt(f"{total} = np.stack({via})"))
        return stmts, f"np.sum(np.stack({items}) * 1.5 + {total})"

    def loop_accumulator(self, draws: random.Random) -> tuple[list[Stmt], str]:
        """An array written in place in a loop (``for`` or a counted ``while``): made
        from constants (``np.array(0.5)``), by ``np.zeros`` or computed. Held by nothing
        else (a ``lone`` name) it must be exact: a refusal naming it is not earned (a
        stress round found ``np.array(0.0)`` refused, as if its own loop had outdated
        it). Held besides by an object's attribute, a list or another name, read after
        the loop: NumPy shows the holder the writes (an attribute gave the values from
        before, silently)."""
        self.features.add("loop_accumulator")
        shape = draws.choice(SHAPES[:5])
        holder = draws.choice([None, None, "attribute", "list", "name"])
        acc, i = self.fresh("held" if holder else "lone"), self.fresh("i")
        made = draws.choice([f"np.array({np.full(shape, 0.5).tolist()!r})",
                             f"np.zeros({shape})", f"{self.ex.expr(shape, 1)} * 1.0"])
        step, count = self.ex.expr(shape, 1), draws.choice([2, 3])
        write = draws.choice([[f"{acc} += {step}"], [f"{acc} *= 0.5", f"{acc} += {step}"],
                              [f"np.add({acc}, {step}, out={acc})"]])
        if draws.random() < 0.5:
            loop = [Stmt(f"for {i} in range({count}):", tuple(Stmt(w) for w in write))]
        else:
            loop = [Stmt(f"{i} = 0"), Stmt(f"while {i} < {count}:",
                                          (*(Stmt(w) for w in write), Stmt(f"{i} += 1")))]
        stmts, term = [Stmt(f"{acc} = {made}")], self.ex.to_scalar(acc, shape)
        if holder is not None:
            other = self.fresh("other")
            if holder == "attribute":
                if not any(h.text.startswith("class Box:") for h in self.helpers):
                    self.helpers.append(Stmt("class Box:", (Stmt("pass"),)))
                stmts += [Stmt(f"{other} = Box()"), Stmt(f"{other}.kept = {acc}")]
                read = f"{other}.kept"
            else:
                stmts.append(Stmt(f"{other} = [{acc}]" if holder == "list" else
                                  f"{other} = {acc}"))
                read = f"{other}[0]" if holder == "list" else other
            term = f"{term} + {self.ex.to_scalar(read, shape)}"
        return [*stmts, *loop], term

    def parts(self) -> tuple[list[Stmt], str]:
        """A tuple of values read by a loop's index (``parts[i]``), by unpacking with a
        starred name, or by Python's ``max``/``min``/``sum``; the term to add to the
        result."""
        shape, n = self.rng.choice(SHAPES[:5]), self.rng.choice([2, 3])
        parts, acc, i = self.fresh("parts"), self.fresh("p"), self.fresh("i")
        items = ", ".join(f"{self.ex.expr(shape, 2)}" for _ in range(n))
        stmts = [Stmt(f"{parts} = ({items},)")]
        kind = self.rng.choice(["index", "starred", "builtins"])
        self.features.add(f"parts_{kind}")
        if kind == "index":  # ``last`` is first bound in the loop, read after it
            last = self.fresh("last")
            stmts += [Stmt(f"{acc} = {parts}[0] * 0.5"),
                      Stmt(f"for {i} in range(1, {n}):",
                           (Stmt(f"{acc} = {acc} + np.tanh({parts}[{i}]) * ({i} + 0.5)"),
                            Stmt(f"{last} = np.sin({parts}[{i}])"))),
                      Stmt(f"{acc} = {acc} + {last}")]
        elif kind == "starred":
            first, rest = self.fresh("first"), self.fresh("rest")
            stmts += [Stmt(f"{first}, *{rest} = {parts}"),
                      Stmt(f"{acc} = {first} * 0.5 + {rest}[-1] * len({rest})")]
        else:
            scalars = [self.ex.to_scalar(f"{parts}[{k}]", shape) for k in range(n)]
            stmts += [Stmt(f"{acc} = max({', '.join(scalars)}) + min({scalars[0]}, 0.3) + "
                           f"sum({parts}) * 0.5")]
        self.ex.env[acc] = shape
        return stmts, self.ex.to_scalar(acc, shape)

    def filtered_fold(self) -> tuple[list[Stmt], str]:
        """Rows of an array, filtered on run-time values, folded by ``sum`` (with or
        without ``start``, nested) or by ``any``/``all``; the term to add."""
        shape = self.rng.choice(SHAPES[1:])
        source, acc, v, w = self.fresh("rows"), self.fresh("q"), self.fresh("r"), self.fresh("r")
        limit = self.rng.choice([-0.5, 0.0, 0.4])
        kind = self.rng.choice(["sum", "start", "nested", "any_all"])
        self.features.add(f"filtered_{kind}")
        item = f"np.sum(np.tanh({v}) * {v})"
        fold = {
            "sum": f"sum({item} for {v} in {source} if np.sum({v}) > {limit})",
            "start": f"sum([{item} for {v} in {source} if np.sum({v}) < {limit}], 0.5)",
            "nested": f"sum(np.sum({v} * {w}) for {v} in {source} if np.sum({v}) > {limit} "
                      f"for {w} in {source} if np.sum({w}) < {limit} + 0.5)",
            "any_all": f"(np.sum({source}) if any(np.sum({v}) > {limit} for {v} in {source} "
                       f"if np.sum({v}) < 1.0) or all({item} > 0.1 for {v} in {source} "
                       f"if np.sum({v}) < 0.0) else np.sum(np.sin({source})))",
        }[kind]
        stmts = [Stmt(f"{source} = {self.ex.expr(shape, 2)}"), Stmt(f"{acc} = {fold}")]
        self.ex.env[source], self.ex.env[acc] = shape, ()
        return stmts, acc

    def sized_by_data(self) -> tuple[list[Stmt], str]:
        """A count taken from the data sizes new arrays (``np.zeros(k)``, ``np.eye(k)``,
        ``np.repeat(x, k)``): their shapes are known only at run time; the term to add."""
        shape = self.rng.choice(SHAPES[1:])
        source, k = self.fresh("counted"), self.fresh("k")
        flat, limit = f"np.ravel({source})", self.rng.choice([-0.5, 0.0, 0.4])
        kind = self.rng.choice(["zeros", "eye", "arange", "linspace", "repeat", "full"])
        self.features.add(f"sized_{kind}")
        term = {
            "zeros": f"np.sum(np.zeros({k}) + np.mean({source})) * len(np.zeros({k}))",
            "eye": f"np.sum(np.eye({k})[{k} - 1] * np.sum(np.tanh({source})))",
            "arange": f"np.sum({source}) * np.arange(1, {k} + 2).size",
            "linspace": f"np.sum(np.linspace(-1.0, 1.0, {k} + 1) ** 2 * np.max({source}))",
            "repeat": f"np.sum(np.repeat({flat}, {k}) ** 2) / np.repeat({flat}, {k}).size",
            "full": f"np.sum(np.full({k}, 0.5) * np.sum({source} ** 2))",
        }[kind]
        stmts = [Stmt(f"{source} = {self.ex.expr(shape, 2)}"),
                 Stmt(f"{k} = int(np.sum({source} > {limit})) + 1")]
        self.ex.env[source] = shape
        return stmts, term

    # ------------------------------------------------------------------ helpers

    def helper(self) -> None:
        name = f"h{len(self.helpers) + 1}"
        body = self.rng.choice(HELPER_BODIES).format(a="a", b="b")
        stmts = []
        if self.rng.random() < 0.3:
            self.features.add("helper_branch")
            stmts.append(Stmt("if np.sum(a) > 0.0:", (Stmt(f"return {body} * k"),)))
        stmts.append(Stmt(f"return {body} + k"))
        k = self.rng.choice([0.5, 1.5])
        # how the helper takes its arguments (drawn apart): its callers spell their calls
        # every way it allows (``Expressions.call_spellings``)
        signature = self.apart.choice(list(SIGNATURES))
        if signature != "plain":
            self.features.add(f"signature_{signature}")
        if signature == "varargs":
            stmts.insert(0, Stmt("b = rest[0]"))
        self.helpers.append(Stmt(f"def {name}({SIGNATURES[signature].format(k=k)}):",
                                 tuple(stmts)))
        self.ex.binary_fns.append(name)
        self.ex.signatures[name] = signature

    def factory(self) -> None:
        """A module-level function made of copies of one factory's nested def, each
        calling the next with constants of its own: copies share their code, not their
        closure, and were once compiled as one recursion (a wrong value, silently)."""
        self.features.add("factory_closures")
        n = len(self.helpers) + 1
        make, name = f"make{n}", f"f{n}"
        scaled = Stmt("def scaled(u):", (Stmt("return inner(u * c) * c + np.sin(u)"),))
        self.helpers.append(Stmt(f"def {make}(inner, c):", (scaled, Stmt("return scaled"))))
        self.helpers.append(Stmt(f"{name} = {make}({make}({make}(np.tanh, 0.5), 1.5), -0.8)"))
        self.ex.unary_fns.insert(0, name)

    def program(self, seed: int) -> Program:
        params, args = self.arguments(seed)
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            self.helper()
        factory = random.Random(seed + 5336611).random() < FACTORY_SHARE  # drawn apart
        if factory:
            self.factory()
        if self.rng.random() < 0.15:
            self.features.add("has_aux")
            # A value computed, an argument and a constant handed back as they are
            # (drawn apart, so the rest of the program is what the seed gave before).
            self.aux = random.Random(seed).choice(
                [f"{params[0]} * 2.0", params[0], "np.array([0.5, 1.5])"])
        draws = self.ex.draws.random() < DRAWS_SHARE  # the function makes a random state
        self.ex.draw_source = "rng" if draws else None  # (drawn from in f's body only)
        body = self.block(self.rng.randrange(2, 6), 0)
        if draws:
            body = [Stmt(f"rng = np.random.default_rng({seed % 97})"), *body]
        names = [n for n in self.ex.env if n not in params] or list(self.ex.env)
        picked = self.rng.sample(names, min(len(names), self.rng.randrange(1, 4)))
        terms = tuple(self.ex.to_scalar(self.ex.rng.choice(["{}", "np.sin({})"]).format(n),
                                        self.ex.env[n]) for n in picked)
        # a checkpointed block's backward is itself differentiated: always checked
        hessian = self.rng.random() < HESSIAN_SHARE or "checkpoint" in self.features
        if random.Random(seed + 7919).random() < TABLE_SHARE:  # drawn apart, and last:
            table, stmts, term = self.global_table()  # the rest is what the seed gave
            self.helpers.append(table)
            body, terms = [*body, *stmts], (*terms, term)
        if random.Random(seed + 104729).random() < PARTS_SHARE:  # drawn apart, after it
            stmts, term = self.parts()
            body, terms = [*body, *stmts], (*terms, term)
        if random.Random(seed + 1299709).random() < FILTER_SHARE:  # drawn apart, after it
            stmts, term = self.filtered_fold()
            body, terms = [*body, *stmts], (*terms, term)
        if random.Random(seed + 3497861).random() < SIZED_SHARE:  # drawn apart, after it
            stmts, term = self.sized_by_data()
            body, terms = [*body, *stmts], (*terms, term)
        if random.Random(seed + 6100087).random() < KEPT_SHARE:  # drawn apart, after it
            stmts, term = self.kept_attribute(random.Random(seed + 6100087))
            body, terms = [*body, *stmts], (*terms, term)
        aliased = random.Random(seed + 6700417)  # drawn apart, after it
        if aliased.random() < ALIAS_SHARE:
            stmts, term = self.written_branch_value(aliased)
            body, terms = [*body, *stmts], (*terms, term)
        readers = random.Random(seed + 7200019)  # drawn apart, after it
        if readers.random() < READER_SHARE:
            stmts, term = self.reader_then_write(readers)
            body, terms = [*body, *stmts], (*terms, term)
        shared = random.Random(seed + 7500011)  # drawn apart, after it
        if shared.random() < SHARED_SHARE:
            stmts, term = self.shared_list(shared)
            body, terms = [*body, *stmts], (*terms, term)
        accumulated = random.Random(seed + 8100529)  # drawn apart, after it
        if accumulated.random() < ACCUMULATED_SHARE:
            stmts, term = self.loop_accumulator(accumulated)
            body, terms = [*body, *stmts], (*terms, term)
        windowed = random.Random(seed + 8700013)  # drawn apart, after it
        if windowed.random() < WINDOW_SHARE:
            stmts, term = self.windows(windowed)
            body, terms = [*body, *stmts], (*terms, term)
        if random.Random(seed + 2750159).random() < COMPLEX_SHARE:  # drawn apart, last
            self.features.add("complex")
            last = terms[-1]
            terms = (*terms[:-1], f"np.abs(({last}) * (0.6 - 0.8j) + 0.3j) "
                                  f"+ np.real(({last}) * (1.5 + 0.5j))")
        complex_linalg = random.Random(seed + 9900173)  # drawn apart, after it
        if complex_linalg.random() < COMPLEX_LINALG_SHARE:
            self.features.add("complex_linalg")
            term = complex_linalg.choice(COMPLEX_LINALG_TERMS).format(t=terms[-1])
            terms = (*terms[:-1], term)
        if factory:  # the value returned passes through it too
            terms = (f"{self.ex.unary_fns[0]}({terms[0]})", *terms[1:])
        special = random.Random(seed + 4256249)  # drawn apart, after it
        if special.random() < SPECIAL_SHARE:
            self.features.add("scipy_special")
            terms = (*terms[:-1], special.choice(SPECIAL_TERMS).format(t=terms[-1]))
        if "product" in self.features and self.zeros.random() < ZERO_SHARE:
            args = self._with_an_exact_zero(args)
        return Program(seed, params, args, tuple(self.helpers), tuple(body), terms, self.aux,
                       hessian, frozenset(self.features))

    def _with_an_exact_zero(self, args: tuple) -> tuple:
        """One entry of an array argument exactly 0, for a program taking a product:
        smooth there, where the product's rule branches (its Hessian was right in value
        only). Only then: elsewhere a 0 lands on kinks (``abs``, ``hypot``) as often."""
        arrays = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.ndim]
        if not arrays:
            return args
        self.features.add("exact_zero")
        i = self.zeros.choice(arrays)
        zeroed = args[i].copy()
        zeroed.flat[self.zeros.randrange(zeroed.size)] = 0.0
        return (*args[:i], zeroed, *args[i + 1:])


def generate(seed: int) -> Program:
    """The program of this seed (the same program every time)."""
    return _Generator(seed).program(seed)
