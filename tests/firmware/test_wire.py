"""Protocol-v1 record and batch packing against docs/vectors/protocol-v1.json."""

import hashlib

import fwtest
from wire.batch import HEADER_SIZE, SIG_SIZE, BatchBuffer, batch_len
from wire.record import (
    CELL_FMT,
    CHECKIN_FMT,
    KIND_CELL,
    KIND_CHECKIN,
    POS_GNSS,
    RECORD_SIZE,
    TIME_GNSS,
    fix_flags,
    make_flags,
    pack_fix,
    pack_record,
    record_hash,
    record_seq,
)

_FIELDS = ("time_s", "time_ms", "lat_e7", "lon_e7", "alt_cm", "acc_m", "speed_cmps",
           "course_cdeg", "hdop_x10", "quality", "mode", "sats_used", "sats_seen", "cn0_max",
           "cn0_mean")


class FakeFix:
    """Attributes named as gnss.fix.Fix; the tests fill them from the vectors' fields."""

    def __init__(self, fields, valid=True):
        self.valid = valid
        for name in _FIELDS:
            setattr(self, name, fields[name])


class FixedKey:
    """Stand-in signer returning a signature the vector already holds (sign/ absent)."""

    def __init__(self, sig):
        self.sig = sig

    def sign(self, msg):
        return self.sig


def _unhex(s):
    return bytes(int(s[i:i + 2], 16) for i in range(0, len(s), 2))


def _records():
    return fwtest.vectors()["records"]


def test_each_vector_record_packs_byte_for_byte():
    buf = bytearray(RECORD_SIZE)
    for rec in _records():
        f = rec["fields"]
        pack_fix(buf, FakeFix(f), rec["seq"], _unhex(rec["prev_hash"]), f["flags"])
        assert bytes(buf) == _unhex(rec["hex"]), rec["seq"]
        assert record_hash(buf) == _unhex(rec["sha256"])
        assert record_seq(buf) == rec["seq"]


def test_record_chain_in_vectors_links_hashes():
    prev = bytes(32)
    for rec in _records():
        assert _unhex(rec["prev_hash"]) == prev
        prev = _unhex(rec["sha256"])


def test_flags_of_a_valid_gnss_fix_are_the_vectors_37():
    # flags 37 = time GNSS (1) | position GNSS (1 << 2) | valid (1 << 5), per the doc's table
    rec = _records()[0]
    assert make_flags(TIME_GNSS, POS_GNSS, True) == 37
    assert fix_flags(FakeFix(rec["fields"])) == rec["fields"]["flags"]
    buf = bytearray(RECORD_SIZE)
    pack_fix(buf, FakeFix(rec["fields"]), 1, None)  # flags derived, prev_hash None -> zeros
    assert bytes(buf) == _unhex(rec["hex"])


def test_unknown_fields_pack_as_the_docs_sentinels():
    # Vector record 4 has every optional field "unknown": a fix of Nones must pack to it.
    rec = _records()[3]
    fix = FakeFix(rec["fields"], valid=False)
    for name in ("time_s", "time_ms", "lat_e7", "lon_e7", "alt_cm", "acc_m", "speed_cmps",
                 "course_cdeg", "hdop_x10", "quality", "sats_used"):
        setattr(fix, name, None)
    buf = bytearray(RECORD_SIZE)
    assert fix_flags(fix) == 0
    pack_fix(buf, fix, rec["seq"], _unhex(rec["prev_hash"]))
    assert bytes(buf) == _unhex(rec["hex"])


def _batch_records(batch):
    by_seq = {}
    for rec in _records():
        by_seq[rec["seq"]] = _unhex(rec["hex"])
    return [by_seq[s] for s in batch["seqs"]]


def test_each_vector_batch_header_and_records_match():
    v = fwtest.vectors()
    device_id = _unhex(v["device_id"])
    bb = BatchBuffer(4)
    for batch in v["batches"]:
        want = _unhex(batch["hex"])
        recs = _batch_records(batch)
        n = len(recs)
        view = bb.records_view(n)
        for i, rec in enumerate(recs):
            view[i * RECORD_SIZE:(i + 1) * RECORD_SIZE] = rec
        compact = bool(want[5] & 1)  # batch flags bit 0
        digest = bb.signed_digest(n, device_id, _unhex(batch["nonce"]), want[5])
        assert digest == _unhex(batch["signed_message_sha256"]), batch["name"]
        if not compact:
            assert hashlib.sha256(want[:-SIG_SIZE]).digest() == digest
        body = bb.seal(n, device_id, FixedKey(_unhex(batch["signature"])), _unhex(batch["nonce"]),
                       compact)
        assert len(body) == len(want)
        if not compact:
            assert len(body) == batch_len(n)
        assert bytes(body) == want, batch["name"]
        assert bytes(body[:HEADER_SIZE]) == want[:HEADER_SIZE]


