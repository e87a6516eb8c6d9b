"""Programs writing into arrays in place while other references to their memory live."""
import functools

import numpy as np

# ---------------------------------------------------------------- refused: NumPy would differ


def loop_over_reshape_written(x):  # the fuzzer's seed 12175, shrunk
    acc = np.zeros((2, 3))
    for _i, r in enumerate(acc.reshape(3, -1)):
        acc += np.prod(np.cos(np.broadcast_to(r.reshape(2, -1).sum(axis=0).max(), (2, 2, 3))),
                       axis=1) * x
    return np.sin(acc).sum()


def loop_over_rows_written(x):
    acc = x * 1.0
    for r in acc:
        acc += np.sum(r)
    return np.sum(acc)


def loop_over_transpose_written(x):
    acc = x * 1.0
    for r in acc.T:
        acc *= np.tanh(np.sum(r))
    return np.sum(acc)


def loop_over_slice_subscript_written(x):
    acc = x * 1.0
    for r in acc[:, 1:]:
        acc[0] += np.sum(r)
    return np.sum(acc)


def loop_over_ravel_written(x):
    acc = x * 1.0
    for v in acc.ravel():
        acc -= v
    return np.sum(acc)


def zip_over_view_written(x):
    acc = x * 1.0
    for a, b in zip(x, acc[::-1]):
        acc += np.sum(b) * a
    return np.sum(acc)


def loop_over_view_name_written(x):
    acc = x * 1.0
    rows = np.transpose(acc)
    for i in range(2):
        acc[i] = rows[i] * 2.0
    return np.sum(acc)


def view_name_read_after_write(x):
    acc = x * 1.0
    v = acc.ravel()
    acc += 1.0
    return np.sum(v * x.ravel())


def view_name_read_in_next_iteration(x):
    acc = x * 1.0
    v = acc[0]
    for _ in range(3):
        acc += np.sum(v)
    return np.sum(acc)


def alias_name_read_after_write(x):
    acc = x * 1.0
    b = acc
    acc *= 2.0
    return np.sum(b * x)


def view_read_after_subscript_write(x):
    acc = x * 1.0
    v = acc.T
    acc[0] = 2.0 * x[1]
    return np.sum(v * x.T)


def base_read_after_view_written(x):
    acc = x * 1.0
    v = acc[0]
    v += 1.0
    return np.sum(acc * x)


def view_read_after_write_in_branch(x):
    acc = x * 1.0
    v = acc[1:]
    if np.sum(x) > -100.0:
        acc += 1.0
    return np.sum(v)


def view_taken_in_branch_then_written(x):
    acc = x * 1.0
    if np.sum(x) > 0.0:
        v = acc[1:]
        acc += 1.0
    else:
        v = acc[:1] * 2.0
    return np.sum(v)


def argument_written_in_place(x):
    x += 1.0
    return np.sum(x * x)


def argument_view_read_after_augmented(x):
    v = x[:2]
    x += 1.0
    return np.sum(x * v)


def chained_index_writes(x):  # CS231n's conv_forward_naive: out[n][f][h][w] += ...
    out = np.zeros((2, 3))
    for n in range(2):
        for k in range(3):
            out[n][k] += x[n, k] * x[1 - n, 2 - k]
    out[1][0] = out[0][2] * 2.0
    out[0][np.int64(1)] -= x[1][2]
    return np.sum(out ** 2)


def chained_write_through_a_slice(x):  # y[1:][0] is y[1], not y[1:, 0]
    y = x * 1.0
    y[1:][0] = 0.0
    return np.sum(y)


RUNNING = np.zeros(3)
CACHE = {"total": np.zeros(3)}


class Running:
    """numpy-ml's ``K = self.parameters["GP_cov"]; K += ...``: a name for an array the
    object holds, written through and the object read again."""

    def __init__(self):
        self.total = np.zeros(3)
        self.parameters = {"total": np.zeros(3)}

    def attribute_read_after_alias_written(self, x):
        r = self.total
        r += x[0]
        return np.sum(self.total * x[1])

    def item_read_after_alias_written(self, x):
        r = self.parameters["total"]
        r -= x[0]
        return np.sum(self.parameters["total"] * x[1])

    def alias_written_and_read(self, x):
        r = self.total
        r += x[0]
        return np.sum(r * x[1])


