"""email channel: a client's e-mail address and choice of copies by e-mail, the address
marked unreachable apart from the phone, and `email` as an outbox channel

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Early reports share the outbox's channel list (both check it against OutboxChannel).
CHANNEL_CHECKS = (
    ("outbox_message", "ck_outbox_channel"),
    ("early_report", "ck_early_report_channel"),
)


def _channels(table: str, name: str, values: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_="check")
        batch_op.create_check_constraint(name, f"channel IN ({values})")


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email",
                sqlmodel.sql.sqltypes.AutoString(length=254),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("email_copies", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("email_unreachable_at", app.models.base.UTCDateTime(), nullable=True)
        )
    for table, name in CHANNEL_CHECKS:
        _channels(table, name, "'sms', 'voice', 'email'")


def downgrade() -> None:
    op.execute("DELETE FROM early_report WHERE channel = 'email'")
    op.execute("DELETE FROM outbox_message WHERE channel = 'email'")
    for table, name in CHANNEL_CHECKS:
        _channels(table, name, "'sms', 'voice'")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("email_unreachable_at")
        batch_op.drop_column("email_copies")
        batch_op.drop_column("email")
