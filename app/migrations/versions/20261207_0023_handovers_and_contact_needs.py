"""handovers and contact needs: how many days ahead a unit tells clients of a handover,
whether staff confirmed the client's papers were passed on, and how the client wants to be
reached (interpreter language, communication aid)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handover_notice_days", sa.Integer(), nullable=False, server_default="7")
        )
    with op.batch_alter_table("handover", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_passed_on", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "interpreter_language",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "communication_aid",
                sqlmodel.sql.sqltypes.AutoString(length=80),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("communication_aid")
        batch_op.drop_column("interpreter_language")
    with op.batch_alter_table("handover", schema=None) as batch_op:
        batch_op.drop_column("file_passed_on")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("handover_notice_days")