def global_read_after_alias_written(x):
    r = RUNNING
    r *= x[0]
    return np.sum(RUNNING + x[1])


def global_item_read_after_alias_written(x):
    r = CACHE["total"]
    r += x[0]
    return np.sum(CACHE["total"] * x[1])


def columns_swapped_through_views(x):  # NumPy copies column 1 into both
    y = x * 1.0
    y[:, 0], y[:, 1] = y[:, 1], y[:, 0]
    return np.sum(y * np.array([1.0, 10.0, 100.0]))


def named_view_unpacked_after_its_row_written(x):
    y = x * 1.0
    a, b = y[0], y[1]
    y[0], y[1] = b * 2.0, a
    return np.sum(y)


def constant_array_written(x):
    c = np.array([1.0, 2.0, 3.0])
    first = c[:2]  # a view: NumPy's write below would show through it
    c[0] = x[0, 0]
    return np.sum(first) + np.sum(c * x)


# ---------------------------------------------------------------- allowed: Python's meaning


def fresh_accumulator(x):
    acc = np.zeros(x.shape[1])
    for r in x:
        acc += r * r
    return np.sum(acc)


def rebound_while_iterating(x):
    acc = x * 1.0
    for r in acc:
        acc = acc + r
    return np.sum(acc)


def view_dead_before_write(x):
    acc = x * 1.0
    for i in range(2):
        row = acc[i]
        acc[i] = row * 2.0
    return np.sum(acc)


def scalar_names_rebound(x):
    s = np.sum(x)
    t = s
    s += 1.0
    return t * s


def element_copied_before_write(x):
    acc = x[0] * 1.0
    first = acc[0]
    acc *= 3.0
    return np.sum(acc) * first


def iterating_over_a_copy(x):
    acc = x * 1.0
    for r in acc.copy():
        acc += np.sum(r)
    return np.sum(acc)


def view_taken_after_write(x):
    acc = x * 1.0
    acc += 1.0
    acc *= 0.5
    w = acc[0]
    return np.sum(w) + np.sum(x * acc)


def view_read_before_write(x):
    acc = x * 1.0
    total = np.sum(acc.T[0])
    acc += total
    return np.sum(acc)


def columns_swapped_through_copies(x):
    y = x * 1.0
    y[:, 0], y[:, 1] = y[:, 1].copy(), y[:, 0].copy()
    return np.sum(y * np.array([1.0, 10.0, 100.0]))


def columns_swapped_by_fancy_indexing(x):
    y = x * 1.0
    y[:, [0, 1]] = y[:, [1, 0]]
    return np.sum(y * np.array([1.0, 10.0, 100.0]))


def names_swapped(x):
    a, b = x[0] * 1.0, x[1] * 2.0
    a, b = b, a
    a[0], b[0] = b[1], a[1]
    return np.sum(a * np.arange(3.0)) + np.sum(b ** 2)


# ---------------------------------------------------------------- what an in-place write keeps


def float32_accumulator(x):
    acc = np.zeros(x.shape, np.float32)
    acc += x * 0.5
    acc *= x
    return np.sum(acc * 1.0)


def accumulator_grown_by_broadcast(x):
    acc = np.zeros(x.shape[1])
    acc += x
    return np.sum(acc)


def int_accumulator_given_floats(x):
    n = np.zeros(x.shape, np.int64)
    n += x
    return np.sum(n * x)


def made_zero_d_grown_by_broadcast(x):
    acc = np.array(0.0)
    acc += x
    return np.sum(acc)


def made_int_array_given_floats(x):
    n = np.array([1, 2, 3])
    n += x[0]
    return np.sum(n * x)


def written_in_the_branch_taken(x):
    """The array one branch writes into is the merged value's on the other path: not
    outdated there (both paths' values are the current ones)."""
    acc = x * 1.0
    if np.sum(x) > 0.0:
        acc += 1.0
    return np.sum(np.sin(acc) * x)


def written_in_the_branch_not_taken(x):
    acc = x * 1.0
    if np.sum(x) < 0.0:
        acc[0] = x[1] * 3.0
    return np.sum(np.sin(acc) * x)


def zero_d_where_read_after_write(x):
    """np.where of 0-d values is a 0-d array: ``acc += ...`` writes it, and NumPy shows
    the new value through ``picked`` too (found by the fuzzer, seed 5569)."""
    picked = np.where(x[0, 0] > 0.1, x[0, 2], x[1, 1])
    acc = picked
    acc += 1.0
    return picked * np.sum(x)


