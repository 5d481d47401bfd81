"""early delivery reports: a report on a provider id the outbox does not know yet is kept
until the sweep (or crash recovery) records that id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "early_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("error_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("received_at", app.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('sms', 'voice')", name="ck_early_report_channel"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("early_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_early_report_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_early_report_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("early_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_early_report_received_at"))
        batch_op.drop_index(batch_op.f("ix_early_report_provider_id"))
    op.drop_table("early_report")
