"""Verify and store one upload batch: the rules of docs/protocol-v1.md, in order.

Plain functions over a session (no Flask), so the CLI, a worker or a test can ingest too.
`ingest_batch` either stores everything (Batch row, new Fix rows and Record rows of the
other kinds, device chain head, and what host.ingest.after derives from them) in one
transaction and returns an IngestResult, or stores nothing and raises IngestError.

Order of checks: layout -> device (unknown / revoked) -> signature and the chain inside
the batch (record_tampered / bad_signature / chain_broken) -> replay -> sequence against
the stored head (gap / conflict / chain continuation). The device row is locked for the
whole transaction (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two
uploads from one badge are applied one after the other.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from host.db import write_transaction
from host.db.devices import REVOKED, now_ms
from host.db.models import Batch as BatchRow
from host.db.models import Device, Fix
from host.db.models import Record as RecordRow
from host.ingest.after import after_ingest
from host.protocol import (
    ALT_UNKNOWN,
    KIND_FIX,
    U16_UNKNOWN,
    Batch,
    ProtocolError,
    Record,
    chain_fault,
    parse_batch,
)

log = logging.getLogger("visitproof.ingest")

_LAYOUT_STATUS = {
    "body_too_large": 413,
    "malformed_batch": 400,
    "unsupported_version": 400,
    "field_out_of_range": 400,
}


class IngestError(Exception):
    """A refused batch: HTTP status, protocol error code, message, extra answer fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


@dataclass(frozen=True)
class IngestResult:
    device_id: str
    ack_seq: int
    stored: int
    duplicates: int
    batch_id: int

    def answer(self) -> dict:
        """The 200 JSON body of the page, exactly."""
        return {
            "ok": True,
            "device_id": self.device_id,
            "ack_seq": self.ack_seq,
            "stored": self.stored,
            "duplicates": self.duplicates,
        }