def zero_d_astype_read_after_write(x):
    """A cast of a 0-d array is a 0-d array (of a NumPy scalar, a scalar)."""
    cast = np.where(x[0, 0] > 0.1, x[0, 2], x[1, 1]).astype(np.float32)
    acc = cast
    acc *= 2.0
    return cast * x[0, 0]


def zero_d_zeros_read_after_write(x):
    """``np.zeros(())`` is a 0-d array, not a number: ``+=`` writes into it, and NumPy
    shows the new value through ``kept`` too (it was folded to 0.0 while compiling and
    rebound, so ``kept`` read the old value: found by the fuzzer, seed 140806)."""
    acc = np.zeros(())
    kept = acc
    acc += 1.0
    return np.sum(x) + kept


def zero_d_array_read_after_write(x):
    """The same for ``np.array`` of a number."""
    acc = np.array(2.0)
    kept = acc
    acc *= x[0, 0]
    return np.sum(x) * kept


def made_array_read_after_write(x):
    """An array made while compiling (``np.array`` of numbers) is memory as any other:
    ``+=`` writes into it, ``kept`` sees the new values in NumPy."""
    made = np.array([1.0, 2.0, 3.0])
    kept = made
    made += x[0]
    return np.sum(kept * x[1])


def made_array_view_read_after_write(x):
    made = np.array([[1.0, 2.0, 3.0]])
    row = made[0]
    made *= x[0]
    return np.sum(row * x[1])


def made_array_written_by_a_helper(x):
    made = np.array([1.0, 2.0, 3.0])
    bumped = _incremented(made)  # its += writes into the caller's array
    return np.sum(made * x[0]) + np.sum(bumped)


def _incremented(value):
    value += 1.0
    return value


def made_array_carried_by_a_loop(x):
    """The loop's ``+=`` writes into the array the name held before it (whose other
    name ``start`` is read after the loop); its length known only at run time."""
    acc = np.array(0.5)
    start = acc
    for i in range(int(np.sum(x > -10.0)) - 4):
        acc += x[0, i]
    return start * acc


def zero_d_where_of_numbers_read_after_write(x):
    """``np.where`` of numbers is a 0-d array too."""
    picked = np.where(True, 1.0, 2.0)
    acc = picked
    acc += np.sum(x)
    return picked * acc


def made_arrays_written_nobody_else_reads(x):
    made = np.array([1.0, 2.0, 3.0])
    made *= x[0]
    made += 1.0
    total = np.zeros(())
    total += np.sum(made * x[1])
    total *= 2.0
    return total * total


def list_item_written_and_array_read(x):
    """``items[0] += v`` writes into the array the list holds (``acc``'s too)."""
    acc = x[0] * 1.0
    items = [acc]
    items[0] += x[1]
    return np.sum(acc * x[1])


def dict_item_written_and_array_read(x):
    acc = np.ones(3)
    held = {"acc": acc}
    held["acc"] *= x[0]
    return np.sum(acc)


def _accumulate(into, v):
    into += v


def view_written_by_a_helper(x):
    """A helper's ``+=`` on its parameter, a view of the caller's array, writes into
    that array (the caller's name for it is outdated)."""
    grid = np.outer(x[0], x[1])
    _accumulate(grid[1], x[0])
    return np.sum(grid)


def view_of_a_base_a_helper_wrote(x):
    grid = np.outer(x[0], x[1])
    last = grid[2:]
    _accumulate(grid[2], x[0])
    return np.sum(last)


def cast_without_copy_read_after_write(x):
    """``astype(copy=False)`` to the dtype the array has is the array itself."""
    acc = x[0] * 2.0
    same = acc.astype(np.float64, copy=False)
    acc += x[1]
    return np.sum(same * x[1])


def flattened_copy_read_after_write(x):
    """``flatten()`` copies (``ravel()`` may not): a later write leaves it as it was."""
    grid = np.zeros((1, 3))
    flat = grid.flatten()
    grid += x[0]
    return np.sum(flat) + np.sum(grid * x[1])


class Keeper:
    pass


KEEP = Keeper()


def zero_d_attribute_written_and_name_read(x):
    """Through an attribute: ``KEEP.kept += 1.0`` writes into the array ``acc`` names."""
    acc = np.zeros(())
    KEEP.kept = acc
    KEEP.kept += 1.0
    return np.sum(x) + acc


