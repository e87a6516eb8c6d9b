"""Checkpoints in MindSpore's own file format: ``save_checkpoint``, ``load_checkpoint``,
``load_param_into_net``.

A MindSpore ``.ckpt`` file is one protocol-buffer message, ``Checkpoint``, holding a
``Value`` per Parameter: its name (``tag``, field 1) and a ``TensorProto`` (field 2)
of ``dims`` (field 1, one varint each), ``tensor_type`` (field 2, ``"Float32"``...) and
the raw little-endian bytes (field 3). The schema is small and fixed, so it is read and
written here directly rather than through a protobuf dependency; files written here
load in MindSpore, and MindSpore's load here (tests/test_train.py checks both ways
against files MindSpore 2.10 wrote). Encrypted, compressed and safetensors checkpoints
are refused.
"""
from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..tensor import Parameter

_TYPES = {"Float16": np.float16, "Float32": np.float32, "Float64": np.float64,
          "Int8": np.int8, "Int16": np.int16, "Int32": np.int32, "Int64": np.int64,
          "UInt8": np.uint8, "UInt16": np.uint16, "UInt32": np.uint32, "UInt64": np.uint64,
          "Bool": np.bool_}
_NAMES = {np.dtype(t): name for name, t in _TYPES.items()}
_CRC_MARK = b"crc_num"  # then the CRC-32 of the entries before it, 10 bytes big-endian


# ---------------------------------------------------------------------------- wire format


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):  # wire type 0: a varint
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _fields(data: bytes) -> Iterator[tuple[int, Any]]:
    """``(field number, value)`` of a message: ints for varints, bytes for the rest."""
    i = 0
    while i < len(data):
        key, i = _read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(data, i)
        elif wire == 2:
            size, i = _read_varint(data, i)
            value, i = data[i:i + size], i + size
        elif wire in (1, 5):  # fixed 64 / 32 bits: no field of the schema, skipped
            value, i = None, i + (8 if wire == 1 else 4)
        else:
            raise ValueError(f"not a MindSpore checkpoint (wire type {wire})")
        yield number, value


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if i >= len(data):
            raise ValueError("not a MindSpore checkpoint (the file ends inside a number)")
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i, shift = i + 1, shift + 7
        if not byte & 0x80:
            return value, i


def encode(arrays: dict[str, np.ndarray | str]) -> bytes:
    """The ``Checkpoint`` message of named arrays (and strings, which MindSpore writes as
    one dimension of 0, type ``"str"`` and the text as NumPy's UCS-4 bytes)."""
    out = bytearray()
    for name, array in arrays.items():
        if isinstance(array, str):
            tensor = _field(1, 0) + _field(2, b"str") + \
                _field(3, np.array(array, dtype=f"<U{max(len(array), 1)}").tobytes())
            out += _field(1, _field(1, name.encode()) + _field(2, tensor))
            continue
        array = np.asarray(array)  # (not ascontiguousarray, which makes 0-d arrays 1-d)
        if array.dtype not in _NAMES:
            raise TypeError(f"cannot save '{name}' of dtype {array.dtype} in a checkpoint")
        tensor = b"".join(_field(1, d) for d in array.shape)
        tensor += _field(2, _NAMES[array.dtype].encode()) + \
            _field(3, array.astype(array.dtype.newbyteorder("<")).tobytes())
        out += _field(1, _field(1, name.encode()) + _field(2, tensor))
    return bytes(out)


def decode(data: bytes) -> dict[str, np.ndarray | str]:
    """Named arrays (and strings) from a ``Checkpoint`` message."""
    arrays: dict[str, np.ndarray | str] = {}
    for number, value in _fields(data):
        if number != 1 or not isinstance(value, bytes):
            continue
        name, tensor = None, None
        for n, v in _fields(value):
            name = v.decode() if n == 1 else name
            tensor = v if n == 2 else tensor
        if name is None or tensor is None:
            continue  # a map tensor or a field of another version: not a Parameter
        dims, kind, content = [], None, b""
        for n, v in _fields(tensor):
            if n == 1:
                dims.append(v)
            elif n == 2:
                kind = v.decode()
            elif n == 3:
                content = v
        if kind == "str":
            arrays[name] = content.decode("utf-32-le").rstrip("\x00")
            continue
        if kind not in _TYPES:
            raise ValueError(f"checkpoint entry '{name}' has type {kind!r}, which NumPy "
                             "cannot hold")
        dtype = np.dtype(_TYPES[kind]).newbyteorder("<")
        arrays[name] = np.frombuffer(content, dtype).astype(dtype.newbyteorder("="))\
            .reshape(dims)
    return arrays


# ---------------------------------------------------------------------------- the API


# keywords MindSpore's save_checkpoint reads from its **kwargs: they concern map
# parameters and parallel runs, so a single-process save has nothing to do with them
_SAVE_KWARGS = frozenset({"incremental", "global_step_num", "remove_redundancy"})


