"""Local calendar days in the console's time zone (VISITPROOF_TZ), as UTC millisecond ranges.

Plain functions, no Flask: a supervisor's "day" starts at local midnight, while fixes are
stored with UTC `fix_ms`. zoneinfo makes the cut right on DST days too.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadDate(ValueError):
    """The text is not a calendar date written YYYY-MM-DD."""


def parse_day(text: str) -> date:
    # fromisoformat alone would also take "20240501" and week dates; the URL contract is one form.
    if not _DATE_RE.fullmatch(text or ""):
        raise BadDate(f"date must be YYYY-MM-DD, got {text!r}")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadDate(f"{text!r} is not a calendar date") from None
    # Fix times are unsigned 32-bit seconds since 1970 (docs/protocol-v1.md): no day outside.
    if not date(1970, 1, 2) <= day <= date(2106, 2, 6):
        raise BadDate(f"{text} is outside 1970-01-02..2106-02-06, the days a fix time can carry")
    return day


def day_bounds_ms(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """[start, end) of the local day in UTC ms since the epoch."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return _ms(start), _ms(end)


def local_day_of(ms: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=tz).date()


def utc_iso(ms: int) -> str:
    """ISO 8601 UTC with milliseconds and a Z, e.g. 2024-05-01T16:00:00.000Z."""
    seconds, millis = divmod(ms, 1000)  # integer split: no float rounding of the ms
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"


def local_text(ms: int | None, tz: ZoneInfo) -> str:
    """Local time for tables: 2024-05-01 08:00:05."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=tz).strftime("%Y-%m-%d %H:%M:%S")


def _ms(dt: datetime) -> int:
    return int(dt.timestamp()) * 1000
