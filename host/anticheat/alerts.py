"""Alerts in the database: the checks run inside ingest, ingest rejections, badge events.

`after_ingest` runs inside the ingest transaction (host.ingest.after): it runs the fix
checks (host.anticheat.checks) on the batch's new fixes against the device's stored
history, marks quarantined fixes, turns the badge's anti-cheat events (kind 3) into
alerts, and attaches the evidence: the fixes' seq and id, their satellites and C/N0, and
the cells the badge heard in the same batch (kind 4). `record_rejection` turns a refused
upload into an alert in its own transaction (the ingest's was rolled back). Both wake the
alert stream once their transaction commits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from host.anticheat import codes
from host.anticheat.checks import HISTORY_FIXES, FixIn, run_checks
from host.anticheat.stream import BROKER
from host.db.devices import get_device, now_ms
from host.db.models import Alert, Batch, Device, Fix
from host.protocol import KIND_CELL, KIND_EVENT, KIND_FIX, Record

log = logging.getLogger("visitproof.anticheat")

REPEAT_WINDOW_MS = 10 * 60 * 1000  # the same rejection again within this: count, no new row
_MAX_EVIDENCE_FIXES = 50


def _collector_id(session: Session, device_pk: int) -> int | None:
    from host.reports.registry import collector_of_device

    collector = collector_of_device(session, device_pk)
    return None if collector is None else collector.id


def _notify_on_commit(session: Session) -> None:
    event.listen(session, "after_commit", BROKER.notify, once=True)


def add_alert(
    session: Session,
    device_pk: int | None,
    code: str,
    t_ms: int,
    evidence: dict,
    message: str = "",
    severity: int | None = None,
    server_ms: int | None = None,
) -> Alert:
    server_ms = now_ms() if server_ms is None else server_ms
    alert = Alert(
        device_pk=device_pk,
        collector_id=None if device_pk is None else _collector_id(session, device_pk),
        code=code,
        weight=codes.weight(code, severity),
        t_ms=t_ms,
        server_ms=server_ms,
        last_ms=server_ms,
        count=1,
        message=(message or codes.HOST_CODES.get(code, ("", code))[1])[:300],
        evidence_json=json.dumps(evidence, sort_keys=True),
    )
    session.add(alert)
    _notify_on_commit(session)
    return alert


def fix_in(rec: Record | Fix, fix_id: int | None = None) -> FixIn:
    """The checks' view of a fix, from a received record or a stored row."""
    stored = isinstance(rec, Fix)
    return FixIn(
        seq=rec.seq,
        t_ms=rec.fix_ms,
        lat_e7=rec.lat_e7,
        lon_e7=rec.lon_e7,
        valid=rec.valid if stored else rec.pos_valid,
        time_source=rec.time_source,
        speed_cmps=rec.speed_cmps,
        sats_seen=rec.sats_seen,
        sats_used=rec.sats_used,
        cn0_max=rec.cn0_max,
        cn0_mean=rec.cn0_mean,
        fix_id=rec.id if stored else fix_id,
        quarantine=rec.quarantine if stored else None,
    )


def _history(session: Session, device_pk: int, before_seq: int) -> list[FixIn]:
    rows = session.scalars(
        select(Fix)
        .where(Fix.device_pk == device_pk, Fix.seq < before_seq)
        .order_by(Fix.seq.desc())
        .limit(HISTORY_FIXES)
    ).all()
    return [fix_in(r) for r in reversed(rows)]


def _cells(records: Sequence[Record]) -> list[dict]:
    return [
        {
            k: r.payload[k]
            for k in ("radio", "role", "mcc", "mnc", "lac_tac", "cell_id", "signal_dbm")
        }
        for r in records
        if r.kind == KIND_CELL
    ][:20]


