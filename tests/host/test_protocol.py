"""host.protocol against the golden vectors of docs/vectors/protocol-v1.json."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hostkit import FIELDS

from host import protocol
from host.protocol import ProtocolError, parse_batch, parse_record


def test_layout_constants_match_the_page():
    assert protocol.RECORD_SIZE == 72
    assert protocol.HEADER_SIZE == 24
    assert protocol.MAX_BATCH_BYTES == 36088


def test_device_id_of_the_vector_key(vectors):
    assert protocol.device_id_for(bytes.fromhex(vectors["public_key"])) == vectors["device_id"]


def test_records_decode_field_by_field(vectors):
    for vec in vectors["records"]:
        rec = parse_record(bytes.fromhex(vec["hex"]))
        assert rec.ver == 1 and rec.kind == 1
        assert rec.seq == vec["seq"]
        for name in FIELDS:
            assert getattr(rec, name) == vec["fields"][name], name
        assert rec.prev_hash.hex() == vec["prev_hash"]
        assert rec.hash.hex() == vec["sha256"]


def test_batches_decode_and_verify(vectors):
    pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(vectors["public_key"]))
    by_seq = {r["seq"]: r for r in vectors["records"]}
    for vec in vectors["batches"]:
        batch = parse_batch(bytes.fromhex(vec["hex"]))
        assert batch.device_id_hex == vectors["device_id"]
        assert batch.nonce.hex() == vec["nonce"]
        assert [r.seq for r in batch.records] == vec["seqs"]
        assert [r.raw.hex() for r in batch.records] == [by_seq[s]["hex"] for s in vec["seqs"]]
        assert batch.message.hex() == vec["signed_message_sha256"]
        assert batch.signature.hex() == vec["signature"]
        pub.verify(batch.signature, batch.message)  # raises if not
        assert protocol.chain_fault(batch.records) is None


def test_flag_fields_of_vector_record_1(vectors):
    rec = parse_record(bytes.fromhex(vectors["records"][0]["hex"]))
    # flags 37 = 0b100101: time GNSS (1), position GNSS (1), position valid
    assert (rec.time_source, rec.pos_source, rec.pos_valid) == (1, 1, True)
    assert rec.fix_ms == 1594466580000


def _body(vectors, name="first_three") -> bytearray:
    return bytearray(bytes.fromhex(next(b for b in vectors["batches"] if b["name"] == name)["hex"]))


@pytest.mark.parametrize(
    "edit, code",
    [
        (lambda b: b[:20], "malformed_batch"),  # too short
        (lambda b: b"VPB2" + b[4:], "malformed_batch"),  # magic
        (lambda b: b[:4] + b"\x02" + b[5:], "unsupported_version"),
        (lambda b: b[:5] + b"\x02" + b[6:], "unsupported_version"),  # flags bit 1: unknown
        (lambda b: b[:5] + b"\x01" + b[6:], "malformed_batch"),  # says compact, is not
        (lambda b: b[:6] + b"\x00\x00" + b[8:], "malformed_batch"),  # count 0
        (lambda b: b[:6] + (501).to_bytes(2, "little") + b[8:], "malformed_batch"),
        (lambda b: b[:6] + b"\x02\x00" + b[8:], "malformed_batch"),  # length != count
        (lambda b: b + b"\x00", "malformed_batch"),
        (lambda b: b[:24] + b"\x00" + b[25:], "malformed_batch"),  # record layout version 0
        (lambda b: b[:24] + b"\x02" + b[25:], "unsupported_version"),  # record version 2
        (lambda b: b[:25] + b"\x09" + b[26:], "malformed_batch"),  # kind 9 is not v1
        (lambda b: b + bytes(36088), "body_too_large"),
    ],
)
def test_layout_faults_name_their_code(vectors, edit, code):
    with pytest.raises(ProtocolError) as e:
        parse_batch(bytes(edit(_body(vectors))))
    assert e.value.code == code


def test_chain_fault_points_at_the_edit(vectors):
    body = _body(vectors)
    body[24 + 72 + 14] ^= 1  # one bit of record 2's lat_e7: record 3's prev_hash no longer fits
    batch = parse_batch(bytes(body))
    assert "seq 3" in protocol.chain_fault(batch.records)


def _compact_vector(vectors) -> bytes:
    vec = next(b for b in vectors["batches"] if b["name"] == "all_four_compact")
    return bytes.fromhex(vec["hex"])


def test_compact_vector_is_smaller_than_its_canonical_form(vectors):
    body = _compact_vector(vectors)
    # record 2: mask 0x37 + five 1-byte deltas = 6. Record 3 (a jump across the globe):
    # mask 0x5FDF (3 bytes) + lat 5 + lon 5 + speed 2 + course 3 + alt 2 + time_ms 2 + seven
    # 1-byte deltas = 29. Record 4 (all unknown): deltas would pass 43 bytes, so verbatim:
    # mark (3) + 40 = 43.
    assert len(body) == 24 + 72 + 6 + 29 + 43 + 64 < 24 + 4 * 72 + 64


@pytest.mark.parametrize(
    ("cut", "why"),
    [
        (lambda s: s[:-1], "ends inside"),
        (lambda s: s + b"\x00", "bytes left"),
        (lambda s: s[:72] + b"\x80\x80\x80\x01" + s[76:], "names fields that do not exist"),
    ],
)
def test_broken_compact_streams_are_malformed(vectors, cut, why):
    body = _compact_vector(vectors)
    stream = cut(body[24:-64])
    with pytest.raises(ProtocolError) as e:
        parse_batch(body[:24] + stream + body[-64:])
    assert e.value.code == "malformed_batch" and why in e.value.message
