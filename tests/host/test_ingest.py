"""POST /api/v1/batches through real HTTP on loopback, on SQLite and PostgreSQL.

Expected values come from docs/protocol-v1.md (status, code, answer fields) and from the
golden vectors (decoded fields); batches beyond the vectors come from hostkit.SoftBadge.
"""

from __future__ import annotations

import struct
import threading

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hostkit import FIELDS, SoftBadge, post_batch, sha256
from sqlalchemy import func, select

from host.db.devices import register_device, revoke_device
from host.db.models import Batch, Device, Fix
from host.db.models import Record as RecordRow
from host.protocol import parse_batch, payload_fields

NULL_IF = {
    "alt_cm": -2147483648,
    "acc_m": 65535,
    "speed_cmps": 65535,
    "course_cdeg": 65535,
    "hdop_x10": 65535,
}


def vector_body(vectors, name: str) -> bytes:
    return bytes.fromhex(next(b for b in vectors["batches"] if b["name"] == name)["hex"])


def state(server) -> tuple:
    """Everything a rejection must leave unchanged."""
    with server.session() as s:
        devices = s.execute(
            select(
                Device.device_id,
                Device.status,
                Device.last_seq,
                Device.last_hash,
                Device.last_seen_ms,
            ).order_by(Device.id)
        ).all()
        return (
            s.scalar(select(func.count(Batch.id))),
            s.scalar(select(func.count(Fix.id))),
            [tuple(d) for d in devices],
        )


def register(server, badge: SoftBadge) -> None:
    with server.session() as s:
        register_device(s, badge.public_key, "test")


def assert_rejected(
    server,
    body: bytes,
    status: int,
    code: str,
    ack_seq=None,
    content_type: str = "application/octet-stream",
) -> dict:
    before = state(server)
    r = post_batch(server.url, body, content_type)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/json"
    answer = r.json()
    assert answer["ok"] is False
    assert answer["error"]["code"] == code
    assert answer["error"]["message"]
    if status == 409:
        assert answer["ack_seq"] == ack_seq
    else:
        assert "ack_seq" not in answer
    assert state(server) == before, "a rejection stored something"
    return answer


# --- accepted ---------------------------------------------------------------------------------


def test_golden_batches_are_stored_field_by_field(live_server, vectors, vector_badge):
    register(live_server, vector_badge)
    r = post_batch(live_server.url, vector_body(vectors, "first_three"))
    assert r.status_code == 200
    assert r.json() == {
        "ok": True,
        "device_id": vectors["device_id"],
        "ack_seq": 3,
        "stored": 3,
        "duplicates": 0,
    }
    r = post_batch(live_server.url, vector_body(vectors, "last_one"))
    assert r.json() == {
        "ok": True,
        "device_id": vectors["device_id"],
        "ack_seq": 4,
        "stored": 1,
        "duplicates": 0,
    }

    with live_server.session() as s:
        fixes = s.scalars(select(Fix).order_by(Fix.seq)).all()
        device = s.scalar(select(Device))
        assert [f.seq for f in fixes] == [1, 2, 3, 4]
        for fix, vec in zip(fixes, vectors["records"], strict=True):
            for name in FIELDS:
                want = vec["fields"][name]
                if name in ("time_s", "time_ms"):
                    continue
                if NULL_IF.get(name) == want:
                    want = None
                assert getattr(fix, name) == want, (fix.seq, name)
            assert fix.fix_ms == vec["fields"]["time_s"] * 1000 + vec["fields"]["time_ms"]
            assert fix.raw.hex() == vec["hex"]
            assert fix.record_hash.hex() == vec["sha256"]
        # vector record 1: flags 37 = time GNSS, position GNSS, valid; record 4: flags 0
        assert (fixes[0].time_source, fixes[0].pos_source, fixes[0].valid) == (1, 1, True)
        assert (fixes[3].time_source, fixes[3].pos_source, fixes[3].valid) == (0, 0, False)
        assert device.last_seq == 4
        assert device.last_hash.hex() == vectors["records"][3]["sha256"]
        assert device.last_seen_ms is not None


