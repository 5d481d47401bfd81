"""pin locks and calls: how often the PIN locked (longer each time), when it last locked,
and the wrong PINs of the current call, all on the client row that counts them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pin_locked_at", app.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("pin_locks", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "pin_call_sid",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("pin_call_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("pin_call_failures")
        batch_op.drop_column("pin_call_sid")
        batch_op.drop_column("pin_locks")
        batch_op.drop_column("pin_locked_at")
