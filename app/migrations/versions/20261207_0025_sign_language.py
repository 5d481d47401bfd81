"""sign language: a unit's sign-language videos for the picture pages, one per message kind
or one for every page

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_video",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "kind", name="uq_sign_video_unit_kind"),
    )
    with op.batch_alter_table("sign_video", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_video_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_video", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_video_unit_id"))
    op.drop_table("sign_video")