def test_resigned_retry_is_stored_once(live_server, badge):
    records = badge.records(5)
    first = post_batch(live_server.url, badge.batch(records)).json()
    assert (first["stored"], first["duplicates"], first["ack_seq"]) == (5, 0, 5)
    retry = post_batch(live_server.url, badge.batch(records)).json()  # new nonce
    assert retry == {
        "ok": True,
        "device_id": badge.device_id,
        "ack_seq": 5,
        "stored": 0,
        "duplicates": 5,
    }
    batches, fixes, _ = state(live_server)
    assert (batches, fixes) == (2, 5)


def test_partial_overlap_stores_only_new_records(live_server, badge):
    records = badge.records(5)
    post_batch(live_server.url, badge.batch(records[:3]))
    r = post_batch(live_server.url, badge.batch(records[1:]))
    assert r.json() == {
        "ok": True,
        "device_id": badge.device_id,
        "ack_seq": 5,
        "stored": 2,
        "duplicates": 2,
    }
    with live_server.session() as s:
        assert s.scalars(select(Fix.seq).order_by(Fix.seq)).all() == [1, 2, 3, 4, 5]


def test_stored_records_reverify_from_batch_bodies(live_server, badge):
    records = badge.records(7)
    for chunk in (records[:3], records[2:6], records[6:]):
        assert post_batch(live_server.url, badge.batch(chunk)).status_code == 200
    with live_server.session() as s:
        device = s.scalar(select(Device))
        key = Ed25519PublicKey.from_public_bytes(device.public_key)
        prev = bytes(32)
        for fix in s.scalars(select(Fix).order_by(Fix.seq)):
            body = s.get(Batch, fix.batch_id).body
            assert sha256(body) == s.get(Batch, fix.batch_id).body_sha256
            signed, signature = body[:-64], body[-64:]
            key.verify(signature, sha256(signed))  # cryptography raises if it does not verify
            assert fix.raw in signed[24:]
            assert fix.raw[40:72] == prev  # the stored chain holds from record 1
            prev = sha256(fix.raw)
        assert prev == device.last_hash


# --- rejections ----------------------------------------------------------------------------


def test_tampered_record(live_server, vectors, vector_badge):
    register(live_server, vector_badge)
    body = bytearray(vector_body(vectors, "first_three"))
    body[24 + 72 + 14] ^= 1  # record 2's lat_e7, after signing
    assert_rejected(live_server, bytes(body), 401, "record_tampered")


def test_edited_last_record_is_bad_signature(live_server, vectors, vector_badge):
    register(live_server, vector_badge)
    body = bytearray(vector_body(vectors, "first_three"))
    body[24 + 2 * 72 + 14] ^= 1  # the last record: no later record's prev_hash catches it
    assert_rejected(live_server, bytes(body), 401, "bad_signature")


@pytest.mark.parametrize(
    "field, value",
    [
        ("lat_e7", 950_000_000),
        ("lon_e7", 2_000_000_000),
        ("time_ms", 1500),
        ("course_cdeg", 40000),
        ("mode", 0),
    ],
)
def test_signed_but_impossible_field(live_server, badge, field, value):
    """Values outside the ranges docs/protocol-v1.md gives (a latitude of 95 degrees...)."""
    body = badge.batch(badge.records(1, **{field: value}))
    answer = assert_rejected(live_server, body, 400, "field_out_of_range")
    assert field in answer["error"]["message"]


def test_wrong_key(live_server, badge):
    body = badge.batch(badge.records(3), key=Ed25519PrivateKey.generate())
    answer = assert_rejected(live_server, body, 401, "bad_signature")
    assert badge.device_id in answer["error"]["message"]


def test_replayed_batch(live_server, vectors, vector_badge):
    register(live_server, vector_badge)
    body = vector_body(vectors, "first_three")
    assert post_batch(live_server.url, body).status_code == 200
    assert_rejected(live_server, body, 409, "replayed_batch", ack_seq=3)


