"""support offers: per unit, which kinds of support from messages/catalog/offers.toml it
offers, with who gives each, the phone number, where, when and a web link

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("who", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("hours", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("web", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "kind", name="uq_support_offer_unit_kind"),
    )
    with op.batch_alter_table("support_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_offer_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("support_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_offer_unit_id"))
    op.drop_table("support_offer")
