"""Random NumPy expressions of a requested shape, over the variables in scope.

Every expression is built for a known shape, so a program is valid by construction.
Functions are kept smooth where the inputs land (``log`` of values bounded away from
0, divisions by ``1.5 + cos``, no ``abs`` or ``max`` of values that tie), so central
finite differences are meaningful; a kink hit by chance is caught by the checker,
which compares two step sizes before it trusts a difference quotient.
"""
from __future__ import annotations

import math
import random
import zlib

Shape = tuple[int, ...]

SHAPES: list[Shape] = [(), (3,), (4,), (2, 3), (3, 2), (4, 2), (2, 4), (2, 3, 2)]

UNARY = [
    "np.sin({})", "np.cos({})", "np.tanh({})", "np.exp(np.tanh({}))",
    "np.log(1.5 + np.sin({}))", "np.sqrt(1.0 + ({}) ** 2)", "({}) ** 2", "np.square({})",
    "-({})", "ops.sigmoid({})", "np.arctan({})", "({}) * 0.5", "np.arcsinh({})",
    "np.expm1(np.tanh({}))", "np.log1p(np.exp(np.tanh({})))", "np.cosh(np.tanh({}))",
    "np.abs({})", "np.hypot({}, 0.5)", "np.clip({}, -2.0, 2.0)", "np.maximum({}, -3.0)",
    "np.power(1.0 + np.tanh({}) ** 2, 1.5)", "1.0 / (2.0 + np.cos({}))",
    "np.positive({})", "pow(np.tanh({}), 3)",
]
# On 0-d values: math's functions, and reductions over the axis NumPy lets a 0-d array
# name (the gradient of np.sum(x, axis=-1) once failed there; np.mean refuses it, and
# in a branch that never runs made the merged value's shape unknown, seed 770386)
SCALAR_UNARY = ["math.sin({})", "math.exp(math.tanh({}))", "math.sqrt(1.0 + ({}) ** 2)",
                "math.log1p(1.0 + math.cos({}))", "np.sum({}, axis=-1)",
                "np.sum(np.sin({}), axis=0, keepdims=True)",
                "np.sum(np.cumsum({}, axis=-1) ** 2)", "np.sum(np.repeat({}, 2, axis=0)) * 0.5"]
# On vectors: NumPy's broadcasts at the edges of a rule (np.triu of a vector is a square
# of it; an einsum label of length 1 in one operand broadcasts)
VECTOR_UNARY = ["np.sum(np.triu({0}), axis=0) * 0.3", "np.sum(np.tril({0}, -1), axis=1)",
                "np.einsum('i,i->i', {0}, ({0})[:1])"]
BINARY = [
    "{} + {}", "{} - {}", "{} * {}", "{} / (1.5 + np.cos({}))", "np.maximum({}, {})",
    "np.minimum({}, {})", "np.add({}, {})", "np.multiply({}, {})", "np.hypot({}, {})",
    "np.arctan2({}, 2.0 + np.cos({}))", "np.logaddexp({}, {})",
]
PRODUCT_SHARE = 0.1  # reductions that are products of their operand (plain or running)
REDUCE = ["np.sum({e}, axis={a})", "({e}).sum(axis={a})", "np.mean({e}, axis={a})",
          "({e}).mean(axis={a})", "np.max({e}, axis={a})", "np.min({e}, axis={a})",
          "np.prod(np.cos({e}), axis={a})", "np.var({e}, axis={a})"]
TO_SCALAR = ["np.sum({e})", "({e}).mean()", "np.max({e})", "np.linalg.norm({e})",
             "({e}).sum()", "np.mean(np.sin({e}))", "np.var({e})", "np.min({e})",
             "np.sum({e}, initial=0.5)", "np.max({e}, initial=-5.0)",
             "np.sum({e}, where=({e}) > 0.1)", "np.mean({e}, where=({e}) < 1.5)",
             "np.max({e}, where=({e}) < 1.0, initial=-5.0)"]
LISTED = ["np.sum([{a}, {b}], axis=0)", "np.mean(({a}, {b}), axis=0)",
          "np.max([{a}, {b}], axis=0)", "np.add(*[{a}, {b}])"]