def _kept_and_incremented(value):
    kept = value
    value += 1.0
    return kept * value


def zero_d_scalars_rebound(x):
    """Ufuncs, reductions and products give NumPy scalars: ``+=`` rebinds the name."""
    return (_kept_and_incremented(np.sin(x[0, 0])) + _kept_and_incremented(np.max(x))
            + _kept_and_incremented(x[0] @ x[1]) + _kept_and_incremented(np.dot(x[0], x[0]))
            + _kept_and_incremented(np.sum(x).astype(np.float64)))


def zero_d_array_made_and_written(x):  # torch.func's test_advanced_indexing
    a = np.ones(())
    a[np.zeros(()) > 0] = 0.0  # no entry chosen: a stays 1
    b = np.zeros(())
    b[()] = np.sum(x)  # a run-time value written into a 0-d array made here
    return np.sum(x * a) + b * b


# A run-time branch's value is, on the path taken, that path's value: a 0-d array or a
# view there makes it one (the fuzzer's seed 320623: the branches' producers were out
# of sight once lowered, so the merged value was taken for a fresh NumPy scalar, and
# the in-place write was compiled as a rebinding, silently).
def zero_d_on_one_path_read_after_write(x):
    """``+=`` writes a 0-d array and rebinds a NumPy scalar: which, the path decides."""
    if np.sum(x) > 100.0:
        picked = np.sum(x)
    else:
        picked = np.where(x[0, 0] > 0.1, x[0, 2], x[1, 1])
    acc = picked
    acc += 1.0
    return acc * picked


def zero_d_on_one_path_kept_on_an_attribute(x):  # seed 320623, shrunk
    if np.sum(x) > 100.0:
        picked = np.sum(x)
    else:
        picked = np.where(x[0, 0] > 0.1, x[0, 2], x[1, 1])
    KEEP.kept = picked
    KEEP.kept += 1.0
    return KEEP.kept * picked


def view_from_either_branch_written(x):
    acc = x * 2.0
    if np.sum(x) > 0.0:
        row = acc[0]
    else:
        row = acc[1]
    row += 1.0
    return np.sum(acc * acc)


def view_of_a_reshape_from_a_branch_written(x):
    acc = x * 2.0
    columns = acc.reshape(3, 2)
    if np.sum(x) > 0.0:
        pair = columns[0]
    else:
        pair = columns[2]
    pair *= 3.0
    return np.sum(acc)


def view_from_one_branch_written_by_index(x):
    acc = x * 2.0
    if np.sum(x) > 0.0:
        row = acc[0]
    else:
        row = np.zeros(3)
    row[1] = 5.0
    return np.sum(acc * acc) + np.sum(row)


def argument_from_one_branch_written_by_index(x):
    if np.sum(x) > 0.0:
        held = x
    else:
        held = np.zeros((2, 3))
    held[0, 1] = 5.0
    return np.sum(held * held)


def view_carried_out_of_a_loop_written(x):
    acc = x * 2.0
    row = acc[0]
    for i in range(2):
        row = acc[i]
    row += 1.0
    return np.sum(acc * acc)


def fresh_from_either_branch_written(x):
    """Each path's value is an array of the function's own: written, nobody else sees."""
    if np.sum(x) > 0.0:
        acc = x * 2.0
    else:
        acc = x * 3.0
    acc += 1.0
    acc[0, 1] = 0.0
    return np.sum(acc * x)


def scalar_from_either_branch_rebound(x):
    """NumPy scalars on both paths: ``+=`` rebinds, the other name keeps its value."""
    if np.sum(x) > 0.0:
        picked = np.sum(x)
    else:
        picked = np.max(x)
    acc = picked
    acc += 1.0
    return acc * picked


# A write through a subscript whose first index is advanced (a list, an array, a mask)
# goes into the copy NumPy made for it: the array is unchanged (these wrote into it).
def write_into_a_copy_by_list(x):
    y = x * 1.0
    y[[1, 0]][0] = 5.0
    return np.sum(y * x)


def write_into_a_copy_by_mask(x):
    y = x * 1.0
    y[x > 0][0] += 100.0
    y[:, [1]][0] = 7.0
    y[[0, 1]][0, 1] *= 3.0
    return np.sum(y * x)


