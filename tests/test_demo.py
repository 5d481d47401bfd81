"""The demo data (app/demo.py)."""

from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from app.demo import STAFF, demo_phone, load_demo
from app.models import Appointment, Client, OutboxMessage, OutboxStatus, StaffUser, Unit
from app.outbox.sweep import send_due

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_demo_loads_one_fictional_client_per_language_in_registry_order(session):
    load_demo(session, now=NOW)
    clients = session.exec(select(Client).order_by(Client.phone)).all()
    assert [(c.phone, c.language) for c in clients][:2] == [
        ("+46700000001", "sv"),
        ("+46700000002", "en"),
    ]
    assert all(c.consent_at is not None for c in clients)
    assert session.exec(select(StaffUser).where(StaffUser.email == STAFF[0]["email"])).one()


def test_demo_reminders_are_due_within_a_minute(session):
    load_demo(session, now=NOW)
    due = session.exec(
        select(OutboxMessage).where(OutboxMessage.due_at <= NOW + timedelta(minutes=1))
    ).all()
    assert {m.client_id for m in due} == {c.id for c in session.exec(select(Client)).all()}


def test_loading_the_demo_twice_adds_nothing(session):
    load_demo(session, now=NOW)
    before = {
        model: count(session, model)
        for model in (Unit, StaffUser, Client, Appointment, OutboxMessage)
    }
    second = load_demo(session, now=NOW + timedelta(minutes=5))
    after = {model: count(session, model) for model in before}
    assert second == {"clients": 0, "appointments": 0}
    assert after == before


def test_a_later_demo_run_books_new_meetings_once_the_old_ones_are_over(session, outbox_file):
    load_demo(session, now=NOW)
    send_due(NOW)
    later = NOW + timedelta(days=2)
    created = load_demo(session, now=later)
    assert created["appointments"] == count(session, Client)
    send_due(later)
    reminders = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.kind == "appointment_reminder", OutboxMessage.sent_at == later
        )
    ).all()
    assert len(reminders) == count(session, Client)


def test_demo_phone_numbers_follow_the_contract():
    assert [demo_phone(i) for i in (1, 2, 9)] == ["+46700000001", "+46700000002", "+46700000009"]


def test_pending_demo_messages_are_pending(session):
    load_demo(session, now=NOW)
    assert {m.status for m in session.exec(select(OutboxMessage)).all()} == {OutboxStatus.PENDING}
