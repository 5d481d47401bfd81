"""How the client wants to be reached: the client form records an interpreter language and
a communication aid, and every screen about the client shows them (the partial
templates/admin/_contact_needs.html)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import checklists, decisions, handovers
from app.models import Client, OutboxMessage
from tests.admin.conftest import post, sign_in
from tests.factories import book_appointment, create_client, receive_text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
MEETING = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # wednesday of the same week
pytestmark = pytest.mark.frozen_at(NOW)

DETAILS = {
    "first_name": "Yonas",
    "last_name": "Tesfay",
    "phone": "070-000 00 07",
    "language": "sv",
    "channel": "sms",
    "privacy": "full",
    "consent_method": "verbal",
}
NEEDS = ("Interpreter: Tigrinya", "Communication aid: bildstöd")


@pytest.fixture
def yonas(session, caseworker):
    """A client who reads his messages in Swedish and needs a Tigrinya interpreter."""
    return create_client(
        session, caseworker, first_name="Yonas", last_name="Tesfay", phone="+46700000007",
        interpreter_language="ti", communication_aid="bildstöd",
    )  # fmt: skip


def shows_needs(html: str) -> bool:
    return 'class="contact-needs"' in html and all(text in html for text in NEEDS)


def test_the_client_form_records_an_interpreter_and_a_communication_aid(as_caseworker, session):
    page = as_caseworker.get("/admin/clients/new").get_data(as_text=True)
    assert '<option value="ti">Tigrinya</option>' in page
    assert '<option value="swl">Swedish Sign Language</option>' in page
    assert 'name="communication_aid"' in page
    response = post(
        as_caseworker, "/admin/clients/new",
        DETAILS | {"interpreter_language": "ti", "communication_aid": " bildstöd "},
    )  # fmt: skip
    assert response.status_code == 302
    client = session.exec(select(Client)).one()
    assert (client.interpreter_language, client.communication_aid) == ("ti", "bildstöd")


def test_an_edit_keeps_or_clears_the_needs(as_caseworker, session, yonas, caseworker):
    page = as_caseworker.get(f"/admin/clients/{yonas.id}/edit").get_data(as_text=True)
    assert '<option value="ti" selected>' in page and 'value="bildstöd"' in page
    form = DETAILS | {"caseworker_id": str(caseworker.id), "interpreter_language": "",
                      "communication_aid": ""}  # fmt: skip
    assert post(as_caseworker, f"/admin/clients/{yonas.id}/edit", form).status_code == 302
    session.expire_all()
    saved = session.get_one(Client, yonas.id)
    assert (saved.interpreter_language, saved.communication_aid) == ("", "")


def test_a_language_not_on_the_list_or_a_long_aid_is_shown_as_an_error(as_caseworker, session):
    form = DETAILS | {"interpreter_language": "klingon", "communication_aid": "x" * 81}
    response = post(as_caseworker, "/admin/clients/new", form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="#field-interpreter_language"' in html
    assert 'href="#field-communication_aid"' in html
    assert session.exec(select(Client)).first() is None


def test_the_client_page_shows_the_needs_first_and_in_the_details(as_caseworker, yonas):
    html = as_caseworker.get(f"/admin/clients/{yonas.id}").get_data(as_text=True)
    assert shows_needs(html)
    assert html.index('class="contact-needs"') < html.index('id="h-details"')


def test_a_client_without_needs_shows_no_box(as_caseworker, sara):
    html = as_caseworker.get(f"/admin/clients/{sara.id}").get_data(as_text=True)
    assert 'class="contact-needs"' not in html
    assert "Not needed" in html  # the details say so


def test_in_swedish_the_language_is_named_in_swedish(client, caseworker, yonas):
    sign_in(client, caseworker, language="sv")
    html = client.get(f"/admin/clients/{yonas.id}").get_data(as_text=True)
    assert "tigrinja" in html.lower()
    assert "Tigrinya" not in html


def test_booking_a_meeting_says_an_interpreter_is_needed(as_caseworker, yonas):
    html = as_caseworker.get(f"/admin/clients/{yonas.id}/appointments/new").get_data(as_text=True)
    assert shows_needs(html)
    assert "This client needs an interpreter: book one in Tigrinya for this meeting." in html


def test_every_screen_about_the_client_shows_the_needs(as_caseworker, session, yonas, colleague):
    meeting = book_appointment(session, yonas, starts_at=MEETING, now=NOW)
    checklist = checklists.create(
        session, yonas, application_type="ekonomiskt_bistand", due_date=date(2026, 3, 20),
        now=NOW,
    )  # fmt: skip
    decision = decisions.announce(
        session, yonas, service="boendestod", expected_on=date(2026, 3, 20), now=NOW
    )
    absence = handovers.hand_over(
        session, yonas, colleague, kind="absence", starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 6), now=NOW,
    )  # fmt: skip
    session.commit()
    inbound = receive_text(session, yonas, "Hej")
    message = session.exec(select(OutboxMessage).where(OutboxMessage.client_id == yonas.id)).first()
    pages = [
        f"/admin/appointments/{meeting.id}/edit",
        f"/admin/appointments/{meeting.id}/cancel",
        f"/admin/clients/{yonas.id}/checklists/new",
        f"/admin/checklists/{checklist.id}",
        f"/admin/clients/{yonas.id}/decisions/new",
        f"/admin/clients/{yonas.id}/applications/new",
        f"/admin/decisions/{decision.id}",
        f"/admin/send?client_id={yonas.id}",
        f"/admin/inbox/{inbound.id}",
        f"/admin/outbox/{message.id}",
        f"/admin/handovers/meetings?handover={absence.id}",
    ]
    missing = []
    for url in pages:
        response = as_caseworker.get(url)
        assert response.status_code == 200, url
        if not shows_needs(response.get_data(as_text=True)):
            missing.append(url)
    assert missing == []


def test_the_send_now_preview_shows_each_clients_needs(as_caseworker, yonas):
    form = {"group": "one", "client_id": str(yonas.id), "choice": "staff_message",
            "text": "Hej! Ring mig.", "action": "preview"}  # fmt: skip
    html = post(as_caseworker, "/admin/send", form).get_data(as_text=True)
    assert shows_needs(html)