CONSTANTS = ["0.5", "1.5", "-0.7", "2.0", "0.25", "-1.25"]
# The same test three ways: a comparison, and predicates of a number's class on a value
# that is nan or -inf exactly where the comparison fails.
# Reductions through a selection as long as the data says (its shape known at run
# time only): a mask, np.nonzero and what is built on it, np.unique and np.bincount.
# bincount's bins are a permutation (argsort), so each weight keeps a bin of its own.
SELECTED = ["np.sum(({e})[({e}) > 0.2])", "np.sum(({e})[np.nonzero(({e}) > 0.2)] ** 2)",
            "np.sum(np.ravel({e})[np.flatnonzero(np.ravel({e}) < 0.3)])",
            "np.sum(np.compress(np.ravel({e}) > -0.2, np.ravel({e})) ** 3)",
            "np.sum(np.extract(({e}) > 0.1, {e}))", "np.sum(({e})[np.where(({e}) < 0.5)])",
            "np.sum(np.bincount(np.argsort(np.ravel({e})), weights=np.ravel({e})) ** 2)",
            "np.sum(np.unique({e}, return_counts=True)[1] * np.mean({e}))",
            # joined to a value of known shape: the gradient's shape stays known
            "np.sum(np.sin(np.concatenate([np.ravel({e})[np.ravel({e}) > 0.2], "
            "np.ravel({e}) * 2.0])) ** 2)",
            # the selection's shape is a tuple at run time: + joins it, == compares it
            "np.sum(np.ravel({e})[np.ravel({e}) > 0.1].reshape("
            "np.ravel({e})[np.ravel({e}) > 0.1].shape + (1,)) * len(np.shape({e}) * 2))",
            "np.sum(np.ravel({e})[np.ravel({e}) < 0.4] * np.prod((2,) + "
            "np.ravel({e})[np.ravel({e}) < 0.4].shape[:1]))"]
SELECTED_SHARE = 0.06
# np.pad in NumPy's spellings of its widths: one for all, a pair for all, one per axis
PADDED = ["np.sum(np.sin(np.pad({e}, (1, 2), constant_values=0.5)))",
          "np.sum(np.pad({e}, ((2,),)) ** 2)", "np.sum(np.pad({e}, 1) * 0.5)"]
PADDED_SHARE = 0.04
# NaNs made where the data says (sqrt or log of negatives) and replaced: forward mode's
# NaN tangent must go with the NaN it belongs to (np.nan_to_num and np.fmax kept
# NaN * 0), where reverse mode's zero cotangent times a NaN partial is a NaN, loud (the
# checker's Jacobian against a NaN gradient then asks finite differences, seed 101035)
SANITISED = ["np.sum(np.nan_to_num(np.sqrt(({e}) - 0.1)))",
             "np.nansum(np.log(1.1 + ({e})) * 0.5)",
             "np.sum(np.where(np.isnan(np.sqrt({e})), 0.5, np.cos({e})))",
             "np.sum(np.fmax(np.sqrt(({e}) - 0.1), -0.5))"]
SANITISED_SHARE = 0.04
# Draws from a random state the function makes at each call (so each call draws the
# same numbers): noise added, and draws whose parameters carry the gradient, written
# from a standard draw, whose numbers the gradient need not read. Every draw advances
# the stream, needed or not: a gradient that left one out took the next draw's numbers.
DRAWN = ["({e}) + 0.1 * {rng}.standard_normal({shape})", "{rng}.normal({e}, 0.3)",
         "({e}) * {rng}.uniform(0.5, 1.5, size={shape})", "{rng}.uniform({e}, ({e}) + 1.0)"]
DRAWN_SHARE = 0.15
WHERE_TESTS = ["{} > 0.1", "~np.isnan(np.sqrt({} - 0.1))", "np.isfinite(np.log({} - 0.1))"]


def size(shape: Shape) -> int:
    return math.prod(shape)


def broadcastable(small: Shape, big: Shape) -> bool:
    """Whether ``small`` broadcasts to ``big`` without any size-1 axis."""
    return len(small) <= len(big) and big[len(big) - len(small):] == small