def save_checkpoint(save_obj: Any, ckpt_file_name: str, integrated_save: bool = True,
                    async_save: bool | str = False, append_dict: dict | None = None,
                    enc_key: bytes | None = None, enc_mode: str = "AES-GCM",
                    choice_func: Callable[[str], bool] | None = None, crc_check: bool = False,
                    format: str = "ckpt", **kwargs: Any) -> None:  # noqa: A002 (MindSpore's name)
    """Write a Cell's Parameters (or a list of Parameters or of ``{"name", "data"}``, or a
    dict of name to array) to ``ckpt_file_name`` (``.ckpt`` is appended when missing).

    As MindSpore 2.10's: only the names ``choice_func(name)`` accepts when it is given;
    then ``append_dict``'s entries (ints as int64, floats as float32, bools, strings,
    Tensors), which ``choice_func`` does not filter; with ``crc_check`` a CRC-32 of the
    entries after them, which ``load_checkpoint(crc_check=True)`` verifies. The file is
    written before this returns whatever ``async_save`` says (MindSpore's asynchronous
    save writes the same file later), and ``integrated_save`` only matters in parallel
    runs. Encrypted and safetensors files are refused, and so is a keyword MindSpore
    does not know, rather than silently doing something else than asked."""
    unknown = sorted(set(kwargs) - _SAVE_KWARGS)
    if unknown:
        raise TypeError(f"save_checkpoint() got unexpected keyword arguments {unknown}")
    _check_save_options(format, integrated_save, async_save, enc_key, enc_mode, crc_check)
    chosen = (lambda name: True) if choice_func is None else choice_func
    if hasattr(save_obj, "get_parameters"):
        arrays = {p.name: np.asarray(p) for p in save_obj.get_parameters() if chosen(p.name)}
    elif isinstance(save_obj, dict):
        arrays = {name: _saved(v) for name, v in save_obj.items() if chosen(name)}
    elif isinstance(save_obj, list):
        pairs = [(item["name"], item["data"]) if isinstance(item, dict) else (item.name, item)
                 for item in save_obj]
        arrays = {name: np.asarray(v) for name, v in pairs if chosen(name)}
    else:
        raise TypeError("save_checkpoint: save_obj must be a Cell, a list or a dict, not "
                        f"{type(save_obj).__name__}")
    for name, value in _checked_append_dict(append_dict).items():
        arrays[name] = _saved(value)
    data = encode(arrays)
    if crc_check:
        data += _CRC_MARK + zlib.crc32(data).to_bytes(10, "big")
    path = ckpt_file_name if ckpt_file_name.endswith(".ckpt") else ckpt_file_name + ".ckpt"
    with open(path, "wb") as f:
        f.write(data)


def _check_save_options(format: str, integrated_save: Any, async_save: Any, enc_key: Any,  # noqa: A002
                        enc_mode: Any, crc_check: Any) -> None:
    """save_checkpoint's options, refused as MindSpore refuses them or where this
    package cannot write what they ask for."""
    if format not in ("ckpt", "safetensors"):
        raise ValueError(f"save_checkpoint: format must be 'safetensors' or 'ckpt', not "
                         f"{format!r}")
    if format == "safetensors":
        raise ValueError("save_checkpoint: safetensors files are not supported; save with "
                         "format='ckpt'")
    for name, value in (("integrated_save", integrated_save), ("crc_check", crc_check)):
        if not isinstance(value, bool):
            raise TypeError(f"save_checkpoint: {name} must be a bool, not "
                            f"{type(value).__name__}")
    if not isinstance(async_save, bool | str):
        raise TypeError("save_checkpoint: async_save must be a bool or a str, not "
                        f"{type(async_save).__name__}")
    if isinstance(async_save, str) and async_save not in ("process", "thread"):
        raise ValueError(f"save_checkpoint: async_save can only be 'process' or 'thread', "
                         f"not {async_save!r}")
    if not isinstance(enc_mode, str):
        raise TypeError(f"save_checkpoint: enc_mode must be a str, not {type(enc_mode).__name__}")
    if enc_key is not None:
        raise ValueError("encrypted checkpoints are not supported")


def _checked_append_dict(append_dict: Any) -> dict[str, Any]:
    if append_dict is None:
        return {}
    if not isinstance(append_dict, dict):
        raise TypeError("save_checkpoint: append_dict must be a dict, not "
                        f"{type(append_dict).__name__}")
    for key, value in append_dict.items():
        if not isinstance(key, str) or not isinstance(value, int | float | str | np.ndarray):
            raise TypeError("save_checkpoint: append_dict's keys must be str and its values "
                            "int, float, bool, str or Tensor, not "
                            f"{type(key).__name__}: {type(value).__name__}")
    return append_dict


def _saved(value: Any) -> Any:
    """A value as the checkpoint holds it: Python floats as float32 (MindSpore's
    ``Tensor(float)``), strings as strings, the rest as arrays."""
    if isinstance(value, str):
        return value
    return np.asarray(value, dtype=np.float32 if isinstance(value, float) else None)


