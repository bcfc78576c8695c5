"""Check-in attempts and days since the last verified visit.

A check-in is stored as an attempt (who, which case, when, from the badge or the console)
and judged by the host: the fix it rests on is the badge's own choice for a badge check-in
(the record's fix_seq), else the collector's latest fix at or before the attempt. The
verdict itself comes from the analytics through the collector-day report
(host.reports.dayreports), so it is judged again whenever that day is recomputed, e.g.
after the badge's fixes arrive late. A refused check-in keeps its reasons and never counts
as a visit.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from host.db import write_transaction
from host.db.devices import now_ms
from host.db.models import Case, Checkin, Collector, Fix
from host.reports import engine
from host.reports.errors import ReportsError
from host.reports.registry import CASE_NUMBER_MAX, get_collector
from host.reports.settings import get_org, sites

SOURCES = ("badge", "console")
# Reasons the host gives before the analytics is asked (the analytics adds its own).
NO_FIX = "no_fix"  # no fix of the collector's badge at or before the attempt
UNKNOWN_CASE = "unknown_case"  # the case number is not a case of the organisation
NOT_JUDGED = "not_judged_yet"  # stored by ingest; judged when its day is recomputed
TRUSTED_TIME = Fix.time_source != 0  # an unsynced RTC time cannot place a fix
# issue 6: a quarantined fix (teleport, future-dated) is no track point and no position.
TRUSTED_TIME = TRUSTED_TIME & Fix.quarantine.is_(None)


def resolve_fix(session: Session, checkin: Checkin, device_pk: int | None) -> Fix | None:
    if device_pk is None:
        return None
    if checkin.fix_id is not None and checkin.source == "badge":
        return session.get(Fix, checkin.fix_id)
    stmt = (
        select(Fix)
        .where(Fix.device_pk == device_pk, Fix.fix_ms <= checkin.attempt_ms, TRUSTED_TIME)
        .where(Fix.valid.is_(True))
        .order_by(Fix.fix_ms.desc(), Fix.seq.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def record_checkin(
    session: Session,
    collector: str | int | Collector,
    case_number: int,
    attempt_ms: int,
    *,
    source: str = "console",
    created_by: str = "",
) -> Checkin:
    """Store a check-in attempt, judge it on the host's geometry, commit; returns the row."""
    from host.reports import dayreports
    from host.reports.recompute import mark_stale

    if source not in SOURCES:
        raise ReportsError("bad_value", f"source must be one of {', '.join(SOURCES)}")
    if not isinstance(attempt_ms, int) or not 0 < attempt_ms < 2**32 * 1000:
        raise ReportsError("bad_value", "attempt time must be UTC ms within 1970..2106")
    if not isinstance(case_number, int) or not 1 <= case_number <= CASE_NUMBER_MAX:
        raise ReportsError("bad_value", f"case number must be an integer in 1..{CASE_NUMBER_MAX}")
    if not isinstance(collector, Collector):
        collector = get_collector(session, collector)
    case = session.scalar(select(Case).where(Case.number == case_number))
    if case is None:
        raise ReportsError("unknown_case", f"no case number {case_number}")
    settings = engine.org_settings(get_org(session), sites(session, get_org(session)))
    day = engine.working_day(attempt_ms, settings)
    session.commit()  # end the reads: the insert below takes the write lock first
    write_transaction(session)
    row = Checkin(
        collector_id=collector.id,
        case_id=case.id,
        case_number=case_number,
        attempt_ms=attempt_ms,
        source=source,
        accepted=False,
        reasons_json=json.dumps([NOT_JUDGED]),
        created_by=created_by[:80],
        server_ms=now_ms(),
        validated_ms=0,
    )
    session.add(row)
    mark_stale(session, collector.id, {day})
    session.commit()
    dayreports.refresh_day(session, collector, day)
    return row


def checkin_json(session: Session, row: Checkin) -> dict:
    from host.console.days import utc_iso

    fix = None if row.fix_id is None else session.get(Fix, row.fix_id)
    return {
        "id": row.id,
        "case_number": row.case_number,
        "attempt_time": utc_iso(row.attempt_ms),
        "source": row.source,
        "accepted": row.accepted,
        "reasons": json.loads(row.reasons_json),
        "distance_m": row.distance_m,
        "fix_seq": None if fix is None else fix.seq,
        "badge_accepted": row.badge_accepted,
        "created_by": row.created_by,
    }


def days_since_visit(session: Session, as_of: date) -> list[dict]:
    """Every case with the local day of its last verified (accepted) check-in on or before
    `as_of` and the days from it to `as_of` (None: never visited)."""
    from host.reports import dayreports

    dayreports.refresh_stale(session, only_with_checkins=True)
    org = get_org(session)
    settings = engine.org_settings(org, sites(session, org))
    _, end_ms = engine.day_bounds(as_of, settings)
    last_ms = dict(
        session.execute(
            select(Checkin.case_id, func.max(Checkin.attempt_ms))
            .where(Checkin.accepted.is_(True), Checkin.attempt_ms < end_ms)
            .group_by(Checkin.case_id)
        ).all()
    )
    cases = list(session.scalars(select(Case).order_by(Case.priority.desc(), Case.number)))
    visited = {
        engine.case_id(c): [engine.working_day(last_ms[c.id], settings)]
        for c in cases
        if c.id in last_ms
    }
    days = engine.days_since({**{engine.case_id(c): [] for c in cases}, **visited}, as_of)
    out = []
    for c in cases:
        key = engine.case_id(c)
        last = visited.get(key, [None])[0]
        out.append(
            {
                "number": c.number,
                "name": c.name,
                "address": c.address,
                "lat": c.lat_e7 / 1e7,
                "lon": c.lon_e7 / 1e7,
                "priority": c.priority,
                "due_date": None if c.due_date is None else c.due_date.isoformat(),
                "fence_radius_m": c.fence_radius_m or org.fence_radius_m,
                "last_visit": None if last is None else last.isoformat(),
                "days_since_visit": days[key],
            }
        )
    return out
