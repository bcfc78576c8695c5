"""The collector-day report, computed from stored fixes in fix-time order and cached.

`refresh_day` gathers the inputs of one collector's working day (fixes by fix time, the
day's planned and checked-in cases, the day's check-in attempts with the fixes they rest
on), fingerprints them, and recomputes only when the fingerprint differs from the cached
one or the day was marked stale. Recomputing also re-judges the day's check-ins. The same
inputs always give the same stored report, whatever order the data arrived in.
"""

from __future__ import annotations

import json
import logging
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from host.db import write_transaction
from host.db.devices import now_ms
from host.db.models import Case, Checkin, Collector, DayResult, Device, Fix, VisitPlan
from host.reports import engine
from host.reports.checkins import NO_FIX, TRUSTED_TIME, UNKNOWN_CASE, checkin_json, resolve_fix
from host.reports.settings import get_org, sites

log = logging.getLogger("visitproof.reports")


def _settings(session: Session):
    org = get_org(session)
    return engine.org_settings(org, sites(session, org))


def _day_fixes(session: Session, device_pk: int | None, start_ms: int, end_ms: int):
    return select(*engine.POINT_COLUMNS).where(
        Fix.device_pk == device_pk, Fix.fix_ms >= start_ms, Fix.fix_ms < end_ms, TRUSTED_TIME
    )


def _fixes_key(session: Session, device_pk: int | None, start_ms: int, end_ms: int) -> tuple:
    """(count, sum of ids, max id) of the day's usable fixes: fix rows are only ever added
    (or quarantined, which takes them out), so this names the set without loading it."""
    if device_pk is None:
        return (0, 0, 0)
    sub = _day_fixes(session, device_pk, start_ms, end_ms).add_columns(Fix.id).subquery()
    n, total, top = session.execute(
        select(func.count(), func.coalesce(func.sum(sub.c.id), 0), func.max(sub.c.id))
    ).one()
    return (int(n), int(total), top)


def _points(session: Session, device_pk: int | None, start_ms: int, end_ms: int):
    if device_pk is None:
        return []
    stmt = _day_fixes(session, device_pk, start_ms, end_ms).order_by(Fix.fix_ms, Fix.seq)
    # Core rows, not the ORM's: loading 7,200 fixes through ORM rows costs several times more.
    return [engine.track_point(row) for row in session.connection().execute(stmt)]


def _checkins(session: Session, collector_id: int, start_ms: int, end_ms: int) -> list[Checkin]:
    stmt = (
        select(Checkin)
        .where(Checkin.collector_id == collector_id)
        .where(Checkin.attempt_ms >= start_ms, Checkin.attempt_ms < end_ms)
        .order_by(Checkin.attempt_ms, Checkin.id)
    )
    return list(session.scalars(stmt))


def _cases(session: Session, collector_id: int, day: date, checkins: list[Checkin]) -> list[Case]:
    planned = select(VisitPlan.case_id).where(
        VisitPlan.collector_id == collector_id, VisitPlan.day == day
    )
    ids = {c.case_id for c in checkins if c.case_id is not None}
    stmt = select(Case).where(Case.id.in_(planned) | Case.id.in_(ids)).order_by(Case.number)
    return list(session.scalars(stmt))


def _cached(session: Session, collector_id: int, day: date) -> DayResult | None:
    return session.scalar(
        select(DayResult).where(DayResult.collector_id == collector_id, DayResult.day == day)
    )


