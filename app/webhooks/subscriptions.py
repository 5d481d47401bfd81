"""Subscriptions of one API key: register a URL and the events it wants, rotate its
secret, pause, resume and remove it. The same functions serve the API and the admin page.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.errors import N_, InvalidInput
from app.models import (
    ApiKey,
    DeliveryState,
    PauseReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEventType,
    WebhookSubscription,
    utcnow,
)
from app.webhooks import addresses, signing

MAX_PER_KEY = 5
# After a rotation the old secret still signs (beside the new one) for this long.
OLD_SECRET_FOR = timedelta(hours=24)


def _events(events: list[str]) -> str:
    chosen = sorted({e.strip() for e in events if e.strip()})
    if not chosen:
        raise InvalidInput({"events": N_("Choose at least one event.")})
    unknown = [e for e in chosen if e not in set(WebhookEventType)]
    if unknown:
        raise InvalidInput({"events": N_("Choose among the events listed.")})
    return ",".join(chosen)


def of_key(session: Session, key: ApiKey) -> list[WebhookSubscription]:
    """The key's subscriptions, oldest first."""
    return list(
        session.exec(
            select(WebhookSubscription)
            .where(WebhookSubscription.api_key_id == key.id)
            .order_by(col(WebhookSubscription.id))
        )
    )


def create(
    session: Session, key: ApiKey, url: str, events: list[str], *, allow_private: bool
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (shown once). Raises InvalidInput on an address
    that may not be used, unknown events, or a key with MAX_PER_KEY already."""
    url = url.strip()
    problem = addresses.problem(url, allow_private)
    if problem:
        raise InvalidInput({"url": problem})
    chosen = _events(events)
    existing = of_key(session, key)
    if any(s.url == url for s in existing):
        raise InvalidInput({"url": N_("This key already sends to this address.")})
    if len(existing) >= MAX_PER_KEY:
        raise InvalidInput({"url": N_("A key may have at most 5 subscriptions.")})
    secret = signing.new_secret()
    subscription = WebhookSubscription(
        api_key_id=key.id or 0, url=url, events=chosen, secret=secret
    )
    session.add(subscription)
    session.flush()
    return subscription, secret


def change_events(subscription: WebhookSubscription, events: list[str]) -> None:
    """Choose the events again (those already waiting still go out)."""
    subscription.events = _events(events)


def rotate(subscription: WebhookSubscription, now: datetime | None = None) -> str:
    """A new secret (shown once); the old one signs beside it for OLD_SECRET_FOR. Raises
    InvalidInput while the secret before it still signs: a second rotation would drop
    that one before its day is out, while the system may still use it."""
    now = now or utcnow()
    if subscription.previous_secret_until is not None and subscription.previous_secret_until > now:
        raise InvalidInput(
            {
                "secret": N_(
                    "The secret was changed less than 24 hours ago. Make a new one when "
                    "24 hours have passed: until then the system may still use the old one."
                )
            }
        )
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + OLD_SECRET_FOR
    subscription.secret = signing.new_secret()
    return subscription.secret


def pause(subscription: WebhookSubscription, now: datetime | None = None) -> None:
    """Stop delivering until resumed; events keep being recorded and wait."""
    if subscription.paused_at is None:
        subscription.paused_at = now or utcnow()
        subscription.paused_reason = PauseReason.BY_HAND


def resume(session: Session, subscription: WebhookSubscription, now: datetime | None = None):
    """Deliver again: what waited and what was given up are due at once, in the order
    they happened, with their tries counted afresh."""
    now = now or utcnow()
    subscription.paused_at = None
    subscription.paused_reason = None
    subscription.consecutive_failures = 0
    # Given-up events come back as pending: they keep their place (their id) before the
    # later events of their record, which the worker sends only after them.
    session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.subscription_id) == subscription.id,
            col(WebhookDelivery.state).in_([DeliveryState.PENDING, DeliveryState.FAILED]),
        )
        .values(
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            attempts=0,
            claimed_until=None,
            finished_at=None,
        )
    )


def remove(session: Session, subscription: WebhookSubscription) -> None:
    """Delete a subscription with its waiting events and its log."""
    sid = subscription.id
    session.execute(delete(WebhookAttempt).where(col(WebhookAttempt.subscription_id) == sid))
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == sid))
    session.delete(subscription)


def log(session: Session, subscription: WebhookSubscription, limit: int = 100):
    """The latest attempts, newest first, with the event each was for:
    (attempt, event_type, record, message_id, delivery state)."""
    return list(
        session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel's select types up to 4 columns
                WebhookAttempt,
                col(WebhookDelivery.event_type),
                col(WebhookDelivery.record),
                col(WebhookDelivery.message_id),
                col(WebhookDelivery.state),
            )
            .join(WebhookDelivery, col(WebhookDelivery.id) == WebhookAttempt.delivery_id)
            .where(WebhookAttempt.subscription_id == subscription.id)
            .order_by(col(WebhookAttempt.id).desc())
            .limit(limit)
        )
    )


def waiting(session: Session, subscription: WebhookSubscription) -> int:
    """How many events wait for delivery."""
    return session.exec(
        select(func.count()).where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.state == DeliveryState.PENDING,
        )
    ).one()
