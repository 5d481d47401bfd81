"""Retention of webhook deliveries (run with the daily `retention` job, app/retention.py):
finished deliveries and their log go after KEEP_LOG (30 days, as the SMS log), and no
payload outlives MESSAGE_RETENTION_DAYS, whatever its state. Events waiting for a
subscription paused (or a key revoked) for over a day are given up, with a line in the
delivery log and the worker's log, so they do not pile up while nobody resumes it.
A client's deliveries also go with them at erasure (app/casework/erasure.py)."""

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from app.models import (
    ApiKey,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

log = logging.getLogger(__name__)

KEEP_LOG = timedelta(days=30)
STALLED_AFTER = timedelta(days=1)  # paused or revoked this long: waiting events are given up
GIVEN_UP = "given up: paused over a day"
CHUNK = 500  # ids per statement: well inside every database's limit on parameters


def give_up_stalled(session: Session, now: datetime) -> int:
    """Give up the pending deliveries of subscriptions paused, or of keys revoked, more
    than STALLED_AFTER ago; each gets a line in the delivery log. Returns how many."""
    stalled = (
        select(WebhookSubscription.id)
        .join(ApiKey, col(ApiKey.id) == WebhookSubscription.api_key_id)
        .where(
            or_(
                col(WebhookSubscription.paused_at) < now - STALLED_AFTER,
                col(ApiKey.revoked_at) < now - STALLED_AFTER,
            )
        )
    )
    pending = (col(WebhookDelivery.state) == DeliveryState.PENDING) & col(
        WebhookDelivery.subscription_id
    ).in_(stalled)
    found = session.exec(
        select(WebhookDelivery.id, WebhookDelivery.subscription_id, WebhookDelivery.attempts)
        .where(pending)
        .order_by(col(WebhookDelivery.id))
        .with_for_update()
    ).all()
    per_subscription: Counter[int] = Counter()
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        # Only rows still pending: a run at the same time never gives one up twice.
        changed = set(
            session.exec(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id).in_([row[0] for row in chunk]), pending)
                .values(state=DeliveryState.FAILED, finished_at=now, claimed_until=None)
                .returning(col(WebhookDelivery.id))
            ).scalars()
        )
        for delivery_id, subscription_id, attempts in chunk:
            if delivery_id is None or delivery_id not in changed:
                continue
            per_subscription[subscription_id] += 1
            session.add(
                WebhookAttempt(
                    delivery_id=delivery_id,
                    subscription_id=subscription_id,
                    attempt=attempts + 1,
                    attempted_at=now,
                    error=GIVEN_UP,
                )
            )
    for subscription_id, count in sorted(per_subscription.items()):
        log.warning(
            "Webhook subscription %s: %s waiting events given up (paused or its key "
            "revoked for over a day)",
            subscription_id,
            count,
        )
    session.flush()
    return sum(per_subscription.values())


def forget_old(session: Session, now: datetime, message_days: int) -> int:
    """Delete finished deliveries older than KEEP_LOG, and any delivery created more than
    `message_days` ago, with their log lines. Returns how many deliveries went."""
    payload_cutoff = now - timedelta(days=message_days)
    old = (
        (col(WebhookDelivery.state) != DeliveryState.PENDING)
        & (col(WebhookDelivery.finished_at) < now - min(KEEP_LOG, timedelta(days=message_days)))
    ) | (col(WebhookDelivery.created_at) < payload_cutoff)
    session.execute(
        delete(WebhookAttempt).where(
            col(WebhookAttempt.delivery_id).in_(select(WebhookDelivery.id).where(old))
        )
    )
    gone = session.execute(delete(WebhookDelivery).where(old))
    return max(gone.rowcount or 0, 0)  # type: ignore[attr-defined]


def purge(session: Session, now: datetime, message_days: int) -> dict[str, int]:
    """Both steps, for `now` (nothing committed); returns what each did."""
    return {
        "webhook events given up": give_up_stalled(session, now),
        "webhook deliveries": forget_old(session, now, message_days),
    }
