"""The record log's recovery, encryption at rest, flush API and wipe, on the port's own
filesystem (a directory): torn writes as a FAT volume leaves them, bit flips, truncations.
Power cuts on littlefs over emulated NOR flash: test_storage_powercut_cpython.py."""

import gc
import hashlib
import os
import random
import struct

import fwtest
from storage.recordlog import FRAME_SIZE, SEGMENT_FRAMES, RecordLog
from storage.wipe import wipe_badge

_rmtree = fwtest.rmtree


def _record(seq, prev_hash, kind=1):
    # protocol-v1 layout: lat_e7/lon_e7 at bytes 14..22, distinct per seq
    lat, lon = 311234567 + seq * 37, 1214567890 - seq * 41
    return struct.pack("<BBHIIHii18s", 1, kind, 37, seq, 1700000000 + seq, 0, lat, lon,
                       bytes(18)) + prev_hash


def _fill(log, n, kind=1, keep=True):
    out = []
    for _ in range(n):
        rec = _record(log.last_seq + 1, log.last_hash, kind)
        log.append(rec)
        if keep:
            out.append(rec)
    log.sync()
    return out


def _segments(d):
    return sorted(n for n in os.listdir(d) if n.endswith(".seg"))


def _read(path):
    gc.collect()  # whole segments (8 KB) at a 100 KB heap: free the last trial's first
    with open(path, "rb") as f:
        return f.read()


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _rng(seed):
    """A seeded generator on both interpreters (micropython's random has no Random)."""
    if hasattr(random, "Random"):
        return random.Random(seed)
    random.seed(seed)
    return random


def _seq(rec):
    return struct.unpack_from("<I", rec, 4)[0]


def test_append_is_durable_only_after_sync_and_checkins_sync_at_once():
    d = fwtest.tmpdir("slog")
    try:
        log = RecordLog(d, sync_every=16)
        assert log.append(_record(1, log.last_hash)) is False  # appended, not durable
        assert (log.last_seq, log.durable_seq) == (1, 0)
        assert log.sync() == 1
        assert log.append(_record(2, log.last_hash, kind=2)) is True  # a check-in
        assert log.durable_seq == 2
        for _ in range(15):
            assert log.append(_record(log.last_seq + 1, log.last_hash)) is False
        assert log.append(_record(18, log.last_hash)) is True  # 16th after the last sync
        assert log.durable_seq == 18
    finally:
        _rmtree(d)


def test_fat_power_cut_report_100_records_then_a_torn_101():
    # The public report: an ESP32 FAT volume written by a logger was destroyed when the
    # power went during a write. Here: 100 durable records, the power cut at a random
    # byte k of record 101's frame (the file keeps its first k bytes), restart.
    rnd = _rng(7)
    for k in [0, 1, FRAME_SIZE // 2, FRAME_SIZE - 1, FRAME_SIZE] + [
            rnd.getrandbits(7) % FRAME_SIZE for _ in range(3)]:
        d = fwtest.tmpdir("fat")
        try:
            _write(d + "/config.bin", b"other file" * 10)
            log = RecordLog(d + "/log")
            _fill(log, 100, keep=False)
            rec101 = _record(101, log.last_hash)
            log.append(rec101)
            log.close()
            seg = d + "/log/" + _segments(d + "/log")[-1]
            data = _read(seg)
            _write(seg, data[:len(data) - FRAME_SIZE + k])
            log = RecordLog(d + "/log")  # restart
            got = [_seq(r) for r in log.pending()]
            if k == FRAME_SIZE:
                assert got == list(range(1, 102)) and log.last_hash == hashlib.sha256(
                    rec101).digest()
            else:
                assert got == list(range(1, 101)) and log.last_seq == 100
                assert log.recovery["bytes_dropped"] == k
            log.append(_record(log.last_seq + 1, log.last_hash))
            log.close()
            log = RecordLog(d + "/log")
            prev = None
            seqs = []
            for r in log.pending():
                assert r[:40] == _record(_seq(r), b"")[:40]  # the bytes that were written
                if prev is not None:
                    assert r[40:] == prev  # the chain continues
                prev = hashlib.sha256(r).digest()
                seqs.append(_seq(r))
            assert seqs == list(range(1, len(seqs) + 1))  # no seq twice, none skipped
            assert _read(d + "/config.bin") == b"other file" * 10
            log.close()
        finally:
            _rmtree(d)


