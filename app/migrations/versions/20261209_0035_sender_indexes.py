"""indexes for what every inbound text reads: its sender's recent texts, representatives
by number

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-09 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_message_from_phone_received_at",
            ["from_phone", "received_at"],
            unique=False,
        )
    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_representative_phone"), ["phone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_representative_phone"))
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_message_from_phone_received_at")