def signature_ok(public_key: bytes, batch: Batch) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(batch.signature, batch.message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _unknown(value: int, sentinel: int) -> int | None:
    return None if value == sentinel else value


def fix_row(rec: Record, device_pk: int, batch_id: int, server_ms: int) -> dict:
    """Columns of a Fix row for a verified record; 'unknown' sentinels become NULL."""
    return {
        "device_pk": device_pk,
        "batch_id": batch_id,
        "seq": rec.seq,
        "kind": rec.kind,
        "flags": rec.flags,
        "time_source": rec.time_source,
        "pos_source": rec.pos_source,
        "valid": rec.pos_valid,
        "fix_ms": rec.fix_ms,
        "server_ms": server_ms,
        "lat_e7": rec.lat_e7,
        "lon_e7": rec.lon_e7,
        "alt_cm": _unknown(rec.alt_cm, ALT_UNKNOWN),
        "acc_m": _unknown(rec.acc_m, U16_UNKNOWN),
        "speed_cmps": _unknown(rec.speed_cmps, U16_UNKNOWN),
        "course_cdeg": _unknown(rec.course_cdeg, U16_UNKNOWN),
        "hdop_x10": _unknown(rec.hdop_x10, U16_UNKNOWN),
        "quality": rec.quality,
        "mode": rec.mode,
        "sats_used": rec.sats_used,
        "sats_seen": rec.sats_seen,
        "cn0_max": rec.cn0_max,
        "cn0_mean": rec.cn0_mean,
        "raw": rec.raw,
        "record_hash": rec.hash,
    }


def record_row(rec: Record, device_pk: int, batch_id: int, server_ms: int) -> dict:
    """Columns of a Record row (any kind but the fix)."""
    return {
        "device_pk": device_pk,
        "batch_id": batch_id,
        "seq": rec.seq,
        "kind": rec.kind,
        "flags": rec.flags,
        "time_source": rec.time_source,
        "time_ms": rec.fix_ms,
        "server_ms": server_ms,
        "raw": rec.raw,
        "record_hash": rec.hash,
    }


def stored_raw(session: Session, device_pk: int, first: int, last: int) -> dict[int, bytes]:
    """seq -> raw bytes of the stored records first..last, of every kind."""
    stored: dict[int, bytes] = {}
    for table in (Fix, RecordRow):
        stored.update(
            session.execute(
                select(table.seq, table.raw).where(
                    table.device_pk == device_pk, table.seq >= first, table.seq <= last
                )
            ).all()
        )
    return stored


def _parse(body: bytes) -> Batch:
    try:
        return parse_batch(body)
    except ProtocolError as e:
        raise IngestError(_LAYOUT_STATUS[e.code], e.code, e.message) from None


def _locked_device(session: Session, device_id: str) -> Device:
    write_transaction(session)
    device = session.scalar(select(Device).where(Device.device_id == device_id).with_for_update())
    if device is None:
        raise IngestError(403, "unknown_device", f"no device {device_id} is registered")
    if device.status == REVOKED:
        raise IngestError(403, "device_revoked", f"device {device_id} was deactivated")
    return device


def _check_signed(device: Device, batch: Batch) -> None:
    fault = chain_fault(batch.records)
    if not signature_ok(device.public_key, batch):
        if fault:
            raise IngestError(
                401, "record_tampered", f"{fault} and the signature fails: a record was edited"
            )
        raise IngestError(
            401,
            "bad_signature",
            f"signature does not verify with the key registered for device {device.device_id}",
        )
    if fault:
        raise IngestError(409, "chain_broken", f"signed, but {fault}", ack_seq=device.last_seq)


def _split_against_head(session: Session, device: Device, batch: Batch) -> list[Record]:
    """Check the batch against the stored chain; return its records new to the host."""
    head = device.last_seq
    first, last = batch.records[0].seq, batch.records[-1].seq
    if first > head + 1:
        raise IngestError(
            409,
            "sequence_gap",
            f"batch starts at seq {first} but the host holds up to {head}: records are missing",
            ack_seq=head,
        )
    if first <= head:
        stored = stored_raw(session, device.id, first, min(last, head))
        for rec in batch.records:
            if rec.seq <= head and stored.get(rec.seq) != rec.raw:
                raise IngestError(
                    409,
                    "sequence_conflict",
                    f"seq {rec.seq} is already stored with different bytes",
                    ack_seq=head,
                )
    new = [rec for rec in batch.records if rec.seq > head]
    if new and new[0].prev_hash != device.last_hash:
        raise IngestError(
            409,
            "chain_broken",
            f"seq {new[0].seq} does not continue the stored chain at seq {head}",
            ack_seq=head,
        )
    return new


def ingest_batch(session: Session, body: bytes, server_ms: int | None = None) -> IngestResult:
    """Verify `body` (an upload) and store it; raises IngestError with nothing stored."""
    batch = _parse(body)
    try:
        device = _locked_device(session, batch.device_id_hex)
        _check_signed(device, batch)
        body_sha256 = hashlib.sha256(body).digest()
        replay = session.scalar(
            select(BatchRow.id).where(
                BatchRow.device_pk == device.id, BatchRow.body_sha256 == body_sha256
            )
        )
        if replay is not None:
            raise IngestError(
                409,
                "replayed_batch",
                "this exact batch was already received",
                ack_seq=device.last_seq,
            )
        new = _split_against_head(session, device, batch)

        server_ms = now_ms() if server_ms is None else server_ms
        row = BatchRow(
            device_pk=device.id,
            nonce=batch.nonce,
            body_sha256=body_sha256,
            body=bytes(body),
            first_seq=batch.records[0].seq,
            last_seq=batch.records[-1].seq,
            count=batch.count,
            stored=len(new),
            server_ms=server_ms,
        )
        session.add(row)
        session.flush()
        if new:
            # Core executemany: the ORM's bulk path costs several times more per row here.
            fixes = [fix_row(r, device.id, row.id, server_ms) for r in new if r.kind == KIND_FIX]
            others = [
                record_row(r, device.id, row.id, server_ms) for r in new if r.kind != KIND_FIX
            ]
            if fixes:
                session.connection().execute(insert(Fix.__table__), fixes)
            if others:
                session.connection().execute(insert(RecordRow.__table__), others)
            device.last_seq = new[-1].seq
            device.last_hash = new[-1].hash
        device.last_seen_ms = server_ms
        after_ingest(session, device, row, new)
        result = IngestResult(
            device_id=device.device_id,
            ack_seq=device.last_seq,
            stored=len(new),
            duplicates=batch.count - len(new),
            batch_id=row.id,
        )
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise
