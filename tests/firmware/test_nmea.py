"""gnss.nmea against gpsd's regression logs: each fix is compared with gpsd's decoding.

Runs under CPython (pytest) and micropython (tests/firmware/mprun.py). The expected values
are gpsd's TPV/SKY/GST reports in ../shared/data/nmea/gpsd/NAME.log.chk, read one line at
a time (json.loads per line keeps the 100K heap small).

Matching: gpsd reports several TPVs per epoch as sentences arrive; the LAST TPV carrying a
given time is the complete one, and is compared with our fix of the same time:
- time: equal to the millisecond (it is the matching key; every gpsd time must be found);
- mode: equal;
- lat/lon (mode >= 2): within 0.6e-7 degree (we round to 1e-7 deg; gpsd prints 9 decimals);
- alt (mode 3, when gpsd has one): ours present and within 0.006 m (we keep cm; gpsd
  prints 4 decimals);
- speed: within 0.006 m/s (we keep cm/s), track: within 0.006 deg (we keep 1/100 deg);
  when gpsd has one ours must too, except at the epochs listed in "derived_at" (gpsd
  derives speed from positions when the epoch has no RMC/VTG speed).
Our fixes that gpsd reports with no time must be invalid (mode 1) unless the table allows.
"""

import fwtest
from gnss.fix import EL_UNKNOWN, SYS_GPS
from gnss.nmea import NmeaReader

_GPSD = "nmea/gpsd/"

_RMC_ONLY = (
    "RMC-only epochs: gpsd keeps the previous epoch's GGA altitude and says 3D; "
    "we report 2D for an epoch without altitude"
)

# Logs compared fix by fix -> tolerated differences (each with its reason), or None.
# "mode_rmc_only": gpsd 3 where ours is 2 because the epoch has no altitude.
# "extra_valid": (n, reason): exactly n valid fixes of ours that gpsd has no timed TPV for.
# "mode_at": {ISO time: reason} single epochs whose mode may differ.
_COMPARED = {
    "april6_2019.log": None,
    "beidou-bd.log": {
        "extra_valid": (
            1,
            "the first fix (2015-02-25T07:41:55.799Z, BD/GN mix): gpsd "
            "reports it 3D without time; its timed TPVs start one epoch later",
        )
    },  # one good RMC after two week-rollover ones (bad_fields)
    "beidou-gb.log": {
        "extra_valid": (
            1,
            "the first fix (2015-03-02T05:32:32.438Z): gpsd reports it without time; "
            "ours carries the RMC date",
        )
    },
    "bt451.log": {
        "extra_valid": (
            3,
            "2 Hz GGA at .5 s with RMC only on whole seconds: gpsd reports three .5 s "
            "epochs without time (15:25:04.5, 15:25:08.5, 14:33:08.5)",
        ),
        "mode_at": {
            1260369186000: "2009-12-09T14:33:06Z follows 15:25:08.5Z: the log steps back "
            "52 min (two captures joined); we refuse that epoch as stale (reader.stale), "
            "gpsd reports it 3D"
        },
    },
    "bu353s4.log": None,
    "cat-ms352.log": None,
    "furuno_gl_ga.log": None,
    "gp-320fw-2019-04-06-overflow.log": {
        "extra_valid": (
            2,
            "the first epoch: gpsd has no date yet, ZDA comes later in it; and "
            "23:57:26.02 (RMC+GGA A/1), which gpsd skips between 25.02 and 27.02",
        )
    },
    "haicom-305N.log": {
        "extra_valid": (
            1,
            "the first fix (09:53:04.802, GSA 2D): gpsd's first timed TPV is one epoch later",
        )
    },
    "holux-gm-210.log": None,  # never a fix: all ours must be invalid
    "iTrek.log": {"mode_rmc_only": _RMC_ONLY},
    "magellan-ec10.log": {"mode_rmc_only": _RMC_ONLY},
    "mt3339.log": None,
    "mtk-3301.log": {
        "extra_valid": (1, "first fixes while gpsd still waits for a plausible date"),
    },
    "myguide-3100.log": {
        "extra_valid": (
            1,
            "the first fix (2009-10-08T10:50:29.800Z): gpsd reports it without "
            "time; its 8 timed TPVs (the stationary fix) all match ours",
        )
    },
    "nd-1005.log": None,
    "neo-m8n.log": {
        "floor": 1767225600,  # 2026-01-01T00:00:00Z
        "why_floor": "RMC 180315 (2015-03-18) but gpsd dates every TPV 2034-11-01: gpsd "
        "(built after 2025) took the date for one that missed a GPS week rollover and added "
        "1024 weeks (2015-03-18 + 7168 days = 2034-11-01). With a time floor of 2026-01-01 "
        "the reader does the same (2015-03-18 is more than 512 weeks before it)",
        "extra_valid": (
            2,
            "the first epoch is a lone GLL (17:19:25) before any date: valid "
            "without time, as gpsd's first TPV (mode 2, no time); and the last "
            "(17:19:48, RMC+GGA at the end of the log), which gpsd never reports",
        ),
    },
    "nl2008u.log": None,
    "nmea-fuzzy-cases.log": None,
    "nmea-rtk.log": None,
    "quectel-L70.log": None,
    "quectel-eg25-g-2.log": None,
    "quectel-eg25-g.log": None,
    "quectel.log": None,
    "quectelLC79D.log": None,
    "sirfstarv-nmea.log": None,
    "sl869.log": {
        "mode_at": {
            1353838903000: "2012-11-25T10:21:43Z: GSA says 2D beside a GGA "
            "altitude: gpsd keeps 2D here but 3D elsewhere; we say 3D"
        }
    },
    "telit-he910.log": None,
    "ublox-f9p-hpnmea.log": None,
    "ublox-lea-5h.log": {
        "mode_rmc_only": _RMC_ONLY,
        "extra_valid": (
            1,
            "the first fix, RMC only: gpsd reports no time",
        ),
        "derived_at": {
            1282380915000: "08:55:15 has no RMC or VTG speed of its own; gpsd's 0.003 m/s "
            "is derived from positions: 08:37:36 (5155.55296 N 00434.65953 E) to here is "
            "1.17 m N, 2.55 m E (0.00223' x 1852 x cos 51.9), 2.8 m in 1059 s"
        },
    },
    "ublox-neo-m9n-nmea.log": None,
    "ublox-zed-f9p-nmea.log": None,
}

