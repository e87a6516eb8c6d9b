"""``mindspore.dataset.text``'s operations, on NumPy string arrays (``<U``, as
MindSpore 2.x gives them; bytes arrays are decoded as UTF-8 first).

Each does what MindSpore 2.10's does (measured), including the inputs it refuses: the
tokenizers take one string and give a 1-D array (``['']`` for a string with no token),
their offsets with ``with_offsets`` in UTF-8 bytes as uint32; ``Ngram`` takes a non-empty
1-D array; ``SlidingWindow`` a 1-D array; ``Truncate`` and ``AddToken`` a 1-D or 2-D
one; ``TruncateSequencePair`` two 1-D ones. String results are as wide as their longest
string, as MindSpore's (which come back from C++) are. A refused input is MindSpore's
RuntimeError, raised when the operation runs, as MindSpore's is; a bad argument is its
TypeError or ValueError, raised at construction.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np

from ..iterators import fit_strings
from .to_number import parse_numbers
from .utils import Vocab, to_str

# Unicode's White_Space, which MindSpore's tokenizers split on (Python's str.split also
# splits on the separators U+001C..U+001F; MindSpore does not)
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WORDS = re.compile(f"[^{_SPACE}]+")
# Default_Ignorable_Code_Point, which NFKC case folding removes
_IGNORABLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                        "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff"
                        "\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                        "\U000e0000-\U000e0fff]")


def _strings(value: Any, op: str) -> np.ndarray:
    """The input as an array of str; anything else is MindSpore's RuntimeError."""
    value = np.asarray(value)
    if value.dtype.kind == "S":
        return to_str(value)
    if value.dtype.kind != "U":
        raise RuntimeError(f"{op}: the input should be strings, not {value.dtype}")
    return value


def _one_string(value: Any, op: str) -> str:
    value = _strings(value, op)
    if value.ndim != 0:
        raise RuntimeError(f"{op}: the input should be one string (a scalar), not an array "
                           f"of shape {value.shape}; map it over rows of single strings")
    return str(value)


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {value!r}")
    if value < 1:
        raise ValueError(f"Input {name} is not within the required interval of [1, 2147483647].")
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {value!r}")
    return value


def _tokens(pieces: list[tuple[str, int, int]], with_offsets: bool) -> Any:
    """Tokens (``['']`` when none) and, with offsets, their UTF-8 byte starts and ends."""
    pieces = pieces or [("", 0, 0)]
    words = np.array([p[0] for p in pieces])
    if not with_offsets:
        return words
    return (words, np.array([p[1] for p in pieces], np.uint32),
            np.array([p[2] for p in pieces], np.uint32))


class PythonTokenizer:
    """A Python function from one str to a list of str tokens, over each string of an
    array (a bytes array decoded first). Applied with NumPy's ``vectorize``, as
    MindSpore's is, so several strings give rows as long as the first string's tokens (a
    row of one token is repeated to that length, as NumPy broadcasts it)."""

    def __init__(self, tokenizer: Callable[[str], list[str]]) -> None:
        if not callable(tokenizer):
            raise TypeError(f"tokenizer must be callable, not {tokenizer!r}")
        self.pyfunc = tokenizer
        self.tokenizer = np.vectorize(lambda x: np.array(tokenizer(x), dtype="U"),
                                      signature="()->(n)")
        self.random = False

    def __call__(self, in_array: np.ndarray) -> np.ndarray:
        if not isinstance(in_array, np.ndarray):
            raise TypeError(f"input should be a NumPy array. Got {type(in_array)}.")
        if in_array.dtype.type is np.bytes_:
            in_array = to_str(in_array)
        try:
            return self.tokenizer(in_array)
        except Exception as e:
            raise RuntimeError(f"Error occurred in Pyfunc [{self.pyfunc.__name__}], error "
                               f"message: {e}") from e


class WhitespaceTokenizer:
    """One string split at Unicode white space."""

    def __init__(self, with_offsets: bool = False) -> None:
        self.with_offsets = _bool(with_offsets, "with_offsets")

    def __call__(self, text: Any) -> Any:
        line = _one_string(text, "WhitespaceTokenizer")
        pieces = []
        for m in _WORDS.finditer(line):
            start = len(line[:m.start()].encode())
            pieces.append((m.group(), start, start + len(m.group().encode())))
        return _tokens(pieces, self.with_offsets)


