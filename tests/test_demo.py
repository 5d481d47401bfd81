"""The demo data (app/demo.py)."""

from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from app.demo import STAFF, demo_phone, load_demo
from app.models import (
    Appointment,
    Checklist,
    Client,
    OutboxMessage,
    OutboxStatus,
    StaffUser,
    Unit,
)
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
            OutboxMessage.kind == "appointment_reminder",
            OutboxMessage.sent_at == later,
            OutboxMessage.channel != "email",  # two demo clients get e-mail copies too
        )
    ).all()
    assert len(reminders) == count(session, Client)


def test_demo_phone_numbers_follow_the_contract():
    assert [demo_phone(i) for i in (1, 2, 9)] == ["+46700000001", "+46700000002", "+46700000009"]


def test_pending_demo_messages_are_pending(session):
    load_demo(session, now=NOW)
    assert {m.status for m in session.exec(select(OutboxMessage)).all()} == {OutboxStatus.PENDING}


def test_the_demo_has_an_application_sent_for_comment_and_makes_it_once(session):
    from app.models import Application

    load_demo(session, now=NOW)
    load_demo(session, now=NOW + timedelta(minutes=5))
    (application,) = session.exec(select(Application)).all()
    assert application.step == "comment"
    assert application.answer_by is not None
    pending = session.exec(
        select(OutboxMessage.kind).where(
            OutboxMessage.subject_id == application.id,
            OutboxMessage.subject_type == "application",
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.representative_id == None,  # noqa: E711 - SQL's IS NULL
        )
    ).all()
    assert sorted(pending) == ["application_comment", "application_comment_reminder"]


def test_the_demo_has_a_past_meeting_for_the_overview_s_history_and_makes_it_once(session):
    from app.access import OVERVIEW_TOPICS
    from app.casework import history

    load_demo(session, now=NOW)
    load_demo(session, now=NOW + timedelta(minutes=5))
    sara = session.exec(select(Client).where(Client.phone == demo_phone(1))).one()
    found = history.entries(session, sara, NOW, OVERVIEW_TOPICS)
    assert [(e.what, e.status or e.answer) for e in found] == [
        ("meeting", "came"),
        ("answer", "confirmed"),
    ]


def test_the_demo_has_a_monthly_application_with_a_paper_sent_back_and_makes_it_once(session):
    from app.casework import checklists

    load_demo(session, now=NOW)
    load_demo(session, now=NOW + timedelta(minutes=5))
    layla = session.exec(select(Client).where(Client.phone == demo_phone(3))).one()
    (monthly,) = session.exec(select(Checklist).where(Checklist.client_id == layla.id)).all()
    assert (monthly.application_type, monthly.series_id) == ("ekonomiskt_bistand", monthly.id)
    assert monthly.repeat_monthly_day is not None
    sent_back = [(i.document_type, i.problem) for i in checklists.items(session, monthly)]
    assert ("kontoutdrag", "page_missing") in sent_back
    kinds = session.exec(
        select(OutboxMessage.kind).where(
            OutboxMessage.subject_id == monthly.id,
            OutboxMessage.subject_type == "checklist",
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    assert "document_unclear" in kinds


def test_two_demo_clients_get_their_reminders_by_email_too(session, outbox_file):
    load_demo(session, now=NOW)
    send_due(NOW)
    mailed = session.exec(
        select(Client.language)
        .join(OutboxMessage, OutboxMessage.client_id == Client.id)
        .where(OutboxMessage.channel == "email", OutboxMessage.status == OutboxStatus.SENT)
    ).all()
    assert set(mailed) == {"en", "ar"}


def test_the_demo_unit_offers_four_kinds_of_support_once(session):
    from app.casework import support_offers

    load_demo(session, now=NOW)
    load_demo(session, now=NOW + timedelta(days=1))
    unit = session.exec(select(Unit)).one()
    offered = [offer.kind for offer in support_offers.offers(session, unit.id)]
    assert offered == ["violence", "services", "budget_debt", "meeting_place"]