def load_checkpoint(ckpt_file_name: str, net: Any = None, strict_load: bool = False,
                    filter_prefix: Any = None, dec_key: Any = None, dec_mode: str = "AES-GCM",
                    specify_prefix: Any = None, choice_func: Any = None, crc_check: bool = False,
                    remove_redundancy: bool = False, format: str = "ckpt",  # noqa: A002
                    ) -> dict[str, Parameter | str]:
    """The Parameters a checkpoint holds, by name (loaded into ``net`` when given): those
    whose names start with ``specify_prefix`` when given and not with ``filter_prefix``;
    without either, those ``choice_func(name)`` chooses when given (MindSpore 2.7.1
    ignores it beside a prefix, and refuses a selection left empty by the prefixes)."""
    if dec_key is not None:
        raise ValueError("encrypted checkpoints are not supported")
    if format != "ckpt":
        raise ValueError(f"load_checkpoint: only format='ckpt' is supported, not {format!r}")
    with open(ckpt_file_name, "rb") as f:
        arrays = decode(_without_crc(f.read(), crc_check, ckpt_file_name))
    dropped, kept = _prefixes(filter_prefix), _prefixes(specify_prefix)
    if dropped or kept:
        choice_func = None
    params = {name: value if isinstance(value, str) else Parameter(value, name=name)
              for name, value in arrays.items()
              if not (dropped and name.startswith(dropped))
              and (not kept or name.startswith(kept))
              and (choice_func is None or choice_func(name))}
    if (dropped or kept) and arrays and not params:
        raise ValueError("The loaded parameter dict is empty after filter or specify, please "
                         "check whether 'filter_prefix' or 'specify_prefix' are set correctly.")
    if net is not None:
        load_param_into_net(net, params, strict_load)
    return params


def _without_crc(data: bytes, crc_check: bool, file_name: str) -> bytes:
    """The entries of a checkpoint, without the CRC-32 that ``crc_check`` saves after
    them (checked when ``crc_check``, as MindSpore's load does)."""
    if data[-17:-10] != _CRC_MARK:
        if crc_check:  # MindSpore warns and loads
            warnings.warn(f"load_checkpoint: {file_name} holds no CRC to check (it was saved "
                          "without crc_check=True)", stacklevel=3)
        return data
    entries = data[:-17]
    if crc_check and zlib.crc32(entries) != int.from_bytes(data[-10:], "big"):
        raise ValueError(f"load_checkpoint: the CRC check of {file_name} failed; the file is "
                         "damaged")
    return entries


def _prefixes(prefix: Any) -> tuple[str, ...]:
    return () if prefix is None else ((prefix,) if isinstance(prefix, str) else tuple(prefix))


def load_param_into_net(net: Any, parameter_dict: dict[str, Any], strict_load: bool = False
                        ) -> tuple[list[str], list[str]]:
    """Copy each checkpoint value into the net's Parameter of the same name, in place;
    returns the net's Parameters not loaded and the checkpoint's entries not used. Not
    ``strict_load``, names the checkpoint carries under a prefix the net's lack are
    loaded too (``_load_under_a_prefix``)."""
    not_loaded, used = [], set()
    for param in net.get_parameters():
        if param.name not in parameter_dict:
            not_loaded.append(param.name)
            continue
        _copy_into(param, parameter_dict[param.name])
        used.add(param.name)
    if not_loaded and not strict_load:
        _load_under_a_prefix(net, parameter_dict, not_loaded)
    return not_loaded, [name for name in parameter_dict if name not in used]


def _copy_into(param: Any, value: Any) -> None:
    value = np.asarray(value)
    if value.shape != param.shape:
        raise RuntimeError(f"For 'load_param_into_net', {param.name} in the argument "
                           f"'net' should have the same shape as {param.name} in the "
                           f"argument 'parameter_dict'. But got its shape {param.shape} "
                           f"in the argument 'net' and shape {value.shape} in the "
                           f"argument 'parameter_dict'.")
    param.view(np.ndarray)[...] = value


def _load_under_a_prefix(net: Any, parameter_dict: dict[str, Any], not_loaded: list[str]
                         ) -> None:
    """MindSpore's second try: a checkpoint saved after a Cell's Parameters were renamed
    under a prefix (the DCGAN tutorial's ``optimizer.update_parameters_name('optim_g.')``)
    loads into a net named without it. The prefix is what the first checkpoint name
    ending with a name not loaded adds to it; each Parameter not loaded whose name under
    that prefix is in the checkpoint takes that entry, and the search goes on while one
    loads. (As MindSpore 2.10 does, those entries stay in the "not used" list.)"""
    while not_loaded:
        prefix = next((key[:-len(name)] for name in not_loaded for key in parameter_dict
                       if key.endswith(name) and key != name), None)
        loaded = [] if prefix is None else [
            param for param in net.get_parameters()
            if param.name in not_loaded and prefix + param.name in parameter_dict]
        if not loaded:
            return
        for param in loaded:
            _copy_into(param, parameter_dict[prefix + param.name])
            not_loaded.remove(param.name)
