"""A real receiver log through the real NMEA reader into the record log (badge.app).
Own file (own micropython process): the reader and the log must fit the 100K heap beside
the test. The whole Badge: test_uploader_badge.py."""

import gc

# The largest module first, into the empty heap: compiling from source needs a big
# transient heap, and a fragmented heap fails the whole firmware at 100K.
from gnss.nmea import NmeaReader

gc.collect()
import json
import struct

import fwtest

M9N = "nmea/gpsd/ublox-neo-m9n-nmea.log"


def _tmpdir():
    return fwtest.tmpdir("app")


_rmtree = fwtest.rmtree


def _gpsd_fixes(chk):
    """(seconds after 22:37:45, lat_e7, lon_e7) of the last TPV with a fix per second."""
    by_time = {}
    for line in fwtest.read_lines(chk):
        if b'"TPV"' not in line:
            continue
        tpv = json.loads(line)
        if tpv.get("mode", 0) < 2:
            continue
        hh, mm, ss = tpv["time"][11:19].split(":")
        t = int(hh) * 3600 + int(mm) * 60 + int(ss) - (22 * 3600 + 37 * 60 + 45)
        by_time[t] = (t, _e7(line, b'"lat":'), _e7(line, b'"lon":'))
    return [by_time[t] for t in sorted(by_time)]


def _e7(line, key):
    # gpsd prints 9 decimals: take the digits as text, round to 7 (no float arithmetic).
    i = line.index(key) + len(key)
    j = line.index(b",", i)
    whole, frac = line[i:j].split(b".")
    neg = whole.startswith(b"-")
    v = int(whole.lstrip(b"-") + frac[:7]) + (1 if int(frac[7:9] or b"0") >= 50 else 0)
    return -v if neg else v


def test_real_receiver_log_becomes_the_gpsd_track():
    path = fwtest.data_path(M9N)
    from badge.app import FixRecorder, pump
    from storage.recordlog import RecordLog

    d = _tmpdir()
    try:
        log = RecordLog(d)
        rec = FixRecorder(log)
        reader = NmeaReader(rec.on_fix)
        with open(path, "rb") as f:
            pump(f, reader)
        reader.flush()
        want = _gpsd_fixes(path + ".chk")
        assert rec.records_signed == len(want) == 61
        got = []
        for r in log.pending():
            t, _ms, lat, lon = struct.unpack_from("<IHii", r, 8)
            got.append((t - 1594507065, lat, lon))  # 2020-07-11T22:37:45Z, hand-computed
        assert got == want
    finally:
        _rmtree(d)
