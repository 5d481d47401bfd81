"""applications: an application's steps (received, investigated, sent for comment,
decided, waiting to start, started), each told to the client

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS = "'received', 'investigating', 'comment', 'decided', 'waiting', 'started', " + (
    "'withdrawn', 'closed'"
)


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("decision_expected_on", sa.Date(), nullable=True),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
        sa.Column("step_changed_at", sa.DateTime(), nullable=False),
        sa.Column("answer_by", sa.Date(), nullable=True),
        sa.Column("comment_received_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("start_expected_on", sa.Date(), nullable=True),
        sa.Column("delay_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_system", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("source_unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"step IN ({STEPS})", name="ck_application_step"),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.ForeignKeyConstraint(["source_unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "source_unit_id", "source_system", "source_id", name="uq_application_source"
        ),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_client_id"))
    op.drop_table("application")