def test_bit_flips_and_truncations_keep_every_intact_record_and_report_the_rest():
    d = fwtest.tmpdir("flip")
    rnd = _rng(11)
    try:
        log = RecordLog(d)
        total = 2 * SEGMENT_FRAMES + 30  # three segments
        _fill(log, total, keep=False)
        log.close()
        names = _segments(d)
        firsts = [int(n[:-4]) for n in names]
        for trial in range(30):
            _write(d + "/state.bin", b"")  # no state: everything from the segments
            which = rnd.getrandbits(8) % len(names)
            path = d + "/" + names[which]
            size = os.stat(path)[6]
            if trial % 2:
                pristine = _read(path)
                cut = rnd.getrandbits(16) % size
                _write(path, memoryview(pristine)[:cut])
                damaged = set(range(cut // FRAME_SIZE, size // FRAME_SIZE))
                reported = len(damaged)
                if which == len(names) - 1:  # the newest: what was cut off is unknowable
                    reported = 1 if cut % FRAME_SIZE else 0
            else:
                pristine = None
                bit = rnd.getrandbits(16) % (size * 8)
                with open(path, "r+b") as f:
                    f.seek(bit // 8)
                    byte = f.read(1)[0]
                    f.seek(bit // 8)
                    f.write(bytes([byte ^ (1 << (bit % 8))]))
                damaged = {bit // 8 // FRAME_SIZE}
                reported = 1
            log = RecordLog(d)
            lost = {firsts[which] + i for i in damaged}
            kept = []
            prev = None
            for r in log.pending():
                seq = _seq(r)
                assert r[:40] == _record(seq, b"")[:40]  # the bytes that were written
                if prev is not None and _seq(prev) == seq - 1:
                    assert r[40:] == hashlib.sha256(prev).digest()
                kept.append(seq)
                prev = r
            want = [s for s in range(1, total + 1) if s not in lost]
            assert kept == want, (trial, which, damaged)  # every intact record, once
            assert log.recovery["frames_dropped"] == reported, (trial, which, log.recovery)
            log.close()
            if pristine is None:
                with open(path, "r+b") as f:
                    f.seek(bit // 8)
                    f.write(bytes([byte]))
            else:
                _write(path, pristine)
            pristine = None
            for n in _segments(d):  # recovery removed a segment left with nothing valid
                if n not in names:
                    os.remove(d + "/" + n)
    finally:
        _rmtree(d)


def test_log_files_hold_no_plaintext_coordinates():
    d = fwtest.tmpdir("enc")
    try:
        log = RecordLog(d)
        _fill(log, 120, keep=False)
        log.close()
        for name in os.listdir(d):
            blob = _read(d + "/" + name)
            for seq in range(1, 121):
                rec = _record(seq, b"")
                packed = rec[14:22]  # lat_e7, lon_e7 as the record packs them
                assert packed not in blob, (name, seq)
                assert rec[8:12] not in blob  # nor the fix time
        seqs = [_seq(r) for r in RecordLog(d).pending()]
        assert seqs == list(range(1, 121))
    finally:
        _rmtree(d)


def test_wipe_erases_keys_and_log():
    d = fwtest.tmpdir("wipe")
    try:
        _write(d + "/key.seed", b"S" * 32)
        log = RecordLog(d + "/log")
        _fill(log, 40)
        log_key = _read(d + "/log/log.key")
        wipe_badge(d, log, scrub=False)
        assert "key.seed" not in os.listdir(d)
        assert os.listdir(d + "/log") == ["state.bin"]
        state = _read(d + "/log/state.bin")
        assert log_key not in state and b"S" * 32 not in state
        log = RecordLog(d + "/log")
        assert (log.last_seq, log.count(), log.status_due) == (0, 0, True)
        assert log.status()[4] == 1  # wiped, reported in the next kind-5 record
        assert _read(d + "/log/log.key") != log_key  # a new key for a new life
        log.status_sent()
        assert RecordLog(d + "/log").status()[4] == 0
    finally:
        _rmtree(d)


def test_a_record_written_again_after_a_cut_is_encrypted_under_a_new_iv():
    # A cut can lose seq n before it was durable; the badge then writes seq n again, here
    # byte for byte the same record. Same key, same plaintext: CBC gives the same
    # ciphertext only when the IV is the same, so the two frames must differ past the
    # header (bytes 12..92 are the ciphertext).
    a, b = fwtest.tmpdir("iva"), fwtest.tmpdir("ivb")
    try:
        RecordLog(a).close()  # makes a's key
        _write(b + "/log.key", _read(a + "/log.key"))
        frames = []
        for d in (a, b):
            log = RecordLog(d)
            _fill(log, 1, keep=False)
            log.close()
            frames.append(_read(d + "/" + _segments(d)[0])[:FRAME_SIZE])
        assert frames[0][4:8] == frames[1][4:8] == b"\x01\x00\x00\x00"  # both seq 1
        assert frames[0][12:92] != frames[1][12:92]
        assert [list(RecordLog(d).pending()) for d in (a, b)] == [[_record(1, bytes(32))]] * 2
    finally:
        _rmtree(a)
        _rmtree(b)


def test_records_appended_after_a_wipe_survive_a_restart():
    # After a wipe the badge appends its kind-5 status (wiped=1): append() returns True
    # (durable), so the record must be there after the next boot, and nothing on flash may
    # be readable with a key anyone can guess (the all-zero key).
    d = fwtest.tmpdir("wipe2")
    try:
        log = RecordLog(d + "/log")
        _fill(log, 5)
        wipe_badge(d, log, scrub=False)
        status = _record(1, bytes(32), kind=5)
        assert log.append(status) is True
        log.close()
        key = _read(d + "/log/log.key")
        assert len(key) == 32 and key != bytes(32)
        log = RecordLog(d + "/log")
        assert list(log.pending()) == [status] and log.last_seq == 1
        assert log.recovery["frames_dropped"] == 0
    finally:
        _rmtree(d)
