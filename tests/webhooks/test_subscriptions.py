"""Resuming a subscription sends what waited and what was given up, in order; a second
rotation within a day is refused, so no secret stops signing before its day is out."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.errors import InvalidInput
from app.models import DeliveryState, OutboxMessage, WebhookDelivery, WebhookSubscription
from app.webhooks import subscriptions
from app.webhooks.delivery import RETRY_DELAYS, deliver_due

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def plan(session, client, key: str) -> OutboxMessage:
    message = OutboxMessage(
        kind="staff_message",
        client_id=client.id,
        to_phone=client.phone,
        dedupe_key=key,
        due_at=NOW,
        body="Hej Sara, ring mig.",
    )
    session.add(message)
    session.commit()
    return message


def test_resuming_sends_the_given_up_events_first_and_in_order(
    session, subscribed, sara, receiver, frozen_clock
):
    subscription, _secret = subscribed
    receiver.status = 500
    first = plan(session, sara, key="m1")
    deliver_due()
    for delay in RETRY_DELAYS:
        frozen_clock.shift(delay)
        deliver_due()
    session.expire_all()
    assert [d.state for d in session.exec(select(WebhookDelivery))] == [DeliveryState.FAILED]
    assert session.get_one(WebhookSubscription, subscription.id).paused_at is not None
    first.status = "cancelled"  # a later event of the same record waits behind the first
    session.add(first)
    session.commit()

    receiver.status = 204
    tried = len(receiver.requests)
    subscriptions.resume(session, session.get_one(WebhookSubscription, subscription.id))
    session.commit()
    deliver_due()

    sent = [(r.json["data"]["id"], r.json["data"]["status"]) for r in receiver.requests[tried:]]
    assert sent == [(first.id, "pending"), (first.id, "cancelled")]
    session.expire_all()
    assert {d.state for d in session.exec(select(WebhookDelivery))} == {DeliveryState.DELIVERED}


def test_a_second_rotation_within_a_day_is_refused_and_the_first_secret_still_signs(
    session, subscribed, frozen_clock
):
    subscription, first = subscribed
    second = subscriptions.rotate(subscription)
    frozen_clock.shift(timedelta(hours=12))

    with pytest.raises(InvalidInput):
        subscriptions.rotate(subscription)

    assert (subscription.secret, subscription.previous_secret) == (second, first)
    frozen_clock.shift(timedelta(hours=12))
    third = subscriptions.rotate(subscription)
    assert (subscription.secret, subscription.previous_secret) == (third, second)
