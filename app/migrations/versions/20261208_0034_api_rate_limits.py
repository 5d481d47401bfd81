"""per-key API rate limits held across processes

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rate_limit", sa.Integer(), server_default="3000", nullable=False)
        )
    op.create_table(
        "api_rate_window",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"]),
        sa.PrimaryKeyConstraint("api_key_id", "window_start"),
    )
    with op.batch_alter_table("api_rate_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_rate_window_window_start"), ["window_start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_rate_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_rate_window_window_start"))
    op.drop_table("api_rate_window")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("rate_limit")
