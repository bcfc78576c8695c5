"""The host's tables. Schema changes go through Alembic migrations (host/db/migrations),
never `create_all`: SQLite and PostgreSQL take the same migration path.

Times: `*_ms` columns hold UTC milliseconds since the Unix epoch (fix_time from the badge,
server_time from the host clock); they stay apart, as Traccar keeps fixTime/serverTime.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="admin")  # admin|supervisor|auditor
    created_ms: Mapped[int] = mapped_column(BigInteger)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(16), unique=True)  # hex of SHA-256(pubkey)[:8]
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|revoked
    registered_ms: Mapped[int] = mapped_column(BigInteger)
    # Head of the verified chain: every record 1..last_seq is stored, last_hash = SHA-256 of it.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary(32), default=bytes(32))
    last_seen_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    fixes: Mapped[list[Fix]] = relationship(back_populates="device", lazy="raise")


class Batch(Base):
    """An accepted upload, kept whole so that any stored record can be re-verified later."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("device_pk", "body_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_pk: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(8))
    body_sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)  # records new to the host in this batch
    server_ms: Mapped[int] = mapped_column(BigInteger)


class Fix(Base):
    """One verified record of kind 1 (a fix), decoded, with its raw bytes and hash."""

    __tablename__ = "fixes"
    __table_args__ = (
        UniqueConstraint("device_pk", "seq"),
        Index("ix_fixes_device_time", "device_pk", "fix_ms"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    device_pk: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[int] = mapped_column(SmallInteger)
    flags: Mapped[int] = mapped_column(Integer)
    time_source: Mapped[int] = mapped_column(SmallInteger)  # 0 none, 1 GNSS, 2 network
    pos_source: Mapped[int] = mapped_column(SmallInteger)  # 0 none, 1 GNSS, 2 WiFi, 3 cell, 4 fused
    valid: Mapped[bool] = mapped_column(Boolean)
    fix_ms: Mapped[int] = mapped_column(BigInteger)  # UTC ms since epoch, from the record
    server_ms: Mapped[int] = mapped_column(BigInteger)  # when the host stored it
    lat_e7: Mapped[int] = mapped_column(Integer)
    lon_e7: Mapped[int] = mapped_column(Integer)
    alt_cm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    acc_m: Mapped[int | None] = mapped_column(Integer, nullable=True)
    speed_cmps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    course_cdeg: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hdop_x10: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quality: Mapped[int] = mapped_column(SmallInteger)
    mode: Mapped[int] = mapped_column(SmallInteger)
    sats_used: Mapped[int] = mapped_column(SmallInteger)
    sats_seen: Mapped[int] = mapped_column(SmallInteger)
    cn0_max: Mapped[int] = mapped_column(SmallInteger)
    cn0_mean: Mapped[int] = mapped_column(SmallInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary(72))
    record_hash: Mapped[bytes] = mapped_column(LargeBinary(32))

    device: Mapped[Device] = relationship(back_populates="fixes", lazy="raise")


class Record(Base):
    """One verified record of a kind other than the fix (check-in, anti-cheat event, cell
    observation, log status: docs/protocol-v1.md "Record kinds"). The payload stays as
    received; host.protocol.payload_fields(kind, raw) names its fields. Fixes and these
    rows together hold every sequence number of a device's chain exactly once."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("device_pk", "seq"),
        Index("ix_records_device_kind_time", "device_pk", "kind", "time_ms"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    device_pk: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[int] = mapped_column(SmallInteger)
    flags: Mapped[int] = mapped_column(Integer)
    time_source: Mapped[int] = mapped_column(SmallInteger)
    time_ms: Mapped[int] = mapped_column(BigInteger)  # UTC ms the record describes
    server_ms: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary(72))
    record_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


# --- cases, visits, check-ins, day reports (issue 5; services in host/reports) ------------