def write_through_an_integer_row_and_a_dict(x):
    """The writes that do reach the array: an integer row's view, a dict's item."""
    y = x * 1.0
    y[1][2] = 0.5
    held = {"y": x * 2.0}
    held["y"][0] = x[1]
    return np.sum(y * x) + np.sum(held["y"] * x)


def asarray_of_a_scalar_read_after_write(x):
    """np.asarray of a NumPy scalar is a new 0-d array: ``+=`` writes it, and ``kept``
    names it too (it was taken for the scalar, and rebound)."""
    picked = np.asarray(x[0, 0], dtype=np.float64)
    kept = picked
    picked += 1.0
    return kept * x[1, 1]


def asarray_of_scalars_written(x):
    """Nobody else holds them: each written array is what NumPy computes."""
    a = np.asarray(np.sum(x))
    a += 1.0
    b = np.asanyarray(x[0, 1] * 2.0)
    b *= x[1, 0]
    return a * b


# What reads an array when it is called or iterated, made before a write into it: a
# partial, a bound method, a generator, a map (they gave the values from before).
def partial_of_an_array_written(x):
    y = x * 1.0
    times_y = functools.partial(np.multiply, y)
    y *= 3.0
    return np.sum(times_y(x))


def bound_method_of_an_array_written(x):
    y = x * 1.0
    total = y.sum
    y *= 2.0
    return total()


def generator_over_an_array_written(x):
    y = x * 1.0
    squares = (row * row for row in y)
    y += 1.0
    return np.sum(sum(squares))


def map_over_an_array_written(x):
    y = x * 1.0
    exps = map(np.exp, y)
    y[0] = 0.5
    return np.sum(sum(exps))


def readers_of_arrays_nobody_writes(x):
    """The same readers, of arrays written only after they are read, or never."""
    y = x * 1.0
    times_y, total = functools.partial(np.multiply, y), y.sum
    squares, exps = (y[i] * y[i] for i in range(2)), map(np.exp, [y[0], y[1]])
    value = np.sum(times_y(x)) + total() + np.sum(sum(squares)) + np.sum(sum(exps))
    y *= 2.0
    return value + np.sum(y)


def view_method_written(x):
    """NumPy's ``y.view()``: the whole array, shared (it was a reshape to ())."""
    y = x * 1.0
    w = y.view()
    w += 1.0
    return np.sum(y * x)


def view_method_read(x):
    w = x.view()
    one = x[:1, 0].view(np.ndarray)  # of shape (1,): kept so
    return np.sum(w * w) * one[0] + np.sum(one)


def list_item_named_and_written(x):
    """``a = pair[0]; a += 1`` writes the array the list holds: ``pair[0]`` shows it
    (the list was refused as outdated), and ``pair[1]`` is another array."""
    pair = [x * 1.0, x * 2.0]
    a = pair[0]
    a += 1.0
    held = {"w": x * 3.0}
    w = held["w"]
    w *= x
    return np.sum(a * pair[1]) + np.sum(pair[0] * x) + np.sum(held["w"])


def alias_read_after_write_of_unknown_rank(x):
    y = x * 1.0
    a = y
    a += 1.0
    return np.sum(y * x)


# A helper writing into the array its caller made (``update(out, i, v)``): NumPy's
# write, which the caller sees (it was refused as a write into the caller's argument).
def _put(buffer, i, value):
    buffer[i] = value


def _add_into(acc, value):
    acc += value


def buffer_filled_by_a_helper(x):
    out = np.zeros(3)
    for i in range(3):
        _put(out, i, x[1, i] ** 2)
    for i in range(2):  # (a loop first lowered as a region, then unrolled: what the
        _put(out, i, out[i] + np.sin(x[0, i]))  # attempt's calls wrote was kept)
    acc = x[0] * 1.0
    same = acc
    _add_into(acc, x[1])  # ``same`` is that array too: it sees the write
    return np.sum(out * x[0]) + np.sum(same * x[1])


def view_of_an_array_a_helper_wrote_by_index(x):
    out = x[0] * 1.0
    head = out[:2]
    _put(out, 0, 5.0)
    return np.sum(head)


def argument_written_by_a_helper(x):
    _put(x, 0, 5.0)
    return np.sum(x)


def _put_by_sign(buffer, i, value):
    if value > 0:
        buffer[i] = value * 2.0
    else:
        buffer[i] = value


