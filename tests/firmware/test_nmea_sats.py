"""gnss.nmea per-satellite, per-signal C/N0 table and its per-epoch summary (the anti-cheat
inputs). Runs under CPython (pytest) and micropython (tests/firmware/mprun.py). The
sentences are built here; the expected values are counted by hand in the comments."""

import fwtest
from gnss.fix import SYS_GALILEO, SYS_GLONASS, SYS_GPS
from gnss.nmea import NmeaReader


def _sentence(body):
    cs = 0
    for c in body:
        cs ^= c
    return b"$" + body + b"*%02X\r\n" % cs


def _rmc(t):
    return _sentence(b"GPRMC," + t + b",A,4807.038,N,01131.000,E,0.0,0.0,141024,,,A")


def _run(lines, keep):
    r = NmeaReader(keep)
    for line in lines:
        r.feed(line)
    r.flush()
    assert r.callback_errors == 0, r.last_error
    return r


def _summary(f):
    return (
        f.n_sigs,
        f.sats_seen,
        f.sats_new,
        f.sats_lost,
        f.cn0_count,
        f.cn0_max,
        f.cn0_min,
        f.cn0_mean,
        f.cn0_spread,
    )


def test_signals_and_summary():
    # NMEA 4.11 (u-blox F9): GPS L1 (signal 1) and L2 CL (signal 6) of PRN 10 and 13,
    # Galileo E1 (signal 7) of PRN 5, and a GSA with system ID 1 using GPS 10 and 13.
    lines = (
        _rmc(b"101500"),
        _sentence(b"GNGSA,A,3,10,13,,,,,,,,,,,1.0,0.6,0.8,1"),
        _sentence(b"GPGSV,1,1,02,10,24,284,34,13,37,124,29,1"),
        _sentence(b"GPGSV,1,1,02,10,24,284,20,13,37,124,,6"),
        _sentence(b"GAGSV,1,1,01,05,60,100,47,7"),
    )
    out = []
    _run(
        lines,
        lambda f: out.append(
            (
                _summary(f),
                [
                    (
                        f.sat_sys[k],
                        f.sat_prn[k],
                        f.sat_sig[k],
                        f.sat_el[k],
                        f.sat_az[k],
                        f.sat_cn0[k],
                        f.sat_used[k],
                    )
                    for k in range(f.n_sigs)
                ],
            )
        ),
    )
    summary, rows = out[0]
    assert rows == [
        (SYS_GPS, 10, 1, 24, 284, 34, 1),
        (SYS_GPS, 13, 1, 37, 124, 29, 1),
        (SYS_GPS, 10, 6, 24, 284, 20, 1),
        (SYS_GPS, 13, 6, 37, 124, 0, 1),
        (SYS_GALILEO, 5, 7, 60, 100, 47, 0),
    ]
    # 5 rows, 3 satellites, all new; C/N0 34 29 20 47: max 47, min 20,
    # mean (34+29+20+47)//4 = 130//4 = 32, spread 27
    assert summary == (5, 3, 3, 0, 4, 47, 20, 32, 27)


def test_satellites_appearing_and_vanishing():
    gsv = b"GLGSV,1,1,%02d"

    def glgsv(*prns):
        body = gsv % len(prns)
        for p in prns:
            body += b",%d,30,100,40" % p
        return _sentence(body)

    lines = (
        _rmc(b"101500"),
        glgsv(65, 66, 67),
        _rmc(b"101501"),
        glgsv(66, 67, 68, 69),
        _rmc(b"101502"),
        _rmc(b"101503"),
        glgsv(),
    )
    out = []
    _run(
        lines,
        lambda f: out.append((f.sats_seen, f.sats_new, f.sats_lost, f.n_sigs and f.sat_sys[0])),
    )
    # 65 66 67 new; then 68 69 new and 65 lost; then no GSV: the table stays; then an
    # empty GLONASS cycle: all 4 lost
    assert out == [
        (3, 3, 0, SYS_GLONASS),
        (4, 2, 1, SYS_GLONASS),
        (4, 0, 0, SYS_GLONASS),
        (0, 0, 4, 0),
    ]


def test_summary_agrees_with_gpsd_sky():
    """ublox-zed-f9p: at the end of every epoch our C/N0 summary equals the one computed
    from gpsd's last SKY of that epoch (all 4 constellations, both signals)."""
    import test_nmea_sky as sky

    log = fwtest.data_path("nmea/gpsd/ublox-zed-f9p-nmea.log")
    exp = sky._skies(log + ".chk")
    state = {"last": None, "pending": next(exp, None), "checked": 0}
    errors = []

    def on_group(f):
        rows = sky._rows(f)
        while state["pending"] is not None and sky._mismatch(state["pending"], rows, False) is None:
            state["last"] = state["pending"]
            state["pending"] = next(exp, None)

    def on_fix(f):
        g = state["last"]
        state["last"] = None
        if g is None:
            return
        ss = [e[4] for e in g if e[4]]
        want = (len(g), len(ss), max(ss), min(ss), sum(ss) // len(ss), max(ss) - min(ss))
        got = (f.n_sigs, f.cn0_count, f.cn0_max, f.cn0_min, f.cn0_mean, f.cn0_spread)
        if got != want:
            errors.append((f.tod_ms, got, want))
        state["checked"] += 1

    r = sky._SkyReader(on_fix, on_group)
    for line in fwtest.read_lines(log):
        if not line.startswith(b"#"):
            r.feed(line)
    r.flush()
    assert not errors, errors[:3]
    assert state["checked"] >= 25  # 28 s of 1 Hz epochs
