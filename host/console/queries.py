"""Read-only queries behind the console pages and its JSON API (SQLAlchemy, no Flask).

A track only shows fixes whose position is valid and whose time came from GNSS or the
network: a record stamped by the badge's unsynced RTC (time source 0) cannot be placed
on a day (docs/protocol-v1.md, flags bits 0-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from host.console import days
from host.db.models import Device, Fix

TIME_SOURCE_NONE = 0


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    fixes_stored: int
    last_fix_ms: int | None


def device_overview(session: Session) -> list[DeviceRow]:
    """Every device with its number of stored fixes and the time of its latest fix."""
    counts = (
        select(
            Fix.device_pk,
            func.count(Fix.id).label("n"),
            # issue 6: a quarantined (future-dated, teleported) fix is never the latest
            func.max(case((Fix.quarantine.is_(None), Fix.fix_ms))).label("last"),
        )
        .group_by(Fix.device_pk)
        .subquery()
    )
    stmt = (
        select(Device, counts.c.n, counts.c.last)
        .outerjoin(counts, counts.c.device_pk == Device.id)
        .order_by(Device.name, Device.device_id)
    )
    return [DeviceRow(d, n or 0, last) for d, n, last in session.execute(stmt)]


def _trackable():
    # quarantine: set by host.anticheat (a teleport, a future-dated fix): never a position.
    return (Fix.valid.is_(True), Fix.time_source != TIME_SOURCE_NONE, Fix.quarantine.is_(None))


def latest_fix_ms(session: Session, device_pk: int) -> int | None:
    return session.scalar(
        select(func.max(Fix.fix_ms)).where(Fix.device_pk == device_pk, *_trackable())
    )


def day_fixes(session: Session, device_pk: int, start_ms: int, end_ms: int) -> list[Fix]:
    """Fixes with start_ms <= fix_ms < end_ms in fix-time order (not arrival order:
    offline badges upload late, so seq and insert order do not follow the clock)."""
    stmt = (
        select(Fix)
        .where(Fix.device_pk == device_pk, Fix.fix_ms >= start_ms, Fix.fix_ms < end_ms)
        .where(*_trackable())
        .order_by(Fix.fix_ms, Fix.seq)
    )
    return list(session.scalars(stmt))


def default_day(session: Session, device_pk: int, tz: ZoneInfo) -> date:
    """The local day of the device's latest fix; today when it has none."""
    last = latest_fix_ms(session, device_pk)
    if last is None:
        return datetime.now(tz).date()
    return days.local_day_of(last, tz)
