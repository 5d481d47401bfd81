"""An outbox row's updated_at is the moment it was last written with a change: the API's
/outbox feed polls by it, so a change must move it and a write that changes nothing must not."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlmodel import select

from app.models import OutboxMessage
from tests.factories import book_appointment, create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _message(session) -> OutboxMessage:
    unit = create_unit(session)
    client = create_client(session, staff=create_staff(session, unit))
    book_appointment(session, client, starts_at=NOW + timedelta(days=3), now=NOW)
    return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()


def test_a_change_moves_updated_at_to_when_it_was_written(session):
    with time_machine.travel(NOW, tick=False):
        message = _message(session)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        message.last_error = "a change"
        message.updated_at = NOW  # code cannot set it back: the write's moment wins
        session.commit()
    session.refresh(message)
    assert message.updated_at == NOW + timedelta(minutes=5)


def test_setting_a_value_it_already_has_writes_nothing(session):
    with time_machine.travel(NOW, tick=False):
        message = _message(session)
        stamped = message.updated_at
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        message.language = message.language
        message.part = message.part
        session.commit()
    session.refresh(message)
    assert message.updated_at == stamped
