"""provider deletions: what retention removed here is deleted at the provider too; texts
removed before this change are queued for deletion there as well

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_deletion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("tried_at", app.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "item IN ('message', 'call', 'media', 'recording')", name="ck_provider_deletion_item"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    # Texts whose words retention removed before this change are still at the provider:
    # a sent message's text is set when it is sent, a received one's when it arrives, so
    # no text on a row with a provider id means retention removed it. Deleting a message
    # there deletes its media too; recordings already forgotten here cannot be found.
    now = datetime.now(UTC).replace(tzinfo=None)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO provider_deletion (item, ref, attempts, created_at)"
            " SELECT CASE WHEN channel = 'voice' THEN 'call' ELSE 'message' END,"
            " provider_id, 0, :now FROM outbox_message"
            " WHERE body IS NULL AND provider_id IS NOT NULL"
            " AND status NOT IN ('pending', 'sending') ORDER BY id"
        ),
        {"now": now},
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO provider_deletion (item, ref, attempts, created_at)"
            " SELECT 'message', provider_id, 0, :now FROM inbound_message"
            " WHERE body IS NULL AND media = '' ORDER BY id"
        ),
        {"now": now},
    )


def downgrade() -> None:
    op.drop_table("provider_deletion")
