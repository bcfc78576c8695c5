"""initial schema: users, devices, batches, fixes

Revision ID: 0001
Revises:
Create Date: 2026-12-03 15:44:12.627500
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("last_seen_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=8), nullable=False),
        sa.Column("body_sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("server_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_pk", "body_sha256"),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_device_pk"), ["device_pk"], unique=False)

    op.create_table(
        "fixes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("time_source", sa.SmallInteger(), nullable=False),
        sa.Column("pos_source", sa.SmallInteger(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("fix_ms", sa.BigInteger(), nullable=False),
        sa.Column("server_ms", sa.BigInteger(), nullable=False),
        sa.Column("lat_e7", sa.Integer(), nullable=False),
        sa.Column("lon_e7", sa.Integer(), nullable=False),
        sa.Column("alt_cm", sa.Integer(), nullable=True),
        sa.Column("acc_m", sa.Integer(), nullable=True),
        sa.Column("speed_cmps", sa.Integer(), nullable=True),
        sa.Column("course_cdeg", sa.Integer(), nullable=True),
        sa.Column("hdop_x10", sa.Integer(), nullable=True),
        sa.Column("quality", sa.SmallInteger(), nullable=False),
        sa.Column("mode", sa.SmallInteger(), nullable=False),
        sa.Column("sats_used", sa.SmallInteger(), nullable=False),
        sa.Column("sats_seen", sa.SmallInteger(), nullable=False),
        sa.Column("cn0_max", sa.SmallInteger(), nullable=False),
        sa.Column("cn0_mean", sa.SmallInteger(), nullable=False),
        sa.Column("raw", sa.LargeBinary(length=72), nullable=False),
        sa.Column("record_hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_pk", "seq"),
    )
    with op.batch_alter_table("fixes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fixes_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_fixes_device_time", ["device_pk", "fix_ms"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("fixes", schema=None) as batch_op:
        batch_op.drop_index("ix_fixes_device_time")
        batch_op.drop_index(batch_op.f("ix_fixes_batch_id"))

    op.drop_table("fixes")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_device_pk"))

    op.drop_table("batches")
    op.drop_table("users")
    op.drop_table("devices")
