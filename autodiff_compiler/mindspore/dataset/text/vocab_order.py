"""The order MindSpore's ``Vocab.vocab()`` lists a vocabulary's tokens in (``utils``).

MindSpore keeps a vocabulary in a C++ ``std::unordered_map<std::string, int32_t>`` and
``vocab()`` hands Python a dict built by walking that map, so the dict's order is the
map's iteration order: on Linux, libstdc++'s. The "Transforms" tutorial prints that dict,
so to print what MindSpore prints this replays libstdc++'s hashtable exactly: the string
hash (``std::_Hash_bytes``, a 64-bit MurmurHash2 with libstdc++'s seed), the prime bucket
counts its rehash policy picks, and where a new node goes in the one linked list all the
buckets share (first in its bucket's run; a node opening an empty bucket goes first in
the list). Only the order is replayed; lookups use a Python dict.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

_MUL = 0xC6A4A7935BD1E995
_SEED = 0xC70F6907
_MASK = (1 << 64) - 1

# libstdc++'s bucket counts: small requests take _FAST[n]; larger ones the first prime of
# _PRIMES (from its seventh on) that is at least the request.
_FAST = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)
_PRIMES = (
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
    97, 103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277,
    293, 313, 337, 359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887, 953,
    1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753, 2971,
    3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497,
    10273, 11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267,
    28411, 30727, 33223, 35933, 38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817,
    78779, 85229, 92203, 99733, 107897, 116731, 126271, 136607, 147793, 159871, 172933, 187091,
    202409, 218971, 236897, 256279, 277261, 299951, 324503, 351061, 379787, 410857, 444487,
    480881, 520241, 562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369, 1056323,
    1142821, 1236397, 1337629, 1447153, 1565659, 1693859, 1832561, 1982627, 2144977, 2320627,
    2510653, 2716249, 2938679, 3179303, 3439651, 3721303, 4026031, 4355707, 4712381, 5098259,
    5515729, 5967347, 6456007, 6984629, 7556579, 8175383, 8844859, 9569143, 10352717, 11200489,
    12117689, 13109983, 14183539, 15345007, 16601593, 17961079, 19431899, 21023161, 22744717,
    24607243, 26622317, 28802401, 31160981, 33712729, 36473443, 39460231, 42691603, 46187573,
    49969847, 54061849, 58488943, 63278561, 68460391, 74066549, 80131819, 86693767, 93793069,
    101473717, 109783337, 118773397, 128499677, 139022417, 150406843, 162723577, 176048909,
    190465427, 206062531, 222936881, 241193053, 260944219, 282312799, 305431229, 330442829,
    357502601, 386778277, 418451333, 452718089, 489790921, 529899637, 573292817, 620239453,
    671030513, 725980837, 785430967, 849749479, 919334987, 994618837, 1076067617, 1164186217,
    1259520799, 1362662261, 1474249943, 1594975441, 1725587117, 1866894511, 2019773507,
    2185171673, 2364114217, 2557710269, 2767159799, 2993761039, 3238918481, 3504151727,
    3791104843, 4101556399, 4294967291
)


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def string_hash(token: str) -> int:
    """``std::hash<std::string>`` of the token's UTF-8 bytes (libstdc++, 64-bit)."""
    data = token.encode("utf-8")
    n = len(data)
    h = _SEED ^ ((n * _MUL) & _MASK)
    whole = n & ~7
    for i in range(0, whole, 8):
        k = (_shift_mix((int.from_bytes(data[i:i + 8], "little") * _MUL) & _MASK) * _MUL) & _MASK
        h = ((h ^ k) * _MUL) & _MASK
    if n & 7:
        h = ((h ^ int.from_bytes(data[whole:], "little")) * _MUL) & _MASK
    return _shift_mix((_shift_mix(h) * _MUL) & _MASK)


class UnorderedMapOrder:
    """The iteration order of a ``std::unordered_map<std::string, ...>`` the tokens are
    inserted into one by one (each new); ``reserve`` as the map's own."""

    def __init__(self) -> None:
        self.keys: list[str] = [""]        # node 0 is the list head (``_M_before_begin``)
        self.codes: list[int] = [0]
        self.nxt: list[int | None] = [None]
        self.buckets: list[int | None] = [None]   # each bucket's node before its run
        self.next_resize = 0

    def _next_bucket_count(self, n: int) -> int:
        if n < len(_FAST):
            if n == 0:
                return 1
            self.next_resize = _FAST[n]
            return _FAST[n]
        i = bisect_left(_PRIMES, n, 6)
        if i >= len(_PRIMES):
            raise ValueError("vocabulary too large to replay its order")
        self.next_resize = _PRIMES[i]
        return _PRIMES[i]

    def _link(self, node: int, buckets: list[int | None]) -> None:
        """Put ``node`` first in its bucket's run (``_M_insert_bucket_begin``)."""
        b = self.codes[node] % len(buckets)
        before = buckets[b]
        if before is not None:
            self.nxt[node], self.nxt[before] = self.nxt[before], node
            return
        first = self.nxt[0]
        self.nxt[node], self.nxt[0] = first, node
        if first is not None:
            buckets[self.codes[first] % len(buckets)] = node
        buckets[b] = 0

    def _rehash(self, count: int) -> None:
        old, self.buckets = self._walk(), [None] * count
        self.nxt[0] = None
        for node in old:
            self._link(node, self.buckets)

    def reserve(self, n: int) -> None:
        size = len(self.keys) - 1
        saved = self.next_resize
        count = self._next_bucket_count(max(size + 1, n))
        if count != len(self.buckets):
            self._rehash(count)
        else:
            self.next_resize = saved

    def insert(self, token: str) -> None:
        size = len(self.keys) - 1
        if size + 1 > self.next_resize:
            least = max(size + 1, 0 if self.next_resize else 11)
            if least >= len(self.buckets):
                self._rehash(self._next_bucket_count(max(least + 1, 2 * len(self.buckets))))
            else:
                self.next_resize = len(self.buckets)
        self.keys.append(token)
        self.codes.append(string_hash(token))
        self.nxt.append(None)
        self._link(len(self.keys) - 1, self.buckets)

    def _walk(self) -> list[int]:
        out, node = [], self.nxt[0]
        while node is not None:
            out.append(node)
            node = self.nxt[node]
        return out

    def order(self) -> list[str]:
        return [self.keys[node] for node in self._walk()]


def map_order(tokens: Iterable[str], reserve: int | None = None) -> list[str]:
    """The order a map iterates in after ``tokens`` (distinct) are inserted in turn,
    into a map that first reserved room for ``reserve`` when given."""
    table = UnorderedMapOrder()
    if reserve is not None:
        table.reserve(reserve)
    for token in tokens:
        table.insert(token)
    return table.order()
