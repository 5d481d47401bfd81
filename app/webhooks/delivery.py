"""The worker's `deliver-webhooks` job: each due event is POSTed as signed JSON to its
subscription's URL, never from a web request. A refused delivery is tried again after
5 s, 5 min, 30 min, 2 h, 5 h, 8 h and 8 h (8 tries over about a day), then given up.
Events about one record go out in order: a later one waits while an earlier one is still
pending. While a receiver refuses, its subscription is tried once per step of backoff, not
once per waiting event: its other events wait behind the failed one's next try. Only when
an event is given up (every try refused for about a day) is the subscription paused, until
staff or the system resumes it (which sends the given-up events again, first); its events
wait meanwhile. A run takes due events in turns, one of each subscription at a time, and
stops starting deliveries after RUN_FOR_SECONDS, so one slow receiver holds up no other."""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app import metrics
from app.db import session_scope
from app.models import (
    ApiKey,
    DeliveryState,
    PauseReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from app.webhooks import addresses, pinning, signing

log = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=8),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
CLAIM_FOR = timedelta(minutes=2)
BATCH = 50
RUN_FOR_SECONDS = 45  # leaves the next run its turn; the job runs every 10 seconds
CONNECT_TIMEOUT_SECONDS = 3


@dataclass
class Result:
    """What one run did."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    paused: list[int] = field(default_factory=list)


def _due(session: Session, now: datetime, limit: int) -> list[int]:
    """Pending deliveries due now, each the earliest pending of its record, of active
    subscriptions whose key still works: in turns, the oldest of each subscription first,
    then the second oldest of each, and so on."""
    earlier = aliased(WebhookDelivery)
    waiting_behind = exists().where(
        col(earlier.subscription_id) == WebhookDelivery.subscription_id,
        col(earlier.record) == WebhookDelivery.record,
        col(earlier.state) == DeliveryState.PENDING,
        col(earlier.id) < WebhookDelivery.id,
    )
    # A subscription whose receiver refused a try waits for that try's next time, also
    # with events that came in meanwhile: one try per step of backoff, not one per event.
    refused = aliased(WebhookDelivery)
    backing_off = exists().where(
        col(refused.subscription_id) == WebhookDelivery.subscription_id,
        col(refused.state) == DeliveryState.PENDING,
        col(refused.attempts) > 0,
        col(refused.next_attempt_at) > now,
    )
    turn = (
        func.row_number()
        .over(partition_by=col(WebhookDelivery.subscription_id), order_by=col(WebhookDelivery.id))
        .label("turn")
    )
    candidates = (
        select(col(WebhookDelivery.id).label("id"), turn)
        .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
        .join(ApiKey, col(ApiKey.id) == WebhookSubscription.api_key_id)
        .where(
            WebhookDelivery.state == DeliveryState.PENDING,
            col(WebhookDelivery.next_attempt_at) <= now,
            or_(
                col(WebhookDelivery.claimed_until).is_(None),
                col(WebhookDelivery.claimed_until) < now,
            ),
            col(WebhookSubscription.paused_at).is_(None),
            col(ApiKey.revoked_at).is_(None),
            ~waiting_behind,
            ~backing_off,
        )
        .subquery()
    )
    query = select(candidates.c.id).order_by(candidates.c.turn, candidates.c.id).limit(limit)
    return [delivery_id for delivery_id in session.exec(query) if delivery_id is not None]


def _claim(session: Session, delivery_id: int, now: datetime) -> bool:
    """Take one delivery for this worker (compare-and-set on its claim)."""
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            and_(
                col(WebhookDelivery.id) == delivery_id,
                col(WebhookDelivery.state) == DeliveryState.PENDING,
                or_(
                    col(WebhookDelivery.claimed_until).is_(None),
                    col(WebhookDelivery.claimed_until) < now,
                ),
            )
        )
        .values(claimed_until=now + CLAIM_FOR)
    )
    session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    """What one POST came to."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        """Whether the receiver took it (any 2xx)."""
        return self.status_code is not None and 200 <= self.status_code < 300


def post(subscription: WebhookSubscription, delivery: WebhookDelivery, now: datetime) -> Outcome:
    """POST one delivery, signed, following no redirects, within short timeouts, to the
    address its host resolved to when checked (pinned: no second lookup)."""
    allow_private = current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]
    started = time.monotonic()

    def outcome(status_code: int | None, error: str = "") -> Outcome:
        return Outcome(status_code, error, int((time.monotonic() - started) * 1000))

    checked = None
    if not addresses.problem(subscription.url, allow_private):
        checked = addresses.checked_address(subscription.url, allow_private)
    if checked is None:
        return outcome(None, "address refused")
    headers = signing.headers(subscription, delivery.message_id, now, delivery.payload)
    # Connect to the address just checked, not to whatever the name resolves to next.
    pinned, host = pinning.session_for(subscription.url, checked)
    try:
        response = pinned.post(
            subscription.url,
            data=delivery.payload.encode(),
            headers=headers | host,
            timeout=(CONNECT_TIMEOUT_SECONDS, current_app.config["WEBHOOK_TIMEOUT_SECONDS"]),
            allow_redirects=False,
            stream=True,  # the answer's body is never read
        )
        response.close()
    except requests.Timeout:
        return outcome(None, "timeout")
    except requests.ConnectionError:
        return outcome(None, "connection")
    except requests.RequestException as exc:
        return outcome(None, type(exc).__name__[:60])
    finally:
        pinned.close()
    if 300 <= response.status_code < 400:
        return outcome(response.status_code, "redirect not followed")
    return outcome(response.status_code)


def _settle(session: Session, delivery_id: int, outcome: Outcome, now: datetime, result: Result):
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:  # its subscription was deleted meanwhile
        session.rollback()
        return
    subscription = session.get_one(
        WebhookSubscription, delivery.subscription_id, populate_existing=True
    )
    delivery.attempts += 1
    delivery.claimed_until = None
    session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            subscription_id=delivery.subscription_id,
            attempt=delivery.attempts,
            attempted_at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
    )
    if outcome.delivered:
        delivery.state, delivery.finished_at = DeliveryState.DELIVERED, now
        subscription.consecutive_failures = 0
        result.delivered += 1
        metrics.count_webhook_delivery("delivered")
    else:
        subscription.consecutive_failures += 1
        given_up = delivery.attempts >= MAX_ATTEMPTS
        if given_up:
            delivery.state, delivery.finished_at = DeliveryState.FAILED, now
            result.failed += 1
            metrics.count_webhook_delivery("failed")
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            result.retried += 1
            metrics.count_webhook_delivery("retried")
            # A refusing receiver is tried once per step of backoff, not once per event:
            # its other events wait for this one's next try (their tries are not counted).
            session.execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.subscription_id) == delivery.subscription_id,
                    col(WebhookDelivery.state) == DeliveryState.PENDING,
                    col(WebhookDelivery.id) != delivery_id,
                    col(WebhookDelivery.next_attempt_at) < delivery.next_attempt_at,
                )
                .values(next_attempt_at=delivery.next_attempt_at)
            )
        # Only a day of refusals pauses (the oldest event's every try): a short outage
        # must not stop a busy subscription until someone notices.
        if subscription.paused_at is None and given_up:
            subscription.paused_at, subscription.paused_reason = now, PauseReason.FAILURES
            result.paused.append(subscription.id or 0)
            log.warning(
                "Webhook subscription %s paused: an event was refused for a day (%s failures)",
                subscription.id,
                subscription.consecutive_failures,
            )
    session.add(delivery)
    session.add(subscription)
    session.commit()


def deliver_due() -> Result:
    """Deliver what is due, for up to RUN_FOR_SECONDS (old ones are forgotten by the
    daily retention, app/webhooks/retention.py)."""
    result = Result()
    started = time.monotonic()
    with session_scope() as session:
        while time.monotonic() - started < RUN_FOR_SECONDS:
            due = _due(session, utcnow(), BATCH)
            session.commit()
            if not due:
                break
            handled = 0
            for delivery_id in due:
                if time.monotonic() - started >= RUN_FOR_SECONDS:
                    break  # the rest stay due for the next run
                now = utcnow()
                if not _claim(session, delivery_id, now):
                    continue
                delivery = session.get_one(WebhookDelivery, delivery_id, populate_existing=True)
                subscription = session.get_one(
                    WebhookSubscription, delivery.subscription_id, populate_existing=True
                )
                # Paused, or put back behind a failed try, by an earlier one in this batch.
                if subscription.paused_at is not None or delivery.next_attempt_at > now:
                    session.execute(
                        update(WebhookDelivery)
                        .where(col(WebhookDelivery.id) == delivery_id)
                        .values(claimed_until=None)
                    )
                    session.commit()
                    continue
                session.commit()  # no transaction stays open while the receiver answers
                outcome = post(subscription, delivery, now)
                _settle(session, delivery_id, outcome, utcnow(), result)
                handled += 1
            if handled == 0:
                break
    return result