def refresh_day(session: Session, collector: Collector, day: date, force: bool = False) -> dict:
    """The analytics' report of the collector's working day `day` (cached); commits."""
    settings = _settings(session)
    start_ms, end_ms = engine.day_bounds(day, settings)
    fixes_key = _fixes_key(session, collector.device_pk, start_ms, end_ms)
    rows = _checkins(session, collector.id, start_ms, end_ms)
    cases = {c.id: c for c in _cases(session, collector.id, day, rows)}
    judged: list[tuple[Checkin, Fix | None]] = []  # rows handed to the analytics
    verdicts: dict[int, tuple[bool, list[str], float | None, int | None]] = {}
    attempts = []
    for row in rows:
        if row.case_id is None:
            verdicts[row.id] = (False, [UNKNOWN_CASE], None, None)
            continue
        fix = resolve_fix(session, row, collector.device_pk)
        if fix is None:
            verdicts[row.id] = (False, [NO_FIX], None, None)
            continue
        judged.append((row, fix))
        attempts.append(engine.attempt(row.attempt_ms, cases[row.case_id], fix))
    case_inputs = [engine.case_input(c) for c in cases.values()]
    refused = [(r.attempt_ms, r.case_number, verdicts[r.id][1]) for r in rows if r.id in verdicts]
    fingerprint = engine.fingerprint(settings, day, fixes_key, case_inputs, attempts, refused)

    cached = _cached(session, collector.id, day)
    if (
        not force
        and cached is not None
        and not cached.stale
        and cached.fingerprint == fingerprint
        and cached.report_json is not None
    ):
        session.commit()
        return json.loads(cached.report_json)

    points = _points(session, collector.device_pk, start_ms, end_ms)
    report = engine.day_report(points, day, settings, case_inputs, attempts)
    by_id = {c.case_id: c for c in case_inputs}
    from host.anticheat.risk import intercept  # issue 6: refuse check-ins above the risk

    org = get_org(session)
    for (row, fix), attempt in zip(judged, attempts, strict=True):
        accepted, reasons, distance_m = engine.judge(attempt, by_id, settings)
        accepted, reasons = intercept(
            session, org, collector.device_pk, row.attempt_ms, fix, accepted, list(reasons)
        )
        verdicts[row.id] = (accepted, reasons, distance_m, fix.id)
    now = now_ms()
    seen_mark = None if cached is None else cached.marked_ms
    # End the reads before writing: on SQLite a reader that turns writer fails when another
    # writer committed meanwhile (host.db.write_transaction takes the write lock first).
    session.commit()
    write_transaction(session)
    for row in rows:
        accepted, reasons, distance_m, fix_id = verdicts[row.id]
        reasons_json = json.dumps(reasons)
        if (row.accepted, row.reasons_json, row.distance_m) != (accepted, reasons_json, distance_m):
            row.accepted, row.reasons_json, row.distance_m = accepted, reasons_json, distance_m
            row.validated_ms = now
        if row.source != "badge":
            row.fix_id = fix_id
    text = json.dumps(report, sort_keys=True, separators=(",", ":"))
    _store(session, collector.id, day, fingerprint, text, now, seen_mark)
    session.commit()
    return json.loads(text)


def _store(
    session: Session,
    collector_id: int,
    day: date,
    fingerprint: str,
    text: str,
    now: int,
    seen_mark: int | None,
) -> None:
    """Upsert the day's result. It stays stale when ingest marked the day again while the
    report was computed (its marked_ms moved): the new data is not in this report."""
    stmt = select(DayResult).where(DayResult.collector_id == collector_id, DayResult.day == day)
    stmt = stmt.execution_options(populate_existing=True)
    cached = session.scalar(stmt)
    if cached is None:
        try:
            with session.begin_nested():  # another worker may insert the same day first
                session.add(
                    DayResult(
                        collector_id=collector_id,
                        day=day,
                        stale=False,
                        fingerprint=fingerprint,
                        report_json=text,
                        computed_ms=now,
                        marked_ms=now,
                    )
                )
            return
        except IntegrityError:
            cached = session.scalar(stmt)
    cached.stale = cached.marked_ms != seen_mark
    cached.fingerprint = fingerprint
    cached.report_json = text
    cached.computed_ms = now


def refresh_stale(session: Session, limit: int | None = None, only_with_checkins=False) -> int:
    """Recompute collector-days marked stale (oldest day first); returns how many. A day
    that fails is logged and left stale for the next pass."""
    stmt = select(DayResult.collector_id, DayResult.day).where(DayResult.stale.is_(True))
    pending = session.execute(stmt.order_by(DayResult.day, DayResult.collector_id)).all()
    session.commit()
    settings = _settings(session) if only_with_checkins else None
    done = 0
    for collector_id, day in pending:
        if limit is not None and done >= limit:
            break
        if settings is not None:
            start_ms, end_ms = engine.day_bounds(day, settings)
            if not _checkins(session, collector_id, start_ms, end_ms):
                continue
        collector = session.get(Collector, collector_id)
        try:
            refresh_day(session, collector, day)
        except Exception:
            session.rollback()
            log.exception("day report of collector %s on %s failed", collector_id, day)
            continue
        done += 1
    return done


def day_view(session: Session, collector: Collector, day: date) -> dict:
    """What the CLI and the console show for a collector-day: the report, the check-ins
    with the host's verdicts, and the planned cases with their days since the last visit."""
    from host.reports.checkins import days_since_visit

    report = refresh_day(session, collector, day)
    settings = _settings(session)
    start_ms, end_ms = engine.day_bounds(day, settings)
    device = None if collector.device_pk is None else session.get(Device, collector.device_pk)
    checkins = []
    for row in _checkins(session, collector.id, start_ms, end_ms):
        checkins.append(checkin_json(session, row))
    planned = {
        c.number
        for c in session.scalars(
            select(Case)
            .join(VisitPlan, VisitPlan.case_id == Case.id)
            .where(VisitPlan.collector_id == collector.id, VisitPlan.day == day)
        )
    }
    since = [c for c in days_since_visit(session, day) if c["number"] in planned]
    return {
        "collector": {
            "id": collector.id,
            "name": collector.name,
            "device_id": None if device is None else device.device_id,
        },
        "date": day.isoformat(),
        "tz": settings.tz,
        "report": report,
        "checkins": checkins,
        "planned_cases": since,
    }
