"""Model constraints: phone numbers, enumerations, uniqueness and time zones."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from app.models import Appointment, Client, OutboxMessage
from app.phone import InvalidPhoneNumber
from tests.factories import create_client, create_staff


def test_the_client_model_refuses_a_number_that_is_not_e164(session):
    staff = create_staff(session)
    with pytest.raises(InvalidPhoneNumber, match="E.164"):
        Client(unit_id=staff.unit_id, first_name="Sara", phone="070-000 00 01")
    with pytest.raises(InvalidPhoneNumber, match="not a valid phone number"):
        Client(unit_id=staff.unit_id, first_name="Sara", phone="+4612")


def test_two_clients_cannot_share_a_phone_number(session):
    first = create_client(session)
    with pytest.raises(IntegrityError):
        create_client(session, first_name="Lisa", caseworker_id=first.caseworker_id)


def test_the_database_refuses_an_unknown_status(session):
    client = create_client(session)
    session.add(
        OutboxMessage(
            kind="appointment_reminder",
            client_id=client.id,
            dedupe_key="x",
            due_at=datetime.now(UTC),
            status="maybe",
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_database_refuses_an_unknown_privacy_level(session):
    client = create_client(session)
    session.rollback()
    with pytest.raises(IntegrityError):
        session.exec(
            text("UPDATE client SET privacy = 'public' WHERE id = :id").bindparams(id=client.id)
        )
        session.commit()


def test_times_come_back_as_the_same_instant_in_utc(session):
    client = create_client(session)
    stockholm = timezone(timedelta(hours=1))
    when = datetime(2026, 3, 3, 14, 0, tzinfo=stockholm)
    appointment = Appointment(client_id=client.id, starts_at=when, location="Storgatan 12")
    session.add(appointment)
    session.commit()
    session.expire_all()
    loaded = session.get(Appointment, appointment.id)
    assert loaded.starts_at == when
    assert loaded.starts_at.tzinfo == UTC
    assert loaded.starts_at.hour == 13


def test_a_naive_datetime_is_refused(session):
    client = create_client(session)
    session.add(Appointment(client_id=client.id, starts_at=datetime(2026, 3, 3, 14, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()


def test_consent_method_must_be_known(session):
    staff = create_staff(session)
    with pytest.raises(ValueError, match="Consent method 'telepathy' is unknown"):
        Client(
            unit_id=staff.unit_id,
            first_name="Sara",
            phone="+46700000001",
            consent_method="telepathy",
        )
