"""Check-ins and the badge's anti-cheat events, in the same signed chain as the fixes.

`CheckinDesk(recorder, board)` sits between the GNSS reader and the FixRecorder:
`on_fix(fix)` runs anticheat.receiver's checks on the epoch (a check that starts firing
is logged as a kind-3 anti-cheat event), then hands the fix to the recorder, then makes
the check-ins that are due. `check_in(case_ref)` is the collector pressing the button:
it logs a kind-2 check-in with the last logged fix's position and accuracy, refused by
the badge (verdict 1) while a spoofing check fires or when no fix of the last
FRESH_S seconds was logged, syncs the log so that the check-in survives a power cut, and
shows the verdict on the board's LED. The host judges every check-in again on its own
geometry; the badge's refusal only ever adds a reason.

On the unix port, `schedule(case_ref, unix_s)` makes the check-in at the first fix at or
after unix_s (fix time): how tests and the demo press the button.
"""

from time import ticks_ms

from anticheat.receiver import ReceiverChecks
from micropython import const
from wire.record import CHECKIN_FMT, EVENT_FMT, KIND_CHECKIN, KIND_EVENT, TIME_GNSS, TIME_NONE

FRESH_S = const(10)
NO_FRESH_FIX = const(250)  # check-in refusal reason: no fix logged in the last FRESH_S s
ACCEPTED = const(0)
REFUSED = const(1)
_U16_UNKNOWN = const(65535)


class CheckinDesk:
    def __init__(self, recorder, board=None, clock_ms=ticks_ms):
        self.recorder = recorder
        self.board = board
        self._clock = clock_ms
        self.checks = ReceiverChecks(self._event)
        self._due = []  # [(unix_s, case_ref)], soonest first
        self._time_s = None  # the last logged fix: time, position, accuracy, seq
        self._time_ms = 0
        self._lat = 0
        self._lon = 0
        self._acc = _U16_UNKNOWN
        self._seq = 0
        self.checkins = 0
        self.checkins_refused = 0
        self.events = 0

    def schedule(self, case_ref, unix_s):
        self._due.append((unix_s, case_ref))
        self._due.sort()

    def on_fix(self, fix):
        self.checks.on_fix(fix, self._clock())
        rec = self.recorder
        before = rec.last_fix_seq
        rec.on_fix(fix)
        if rec.last_fix_seq != before:
            self._time_s, self._time_ms = fix.time_s, fix.time_ms or 0
            self._lat, self._lon = fix.lat_e7, fix.lon_e7
            self._acc = _U16_UNKNOWN if fix.acc_m is None else min(fix.acc_m, _U16_UNKNOWN)
            self._seq = rec.last_fix_seq
        t = fix.time_s
        while self._due and t is not None and self._due[0][0] <= t:
            self.check_in(self._due.pop(0)[1], t)

    def check_in(self, case_ref, now_s=None):
        """Log a check-in for case_ref; returns (verdict, reason)."""
        reason = self.checks.spoofing()
        fresh = (self._time_s is not None and now_s is not None
                 and 0 <= now_s - self._time_s <= FRESH_S)
        if not reason and not fresh:
            reason = NO_FRESH_FIX
        verdict = REFUSED if reason else ACCEPTED
        t = now_s if now_s is not None else self._time_s
        flags = TIME_NONE if t is None else TIME_GNSS
        ok = self.recorder.append_record(
            KIND_CHECKIN, flags, t, self._time_ms if t == self._time_s else 0, CHECKIN_FMT,
            case_ref, self._lat, self._lon, self._acc, self._seq, verdict, reason)
        if ok:
            self.checkins += 1
            self.checkins_refused += verdict
            sync = getattr(self.recorder.log, "sync", None)
            if sync is not None:
                sync()  # a check-in the badge reported must survive a power cut
        show = getattr(self.board, "show_verdict", None)
        if show is not None:
            show(ok and not verdict)
        return verdict, reason

    def _event(self, code, severity, value_a, value_b, count, fix):
        if self.recorder.append_record(
                KIND_EVENT, TIME_NONE if fix.time_s is None else TIME_GNSS, fix.time_s,
                fix.time_ms, EVENT_FMT, code, severity, value_a, value_b,
                fix.lat_e7 or 0, fix.lon_e7 or 0, min(count, 255)):
            self.events += 1
