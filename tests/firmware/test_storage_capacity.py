"""The log's capacity policy (storage/recordlog.py docstring): filled past capacity at the
default rate of one fix per second, fixes are thinned by fill level, check-ins never."""

import struct

import fwtest
from badge.app import FixRecorder
from storage.recordlog import RecordLog
from wire.record import CHECKIN_FMT, KIND_CHECKIN, KIND_LOG_STATUS, LOG_STATUS_FMT

CAP = 400  # records; the tiers are fractions of it, as for the real 16320
T0 = 1700000000


class F:
    def __init__(self, time_s):
        self.time_s, self.time_ms, self.valid = time_s, 0, True
        self.lat_e7, self.lon_e7, self.alt_cm = 311234567, 1214567890, 4010
        self.acc_m, self.speed_cmps, self.course_cdeg, self.hdop_x10 = 3, 2, None, 6
        self.quality, self.mode, self.sats_used, self.sats_seen = 1, 3, 9, 14
        self.cn0_max, self.cn0_mean = 44, 33


def _gap_at(slot):
    # the documented tiers, by fill when the fix arrives: slot*1000//400 permille
    permille = slot * 1000 // CAP
    if permille >= 970:
        return None  # no fixes: slots 388..399 are for check-ins and status records
    if permille >= 900:  # slots 360..387
        return 300
    if permille >= 750:  # slots 300..359
        return 60
    if permille >= 500:  # slots 200..299
        return 10
    return 1


def test_filling_past_capacity_thins_fixes_by_tier_and_keeps_every_checkin():
    d = fwtest.tmpdir("cap")
    try:
        log = RecordLog(d, max_records=CAP)
        rec = FixRecorder(log, None, min_interval_ms=1000)
        pressed = kept_checkins = refused_checkins = 0
        for t in range(40000):  # 11.1 h of fixes at 1/s, a check-in every 300 s
            rec.on_fix(F(T0 + t))
            if t % 300 == 150:
                pressed += 1
                payload = (pressed, 311234567, 1214567890, 5, log.last_seq, 0, 0)
                if rec.append_record(KIND_CHECKIN, 1, T0 + t, 0, CHECKIN_FMT, *payload):
                    kept_checkins += 1
                else:
                    refused_checkins += 1
        assert log.count() == CAP  # full
        kinds = {}
        last_fix_t = None
        slot = 0
        for r in log.pending():
            kind, seq, t = r[1], struct.unpack_from("<I", r, 4)[0], struct.unpack_from(
                "<I", r, 8)[0]
            assert seq == slot + 1
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == 1:
                gap = _gap_at(slot)
                assert gap is not None, slot  # no fix in the reserved last 3 %
                if last_fix_t is not None and gap > 1 and _gap_at(slot - 1) == gap:
                    assert t - last_fix_t >= gap, (slot, t - last_fix_t)
                if gap == 1 and last_fix_t is not None:
                    assert t - last_fix_t == 1 or kinds.get(2)
                last_fix_t = t
            slot += 1
        # every check-in pressed before the log was physically full is kept
        assert kinds[2] == kept_checkins
        assert refused_checkins == pressed - kept_checkins
        assert log.dropped_records >= refused_checkins
        assert rec.fixes_thinned == log.thinned_fixes > 30000
        assert kinds[KIND_LOG_STATUS] >= 1  # the counters went out in kind-5 records
        assert not rec.append_record(KIND_CHECKIN, 1, T0 + 40001, 0, CHECKIN_FMT, 0, 0, 0, 5,
                                     0, 0, 0)  # full: refused and counted, never raised
    finally:
        fwtest.rmtree(d)


def test_status_record_carries_the_counters():
    d = fwtest.tmpdir("cap")
    try:
        log = RecordLog(d, max_records=20)
        rec = FixRecorder(log, None, min_interval_ms=1000)
        for t in range(200):
            rec.on_fix(F(T0 + t))
        status = [r for r in log.pending() if r[1] == KIND_LOG_STATUS]
        assert status
        dropped, thinned, boots, used, wiped, _ = struct.unpack_from(LOG_STATUS_FMT, status[0],
                                                                     14)
        assert (dropped, boots, wiped) == (0, 1, 0) and thinned >= 1
        assert 500 <= used <= 1000
        log.close()
        log = RecordLog(d, max_records=20)
        assert log.boots == 2 and 1 <= log.thinned_fixes <= rec.fixes_thinned
    finally:
        fwtest.rmtree(d)
