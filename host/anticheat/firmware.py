"""Released firmware builds. Protocol v1 carries no firmware hash on the wire yet, so the
check runs where a hash is known: when a technician registers a badge with
`visitproof device register --firmware-sha256 HEX` (the SHA-256 of the flashed build).
A hash that is not in this registry raises `firmware_unreleased` for the device."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from host.db.devices import now_ms
from host.db.models import Device, ReleasedFirmware

_HEX64 = re.compile(r"[0-9a-f]{64}")


class FirmwareError(ValueError):
    pass


def _norm(sha256: str) -> str:
    text = (sha256 or "").strip().lower()
    if not _HEX64.fullmatch(text):
        raise FirmwareError("a firmware SHA-256 is 64 hex characters")
    return text


def add_release(session: Session, sha256: str, version: str = "") -> ReleasedFirmware:
    text = _norm(sha256)
    row = session.scalar(select(ReleasedFirmware).where(ReleasedFirmware.sha256 == text))
    if row is None:
        row = ReleasedFirmware(sha256=text, version=version[:40], added_ms=now_ms())
        session.add(row)
    session.commit()
    return row


def is_released(session: Session, sha256: str) -> bool:
    text = _norm(sha256)
    return (
        session.scalar(select(ReleasedFirmware.id).where(ReleasedFirmware.sha256 == text))
        is not None
    )


def check_registration(session: Session, device: Device, sha256: str) -> bool:
    """True when the build is released; else an alert on the device (committed)."""
    from host.anticheat.alerts import add_alert

    if is_released(session, sha256):
        return True
    now = now_ms()
    add_alert(
        session,
        device.id,
        "firmware_unreleased",
        now,
        {"firmware_sha256": _norm(sha256)},
        server_ms=now,
    )
    session.commit()
    return False