def test_unknown_device(live_server, vectors):
    assert_rejected(live_server, vector_body(vectors, "first_three"), 403, "unknown_device")


def test_revoked_device(live_server, badge):
    post_batch(live_server.url, badge.batch(badge.records(2)))
    with live_server.session() as s:
        revoke_device(s, badge.device_id)
    assert_rejected(live_server, badge.batch(badge.records(2)), 403, "device_revoked")


def test_malformed_and_unsupported(live_server, badge):
    good = badge.batch(badge.records(2))
    assert_rejected(live_server, b"VPB1", 400, "malformed_batch")
    assert_rejected(live_server, b"XXXX" + good[4:], 400, "malformed_batch")
    assert_rejected(live_server, good[:-1], 400, "malformed_batch")
    assert_rejected(live_server, badge.batch(badge.log, count=3), 400, "malformed_batch")
    assert_rejected(live_server, badge.batch(badge.log, version=2), 400, "unsupported_version")
    assert_rejected(live_server, b"", 400, "malformed_batch")


def test_oversize_body(live_server, badge):
    answer = assert_rejected(live_server, bytes(36089), 413, "body_too_large")
    assert "36088" in answer["error"]["message"]


def test_oversize_chunked_body(live_server, badge):
    before = state(live_server)
    r = requests.post(
        live_server.url + "/api/v1/batches",
        data=iter([bytes(20000)] * 3),
        headers={"Content-Type": "application/octet-stream"},
        timeout=30,
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"
    assert state(live_server) == before


def test_wrong_content_type(live_server, badge):
    body = badge.batch(badge.records(1))
    assert_rejected(live_server, body, 400, "wrong_content_type", content_type="text/plain")
    assert_rejected(
        live_server,
        body,
        400,
        "wrong_content_type",
        content_type="application/x-www-form-urlencoded",
    )


def test_sequence_gap(live_server, badge):
    post_batch(live_server.url, badge.batch(badge.records(3)))
    badge.records(1)  # record 4 never reaches the host
    answer = assert_rejected(
        live_server, badge.batch(badge.records(2)), 409, "sequence_gap", ack_seq=3
    )
    assert "5" in answer["error"]["message"]


def test_sequence_conflict(live_server, badge):
    records = badge.records(3)
    post_batch(live_server.url, badge.batch(records))
    clone = SoftBadge(key=badge.key, seq=2, head=sha256(records[1]))
    rewritten = clone.records(2, lat_e7=1)  # seq 3 with other bytes, then seq 4
    assert_rejected(live_server, badge.batch(rewritten), 409, "sequence_conflict", ack_seq=3)


def test_chain_broken_against_stored_head(live_server, badge):
    post_batch(live_server.url, badge.batch(badge.records(3)))
    fork = SoftBadge(key=badge.key, seq=3, head=bytes(32))  # seq 4 with a wrong prev_hash
    assert_rejected(live_server, badge.batch(fork.records(2)), 409, "chain_broken", ack_seq=3)


def test_chain_broken_inside_a_signed_batch(live_server, badge):
    a = badge.records(2)
    other = SoftBadge(key=badge.key, seq=2, head=bytes(32)).records(1)  # seq 3, prev_hash zeros
    assert_rejected(live_server, badge.batch(a + other), 409, "chain_broken", ack_seq=0)


def test_first_record_must_start_the_chain(live_server, badge):
    fork = SoftBadge(key=badge.key, head=sha256(b"not the genesis"))
    assert_rejected(live_server, badge.batch(fork.records(2)), 409, "chain_broken", ack_seq=0)


# --- API errors and concurrency ------------------------------------------------------------


def test_api_404_and_405_are_json(live_server):
    r = requests.get(live_server.url + "/api/v1/batches", timeout=10)
    assert r.status_code == 405
    assert r.json()["ok"] is False and r.json()["error"]["code"] == "method_not_allowed"
    r = requests.get(live_server.url + "/api/v1/no-such-thing", timeout=10)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_concurrent_uploads_keep_one_chain(live_server, badge):
    records = badge.records(60)
    bodies = [badge.batch(records[:40]) for _ in range(4)] + [
        badge.batch(records[20:]) for _ in range(4)
    ]
    answers: list[requests.Response] = []
    barrier = threading.Barrier(len(bodies))

    def send(body: bytes) -> None:
        barrier.wait()
        answers.append(post_batch(live_server.url, body))

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers)
    assert set(codes) <= {200, 409}
    for r in answers:
        if r.status_code == 409:  # a tail batch that overtook the head batch
            assert r.json()["error"]["code"] == "sequence_gap"
    oks = [r.json() for r in answers if r.status_code == 200]
    with live_server.session() as s:
        seqs = s.scalars(select(Fix.seq).order_by(Fix.seq)).all()
        device = s.scalar(select(Device))
        assert seqs == list(range(1, device.last_seq + 1))  # stored once, no holes
        assert sum(a["stored"] for a in oks) == len(seqs)
        assert device.last_hash == sha256(records[device.last_seq - 1])
    # whatever the interleaving, a final retry completes the chain
    final = post_batch(live_server.url, badge.batch(records[20:])).json()
    assert final["ack_seq"] == 60


