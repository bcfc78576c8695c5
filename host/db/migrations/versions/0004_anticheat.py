"""anti-cheat: alerts, released firmware builds, fix quarantine, the risk threshold (issue 6)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=True),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.Column("t_ms", sa.BigInteger(), nullable=False),
        sa.Column("server_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("evidence_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["collector_id"], ["collectors.id"]),
        sa.ForeignKeyConstraint(["device_pk"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_server_ms"), ["server_ms"], unique=False)
        batch_op.create_index(
            "ix_alerts_device_code_time", ["device_pk", "code", "t_ms"], unique=False
        )
    op.create_table(
        "released_firmware",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("added_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    with op.batch_alter_table("fixes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quarantine", sa.String(length=32), nullable=True))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("risk_threshold", sa.Integer(), nullable=False, server_default="50")
        )


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("risk_threshold")
    with op.batch_alter_table("fixes", schema=None) as batch_op:
        batch_op.drop_column("quarantine")
    op.drop_table("released_firmware")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_device_code_time")
        batch_op.drop_index(batch_op.f("ix_alerts_server_ms"))
    op.drop_table("alerts")
