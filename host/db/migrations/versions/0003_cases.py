"""organisations, sites, collectors, cases, visit plans, check-ins, day results (issue 5)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("fence_radius_m", sa.Integer(), nullable=False),
        sa.Column("checkin_max_acc_m", sa.Integer(), nullable=False),
        sa.Column("checkin_max_age_s", sa.Integer(), nullable=False),
        sa.Column("stay_radius_m", sa.Integer(), nullable=False),
        sa.Column("stay_min_s", sa.Integer(), nullable=False),
        sa.Column("work_start_min", sa.Integer(), nullable=False),
        sa.Column("work_end_min", sa.Integer(), nullable=False),
        sa.Column("idle_limit_s", sa.Integer(), nullable=False),
        sa.Column("rates_json", sa.Text(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat_e7", sa.Integer(), nullable=False),
        sa.Column("lon_e7", sa.Integer(), nullable=False),
        sa.Column("polygon_wkt", sa.Text(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("fence_radius_m", sa.Integer(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_org_id"), ["org_id"], unique=False)

    op.create_table(
        "collectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_pk"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("collectors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collectors_org_id"), ["org_id"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("lat_e7", sa.Integer(), nullable=False),
        sa.Column("lon_e7", sa.Integer(), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_org_id"), ["org_id"], unique=False)

    op.create_table(
        "day_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=True),
        sa.Column("computed_ms", sa.BigInteger(), nullable=True),
        sa.Column("marked_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["collectors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collector_id", "day"),
    )
    with op.batch_alter_table("day_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_day_results_stale"), ["stale"], unique=False)

    op.create_table(
        "visit_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["collectors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collector_id", "day", "case_id"),
    )
    with op.batch_alter_table("visit_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_plans_case_id"), ["case_id"], unique=False)

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("attempt_ms", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=True),
        sa.Column("record_seq", sa.BigInteger(), nullable=True),
        sa.Column("badge_accepted", sa.Boolean(), nullable=True),
        sa.Column("fix_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reasons_json", sa.Text(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("server_ms", sa.BigInteger(), nullable=False),
        sa.Column("validated_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["collectors.id"],
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
        ),
        sa.ForeignKeyConstraint(
            ["fix_id"],
            ["fixes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_pk", "record_seq"),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkins_case_verdict_time", ["case_id", "accepted", "attempt_ms"], unique=False
        )
        batch_op.create_index(
            "ix_checkins_collector_time", ["collector_id", "attempt_ms"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_collector_time")
        batch_op.drop_index("ix_checkins_case_verdict_time")

    op.drop_table("checkins")
    with op.batch_alter_table("visit_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_plans_case_id"))

    op.drop_table("visit_plans")
    with op.batch_alter_table("day_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_day_results_stale"))

    op.drop_table("day_results")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_org_id"))

    op.drop_table("sites")
    with op.batch_alter_table("collectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collectors_org_id"))

    op.drop_table("collectors")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_org_id"))

    op.drop_table("cases")
    op.drop_table("organisations")
