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
from tests.admin.conftest import csrf_token, post, sign_in
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
    post(as_caseworker, f"/admin/inbox/{inbound.id}/reopen")
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


def test_right_after_marking_handled_the_notice_offers_to_undo_it(
    client, session, caseworker, sara
):
    sign_in(client, caseworker, language="sv")
    inbound = receive_text(session, sara, "Hej")
    marked = post(client, f"/admin/inbox/{inbound.id}/handled", follow_redirects=True)
    page = marked.get_data(as_text=True)
    assert marked.request.path == "/admin/"  # back on Today, where it was marked
    notice = page[page.index('class="notices undo"') :]
    notice = notice[: notice.index("</div>")]
    assert "Markerat som hanterat." in notice
    assert f'action="/admin/inbox/{inbound.id}/reopen"' in notice
    assert 'name="csrf_token"' in notice and ">Ångra</button>" in notice
    # the offer is made once: the next page does not repeat it
    assert 'class="notices undo"' not in client.get("/admin/").get_data(as_text=True)


def test_undoing_handled_puts_the_text_back_and_is_audited(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej")
    post(as_caseworker, f"/admin/inbox/{inbound.id}/handled")
    undone = post(as_caseworker, f"/admin/inbox/{inbound.id}/reopen", follow_redirects=True)
    assert undone.request.path == "/admin/" and "Waiting again." in undone.get_data(as_text=True)
    session.expire_all()
    back = session.get(InboundMessage, inbound.id)
    assert (back.handled_at, back.handled_by_id) == (None, None)
    assert "Hej" in as_caseworker.get("/admin/").get_data(as_text=True).split("<main")[1]
    events = session.exec(
        select(AuditEvent.action).where(AuditEvent.subject_id == inbound.id,
                                        AuditEvent.action.like("inbound_%"))  # type: ignore[attr-defined]
        .order_by(AuditEvent.id)
    ).all()  # fmt: skip
    assert events == ["inbound_handled", "inbound_reopened"]


def test_the_handled_text_itself_offers_the_undo(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej")
    post(as_caseworker, f"/admin/inbox/{inbound.id}/handled")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert f'action="/admin/inbox/{inbound.id}/reopen"' in page


def test_only_those_who_may_mark_a_text_may_undo_it(client, session, caseworker, colleague, sara):
    inbound = receive_text(session, sara, "Hej")
    sign_in(client, caseworker)
    post(client, f"/admin/inbox/{inbound.id}/handled")
    # without the form secret nothing changes
    assert client.post(f"/admin/inbox/{inbound.id}/reopen").status_code == 400
    client.post("/admin/logout", data={"csrf_token": csrf_token(client)})
    sign_in(client, colleague)  # not Sara's case worker: the text does not exist for him
    assert post(client, f"/admin/inbox/{inbound.id}/reopen").status_code == 404
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is not None


def test_a_callback_marked_called_can_be_undone(as_caseworker, session, sara):
    callback = CallbackRequest(client_id=sara.id, language="sv")
    session.add(callback)
    session.commit()
    marked = post(as_caseworker, f"/admin/callbacks/{callback.id}/handled", follow_redirects=True)
    assert f'action="/admin/callbacks/{callback.id}/reopen"' in marked.get_data(as_text=True)
    post(as_caseworker, f"/admin/callbacks/{callback.id}/reopen")
    session.expire_all()
    assert session.get(CallbackRequest, callback.id).handled_at is None
    reopened = session.exec(select(AuditEvent).where(AuditEvent.action == "callback_reopened"))
    assert reopened.one().subject_id == callback.id


def test_after_sending_an_answer_the_notice_offers_to_keep_the_text_waiting(
    as_caseworker, session, sara
):
    """Undoing "handled" never takes an answer back: after sending, the button says what it
    does."""
    inbound = receive_text(session, sara, "Kan vi ses på fredag?")
    sent = post(as_caseworker, f"/admin/inbox/{inbound.id}",
                {"text": "Ja, fredag går bra.", "action": "send", "mark_handled": "1"},
                follow_redirects=True)  # fmt: skip
    page = sent.get_data(as_text=True)
    notice = page[page.index('class="notices undo"') :]
    assert "Your answer is on its way to Sara. The text is marked as handled." in notice
    assert ">Keep the text waiting</button>" in notice and ">Undo</button>" not in notice
    post(as_caseworker, f"/admin/inbox/{inbound.id}/reopen")
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is None
    assert session.exec(select(OutboxMessage)).one().kind == "staff_message"  # still sent
