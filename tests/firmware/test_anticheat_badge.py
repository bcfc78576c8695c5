"""The badge's receiver checks (firmware/anticheat/receiver.py) and check-ins
(firmware/badge/checkin.py), under CPython and micropython.

Expected values: the sentences below are written by hand (their C/N0, altitudes and speeds
are the inputs, the checks' documented thresholds decide); the honest logs are gpsd's
regression recordings of real receivers, on which no check may fire.
"""

import fwtest
from anticheat.receiver import (
    ALTITUDE,
    CN0_STRONG,
    CN0_UNIFORM,
    SATS_BULK,
    SPEED,
    TIME_NETWORK,
    ReceiverChecks,
)
from gnss.nmea import NmeaReader


def _sentence(body):
    c = 0
    for ch in body:
        c ^= ord(ch)
    return "$%s*%02X\r\n" % (body, c)


def _gsv(sats):
    """GPGSV sentences listing (prn, el, az, cn0) rows, four per sentence."""
    out = ""
    n = (len(sats) + 3) // 4
    for i in range(n):
        body = "GPGSV,%d,%d,%02d" % (n, i + 1, len(sats))
        for prn, el, az, cn0 in sats[4 * i:4 * i + 4]:
            body += ",%02d,%02d,%03d,%02d" % (prn, el, az, cn0)
        out += _sentence(body)
    return out


def _epoch(hhmmss, sats, alt_m="545.4", knots="0.5"):
    """One 1 Hz epoch on 2024-03-05 at 48.1173 N 11.5167 E: GGA, GSA, GSV, RMC."""
    used = ",".join("%02d" % s[0] for s in sats[:12])
    used += "," * (12 - min(12, len(sats)))
    return (_sentence("GPGGA,%s.00,4807.038,N,01131.000,E,1,%02d,0.9,%s,M,46.9,M,,"
                      % (hhmmss, len(sats), alt_m))
            + _sentence("GPGSA,A,3,%s,1.5,0.9,1.2" % used)
            + _gsv(sats)
            + _sentence("GPRMC,%s.00,A,4807.038,N,01131.000,E,%s,084.4,050324,,,A"
                        % (hhmmss, knots)))


# An honest sky: eight satellites from 12 to 78 degrees, 28..47 dB-Hz (spread 19 dB).
OPEN_SKY = [(2, 78, 50, 47), (5, 61, 120, 45), (7, 44, 200, 43), (9, 35, 250, 41),
            (13, 28, 300, 38), (16, 20, 20, 35), (21, 15, 90, 31), (26, 12, 160, 28)]
# A simulator on the desk: the same eight, all at 53 dB-Hz.
SPOOFED = [(p, el, az, 53) for p, el, az, _ in OPEN_SKY]
# A different sky of eight other satellites (a spoofer's constellation taking over).
OTHER_SKY = [(p + 1, el, az, c) for p, el, az, c in OPEN_SKY]


def _run(text, network=None):
    events = []
    checks = ReceiverChecks(lambda *a: events.append((a[0], a[2], a[3], a[4], a[5].time_s)))
    if network is not None:
        checks.set_network_time(network, 0)
    reader = NmeaReader(lambda fix: checks.on_fix(fix, 0))
    reader.feed(text.encode())
    reader.flush()
    return checks, events


def test_an_open_sky_fires_nothing():
    checks, events = _run(_epoch("120000", OPEN_SKY) + _epoch("120001", OPEN_SKY))
    assert events == [] and checks.spoofing() == 0


def test_uniform_strong_signals_fire_both_cn0_checks():
    checks, events = _run(_epoch("120000", OPEN_SKY) + _epoch("120001", SPOOFED))
    codes = [e[0] for e in events]
    assert CN0_STRONG in codes and CN0_UNIFORM in codes
    strong = events[codes.index(CN0_STRONG)]
    assert strong[1:4] == (53, 8, 8)  # cn0_max 53 dB-Hz, eight signals >= 52
    uniform = events[codes.index(CN0_UNIFORM)]
    assert uniform[1:4] == (0, 53, 8)  # spread 0 dB, mean 53 dB-Hz, eight signals
    assert checks.spoofing() == CN0_STRONG


def test_a_whole_new_sky_at_once_is_bulk_churn():
    checks, events = _run(_epoch("120000", OPEN_SKY) + _epoch("120001", OTHER_SKY))
    bulk = [e for e in events if e[0] == SATS_BULK]
    # eight appeared and eight vanished: 16 >= max(8, 3/4 of a sky of 8)
    assert len(bulk) == 1 and bulk[0][1:4] == (8, 8, 16)


def test_gnss_time_an_hour_from_the_network_time():
    # 2024-03-05T12:00:00Z = 1709640000; the network says one hour later
    checks, events = _run(_epoch("120000", OPEN_SKY), network=1709640000 + 3600)
    assert [(e[0], e[1]) for e in events] == [(TIME_NETWORK, -3600)]
    checks, events = _run(_epoch("120000", OPEN_SKY), network=1709640000 + 20)
    assert events == []  # 20 s: within the 30 s NITZ allowance