def _signing_key():
    try:
        from sign.ed25519 import SigningKey
    except ImportError:
        fwtest.skip("sign.ed25519 not written yet")
    return SigningKey


def test_each_vector_batch_signed_with_the_vector_key_matches():
    SigningKey = _signing_key()
    v = fwtest.vectors()
    key = SigningKey(_unhex(v["seed"]))
    assert bytes(key.public) == _unhex(v["public_key"])
    bb = BatchBuffer(4)
    for batch in v["batches"]:
        recs = _batch_records(batch)
        view = bb.records_view(len(recs))
        for i, rec in enumerate(recs):
            view[i * RECORD_SIZE:(i + 1) * RECORD_SIZE] = rec
        body = bb.seal(len(recs), _unhex(v["device_id"]), key, _unhex(batch["nonce"]),
                       bool(_unhex(batch["hex"])[5] & 1))
        assert bytes(body) == _unhex(batch["hex"]), batch["name"]


def test_default_nonce_is_fresh_per_seal():
    v = fwtest.vectors()
    bb = BatchBuffer(1)
    bb.records_view(1)[:] = _unhex(_records()[0]["hex"])
    key = FixedKey(bytes(64))
    first = bytes(bb.seal(1, _unhex(v["device_id"]), key)[16:24])
    second = bytes(bb.seal(1, _unhex(v["device_id"]), key)[16:24])
    assert first != second


def test_checkin_record_lays_out_as_the_table_of_kinds():
    buf = bytearray(RECORD_SIZE)
    prev = bytes(range(32))
    pack_record(buf, KIND_CHECKIN, 0x21, 9, 1_700_000_000, 1250, prev, CHECKIN_FMT,
                7, 481_173_000, -115_167_000, 12, 8, 1, 3)
    # frame: ver 1, kind 2, flags 0x0021, seq 9, time_s 0x6553F100, time_ms 1250 % 1000
    assert bytes(buf[:14]) == bytes([1, 2, 0x21, 0, 9, 0, 0, 0, 0x00, 0xF1, 0x53, 0x65, 250, 0])
    assert bytes(buf[14:18]) == bytes([7, 0, 0, 0])  # case_ref
    assert bytes(buf[18:22]) == (481_173_000).to_bytes(4, "little")
    assert bytes(buf[22:26]) == (2**32 - 115_167_000).to_bytes(4, "little")  # two's complement
    assert bytes(buf[26:28]) == bytes([12, 0]) and bytes(buf[28:32]) == bytes([8, 0, 0, 0])
    assert (buf[32], buf[33]) == (1, 3)
    assert bytes(buf[34:40]) == bytes(6)  # reserved: zero
    assert bytes(buf[40:]) == prev
    assert record_seq(buf) == 9


def test_cell_record_carries_a_64_bit_cell_id():
    buf = bytearray(RECORD_SIZE)
    pack_record(buf, KIND_CELL, 2, 1, 1_700_000_000, 0, None, CELL_FMT,
                5, 1, 460, 1, 2, -95, 0x5A1B, 0x0F_1234_5678, 1850)
    assert (buf[1], buf[14], buf[15]) == (4, 5, 1)  # kind, radio NR, role neighbour
    assert bytes(buf[16:20]) == bytes([0xCC, 0x01, 1, 0])  # mcc 460, mnc 1
    assert bytes(buf[21:23]) == (2**16 - 95).to_bytes(2, "little")
    assert bytes(buf[27:35]) == bytes([0x78, 0x56, 0x34, 0x12, 0x0F, 0, 0, 0])
    assert bytes(buf[35:37]) == (1850).to_bytes(2, "little") and bytes(buf[37:40]) == bytes(3)
    assert bytes(buf[40:]) == bytes(32)