def buffer_a_helper_wrote_in_its_branch(x):
    """Which array the caller's name holds after the helper is its branch's (refused,
    where it was an internal error)."""
    out = np.zeros(2)
    _put_by_sign(out, 0, x[0, 0])
    return np.sum(out)


def asarray_of_its_own_dtype_written(x):
    """``np.asarray(y, dtype=...)`` of y's own dtype is y itself: the write shows (it
    was a copy, silently: 5.0 for NumPy's 8.0 at x = [1, 2])."""
    y = x * 1.0
    same = np.asarray(y, dtype=np.float64)
    y += 1.0
    return np.sum(same * x)


class _Holder:
    pass


def attribute_holding_an_array_a_loop_writes(x):
    """The loop writes into the array through its carry, another name for it than the
    one the attribute was given: the attribute shows NumPy the writes (the compiled code
    gave the zeros from before, silently: a gradient of 0 for NumPy's 18 x; then it was
    refused). A loop of known length that outdates a holder is unrolled: exact."""
    acc = np.zeros(3)
    holder = _Holder()
    holder.kept = acc
    for i in range(3):
        acc += x[0] * i
    return np.sum(holder.kept * acc)


def list_holding_an_array_a_loop_writes(x):
    """The loop's carry settles at once (no first iteration run apart), and the list
    read after it holds the array the loop wrote: refused, where unrolled it is exact."""
    acc = np.zeros(())
    held = [acc]
    for _ in range(3):
        acc += x[0, 0] * 0.5
    return np.sum(x) + acc + held[0]


def made_zero_d_accumulated_in_a_for(x):
    """``np.array(0.0)`` is an array made while compiling: the loop writes into it, and
    the loop's result is that array, written (it was refused, as if its own loop had
    outdated it)."""
    total = np.array(0.0)
    for i in range(3):
        total += np.sum(x[0] * i)
    return total * x[1, 0]


def made_zero_d_accumulated_in_a_while(x):
    total = np.array(0.0)
    while total < 4.0:
        total += np.sum(x[1] ** 2)
        total *= 1.5
    return total


def made_vector_written_by_index_in_a_loop(x):
    acc = np.array([0.0, 0.0, 0.0])
    for i in range(x.shape[1]):
        acc[i] += x[0, i] * x[1, i]
    return np.sum(acc ** 2)


def made_zero_d_written_then_rebound_in_a_loop(x):
    total = np.array(0.5)
    for i in range(2):
        total += np.sum(x[i])
        total = total * 2.0
    return total


def attribute_of_a_zero_d_accumulator_a_loop_writes(x):
    """Fuzz seed 390538, shrunk: the step's dtype settles after a first iteration, run
    apart; the loop then writes the array that iteration left, which the attribute
    holds, through its carry (the attribute gave the first iteration's value: 4.0 for
    NumPy's 5.6 at X, silently)."""
    step = 0.5 + (((np.sum(x) > 0.05) and x[0, 0]) or (x[0, 0] * x[0, 0]))
    acc = np.zeros(())
    holder = _Holder()
    holder.kept = acc
    for _ in range(3):
        acc += step
    return step + acc + holder.kept


def made_zero_d_written_with_numbers_read_through_a_list(x):
    """Fuzz seed 470978, shrunk: ``held *= 0.5`` of ``np.array(0.5)`` folds while
    compiling to a NumPy scalar, which was taken for a rebinding: the list kept 0.5,
    silently (1.0 for NumPy's 0.75 at x = [1, 2] in the shrunk program). NumPy writes
    the 0-d array."""
    held = np.array(0.5)
    holder = [held]
    held *= 0.5
    return holder[0] * x[0, 0] + held * x[0, 1]


def made_zero_d_written_with_numbers_read_through_a_name(x):
    held = np.array(0.5)
    alias = held
    held += 1.0
    return alias * x[0, 0]


def element_held_by_an_attribute_then_added_to(x):
    """``x[1, 0]`` of a matrix is a NumPy scalar: ``+=`` rebinds the name, and the
    attribute keeps the value from before (fuzz seed 721080: shape-generic code, taking
    it for an array, gave the attribute the new value)."""
    held = x[1, 0] * 1.0
    box = _Holder()
    box.kept = held
    held += np.min(np.sin(x), axis=0)
    return np.sum(held) + box.kept