def test_decoder_accepts_what_soft_badge_builds():
    # the test helper and the host decoder agree (guards the helper itself)
    badge = SoftBadge()
    batch = parse_batch(badge.batch(badge.records(3)))
    assert [r.seq for r in batch.records] == [1, 2, 3]
    assert batch.device_id_hex == badge.device_id


def test_api_500_is_json_without_details(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production (TESTING propagates)

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret detail")

    r = app.test_client().get("/api/v1/boom")
    assert r.status_code == 500
    assert r.json == {
        "ok": False,
        "error": {"code": "internal_server_error", "message": "internal error"},
    }


# Payloads of the other kinds, packed from docs/protocol-v1.md's table of kinds.
CHECKIN = struct.pack("<IiiHIBB6x", 7, 481_173_000, 115_167_000, 12, 2, 0, 0)
CELL = struct.pack("<BBHHBhIQH3x", 3, 0, 460, 0, 2, -95, 0x5A1B, 0x1A2B3C4, 1850)


def test_records_of_every_kind_share_one_chain(live_server, badge):
    fixes = badge.records(2)
    checkin = badge.other_record(2, CHECKIN)
    cell = badge.other_record(4, CELL)
    more = badge.records(1)
    r = post_batch(live_server.url, badge.batch([*fixes, checkin, cell, *more]))
    assert r.status_code == 200, r.text
    assert r.json()["ack_seq"] == 5 and r.json()["stored"] == 5
    with live_server.session() as s:
        assert s.scalars(select(Fix.seq).order_by(Fix.seq)).all() == [1, 2, 5]
        rows = s.execute(select(RecordRow.seq, RecordRow.kind, RecordRow.raw)).all()
    assert [(seq, kind) for seq, kind, _ in rows] == [(3, 2), (4, 4)]
    assert payload_fields(2, rows[0].raw)["case_ref"] == 7
    assert payload_fields(4, rows[1].raw)["cell_id"] == 0x1A2B3C4
    # a retry that overlaps both tables is acknowledged, not a conflict
    r = post_batch(live_server.url, badge.batch([checkin, cell, *more]))
    assert r.status_code == 200 and r.json()["duplicates"] == 3


def test_non_zero_reserved_payload_bytes_are_refused(live_server, badge):
    bad = badge.other_record(2, CHECKIN[:-1] + b"\x01")
    r = post_batch(live_server.url, badge.batch([bad]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "field_out_of_range"


def test_unknown_kind_is_malformed(live_server, badge):
    bad = badge.other_record(9, bytes(26))
    r = post_batch(live_server.url, badge.batch([bad]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_batch"
