"""Today: what needs a case worker's attention now."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Appointment, CallbackRequest, InboundMessage, OutboxMessage
from tests.factories import book_appointment, create_client, receive_text

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


def test_today_lists_what_needs_attention(as_caseworker, session, sara, colleague):
    receive_text(session, sara, "Kan vi ses på fredag?")
    receive_text(session, sara, "Här är hyresavin", media="https://api.twilio.example/m/1")
    session.add(CallbackRequest(client_id=sara.id, language="ar", interpreter_needed=True))
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    meeting.response = "declined"
    session.add(
        OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="f1", due_at=NOW,
                      status="failed", final_at=NOW, last_error="30003 unreachable")
    )  # fmt: skip
    other = create_client(session, colleague, first_name="Nils", phone="+46700000002")
    receive_text(session, other, "Hej från Nils")
    session.commit()
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert "Kan vi ses på fredag?" in page
    assert "Picture 1" in page  # the document photo, under documents received
    assert "Needs an interpreter" in page and "Arabic" in page
    assert "cannot come" in page
    assert "30003 unreachable" in page
    assert "Hej från Nils" not in page  # another case worker's client


def section(page: str, heading_id: str) -> str:
    """The HTML of one panel of Today, found by its heading's id."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.find("</section>", start)]


def test_a_nej_shows_once_as_the_declined_meeting_with_its_text(as_caseworker, session, sara):
    """A client who texts NEJ declines the meeting and leaves staff a task: Today shows it
    once, as the declined meeting, with the text and the ways to answer it (not also among
    the texts to answer)."""
    from tests.sms.test_conversation import text

    book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(as_caseworker, "NEJ")
    inbound = session.exec(select(InboundMessage).where(InboundMessage.intent == "no")).one()
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    main = page.split("<main", 1)[1]
    assert main.count(">NEJ<") == 1
    messages, declined = section(page, "h-messages"), section(page, "h-declined")
    assert "NEJ" not in messages and '<span class="count">0</span>' in messages
    assert ">NEJ<" in declined and '<span class="count">1</span>' in declined
    assert f"/admin/inbox/{inbound.id}" in declined  # answer the text from the meeting
    assert f"/admin/inbox/{inbound.id}/handled" in declined


def test_a_nej_whose_meeting_was_moved_waits_among_the_texts(as_caseworker, session, sara):
    """Once the meeting has a new time it is no longer declined: the client's NEJ, still
    unhandled, is one of the texts to answer (shown once, never lost)."""
    from app.casework import appointments
    from tests.sms.test_conversation import text

    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    text(as_caseworker, "NEJ")
    session.expire_all()
    moved = session.get(Appointment, meeting.id)
    appointments.change(session, moved, starts_at=NOW + timedelta(days=6), now=NOW)
    session.commit()
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert page.split("<main", 1)[1].count(">NEJ<") == 1
    assert ">NEJ<" in section(page, "h-messages")
    assert '<span class="count">0</span>' in section(page, "h-declined")
