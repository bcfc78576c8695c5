"""Uploader ack / retry / reject logic against a scripted uplink that answers as
docs/protocol-v1.md says the host does (200 + ack_seq, 409 + ack_seq, 4xx, 5xx, lost answers).
The real HTTP path is exercised end to end by the demo test."""

import os
import struct

from badge.uploader import REJECTED, RESYNC, RETRY, SENT, STALLED, Uploader
from storage.recordlog import RecordLog

DEVICE_ID = b"\x21\xfe\x31\xdf\xa1\x54\xa2\x61"


class StubKey:
    def sign(self, msg):
        return msg + msg  # 64 bytes; the signature's validity is test_wire's business


class ScriptedHost:
    """Keeps the highest stored seq and answers like the ingest API.

    `script` holds what to do with the next posts: "ok" (verify and store), "down" (raise
    OSError, nothing stored), "lost" (store, then raise OSError: the answer never arrives),
    or (status, dict) to answer verbatim.
    """

    def __init__(self, script=()):
        self.script = list(script)
        self.stored = 0
        self.bodies = []
        self.seen = []
        self.device_id = DEVICE_ID

    def post(self, path, body):
        assert path == "/api/v1/batches"
        body = bytes(body)
        self.bodies.append(body)
        step = self.script.pop(0) if self.script else "ok"
        if step == "down":
            raise OSError(113)  # EHOSTUNREACH
        if isinstance(step, tuple):
            return step
        if body in self.seen:
            return 409, {"ok": False, "ack_seq": self.stored, "error": {"code": "replayed_batch"}}
        magic, ver, flags, count, dev, _nonce = struct.unpack_from("<4sBBH8s8s", body, 0)
        assert (magic, ver, flags, dev) == (b"VPB1", 1, 0, self.device_id)
        assert len(body) == 24 + 72 * count + 64
        first = struct.unpack_from("<I", body, 24 + 4)[0]
        last = struct.unpack_from("<I", body, 24 + 72 * (count - 1) + 4)[0]
        assert last == first + count - 1
        if first > self.stored + 1:
            return 409, {"ok": False, "ack_seq": self.stored, "error": {"code": "sequence_gap"}}
        dup = max(0, self.stored - first + 1)
        self.stored = max(self.stored, last)
        self.seen.append(body)
        if step == "lost":
            raise OSError(110)  # ETIMEDOUT after the host stored it
        return 200, {"ok": True, "ack_seq": self.stored, "stored": count - dup, "duplicates": dup}


class Clock:
    def __init__(self):
        self.now = 0
        self.slept = []

    def ms(self):
        return self.now

    def sleep(self, ms):
        self.slept.append(ms)
        self.now += ms


def _tmpdir():
    path = "/tmp/vp_test_up_" + "".join(f"{b:02x}" for b in os.urandom(6))
    os.mkdir(path)
    return path


def _rmtree(path):
    for name in os.listdir(path):
        os.remove(path + "/" + name)
    os.rmdir(path)


def _append(log, n):
    for _ in range(n):
        seq = log.last_seq + 1
        log.append(struct.pack("<BBHI32s", 1, 1, 37, seq, bytes(32)) + log.last_hash)


def _setup(script=(), batch_size=5):
    d = _tmpdir()
    log = RecordLog(d)
    host = ScriptedHost(script)
    clock = Clock()
    up = Uploader(log, StubKey(), DEVICE_ID, host, batch_size, clock_ms=clock.ms, sleep=clock.sleep,
                  compact=False)  # FakeHost reads canonical records; compact: test_wire
    return d, log, host, clock, up


def _nonces(host):
    return [b[16:24] for b in host.bodies]


def test_full_batch_is_sent_and_acked():
    d, log, host, _clock, up = _setup()
    try:
        for _ in range(4):
            _append(log, 1)
            assert up.poll() is None  # fewer than batch_size pending
        _append(log, 1)
        assert up.poll() == SENT
        assert (host.stored, log.count(), up.records_uploaded) == (5, 0, 5)
        assert len(host.bodies) == 1 and len(host.bodies[0]) == 24 + 72 * 5 + 64
    finally:
        _rmtree(d)


def test_network_error_keeps_records_and_backs_off():
    d, log, host, clock, up = _setup(["down", "down"])
    try:
        _append(log, 5)
        assert up.poll() == RETRY
        assert log.count() == 5
        _append(log, 1)
        assert up.poll() is None  # still inside the backoff
        clock.now += 1000
        assert up.poll() == RETRY  # second failure doubles the backoff
        clock.now += 1000
        _append(log, 1)
        assert up.poll() is None
        clock.now += 1000
        assert up.poll() == SENT
        assert (host.stored, log.count(), up.records_uploaded, up.upload_errors) == (5, 2, 5, 2)
        assert log.first_pending_seq() == 6
    finally:
        _rmtree(d)


