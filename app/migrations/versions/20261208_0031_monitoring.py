"""monitoring: the worker's heartbeat, the operations alerts and who was mailed about them,
and when each outbox message was first due

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeat",
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("last_run_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("failed_runs", sa.Integer(), nullable=False),
        sa.Column("failing_since", app.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job"),
    )
    op.create_table(
        "operations_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("condition", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("open_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("started_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("mailed_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("resolved_mailed_at", app.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "condition IN ('worker_silent', 'failure_rate', 'provider_refusing', "
            "'sweep_failing', 'messages_late')",
            name="ck_operations_alert_condition",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key", name="uq_operations_alert_open_key"),
    )
    with op.batch_alter_table("operations_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operations_alert_unit_id"), ["unit_id"], unique=False)
    op.create_table(
        "operations_alert_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("sent_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "event IN ('started', 'resolved')", name="ck_operations_alert_mail_event"
        ),
        sa.ForeignKeyConstraint(["alert_id"], ["operations_alert.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "staff_id", "event", name="uq_operations_alert_mail"),
    )
    with op.batch_alter_table("operations_alert_mail", schema=None) as batch_op:
        batch_op.create_index(
            "ix_operations_alert_mail_unsent", ["sent_at", "alert_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_operations_alert_mail_staff_id"), ["staff_id"], unique=False
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_due_at", app.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("first_due_at")
    op.drop_table("operations_alert_mail")
    op.drop_table("operations_alert")
    op.drop_table("worker_heartbeat")
