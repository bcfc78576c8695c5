"""What an ingest sets off for the reports: `after_ingest` runs inside the ingest
transaction (host.ingest.after) with the records new to the host. It only writes what is
cheap and idempotent: badge check-ins (record kind 2) as check-in attempts, and a stale
mark on every collector-day the new records fall on, by their own time in the
organisation's zone (never the arrival time). The reports are recomputed outside the
upload: when read (CLI, console) or by `visitproof report refresh` in a worker, so that
an analysis fault can never make the host refuse a badge's batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from host.db.devices import now_ms
from host.db.models import Case, Checkin, DayResult, Device, Fix
from host.protocol import KIND_CHECKIN, KIND_FIX, Record
from host.reports import engine
from host.reports.checkins import NOT_JUDGED
from host.reports.registry import collector_of_device
from host.reports.settings import get_org, sites

_UNSYNCED = 0  # time source 0: the badge's RTC; such a record cannot be put on a day
_BADGE_ACCEPTED = 0  # check-in payload verdict: 0 = the badge accepted, 1 = refused


def after_ingest(session: Session, device: Device, new: Sequence[Record]) -> None:
    collector = collector_of_device(session, device.id)
    if collector is None or not new:
        return
    org = get_org(session)
    settings = engine.org_settings(org, sites(session, org))
    days: set[date] = set()
    for rec in new:
        if rec.time_source == _UNSYNCED or rec.kind not in (KIND_FIX, KIND_CHECKIN):
            continue
        days.add(engine.working_day(rec.fix_ms, settings))
        if rec.kind == KIND_CHECKIN:
            _badge_checkin(session, collector.id, device.id, rec)
    mark_stale(session, collector.id, days)


def _badge_checkin(session: Session, collector_id: int, device_pk: int, rec: Record) -> None:
    p = rec.payload
    case_id = None
    if p["case_ref"]:
        case_id = session.scalar(select(Case.id).where(Case.number == p["case_ref"]))
    fix_id = None
    if p["fix_seq"]:
        fix_id = session.scalar(
            select(Fix.id).where(Fix.device_pk == device_pk, Fix.seq == p["fix_seq"])
        )
    session.add(
        Checkin(
            collector_id=collector_id,
            case_id=case_id,
            case_number=p["case_ref"],
            attempt_ms=rec.fix_ms,
            source="badge",
            device_pk=device_pk,
            record_seq=rec.seq,
            badge_accepted=p["verdict"] == _BADGE_ACCEPTED,
            fix_id=fix_id,
            accepted=False,
            reasons_json=json.dumps([NOT_JUDGED]),
            server_ms=now_ms(),
            validated_ms=0,
        )
    )


def mark_stale(session: Session, collector_id: int, days: set[date]) -> None:
    """Upsert a stale mark per day (one statement per day; safe under concurrent ingests)."""
    if not days:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = now_ms()
    for day in sorted(days):
        stmt = insert(DayResult).values(
            collector_id=collector_id, day=day, stale=True, fingerprint="", marked_ms=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["collector_id", "day"], set_={"stale": True, "marked_ms": now}
        )
        session.execute(stmt)
