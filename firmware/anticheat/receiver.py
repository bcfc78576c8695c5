"""The badge's own anti-cheat checks on every receiver epoch (issue 6, "at the badge").

`ReceiverChecks(emit).on_fix(fix)` reads one gnss.fix.Fix (its C/N0 summary, satellite
churn, time, altitude, speed) and calls `emit(code, severity, value_a, value_b, count, fix)`
when a check starts firing; the badge logs that as a signed kind-3 record
(docs/protocol-v1.md "Anti-cheat event codes"). `spoofing()` is True while a check that
means "the receiver is being fed false signals" fires: the badge then refuses check-ins.

Thresholds, and where they come from. Measured with the same rules over every receiver log
in ../shared/data/nmea (real receivers under the real sky): no rule below fires on them.
- CN0_STRONG: 3 or more signals at >= 52 dB-Hz. One transmitter on a table next to the
  badge arrives far stronger than satellites 20,000 km away; open-sky signals peak around
  45-50 dB-Hz (Humphreys et al., "Assessing the spoofing threat", 2008, and the C/N0
  monitors surveyed by Jafarnia-Jahromi et al., 2012, flag anything above ~45-50). Real
  receivers do report single satellites up to 55 dB-Hz (the quectel and furuno logs), so
  one strong satellite is not enough.
- CN0_UNIFORM: 4 or more signals with a C/N0 whose spread (max - min) is under 8 dB while
  their mean is >= 40 dB-Hz. Satellites at 10 and 80 degrees of elevation differ by 10-20
  dB; a simulator's channels often do not. The one recording in ../shared/data made from a
  GNSS simulator (gp-320fw-2019-04-06-overflow.log: four satellites at 40-41 dB-Hz from
  17 to 78 degrees of elevation) fires it; none of the real-sky logs does. The mean floor
  keeps a weak, honest sky (an indoor badge near a window) from firing.
- SATS_BULK: a swap of the sky: at least 4 satellites appear AND at least 4 vanish between
  two epochs, together >= max(8, 3/4 of the larger sky), with >= 4 in view in both. A
  spoofer taking over replaces the sky at once; a receiver that skips a constellation's
  GSV cycle loses many at once and gets them back an epoch later (the quectel log: 9
  lost, then 12 back), which is loss without appearance.
- TIME_NETWORK: GNSS time more than 30 s from the modem's network time. GNSS time is
  right to microseconds; NITZ/CCLK is whole seconds and can lag a few; a replayed
  recording is minutes to years off.
- ALTITUDE: above 9,000 m or below -500 m (the Dead Sea shore is -430 m).
- SPEED: above 400 km/h; the fastest scheduled trains in China run at 350 km/h.
A check fires again only after it has been quiet for REARM_S seconds of fix time.
"""

from micropython import const

# codes and names: docs/protocol-v1.md "Anti-cheat event codes"
CN0_STRONG = const(1)
CN0_UNIFORM = const(2)
SATS_BULK = const(3)
TIME_NETWORK = const(4)
ALTITUDE = const(5)
SPEED = const(6)
SPOOFING_CODES = (CN0_STRONG, CN0_UNIFORM, SATS_BULK, TIME_NETWORK)
STRONG_DBHZ = const(52)
STRONG_COUNT = const(3)
UNIFORM_SPREAD_DB = const(8)
UNIFORM_MEAN_DBHZ = const(40)
UNIFORM_COUNT = const(4)
BULK_MIN = const(8)
TIME_NETWORK_S = const(30)
ALT_MAX_CM = const(900000)
ALT_MIN_CM = const(-50000)
SPEED_MAX_CMPS = const(11112)  # 400 km/h
REARM_S = const(60)
_SEVERITY = b"\x00\x5a\x50\x3c\x46\x28\x28"  # by code: 90, 80, 60, 70, 40, 40


class ReceiverChecks:
    def __init__(self, emit):
        self._emit = emit
        self._active = 0  # bit per code firing at the last epoch
        self._quiet_since = [0] * 7  # fix time (s) each code last stopped firing
        self._net_s = None  # network time, and the local clock (ms) when it was read
        self._net_at_ms = 0
        self.fired = 0

    def set_network_time(self, unix_s, at_ms):
        """The modem's network time (unix seconds) read when the local ms clock said at_ms."""
        self._net_s = unix_s
        self._net_at_ms = at_ms

    def spoofing(self):
        """The lowest spoofing code firing now, 0 when none."""
        for code in SPOOFING_CODES:
            if self._active >> code & 1:
                return code
        return 0

    def active(self, code):
        return bool(self._active >> code & 1)

    def on_fix(self, fix, now_ms=None):
        self._cn0(fix)
        self._bulk(fix)
        if now_ms is not None and self._net_s is not None and fix.time_s is not None:
            net = self._net_s + (now_ms - self._net_at_ms) // 1000
            off = fix.time_s - net
            self._set(TIME_NETWORK, off > TIME_NETWORK_S or off < -TIME_NETWORK_S, fix, off,
                      net - self._net_s, 0)
        else:
            self._set(TIME_NETWORK, False, fix, 0, 0, 0)
        alt = fix.alt_cm if fix.valid else None
        self._set(ALTITUDE, alt is not None and (alt > ALT_MAX_CM or alt < ALT_MIN_CM), fix,
                  alt or 0, ALT_MAX_CM if (alt or 0) > 0 else ALT_MIN_CM, 0)
        speed = fix.speed_cmps if fix.valid else None
        self._set(SPEED, speed is not None and speed > SPEED_MAX_CMPS, fix, speed or 0,
                  SPEED_MAX_CMPS, 0)

    def _cn0(self, fix):
        n = fix.n_sigs
        cn0 = fix.sat_cn0
        strong = 0
        for k in range(n):
            if cn0[k] >= STRONG_DBHZ:
                strong += 1
        self._set(CN0_STRONG, strong >= STRONG_COUNT, fix, fix.cn0_max, strong, strong)
        uniform = (fix.cn0_count >= UNIFORM_COUNT and fix.cn0_spread < UNIFORM_SPREAD_DB
                   and fix.cn0_mean >= UNIFORM_MEAN_DBHZ)
        self._set(CN0_UNIFORM, uniform, fix, fix.cn0_spread, fix.cn0_mean, fix.cn0_count)

    def _bulk(self, fix):
        churn = fix.sats_new + fix.sats_lost
        seen = fix.sats_seen
        before = seen - fix.sats_new + fix.sats_lost  # the last epoch's sky
        sky = seen if seen > before else before
        # the first sky, or one after a tunnel, is no takeover: both skies must be real
        bulk = (fix.sats_new >= 4 and fix.sats_lost >= 4 and before >= 4 and seen >= 4
                and churn >= BULK_MIN and 4 * churn >= 3 * sky)
        self._set(SATS_BULK, bulk, fix, fix.sats_new, fix.sats_lost, churn)

    def _set(self, code, firing, fix, value_a, value_b, count):
        bit = 1 << code
        t = fix.time_s or 0
        if not firing:
            if self._active & bit:
                self._active &= ~bit
                self._quiet_since[code] = t
            return
        if self._active & bit:
            return
        self._active |= bit
        quiet = self._quiet_since[code]
        if quiet and 0 <= t - quiet < REARM_S:
            return  # flapping: the first event still stands
        self.fired += 1
        self._emit(code, _SEVERITY[code], value_a, value_b, count, fix)