class Expressions:
    """Draws expressions; ``env`` maps names in scope to their shapes."""

    def __init__(self, rng: random.Random, features: set[str]) -> None:
        self.rng = rng
        self.features = features
        self.env: dict[str, Shape] = {}
        self.ints: list[str] = []  # Python ints in scope (loop counters)
        self.unary_fns: list[str] = []  # elementwise callables of one argument in scope
        self.binary_fns: list[str] = []  # elementwise helpers of two arguments
        self.signatures: dict[str, str] = {}  # each helper's kind of signature
        self.apart = random.Random(0)  # choices added later (the generator's own stream)
        self.picks = random.Random(0)  # selections of the data's length (their own stream)
        self.products = random.Random(0)  # plain products (see ``reduce_axis``)
        self.sanitised = random.Random(0)  # NaNs made and replaced (``SANITISED``)
        self.draw_source: str | None = None  # the function's own random state, if it has one
        self.draws = random.Random(0)  # its draws (``DRAWN``)

    # ------------------------------------------------------------------ leaves

    def leaf(self, shape: Shape) -> str:
        rng = self.rng
        same = [n for n, s in self.env.items() if s == shape]
        if same and rng.random() < 0.7:
            return rng.choice(same)
        if shape == () and rng.random() < 0.3:
            return rng.choice(CONSTANTS)
        name = rng.choice(list(self.env))
        return self.convert(name, self.env[name], shape)

    def convert(self, e: str, src: Shape, dst: Shape) -> str:
        """An expression of shape ``dst`` computed from ``e`` of shape ``src``."""
        rng = self.rng
        if src == dst:
            return e
        if dst == ():
            return self.to_scalar(e, src)
        if src == ():
            return rng.choice([f"{e} * np.ones({dst})", f"np.broadcast_to({e}, {dst})",
                               f"np.zeros({dst}) + {e}", f"np.full({dst}, 1.5) * {e}"])
        if broadcastable(src, dst):
            return rng.choice([f"({e}) * np.ones({dst})", f"np.broadcast_to({e}, {dst})"])
        if size(src) == size(dst):
            return self.reshape(e, src, dst)
        for axis in range(len(src)):
            if src[:axis] + src[axis + 1:] == dst:
                return self.reduce_axis(e, src, axis)
        if len(src) == len(dst) and src[0] > dst[0] and src[1:] == dst[1:]:
            k = dst[0]
            self.features.add("slice")
            return rng.choice([f"({e})[:{k}]", f"({e})[{src[0] - k}:]", f"({e})[::-1][:{k}]"])
        return self.convert(self.to_scalar(e, src), (), dst)

    def to_scalar(self, e: str, src: Shape) -> str:
        rng = self.rng
        if src == ():
            return e
        if self.picks.random() < SELECTED_SHARE:
            self.features.add("selection")
            return self.picks.choice(SELECTED).format(e=e)
        if self.picks.random() < PADDED_SHARE:
            self.features.add("pad")
            return self.picks.choice(PADDED).format(e=e)
        if self.sanitised.random() < SANITISED_SHARE:
            self.features.add("sanitised")
            return self.sanitised.choice(SANITISED).format(e=e)
        r = rng.random()
        if r < 0.15:
            index = ", ".join(str(rng.randrange(d)) for d in src)
            self.features.add("index")
            return f"({e})[{index}]"
        if r < 0.3 and size(src) % 2 == 0:
            self.features.add("method_chain")
            return rng.choice([f"({e}).reshape(2, -1).sum(axis=0).max()",
                               f"({e}).reshape(-1, 2).mean(axis=1).sum()",
                               f"({e}).ravel().reshape(2, -1).T.sum(axis=1).min()"])
        return rng.choice(TO_SCALAR).format(e=e)

    def reshape(self, e: str, src: Shape, dst: Shape) -> str:
        rng = self.rng
        self.features.add("reshape")
        options = [f"({e}).reshape({dst})", f"np.reshape({e}, {dst})"]
        if dst == src[::-1]:
            options += [f"({e}).T", f"np.transpose({e})"]
        if len(dst) == 1:
            options += [f"({e}).ravel()", f"({e}).flatten()"]
        if len(dst) == 2:  # (of more axes, the -1 would take them all)
            options.append(f"({e}).reshape({dst[0]}, -1)")
        return rng.choice(options)

    def reduce_axis(self, e: str, src: Shape, axis: int) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            i = rng.randrange(src[axis])
            self.features.add("index")
            return f"({e})[{', '.join([':'] * axis + [str(i)])}]"
        self.features.add("reduce")
        if self.products.random() < PRODUCT_SHARE:  # of values that may be exactly 0 (an
            self.features.add("product")  # argument's entry): exact to second order there
            if self.products.random() < 0.5:  # the running products, summed
                return f"np.sum(np.cumprod({e}, axis={axis}), axis={axis})"
            return f"np.prod({e}, axis={axis})"
        return rng.choice(REDUCE).format(e=e, a=axis)

    # ------------------------------------------------------------------ compound

    def expr(self, shape: Shape, depth: int) -> str:
        if depth <= 0 or self.rng.random() < 0.3:
            return self.leaf(shape)
        makers = [self._unary, self._unary, self._binary, self._binary, self._binary,
                  self._from_bigger, self._from_other_size, self._where]
        if len(shape) in (1, 2):
            makers.append(self._matmul)
        if shape and shape[0] in (2, 3):
            makers += [self._stack, self._listed]
        if shape and shape[0] >= 2:
            makers.append(self._concatenate)
        if self.unary_fns or self.binary_fns:
            makers += [self._call, self._call]
        makers += [self._stop_gradient, self._ifexp, self._standardise]
        if shape == ():
            makers.append(self._chosen)
        return self.rng.choice(makers)(shape, depth - 1)

    def _unary(self, shape: Shape, depth: int) -> str:
        table = UNARY + SCALAR_UNARY if shape == () else \
            UNARY + VECTOR_UNARY if len(shape) == 1 else UNARY
        if self.draw_source is not None and self.draws.random() < DRAWN_SHARE:
            self.features.add("draws")
            form = self.draws.choice(DRAWN)
            return form.format(e=self.expr(shape, depth), rng=self.draw_source, shape=shape)
        return self.rng.choice(table).format(self.expr(shape, depth))

    def _binary(self, shape: Shape, depth: int) -> str:
        rng = self.rng
        small = rng.choice([s for s in SHAPES if broadcastable(s, shape)])
        operands = [self.expr(shape, depth), self.expr(small, depth)]
        if small != shape:
            self.features.add("broadcast")
        rng.shuffle(operands)
        return "(" + rng.choice(BINARY).format(*operands) + ")"

    def _matmul(self, shape: Shape, depth: int) -> str:
        rng = self.rng
        k = rng.choice([2, 3])
        self.features.add("matmul")
        if len(shape) == 2 and rng.random() < 0.3:
            return f"np.outer({self.expr(shape[:1], depth)}, {self.expr(shape[1:], depth)})"
        left = self.expr((*shape[:1], k), depth)
        right = self.expr((k, *shape[1:]), depth)
        # operands in parentheses: an operand may be a sum (``np.zeros(s) + v``), which
        # ``@`` binds more tightly than
        return rng.choice([f"(({left}) @ ({right}))", f"np.dot({left}, {right})",
                           f"np.matmul({left}, {right})"])

    def _from_bigger(self, shape: Shape, depth: int) -> str:
        rng = self.rng
        axis = rng.randrange(len(shape) + 1)
        big = (*shape[:axis], rng.choice([2, 3]), *shape[axis:])
        if len(big) > 3:
            return self._unary(shape, depth)
        return self.reduce_axis(self.expr(big, depth), big, axis)

    def _from_other_size(self, shape: Shape, depth: int) -> str:
        src = self.rng.choice(SHAPES)
        return self.convert(self.expr(src, depth), src, shape)

    def _where(self, shape: Shape, depth: int) -> str:
        c, a, b = (self.expr(shape, depth) for _ in range(3))
        self.features.add("where")
        # chosen by the condition's text, not by a draw: the stream of draws, and so
        # every other seed's program, stays as it was
        test = WHERE_TESTS[zlib.crc32(c.encode()) % len(WHERE_TESTS)].format(c)
        return f"np.where({test}, {a}, {b})"

    def _stack(self, shape: Shape, depth: int) -> str:
        parts = ", ".join(self.expr(shape[1:], depth) for _ in range(shape[0]))
        self.features.add("stack")
        return f"np.stack([{parts}])"

    def _listed(self, shape: Shape, depth: int) -> str:
        """A NumPy function given a Python list or tuple of arrays."""
        self.features.add("arraylike")
        a, b = self.expr(shape, depth), self.expr(shape, depth)
        if shape == (2,) and self.rng.random() < 0.3:
            a, b = self.expr((), depth), self.expr((), depth)
            return f"np.array([{a}, {b}])"
        return self.rng.choice(LISTED).format(a=a, b=b)

    def _concatenate(self, shape: Shape, depth: int) -> str:
        k = self.rng.randrange(1, shape[0])
        a = self.expr((k, *shape[1:]), depth)
        b = self.expr((shape[0] - k, *shape[1:]), depth)
        self.features.add("concatenate")
        return f"np.concatenate([{a}, {b}])"

    def _call(self, shape: Shape, depth: int) -> str:
        rng = self.rng
        if self.binary_fns and (not self.unary_fns or rng.random() < 0.5):
            small = rng.choice([s for s in SHAPES if broadcastable(s, shape)])
            self.features.add("helper")
            name = rng.choice(self.binary_fns)
            a, b = self.expr(shape, depth), self.expr(small, depth)
            spelling = self.apart.choice(call_spellings(self.signatures.get(name, "plain")))
            return f"{name}({spelling.format(a=a, b=b)})"
        self.features.add("closure")
        return f"{rng.choice(self.unary_fns)}({self.expr(shape, depth)})"

    def _stop_gradient(self, shape: Shape, depth: int) -> str:
        self.features.add("stop_gradient")
        return f"ops.stop_gradient({self.expr(shape, depth)})"

    def _ifexp(self, shape: Shape, depth: int) -> str:
        self.features.add("ifexp")
        return f"({self.expr(shape, depth)} if {self.condition(depth)} " \
               f"else {self.expr(shape, depth)})"

    def _chosen(self, shape: Shape, depth: int) -> str:
        """A value ``and``/``or`` choose: ``test and a or b``, or ``a * test or b``
        (0.0 where the test fails, so ``b``); the derivative is the chosen operand's."""
        self.features.add("ifexp")
        a, b, test = self.expr(shape, depth), self.expr(shape, depth), self.condition(depth)
        if self.rng.random() < 0.5:
            return f"(({test}) and ({a}) or ({b}))"
        return f"(({a}) * ({test}) or ({b}))"

    def _standardise(self, shape: Shape, depth: int) -> str:
        if not shape:
            return self._unary(shape, depth)
        a = self.expr(shape, depth)
        axis = self.rng.randrange(len(shape))
        return f"(({a}) - np.mean({a}, axis={axis}, keepdims=True))"

    def condition(self, depth: int) -> str:
        """A test on run-time values."""
        rng = self.rng
        shape = rng.choice(SHAPES)
        test = f"{self.to_scalar(self.expr(shape, min(depth, 1)), shape)} > " \
               f"{rng.choice(['0.05', '0.3', '-0.5'])}"
        if rng.random() < 0.15:
            other = f"{self.leaf(())} < 1.0"
            test = f"{test} {rng.choice(['and', 'or'])} {other}"
        elif rng.random() < 0.1:
            test = f"not {test}"
        return test


def call_spellings(signature: str) -> list[str]:
    """The ways to pass ``a`` and ``b`` (and ``k``) to a helper of this signature
    (``generator.SIGNATURES``): positional, keywords in any order, ``*`` and ``**``."""
    spellings = ["{a}, {b}", "{a}, {b}, k=0.25", "*({a}, {b})", "*[{a}], {b}, k=0.75"]
    if signature != "varargs":
        spellings += ["b={b}, a={a}", "{a}, **{{'b': {b}, 'k': 0.75}}", "k=0.25, a={a}, b={b}"]
    if signature == "plain":
        spellings += ["{a}, {b}, 0.25", "*({a}, {b}, 0.75)"]
    return spellings
