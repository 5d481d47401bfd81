"""Deliveries reach a real loopback receiver: signed as Standard Webhooks asks, in order
per record, retried with backoff for about a day, paused after a day of failures, and only
with what the key's unit may read, carrying no words or numbers."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.api import keys
from app.casework import callbacks
from app.models import (
    DeliveryState,
    OutboxMessage,
    PauseReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from app.outbox.delivery import message_status
from app.webhooks import subscriptions
from app.webhooks.delivery import MAX_ATTEMPTS, RETRY_DELAYS, deliver_due
from tests.factories import create_client, create_staff, create_unit, receive_text

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def plan(session, client, key: str = "m1") -> OutboxMessage:
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


def expected_signature(secret: str, headers: dict, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def deliveries(session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_planned_message_reaches_the_receiver_signed(session, subscribed, sara, receiver):
    _subscription, secret = subscribed
    message = plan(session, sara)

    result = deliver_due()

    assert result.delivered == 1
    [got] = receiver.requests
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert got.headers["webhook-signature"] == expected_signature(secret, got.headers, got.body)
    assert got.headers["content-type"] == "application/json"
    assert got.json["type"] == "outbox.status"
    assert got.json["data"]["id"] == message.id
    assert got.json["data"]["status"] == "pending"
    assert got.json["data"]["client_source_id"] == "C-1"
    [delivery] = deliveries(session)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1


def test_a_delivery_report_is_pushed_with_the_new_status(session, subscribed, sara, receiver):
    message = plan(session, sara)
    deliver_due()

    message_status(session, message, "delivered", "", NOW)
    session.commit()
    deliver_due()

    assert [r.json["data"]["status"] for r in receiver.requests] == ["pending", "delivered"]


def test_no_words_and_no_numbers_leave_in_an_event(session, subscribed, sara, receiver):
    plan(session, sara)
    receive_text(session, sara, "Jag kan inte komma på tisdag")

    deliver_due()

    assert [r.json["type"] for r in receiver.requests] == ["outbox.status", "inbound.received"]
    for got in receiver.requests:
        assert "Sara" not in got.body and "Hej" not in got.body
        assert "tisdag" not in got.body and "700000001" not in got.body
    assert receiver.requests[1].json["data"]["intent"] == "free_text"


def test_a_callback_and_attendance_are_pushed(session, subscribed, sara, receiver):
    from app.casework import attendance
    from tests.factories import book_appointment

    callbacks.request_callback(session, sara, confirm=False)
    session.commit()
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=3), now=NOW)
    attendance.record(session, meeting, "no_show", now=NOW + timedelta(days=3, hours=1))
    session.commit()

    deliver_due()

    types = [r.json["type"] for r in receiver.requests]
    assert "callback.requested" in types
    [came] = [r.json for r in receiver.requests if r.json["type"] == "attendance.recorded"]
    assert came["data"]["appointment_id"] == meeting.id
    assert came["data"]["attendance"] == "no_show"


def test_a_key_of_another_unit_gets_nothing_of_this_one(session, subscribed, receiver):
    other_unit = create_unit(session, name="Västby", phone_menu_number="+46846500402")
    other_key, _ = keys.create(session, unit_id=other_unit.id, name="Treserva", scopes="read")
    session.commit()
    subscriptions.create(
        session, other_key, receiver.url + "/other", ["outbox.status"], allow_private=True
    )
    session.commit()
    stranger = create_client(
        session,
        create_staff(session, other_unit, email="nils@vastby.example"),
        phone="+46700000009",
    )

    plan(session, stranger)
    deliver_due()

    assert [r.path for r in receiver.requests] == ["/tydligt/other"]


def test_a_change_rolled_back_sends_nothing(session, subscribed, sara, receiver):
    session.add(
        OutboxMessage(
            kind="staff_message", client_id=sara.id, to_phone=sara.phone, dedupe_key="x", due_at=NOW
        )
    )
    session.flush()
    session.rollback()

    deliver_due()

    assert receiver.requests == [] and deliveries(session) == []


def test_a_later_event_waits_for_the_earlier_one_of_its_record(
    session, subscribed, sara, receiver, frozen_clock
):
    receiver.answers = [500]
    message = plan(session, sara)
    message_status(session, message, "delivered", "", NOW)
    session.commit()
    other = plan(session, sara, key="m2")

    deliver_due()

    # The first event of the message was refused: the receiver is tried again after the
    # backoff, and meanwhile nothing else of this subscription is tried.
    assert [(r.json["data"]["id"], r.json["data"]["status"]) for r in receiver.requests] == [
        (message.id, "pending"),
    ]
    frozen_clock.shift(RETRY_DELAYS[0])
    deliver_due()
    # The message's second event still waits for its first; another record goes on.
    assert [(r.json["data"]["id"], r.json["data"]["status"]) for r in receiver.requests[1:]] == [
        (message.id, "pending"),
        (other.id, "pending"),
        (message.id, "delivered"),
    ]
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_a_refused_event_is_retried_with_backoff_and_given_up_after_a_day(
    session, subscribed, sara, receiver, frozen_clock
):
    receiver.status = 503
    plan(session, sara)

    deliver_due()
    for delay in RETRY_DELAYS:
        frozen_clock.shift(delay - timedelta(seconds=1))
        deliver_due()  # not yet due
        frozen_clock.shift(timedelta(seconds=1))
        deliver_due()

    assert len(receiver.requests) == MAX_ATTEMPTS == 8
    assert timedelta(hours=23) < sum(RETRY_DELAYS, timedelta()) <= timedelta(days=1)
    [delivery] = deliveries(session)
    assert delivery.state == DeliveryState.FAILED
    attempts = list(session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id)))
    assert [a.attempt for a in attempts] == list(range(1, 9))
    assert {a.status_code for a in attempts} == {503}
    # Giving an event up pauses the subscription.
    subscription = session.exec(select(WebhookSubscription)).one()
    assert subscription.paused_reason == PauseReason.FAILURES


def test_a_day_of_failures_pauses_and_resuming_delivers_what_waited(
    session, subscribed, sara, receiver, frozen_clock
):
    subscription, _secret = subscribed
    receiver.status = 500
    for number in range(3):
        plan(session, sara, key=f"m{number}")

    deliver_due()
    for delay in RETRY_DELAYS:
        frozen_clock.shift(delay)
        deliver_due()

    assert len(receiver.requests) == MAX_ATTEMPTS  # the oldest, once per step of backoff
    session.refresh(subscription)
    assert subscription.paused_at is not None
    frozen_clock.shift(timedelta(hours=1))
    deliver_due()
    assert len(receiver.requests) == MAX_ATTEMPTS  # paused: nothing is tried

    receiver.status = 200
    subscriptions.resume(session, subscription)
    session.commit()
    deliver_due()
    assert len(receiver.requests) == MAX_ATTEMPTS + 3
    assert {d.state for d in deliveries(session)} == {DeliveryState.DELIVERED}


def test_a_redirect_is_not_followed(session, subscribed, sara, receiver):
    receiver.answers = [302]
    receiver.headers = {"Location": receiver.url + "/elsewhere"}
    plan(session, sara)

    deliver_due()

    assert [r.path for r in receiver.requests] == ["/tydligt"]
    attempt = session.exec(select(WebhookAttempt)).one()
    assert (attempt.status_code, attempt.error) == (302, "redirect not followed")


def test_a_revoked_key_gets_no_deliveries(session, subscribed, key, sara, receiver):
    plan(session, sara)
    key.revoked_at = NOW
    session.add(key)
    session.commit()

    deliver_due()

    assert receiver.requests == []


def test_after_a_rotation_both_secrets_sign_for_a_day(
    session, subscribed, sara, receiver, frozen_clock
):
    subscription, old = subscribed
    new = subscriptions.rotate(subscription)
    session.add(subscription)
    session.commit()
    plan(session, sara)
    deliver_due()

    got = receiver.requests[0]
    assert got.headers["webhook-signature"].split(" ") == [
        expected_signature(new, got.headers, got.body),
        expected_signature(old, got.headers, got.body),
    ]
    frozen_clock.shift(timedelta(days=1))
    plan(session, sara, key="m2")
    deliver_due()
    later = receiver.requests[1]
    assert later.headers["webhook-signature"] == expected_signature(new, later.headers, later.body)


def test_a_text_is_pushed_once_when_it_is_read_not_when_stored(session, subscribed, sara, receiver):
    text = receive_text(session, sara, "Hej", intent=None)
    deliver_due()
    assert receiver.requests == []  # stored first, not yet read

    text.intent = "free_text"
    session.add(text)
    session.commit()
    text.intent = "error"  # read again after a failure: not a new text
    session.add(text)
    session.commit()
    deliver_due()

    [got] = receiver.requests
    assert (got.json["type"], got.json["data"]["id"]) == ("inbound.received", text.id)


def test_texts_for_the_managers_are_never_pushed(session, subscribed, sara, receiver):
    receive_text(session, sara, "Jag vill klaga", for_managers=True)

    deliver_due()

    assert receiver.requests == []


def test_a_delivery_another_worker_holds_is_left_to_it_until_its_claim_runs_out(
    session, subscribed, sara, receiver, frozen_clock
):
    plan(session, sara)
    [delivery] = deliveries(session)
    delivery.claimed_until = NOW + timedelta(minutes=2)
    session.add(delivery)
    session.commit()

    deliver_due()
    assert receiver.requests == []

    frozen_clock.shift(timedelta(minutes=2, seconds=1))  # that worker stopped mid-delivery
    deliver_due()
    assert len(receiver.requests) == 1