def test_lost_answer_is_resent_with_a_fresh_nonce_and_acked_once():
    d, log, host, _clock, up = _setup(["lost"])
    try:
        _append(log, 5)
        assert up.poll() == RETRY
        assert host.stored == 5 and log.count() == 5
        assert up.flush() == 0
        assert len(host.bodies) == 2
        n1, n2 = _nonces(host)
        assert n1 != n2
        assert host.bodies[0][24:-64] == host.bodies[1][24:-64]  # same records
        assert up.records_uploaded == 5
    finally:
        _rmtree(d)


def test_409_with_ack_seq_resynchronises():
    d, log, host, _clock, up = _setup()
    try:
        _append(log, 8)
        host.stored = 3  # the host holds 1..3 already (an earlier answer was lost)
        host.script = [(409, {"ok": False, "ack_seq": 3, "error": {"code": "sequence_conflict"}})]
        assert up.upload_once() == RESYNC
        assert log.first_pending_seq() == 4
        assert up.flush() == 0
        assert host.stored == 8 and up.records_uploaded == 8 and up.records_rejected == 0
    finally:
        _rmtree(d)


def test_sequence_gap_409_is_a_rejection_and_keeps_records():
    d, log, host, _clock, up = _setup()
    try:
        _append(log, 5)
        log.ack(2)  # the badge lost 1..2 without the host having them
        assert up.upload_once() == REJECTED
        assert host.stored == 0
        assert (log.count(), up.records_rejected) == (3, 3)
        assert up.last_error == "409 sequence_gap"
    finally:
        _rmtree(d)


def test_other_4xx_counts_rejected_once_and_keeps_records():
    refused = (403, {"ok": False, "error": {"code": "unknown_device", "message": "no device"}})
    d, log, host, _clock, up = _setup([refused] * 10)
    try:
        _append(log, 5)
        assert up.poll() == REJECTED
        assert (log.count(), up.records_rejected, up.last_error) == (5, 5, "403 unknown_device")
        _append(log, 1)
        assert up.poll() is None  # held back until another batch's worth is pending
        assert up.flush() == 6  # flush tries once, stops on the refusal
        assert up.records_rejected == 5  # the same five records, counted once
        _append(log, 4)
        assert up.poll() is None  # 10 pending; the refusal at 6 holds until 11
        _append(log, 1)
        assert up.poll() == REJECTED
        assert up.records_rejected == 5  # the batch holds the same oldest five records
        assert log.count() == 11 and host.stored == 0
    finally:
        _rmtree(d)


def test_server_error_is_retried_at_flush_with_bounded_attempts():
    busy = (503, {})
    d, log, host, clock, up = _setup([busy, busy, busy, busy, busy, busy])
    try:
        _append(log, 3)
        assert up.flush(max_attempts=3) == 3
        assert len(host.bodies) == 3 and clock.slept == [1000, 2000]
        assert up.flush(max_attempts=5) == 0  # 3 more 503s, then the host takes it
        assert host.stored == 3 and up.records_uploaded == 3
        assert len(set(_nonces(host))) == len(host.bodies)
    finally:
        _rmtree(d)


def test_flush_sends_partial_batches_oldest_first():
    d, log, host, _clock, up = _setup()
    try:
        _append(log, 12)
        assert up.flush() == 0
        counts = [struct.unpack_from("<H", b, 6)[0] for b in host.bodies]
        firsts = [struct.unpack_from("<I", b, 28)[0] for b in host.bodies]
        assert counts == [5, 5, 2] and firsts == [1, 6, 11]
        assert up.records_uploaded == 12 and up.batches_sent == 3
    finally:
        _rmtree(d)


def test_200_without_progress_does_not_loop():
    d, log, host, _clock, up = _setup([(200, {"ok": True, "ack_seq": 0})] * 3)
    try:
        _append(log, 5)
        assert up.upload_once() == STALLED
        assert up.flush() == 5 and len(host.bodies) == 2
        assert log.count() == 5 and up.records_rejected == 0
    finally:
        _rmtree(d)


def test_unreadable_answer_is_transient():
    d, log, _host, _clock, up = _setup([(200, None), (502, {})])
    try:
        _append(log, 5)
        assert up.upload_once() == RETRY
        assert up.upload_once() == RETRY
        assert up.upload_once() == SENT
        assert log.count() == 0
    finally:
        _rmtree(d)
