"""RecordLog: append, peek, ack, and a restart (reopen) that keeps order and chain state."""

import hashlib
import os
import struct

import fwtest
from storage.recordlog import SEGMENT_RECORDS, LogFull, RecordLog


def _tmpdir():
    return fwtest.tmpdir("log")


_rmtree = fwtest.rmtree


def _record(seq, prev_hash):
    # A record as the wire layer lays it out: the seq at bytes 4..8, prev_hash at 40..72.
    return struct.pack("<BBHI32s", 1, 1, 37, seq, b"%032d" % seq) + prev_hash


def _fill(log, n, keep=None):
    """Append n chained records; return them (or only those whose seq is in keep)."""
    out = []
    for _ in range(n):
        rec = _record(log.last_seq + 1, log.last_hash)
        log.append(rec)
        if keep is None or log.last_seq in keep:
            out.append(rec)
    return out


def _seqs(records):
    return [struct.unpack_from("<I", r, 4)[0] for r in records]


def test_empty_log_starts_the_chain_at_zero():
    d = _tmpdir()
    try:
        log = RecordLog(d + "/log")
        assert (log.count(), log.last_seq, log.last_hash) == (0, 0, bytes(32))
        assert log.peek(5) == []
        assert log.ack(10) == 0
    finally:
        _rmtree(d)


def test_append_peek_ack_reopen_preserves_order_and_chain():
    d = _tmpdir()
    try:
        log = RecordLog(d)
        written = _fill(log, 10)
        assert log.count() == 10
        assert log.last_seq == 10
        assert log.last_hash == hashlib.sha256(written[-1]).digest()
        assert log.peek(3) == written[:3]
        assert list(log.pending()) == written
        log.close()
        # restart
        log = RecordLog(d)
        assert log.count() == 10
        assert log.last_seq == 10
        assert log.last_hash == hashlib.sha256(written[-1]).digest()
        assert log.peek(10) == written
        # the chain continues where it stopped
        more = _fill(log, 2)
        assert more[0][40:] == hashlib.sha256(written[-1]).digest()
        assert _seqs(log.peek(100)) == list(range(1, 13))
    finally:
        _rmtree(d)


def test_partial_ack_never_returns_acked_records_even_after_restart():
    d = _tmpdir()
    try:
        log = RecordLog(d)
        written = _fill(log, 7)
        assert log.ack(4) == 4
        assert log.count() == 3
        assert log.peek(10) == written[4:]
        assert log.ack(3) == 0  # an older ack changes nothing
        log.close()
        log = RecordLog(d)
        assert log.count() == 3
        assert log.first_pending_seq() == 5
        assert log.peek(10) == written[4:]
        assert list(log.pending()) == written[4:]
    finally:
        _rmtree(d)


def test_ack_everything_then_restart_keeps_chain_state():
    d = _tmpdir()
    try:
        log = RecordLog(d)
        n = SEGMENT_RECORDS + 5  # spans two segment files
        written = _fill(log, n, keep=(n,))
        assert log.ack(n + 100) == n  # ack beyond the log is clamped
        assert log.count() == 0
        # the newest segment stays: it holds the chain head
        assert [x for x in os.listdir(d) if x.endswith(".seg")] == [f"{n - 4:010d}.seg"]
        log.close()
        log = RecordLog(d)
        assert log.count() == 0
        assert log.last_seq == n
        assert log.last_hash == hashlib.sha256(written[-1]).digest()
        nxt = _fill(log, 1)[0]
        assert _seqs([nxt]) == [n + 1]
        assert log.peek(10)[-1] == nxt
    finally:
        _rmtree(d)


def test_ack_across_segments_deletes_only_whole_acked_segments():
    d = _tmpdir()
    try:
        log = RecordLog(d)
        s = SEGMENT_RECORDS
        # keep records s+2, s+3 (first pending after the ack) and s+4
        kept = _fill(log, 2 * s + 3, keep=(s + 2, s + 3, s + 4))
        assert log.ack(s + 1) == s + 1
        segs = sorted(x for x in os.listdir(d) if x.endswith(".seg"))
        assert segs == [f"{s + 1:010d}.seg", f"{2 * s + 1:010d}.seg"]
        assert log.peek(3) == kept
        buf = bytearray(72 * 4)
        assert log.read_into(memoryview(buf), 4) == 4
        assert bytes(buf[:72 * 3]) == b"".join(kept)
        log.close()
        log = RecordLog(d)
        assert log.count() == s + 2
        assert log.peek(1) == [kept[0]]
    finally:
        _rmtree(d)


def test_torn_last_record_is_dropped_and_appends_continue():
    d = _tmpdir()
    try:
        log = RecordLog(d)
        written = _fill(log, 3)
        log.close()
        with open(d + "/0000000001.seg", "ab") as f:
            f.write(b"\x01\x01\x25\x00" + bytes(20))  # power lost mid-append
        log = RecordLog(d)
        assert log.count() == 3
        assert log.last_hash == hashlib.sha256(written[-1]).digest()
        more = _fill(log, 2)
        log.close()
        log = RecordLog(d)
        assert log.peek(10) == written + more
    finally:
        _rmtree(d)


def test_out_of_sequence_append_is_refused_and_full_log_raises():
    d = _tmpdir()
    try:
        log = RecordLog(d, max_records=3)
        _fill(log, 3)
        try:
            log.append(_record(9, log.last_hash))
            raise AssertionError("a seq gap was accepted")
        except ValueError:
            pass
        try:
            _fill(log, 1)
            raise AssertionError("a full log accepted a record")
        except LogFull:
            pass
        assert log.dropped_records + log.thinned_fixes == 1  # a fix: thinned (policy)
        log.ack(1)  # space comes back by whole segments only: still full
        try:
            _fill(log, 1)
            raise AssertionError("a partly acked segment freed space")
        except LogFull:
            pass
        log.ack(3)
        _fill(log, 1)
        assert _seqs(log.peek(10)) == [4]
    finally:
        _rmtree(d)
