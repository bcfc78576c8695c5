"""`visitproof analyze FILE [--tz ZONE]`: the day reports of a track file, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import click


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--tz",
    "tz",
    default=None,
    help="Time zone of the days and working hours (default: VISITPROOF_TZ or Asia/Shanghai).",
)
@click.option("--indent", default=None, type=int, help="Pretty-print the JSON.")
def analyze(file: Path, tz: str | None, indent: int | None) -> None:
    """Mileage, trips, stays and per-day totals of an NMEA log or a GPX file."""
    import os

    from host.analytics.model import OrgSettings
    from host.analytics.report import day_report
    from host.analytics.timeday import working_day_of, zone
    from host.analytics.trackfile import TrackFileError, read_track

    zone_name = tz or os.environ.get("VISITPROOF_TZ") or "Asia/Shanghai"
    try:
        zone(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(f"unknown time zone {zone_name!r} (an IANA name such as Asia/Shanghai)")
    try:
        fmt, points, skipped = read_track(file)
    except TrackFileError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"{file}: cannot read ({e.strerror or e})")
    settings = OrgSettings(tz=zone_name)
    by_day: dict = {}
    for p in points:  # one pass: a file spanning years must not cost days x fixes
        by_day.setdefault(working_day_of(p.t_ms, settings), []).append(p)
    reports = [day_report(by_day[d], d, settings) for d in sorted(by_day)]
    out = {
        "file": str(file),
        "format": fmt,
        "tz": zone_name,
        "fixes_read": len(points),
        "skipped_while_reading": skipped,
        "mileage_m": round(sum(r["mileage_m"] for r in reports), 1),
        "days": [
            {
                "day": r["day"],
                **{k: r[k] for k in ("mileage_m", "trips", "stays", "totals")},
                "audit": r["audit"],
            }
            for r in reports
        ],
    }
    click.echo(json.dumps(out, indent=indent))


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)
