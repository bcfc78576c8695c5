"""The fix loop (badge.app.FixRecorder): which fixes become chained records.
A real receiver log and the whole Badge: test_uploader_e2e.py (a process of its own, for heap)."""

import hashlib
import struct

import fwtest
from badge.app import FixRecorder
from storage.recordlog import RecordLog


class F:
    """A fix with the gnss.fix.Fix attribute names."""

    def __init__(self, time_s, time_ms=0, valid=True):
        self.time_s, self.time_ms, self.valid = time_s, time_ms, valid
        self.lat_e7, self.lon_e7, self.alt_cm = 380872531, -1225576880, 4010
        self.acc_m, self.speed_cmps, self.course_cdeg, self.hdop_x10 = 3, 2, None, 6
        self.quality, self.mode, self.sats_used, self.sats_seen = 2, 3, 24, 38
        self.cn0_max, self.cn0_mean = 47, 36


def _tmpdir():
    return fwtest.tmpdir("app")


_rmtree = fwtest.rmtree


def _times(records):
    return [struct.unpack_from("<I", r, 8)[0] for r in records]


def test_only_valid_timed_fixes_at_the_interval_become_records():
    d = _tmpdir()
    try:
        log = RecordLog(d)
        rec = FixRecorder(log, None, min_interval_ms=2000)
        for fix in (F(100), F(101), F(102, 500), F(None), F(103, valid=False), F(105),
                    F(60)):  # the clock steps back: recorded, the host judges it
            rec.on_fix(fix)
        assert (rec.fixes_read, rec.records_signed) == (7, 4)
        assert (rec.fixes_thinned, rec.fixes_untimed, rec.fixes_invalid) == (1, 1, 1)
        records = log.peek(10)
        assert _times(records) == [100, 102, 105, 60]
        prev = bytes(32)
        for i, r in enumerate(records):
            assert struct.unpack_from("<I", r, 4)[0] == i + 1
            assert r[40:] == prev
            prev = hashlib.sha256(r).digest()
        assert struct.unpack_from("<H", records[0], 2)[0] == 37  # GNSS time+position, valid
    finally:
        _rmtree(d)


def test_bad_fix_object_is_counted_not_raised():
    d = _tmpdir()
    try:
        rec = FixRecorder(RecordLog(d))
        rec.on_fix(object())  # no attributes at all
        assert (rec.fixes_read, rec.errors, rec.records_signed) == (1, 1, 0)
    finally:
        _rmtree(d)
