"""ready answers: a staff message may be a ready answer (its key and the records it
names) instead of typed words

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )
        batch_op.add_column(
            sa.Column("answer_facts", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_message", schema=None) as batch_op:
        batch_op.drop_column("answer_facts")
        batch_op.drop_column("answer")
