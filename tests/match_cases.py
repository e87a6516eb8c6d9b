"""Functions with ``match`` statements, as people write them (test_match_statements.py)."""
import dataclasses
import enum

import numpy as np


class Mode(enum.Enum):
    FAST = 1
    SLOW = 2


@dataclasses.dataclass
class Config:
    act: str
    scale: float


def by_rank(x):
    match x.ndim:
        case 1:
            return np.sum(np.sin(x))
        case 2 | 3:
            return np.sum(x ** 2)
        case _:
            return 0.0


def by_name(x, act="tanh"):
    match act:
        case "relu":
            y = np.maximum(x, 0.0)
        case "tanh" | "sigmoid" as name if name != "sigmoid":
            y = np.tanh(x)
        case other:
            y = x * len(other)
    return np.sum(y * 2.0)


def by_shape(x, shape=(2, 3)):
    match shape:
        case (n,):
            return np.sum(x) * n
        case [n, m] if n < m:
            return np.sum(x[:n] ** 2) * m
        case [n, *rest]:
            return np.sum(x) * (len(rest) + n)


def by_ends(x, parts=(1.5, 2, 3, 4.0)):
    match parts:
        case [first, *middle, last]:
            return np.sum(x) * first + np.sum(x ** 2) * last + len(middle)


def by_keys(x, options={"act": "sin", "k": 2.0}):  # noqa: B006 (read, never written)
    match options:
        case {"act": "cos"}:
            return np.sum(np.cos(x))
        case {"act": "sin", "k": k}:
            return np.sum(np.sin(x)) * k
    return 0.0


def by_class(x, config=Config("sin", 3.0)):  # noqa: B008 (read, never written)
    match config:
        case Config(act="cos"):
            return np.sum(np.cos(x))
        case Config(act="sin", scale=float(s)) if s > 1:
            return np.sum(np.sin(x)) * s
    return np.sum(x)


def by_enum(x, mode=Mode.SLOW):
    match mode:
        case Mode.FAST:
            return np.sum(x)
        case Mode.SLOW:
            return np.sum(x ** 3)


def by_none(x, option=None):
    match option:
        case None:
            return np.sum(x ** 2)
        case _:
            return np.sum(x) * option


def by_sign_per_item(x):  # a subject known only at run time, in a loop
    total = 0.0
    for v in x:
        match bool(v > 0):
            case True:
                total = total + v ** 2
            case False:
                total = total - np.sin(v)
    return total


def numpy_bool_is_never_true(x):  # as in Python: case True tests identity
    total = np.sum(x)
    match np.sum(x) > 0:
        case True:
            total = total * 2.0
        case False:
            total = total * 3.0
    return total


def by_count(x):  # a run-time int: the chain branches at run time
    match np.sum(x > 0):
        case 0:
            return np.sum(x)
        case 1 | 2:
            return np.sum(x ** 2)
        case _:
            return np.sum(x ** 3)


def in_an_inner_def(x):
    def act(v, kind):
        match kind:
            case "square":
                return v * v
        return v

    return np.sum(act(x, "square") + act(x, "identity"))


def capture_rebinding_the_subject(x, pair=(2.0, 3.0)):
    match pair:
        case (pair, b):
            return np.sum(x) * pair * b


def capture_kept_after_the_loop(x):
    last = 0.0
    for v in x:
        match v:
            case w if w > 0:
                last = w
    return last * np.sum(x)


def mapping_rest(x, options={"k": 1.0}):  # noqa: B006
    match options:
        case {"k": k, **others}:
            return np.sum(x) * k * len(others)
    return 0.0


def positional_class_pattern(x, config=Config("sin", 3.0)):  # noqa: B008
    match config:
        case Config("sin", s):
            return np.sum(x) * s
    return 0.0


def alternatives_capturing(x, pair=(1.0, 2.0)):
    match pair:
        case (a, 1.0) | (1.0, a):
            return np.sum(x) * a
    return 0.0
