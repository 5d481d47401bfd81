"""Send now's preview shows the text each recipient gets (the client, by each channel, and
every representative's copy); the form says "own words" one way, marks no needed field
optional, and its errors name the field they are about."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage, Representative
from tests.admin.conftest import post, sign_in
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


def section(page: str, heading: str) -> str:
    """The part of the preview about one recipient (up to the next recipient)."""
    page = page.split('id="h-who"', 1)[1]
    start = page.index(heading)
    end = page.find('class="recipient"', start + len(heading))
    return page[start : end if end > 0 else len(page)]


def test_the_preview_shows_each_clients_reminder_and_the_copy(
    as_caseworker, session, sara, amal, caseworker
):
    book_appointment(session, sara, starts_at=NOW + timedelta(days=6), now=NOW)
    book_appointment(session, amal, starts_at=NOW + timedelta(days=7), now=NOW)
    session.add(Representative(client_id=sara.id, name="Per Lind", role="god_man",
                               phone="+46700000098", language="sv",
                               copy_appointments=True))  # fmt: skip
    session.commit()
    form = {"group": "meeting_next_week", "choice": "appointment_reminder", "batch": "b1"}

    page = post(as_caseworker, "/admin/send", form | {"action": "preview"}).get_data(as_text=True)

    sara_part = section(page, "Sara Lind")
    assert "Hej Sara!" in sara_part  # the reminder as Sara gets it, in Swedish
    assert "tisdag 10 mars" in sara_part
    amal_part = section(page, "Amal Lind")
    assert 'lang="ar" dir="rtl"' in amal_part  # Amal's, in Arabic
    assert "In Swedish" in amal_part  # and the Swedish beside it for staff
    copy = section(page, "Copy to Per Lind")
    assert "Du är god man för Sara." in copy
    assert not session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like("now:%"))
    ).all()


def test_the_preview_shows_own_words_as_each_client_gets_them(as_caseworker, sara, amal):
    form = {"group": "all", "choice": "staff_message", "text": "Kontoret är stängt i morgon.",
            "batch": "b2", "action": "preview"}  # fmt: skip

    page = post(as_caseworker, "/admin/send", form).get_data(as_text=True)

    for name in ("Sara Lind", "Amal Lind"):
        part = section(page, name)
        assert "Kontoret är stängt i morgon." in part
        assert "Lina Berg" in part  # signed with the case worker's name
    assert "Hej Sara!" in section(page, "Sara Lind")  # each greeted by their own name
    assert 'lang="ar" dir="rtl"' in section(page, "Amal Lind")  # the greeting in Arabic
    assert "Copy to" not in page  # own words go to the client only


def test_the_form_says_own_words_one_way_and_marks_no_needed_field_optional(client, caseworker):
    sign_in(client, caseworker, language="sv")

    page = client.get("/admin/send").get_data(as_text=True)

    assert "Egna ord" in page
    assert "Egen text" not in page
    assert "(valfritt)" not in page


def test_an_error_names_its_field(as_caseworker, session, sara):
    form = {"group": "one", "client_id": str(sara.id), "choice": "staff_message", "text": " ",
            "batch": "b3", "action": "preview"}  # fmt: skip

    page = post(as_caseworker, "/admin/send", form).get_data(as_text=True)

    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    link = re.search(r'<a href="#field-text"[^>]*>(.*?)</a>', summary, re.S)
    assert link and "Your own words" in link.group(1)
    assert "Write what you want to send." in link.group(1)


def test_choosing_one_client_without_a_client_names_the_field(as_caseworker, session, sara):
    form = {"group": "one", "client_id": "", "choice": "welcome", "batch": "b4",
            "action": "preview"}  # fmt: skip

    page = post(as_caseworker, "/admin/send", form).get_data(as_text=True)

    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    link = re.search(r'<a href="#field-client_id"[^>]*>(.*?)</a>', summary, re.S)
    assert link and "Choose the client." in link.group(1)
    assert "Client" in link.group(1)


def test_a_client_who_cannot_be_reached_is_shown_as_not_sent(as_caseworker, session, caseworker):
    ida = create_client(session, caseworker, first_name="Ida", phone="+46700000004",
                        unreachable_at=NOW - timedelta(days=1))  # fmt: skip
    form = {"group": "one", "client_id": str(ida.id), "choice": "welcome", "batch": "b5",
            "action": "preview"}  # fmt: skip

    page = post(as_caseworker, "/admin/send", form).get_data(as_text=True)

    assert "Not sent: the phone number could not be reached last time." in page


def previewed_token(page: str) -> str:
    """The fingerprint of what the preview showed, which the Send button sends along."""
    return page.split('name="previewed" value="', 1)[1].split('"', 1)[0]


def test_words_changed_after_the_preview_are_not_sent_unseen(as_caseworker, session, sara):
    form = {"group": "one", "client_id": str(sara.id), "choice": "staff_message",
            "text": "Kontoret är stängt i morgon.", "batch": "b6"}  # fmt: skip
    page = post(as_caseworker, "/admin/send", form | {"action": "preview"}).get_data(as_text=True)
    changed = form | {"text": "Kontoret är öppet i morgon.", "previewed": previewed_token(page)}

    response = post(as_caseworker, "/admin/send", changed | {"action": "send"})

    assert response.status_code == 200
    again = response.get_data(as_text=True)
    assert "What would be sent has changed since your preview" in again
    assert "Kontoret är öppet i morgon." in again.split('id="h-who"', 1)[1]
    assert session.exec(select(OutboxMessage)).all() == []

    confirmed = changed | {"previewed": previewed_token(again), "action": "send"}
    assert post(as_caseworker, "/admin/send", confirmed).status_code == 302
    assert [m.kind for m in session.exec(select(OutboxMessage)).all()] == ["staff_message"]


def test_send_without_a_preview_shows_the_preview_first(as_caseworker, session, sara):
    form = {"group": "one", "client_id": str(sara.id), "choice": "welcome", "batch": "b7",
            "action": "send"}  # fmt: skip

    response = post(as_caseworker, "/admin/send", form)

    assert response.status_code == 200
    assert "Who gets what" in response.get_data(as_text=True)
    assert session.exec(select(OutboxMessage)).all() == []
