"""Where ``Dataset.map`` puts its output columns, as MindSpore 2.10 did (measured on
columns a, b, c, d holding 0, 10, 20, 30 in the first row, with an operation whose k-th
output is ``100 * (k + 1)`` plus its (k mod inputs)-th input)."""
from __future__ import annotations

import numpy as np
import pytest

from autodiff_compiler.mindspore import dataset as ds


def base():
    return ds.NumpySlicesDataset({name: np.arange(4, dtype=np.int32) + 10 * k
                                  for k, name in enumerate("abcd")}, shuffle=False)


def operation(n_out):
    def op(*xs):
        out = tuple(100 * (k + 1) + xs[k % len(xs)] for k in range(n_out))
        return out if n_out > 1 else out[0]
    return op


# (input_columns, output_columns, columns after the map, first row) from MindSpore 2.10
MAPS = [
    (["a", "c"], ["p", "q"], ["p", "b", "q", "d"], [100, 10, 220, 30]),
    (["c", "a"], ["p", "q"], ["q", "b", "p", "d"], [200, 10, 120, 30]),
    (["b", "c"], ["b", "c"], ["a", "b", "c", "d"], [0, 110, 220, 30]),
    (["c", "b"], ["b", "c"], ["a", "c", "b", "d"], [0, 210, 120, 30]),
    (["a", "c"], ["c", "a"], ["c", "b", "a", "d"], [100, 10, 220, 30]),
    (["a"], ["p", "s"], ["p", "s", "b", "c", "d"], [100, 200, 10, 20, 30]),
    (["b"], ["p", "q"], ["p", "q", "a", "c", "d"], [110, 210, 0, 20, 30]),
    (["c"], ["p", "q"], ["p", "q", "a", "b", "d"], [120, 220, 0, 10, 30]),
    (["a", "c"], ["p", "q", "r"], ["p", "q", "r", "b", "d"], [100, 220, 300, 10, 30]),
    (["c", "a"], ["p", "q", "r"], ["p", "q", "r", "b", "d"], [120, 200, 320, 10, 30]),
    (["d", "b"], ["p", "q", "r"], ["p", "q", "r", "a", "c"], [130, 210, 330, 0, 20]),
    (["a", "c"], ["p"], ["p", "b", "d"], [100, 10, 30]),
    (["a", "b"], ["p"], ["p", "c", "d"], [100, 20, 30]),
    (["b", "d"], ["p"], ["p", "a", "c"], [110, 0, 20]),
    (["d", "a"], ["p"], ["p", "b", "c"], [130, 10, 20]),
    (["a", "b", "c"], ["p"], ["p", "d"], [100, 30]),
]


@pytest.mark.parametrize(("inputs", "outputs", "columns", "row"), MAPS,
                         ids=[f"{''.join(i)}->{''.join(o)}" for i, o, _, _ in MAPS])
def test_map_places_its_outputs_as_mindspore_does(inputs, outputs, columns, row):
    mapped = base().map(operations=operation(len(outputs)), input_columns=inputs,
                        output_columns=outputs)
    assert mapped.get_col_names() == columns
    first = next(mapped.create_tuple_iterator(output_numpy=True))
    assert [int(v) for v in first] == row
