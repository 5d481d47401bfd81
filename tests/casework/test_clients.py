"""Clients: the welcome once consent is recorded, input errors that name the field
(app/casework/clients.py), and what opting out and discretion mean for every message."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import callbacks, clients, handovers
from app.errors import InvalidInput
from app.models import Client
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
TODAY = date(2026, 3, 2)


# Welcome and consent


def test_enrolling_with_consent_plans_one_welcome(session, team, outbox_file):
    unit, lina, _ = team
    client = clients.enroll(
        session,
        unit_id=unit.id,
        first_name="Sara",
        phone="070-000 00 01",
        caseworker_id=lina.id,
        consent_method="verbal",
        now=NOW,
    )
    assert client.phone == "+46700000001"
    assert [m.due_at for m in outbox(session, "welcome")] == [NOW]
    send_due(NOW)
    (message,) = sent(outbox_file)
    assert "Skriv HJÄLP" in message["body"] and "Skriv STOPP" in message["body"]
    assert "08-465 004 00" in message["body"]  # the phone menu (the unit's number in the factory)


def test_enrolling_without_consent_sends_nothing_until_consent(session, team):
    unit, lina, _ = team
    client = clients.enroll(
        session, unit_id=unit.id, first_name="Sara", phone="+46700000001", now=NOW
    )
    assert outbox(session, "welcome") == []
    clients.record_consent(session, client, "written", recorded_by_id=lina.id, now=NOW)
    clients.record_consent(session, client, "written", recorded_by_id=lina.id, now=NOW)
    assert len(outbox(session, "welcome")) == 1
    assert client.consent_method == "written" and client.consent_recorded_by_id == lina.id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"first_name": "  "}, "first_name"),
        ({"language": "tlh"}, "language"),
        ({"channel": "pigeon"}, "channel"),
        ({"privacy": "public"}, "privacy"),
        ({"consent_method": "telepathy"}, "consent_method"),
        ({"email": "sa\x00ra@ekby.se"}, "email"),  # control characters: never an address
        ({"email": "sara\x1b@ekby.se"}, "email"),
        ({"email": "sa\x85ra@ekby.se"}, "email"),
    ],
)
def test_bad_client_input_names_the_field(session, team, values, field):
    unit, _, _ = team
    arguments = {"unit_id": unit.id, "first_name": "Sara", "phone": "+46700000001"} | values
    with pytest.raises(InvalidInput) as excinfo:
        clients.enroll(session, now=NOW, **arguments)
    assert field in excinfo.value.errors
    assert session.exec(select(Client)).all() == []


# Opting out and discretion


def test_an_opted_out_client_gets_nothing_of_any_kind(session, team, outbox_file):
    _, lina, omar = team
    client = create_client(session, staff=lina, opted_out_at=NOW - timedelta(days=1))
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    handovers.hand_over(session, client, omar, starts_on=TODAY, now=NOW)
    callbacks.request_callback(session, client, now=NOW)
    session.commit()
    result = send_due(NOW + timedelta(days=2))
    assert result.sent == 0 and result.skipped == 4
    assert sent(outbox_file) == []


def test_a_discreet_client_gets_a_message_without_details(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina, privacy="discreet")
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    (message,) = sent(outbox_file)
    assert "Vi har ett nytt meddelande till dig." in message["body"]
    assert "klockan" not in message["body"] and "Storgatan" not in message["body"]
