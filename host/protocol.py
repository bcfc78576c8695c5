"""The host's own decoder of wire protocol v1 (docs/protocol-v1.md).

Written from the page, never from firmware/: the two sides share only the document and
the golden vectors in docs/vectors/protocol-v1.json. Parsing checks the layout only;
signatures, chains and device state are checked by host.ingest.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
from dataclasses import dataclass

from host.compact import FLAG_COMPACT, CompactError, expand

MAGIC = b"VPB1"
BATCH_VERSION = 1
RECORD_VERSION = 1
KIND_FIX = 1
KIND_CHECKIN = 2
KIND_EVENT = 3
KIND_CELL = 4
KIND_LOG_STATUS = 5
PAYLOAD_OFFSET = 14  # bytes 14..39 of every record are its kind's payload
PAYLOAD_SIZE = 26

# The payload of every kind but the fix: struct format (pad bytes "x" must be zero) and
# field names, as the page's table of kinds gives them.
PAYLOADS = {
    KIND_CHECKIN: (
        "<IiiHIBB6x",
        ("case_ref", "lat_e7", "lon_e7", "acc_m", "fix_seq", "verdict", "reason"),
    ),
    KIND_EVENT: (
        "<BBiiiiB7x",
        ("code", "severity", "value_a", "value_b", "lat_e7", "lon_e7", "count"),
    ),
    KIND_CELL: (
        "<BBHHBhIQH3x",
        ("radio", "role", "mcc", "mnc", "mnc_digits", "signal_dbm", "lac_tac", "cell_id",
         "arfcn"),
    ),
    KIND_LOG_STATUS: (
        "<IIIHBB10x",
        ("dropped_records", "thinned_fixes", "boots", "used_permille", "wiped", "reserved"),
    ),
}
KINDS = (KIND_FIX, *PAYLOADS)

HEADER_FMT = "<4sBBH8s8s"
HEADER_SIZE = struct.calcsize(HEADER_FMT)  # 24
RECORD_FMT = "<BBHIIHiiiHHHHBBBBBB32s"
RECORD_SIZE = struct.calcsize(RECORD_FMT)  # 72
SIGNATURE_SIZE = 64
MAX_RECORDS = 500
MAX_BATCH_BYTES = HEADER_SIZE + RECORD_SIZE * MAX_RECORDS + SIGNATURE_SIZE  # 36088
ZERO_HASH = bytes(32)

# "Unknown" sentinels of the optional record fields.
ALT_UNKNOWN = -2147483648
U16_UNKNOWN = 65535

# flags bit fields
TIME_SOURCE_MASK = 0x03
POS_SOURCE_SHIFT = 2
POS_SOURCE_MASK = 0x07
POS_VALID_BIT = 1 << 5

_RECORD = struct.Struct(RECORD_FMT)
_HEADER = struct.Struct(HEADER_FMT)


class ProtocolError(Exception):
    """A batch that breaks the layout. `code` is one of the error codes of the page."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Record:
    ver: int
    kind: int
    flags: int
    seq: int
    time_s: int
    time_ms: int
    lat_e7: int
    lon_e7: int
    alt_cm: int
    acc_m: int
    speed_cmps: int
    course_cdeg: int
    hdop_x10: int
    quality: int
    mode: int
    sats_used: int
    sats_seen: int
    cn0_max: int
    cn0_mean: int
    prev_hash: bytes
    raw: bytes  # the 72 bytes as received

    @property
    def hash(self) -> bytes:
        return record_hash(self.raw)

    @property
    def time_source(self) -> int:
        return self.flags & TIME_SOURCE_MASK

    @property
    def pos_source(self) -> int:
        return (self.flags >> POS_SOURCE_SHIFT) & POS_SOURCE_MASK

    @property
    def pos_valid(self) -> bool:
        return bool(self.flags & POS_VALID_BIT)

    @property
    def fix_ms(self) -> int:
        """The time the record describes, UTC ms (the fix time for a fix)."""
        return self.time_s * 1000 + self.time_ms

    @property
    def payload(self) -> dict:
        """The named payload fields of a record of kind 2..5 (empty for a fix, whose
        fields are this object's attributes)."""
        return payload_fields(self.kind, self.raw)


@dataclass(frozen=True, slots=True)
class Batch:
    version: int
    flags: int
    count: int
    device_id: bytes  # 8 bytes; .device_id.hex() is the text form
    nonce: bytes
    records: tuple[Record, ...]
    signature: bytes
    signed_bytes: bytes  # header + records: what the signature covers (through SHA-256)

    @property
    def device_id_hex(self) -> str:
        return self.device_id.hex()

    @property
    def message(self) -> bytes:
        return signed_message(self.signed_bytes)


def record_hash(raw: bytes) -> bytes:
    """SHA-256 over a record's 72 bytes: what the next record carries in prev_hash."""
    return hashlib.sha256(raw).digest()


def signed_message(signed_bytes: bytes) -> bytes:
    """The 32-byte message the badge signs: SHA-256 of header + records."""
    return hashlib.sha256(signed_bytes).digest()


def device_id_for(public_key: bytes) -> str:
    """Text device id: first 8 bytes of SHA-256(public key), lower-case hex."""
    return hashlib.sha256(public_key).digest()[:8].hex()


