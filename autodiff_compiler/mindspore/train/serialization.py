"""Checkpoints in MindSpore's own file format: ``save_checkpoint``, ``load_checkpoint``,
``load_param_into_net``.

A MindSpore ``.ckpt`` file is one protocol-buffer message, ``Checkpoint``, holding a
``Value`` per Parameter: its name (``tag``, field 1) and a ``TensorProto`` (field 2)
of ``dims`` (field 1, one varint each), ``tensor_type`` (field 2, ``"Float32"``...) and
the raw little-endian bytes (field 3). The schema is small and fixed, so it is read and
written here directly rather than through a protobuf dependency; files written here
load in MindSpore, and MindSpore's load here (tests/test_train.py checks both ways
against files MindSpore 2.10 wrote). Encrypted or compressed checkpoints are refused.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..tensor import Parameter

_TYPES = {"Float16": np.float16, "Float32": np.float32, "Float64": np.float64,
          "Int8": np.int8, "Int16": np.int16, "Int32": np.int32, "Int64": np.int64,
          "UInt8": np.uint8, "UInt16": np.uint16, "UInt32": np.uint32, "UInt64": np.uint64,
          "Bool": np.bool_}
_NAMES = {np.dtype(t): name for name, t in _TYPES.items()}


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


def encode(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``Checkpoint`` message of named arrays."""
    out = bytearray()
    for name, array in arrays.items():
        array = np.asarray(array)  # (not ascontiguousarray, which makes 0-d arrays 1-d)
        if array.dtype not in _NAMES:
            raise TypeError(f"cannot save '{name}' of dtype {array.dtype} in a checkpoint")
        tensor = b"".join(_field(1, d) for d in array.shape)
        tensor += _field(2, _NAMES[array.dtype].encode()) + \
            _field(3, array.astype(array.dtype.newbyteorder("<")).tobytes())
        out += _field(1, _field(1, name.encode()) + _field(2, tensor))
    return bytes(out)


def decode(data: bytes) -> dict[str, np.ndarray]:
    """Named arrays from a ``Checkpoint`` message."""
    arrays = {}
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
        if kind not in _TYPES:
            raise ValueError(f"checkpoint entry '{name}' has type {kind!r}, which NumPy "
                             "cannot hold")
        dtype = np.dtype(_TYPES[kind]).newbyteorder("<")
        arrays[name] = np.frombuffer(content, dtype).astype(dtype.newbyteorder("="))\
            .reshape(dims)
    return arrays


# ---------------------------------------------------------------------------- the API


def save_checkpoint(save_obj: Any, ckpt_file_name: str, integrated_save: bool = True,
                    async_save: bool = False, append_dict: dict | None = None,
                    enc_key: Any = None, **kwargs: Any) -> None:
    """Write a Cell's Parameters (or a list of ``{"name", "data"}``, or a dict of
    name to array) to ``ckpt_file_name`` (``.ckpt`` is appended when missing)."""
    if enc_key is not None:
        raise ValueError("encrypted checkpoints are not supported")
    if hasattr(save_obj, "get_parameters"):
        arrays = {p.name: np.asarray(p) for p in save_obj.get_parameters()}
    elif isinstance(save_obj, dict):
        arrays = {name: np.asarray(v) for name, v in save_obj.items()}
    else:
        arrays = {item["name"]: np.asarray(item["data"]) for item in save_obj}
    for name, value in (append_dict or {}).items():
        arrays[name] = np.asarray(value, dtype=np.float32 if isinstance(value, float) else None)
    path = ckpt_file_name if ckpt_file_name.endswith(".ckpt") else ckpt_file_name + ".ckpt"
    with open(path, "wb") as f:
        f.write(encode(arrays))


def load_checkpoint(ckpt_file_name: str, net: Any = None, strict_load: bool = False,
                    filter_prefix: Any = None, dec_key: Any = None, dec_mode: str = "AES-GCM",
                    specify_prefix: Any = None, choice_func: Any = None, **kwargs: Any
                    ) -> dict[str, Parameter]:
    """The Parameters a checkpoint holds, by name (loaded into ``net`` when given): those
    whose names start with ``specify_prefix`` when given and not with ``filter_prefix``;
    without either, those ``choice_func(name)`` chooses when given (MindSpore 2.7.1
    ignores it beside a prefix, and refuses a selection left empty by the prefixes)."""
    if dec_key is not None:
        raise ValueError("encrypted checkpoints are not supported")
    with open(ckpt_file_name, "rb") as f:
        arrays = decode(f.read())
    dropped, kept = _prefixes(filter_prefix), _prefixes(specify_prefix)
    if dropped or kept:
        choice_func = None
    params = {name: Parameter(value, name=name) for name, value in arrays.items()
              if not (dropped and name.startswith(dropped))
              and (not kept or name.startswith(kept))
              and (choice_func is None or choice_func(name))}
    if (dropped or kept) and arrays and not params:
        raise ValueError("The loaded parameter dict is empty after filter or specify, please "
                         "check whether 'filter_prefix' or 'specify_prefix' are set correctly.")
    if net is not None:
        load_param_into_net(net, params, strict_load)
    return params


def _prefixes(prefix: Any) -> tuple[str, ...]:
    return () if prefix is None else ((prefix,) if isinstance(prefix, str) else tuple(prefix))


def load_param_into_net(net: Any, parameter_dict: dict[str, Any], strict_load: bool = False
                        ) -> tuple[list[str], list[str]]:
    """Copy each checkpoint value into the net's Parameter of the same name, in place;
    returns the net's Parameters not loaded and the checkpoint's entries not used."""
    not_loaded, used = [], set()
    for param in net.get_parameters():
        if param.name not in parameter_dict:
            not_loaded.append(param.name)
            continue
        value = np.asarray(parameter_dict[param.name])
        if value.shape != param.shape:
            raise RuntimeError(f"For 'load_param_into_net', {param.name} in the argument "
                               f"'net' should have the same shape as {param.name} in the "
                               f"argument 'parameter_dict'. But got its shape {param.shape} "
                               f"in the argument 'net' and shape {value.shape} in the "
                               f"argument 'parameter_dict'.")
        param.view(np.ndarray)[...] = value
        used.add(param.name)
    return not_loaded, [name for name in parameter_dict if name not in used]
