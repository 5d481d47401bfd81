"""Today: what needs a case worker's attention now."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import CallbackRequest, OutboxMessage
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
