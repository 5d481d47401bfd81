"""papers: checklists get a version (a moved due date, a paper sent back), a monthly series
(due day, stop, series link and month, one per series and month), and items a problem
(why staff sent a paper back, and when)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checklist", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("repeat_monthly_day", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("repeat_stopped_at", app.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("series_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True)
        )
        batch_op.create_foreign_key("fk_checklist_series_id", "checklist", ["series_id"], ["id"])
        batch_op.create_index("ix_checklist_series_id", ["series_id"], unique=False)
        batch_op.create_unique_constraint(
            "uq_checklist_series_month", ["series_id", "series_month"]
        )
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("problem_at", app.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.drop_column("problem_at")
        batch_op.drop_column("problem")
    with op.batch_alter_table("checklist", schema=None) as batch_op:
        batch_op.drop_constraint("uq_checklist_series_month", type_="unique")
        batch_op.drop_index("ix_checklist_series_id")
        batch_op.drop_constraint("fk_checklist_series_id", type_="foreignkey")
        batch_op.drop_column("series_month")
        batch_op.drop_column("series_id")
        batch_op.drop_column("repeat_stopped_at")
        batch_op.drop_column("repeat_monthly_day")
        batch_op.drop_column("version")
