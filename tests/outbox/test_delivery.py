"""POST /twilio/status: delivery state that never goes backwards."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import AuditEvent, OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client
from tests.signing import post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

# Delivery reports are stamped with the real clock: freeze it at the test's now.
pytestmark = pytest.mark.frozen_at(NOW + timedelta(minutes=1))


@pytest.fixture
def sent_message(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    session.expire_all()
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
    ).one()


def report(client, message, status, code=""):
    params = {"MessageSid": message.provider_id, "MessageStatus": status, "AccountSid": "AC1"}
    if code:
        params["ErrorCode"] = code
    return post_signed(client, "/twilio/status", params)


def current(session, message) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message.id)


def test_delivered_is_recorded(client, session, sent_message):
    assert report(client, sent_message, "delivered").status_code == 200
    assert current(session, sent_message).status == OutboxStatus.DELIVERED


def test_states_never_go_backwards_when_callbacks_come_out_of_order(client, session, sent_message):
    for status in ("delivered", "sent", "queued", "undelivered", "sending"):
        assert report(client, sent_message, status).status_code == 200
    assert current(session, sent_message).status == OutboxStatus.DELIVERED


def test_early_progress_reports_change_nothing(client, session, sent_message):
    report(client, sent_message, "queued")
    report(client, sent_message, "sent")
    assert current(session, sent_message).status == OutboxStatus.SENT
    report(client, sent_message, "delivered")
    assert current(session, sent_message).status == OutboxStatus.DELIVERED


def test_duplicates_are_ignored(client, session, sent_message):
    for _ in range(3):
        report(client, sent_message, "undelivered", "30003")
    retries = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.contains(":retry:"))
    ).all()
    assert len(retries) == 1


def test_a_permanent_failure_marks_the_number_unreachable_for_staff(client, session, sent_message):
    report(client, sent_message, "failed", "21211")
    message = current(session, sent_message)
    assert message.status == OutboxStatus.FAILED and message.last_error == "Twilio error 21211"
    from app.models import Client

    assert session.get(Client, message.client_id).unreachable_at is not None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "number_unreachable")).one()
    assert "21211" in event.detail and "+46" not in event.detail
    retries = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.contains(":retry:"))
    ).all()
    assert retries == []


def test_later_messages_to_an_unreachable_number_are_held_back(client, session, sent_message):
    report(client, sent_message, "failed", "30006")
    result = send_due(NOW + timedelta(days=2))
    assert result.sent == 0 and result.skipped >= 1


def retries(session) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.dedupe_key.contains(":retry:"))
    return list(session.exec(query.order_by(OutboxMessage.id)))


def test_a_temporary_failure_is_tried_again_later_up_to_a_limit(client, session, sent_message):
    report(client, sent_message, "undelivered", "30003")
    (retry,) = retries(session)
    assert retry.status == OutboxStatus.PENDING and retry.kind == sent_message.kind
    assert retry.due_at == NOW + timedelta(minutes=16)  # 15 minutes after the report
    for _ in range(5):  # every new attempt fails the same way
        latest = retries(session)[-1]
        if latest.status != OutboxStatus.PENDING:
            break
        send_due(latest.due_at)
        report(client, current(session, latest), "undelivered", "30003")
    assert len(retries(session)) == 3
    assert {m.status for m in retries(session)} == {OutboxStatus.UNDELIVERED}


def test_an_unknown_message_is_accepted_and_ignored(client):
    params = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"}
    assert post_signed(client, "/twilio/status", params).status_code == 200


@pytest.mark.parametrize("params", [{}, {"MessageSid": "SM1"}, {"MessageStatus": "delivered"}])
def test_a_report_without_its_fields_gets_400(client, params):
    assert post_signed(client, "/twilio/status", params).status_code == 400


def test_an_unsigned_report_is_refused_and_changes_nothing(client, session, sent_message):
    params = {"MessageSid": sent_message.provider_id, "MessageStatus": "delivered"}
    assert client.post("/twilio/status", data=params).status_code == 403
    forged = client.post("/twilio/status", data=params, headers={"X-Twilio-Signature": "bm9wZQ=="})
    assert forged.status_code == 403
    assert current(session, sent_message).status == OutboxStatus.SENT


def test_a_report_signed_with_another_token_is_refused(client, sent_message):
    params = {"MessageSid": sent_message.provider_id, "MessageStatus": "delivered"}
    assert post_signed(client, "/twilio/status", params, token="someone-else").status_code == 403


def test_signatures_are_checked_against_the_public_address_behind_a_proxy(client, sent_message):
    # Flask sees http://localhost; Twilio signed https://tydligt.ekby.example/...: accepted.
    params = {"MessageSid": sent_message.provider_id, "MessageStatus": "delivered"}
    assert post_signed(client, "/twilio/status", params).status_code == 200
    # A signature over the internal address is not what Twilio would send: refused.
    internal = post_signed(client, "/twilio/status", params, base="http://localhost")
    assert internal.status_code == 403


def test_an_oversized_request_is_refused_with_413(client):
    response = client.post("/twilio/status", data={"Body": "x" * 300_000})
    assert response.status_code == 413
