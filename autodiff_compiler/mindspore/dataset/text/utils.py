"""``mindspore.dataset.text``'s ``Vocab``, ``to_str`` and ``to_bytes``.

A vocabulary maps tokens to ids. The ids are MindSpore 2.10's (measured): ``from_list``
and ``from_file`` number the words in order, the special tokens before them
(``special_first``) or after; ``from_dataset`` counts every string of the chosen columns,
keeps the counts within ``freq_range`` (both ends included), orders the tokens by count,
most frequent first, ties by code point (MindSpore's byte order of UTF-8 is the same
order), keeps ``top_k`` and numbers them after or before the special tokens. ``vocab()``
is a dict in the order MindSpore's C++ map gives it (``vocab_order``), so printing it
prints what MindSpore prints.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .vocab_order import map_order

_ID_MAX = 2**31 - 1


def _token_list(tokens: Any, name: str) -> list[str]:
    if not isinstance(tokens, list | tuple) or not all(isinstance(t, str) for t in tokens):
        raise TypeError(f"{name} must be a list of str, not {tokens!r}")
    return list(tokens)


def _specials(special_tokens: Any, special_first: Any) -> list[str]:
    specials = [] if special_tokens is None else _token_list(special_tokens, "special_tokens")
    for i, token in enumerate(specials):
        if token in specials[:i]:
            raise ValueError(f"special_tokens contains duplicate word: {token}.")
    if not isinstance(special_first, bool):
        raise TypeError(f"special_first must be a bool, not {special_first!r}")
    return specials


class Vocab:
    """Tokens and their ids; build one with ``from_list``, ``from_file``, ``from_dict`` or
    ``from_dataset``."""

    def __init__(self) -> None:
        self._ids: dict[str, int] | None = None
        # the tokens as MindSpore's map iterates them, replayed when ``vocab()`` first asks
        self._replay: Callable[[], list[str]] = list
        self._order: list[str] | None = None
        self._tokens: dict[int, str] = {}

    @classmethod
    def _built(cls, ids: dict[str, int], order: Callable[[], list[str]]) -> Vocab:
        vocab = cls()
        vocab._ids, vocab._replay = ids, order
        vocab._tokens = {i: t for t, i in ids.items()}
        return vocab

    @staticmethod
    def _numbered(words: list[str], specials: list[str], special_first: bool) -> dict[str, int]:
        """``words`` numbered in order, ``specials`` before or after them."""
        tokens = specials + words if special_first else words + specials
        return {t: i for i, t in enumerate(tokens)}

    @classmethod
    def from_list(cls, word_list: list[str], special_tokens: list[str] | None = None,
                  special_first: bool = True) -> Vocab:
        """The words numbered in order, the special tokens first (ids from 0) or last."""
        words = _token_list(word_list, "word_list")
        specials = _specials(special_tokens, special_first)
        seen: set[str] = set()
        for word in words:
            if word in seen:
                raise ValueError(f"word_list contains duplicate word: {word}.")
            seen.add(word)
        clash = seen.intersection(specials)
        if clash:
            raise ValueError(f"special_tokens and word_list contain duplicate word :{clash}.")
        # MindSpore's map gets the words first, then the special tokens
        return cls._built(cls._numbered(words, specials, special_first),
                          lambda: map_order(words + specials))

    @classmethod
    def from_file(cls, file_path: str, delimiter: str = "", vocab_size: int | None = None,
                  special_tokens: list[str] | None = None, special_first: bool = True) -> Vocab:
        """A word a line, numbered in order (at most ``vocab_size`` of them): a line is cut
        at the first of ``delimiter``'s characters when there is one, and kept whole
        otherwise, a "\\r" of Windows line ends included, as MindSpore's ``getline`` does;
        an empty line is the word ''."""
        if not isinstance(file_path, str) or not isinstance(delimiter, str):
            raise TypeError("file_path and delimiter must be str")
        if vocab_size is not None and (isinstance(vocab_size, bool)
                                       or not isinstance(vocab_size, int)):
            raise TypeError(f"vocab_size must be an int, not {vocab_size!r}")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError("Input vocab_size must be greater than 0.")
        specials = _specials(special_tokens, special_first)
        try:
            with open(file_path, encoding="utf-8", newline="") as handle:
                lines = handle.read().split("\n")
        except OSError as e:
            raise RuntimeError(f"from_file: fail to open: {file_path} ({e})") from e
        if lines[-1] == "":
            lines.pop()  # the end of the last line, not another line
        words: list[str] = []
        seen: set[str] = set()
        for line in lines:
            cut = [i for i, char in enumerate(line) if char in delimiter]
            word = line[:cut[0]] if cut else line
            if word in seen:
                raise RuntimeError(f"from_file: word_list contains duplicate word:{word}.")
            if word in specials:
                raise RuntimeError(f"from_file: special_tokens and word_list contain "
                                   f"duplicate word: {word}")
            words.append(word)
            seen.add(word)
            if len(words) == vocab_size:
                break
        # MindSpore's map gets the words first, then the special tokens
        return cls._built(cls._numbered(words, specials, special_first),
                          lambda: map_order(words + specials))

    @classmethod
    def from_dict(cls, word_dict: dict[str, int]) -> Vocab:
        """The dict's own ids (any non-negative ints, gaps allowed)."""
        if not isinstance(word_dict, dict):
            raise TypeError(f"word_dict must be a dict of str to int, not {word_dict!r}")
        for token, i in word_dict.items():
            if not isinstance(token, str) or isinstance(i, bool) or not isinstance(i, int):
                raise TypeError(f"word_dict must map str to int, not {token!r}: {i!r}")
            if not 0 <= i <= _ID_MAX:
                raise ValueError(f"Input word_id is not within the required interval of "
                                 f"[0, {_ID_MAX}].")
        # the dict reaches C++ as a map reserved for its size, copied into the vocabulary's
        words = dict(word_dict)
        return cls._built(words, lambda: map_order(map_order(words, reserve=len(words))))

    @classmethod
    def from_dataset(cls, dataset: Any, columns: Sequence[str] | str | None = None,
                     freq_range: tuple[int | None, int | None] | None = None,
                     top_k: int | None = None, special_tokens: list[str] | None = None,
                     special_first: bool = True) -> Vocab:
        """The strings of ``columns`` (all, by default) in one epoch of ``dataset``, counted
        and numbered as the module docstring says."""
        names = dataset.get_col_names() if columns is None else \
            [columns] if isinstance(columns, str) else _token_list(columns, "columns")
        low, high = _freq_range(freq_range)
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int)):
            raise TypeError(f"top_k must be an int, not {top_k!r}")
        if top_k is not None and top_k <= 0:
            raise ValueError("Input top_k must be greater than 0.")
        specials = _specials(special_tokens, special_first)
        missing = [c for c in names if c not in dataset.get_col_names()]
        if missing:  # (MindSpore's pipeline error, raised as the vocabulary is built)
            raise RuntimeError(f"from_dataset: no column {missing[0]!r}; the columns are "
                               f"{dataset.get_col_names()}")
        picks = [dataset._index(c) for c in names]
        counts: Counter[str] = Counter()
        for row in dataset.rows():
            for i in picks:
                value = np.asarray(row[i])
                if value.dtype.kind not in "US":
                    raise RuntimeError(f"from_dataset: column '{dataset.column_names[i]}' "
                                       f"holds {value.dtype}, not strings")
                counts.update(to_str(value).ravel().tolist() if value.dtype.kind == "S"
                              else value.ravel().tolist())
        kept = {t: n for t, n in counts.items() if low <= n <= high}
        clash = [t for t in specials if t in kept]
        if clash:
            raise RuntimeError(f"from_dataset: these special tokens are already in the "
                               f"vocab: {', '.join(clash)}.")
        words = sorted(kept, key=lambda t: (-kept[t], t))[:top_k]
        ids = cls._numbered(words, specials, special_first)
        return cls._built(ids, lambda: map_order(ids))  # (its map gets them in id order)

    def _check(self) -> dict[str, int]:
        if self._ids is None:
            raise RuntimeError("The Vocab has not built yet. Use Vocab.from_dataset(), "
                               "Vocab.from_list(), Vocab.from_file() or Vocab.from_dict() "
                               "to build a Vocab.")
        return self._ids

    def vocab(self) -> dict[str, int]:
        """Each token's id, in the order MindSpore lists them."""
        ids = self._check()
        if self._order is None:
            self._order = self._replay()
        return {t: ids[t] for t in self._order}

    def tokens_to_ids(self, tokens: str | list[str] | np.ndarray) -> int | list[int]:
        """The id of a token (-1 if absent), or a list of them for a list or array."""
        ids = self._check()
        if isinstance(tokens, str):
            return ids.get(tokens, -1)
        if not isinstance(tokens, list | np.ndarray):
            raise TypeError(f"tokens must be a str, a list of str or an array, not {tokens!r}")
        return [ids.get(t, -1) for t in np.asarray(tokens).tolist()]

    def ids_to_tokens(self, ids: int | list[int] | np.ndarray) -> str | list[str]:
        """The token of an id ('' if absent), or a list of them for a list or array."""
        self._check()
        one = isinstance(ids, int | np.integer)
        if not one and not isinstance(ids, list | np.ndarray):
            raise TypeError(f"ids must be an int, a list of int or an array, not {ids!r}")
        wanted = [int(ids)] if one else np.asarray(ids).ravel().tolist()
        if any(i < 0 or i > _ID_MAX for i in wanted):
            raise ValueError(f"Input ids is not within the required interval of [0, {_ID_MAX}].")
        tokens = [self._tokens.get(i, "") for i in wanted]
        return tokens[0] if one else tokens


def _freq_range(freq_range: Any) -> tuple[float, float]:
    if freq_range is None:
        return 0, float("inf")
    if not isinstance(freq_range, tuple) or len(freq_range) != 2:
        raise TypeError(f"freq_range must be a tuple (min, max), not {freq_range!r}")
    low, high = freq_range
    for bound in (low, high):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise TypeError(f"freq_range's bounds must be ints or None, not {bound!r}")
        if bound is not None and bound < 0:
            raise ValueError(f"freq_range's bounds must be non-negative, not {bound}")
    return (0 if low is None else low), (float("inf") if high is None else high)


def to_bytes(array: np.ndarray, encoding: str = "utf8") -> np.ndarray:
    """An array of str encoded to an array of bytes."""
    if not isinstance(array, np.ndarray):
        raise ValueError("input should be a NumPy array.")
    return np.char.encode(array, encoding)


def to_str(array: np.ndarray, encoding: str = "utf8") -> np.ndarray:
    """An array of bytes decoded to an array of str."""
    if not isinstance(array, np.ndarray):
        raise TypeError("input should be a NumPy array.")
    return np.char.decode(array, encoding)
