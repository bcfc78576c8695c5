"""What the host holds for one badge, every record kind together: one chain 1..N, each
record exactly once, each inside a batch whose signature verifies, each linked to the one
before. The demo's summary and the end-to-end tests read it (host.ingest.audit checks the
fixes alone)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from host.db.models import Batch, Device, Fix, Record
from host.ingest.service import signature_ok
from host.protocol import KIND_CELL, parse_batch, record_hash


def chain_report(session: Session, device: Device) -> dict:
    signed: dict[int, set[bytes]] = {}
    for row in session.scalars(select(Batch).where(Batch.device_pk == device.id)):
        batch = parse_batch(row.body)
        signed[row.id] = (
            {r.raw for r in batch.records} if signature_ok(device.public_key, batch) else set()
        )
    rows = [
        (seq, 1, raw, batch_id)
        for seq, raw, batch_id in session.execute(
            select(Fix.seq, Fix.raw, Fix.batch_id).where(Fix.device_pk == device.id)
        )
    ] + list(
        session.execute(
            select(Record.seq, Record.kind, Record.raw, Record.batch_id).where(
                Record.device_pk == device.id
            )
        )
    )
    rows.sort(key=lambda r: r[0])
    seqs = [r[0] for r in rows]
    problems = []
    verified = 0
    prev_hash = bytes(32)
    for i, (seq, _, raw, batch_id) in enumerate(rows):
        ok = raw in signed.get(batch_id, ())
        if raw[40:72] != prev_hash:
            problems.append(f"record {seq}: prev_hash does not link to record {seq - 1}")
            ok = False
        if seq != i + 1:
            problems.append(f"record {seq} at position {i + 1}: a gap or a duplicate")
            ok = False
        verified += ok
        prev_hash = record_hash(raw)
    return {
        "records_stored": len(rows),
        "fixes_stored": sum(1 for r in rows if r[1] == 1),
        "cells_stored": sum(1 for r in rows if r[1] == KIND_CELL),
        "signatures_verified": verified,
        "chain_complete": seqs == list(range(1, len(rows) + 1)),
        "chain_problems": problems[:5],
    }