class UnicodeCharTokenizer:
    """One string split into its code points."""

    def __init__(self, with_offsets: bool = False) -> None:
        self.with_offsets = _bool(with_offsets, "with_offsets")

    def __call__(self, text: Any) -> Any:
        pieces, start = [], 0
        for char in _one_string(text, "UnicodeCharTokenizer"):
            end = start + len(char.encode())
            pieces.append((char, start, end))
            start = end
        return _tokens(pieces, self.with_offsets)


class CaseFold:
    """Each string NFKC-case-folded (Unicode's NFKC_Casefold, as ICU's, which MindSpore
    uses: case folded, compatibility-normalised, default-ignorable code points removed)."""

    def __call__(self, text: Any) -> np.ndarray:
        strings = _strings(text, "CaseFold")
        fold = np.vectorize(lambda s: unicodedata.normalize(
            "NFKC", unicodedata.normalize("NFKC", _IGNORABLE.sub("", s)).casefold()),
            otypes=[str])
        return fit_strings(np.asarray(fold(strings)) if strings.size else strings)


class Lookup:
    """Each token's id in ``vocab`` (``unknown_token``'s for a token not in it), as
    ``data_type``."""

    def __init__(self, vocab: Vocab, unknown_token: str | None = None,
                 data_type: Any = np.int32) -> None:
        if not isinstance(vocab, Vocab):
            raise TypeError(f"vocab must be a text.Vocab, not {type(vocab).__name__}")
        if unknown_token is not None and not isinstance(unknown_token, str):
            raise TypeError(f"unknown_token must be a str, not {unknown_token!r}")
        self.vocab, self.unknown_token = vocab, unknown_token
        self.dtype = np.dtype(data_type)

    def __call__(self, tokens: Any) -> np.ndarray:
        ids = self.vocab._check()
        if self.dtype.kind not in "biuf":
            raise RuntimeError("Lookup: the parameter data_type must be numeric including bool")
        unknown = None
        if self.unknown_token is not None:
            unknown = ids.get(self.unknown_token)
            if unknown is None:
                raise RuntimeError(f'Lookup: "{self.unknown_token}" doesn\'t exist in vocab.')
        strings = _strings(tokens, "Lookup")
        out = []
        for token in strings.ravel().tolist():
            i = ids.get(token, unknown)
            if i is None:
                raise RuntimeError(f'Lookup: "{token}" doesn\'t exist in vocab and no '
                                   "unknown_token is specified.")
            out.append(i)
        return np.array(out, np.int64).reshape(strings.shape).astype(self.dtype)


class AddToken:
    """``token`` added at the start (``begin``) or the end of a 1-D array of strings, or
    of each row of a 2-D one."""

    def __init__(self, token: str, begin: bool = True) -> None:
        if not isinstance(token, str):
            raise TypeError(f"token must be a str, not {token!r}")
        self.token, self.begin = token, _bool(begin, "begin")

    def __call__(self, tokens: Any) -> np.ndarray:
        strings = _strings(tokens, "AddToken")
        if strings.ndim not in (1, 2) or strings.shape[-1] == 0:
            raise RuntimeError(f"AddToken: the input should be a non-empty 1-D or 2-D array "
                               f"of strings, not one of shape {strings.shape}")
        added = np.full((*strings.shape[:-1], 1), self.token)
        parts = (added, strings) if self.begin else (strings, added)
        return fit_strings(np.concatenate(parts, axis=-1))


class TruncateSequencePair:
    """Two 1-D arrays cut at their ends until they hold at most ``max_length`` entries
    together, a cut always from the longer (from the second when they are as long)."""

    def __init__(self, max_length: int) -> None:
        if isinstance(max_length, bool) or not isinstance(max_length, int):
            raise TypeError(f"max_length must be an int, not {max_length!r}")
        self.max_length = max_length

    def __call__(self, *pair: Any) -> tuple[np.ndarray, np.ndarray]:
        if len(pair) != 2:
            raise RuntimeError(f"TruncateSequencePair: takes two columns, not {len(pair)}")
        first, second = (np.asarray(v) for v in pair)
        if first.ndim != 1 or second.ndim != 1:
            raise RuntimeError("TruncateSequencePair: both inputs should be 1-D, not of "
                               f"shapes {first.shape} and {second.shape}")
        n1, n2 = len(first), len(second)
        while n1 + n2 > max(self.max_length, 0):
            if n1 > n2:
                n1 -= 1
            else:
                n2 -= 1
        return tuple(fit_strings(v) if v.dtype.kind in "US" else v
                     for v in (first[:n1], second[:n2]))