def test_altitude_and_speed_no_collector_reaches():
    # 12,000 m; 300 knots = 555.6 km/h = 15433 cm/s
    checks, events = _run(_epoch("120000", OPEN_SKY, alt_m="12000.0", knots="300.0"))
    got = {e[0]: e[1] for e in events}
    assert got == {ALTITUDE: 1200000, SPEED: 15433}
    assert checks.spoofing() == 0  # implausible, but not a spoofing signature


def test_a_check_fires_once_while_it_lasts():
    text = _epoch("120000", SPOOFED) + _epoch("120001", SPOOFED) + _epoch("120002", SPOOFED)
    checks, events = _run(text)
    assert sorted(e[0] for e in events) == [CN0_STRONG, CN0_UNIFORM]


def _replay(name, expected):
    path = fwtest.data_path("nmea/gpsd/" + name)
    events = []
    fixes = [0]
    checks = ReceiverChecks(lambda *a: events.append(a[0]))

    def on_fix(fix):
        fixes[0] += 1
        checks.on_fix(fix)

    reader = NmeaReader(on_fix)
    with open(path, "rb") as f:
        while True:
            chunk = f.read(512)
            if not chunk:
                break
            reader.feed(chunk)
    reader.flush()
    assert fixes[0] > 0, name
    assert events == expected, (name, events)


# The data README: "RF Solutions GPS-320FW (SE4100L), simulator spoofed to 2019-04-06".
SIMULATOR_LOG = "gp-320fw-2019-04-06-overflow.log"


def test_honest_receivers_fire_nothing():
    """Every other gpsd regression log: real receivers under the sky, the negative class."""
    import os

    names = [n for n in os.listdir(fwtest.data_path("nmea/gpsd"))
             if n.endswith(".log") and n != SIMULATOR_LOG]
    assert len(names) >= 30
    for name in names:
        _replay(name, [])


def test_a_real_gnss_simulator_recording_is_uniform():
    # four satellites at 40-41 dB-Hz from 17 to 78 degrees elevation: spread 1 dB, mean 40
    _replay(SIMULATOR_LOG, [CN0_UNIFORM])


def _desk_run(text, checkins):
    """Feed epochs through a CheckinDesk over a real RecordLog; return its records."""
    from badge.app import FixRecorder
    from badge.checkin import CheckinDesk
    from storage.recordlog import RecordLog

    d = fwtest.tmpdir("desk")
    try:
        log = RecordLog(d + "/log")
        desk = CheckinDesk(FixRecorder(log), None, lambda: 0)
        for case_ref, at in checkins:
            desk.schedule(case_ref, at)
        reader = NmeaReader(desk.on_fix)
        reader.feed(text.encode())
        reader.flush()
        n = log.count()
        buf = bytearray(72 * n)
        assert log.read_into(memoryview(buf), n) == n
        return desk, [bytes(buf[72 * i:72 * i + 72]) for i in range(n)]
    finally:
        fwtest.rmtree(d)


def test_checkin_under_an_open_sky_is_accepted_with_its_fix():
    import struct

    desk, recs = _desk_run(_epoch("120000", OPEN_SKY) + _epoch("120001", OPEN_SKY),
                           [(42, 1709640001)])
    kinds = [r[1] for r in recs]
    assert kinds == [1, 1, 2]  # fix, fix, check-in
    case_ref, lat, lon, acc, fix_seq, verdict, reason = struct.unpack_from("<IiiHIBB", recs[2], 14)
    # 4807.038 N = 48 + 7.038/60 = 48.1173 deg; 01131.000 E = 11 + 31/60 = 11.5166667 deg
    assert (case_ref, lat, lon, fix_seq, verdict, reason) == (42, 481173000, 115166667, 2, 0, 0)
    assert acc == 5  # HDOP 0.9 x 5 m UERE, rounded up (gnss/fix.py error model)
    assert struct.unpack_from("<I", recs[2], 8)[0] == 1709640001  # stamped with fix time


def test_checkin_while_spoofed_is_refused_and_the_event_is_logged():
    import struct

    desk, recs = _desk_run(_epoch("120000", OPEN_SKY) + _epoch("120001", SPOOFED),
                           [(42, 1709640001)])
    kinds = [r[1] for r in recs]
    assert kinds.count(3) == 2 and kinds[-1] == 2  # two events, then the check-in
    events = [struct.unpack_from("<BBii", r, 14) for r in recs if r[1] == 3]
    assert sorted(e[0] for e in events) == [CN0_STRONG, CN0_UNIFORM]
    verdict, reason = struct.unpack_from("<BB", recs[-1], 32)
    assert (verdict, reason) == (1, CN0_STRONG)
    assert (desk.checkins, desk.checkins_refused, desk.events) == (1, 1, 2)


def test_checkin_without_a_fresh_fix_is_refused():
    import struct

    # the check-in is due at 12:00:30 but the only fix is from 12:00:00; a later epoch
    # without a position (RMC V) makes it due
    text = _epoch("120000", OPEN_SKY) + _sentence("GPRMC,120030.00,V,,,,,,,050324,,,N")
    desk, recs = _desk_run(text, [(7, 1709640030)])
    assert [r[1] for r in recs] == [1, 2]
    assert struct.unpack_from("<BB", recs[-1], 32) == (1, 250)
