"""How ``text.ToNumber`` reads a string, as MindSpore 2.10 does (measured).

MindSpore parses with C++'s ``std::stoll``/``std::stoull``/``std::stof``/``std::stod``:
leading C white space is skipped and the longest number at the start is read, whatever
follows it (so "12abc" is 12, "1.7" as an int is 1, "0x10" as an int is 0 but as a float
16, "1e" is 1). A string with no number, one out of the type's range, an infinity, a
non-zero float that underflows, or a minus sign for an unsigned type is a RuntimeError;
"nan" is NaN.
"""
from __future__ import annotations

import re

import numpy as np

_C_SPACE = "[ \t\n\v\f\r]*"
_INT = re.compile(_C_SPACE + r"([+-]?\d+)")
_FLOAT = re.compile(_C_SPACE + r"([+-]?)(0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)"
                    r"(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[nN][aA][nN]"
                    r"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)")


def _fail(text: str, dtype: np.dtype, why: str) -> RuntimeError:
    return RuntimeError(f"ToNumber: string '{text}' cannot be converted to {dtype}: {why}")


def _integer(text: str, dtype: np.dtype) -> int:
    m = _INT.match(text)
    if m is None:
        raise _fail(text, dtype, "it is not a number")
    value = int(m.group(1))
    info = np.iinfo(dtype)
    if dtype.kind == "u":
        if m.group(1).startswith("-"):
            raise _fail(text, dtype, "it is negative")
        parsed = np.iinfo(np.uint64)
    else:
        parsed = np.iinfo(np.int64)
    if not (parsed.min <= value <= parsed.max and info.min <= value <= info.max):
        raise _fail(text, dtype, "it is out of range")
    return value


def _float(text: str, dtype: np.dtype) -> float:
    m = _FLOAT.match(text)
    if m is None:
        raise _fail(text, dtype, "it is not a number")
    sign, body = m.groups()
    if body[:1] in "nN":
        return float("nan")
    if body[:1] in "iI":
        raise _fail(text, dtype, "it is out of range")
    value = float.fromhex(sign + body) if body[1:2] in ("x", "X") else float(sign + body)
    wide = np.float32 if dtype == np.float16 else dtype.type  # float16 is read as a float
    with np.errstate(over="ignore", under="ignore"):
        result = wide(value)
    mantissa = re.split("[pPeE]", body[2:] if body[1:2] in ("x", "X") else body)[0]
    if not np.isfinite(result) or (result == 0 and mantissa.strip("0.")) \
            or 0 < abs(result) < np.finfo(wide).tiny:
        raise _fail(text, dtype, "it is out of range")
    if dtype == np.float16 and abs(result) > np.finfo(np.float16).max:
        raise _fail(text, dtype, "it is out of range")
    return float(result)


def parse_numbers(texts: list[str], dtype: np.dtype) -> np.ndarray:
    """The strings read as numbers of ``dtype`` (a flat array)."""
    read = _integer if dtype.kind in "iu" else _float
    return np.array([read(t, dtype) for t in texts], dtype)
