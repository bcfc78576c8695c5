"""A recorded GPX track as the NMEA a receiver would have sent while walking it.

For long scenarios (a whole working day) where no NMEA recording that long exists: the
track's own points and timestamps (e.g. ../shared/data/tracks/georust_gpx/
garmin_with_extensions.gpx, a 10 h walk sampled every 10 s) become one RMC, GGA and GSA
epoch per point, with a fixed open-sky constellation as in host/sim/scenario.py. Speed and
course come from consecutive points (equirectangular over a few metres: exact enough for
a speed field). Deterministic: the same bytes every run.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from host.sim.scenario import _ddmm, _sentence

_SATS = "02,05,07,09,13,15,18,20,24"


def read_gpx(path: str | Path) -> list[tuple[datetime, float, float, float]]:
    """(time UTC, lat, lon, elevation m) of every timestamped track point, in file order."""
    points = []
    for el in ET.parse(path).iter():
        if not el.tag.endswith("trkpt"):
            continue
        t = ele = None
        for child in el:
            if child.tag.endswith("time"):
                t = datetime.fromisoformat(child.text.strip().replace("Z", "+00:00"))
            elif child.tag.endswith("ele"):
                ele = float(child.text)
        if t is not None:
            points.append((t, float(el.get("lat")), float(el.get("lon")), ele or 0.0))
    return points


def write_track_nmea(gpx: str | Path, out: str | Path, limit: int | None = None) -> Path:
    points = read_gpx(gpx)[:limit]
    lines = []
    prev = None
    for t, lat, lon, ele in points:
        knots, course = 0.0, 0.0
        if prev is not None and t > prev[0]:
            dy = (lat - prev[1]) * 111320
            dx = (lon - prev[2]) * 111320 * math.cos(math.radians(lat))
            knots = math.hypot(dx, dy) / (t - prev[0]).total_seconds() * 1.943844
            course = math.degrees(math.atan2(dx, dy)) % 360
        la, ns = _ddmm(lat, True)
        lo, ew = _ddmm(lon, False)
        hms = t.strftime("%H%M%S") + ".00"
        lines.append(
            _sentence(
                "GPRMC,%s,A,%s,%s,%s,%s,%.3f,%.1f,%s,,,A"
                % (hms, la, ns, lo, ew, knots, course, t.strftime("%d%m%y"))
            )
        )
        lines.append(
            _sentence("GPGGA,%s,%s,%s,%s,%s,1,09,0.9,%.1f,M,47.0,M,," % (hms, la, ns, lo, ew, ele))
        )
        lines.append(_sentence("GPGSA,A,3,%s,,,,1.6,0.9,1.3" % _SATS))
        prev = (t, lat, lon)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines), encoding="ascii")
    return out
