"""a second SMS provider: which provider sent each message, and the providers' health for failover

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CONDITIONS = (
    "'worker_silent', 'failure_rate', 'provider_refusing', 'sweep_failing', 'messages_late'"
)


def _conditions(values: str) -> None:
    # Operations alerts know one more condition: SMS going through the secondary provider.
    with op.batch_alter_table("operations_alert", schema=None) as batch_op:
        batch_op.drop_constraint("ck_operations_alert_condition", type_="check")
        batch_op.create_check_constraint(
            "ck_operations_alert_condition", f"condition IN ({values})"
        )


def upgrade() -> None:
    op.create_table(
        "sms_provider_health",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("window_started_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("down_since", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("probe_at", app.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
    _conditions(CONDITIONS + ", 'sms_failover'")


def downgrade() -> None:
    op.execute("DELETE FROM operations_alert_mail WHERE alert_id IN "
               "(SELECT id FROM operations_alert WHERE condition = 'sms_failover')")  # fmt: skip
    op.execute("DELETE FROM operations_alert WHERE condition = 'sms_failover'")
    _conditions(CONDITIONS)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("provider")
    op.drop_table("sms_provider_health")
