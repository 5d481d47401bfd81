"""Callback requests: queued for the current contact and confirmed to the client
(app/casework/callbacks.py)."""

from datetime import UTC, date, datetime

from app.casework import callbacks, handovers
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
TODAY = date(2026, 3, 2)


def test_a_callback_request_is_queued_for_the_contact_and_confirmed(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(
        session, staff=lina, language="en", phone="+46700000002", first_name="Adam"
    )
    request = callbacks.request_callback(session, client, source="sms", now=NOW)
    session.commit()
    assert request.assigned_staff_id == lina.id
    assert request.language == "en" and request.interpreter_needed
    send_due(NOW)
    (message,) = sent(outbox_file)
    # Two working days after monday 2 march.
    assert "Lina Berg will call you by Wednesday 4 March." in message["body"]
    assert "We will call with an interpreter in English." in message["body"]


def test_a_callback_during_an_absence_goes_to_the_stand_in(session, team):
    _, lina, omar = team
    client = create_client(session, staff=lina)
    handovers.hand_over(
        session, client, omar, kind="absence", starts_on=TODAY, ends_on=date(2026, 3, 13), now=NOW
    )
    request = callbacks.request_callback(session, client, now=NOW)
    assert request.assigned_staff_id == omar.id
    assert not request.interpreter_needed


def test_a_callback_from_an_unknown_number_is_queued_without_a_message(session, team):
    request = callbacks.request_callback(session, None, from_phone="+46701111111", now=NOW)
    assert request.client_id is None and request.from_phone == "+46701111111"
    assert outbox(session, "callback_confirmation") == []
