"""Inbox: answering clients (preview, then send), marking handled, callbacks marked called;
only for the clients a person handles."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import (
    AuditEvent,
    CallbackRequest,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    StaffMessage,
)
from app.outbox.sweep import send_due
from tests.admin.conftest import post
from tests.factories import create_client, receive_text

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


def test_answering_a_text_previews_then_sends_and_marks_handled(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Kan vi ses på fredag?")
    url = f"/admin/inbox/{inbound.id}"
    preview = post(as_caseworker, url, {"text": "Ja, fredag klockan 10 går bra.",
                                        "action": "preview", "mark_handled": "1"})  # fmt: skip
    page = preview.get_data(as_text=True)
    assert "Ja, fredag klockan 10 går bra." in page and "Hälsningar Lina Berg." in page
    assert session.exec(select(StaffMessage)).first() is None  # nothing saved by a preview
    sent = post(as_caseworker, url, {"text": "Ja, fredag klockan 10 går bra.",
                                     "action": "send", "mark_handled": "1"})  # fmt: skip
    assert sent.status_code == 302
    message = session.exec(select(OutboxMessage)).one()
    assert (message.kind, message.client_id) == ("staff_message", sara.id)
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "staff_message_sent")).one()
    send_due(NOW)
    session.expire_all()
    sent_message = session.get(OutboxMessage, message.id)
    assert sent_message.status == OutboxStatus.SENT
    assert "Ja, fredag klockan 10 går bra." in sent_message.body


def test_answering_a_client_who_reads_another_language_warns_that_it_is_not_translated(
    as_caseworker, session, amal
):
    inbound = receive_text(session, amal, "متى موعدي؟")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert "reads Arabic" in page and "not translated" in page


def test_an_empty_answer_is_refused(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej")
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}", {"text": "  ", "action": "send"})
    assert response.status_code == 200 and "Fill this in." in response.get_data(as_text=True)
    assert session.exec(select(OutboxMessage)).first() is None


def test_marking_handled_and_undoing_it(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej")
    post(as_caseworker, f"/admin/inbox/{inbound.id}/handled")
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is not None
    assert "Hej" not in as_caseworker.get("/admin/inbox").get_data(as_text=True).split("<main")[1]
    post(as_caseworker, f"/admin/inbox/{inbound.id}/handled", {"undo": "1"})
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is None


def test_someone_elses_text_cannot_be_opened_or_handled(as_caseworker, session, colleague):
    other = create_client(session, colleague, first_name="Nils", phone="+46700000002")
    inbound = receive_text(session, other, "Hej")
    assert as_caseworker.get(f"/admin/inbox/{inbound.id}").status_code == 404
    assert post(as_caseworker, f"/admin/inbox/{inbound.id}/handled").status_code == 404


def test_a_callback_is_marked_called(as_caseworker, session, sara):
    callback = CallbackRequest(client_id=sara.id, language="sv")
    session.add(callback)
    session.commit()
    post(as_caseworker, f"/admin/callbacks/{callback.id}/handled")
    session.expire_all()
    assert session.get(CallbackRequest, callback.id).handled_by_id is not None
