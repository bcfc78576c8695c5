"""The host's tables. Schema changes go through Alembic migrations (host/db/migrations),
never `create_all`: SQLite and PostgreSQL take the same migration path.

Times: `*_ms` columns hold UTC milliseconds since the Unix epoch (fix_time from the badge,
server_time from the host clock); they stay apart, as Traccar keeps fixTime/serverTime.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
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
    # Set by host.anticheat (issue 6) to the check's code: never a track point or position.
    quarantine: Mapped[str | None] = mapped_column(String(32), nullable=True)

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


class Organisation(Base):
    """Settings of the organisation the analysis runs for. One installation serves one
    organisation today: host.reports.settings creates row 1 with the defaults on first use."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="default")
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")  # IANA zone
    fence_radius_m: Mapped[int] = mapped_column(Integer, default=200)
    checkin_max_acc_m: Mapped[int] = mapped_column(Integer, default=50)
    checkin_max_age_s: Mapped[int] = mapped_column(Integer, default=60)
    stay_radius_m: Mapped[int] = mapped_column(Integer, default=200)
    stay_min_s: Mapped[int] = mapped_column(Integer, default=1200)
    work_start_min: Mapped[int] = mapped_column(Integer, default=480)  # local minutes after 00:00
    work_end_min: Mapped[int] = mapped_column(Integer, default=1080)  # < start: a night shift
    idle_limit_s: Mapped[int] = mapped_column(Integer, default=3600)
    rates_json: Mapped[str] = mapped_column(Text, default="{}")  # mode -> currency units per km
    risk_threshold: Mapped[int] = mapped_column(Integer, default=50)  # issue 6: refuse above
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class Site(Base):
    """An office or other place of the organisation (stays there are "office", not idle)."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    lat_e7: Mapped[int] = mapped_column(Integer)
    lon_e7: Mapped[int] = mapped_column(Integer)
    radius_m: Mapped[int] = mapped_column(Integer, default=200)


class Collector(Base):
    """A person in the field, wearing the badge `device_pk`."""

    __tablename__ = "collectors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    device_pk: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id"), unique=True, nullable=True
    )
    created_ms: Mapped[int] = mapped_column(BigInteger)


class Case(Base):
    """A debtor's case: `number` is what the badge's check-in record carries (case_ref, u32)."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lat_e7: Mapped[int] = mapped_column(Integer)
    lon_e7: Mapped[int] = mapped_column(Integer)
    polygon_wkt: Mapped[str | None] = mapped_column(Text, nullable=True)  # lon lat order
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    fence_radius_m: Mapped[int | None] = mapped_column(Integer, nullable=True)  # else the org's
    created_ms: Mapped[int] = mapped_column(BigInteger)


class VisitPlan(Base):
    """Case `case_id` is on collector `collector_id`'s list for the local date `day`."""

    __tablename__ = "visit_plans"
    __table_args__ = (UniqueConstraint("collector_id", "day", "case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("collectors.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the day's route
    created_ms: Mapped[int] = mapped_column(BigInteger)


class Checkin(Base):
    """A check-in attempt and the host's own verdict on it. A badge check-in (record kind 2)
    keeps its device and seq (stored once) and the badge's verdict beside the host's."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("device_pk", "record_seq"),
        Index("ix_checkins_case_verdict_time", "case_id", "accepted", "attempt_ms"),
        Index("ix_checkins_collector_time", "collector_id", "attempt_ms"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("collectors.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    case_number: Mapped[int] = mapped_column(BigInteger)  # as asked, even when unknown
    attempt_ms: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))  # badge|console
    device_pk: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    record_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    badge_accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    fix_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("fixes.id"), nullable=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons_json: Mapped[str] = mapped_column(Text, default="[]")
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    server_ms: Mapped[int] = mapped_column(BigInteger)
    validated_ms: Mapped[int] = mapped_column(BigInteger)


class DayResult(Base):
    """The cached day report of one collector for one local working day. `stale` is set
    when data of that day arrives; `fingerprint` is SHA-256 of the report's inputs."""

    __tablename__ = "day_results"
    __table_args__ = (UniqueConstraint("collector_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("collectors.id"))
    day: Mapped[date] = mapped_column(Date)
    stale: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    report_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    computed_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    marked_ms: Mapped[int] = mapped_column(BigInteger)


# --- anti-cheat (issue 6; services in host/anticheat) ---------------------------------------


class Alert(Base):
    """A fired anti-cheat check for the supervisors: its code, the device (and collector
    when one wears it), the time its evidence describes, the evidence as JSON. A check that
    keeps firing on the same device within minutes bumps `count` instead of a new row."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_device_code_time", "device_pk", "code", "t_ms"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_pk: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("collectors.id"), nullable=True)
    code: Mapped[str] = mapped_column(String(40))
    weight: Mapped[int] = mapped_column(SmallInteger)  # 0..100, host.anticheat.codes
    t_ms: Mapped[int] = mapped_column(BigInteger)  # UTC ms of the evidence (fix or server time)
    server_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    last_ms: Mapped[int] = mapped_column(BigInteger)  # server time it last fired
    count: Mapped[int] = mapped_column(Integer, default=1)
    message: Mapped[str] = mapped_column(String(300), default="")
    evidence_json: Mapped[str] = mapped_column(Text, default="{}")


class ReleasedFirmware(Base):
    """A firmware build the organisation released: SHA-256 of its files (host.anticheat)."""

    __tablename__ = "released_firmware"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)  # lower-case hex
    version: Mapped[str] = mapped_column(String(40), default="")
    added_ms: Mapped[int] = mapped_column(BigInteger)
