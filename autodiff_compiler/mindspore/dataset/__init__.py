"""MindSpore's ``mindspore.dataset``, in memory: sources, a pipeline, iterators.

A dataset is a chain of steps over rows (a row is a tuple of NumPy arrays, one per
column): a source (``NumpySlicesDataset``, ``GeneratorDataset``, the standard datasets'
files in ``sources``, text files in ``textfiles``, image folders in ``imagefiles``),
then ``map``, ``filter``, ``shuffle``, ``batch``, ``padded_batch``, ``repeat``, ``take``,
``skip``, ``project``, ``rename``, ``zip``, ``concat`` (``+``), each returning a new
dataset (``split`` returns several).
Iterating runs the chain once per epoch: ``create_tuple_iterator()`` yields lists of
Tensors (NumPy arrays with ``output_numpy=True``), ``create_dict_iterator()`` dicts by
column name, and iterating the dataset itself is the tuple iterator. One iterator serves
``num_epochs`` epochs, a pass each (``iterators``). Shuffling draws
from NumPy's global random state, so ``set_seed`` (or ``dataset.config.set_seed``)
makes it repeat.

As MindSpore 2.10 does (measured): ``NumpySlicesDataset`` shuffles by default and names
unnamed columns ``column_0``...; a ``GeneratorDataset`` over a random-access source
(``__getitem__`` and ``__len__``) shuffles by default, over a generator it does not;
``map`` puts each output column where its input column was (when there are as many;
otherwise the outputs come first); ``batch`` keeps the last short batch unless
``drop_remainder``. A random-access source reads the rows its sampler picks
(``samplers``: sequential, subset, random, weighted, distributed), and
``num_shards``/``shard_id`` are a ``DistributedSampler``'s, as in MindSpore.
Everything runs in this process: ``num_parallel_workers`` is accepted and ignored,
except that the text-file sources order rows as that many of MindSpore's readers would.
``text`` holds vocabularies, tokenizers and the operations of text pipelines.
"""
from __future__ import annotations

from . import config, text, transforms, vision
from .combine import zip  # noqa: A004 (MindSpore's name)
from .engine import Dataset
from .imagefiles import ImageFolderDataset
from .samplers import (
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    SubsetSampler,
    WeightedRandomSampler,
)
from .sources import (
    Cifar10Dataset,
    Cifar100Dataset,
    FashionMnistDataset,
    GeneratorDataset,
    MnistDataset,
    NumpySlicesDataset,
)
from .textfiles import CSVDataset, Shuffle, TextFileDataset

__all__ = ["Dataset", "GeneratorDataset", "MnistDataset", "FashionMnistDataset", "Cifar10Dataset",
           "Cifar100Dataset", "NumpySlicesDataset", "CSVDataset", "TextFileDataset", "Shuffle",
           "ImageFolderDataset",
           "config", "text",
           "transforms", "vision", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "DistributedSampler", "zip"]
