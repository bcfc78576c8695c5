"""Device registry: plain service functions over a session (CLI, console, demo, tests).

Functions flush their changes and commit when `commit=True` (the default); pass
`commit=False` to make them part of a larger unit of work.
"""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from host.db.models import Device
from host.protocol import device_id_for

ACTIVE = "active"
REVOKED = "revoked"


class DeviceError(Exception):
    """A registry request that cannot be done (bad key, unknown id, id clash)."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def get_device(session: Session, device_id: str) -> Device | None:
    return session.scalar(select(Device).where(Device.device_id == device_id.lower()))


def list_devices(session: Session) -> list[Device]:
    return list(session.scalars(select(Device).order_by(Device.registered_ms, Device.id)))


def register_device(
    session: Session, public_key: bytes, name: str = "", *, commit: bool = True
) -> Device:
    """Register a badge's Ed25519 public key; its id is SHA-256(key)[:8].hex().

    Idempotent: the same key again returns the existing device unchanged (a revoked device
    stays revoked: a badge that was wiped must come back with a new key).
    """
    if len(public_key) != 32:
        raise DeviceError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
    device_id = device_id_for(public_key)
    existing = get_device(session, device_id)
    if existing is not None:
        if existing.public_key != public_key:  # 64-bit prefix collision: refuse, never replace
            raise DeviceError(f"device id {device_id} is registered with another key")
        return existing
    device = Device(
        device_id=device_id,
        public_key=public_key,
        name=name,
        status=ACTIVE,
        registered_ms=now_ms(),
        last_seq=0,
        last_hash=bytes(32),
    )
    session.add(device)
    session.flush()
    if commit:
        session.commit()
    return device


def revoke_device(session: Session, device_id: str, *, commit: bool = True) -> Device:
    """Deactivate a device: its uploads are refused with device_revoked from now on."""
    device = get_device(session, device_id)
    if device is None:
        raise DeviceError(f"no device {device_id}")
    device.status = REVOKED
    session.flush()
    if commit:
        session.commit()
    return device
