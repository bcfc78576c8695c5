"""Compact record encoding of a batch (batch flags bit 0, docs/protocol-v1.md "Compact batches").

The signature always covers the canonical 72-byte records; only what travels shrinks. The
first record goes whole; each later one is a LEB128 `mask` of the fields that differ from
their prediction, then one zigzag LEB128 delta per set bit, in bit order. `seq` is the
previous seq + 1 and `prev_hash` the previous record's hash, so neither travels. Mask bit
18 means "the record's bytes 0..39 follow verbatim" (used when deltas would be longer).

`compact_in_place(buf, count)` rewrites buf[24:24+72*count] (canonical records, already
hashed and signed over) into the compact form and returns the end offset. It runs in the
same buffer: a record's compact form is never longer than 43 bytes after the first, so
the writer never passes the reader, and each record is unpacked before its bytes are
overwritten.
"""

import struct

from micropython import const

from wire.record import RECORD_SIZE

FLAG_COMPACT = const(1)
HEADER_SIZE = const(24)
_FIELDS_FMT = "<BBHIIHiiiHHHHBBBBBB"  # bytes 0..39 of RECORD_FMT (seq at index 3)
_VERBATIM = const(1 << 18)
# mask bit -> index in the unpacked tuple, most often changing first (1-byte masks)
_ORDER = (6, 7, 10, 11, 8, 4, 5, 9, 12, 18, 17, 15, 16, 2, 13, 14, 1, 0)
# fields predicted by their last step (time_s, lat, lon, alt), the rest by their last value
_LINEAR = (4, 6, 7, 8)


def _put(buf, pos, n):
    while n >= 0x80:
        buf[pos] = (n & 0x7F) | 0x80
        n >>= 7
        pos += 1
    buf[pos] = n
    return pos + 1


def _zigzag(d):
    return d << 1 if d >= 0 else ((-d) << 1) - 1


def _deltas(cur, prev, prev2):
    """(mask, [zigzag deltas]) of cur against the prediction from prev and prev2."""
    mask = 0
    out = []
    for bit in range(18):
        i = _ORDER[bit]
        guess = prev[i]
        if i in _LINEAR:
            guess = 2 * prev[i] - prev2[i]
        d = cur[i] - guess
        if d:
            mask |= 1 << bit
            out.append(_zigzag(d))
    return mask, out


def _size(n):
    s = 1
    while n >= 0x80:
        n >>= 7
        s += 1
    return s


def compact_in_place(buf, count):
    if count < 1:
        raise ValueError("count < 1")
    w = HEADER_SIZE + RECORD_SIZE  # the first record stays whole
    prev = prev2 = struct.unpack_from(_FIELDS_FMT, buf, HEADER_SIZE)
    for k in range(1, count):
        cur = struct.unpack_from(_FIELDS_FMT, buf, HEADER_SIZE + RECORD_SIZE * k)
        if cur[3] != prev[3] + 1:
            raise ValueError("records are not consecutive")
        mask, deltas = _deltas(cur, prev, prev2)
        size = _size(mask)
        for d in deltas:
            size += _size(d)
        if size > 43:
            w = _put(buf, w, _VERBATIM)
            struct.pack_into(_FIELDS_FMT, buf, w, *cur)
            w += 40
        else:
            w = _put(buf, w, mask)
            for d in deltas:
                w = _put(buf, w, d)
        prev2, prev = prev, cur
    return w
