"""Protocol-v1 batch: header "<4sBBH8s8s", N records, Ed25519 signature (docs/protocol-v1.md).

A `BatchBuffer` owns one preallocated buffer sized for its largest batch; the uploader
copies records straight into `records_view(n)` and `seal()` fills the header, hashes the
signed part with the native SHA-256 and appends the 64-byte signature.
"""

import hashlib
import os
import struct

from micropython import const

from wire.compact import FLAG_COMPACT, compact_in_place
from wire.record import RECORD_SIZE

HEADER_FMT = "<4sBBH8s8s"
MAGIC = b"VPB1"
VERSION = const(1)
HEADER_SIZE = const(24)
SIG_SIZE = const(64)
MAX_RECORDS = const(500)


def batch_len(count):
    return HEADER_SIZE + RECORD_SIZE * count + SIG_SIZE


def new_nonce():
    return os.urandom(8)


class BatchBuffer:
    def __init__(self, max_records=MAX_RECORDS):
        if not 1 <= max_records <= MAX_RECORDS:
            raise ValueError("max_records out of 1..500")
        self.max_records = max_records
        self.buf = bytearray(batch_len(max_records))
        self.mv = memoryview(self.buf)

    def records_view(self, count):
        """Where records 0..count-1 go (oldest first)."""
        return self.mv[HEADER_SIZE:HEADER_SIZE + RECORD_SIZE * count]

    def signed_digest(self, count, device_id, nonce, flags=0):
        """Write the header for `count` records; return SHA-256(header + records)."""
        if not 1 <= count <= self.max_records:
            raise ValueError("count out of range")
        struct.pack_into(HEADER_FMT, self.buf, 0, MAGIC, VERSION, flags, count, device_id,
                         nonce)
        return hashlib.sha256(self.mv[:HEADER_SIZE + RECORD_SIZE * count]).digest()

    def seal(self, count, device_id, signer, nonce=None, compact=False):
        """Header + signature over the records already in place; returns the body view.

        `signer.sign(msg32) -> 64 bytes`; nonce defaults to 8 fresh random bytes, so every
        attempt is a new batch (a byte-identical resend would be refused as a replay).
        compact=True sends the records in the compact encoding (wire.compact); the
        signature still covers the canonical records. The records in the buffer are then
        overwritten: read them again from the log before the next attempt.
        """
        digest = self.signed_digest(count, device_id, nonce or new_nonce(),
                                    FLAG_COMPACT if compact else 0)
        end = HEADER_SIZE + RECORD_SIZE * count
        if compact:
            end = compact_in_place(self.buf, count)
        self.mv[end:end + SIG_SIZE] = signer.sign(digest)
        return self.mv[:end + SIG_SIZE]