class Ngram:
    """The n-grams of a 1-D array of strings for each n of ``n`` in turn, joined by
    ``separator``: padded with ``left_pad``/``right_pad`` (token, width; the width at most
    n - 1); one '' for an n longer than the padded sequence."""

    def __init__(self, n: int | list[int], left_pad: tuple[str, int] = ("", 0),
                 right_pad: tuple[str, int] = ("", 0), separator: str = " ") -> None:
        grams = [n] if isinstance(n, int) else n
        if not isinstance(grams, list) or not all(isinstance(g, int) and not isinstance(g, bool)
                                                  for g in grams):
            raise TypeError(f"n must be an int or a list of int, not {n!r}")
        for i, g in enumerate(grams):
            if g <= 0:
                raise ValueError(f"Input gram_{i} must be greater than 0.")
        for name, pad in (("left_pad", left_pad), ("right_pad", right_pad)):
            if not (isinstance(pad, tuple) and len(pad) == 2 and isinstance(pad[0], str)
                    and isinstance(pad[1], int) and pad[1] >= 0):
                raise ValueError(f"{name} needs to be a tuple of (str, int) str is pad token "
                                 "and int is pad_width.")
        if not isinstance(separator, str):
            raise TypeError(f"separator must be a str, not {separator!r}")
        self.ngrams, self.left_pad, self.right_pad = grams, left_pad, right_pad
        self.separator = separator

    def __call__(self, tokens: Any) -> np.ndarray:
        strings = _strings(tokens, "Ngram")
        if strings.ndim != 1 or strings.size == 0:
            raise RuntimeError(f"Ngram: the input should be a non-empty 1-D array of strings, "
                               f"not one of shape {strings.shape}")
        words, out = strings.tolist(), []
        for n in self.ngrams:
            left = [self.left_pad[0]] * min(self.left_pad[1], n - 1)
            right = [self.right_pad[0]] * min(self.right_pad[1], n - 1)
            seq = left + words + right
            if len(seq) < n:
                out.append("")
                continue
            out.extend(self.separator.join(seq[i:i + n]) for i in range(len(seq) - n + 1))
        return np.array(out)


class SlidingWindow:
    """The windows of ``width`` consecutive entries of a 1-D array, one a row (shape
    (n - width + 1, width); an empty 1-D array when the input is shorter than width)."""

    def __init__(self, width: int, axis: int = 0) -> None:
        self.width = _positive_int(width, "width")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"axis must be an int, not {axis!r}")
        self.axis = axis

    def __call__(self, value: Any) -> np.ndarray:
        value = np.asarray(value)
        if value.ndim != 1 or self.axis not in (0, -1):
            raise RuntimeError(f"SlidingWindow: only a 1-D input along axis 0 is supported, "
                               f"not shape {value.shape} along axis {self.axis}")
        count = value.shape[0] - self.width + 1
        windows = value[:0] if count <= 0 else \
            np.stack([value[i:i + self.width] for i in range(count)])
        return fit_strings(windows) if windows.dtype.kind in "US" else windows


class Truncate:
    """A 1-D or 2-D array cut to at most ``max_seq_len`` entries along its last axis."""

    def __init__(self, max_seq_len: int) -> None:
        self.max_seq_len = _positive_int(max_seq_len, "max_seq_len")

    def __call__(self, value: Any) -> np.ndarray:
        value = np.asarray(value)
        if value.ndim not in (1, 2):
            raise RuntimeError(f"Truncate: the input should be 1-D or 2-D, not of shape "
                               f"{value.shape}")
        cut = value[..., :self.max_seq_len]
        return fit_strings(cut) if cut.dtype.kind in "US" else cut


class ToNumber:
    """Each string parsed as a number of ``data_type`` (``to_number`` says how)."""

    def __init__(self, data_type: Any) -> None:
        self.dtype = np.dtype(data_type)
        if self.dtype.kind not in "iuf":
            raise TypeError(f"data_type: {data_type} is not numeric data type.")

    def __call__(self, strings: Any) -> np.ndarray:
        strings = _strings(strings, "ToNumber")
        return parse_numbers(strings.ravel().tolist(), self.dtype).reshape(strings.shape)