def parse_record(raw: bytes) -> Record:
    if len(raw) != RECORD_SIZE:
        raise ProtocolError("malformed_batch", f"a record is {RECORD_SIZE} bytes, got {len(raw)}")
    f = _RECORD.unpack(raw)
    ver, kind = f[0], f[1]
    if ver == 0:
        raise ProtocolError("malformed_batch", "record layout version 0 is not a layout")
    if ver != RECORD_VERSION:
        raise ProtocolError("unsupported_version", f"record layout version {ver} is not spoken")
    if kind not in KINDS:
        raise ProtocolError("malformed_batch", f"record kind {kind} is not defined in v1")
    rec = Record(*f, raw=bytes(raw))
    fault = _range_fault(rec) if kind == KIND_FIX else _payload_fault(rec)
    if fault:
        raise ProtocolError("field_out_of_range", f"record {rec.seq}: {fault}")
    return rec


# (field, low, high, the "unknown" sentinel or None): the ranges docs/protocol-v1.md gives.
_RANGES = (
    ("time_ms", 0, 999, None),
    ("lat_e7", -900_000_000, 900_000_000, None),
    ("lon_e7", -1_800_000_000, 1_800_000_000, None),
    ("course_cdeg", 0, 35999, 65535),
    ("mode", 1, 3, None),
)


def _range_fault(rec: Record) -> str | None:
    """A signed record can still carry a physically impossible value (a badge bug)."""
    for name, low, high, unknown in _RANGES:
        value = getattr(rec, name)
        if value != unknown and not low <= value <= high:
            return f"{name}={value} is outside {low}..{high}"
    return None


def payload_fields(kind: int, raw: bytes) -> dict:
    if kind not in PAYLOADS:
        return {}
    fmt, names = PAYLOADS[kind]
    return dict(zip(names, struct.unpack_from(fmt, raw, PAYLOAD_OFFSET), strict=True))


def _payload_fault(rec: Record) -> str | None:
    if not 0 <= rec.time_ms <= 999:
        return f"time_ms={rec.time_ms} is outside 0..999"
    fmt, _ = PAYLOADS[rec.kind]
    fields = rec.payload
    repacked = struct.pack(fmt, *fields.values())
    if repacked != rec.raw[PAYLOAD_OFFSET : PAYLOAD_OFFSET + PAYLOAD_SIZE]:
        return f"kind {rec.kind} reserved payload bytes are not zero"
    if "lat_e7" in fields:
        lat, lon = fields["lat_e7"], fields["lon_e7"]
        if not (-900_000_000 <= lat <= 900_000_000 and -1_800_000_000 <= lon <= 1_800_000_000):
            return f"kind {rec.kind} position {lat},{lon} is outside the globe"
    return None


def parse_batch(body: bytes) -> Batch:
    """Decode an upload body; raises ProtocolError naming the first layout fault."""
    if len(body) > MAX_BATCH_BYTES:
        raise ProtocolError("body_too_large", f"a batch is at most {MAX_BATCH_BYTES} bytes")
    if len(body) < HEADER_SIZE + RECORD_SIZE + SIGNATURE_SIZE:
        raise ProtocolError("malformed_batch", f"body of {len(body)} bytes is too short")
    magic, version, flags, count, device_id, nonce = _HEADER.unpack_from(body)
    if magic != MAGIC:
        raise ProtocolError("malformed_batch", "bad magic, expected VPB1")
    if version != BATCH_VERSION:
        raise ProtocolError("unsupported_version", f"batch version {version} is not spoken")
    if flags & ~FLAG_COMPACT:
        raise ProtocolError("unsupported_version", f"batch flags {flags:#x} are not spoken in v1")
    if not 1 <= count <= MAX_RECORDS:
        raise ProtocolError("malformed_batch", f"count {count} is outside 1..{MAX_RECORDS}")
    end = HEADER_SIZE + RECORD_SIZE * count
    if flags & FLAG_COMPACT:
        end = len(body) - SIGNATURE_SIZE
        try:
            records_bytes = expand(body[HEADER_SIZE:end], count)
        except CompactError as e:
            raise ProtocolError("malformed_batch", f"compact records: {e}") from None
    elif len(body) != end + SIGNATURE_SIZE:
        raise ProtocolError(
            "malformed_batch",
            f"length {len(body)} is not 24+72*{count}+64 = {end + SIGNATURE_SIZE}",
        )
    else:
        records_bytes = body[HEADER_SIZE:end]
    records = tuple(
        parse_record(records_bytes[off : off + RECORD_SIZE])
        for off in range(0, len(records_bytes), RECORD_SIZE)
    )
    return Batch(
        version=version,
        flags=flags,
        count=count,
        device_id=device_id,
        nonce=nonce,
        records=records,
        signature=bytes(body[end:]),
        signed_bytes=bytes(body[:HEADER_SIZE]) + bytes(records_bytes),
    )


def chain_fault(records: tuple[Record, ...] | list[Record]) -> str | None:
    """Where the chain inside a batch breaks (prev_hash or seq), or None when it holds."""
    for prev, rec in itertools.pairwise(records):
        if rec.seq != prev.seq + 1:
            return f"record seq {rec.seq} does not follow seq {prev.seq}"
        if rec.prev_hash != prev.hash:
            return f"record seq {rec.seq} prev_hash is not the hash of seq {prev.seq}"
    if records and records[0].seq == 0:
        return "sequence numbers start at 1"
    return None
