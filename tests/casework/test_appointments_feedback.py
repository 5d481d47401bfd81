"""Feedback after meetings: the question an appointment plans, at most once a month, and
never after a meeting the client declined (app/casework/appointments.py)."""

from datetime import UTC, datetime, timedelta

from app.casework import appointments
from app.models import AppointmentResponse
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm


def test_feedback_is_asked_an_hour_after_the_meeting(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    meeting = NOW + timedelta(days=5)
    book_appointment(session, client, starts_at=meeting, now=NOW, duration_minutes=45)
    (question,) = outbox(session, "feedback_request")
    assert question.due_at == meeting + timedelta(minutes=45, hours=1)
    send_due(question.due_at)
    body = [m["body"] for m in sent(outbox_file) if m["kind"] == "feedback_request"][0]
    assert "Svara 1 om det var bra, 2 om det var sådär, 3 om det var dåligt." in body
    assert "fråga efter chefen" in body


def test_no_feedback_after_a_meeting_the_client_said_no_to(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    appointment = book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    appointments.respond(session, appointment, AppointmentResponse.DECLINED, now=NOW)
    session.commit()
    send_due(NOW + timedelta(days=2))
    assert "feedback_request" not in [m["kind"] for m in sent(outbox_file)]


def test_feedback_is_asked_at_most_once_a_month(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    book_appointment(session, client, starts_at=NOW + timedelta(days=7), now=NOW)
    send_due(NOW + timedelta(days=10))
    assert [m["kind"] for m in sent(outbox_file)].count("feedback_request") == 1


def test_feedback_can_be_switched_off(app, session, team):
    app.config["FEEDBACK_AFTER_MEETINGS"] = False
    _, lina, _ = team
    client = create_client(session, staff=lina)
    book_appointment(session, client, starts_at=NOW + timedelta(days=5), now=NOW)
    assert outbox(session, "feedback_request") == []
