"""Webhook subscriptions (app/api/subscriptions.py) and the events Tydligt pushes
(app/webhooks/events.py): what a system sends to subscribe and what it receives."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from app.api.schemas.common import Input, Output

EventName = Literal[
    "outbox.status", "inbound.received", "callback.requested", "attendance.recorded"
]


class SubscriptionIn(Input):
    """Where to push, and which events."""

    url: Annotated[
        str,
        Field(
            min_length=8,
            max_length=500,
            description="An https address of your system; private and local addresses are "
            "refused, redirects are not followed",
        ),
    ]
    events: Annotated[
        list[EventName], Field(min_length=1, max_length=4, description="The events you want")
    ]


class EventsIn(Input):
    """The events a subscription wants from now on."""

    events: Annotated[list[EventName], Field(min_length=1, max_length=4)]


class SubscriptionOut(Output):
    """One subscription of your key."""

    id: int
    url: str
    events: list[str]
    paused: bool = Field(description="Nothing is delivered while paused; events wait")
    paused_reason: str | None = Field(
        description="'failures' (paused by Tydligt after an event was refused for a day) "
        "or 'by_hand'"
    )
    waiting: int = Field(description="Events waiting to be delivered")
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    """A new subscription, with its signing secret: shown this once."""

    secret: str = Field(description="`whsec_<base64>`: verify each delivery's signature with it")


class SecretOut(Output):
    """A new signing secret, shown this once. For 24 hours deliveries are signed with the
    old secret too, so you may switch when you like."""

    secret: str


class SubscriptionList(Output):
    """Your key's subscriptions."""

    items: list[SubscriptionOut]


class AttemptOut(Output):
    """One try at delivering an event."""

    attempted_at: datetime
    event_type: str
    webhook_id: str = Field(description="The delivery's `webhook-id`, the same on each try")
    record: str = Field(description="Which record, like 'outbox_message:12'")
    attempt: int
    status_code: int | None = Field(description="Your answer's HTTP status; null if none came")
    error: str = Field(description="timeout, connection, redirect not followed … or empty")
    state: str = Field(description="Where the event stands: pending, delivered or failed")


class AttemptList(Output):
    """The latest tries, newest first."""

    items: list[AttemptOut]
