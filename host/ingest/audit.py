"""Re-verify what the host stores, long after ingest: an auditor's check that every stored
fix still carries a valid badge signature and an unbroken hash chain.

Each stored fix is checked against the batch body it arrived in (kept whole): the batch's
Ed25519 signature must verify with the device's registered key, the fix's raw bytes must be
inside that signed body, and its hash and prev_hash must link to its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from host.db.models import Batch, Device, Fix
from host.ingest.service import signature_ok
from host.protocol import parse_batch, record_hash


@dataclass
class AuditReport:
    device_id: str
    records_checked: int = 0
    records_verified: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.records_checked == self.records_verified


def audit_device(session: Session, device: Device) -> AuditReport:
    report = AuditReport(device.device_id)
    signed_records: dict[int, set[bytes]] = {}
    for batch_row in session.scalars(select(Batch).where(Batch.device_pk == device.id)):
        batch = parse_batch(batch_row.body)
        if signature_ok(device.public_key, batch):
            signed_records[batch_row.id] = {rec.raw for rec in batch.records}
        else:
            report.problems.append(f"batch {batch_row.id}: signature does not verify")
    prev_hash = bytes(32)
    prev_seq = 0
    fixes = session.scalars(select(Fix).where(Fix.device_pk == device.id).order_by(Fix.seq))
    for fix in fixes:
        report.records_checked += 1
        faults = []
        if fix.raw not in signed_records.get(fix.batch_id, ()):
            faults.append("not inside a verified batch")
        if record_hash(fix.raw) != fix.record_hash:
            faults.append("stored hash differs from its bytes")
        if fix.seq == prev_seq + 1 and fix.raw[40:72] != prev_hash:
            faults.append("prev_hash does not link to record %d" % prev_seq)
        if faults:
            report.problems.append(f"record {fix.seq}: " + "; ".join(faults))
        else:
            report.records_verified += 1
        prev_seq, prev_hash = fix.seq, fix.record_hash
    return report
