"""Expand the compact record encoding of a batch (docs/protocol-v1.md "Compact batches").

Written from the page, like host.protocol: the first record travels whole; each later one
is a LEB128 mask of the fields that differ from their prediction and one zigzag LEB128
delta per set bit; seq is the previous + 1 and prev_hash the previous record's SHA-256.
Mask bit 18: the record's bytes 0..39 follow verbatim.
"""

from __future__ import annotations

import hashlib
import struct

FLAG_COMPACT = 0x01
FIELDS = struct.Struct("<BBHIIHiiiHHHHBBBBBB")  # bytes 0..39 of a record; seq is index 3
RECORD_SIZE = 72
VERBATIM = 1 << 18
# mask bit -> field index (lat, lon, speed, course, alt, time_s, time_ms, acc, hdop,
# cn0_mean, cn0_max, sats_used, sats_seen, flags, quality, mode, kind, ver)
ORDER = (6, 7, 10, 11, 8, 4, 5, 9, 12, 18, 17, 15, 16, 2, 13, 14, 1, 0)
LINEAR = frozenset((4, 6, 7, 8))  # predicted by their last step: time_s, lat, lon, alt


class CompactError(ValueError):
    """The compact stream does not decode to `count` records of the page's layout."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise CompactError("compact stream ends inside a number")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise CompactError("a number of the compact stream is longer than 64 bits")


def _unzigzag(n: int) -> int:
    return n >> 1 if not n & 1 else -((n + 1) >> 1)


def expand(stream: bytes, count: int) -> bytes:
    """The canonical 72*count record bytes that `stream` encodes."""
    if len(stream) < RECORD_SIZE:
        raise CompactError("compact stream shorter than its first record")
    out = bytearray(stream[:RECORD_SIZE])
    prev = prev2 = FIELDS.unpack_from(out)
    prev_raw = bytes(out)
    pos = RECORD_SIZE
    for _ in range(count - 1):
        mask, pos = _varint(stream, pos)
        if mask & VERBATIM:
            if mask != VERBATIM:
                raise CompactError("verbatim mark with field bits")
            if pos + FIELDS.size > len(stream):
                raise CompactError("compact stream ends inside a verbatim record")
            cur = list(FIELDS.unpack_from(stream, pos))
            pos += FIELDS.size
            if cur[3] != prev[3] + 1:
                raise CompactError(f"verbatim record seq {cur[3]} does not follow {prev[3]}")
        else:
            if mask >> 18:
                raise CompactError(f"mask {mask:#x} names fields that do not exist")
            cur = list(prev)
            cur[3] = prev[3] + 1
            for i in LINEAR:
                cur[i] = 2 * prev[i] - prev2[i]
            for bit in range(18):
                if mask >> bit & 1:
                    delta, pos = _varint(stream, pos)
                    cur[ORDER[bit]] += _unzigzag(delta)
        try:
            fields = FIELDS.pack(*cur)
        except struct.error as e:
            raise CompactError(f"record seq {cur[3]}: a field leaves its range ({e})") from None
        raw = fields + hashlib.sha256(prev_raw).digest()
        out += raw
        prev2, prev, prev_raw = prev, tuple(cur), raw
    if pos != len(stream):
        raise CompactError(f"{len(stream) - pos} bytes left after {count} records")
    return bytes(out)
