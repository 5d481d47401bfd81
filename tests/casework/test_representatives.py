"""Copies to representatives: only of what the client allowed, in the representative's
language, and none once the representative opted out."""

from datetime import UTC, datetime, timedelta

from app.models import Representative
from app.outbox.sweep import send_due
from tests.casework.conftest import sent
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm


def add_representative(session, client, **values) -> Representative:
    defaults = dict(
        client_id=client.id, name="Anders Holm", role="god_man", phone="+46701740607", language="sv"
    )
    representative = Representative(**(defaults | values))
    session.add(representative)
    session.commit()
    return representative


def test_representatives_get_copies_only_of_what_the_client_allowed(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client, copy_appointments=True)
    add_representative(
        session,
        client,
        name="Maria Lind",
        role="relative",
        phone="+46701740608",
        copy_decisions=True,
    )
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    messages = sent(outbox_file)
    assert [(m["to"], m["kind"]) for m in messages] == [
        ("+46700000001", "appointment_reminder"),
        ("+46701740607", "appointment_reminder"),
    ]
    assert messages[1]["body"].splitlines()[:2] == [
        "Hej Anders Holm! Det här är Ekby kommun.",
        "Du är god man för Sara. Här är vårt meddelande till Sara:",
    ]


def test_a_copy_is_written_in_the_representative_s_language(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client, language="en", copy_appointments=True)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    copy = sent(outbox_file)[1]
    assert copy["language"] == "en"
    assert copy["body"].startswith("Hello Anders Holm! This is Ekby kommun.")


def test_an_opted_out_representative_gets_no_copies(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    representative = add_representative(session, client, copy_appointments=True)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    representative.opted_out_at = NOW
    session.add(representative)
    session.commit()
    send_due(NOW)
    assert [m["to"] for m in sent(outbox_file)] == ["+46700000001"]