# Logs left out of the fix-by-fix comparison, and why: none (all 32 are compared).
_LEFT_OUT = {}

# Sentences we do not decode (counted in `unknown`): GBS, GRS, TXT, RMB, RTE and all
# proprietary ($P...) sentences: nothing in them goes into a fix.

_LAT_TOL_E9 = 60  # 0.6e-7 degree
_ALT_TOL_1E4M = 60  # 0.006 m
_SPEED_TOL_MMPS = 6  # 0.006 m/s
_TRACK_TOL_1E4DEG = 60  # 0.006 degree

_MDAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _iso_ms(s):
    """'2015-04-13T20:26:40.000Z' -> Unix milliseconds (written independently of gnss.fix)."""
    y, mo, d = int(s[0:4]), int(s[5:7]), int(s[8:10])
    days = 0
    for yy in range(1970, y):
        days += 366 if _leap(yy) else 365
    for m in range(1, mo):
        days += _MDAYS[m - 1] + (1 if m == 2 and _leap(y) else 0)
    days += d - 1
    secs = ((days * 24 + int(s[11:13])) * 60 + int(s[14:16])) * 60 + int(s[17:19])
    ms = int(s[20:23]) if s[19] == "." else 0
    return secs * 1000 + ms


def _json_lines(path, prefix):
    """JSON objects of the .chk lines that start with `prefix`. Other lines (SKY lines of
    multi-signal receivers reach 6 KB) are skipped in pieces, never held whole."""
    import json

    with open(path, "rb") as f:
        skipping = False
        while True:
            piece = f.readline(1024)
            if not piece:
                return
            if skipping or not piece.startswith(prefix):
                skipping = not piece.endswith(b"\n")
                continue
            while not piece.endswith(b"\n"):
                more = f.readline(1024)
                if not more:
                    break
                piece += more
            yield json.loads(piece.decode())


def _log_chunks(path):
    """The log's receiver bytes without gpsd's '#' header lines."""
    for line in fwtest.read_lines(path):
        if not line.startswith(b"#"):
            yield line


def _i(x, scale):
    return None if x is None else round(x * scale)


def _expected_tpvs(path):
    """Yield (unix ms, mode, lat_e9, lon_e9, alt_1e4m, speed_mmps, track_1e4deg) for the last
    TPV of each run of equal times, in file order; ints, not floats, for the small heap."""
    last = None
    for j in _json_lines(path, b'{"class":"TPV"'):
        t = j.get("time")
        if t is None:
            continue
        e = (
            _iso_ms(t),
            j["mode"],
            _i(j.get("lat"), 1e9),
            _i(j.get("lon"), 1e9),
            _i(j.get("altMSL", j.get("alt")), 1e4),
            _i(j.get("speed"), 1e3),
            _i(j.get("track"), 1e4),
        )
        if last is not None and last[0] != e[0]:
            yield last
        last = e
    if last is not None:
        yield last


