"""Inbox, outbox, Today and Send now: answering clients, retrying and stopping messages,
and sending any kind to one client or a group."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
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
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sara(session, caseworker):
    return create_client(session, caseworker)


@pytest.fixture
def amal(session, caseworker):
    return create_client(
        session, caseworker, first_name="Amal", phone="+46700000003", language="ar"
    )


def text_from(session, client, body, **values):
    inbound = InboundMessage(
        provider_id=f"SM{abs(hash(body))}",
        from_phone=client.phone,
        client_id=client.id,
        body=body,
        needs_answer=True,
        intent="free_text",
        received_at=NOW - timedelta(hours=1),
        **values,
    )
    session.add(inbound)
    session.commit()
    return inbound


def test_today_lists_what_needs_attention(as_caseworker, session, sara, colleague):
    text_from(session, sara, "Kan vi ses på fredag?")
    text_from(session, sara, "Här är hyresavin", media="https://api.twilio.example/m/1")
    session.add(CallbackRequest(client_id=sara.id, language="ar", interpreter_needed=True))
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    meeting.response = "declined"
    session.add(
        OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="f1", due_at=NOW,
                      status="failed", final_at=NOW, last_error="30003 unreachable")
    )  # fmt: skip
    other = create_client(session, colleague, first_name="Nils", phone="+46700000002")
    text_from(session, other, "Hej från Nils")
    session.commit()
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert "Kan vi ses på fredag?" in page
    assert "Picture 1" in page  # the document photo, under documents received
    assert "Needs an interpreter" in page and "Arabic" in page
    assert "cannot come" in page
    assert "30003 unreachable" in page
    assert "Hej från Nils" not in page  # another case worker's client


def test_answering_a_text_previews_then_sends_and_marks_handled(as_caseworker, session, sara):
    inbound = text_from(session, sara, "Kan vi ses på fredag?")
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
    inbound = text_from(session, amal, "متى موعدي؟")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert "reads Arabic" in page and "not translated" in page


def test_an_empty_answer_is_refused(as_caseworker, session, sara):
    inbound = text_from(session, sara, "Hej")
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}", {"text": "  ", "action": "send"})
    assert response.status_code == 200 and "Fill this in." in response.get_data(as_text=True)
    assert session.exec(select(OutboxMessage)).first() is None


def test_marking_handled_and_undoing_it(as_caseworker, session, sara):
    inbound = text_from(session, sara, "Hej")
    post(as_caseworker, f"/admin/inbox/{inbound.id}/handled")
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is not None
    assert "Hej" not in as_caseworker.get("/admin/inbox").get_data(as_text=True).split("<main")[1]
    post(as_caseworker, f"/admin/inbox/{inbound.id}/handled", {"undo": "1"})
    session.expire_all()
    assert session.get(InboundMessage, inbound.id).handled_at is None


def test_someone_elses_text_cannot_be_opened_or_handled(as_caseworker, session, colleague):
    other = create_client(session, colleague, first_name="Nils", phone="+46700000002")
    inbound = text_from(session, other, "Hej")
    assert as_caseworker.get(f"/admin/inbox/{inbound.id}").status_code == 404
    assert post(as_caseworker, f"/admin/inbox/{inbound.id}/handled").status_code == 404


def test_a_callback_is_marked_called(as_caseworker, session, sara):
    callback = CallbackRequest(client_id=sara.id, language="sv")
    session.add(callback)
    session.commit()
    post(as_caseworker, f"/admin/callbacks/{callback.id}/handled")
    session.expire_all()
    assert session.get(CallbackRequest, callback.id).handled_by_id is not None


def test_the_outbox_filters_by_state(as_caseworker, session, sara):
    book_appointment(session, sara, starts_at=NOW + timedelta(days=5), now=NOW)
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=NOW,
                              status="failed", final_at=NOW))  # fmt: skip
    session.commit()
    pending = as_caseworker.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert "Meeting reminder" in pending and "Welcome" not in pending.split("<table")[1]
    failed = as_caseworker.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Welcome" in failed.split("<table")[1]


def test_a_failed_message_is_sent_again_and_a_planned_one_stopped(as_caseworker, session, sara):
    failed = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=NOW,
                           status="failed", final_at=NOW, provider_id="S", attempts=5)  # fmt: skip
    planned = OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w2",
                            due_at=NOW + timedelta(days=1))  # fmt: skip
    session.add_all([failed, planned])
    session.commit()
    post(as_caseworker, f"/admin/outbox/{failed.id}/retry")
    post(as_caseworker, f"/admin/outbox/{planned.id}/cancel")
    session.expire_all()
    again = session.get(OutboxMessage, failed.id)
    assert (again.status, again.attempts, again.provider_id) == ("pending", 0, None)
    assert session.get(OutboxMessage, planned.id).status == "cancelled"
    # a delivered message cannot be "sent again"
    post(as_caseworker, f"/admin/outbox/{planned.id}/retry")
    assert session.get(OutboxMessage, planned.id).status == "cancelled"


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
    post(as_caseworker, "/admin/send", form | {"action": "send"})
    post(as_caseworker, "/admin/send", form | {"action": "send"})  # sent twice: once
    now_rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like("now:%"))
    ).all()
    assert sorted(r.client_id for r in now_rows) == sorted([sara.id, amal.id])
    assert all(r.kind == "appointment_reminder" and r.due_at == NOW for r in now_rows)


def test_send_now_own_words_to_one_client(as_caseworker, session, sara):
    form = {"group": "one", "client_id": str(sara.id), "choice": "staff_message",
            "text": "Kontoret är stängt i morgon.", "action": "send"}  # fmt: skip
    assert post(as_caseworker, "/admin/send", form).status_code == 302
    assert session.exec(select(StaffMessage)).one().text == "Kontoret är stängt i morgon."


def test_send_now_refuses_a_client_the_person_does_not_handle(as_caseworker, session, colleague):
    other = create_client(session, colleague, first_name="Nils", phone="+46700000002")
    form = {"group": "one", "client_id": str(other.id), "choice": "welcome", "action": "send"}
    response = post(as_caseworker, "/admin/send", form)
    assert response.status_code == 200
    assert session.exec(select(OutboxMessage)).first() is None
