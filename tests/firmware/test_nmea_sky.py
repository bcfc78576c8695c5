"""gnss.nmea satellites against gpsd's SKY reports, for every log in ../shared/data/nmea/gpsd.

Runs under CPython (pytest) and micropython (tests/firmware/mprun.py). The expected values
are the SKY lines with a satellite list in NAME.log.chk (gpsd's decoding of the same log).

How gpsd reports: at the end of each GSV group (the message numbered like the count) gpsd
emits a SKY with every satellite signal listed so far in the current GSV cycle. We take a
snapshot of our table at the same points (the GSV whose message number equals the count)
and walk both sequences in stream order: each gpsd SKY must be met by a snapshot in which
every gpsd satellite entry has a row of ours with

- the same satellite: gpsd's (gnssid, svid) is derived from our (sys, PRN as sent) by the
  NMEA 4.11 numbering in `_gpsd_id` below (gpsd's gps.h satellite_t table);
- elevation, azimuth and signal strength EQUAL (tolerance 0: both sides hold the integer
  degrees and dB-Hz the receiver sent; gpsd omits el/az/ss when the field is empty, we hold
  EL_UNKNOWN / AZ_UNKNOWN / 0);
- the signal: gpsd turns NMEA signal IDs into guessed u-blox sigIds (driver_nmea0183.c
  nmea_sigid_to_ubx), so the sigid numbers are not compared; each gpsd entry of a satellite
  must match a distinct signal row of ours.

`used` is compared at the end of each epoch (we apply the epoch's GSA list then): every
satellite gpsd marks used in the epoch's last SKY must be used in our fix (gpsd marks one
signal of a satellite, we mark all its signals), except in the logs of `_USED_DIFFERS`.
The converse is not asserted: in myguide-3100 (1 epoch), quectel (17) and telit-he910 (5)
we mark used a satellite the epoch's GSA lists and gpsd's SKY, emitted before that GSA
was applied, does not.

At the same point the SET of satellites must be equal: ours holds no satellite the epoch's
last gpsd SKY does not list (a reader that never forgot a satellite would pass the
per-entry match above), except in the logs of `_SET_DIFFERS` (observed, listed with counts).

Some of our snapshots have no gpsd SKY (gpsd skips a SKY for a group it finds incomplete):
they are skipped, never the other way round.
"""

import fwtest
from gnss.fix import AZ_UNKNOWN, EL_UNKNOWN
from gnss.nmea import NmeaReader

_GPSD = "nmea/gpsd/"

# Logs without a satellite list in any SKY (no GSV sent): nothing to compare.
_NO_SKY = (
    "april6_2019.log",
    "cat-ms352.log",
    "magellan-ec10.log",
    "nmea-fuzzy-cases.log",
    "nmea-rtk.log",
)

# Logs where gpsd applies knowledge we do not have, or decides differently: reason.
_USED_DIFFERS = {
    "quectelLC79D.log": "GSA comes AFTER the GSVs of its epoch: gpsd's SKY carries the "
    "previous epoch's used flags (e.g. GLONASS 72 at 11:50:34), ours the epoch's own GSA",
}
# Logs where our epoch-end satellite set holds satellites gpsd's last SKY of the epoch does
# not: (epochs, what differs). Not explained yet: reported to the lead, not hidden.
_SET_DIFFERS = {
    "quectelLC79D.log": (
        29,
        "'$BDGSV,1,1,01,219,,,47' (BeiDou 219, no el/az): gpsd's SKY omits it",
    ),
    "quectel.log": (1, "02:20:38: SBAS 39 ('39,,,34') of the cycle before the epoch's GGA"),
    "quectel-eg25-g.log": (2, "19:14:43.95, 19:15:30.98: time-less GNS-only epochs (NNN)"),
    "quectel-eg25-g-2.log": (1, "05:13:47: GPS satellites of a time-less epoch"),
}
_EL_WITHOUT_AZ = {
    "myguide-3100.log": "'$GPGSV,5,1,19,1,5,,23,...': an elevation without azimuth; gpsd "
    "drops the elevation too, we keep the 5 degrees the receiver sent",
    "nd-1005.log": "'$GPGSV,3,3,12,...,25,08,,,...': as myguide-3100 (elevation 8, no azimuth)",
}
_KNOWN = {
    "quectelLC79D.log": "'$GAGSV,2,1,04,102,28,167,40,...': Galileo numbered 101-136 (not in "
    "NMEA); gpsd subtracts 100, as _gpsd_id does; we keep the number sent",
    "quectel-eg25-g.log": "BeiDou and QZSS come in Quectel's proprietary $PQGSV/$PQGSA "
    "(system ID in the last field): decoded as GSV/GSA by both gpsd and us",
    "quectel-eg25-g-2.log": "as quectel-eg25-g.log",
}


def _gpsd_id(sys, prn):
    """(gpsd gnssid, svid) of our (sys, PRN as the receiver sent it). gnssid: 0 GPS,
    1 SBAS, 2 Galileo, 3 BeiDou, 5 QZSS, 6 GLONASS, 7 NavIC."""
    if sys == 1:  # GPS, SBAS (and what a GP talker lists of others)
        if 33 <= prn <= 64:
            return 1, prn + 87  # SBAS as NMEA numbers it: 33 = PRN 120
        if 120 <= prn <= 158:
            return 1, prn
        return 0, prn
    if sys == 2:
        return 6, prn - 64 if prn > 64 else prn
    if sys == 3:
        if prn > 300:
            return 2, prn - 300
        return 2, prn - 100 if prn > 100 else prn  # > 100: quectelLC79D, see _KNOWN
    if sys == 4:
        return 3, prn - 400 if prn > 400 else prn - 200 if prn > 200 else prn
    if sys == 5:
        return 5, prn - 192 if prn > 192 else prn
    return 7, prn


