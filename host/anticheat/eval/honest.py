"""The negative class: honest real recordings from ../shared/data turned into fixes.

gpsd's regression logs are read through their `.chk` files (what gpsd decoded: TPV fixes
with the latest SKY's per-satellite C/N0 `ss`), GPX tracks and the phone's NMEA through
host.analytics.trackfile. A "collector-day" is one contiguous recording: a log or track is
cut where its clock steps back or pauses for more than 6 h, because the data's README
documents such places as separate recordings joined into one file (bt451, iTrek,
blue_hills, multitrackgpx); a joined file is not one badge's day.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from host.anticheat.checks import FixIn

DATA = Path(
    os.environ.get(
        "VISITPROOF_SHARED_DATA", Path(__file__).resolve().parents[3].parent / "shared" / "data"
    )
)
_DAY_CUT_MS = 6 * 3600 * 1000
_BACK_CUT_MS = 60 * 1000  # a step back of a minute or more is a join of two recordings


@dataclass
class HonestDay:
    name: str  # file name and segment number
    fixes: list[FixIn]


def _utc_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _chk_fixes(path: Path) -> list[FixIn]:
    by_time: dict[int, FixIn] = {}
    sky = (0, 0, 0, 0)  # sats_seen, sats_used, cn0_max, cn0_mean
    for line in path.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if obj.get("class") == "SKY" and "satellites" in obj:
            ss = [s["ss"] for s in obj["satellites"] if s.get("ss")]
            used = sum(1 for s in obj["satellites"] if s.get("used"))
            sky = (
                len(obj["satellites"]),
                used,
                int(max(ss, default=0)),
                int(sum(ss) / len(ss)) if ss else 0,
            )
        elif (
            obj.get("class") == "TPV" and obj.get("mode", 0) >= 2 and "lat" in obj and "time" in obj
        ):
            t_ms = _utc_ms(obj["time"])
            speed = obj.get("speed")
            by_time[t_ms] = FixIn(
                seq=0,
                t_ms=t_ms,
                lat_e7=round(obj["lat"] * 1e7),
                lon_e7=round(obj["lon"] * 1e7),
                speed_cmps=None if speed is None else round(speed * 100),
                sats_seen=sky[0],
                sats_used=sky[1],
                cn0_max=sky[2],
                cn0_mean=sky[3],
            )
    return list(by_time.values())  # in the order gpsd reported them


def _rmc_date(log: Path):
    """The first date a valid RMC of the receiver's own log carries (ddmmyy)."""
    from datetime import date

    for line in log.read_bytes().splitlines():
        f = line.split(b"*")[0].split(b",")
        if f[0][3:] == b"RMC" and len(f) > 9 and f[2] == b"A" and len(f[9]) == 6:
            d = f[9].decode()
            return date(
                2000 + int(d[4:]) if int(d[4:]) < 80 else 1900 + int(d[4:]), int(d[2:4]), int(d[:2])
            )
    return None


def _receiver_dates(path: Path, fixes: list[FixIn]) -> list[FixIn]:
    """gpsd's regression harness resolves the date against its own build (neo-m8n's
    2015-03-18 fixes come out as 2034-11-01): shift to the date the receiver sent."""
    from datetime import UTC, datetime

    rmc = _rmc_date(path.with_suffix(""))  # NAME.log.chk -> NAME.log
    if rmc is None or not fixes:
        return fixes
    first = datetime.fromtimestamp(fixes[0].t_ms / 1000, UTC).date()
    shift_ms = (rmc - first).days * 86_400_000
    if abs(shift_ms) <= 86_400_000:
        return fixes
    return [FixIn(**{**_asdict(f), "t_ms": f.t_ms + shift_ms}) for f in fixes]


def _track_fixes(path: Path) -> list[FixIn]:
    from host.analytics.trackfile import read_track

    _, points, _ = read_track(path)
    return [
        FixIn(
            seq=0,
            t_ms=p.t_ms,
            lat_e7=round(p.lat * 1e7),
            lon_e7=round(p.lon * 1e7),
            valid=p.valid,
            speed_cmps=None if p.speed_mps is None else round(p.speed_mps * 100),
        )
        for p in points
    ]


def _segments(name: str, fixes: list[FixIn]) -> list[HonestDay]:
    days: list[HonestDay] = []
    current: list[FixIn] = []
    for f in fixes:
        if current and (
            f.t_ms < current[-1].t_ms - _BACK_CUT_MS or f.t_ms - current[-1].t_ms > _DAY_CUT_MS
        ):
            days.append(current)
            current = []
        current.append(f)
    if current:
        days.append(current)
    out = []
    for i, seg in enumerate(d for d in days if len(d) >= 2):
        numbered = [FixIn(**{**_asdict(f), "seq": n + 1}) for n, f in enumerate(seg)]
        out.append(HonestDay(f"{name}#{i + 1}", numbered))
    return out


def _asdict(f: FixIn) -> dict:
    return {k: getattr(f, k) for k in FixIn.__slots__}


# Not honest: the README says this one was recorded from a GNSS simulator (and
# cn0_uniform_strong fires on it: mean 40 dB-Hz with max - mean <= 1 dB over 12 satellites).
SIMULATED = {"gp-320fw-2019-04-06-overflow.log.chk"}


def sources() -> list[Path]:
    """Every honest recording, sorted by name (the split into tune/test follows this)."""
    files = sorted(p for p in (DATA / "nmea" / "gpsd").glob("*.log.chk") if p.name not in SIMULATED)
    files += sorted((DATA / "tracks").rglob("*.gpx"))
    files += [DATA / "nmea" / "gnss_lib_py" / "pixel6.nmea"]
    return [f for f in files if f.is_file()]


def honest_days() -> list[HonestDay]:
    days = []
    for path in sources():
        if path.name.endswith(".chk"):
            fixes = _receiver_dates(path, _chk_fixes(path))
        else:
            fixes = _track_fixes(path)
        days += _segments(path.name.removesuffix(".log.chk"), fixes)
    return days


def split(days: list[HonestDay]) -> tuple[list[HonestDay], list[HonestDay]]:
    """Tune on every other collector-day (by name), report on the rest."""
    ordered = sorted(days, key=lambda d: d.name)
    return ordered[0::2], ordered[1::2]
