"""changed answers: a client may change a meeting's answer until the meeting, and staff
see what it was before

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "previous_response", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_column("previous_response")
