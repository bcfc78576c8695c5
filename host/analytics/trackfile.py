"""Track files into TrackPoints: GPX (ElementTree) and NMEA logs (pynmea2).

NMEA: one fix per RMC sentence (it alone carries the date); status `V` gives an invalid
fix. A GGA of the same time of day adds its HDOP, turned into an accuracy radius of
HDOP x 5 m (a typical user range error); without it the fix has no accuracy. GPX: every
`trkpt` with a time; `time` must carry 'Z' or an offset. Unreadable lines, points
without time and times outside 1970..2106 (what a fix record can carry) are counted, never
fatal.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pynmea2

from host.analytics.model import TrackPoint
from host.analytics.timeday import parse_utc_ms
from host.sim.nmea_log import raw_sentences

_UERE_M = 5.0
_T_END_MS = 2**32 * 1000  # fix times are u32 UTC seconds on the wire: 1970..2106
_KNOT_MPS = 1852.0 / 3600.0


class TrackFileError(ValueError):
    """The file cannot give a track; the message says why."""


def read_track(path: str | Path) -> tuple[str, list[TrackPoint], dict[str, int]]:
    """(format, points, counts of what was skipped and why)."""
    p = Path(path)
    if not p.is_file():
        raise TrackFileError(f"{p}: no such file")
    with p.open("rb") as f:
        head = f.read(4096).lstrip()
    if head.startswith(b"<?xml") or b"<gpx" in head:
        fmt, points, counts = "gpx", *_read_gpx(p)
    elif _looks_like_nmea(head):
        fmt, points, counts = "nmea", *_read_nmea(p)
    else:
        raise TrackFileError(f"{p}: not a GPX file nor an NMEA log")
    kept = [pt for pt in points if 0 <= pt.t_ms < _T_END_MS]
    if len(kept) < len(points):
        counts["time_out_of_range"] += len(points) - len(kept)
        points = kept
    if not points:
        raise TrackFileError(f"{p}: no timestamped fixes in this {fmt} file ({dict(counts)})")
    if not any(pt.valid for pt in points):
        raise TrackFileError(
            f"{p}: no valid fix in this {fmt} file "
            f"({len(points)} fixes flagged invalid by the receiver)"
        )
    return fmt, points, dict(counts)


_SENTENCE = re.compile(rb"^(NMEA,)?[$!][A-Z0-9]{3,6},")


def _looks_like_nmea(head: bytes) -> bool:
    """At least half of the first lines (comments aside) are NMEA sentences."""
    lines = [ln.strip() for ln in head.splitlines()[:40]]
    lines = [ln for ln in lines if ln and not ln.startswith(b"#")]
    hits = sum(1 for ln in lines if _SENTENCE.match(ln))
    return bool(lines) and hits * 2 >= len(lines)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_gpx(path: Path) -> tuple[list[TrackPoint], Counter]:
    counts: Counter = Counter()
    try:
        elements = [
            (el.attrib, next((c.text for c in el if _local(c.tag) == "time" and c.text), None))
            for el in ET.parse(path).getroot().iter()
            if _local(el.tag) == "trkpt"
        ]
    except ET.ParseError:
        # Not well-formed (e.g. an edited header): recover the track points one by one.
        counts["gpx_not_well_formed"] += 1
        elements = _trkpts_leniently(path.read_text("utf-8", "replace"))
    points = []
    for attrib, when in elements:
        if when is None:
            counts["no_time"] += 1
            continue
        try:
            t_ms = parse_utc_ms(when)
            lat, lon = float(attrib["lat"]), float(attrib["lon"])
        except (KeyError, ValueError):
            counts["unreadable_point"] += 1
            continue
        points.append(TrackPoint(t_ms, lat, lon, seq=len(points)))
    return points, counts


_TRKPT = re.compile(r"<(?:\w+:)?trkpt\b([^>]*)>(.*?)</(?:\w+:)?trkpt>", re.S)
_ATTR = re.compile(r"""(\w+)\s*=\s*["']([^"']*)["']""")
_TIME = re.compile(r"<(?:\w+:)?time>([^<]+)</")


def _trkpts_leniently(text: str) -> list[tuple[dict, str | None]]:
    out = []
    for attrs, body in _TRKPT.findall(text):
        when = _TIME.search(body)
        out.append((dict(_ATTR.findall(attrs)), when.group(1) if when else None))
    return out


def _read_nmea(path: Path) -> tuple[list[TrackPoint], Counter]:
    counts: Counter = Counter()
    hdop_at: dict[object, float] = {}
    rmcs = []
    for raw in raw_sentences(path):
        try:
            msg = pynmea2.parse(raw.decode("ascii", "replace").strip(), check=True)
        except (pynmea2.ParseError, ValueError, AttributeError, TypeError):
            counts["unparsable_sentence"] += 1
            continue
        kind = getattr(msg, "sentence_type", "")
        try:
            if kind == "GGA" and msg.timestamp is not None and msg.horizontal_dil:
                hdop_at[msg.timestamp] = float(msg.horizontal_dil)
            elif kind == "RMC":
                rmcs.append(msg)
        except (ValueError, TypeError):
            counts["unreadable_field"] += 1
    points = []
    for msg in rmcs:
        try:
            when = datetime.combine(msg.datestamp, msg.timestamp)
            lat, lon = msg.latitude, msg.longitude
        except (ValueError, TypeError, AttributeError):
            counts["rmc_without_time_or_position"] += 1
            continue
        if not msg.lat or not msg.lon:
            counts["rmc_without_time_or_position"] += 1
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)  # NMEA time is UTC
        hdop = hdop_at.get(msg.timestamp)
        try:
            speed = float(msg.spd_over_grnd) * _KNOT_MPS if msg.spd_over_grnd else None
        except ValueError:
            speed = None
        points.append(
            TrackPoint(
                t_ms=round(when.timestamp() * 1000),
                lat=lat,
                lon=lon,
                acc_m=hdop * _UERE_M if hdop else None,
                speed_mps=speed,
                valid=msg.status == "A",
                seq=len(points),
            )
        )
    return points, counts