def _next(it):
    try:
        return next(it)
    except StopIteration:
        return None


def _check_log(name):
    allow = _COMPARED[name] or {}
    log = fwtest.data_path(_GPSD + name)
    # gpsd's timed TPVs and our fixes come in the same stream order: merge them. A gpsd
    # time we never produce stays pending and is reported as missing at the end.
    exp = _expected_tpvs(log + ".chk")
    pending = [_next(exp)]
    errors = []
    matched = [0]
    extra = [0]

    def on_fix(f):
        if f.time_s is None:
            extra[0] += f.valid
            return
        key = f.time_s * 1000 + f.time_ms
        e = pending[0]
        if e is None or e[0] != key:
            if f.mode != 1:
                extra[0] += 1
                if "extra_valid" not in allow:
                    errors.append(("valid fix gpsd has no time for", key, f.mode))
            return
        matched[0] += 1
        pending[0] = _next(exp)
        mode, lat, lon, alt, speed, track = e[1:]
        if f.mode != mode:
            ok = (
                "mode_rmc_only" in allow and mode == 3 and f.mode == 2 and f.alt_cm is None
            ) or key in allow.get("mode_at", ())
            if not ok:
                errors.append((key, "mode", f.mode, mode))
            return
        if mode < 2:
            return
        if abs(f.lat_e7 * 100 - lat) > _LAT_TOL_E9 or abs(f.lon_e7 * 100 - lon) > _LAT_TOL_E9:
            errors.append((key, "position", f.lat_e7, f.lon_e7, lat, lon))
        if (
            mode == 3
            and alt is not None
            and (f.alt_cm is None or abs(f.alt_cm * 100 - alt) > _ALT_TOL_1E4M)
        ):
            errors.append((key, "alt", f.alt_cm, alt))
        if (speed is not None and f.speed_cmps is None) or (
            track is not None and f.course_cdeg is None
        ):
            if key not in allow.get("derived_at", ()):
                errors.append((key, "speed/track gpsd has, we do not", speed, track))
        if (
            speed is not None
            and f.speed_cmps is not None
            and abs(f.speed_cmps * 10 - speed) > _SPEED_TOL_MMPS
        ):
            errors.append((key, "speed", f.speed_cmps, speed))
        if (
            track is not None
            and f.course_cdeg is not None
            and abs(f.course_cdeg * 100 - track) > _TRACK_TOL_1E4DEG
        ):
            errors.append((key, "track", f.course_cdeg, track))

    r = NmeaReader(on_fix)
    if "floor" in allow:
        r.set_time_floor(allow["floor"])
    for chunk in _log_chunks(log):
        r.feed(chunk)
    r.flush()
    assert r.callback_errors == 0, r.last_error
    missing = pending[0]
    assert missing is None, (name, "gpsd time without a fix of ours", missing)
    assert not errors, (name, len(errors), errors[:5])
    assert extra[0] == allow.get("extra_valid", (0,))[0], (name, "extra valid fixes", extra[0])
    return matched[0]


# One test per compared log (MicroPython does not see test functions made in a loop).
def test_gpsd_april6_2019():
    _check_log("april6_2019.log")


def test_gpsd_beidou_gb():
    _check_log("beidou-gb.log")


def test_gpsd_beidou_bd():
    assert _check_log("beidou-bd.log") == 4


def test_gpsd_bt451():
    _check_log("bt451.log")


def test_gpsd_bu353s4():
    _check_log("bu353s4.log")


def test_gpsd_cat_ms352():
    _check_log("cat-ms352.log")


def test_gpsd_furuno_gl_ga():
    _check_log("furuno_gl_ga.log")


def test_gpsd_gp_320fw_2019_04_06_overflow():
    _check_log("gp-320fw-2019-04-06-overflow.log")


def test_gpsd_haicom_305n():
    _check_log("haicom-305N.log")


def test_gpsd_holux_gm_210():
    _check_log("holux-gm-210.log")


def test_gpsd_itrek():
    _check_log("iTrek.log")


def test_gpsd_magellan_ec10():
    _check_log("magellan-ec10.log")


def test_gpsd_mt3339():
    _check_log("mt3339.log")


def test_gpsd_mtk_3301():
    _check_log("mtk-3301.log")


def test_gpsd_myguide_3100():
    assert _check_log("myguide-3100.log") == 8


def test_gpsd_nd_1005():
    _check_log("nd-1005.log")


def test_gpsd_neo_m8n():
    assert _check_log("neo-m8n.log") == 22  # 22 s at 1 Hz, every one matched


def test_gpsd_nl2008u():
    _check_log("nl2008u.log")


