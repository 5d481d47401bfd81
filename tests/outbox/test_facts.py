"""What every message says about sender and recipient: picture support is the client's own,
and the sweep gives such a client the picture page's link first."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage, OutboxStatus, Representative, StaffUser
from app.outbox.facts import base_facts
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def _god_man(session, client) -> Representative:
    representative = Representative(
        client_id=client.id,
        name="Anders Holm",
        role="god_man",
        phone="+46701000001",
        language="sv",
        copy_appointments=True,
    )
    session.add(representative)
    session.commit()
    return representative


def test_picture_support_is_told_for_the_client_and_never_for_a_representative(session):
    client = create_client(session, picture_support=True)
    representative = _god_man(session, client)
    assert base_facts(session, client, now=NOW)["picture_support"] is True
    assert base_facts(session, client, representative, now=NOW)["picture_support"] is False
    other = create_client(
        session, staff=session.get_one(StaffUser, client.caseworker_id), phone="+46700000002"
    )
    assert base_facts(session, other, now=NOW)["picture_support"] is False


def _sent_reminders(session) -> dict[str, str]:
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.kind == "appointment_reminder",
            OutboxMessage.status == OutboxStatus.SENT,
        )
    ).all()
    return {row.to_phone: row.body for row in rows}


def test_a_client_with_picture_support_gets_the_link_first_and_the_god_man_last(session):
    client = create_client(session, picture_support=True)
    _god_man(session, client)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    send_due(MEETING - timedelta(days=3))
    bodies = _sent_reminders(session)
    lines = bodies["+46700000001"].splitlines()
    assert lines[0].startswith("Hej Sara!")
    assert lines[1].startswith("Se bilder: http") and "/p/" in lines[1]
    assert sum("/p/" in line for line in lines) == 1
    copy = bodies["+46701000001"].splitlines()
    assert copy[-1].startswith("Läs mer: http")
    assert not any(line.startswith("Se bilder") for line in copy)


def test_without_picture_support_the_reminder_keeps_its_link_last(session):
    client = create_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    send_due(MEETING - timedelta(days=3))
    lines = _sent_reminders(session)["+46700000001"].splitlines()
    assert lines[-1].startswith("Läs mer: http")
    assert not any(line.startswith("Se bilder") for line in lines)
