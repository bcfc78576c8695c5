"""Protocol-v1 record: 72 bytes, struct "<BBHIIHiiiHHHHBBBBBB32s" (docs/protocol-v1.md).

`pack_fix(buf, fix, seq, prev_hash)` writes a fix into a caller-owned, preallocated
72-byte buffer with struct.pack_into: no allocation beyond the struct call itself.
A fix is any object with the gnss.Fix attributes (time_s, time_ms, valid, lat_e7, lon_e7,
alt_cm, acc_m, speed_cmps, course_cdeg, hdop_x10, quality, mode, sats_used, sats_seen,
cn0_max, cn0_mean); a None attribute becomes the protocol's "unknown" sentinel.
"""

import hashlib
import struct

from micropython import const

RECORD_FMT = "<BBHIIHiiiHHHHBBBBBB32s"
RECORD_SIZE = const(72)
VERSION = const(1)
KIND_FIX = const(1)
KIND_CHECKIN = const(2)
KIND_EVENT = const(3)
KIND_CELL = const(4)
KIND_LOG_STATUS = const(5)
HEADER_FMT = "<BBHIIH"  # ver, kind, flags, seq, time_s, time_ms: the frame of every kind
PAYLOAD_OFFSET = const(14)
PAYLOAD_SIZE = const(26)
HASH_OFFSET = const(40)
# Payload formats of the other kinds (docs/protocol-v1.md "Record kinds").
CHECKIN_FMT = "<IiiHIBB6x"
EVENT_FMT = "<BBiiiiB7x"
CELL_FMT = "<BBHHBhIQH3x"
LOG_STATUS_FMT = "<IIIHBB10x"
SEQ_OFFSET = const(4)  # the uint32 seq sits at bytes 4..8 of every record

# flags bits 0-1: time source
TIME_NONE = const(0)
TIME_GNSS = const(1)
TIME_NETWORK = const(2)
# flags bits 2-4: position source
POS_NONE = const(0)
POS_GNSS = const(1)
POS_WIFI = const(2)
POS_CELL = const(3)
POS_FUSED = const(4)
FLAG_VALID = const(0x20)

_U16_UNKNOWN = const(65535)
_ALT_UNKNOWN = const(-2147483648)
_ZERO_HASH = bytes(32)
_ZERO_PAYLOAD = bytes(PAYLOAD_SIZE)


def make_flags(time_source, pos_source, valid):
    return (time_source & 3) | ((pos_source & 7) << 2) | (FLAG_VALID if valid else 0)


def fix_flags(fix, pos_source=POS_GNSS):
    """Flags of a GNSS fix: GNSS time when the receiver gave a time, the valid bit."""
    time_source = TIME_NONE if fix.time_s is None else TIME_GNSS
    return make_flags(time_source, pos_source if fix.valid else POS_NONE, fix.valid)


def _u16(value):
    # None and anything beyond the field (unrepresentable) become the "unknown" 65535.
    if value is None or value >= _U16_UNKNOWN:
        return _U16_UNKNOWN
    return max(0, value)


def _u8(value):
    if not value or value < 0:
        return 0
    return min(255, value)


def _int(value):
    return 0 if value is None else value


def pack_fix(buf, fix, seq, prev_hash, flags=None):
    """Write one record into buf[0:72]. flags=None derives them with fix_flags(fix)."""
    if flags is None:
        flags = fix_flags(fix)
    course = fix.course_cdeg
    if course is not None and course < _U16_UNKNOWN:
        course %= 36000
    alt = fix.alt_cm
    struct.pack_into(
        RECORD_FMT, buf, 0,
        VERSION, KIND_FIX, flags, seq,
        _int(fix.time_s), _int(fix.time_ms) % 1000,
        _int(fix.lat_e7), _int(fix.lon_e7),
        _ALT_UNKNOWN if alt is None else alt,
        _u16(fix.acc_m), _u16(fix.speed_cmps), _u16(course),
        _u16(fix.hdop_x10),
        _u8(fix.quality), _u8(fix.mode), _u8(fix.sats_used), _u8(fix.sats_seen),
        _u8(fix.cn0_max), _u8(fix.cn0_mean),
        prev_hash or _ZERO_HASH,
    )
    return buf


def pack_record(buf, kind, flags, seq, time_s, time_ms, prev_hash, payload_fmt, *payload):
    """Write a record of any kind but the fix into buf[0:72]: the common frame, the kind's
    payload packed with payload_fmt (one of the *_FMT above) at byte 14, the chain hash."""
    struct.pack_into(HEADER_FMT, buf, 0, VERSION, kind, flags, seq, _int(time_s),
                     _int(time_ms) % 1000)
    # MicroPython's struct skips "x" pad bytes without zeroing them: clear the payload first
    # (reserved bytes must be zero, and buf is reused).
    buf[PAYLOAD_OFFSET:HASH_OFFSET] = _ZERO_PAYLOAD
    struct.pack_into(payload_fmt, buf, PAYLOAD_OFFSET, *payload)
    buf[HASH_OFFSET:RECORD_SIZE] = prev_hash or _ZERO_HASH
    return buf


def record_kind(record):
    return record[1]


def record_seq(record):
    return struct.unpack_from("<I", record, SEQ_OFFSET)[0]


def record_hash(record):
    return hashlib.sha256(record).digest()
