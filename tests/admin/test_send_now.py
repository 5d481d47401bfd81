"""Send now: any kind to one client or a group, after a preview (what the preview shows:
test_send_now_preview.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage, StaffMessage
from tests.admin.conftest import post
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


def confirmed(web, form: dict) -> dict:
    """The form as its preview's Send button posts it: with the preview's fingerprint."""
    page = post(web, "/admin/send", form | {"action": "preview"}).get_data(as_text=True)
    token = page.split('name="previewed" value="', 1)[1].split('"', 1)[0]
    return form | {"previewed": token, "action": "send"}


def test_send_now_previews_who_gets_what_and_sends_reminders_to_a_group(
    as_caseworker, session, sara, amal, caseworker
):
    create_client(session, caseworker, first_name="Ida", phone="+46700000004")  # no meeting
    book_appointment(session, sara, starts_at=NOW + timedelta(days=6), now=NOW)  # next week
    book_appointment(session, amal, starts_at=NOW + timedelta(days=7), now=NOW)
    before = len(session.exec(select(OutboxMessage)).all())
    form = {"group": "meeting_next_week", "choice": "appointment_reminder", "batch": "b1"}
    preview = post(as_caseworker, "/admin/send", form | {"action": "preview"})
    page = preview.get_data(as_text=True)
    assert "Sara" in page and "Amal" in page and "Ida" not in page.split("Who gets what")[1]
    assert len(session.exec(select(OutboxMessage)).all()) == before
    post(as_caseworker, "/admin/send", confirmed(as_caseworker, form))
    post(as_caseworker, "/admin/send", confirmed(as_caseworker, form))  # sent twice: once
    now_rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like("now:%"))
    ).all()
    assert sorted(r.client_id for r in now_rows) == sorted([sara.id, amal.id])
    assert all(r.kind == "appointment_reminder" and r.due_at == NOW for r in now_rows)


def test_send_now_own_words_to_one_client(as_caseworker, session, sara):
    form = {"group": "one", "client_id": str(sara.id), "choice": "staff_message",
            "text": "Kontoret är stängt i morgon.", "batch": "b2"}  # fmt: skip
    assert post(as_caseworker, "/admin/send", confirmed(as_caseworker, form)).status_code == 302
    assert session.exec(select(StaffMessage)).one().text == "Kontoret är stängt i morgon."


def test_send_now_refuses_a_client_the_person_does_not_handle(as_caseworker, session, colleague):
    other = create_client(session, colleague, first_name="Nils", phone="+46700000002")
    form = {"group": "one", "client_id": str(other.id), "choice": "welcome", "action": "send"}
    response = post(as_caseworker, "/admin/send", form)
    assert response.status_code == 200
    assert session.exec(select(OutboxMessage)).first() is None
