"""Deliveries do not pile up: finished ones and their log go after 30 days (sooner where
MESSAGE_RETENTION_DAYS is shorter: no payload outlives it), and events waiting behind a
subscription paused for over a day are given up, in the log and the worker's log."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import DeliveryState, WebhookAttempt, WebhookDelivery
from app.retention import run_retention
from app.webhooks import subscriptions

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


class Quiet:
    """A provider that keeps nothing to delete."""

    name = "quiet"

    def delete_stored(self, item, ref):
        raise AssertionError("nothing of ours is at the provider")


def delivery(session, subscription, number: int, state: str, created: datetime, **values):
    row = WebhookDelivery(
        subscription_id=subscription.id, message_id=f"msg_{number}", event_type="outbox.status",
        record=f"outbox_message:{number}", payload='{"type":"outbox.status"}', state=state,
        created_at=created, next_attempt_at=created, **values,
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.add(
        WebhookAttempt(delivery_id=row.id, subscription_id=subscription.id, attempt=1,
                       attempted_at=created, status_code=204)
    )  # fmt: skip
    session.commit()
    return row


def kept(session) -> dict[str, str]:
    session.expire_all()
    return {d.message_id: d.state for d in session.exec(select(WebhookDelivery))}


def test_finished_deliveries_and_their_log_go_after_30_days(session, subscribed):
    subscription, _ = subscribed
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    delivery(session, subscription, 1, DeliveryState.DELIVERED, old, finished_at=old)
    delivery(session, subscription, 2, DeliveryState.FAILED, old, finished_at=old)
    delivery(session, subscription, 3, DeliveryState.DELIVERED, recent, finished_at=recent)

    counts = run_retention(NOW, transport=Quiet())

    assert kept(session) == {"msg_3": DeliveryState.DELIVERED}
    assert counts["webhook deliveries"] == 2
    attempts = session.exec(select(WebhookAttempt)).all()
    assert [a.delivery_id for a in attempts] == [session.exec(select(WebhookDelivery.id)).one()]


def test_no_payload_outlives_the_message_retention(app, session, subscribed):
    subscription, _ = subscribed
    app.config["MESSAGE_RETENTION_DAYS"] = 7
    old = NOW - timedelta(days=8)
    delivery(session, subscription, 1, DeliveryState.DELIVERED, old, finished_at=old)
    # Pending that long (behind an earlier event of its record): it goes all the same.
    delivery(session, subscription, 2, DeliveryState.PENDING, old)
    delivery(session, subscription, 3, DeliveryState.PENDING, NOW - timedelta(days=6))

    run_retention(NOW, transport=Quiet())

    assert kept(session) == {"msg_3": DeliveryState.PENDING}


def test_events_of_a_subscription_paused_over_a_day_are_given_up_and_logged(
    session, subscribed, key, receiver, caplog
):
    subscription, _ = subscribed
    other, _ = subscriptions.create(
        session, key, receiver.url + "/other", ["outbox.status"], allow_private=True
    )
    subscriptions.pause(subscription, NOW - timedelta(days=1, minutes=1))
    subscriptions.pause(other, NOW - timedelta(hours=23))
    session.add_all([subscription, other])
    session.commit()
    waited = NOW - timedelta(hours=30)
    delivery(session, subscription, 1, DeliveryState.PENDING, waited)
    delivery(session, other, 2, DeliveryState.PENDING, waited)

    with caplog.at_level(logging.WARNING, logger="app.webhooks.retention"):
        counts = run_retention(NOW, transport=Quiet())

    assert kept(session) == {"msg_1": DeliveryState.FAILED, "msg_2": DeliveryState.PENDING}
    assert counts["webhook events given up"] == 1
    given_up = session.exec(
        select(WebhookDelivery).where(WebhookDelivery.message_id == "msg_1")
    ).one()
    assert given_up.finished_at == NOW
    [line] = subscriptions.log(session, subscription, limit=1)
    assert line[0].error == "given up: paused over a day"
    assert line[4] == DeliveryState.FAILED
    assert f"subscription {subscription.id}" in caplog.text
    assert subscriptions.waiting(session, subscription) == 0
    assert subscriptions.waiting(session, other) == 1
