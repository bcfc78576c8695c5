"""Organisation time: UTC in, local days and working hours out (zoneinfo + tzdata).

A working day D spans local midnight to midnight. When the working window crosses midnight
(a night shift 20:00-08:00), day D spans D work_end to D+1 work_end instead, so the whole
shift belongs to the day it started on.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from host.analytics.model import OrgSettings

_UTC = timezone.utc


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # raises ZoneInfoNotFoundError (a KeyError) for unknown names


def _hhmm(s: str) -> time:
    hh, mm = s.split(":")
    return time(int(hh), int(mm))


def crosses_midnight(settings: OrgSettings) -> bool:
    return _hhmm(settings.work_end) <= _hhmm(settings.work_start)


def _local_ms(day: date, at: time, tz: ZoneInfo) -> int:
    return int(datetime.combine(day, at, tzinfo=tz).timestamp() * 1000)


def local_day_bounds(day: date, settings: OrgSettings) -> tuple[int, int]:
    """[start_ms, end_ms) in UTC of working day `day`."""
    tz = zone(settings.tz)
    cut = _hhmm(settings.work_end) if crosses_midnight(settings) else time(0, 0)
    return _local_ms(day, cut, tz), _local_ms(day + timedelta(days=1), cut, tz)


def local_datetime(t_ms: int, settings: OrgSettings) -> datetime:
    return datetime.fromtimestamp(t_ms / 1000, tz=zone(settings.tz))


def working_day_of(t_ms: int, settings: OrgSettings) -> date:
    local = local_datetime(t_ms, settings)
    if crosses_midnight(settings) and local.time() < _hhmm(settings.work_end):
        return local.date() - timedelta(days=1)
    return local.date()


def in_working_hours(t_ms: int, settings: OrgSettings) -> bool:
    """Start inclusive, end exclusive, in local wall-clock time."""
    now = local_datetime(t_ms, settings).time()
    start, end = _hhmm(settings.work_start), _hhmm(settings.work_end)
    if end > start:
        return start <= now < end
    return now >= start or now < end


def working_windows_ms(day: date, settings: OrgSettings) -> tuple[int, int]:
    """The working window of day `day` as UTC [start_ms, end_ms)."""
    tz = zone(settings.tz)
    start, end = _hhmm(settings.work_start), _hhmm(settings.work_end)
    end_day = day + timedelta(days=1) if end <= start else day
    return _local_ms(day, start, tz), _local_ms(end_day, end, tz)


def parse_utc_ms(text: str) -> int:
    """ISO 8601 time with an explicit offset ('Z', '+08:00', '+05:30') -> UTC ms.
    A time without an offset is refused: badges never send local time."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return round(dt.timestamp() * 1000)


def iso_local(t_ms: int, settings: OrgSettings) -> str:
    return local_datetime(t_ms, settings).isoformat(timespec="seconds")


def iso_utc(t_ms: int) -> str:
    return datetime.fromtimestamp(t_ms / 1000, tz=_UTC).isoformat(timespec="seconds")
