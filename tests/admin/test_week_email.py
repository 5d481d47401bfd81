"""The week's reminder state is the text's or call's: an e-mail copy that went out does not
hide a reminder text that failed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage
from tests.admin.test_week import day_section, local
from tests.factories import book_appointment

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_a_failed_reminder_text_shows_failed_though_its_email_went(as_caseworker, session, sara):
    sara.email, sara.email_copies = "sara@example.org", True
    session.add(sara)
    meeting = book_appointment(session, sara, starts_at=local(5, 13), now=NOW)
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.subject_id == meeting.id, OutboxMessage.kind == "appointment_reminder"
        )
    ).all()
    assert {m.channel for m in rows} == {"sms", "email"}
    for message in rows:
        if message.channel == "sms":
            message.status, message.final_at = "failed", NOW - timedelta(hours=1)
        else:  # the mail server took the e-mail a little later
            message.status, message.sent_at = "sent", NOW - timedelta(minutes=59)
        session.add(message)
    session.commit()
    page = as_caseworker.get("/admin/week").get_data(as_text=True)
    thursday = day_section(page, date(2026, 3, 5))
    assert "Failed" in thursday and "Sent" not in thursday
