"""attendance: after a meeting, staff record whether the client came, did not come, or
the meeting was cancelled (and who recorded it, when)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attendance", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(
            sa.Column("attendance_at", app.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("attendance_by_staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_appointment_attendance_by_staff_id",
            "staff_user",
            ["attendance_by_staff_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "ck_appointment_attendance", "attendance IN ('came', 'no_show', 'cancelled')"
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_constraint("ck_appointment_attendance", type_="check")
        batch_op.drop_constraint("fk_appointment_attendance_by_staff_id", type_="foreignkey")
        batch_op.drop_column("attendance_by_staff_id")
        batch_op.drop_column("attendance_at")
        batch_op.drop_column("attendance")
