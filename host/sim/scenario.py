"""A scenario the project generates itself, for when ../shared/data is absent.

A collector walks from an office in Shanghai to two debtors' addresses, stays at each, and
walks on: 1 Hz NMEA 0183 (RMC, GGA, GSA, GSV) as a u-blox receiver would send it, with
satellites at plausible open-sky C/N0 (28..46 dB-Hz, varying per satellite). Deterministic:
the same bytes every run. It is a stand-in for a real recording, not a test oracle.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2026, 11, 30, 1, 30, 0, tzinfo=timezone.utc)  # 09:30 in Shanghai
# (lat, lon, seconds to walk there, seconds to stay)
LEGS = [
    ((31.23040, 121.47370), 0, 60),  # office
    ((31.23210, 121.47610), 240, 180),  # debtor 1
    ((31.23390, 121.47420), 200, 150),  # debtor 2
    ((31.23120, 121.47250), 220, 30),
]


def _checksum(body: str) -> str:
    c = 0
    for ch in body.encode("ascii"):
        c ^= ch
    return "%02X" % c


def _sentence(body: str) -> str:
    return "$%s*%s\r\n" % (body, _checksum(body))


def _ddmm(value: float, lat: bool) -> tuple[str, str]:
    hemi = ("N" if value >= 0 else "S") if lat else ("E" if value >= 0 else "W")
    value = abs(value)
    deg = int(value)
    minutes = (value - deg) * 60
    return ("%02d%08.5f" if lat else "%03d%08.5f") % (deg, minutes), hemi


def _track() -> list[tuple[float, float, float]]:
    """(lat, lon, speed m/s) per second."""
    points = []
    here = LEGS[0][0]
    points += [(here[0], here[1], 0.0)] * LEGS[0][2]
    for dest, walk_s, stay_s in LEGS[1:]:
        dlat_m = (dest[0] - here[0]) * 111320
        dlon_m = (dest[1] - here[1]) * 111320 * math.cos(math.radians(here[0]))
        speed = math.hypot(dlat_m, dlon_m) / walk_s
        for i in range(walk_s):
            f = (i + 1) / walk_s
            points.append(
                (here[0] + (dest[0] - here[0]) * f, here[1] + (dest[1] - here[1]) * f, speed)
            )
        points += [(dest[0], dest[1], 0.0)] * stay_s
        here = dest
    return points


def write_scenario(path: str | Path) -> Path:
    rng = random.Random(20261130)
    sats = [
        (prn, rng.randint(15, 80), rng.randint(0, 359), rng.randint(28, 46))
        for prn in (2, 5, 7, 9, 13, 15, 18, 20, 24, 29, 30)
    ]
    out = []
    for n, (lat, lon, speed) in enumerate(_track()):
        t = START + timedelta(seconds=n)
        # GNSS jitter of a few metres, as a stationary receiver shows.
        jlat = lat + rng.gauss(0, 1.5) / 111320
        jlon = lon + rng.gauss(0, 1.5) / 95000
        la, ns = _ddmm(jlat, True)
        lo, ew = _ddmm(jlon, False)
        hms = t.strftime("%H%M%S") + ".00"
        knots = speed * 1.943844
        out.append(
            _sentence(
                "GPRMC,%s,A,%s,%s,%s,%s,%.3f,,%s,,,A"
                % (hms, la, ns, lo, ew, knots, t.strftime("%d%m%y"))
            )
        )
        out.append(
            _sentence(
                "GPGGA,%s,%s,%s,%s,%s,1,%02d,0.9,12.4,M,8.9,M,," % (hms, la, ns, lo, ew, len(sats))
            )
        )
        used = ["%02d" % s[0] for s in sats[:12]]
        out.append(_sentence("GPGSA,A,3,%s,1.6,0.9,1.3" % ",".join(used + [""] * (12 - len(used)))))
        groups = [sats[i : i + 4] for i in range(0, len(sats), 4)]
        for gi, group in enumerate(groups):
            fields = ",".join(
                "%02d,%02d,%03d,%02d" % (p, el, az, max(20, cn0 + rng.randint(-2, 2)))
                for p, el, az, cn0 in group
            )
            out.append(_sentence("GPGSV,%d,%d,%02d,%s" % (len(groups), gi + 1, len(sats), fields)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(out), encoding="ascii")
    return path
