"""Console URLs for code outside a request (the demo, the CLI): the blueprint sits at the
URL root, so these paths hold for any base URL, e.g. base + track_path(device_id)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote


def track_path(device_id: str, day: date | str | None = None) -> str:
    """/devices/<id>/track[?date=YYYY-MM-DD]; without a day the page opens on the local
    day of the device's latest fix."""
    path = f"/devices/{quote(device_id, safe='')}/track"
    if day is None:
        return path
    return f"{path}?date={day.isoformat() if isinstance(day, date) else day}"
