"""webhook subscriptions per API key: events, deliveries, their log

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.models.base

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString
_MOMENT = app.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("url", _STRING(length=500), nullable=False),
        sa.Column("events", _STRING(length=200), nullable=False),
        sa.Column("secret", _STRING(length=80), nullable=False),
        sa.Column("previous_secret", _STRING(length=80), nullable=True),
        sa.Column("previous_secret_until", _MOMENT(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("paused_at", _MOMENT(), nullable=True),
        sa.Column("paused_reason", _STRING(length=12), nullable=True),
        sa.Column("created_at", _MOMENT(), nullable=False),
        sa.CheckConstraint(
            "paused_reason IN ('failures', 'by_hand')", name="ck_webhook_paused_reason"
        ),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_subscription_api_key_id"), ["api_key_id"], unique=False
        )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("message_id", _STRING(length=40), nullable=False),
        sa.Column("event_type", _STRING(length=40), nullable=False),
        sa.Column("record", _STRING(length=60), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("payload", _STRING(), nullable=False),
        sa.Column("state", _STRING(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _MOMENT(), nullable=False),
        sa.Column("claimed_until", _MOMENT(), nullable=True),
        sa.Column("created_at", _MOMENT(), nullable=False),
        sa.Column("finished_at", _MOMENT(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'failed')", name="ck_webhook_delivery_state"
        ),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_delivery_due", ["state", "next_attempt_at"])
        batch_op.create_index(
            "ix_webhook_delivery_record", ["subscription_id", "record", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_client_id"), ["client_id"], unique=False
        )
    op.create_table(
        "webhook_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("attempted_at", _MOMENT(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", _STRING(length=60), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_delivery.id"]),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempt_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_attempt_subscription_id"), ["subscription_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("webhook_attempt")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_subscription")
