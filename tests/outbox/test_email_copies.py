"""Copies by e-mail: planned next to each message for a client who chose them, with the
message's lifecycle (a changed record cancels, opt-out and a withdrawn choice stop, an
unreachable address stops only e-mail), sent through the console in development."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments, clients
from app.models import OutboxChannel, OutboxMessage, OutboxStatus, Representative, StaffUser
from app.outbox.planner import add_message
from app.outbox.sweep import send_due
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def rows(session, channel: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(session.exec(query))


def mailing_client(session, staff=None, **values):
    return create_client(session, staff, email="sara.lind@example.org", email_copies=True, **values)


def test_every_reminder_is_also_planned_as_an_email(session):
    client = mailing_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    texts = [m for m in rows(session, "sms") if m.kind == "appointment_reminder"]
    mails = rows(session, "email")
    assert len(mails) == len(texts) >= 2
    assert [m.dedupe_key for m in mails] == [f"{t.dedupe_key}:email" for t in texts]
    assert [(m.due_at, m.subject_version) for m in mails] == [
        (t.due_at, t.subject_version) for t in texts
    ]


def test_no_email_without_the_choice_or_an_address(session):
    first = create_client(session, email="sara.lind@example.org")
    staff = session.get(StaffUser, first.caseworker_id)
    second = create_client(session, staff, phone="+46700000002", email_copies=True)
    for client in (first, second):
        book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert rows(session, "email") == []


def test_a_client_who_gets_calls_gets_one_email_per_reminder(session):
    client = mailing_client(session, channel="voice")
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    calls, mails = rows(session, "voice"), rows(session, "email")
    assert "appointment_reminder" not in {m.kind for m in rows(session, "sms")}
    assert [m.dedupe_key for m in mails] == [f"{c.dedupe_key}:email" for c in calls]


def test_both_channels_still_bring_one_email(session):
    client = mailing_client(session, channel="both")
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    reminders = [m for m in rows(session, "sms") if m.kind == "appointment_reminder"]
    assert len(rows(session, "email")) == len(reminders) == len(rows(session, "voice"))


def test_representatives_get_their_copies_by_sms_only(session):
    client = mailing_client(session)
    session.add(
        Representative(
            client_id=client.id, name="Anders Holm", role="god_man", phone="+46701000001",
            language="sv", copy_appointments=True,
        )
    )  # fmt: skip
    session.commit()
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert all(m.representative_id is None for m in rows(session, "email"))
    assert any(m.representative_id for m in rows(session, "sms"))


def test_the_feedback_question_is_not_mailed(app, session):
    app.config["FEEDBACK_AFTER_MEETINGS"] = True
    client = mailing_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert "feedback_request" in {m.kind for m in rows(session, "sms")}
    assert "feedback_request" not in {m.kind for m in rows(session, "email")}


def test_email_goes_out_through_the_console_without_its_text(session, outbox_file):
    client = mailing_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    result = send_due(MEETING - timedelta(days=3))
    assert result.sent == 2
    mail = rows(session, "email")[0]
    assert mail.status == OutboxStatus.SENT
    assert mail.to_phone is None  # an address is not kept as a number
    assert mail.body.startswith("Om ditt möte\n")
    assert mail.segments == 0
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    record = next(line for line in lines if line["channel"] == "email")
    assert record["message_id"] == mail.id and record["to"] == "sara.lind@example.org"
    assert record["subject"] == "Om ditt möte"
    assert "body" not in record
    assert "text/html" in record["parts"] and "text/plain" in record["parts"]


def test_a_changed_meeting_cancels_the_email_planned_for_it(session):
    client = mailing_client(session)
    appointment = book_appointment(session, client, starts_at=MEETING, now=NOW)
    old = {m.id for m in rows(session, "email")}
    appointments.change(session, appointment, starts_at=MEETING + timedelta(days=1), now=NOW)
    session.commit()
    by_id = {m.id: m for m in rows(session, "email")}
    assert all(by_id[i].status == OutboxStatus.CANCELLED for i in old)
    assert any(m.status == OutboxStatus.PENDING for m in by_id.values())


def test_opting_out_stops_the_email_too(session):
    client = mailing_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    clients.opt_out(session, client, now=NOW)
    session.commit()
    send_due(MEETING - timedelta(days=3))
    mail = rows(session, "email")[0]
    assert (mail.status, mail.last_error) == (OutboxStatus.SKIPPED, "client opted out")


def test_a_withdrawn_choice_stops_emails_already_planned(session):
    client = mailing_client(session)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    clients.update(session, client, email_copies=False, now=NOW)
    session.commit()
    result = send_due(MEETING - timedelta(days=3))
    mail = rows(session, "email")[0]
    assert (mail.status, mail.last_error) == (OutboxStatus.SKIPPED, "e-mail no longer chosen")
    assert rows(session, "sms")[0].status == OutboxStatus.SENT
    assert result.sent == 1


def test_an_unreachable_number_does_not_stop_the_email_nor_the_other_way(session):
    phone_gone = mailing_client(session, unreachable_at=NOW)
    staff = session.get(StaffUser, phone_gone.caseworker_id)
    mail_gone = mailing_client(session, staff, phone="+46700000002", email_unreachable_at=NOW)
    for client in (phone_gone, mail_gone):
        add_message(
            session, kind="welcome", client=client, dedupe_key=f"client:{client.id}:welcome",
            due_at=NOW, subject_type="client", subject_id=client.id,
        )  # fmt: skip
    session.commit()
    send_due(NOW)
    outcome = {(m.client_id, m.channel): (m.status, m.last_error) for m in rows(session)}
    assert outcome[(phone_gone.id, OutboxChannel.SMS)] == (
        OutboxStatus.SKIPPED,
        "number unreachable",
    )
    assert outcome[(phone_gone.id, OutboxChannel.EMAIL)][0] == OutboxStatus.SENT
    assert outcome[(mail_gone.id, OutboxChannel.SMS)][0] == OutboxStatus.SENT
    assert outcome[(mail_gone.id, OutboxChannel.EMAIL)] == (
        OutboxStatus.SKIPPED,
        "e-mail address unreachable",
    )


def test_no_email_is_planned_when_mail_cannot_go_anywhere(app, session):
    app.config["SMS_TRANSPORT"] = "twilio"  # and no SMTP_HOST
    book_appointment(session, mailing_client(session), starts_at=MEETING, now=NOW)
    assert rows(session, "email") == []
