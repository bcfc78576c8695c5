# MicroPython script: the badge's own NMEA parser (firmware/gnss) over a log file, one JSON
# object per line: a TPV-like object per epoch with a time or a fix, a SKY-like object per
# epoch with satellites (gpsd's names: PRN, el, az, ss, used). Run by
# `visitproof nmea decode FILE` through host/sim/romboot.py, from the badge's ROMFS image.
#   romboot.py IMAGE host/nmea_tools/decode_mpy.py FILE [TIME_FLOOR_UNIX_S]
import json
import sys

from gnss.fix import AZ_UNKNOWN, EL_UNKNOWN
from gnss.nmea import NmeaReader

_SYS = ("?", "GP", "GL", "GA", "BD", "QZ", "IR")


def _iso(t, ms):
    days, sod = divmod(t, 86400)
    # civil_from_days (H. Hinnant), the inverse of gnss.fix.days_from_civil
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if m <= 2 else 0)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        y, m, d, sod // 3600, sod // 60 % 60, sod % 60, ms or 0)


def _on_fix(f):
    if f.time_s is not None or f.valid:
        tpv = {"class": "TPV", "mode": f.mode}
        if f.time_s is not None:
            tpv["time"] = _iso(f.time_s, f.time_ms)
        if f.valid and f.lat_e7 is not None:
            tpv["lat"] = f.lat_e7 / 1e7
            tpv["lon"] = f.lon_e7 / 1e7
            if f.alt_cm is not None:
                tpv["alt"] = round(f.alt_cm / 100, 2)
            if f.speed_cmps is not None:
                tpv["speed"] = round(f.speed_cmps / 100, 2)
            if f.course_cdeg is not None:
                tpv["track"] = round(f.course_cdeg / 100, 2)
            if f.acc_m is not None:
                tpv["eph"] = f.acc_m
        print(json.dumps(tpv))
    if f.n_sigs:
        sats = []
        for k in range(f.n_sigs):
            sat = {"gnss": _SYS[f.sat_sys[k]] if f.sat_sys[k] < len(_SYS) else "?",
                   "PRN": f.sat_prn[k], "sig": f.sat_sig[k], "ss": f.sat_cn0[k],
                   "used": bool(f.sat_used[k])}
            if f.sat_el[k] != EL_UNKNOWN:
                sat["el"] = f.sat_el[k]
            if f.sat_az[k] != AZ_UNKNOWN:
                sat["az"] = f.sat_az[k]
            sats.append(sat)
        print(json.dumps({"class": "SKY", "satellites": sats}))


def main(path, floor=None):
    reader = NmeaReader(_on_fix)
    if floor is not None:
        reader.set_time_floor(floor)
    buf = bytearray(512)
    with open(path, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            reader.feed(memoryview(buf)[:n])
    reader.flush()
    counts = {}
    for name in reader._COUNTERS:
        counts[name] = getattr(reader, name)
    print(json.dumps({"class": "SUMMARY", "counts": counts}))


main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
