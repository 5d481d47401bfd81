"""message parts: a message too long for one text is sent as several; each further part
is an outbox row of its own that points at the first

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_part_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_message_first_part_id"), ["first_part_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_outbox_message_first_part_id", "outbox_message", ["first_part_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_message_first_part_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_message_first_part_id"))
        batch_op.drop_column("first_part_id")
        batch_op.drop_column("parts")
        batch_op.drop_column("part")
