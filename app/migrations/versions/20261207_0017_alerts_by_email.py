"""alerts by e-mail: each staff member's choice (off, at once, digests at set hours) and
every item they were alerted to, so that each alerts at most once

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_setting",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("digest_times", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("since", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("claimed_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("last_sent_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("updated_at", app.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("mode IN ('off', 'at_once', 'digest')", name="ck_alert_setting_mode"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_table(
        "alert_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("happened_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("found_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("sent_at", app.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'sent', 'gone')", name="ck_alert_item_state"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "item_key", name="uq_alert_item_staff_key"),
    )
    with op.batch_alter_table("alert_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_item_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_item_staff_id"))
    op.drop_table("alert_item")
    op.drop_table("alert_setting")
