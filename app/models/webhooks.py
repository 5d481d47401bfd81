"""Webhook subscriptions of connected systems: what each wants pushed, the events waiting
for it (an outbox of deliveries, written in the transaction of the change), and the log
of every attempt."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow


class WebhookEventType(StrEnum):
    """What a subscription may ask for (README, "Webhooks", says what each carries)."""

    OUTBOX_STATUS = "outbox.status"
    INBOUND_RECEIVED = "inbound.received"
    CALLBACK_REQUESTED = "callback.requested"
    ATTENDANCE_RECORDED = "attendance.recorded"


class DeliveryState(StrEnum):
    """Where one event stands for one subscription."""

    PENDING = "pending"  # waiting for its turn or its next try
    DELIVERED = "delivered"
    FAILED = "failed"  # refused for a day: given up


class PauseReason(StrEnum):
    """Why a subscription is paused."""

    FAILURES = "failures"  # paused by the worker after repeated failures
    BY_HAND = "by_hand"  # paused by staff or by the system itself


class WebhookSubscription(SQLModel, table=True):
    """One URL of one API key, with the events it wants. The secret signs every delivery
    (it must be kept to sign, so it is stored as given out; it is shown once)."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (one_of("paused_reason", PauseReason, "ck_webhook_paused_reason"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", index=True)
    url: str = Field(max_length=500)
    events: str = Field(max_length=200, description="Event types, comma-separated")
    secret: str = Field(max_length=80, description="whsec_<base64>, signs deliveries")
    previous_secret: str | None = Field(default=None, max_length=80)
    previous_secret_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consecutive_failures: int = Field(default=0)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_reason: str | None = Field(default=None, max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def event_set(self) -> frozenset[str]:
        """The event types as a set."""
        return frozenset(e.strip() for e in self.events.split(",") if e.strip())


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription: its payload (ids and statuses, never words or
    numbers), its record (events of one record go out in order), the client it is about
    (erased with them) and its next try."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        one_of("state", DeliveryState, "ck_webhook_delivery_state"),
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_record", "subscription_id", "record", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id")
    message_id: str = Field(max_length=40, unique=True, description="webhook-id: msg_…")
    event_type: str = Field(max_length=40)
    record: str = Field(max_length=60, description="Like 'outbox_message:12'")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    payload: str = Field(description="The JSON body, as signed")
    state: str = Field(default=DeliveryState.PENDING, max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One try at a delivery, for the log staff and systems read: when, which try, the
    status code or what went wrong. No bodies."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id", index=True)
    attempt: int
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status_code: int | None = Field(default=None)
    error: str = Field(default="", max_length=60, description="timeout, connection, redirect …")
    duration_ms: int = Field(default=0)