def after_ingest(session: Session, device: Device, batch_row: Batch, new: Sequence[Record]) -> None:
    fixes = [r for r in new if r.kind == KIND_FIX]
    cells = _cells(new)
    if fixes:
        ids = dict(
            session.execute(select(Fix.seq, Fix.id).where(Fix.batch_id == batch_row.id)).all()
        )
        checked = [fix_in(r, ids.get(r.seq)) for r in fixes]
        history = _history(session, device.id, fixes[0].seq)
        findings, quarantine = run_checks(history, checked, batch_row.server_ms)
        for code in set(quarantine.values()):
            seqs = [s for s, c in quarantine.items() if c == code]
            session.execute(
                update(Fix)
                .where(Fix.device_pk == device.id, Fix.seq.in_(seqs))
                .values(quarantine=code)
            )
        by_seq = {f.seq: f for f in checked}
        for finding in findings:
            flagged = [by_seq[s] for s in finding.seqs[:_MAX_EVIDENCE_FIXES]]
            evidence = {
                "batch_id": batch_row.id,
                "fix_seqs": [f.seq for f in flagged],
                "fix_ids": [f.fix_id for f in flagged],
                "fires": len(finding.seqs),
                "detail": finding.detail,
                "sky": [
                    {
                        "seq": f.seq,
                        "sats_used": f.sats_used,
                        "sats_seen": f.sats_seen,
                        "cn0_max": f.cn0_max,
                        "cn0_mean": f.cn0_mean,
                    }
                    for f in flagged[:10]
                ],
                "cells": cells,
                "quarantined": finding.code in ("teleport", "future_fix"),
            }
            add_alert(
                session,
                device.id,
                finding.code,
                flagged[0].t_ms,
                evidence,
                server_ms=batch_row.server_ms,
            )
    for rec in new:
        if rec.kind != KIND_EVENT:
            continue
        p = rec.payload
        name, a_means, b_means, count_means = codes.BADGE_EVENTS.get(
            p["code"], (f"unknown_{p['code']}", "value_a", "value_b", "count")
        )
        evidence = {
            "batch_id": batch_row.id,
            "record_seq": rec.seq,
            "event_code": p["code"],
            a_means: p["value_a"],
            b_means: p["value_b"],
            count_means: p["count"],
            "lat": p["lat_e7"] / 1e7,
            "lon": p["lon_e7"] / 1e7,
            "severity": p["severity"],
            "cells": cells,
        }
        add_alert(
            session,
            device.id,
            codes.badge_code(p["code"]),
            rec.fix_ms,
            evidence,
            message=f"the badge reported {name}",
            severity=p["severity"],
            server_ms=batch_row.server_ms,
        )


def record_rejection(session: Session, device_id: str, code: str, message: str) -> Alert | None:
    """An alert for an ingest rejection that is anti-cheat evidence (codes.INGEST_CODES);
    commits. A repeat within REPEAT_WINDOW_MS (the badge retrying) bumps its count."""
    alert_code = codes.INGEST_CODES.get(code)
    if alert_code is None:
        return None
    device = get_device(session, device_id)
    if device is None:
        return None
    now = now_ms()
    alert = session.scalar(
        select(Alert)
        .where(Alert.device_pk == device.id, Alert.code == alert_code)
        .where(Alert.last_ms >= now - REPEAT_WINDOW_MS)
        .order_by(Alert.id.desc())
        .limit(1)
    )
    if alert is not None:
        alert.count += 1
        alert.last_ms = now
    else:
        evidence = {"ingest_error": code, "reason": message, "ack_seq": device.last_seq}
        alert = add_alert(session, device.id, alert_code, now, evidence, server_ms=now)
    session.commit()
    return alert


def alert_json(alert: Alert, device_id: str | None = None) -> dict:
    from host.console.days import utc_iso

    return {
        "id": alert.id,
        "code": alert.code,
        "weight": alert.weight,
        "device_id": device_id,
        "collector_id": alert.collector_id,
        "time": utc_iso(alert.t_ms),
        "received": utc_iso(alert.server_ms),
        "count": alert.count,
        "message": alert.message,
        "evidence": json.loads(alert.evidence_json),
    }


def alerts_after(session: Session, after_id: int, limit: int = 100) -> list[dict]:
    """Alerts with id > after_id, oldest first, as JSON (the stream and the list)."""
    rows = session.execute(
        select(Alert, Device.device_id)
        .outerjoin(Device, Device.id == Alert.device_pk)
        .where(Alert.id > after_id)
        .order_by(Alert.id)
        .limit(limit)
    ).all()
    return [alert_json(a, d) for a, d in rows]


def latest_alerts(session: Session, limit: int = 200) -> list[dict]:
    rows = session.execute(
        select(Alert, Device.device_id)
        .outerjoin(Device, Device.id == Alert.device_pk)
        .order_by(Alert.id.desc())
        .limit(limit)
    ).all()
    return [alert_json(a, d) for a, d in rows]
