"""MindSpore's samplers: which rows of a random-access source a dataset reads, in which
order. Orders that involve no randomness are MindSpore 2.7.1's exactly (measured):
``DistributedSampler`` without shuffling gives shard ``k`` of ``S`` the rows ``k, k + S,
k + 2S, ...`` wrapping past the end until every shard has ``ceil(n / S)``, the same as
a dataset's ``num_shards``/``shard_id``. Random orders come from NumPy's global random
state (``set_seed`` repeats them), not MindSpore's generator.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "DistributedSampler"]


class Sampler:
    """The positions to read from a source of ``n`` rows (``indices``)."""

    num_samples: int | None = None

    def indices(self, n: int) -> Sequence[int]:
        raise NotImplementedError

    def count(self, n: int) -> int:
        """How many rows ``indices`` gives (the dataset's size), without drawing them."""
        return _capped(n, self.num_samples)

    def get_num_samples(self) -> int | None:
        return self.num_samples


def _capped(n: int, num_samples: int | None) -> int:
    return min(n, num_samples) if num_samples else n


class SequentialSampler(Sampler):
    def __init__(self, start_index: int | None = None, num_samples: int | None = None) -> None:
        self.start, self.num_samples = start_index or 0, num_samples

    def indices(self, n: int) -> Sequence[int]:
        return range(self.start, self.start + self.count(n))

    def count(self, n: int) -> int:
        return _capped(n - self.start, self.num_samples)


class SubsetSampler(Sampler):
    def __init__(self, indices: Sequence[int], num_samples: int | None = None) -> None:
        self.subset, self.num_samples = [int(i) for i in indices], num_samples

    def indices(self, n: int) -> Sequence[int]:
        return self.subset[:self.count(n)]

    def count(self, n: int) -> int:
        return _capped(len(self.subset), self.num_samples)


class SubsetRandomSampler(SubsetSampler):
    def indices(self, n: int) -> Sequence[int]:
        return [self.subset[i] for i in np.random.permutation(len(self.subset))[
            :self.count(n)]]


class RandomSampler(Sampler):
    def __init__(self, replacement: bool = False, num_samples: int | None = None) -> None:
        self.replacement, self.num_samples = replacement, num_samples

    def indices(self, n: int) -> Sequence[int]:
        if self.replacement:
            return np.random.randint(0, n, self.num_samples or n).tolist()
        return np.random.permutation(n)[:self.count(n)].tolist()

    def count(self, n: int) -> int:
        return (self.num_samples or n) if self.replacement else _capped(n, self.num_samples)


class WeightedRandomSampler(Sampler):
    def __init__(self, weights: Sequence[float], num_samples: int | None = None,
                 replacement: bool = True) -> None:
        self.weights = np.asarray(weights, np.float64)
        self.num_samples, self.replacement = num_samples, replacement

    def indices(self, n: int) -> Sequence[int]:
        return np.random.choice(len(self.weights), self.count(n), replace=self.replacement,
                                p=self.weights / self.weights.sum()).tolist()

    def count(self, n: int) -> int:
        return self.num_samples or len(self.weights)


class DistributedSampler(Sampler):
    def __init__(self, num_shards: int, shard_id: int, shuffle: bool = True,
                 num_samples: int | None = None, offset: int = -1) -> None:
        if not 0 <= shard_id < num_shards:
            raise ValueError(f"shard_id {shard_id} is not in [0, {num_shards})")
        self.num_shards, self.shard_id, self.shuffle = num_shards, shard_id, shuffle
        self.num_samples = num_samples

    def indices(self, n: int) -> Sequence[int]:
        order = np.random.permutation(n) if self.shuffle else np.arange(n)
        return [int(order[(self.shard_id + j * self.num_shards) % n])
                for j in range(self.count(n))]

    def count(self, n: int) -> int:
        return _capped(math.ceil(n / self.num_shards), self.num_samples)


def sampler_of(sampler: Any, shuffle: bool | None, num_shards: int | None,
               shard_id: int | None, num_samples: int | None) -> Sampler:
    """The sampler a dataset's arguments describe (MindSpore's defaults: shuffled)."""
    if sampler is not None and num_shards is not None:
        raise ValueError("sampler and num_shards cannot both be given")
    if sampler is not None:
        if not isinstance(sampler, Sampler):
            if isinstance(sampler, Sequence | np.ndarray):
                return SubsetSampler(sampler, num_samples)
            raise TypeError(f"unsupported sampler {type(sampler).__name__}")
        return sampler
    if num_shards is not None:
        if shard_id is None:
            raise ValueError("num_shards needs shard_id")
        return DistributedSampler(num_shards, shard_id, shuffle is not False, num_samples)
    if shuffle is False:
        return SequentialSampler(num_samples=num_samples)
    return RandomSampler(num_samples=num_samples)