def _skies(path):
    """gpsd SKYs with satellites, each a list of (gnssid, svid, el, az, ss, used) ints.

    The lines reach 6 KB: they are read in 512-byte pieces and each satellite object is
    decoded on its own, so that the 100K micropython heap never holds a whole line."""
    import gc
    import json

    with open(path, "rb") as f:
        while True:
            piece = f.readline(512)
            if not piece:
                return
            if not piece.startswith(b'{"class":"SKY"'):
                while not piece.endswith(b"\n"):
                    piece = f.readline(512)
                    if not piece:
                        return
                continue
            if fwtest.IS_MPY:
                gc.collect()
            sats = []
            rest = piece
            while True:
                i = rest.find(b'{"PRN"')
                j = rest.find(b"}", i)
                if i >= 0 and j > i:
                    g = json.loads(rest[i : j + 1])
                    sats.append(
                        (
                            g.get("gnssid", 0),
                            g.get("svid", g["PRN"]),
                            int(g.get("el", EL_UNKNOWN)),
                            int(g.get("az", AZ_UNKNOWN)),
                            int(g.get("ss", 0)),
                            1 if g["used"] else 0,
                        )
                    )
                    rest = rest[j + 1 :]
                    continue
                if rest.endswith(b"\n"):
                    break
                more = f.readline(512)
                if not more:
                    break
                rest = rest[max(0, len(rest) - 200) :] + more if i < 0 else rest[i:] + more
            if sats:
                yield sats


def _rows(f):
    """Our table as (gnssid, svid, el, az, cn0, used) rows."""
    out = []
    for k in range(f.n_sigs):
        gid = _gpsd_id(f.sat_sys[k], f.sat_prn[k])
        out.append((gid[0], gid[1], f.sat_el[k], f.sat_az[k], f.sat_cn0[k], f.sat_used[k]))
    return out


def _mismatch(sky, rows, el_needs_az):
    """The first gpsd entry without a matching row of ours (el, az, ss equal), or None."""
    taken = [False] * len(rows)
    for g in sky:
        for k in range(len(rows)):
            r = rows[k]
            if taken[k] or r[0] != g[0] or r[1] != g[1] or r[3:5] != g[3:5]:
                continue
            if r[2] == g[2] or (el_needs_az and r[3] == AZ_UNKNOWN and g[2] == EL_UNKNOWN):
                taken[k] = True
                break
        else:
            near = [r for r in rows if r[0] == g[0] and r[1] == g[1]]
            return g, near
    return None


def _log_chunks(path):
    for line in fwtest.read_lines(path):
        if not line.startswith(b"#"):
            yield line


class _SkyReader(NmeaReader):
    """NmeaReader that calls on_group(fix) after each GSV that closes its group."""

    def __init__(self, on_fix, on_group):
        NmeaReader.__init__(self, on_fix, 96)  # a ZED-F9P lists 82 signals
        self.on_group = on_group
        self._handlers[0x475356] = _SkyReader._gsv_then_group  # 'GSV'

    def _gsv_then_group(self):
        NmeaReader._gsv(self)
        if self._int(1, 0) == self._int(2, -1):
            self.on_group(self.fix)


def _check_sky(name):
    log = fwtest.data_path(_GPSD + name)
    exp = _skies(log + ".chk")
    state = {
        "pending": next(exp, None),
        "matched": 0,
        "skipped": 0,
        "last": None,
        "used_checked": 0,
        "first_miss": None,
        "set_differs": 0,
    }
    errors = []

    def on_group(f):
        rows = _rows(f)
        took = False
        while state["pending"] is not None:
            miss = _mismatch(state["pending"], rows, name in _EL_WITHOUT_AZ)
            if miss is not None:
                if state["first_miss"] is None:
                    state["first_miss"] = miss
                break
            took = True
            state["matched"] += 1
            state["last"] = state["pending"]
            state["first_miss"] = None
            state["pending"] = next(exp, None)
        if not took:
            state["skipped"] += 1

    def on_fix(f):
        sky = state["last"]
        if sky is None:
            return
        state["last"] = None
        rows = _rows(f)
        theirs = [(g[0], g[1]) for g in sky]
        if [r for r in rows if (r[0], r[1]) not in theirs]:
            state["set_differs"] += 1
        if name in _USED_DIFFERS:
            return
        for g in sky:
            if g[5] and not [r for r in rows if r[0] == g[0] and r[1] == g[1] and r[5]]:
                errors.append(("used by gpsd, not by us", g))
        state["used_checked"] += 1

    r = _SkyReader(on_fix, on_group)
    for chunk in _log_chunks(log):
        r.feed(chunk)
    r.flush()
    assert r.callback_errors == 0, r.last_error
    assert r.sats_dropped == 0
    pend = state["pending"]
    assert pend is None, (name, "gpsd SKY never met", state["matched"], state["first_miss"])
    assert not errors, (name, len(errors), errors[:3])
    want = _SET_DIFFERS.get(name, (0,))[0]
    assert state["set_differs"] == want, (
        name,
        "epochs with satellites gpsd does not list",
        state["set_differs"],
    )
    return state["matched"], state["skipped"], state["used_checked"]


def test_sky_all_logs():
    import os

    names = sorted(n for n in os.listdir(fwtest.data_path("nmea/gpsd")) if n.endswith(".log"))
    assert len(names) == 32
    failures = []
    total = 0
    for name in names:
        if name in _NO_SKY:
            continue
        try:
            m, _, _ = _check_sky(name)
            total += m
        except AssertionError as e:
            failures.append(str(e)[:600])
    assert not failures, "\n".join(failures)
    assert total == 1126  # `grep -c '"class":"SKY".*satellites' *.chk`, summed: every one met