def test_gpsd_nmea_fuzzy_cases():
    _check_log("nmea-fuzzy-cases.log")


def test_gpsd_nmea_rtk():
    _check_log("nmea-rtk.log")


def test_gpsd_quectel_l70():
    _check_log("quectel-L70.log")


def test_gpsd_quectel_eg25_g_2():
    _check_log("quectel-eg25-g-2.log")


def test_gpsd_quectel_eg25_g():
    _check_log("quectel-eg25-g.log")


def test_gpsd_quectel():
    _check_log("quectel.log")


def test_gpsd_quectellc79d():
    _check_log("quectelLC79D.log")


def test_gpsd_sirfstarv_nmea():
    _check_log("sirfstarv-nmea.log")


def test_gpsd_sl869():
    _check_log("sl869.log")


def test_gpsd_telit_he910():
    _check_log("telit-he910.log")


def test_gpsd_ublox_f9p_hpnmea():
    _check_log("ublox-f9p-hpnmea.log")


def test_gpsd_ublox_lea_5h():
    _check_log("ublox-lea-5h.log")


def test_gpsd_ublox_neo_m9n_nmea():
    _check_log("ublox-neo-m9n-nmea.log")


def test_gpsd_ublox_zed_f9p_nmea():
    _check_log("ublox-zed-f9p-nmea.log")


def test_enough_logs_are_compared():
    assert len(_COMPARED) == 32
    for name in _LEFT_OUT:
        assert name not in _COMPARED
    # the comparisons above must actually have matched fixes, not vacuously passed
    assert _check_log("mt3339.log") == 30  # 30 GGA/RMC/ZDA epochs in the log
    assert _check_log("nmea-rtk.log") == 122


def test_every_log_is_survived():
    """Every gpsd log, including the left-out ones, goes through without an exception."""
    for name in tuple(_COMPARED) + tuple(_LEFT_OUT):
        r = NmeaReader(lambda f: None)
        for chunk in _log_chunks(fwtest.data_path(_GPSD + name)):
            r.feed(chunk)
        r.flush()
        assert r.callback_errors == 0
        assert r.fixes > 0, name


def test_sky_matches_gpsd():
    """Per-satellite data of mt3339's first GSV cycle against gpsd's first full SKY."""
    path = fwtest.data_path(_GPSD + "mt3339.log")
    sky = None
    for j in _json_lines(path + ".chk", b'{"class":"SKY"'):
        if "satellites" in j:
            sky = j
            break
    got = []

    def on_fix(f):
        if f.sats_seen and not got:
            got.append(
                [
                    (
                        f.sat_sys[k],
                        f.sat_prn[k],
                        f.sat_el[k],
                        f.sat_az[k],
                        f.sat_cn0[k],
                        f.sat_used[k],
                    )
                    for k in range(f.sats_seen)
                ]
            )
            got.append((f.cn0_max, f.cn0_mean, f.sats_used))

    r = NmeaReader(on_fix)
    for chunk in _log_chunks(path):
        r.feed(chunk)
    sats, stats = got
    sats = {s[1]: s for s in sats}
    assert len(sats) == sky["nSat"] == 12
    ss = []
    for g in sky["satellites"]:
        s = sats[g["PRN"]]
        assert s[0] == SYS_GPS  # GP talker (SBAS PRN 47 included)
        assert s[2] == g.get("el", EL_UNKNOWN)
        assert s[3] == g.get("az", -1)
        assert s[4] == g.get("ss", 0)
        assert s[5] == (1 if g["used"] else 0)
        if "ss" in g:
            ss.append(int(g["ss"]))
    assert stats == (max(ss), sum(ss) // len(ss), sky["uSat"])


def test_accuracy_from_gst():
    """quectel-L70 sends GST: acc_m = ceil(sqrt(lat_err^2 + lon_err^2)) of gpsd's GST."""
    path = fwtest.data_path(_GPSD + "quectel-L70.log")
    want = {}
    for j in _json_lines(path + ".chk", b'{"class":"GST"'):
        r2 = j["lat"] ** 2 + j["lon"] ** 2
        m = int(r2**0.5)
        want[_iso_ms(j["time"])] = m if m * m >= r2 - 1e-9 else m + 1
    got = {}

    def on_fix(f):
        if f.valid:
            got[f.time_s * 1000 + f.time_ms] = f.acc_m

    r = NmeaReader(on_fix)
    for chunk in _log_chunks(path):
        r.feed(chunk)
    r.flush()
    common = [k for k in want if k in got]
    assert len(common) >= 10
    for k in common:
        assert got[k] == want[k], (k, got[k], want[k])
