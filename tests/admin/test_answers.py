"""Ready answers: a case worker answers a client in the client's own language, filled in
from the client's records, previewed with the Swedish beside it, sent like every message."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import appointments, checklists, ready_answers, staff_messages
from app.models import (
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    Representative,
    StaffMessage,
)
from app.outbox.kinds import KINDS, STAFF_ANSWERS
from app.outbox.sweep import send_due
from app.words.compose import compose
from app.words.plain_language import LIX_LIMIT, lix
from app.words.samples import sample_facts
from tests.admin.conftest import post
from tests.factories import book_appointment, create_client, receive_text

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
MEETING = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # Tuesday 10 March, 14.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_form_offers_the_ready_answers_and_the_clients_own_records(
    as_caseworker, session, amal
):
    meeting = book_appointment(session, amal, starts_at=MEETING, now=NOW)
    checklists.create(session, amal, application_type="ekonomiskt_bistand",
                      due_date=date(2026, 3, 20), documents=["kontoutdrag", "fullmakt"],
                      now=NOW)  # fmt: skip
    session.commit()
    inbound = receive_text(session, amal, "متى موعدي؟")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    for key in STAFF_ANSWERS:
        assert f'value="{key}"' in page
    assert "Yes, that works." in page and "My own words" in page
    assert f'<option value="{meeting.id}" selected>' in page  # the next meeting, chosen
    # The documents still missing come first, the first of them chosen.
    missing = page.index('label="Still missing"')
    assert missing < page.index('value="kontoutdrag" selected') < page.index('value="fullmakt"')
    assert page.index('value="fullmakt"') < page.index('label="Other documents"')
    # A reader of Arabic is offered the ready answers first: own words are not preselected.
    assert 'value="own" checked' not in page
    assert "Choose a ready answer if one fits: it is sent in Arabic" in page
    assert "not translated" in page


def test_a_reader_of_swedish_starts_with_own_words(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Kan vi ses på fredag?")
    page = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    assert 'value="own" checked' in page
    assert "reads Swedish" not in page


def test_a_ready_answer_is_previewed_in_the_clients_language_with_the_swedish_beside_it(
    app, as_caseworker, session, amal
):
    book_appointment(session, amal, starts_at=MEETING, now=NOW)
    inbound = receive_text(session, amal, "هل يمكنني أن آتي يوم الجمعة؟")
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}",
                    {"answer": "yes", "action": "preview"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert session.exec(select(StaffMessage)).first() is None  # a preview saves nothing
    # The reader's version (lang="ar" unless it falls back), then the Swedish.
    reader = staff_messages.preview(session, amal, author=as_caseworker_staff(session),
                                    now=NOW, answer=ready_answers.Answer("yes"))  # fmt: skip
    assert reader.text in page.replace("&#39;", "'")
    swedish = page.index('lang="sv"')
    assert "Ja, det går bra." in page[swedish:]
    assert "Hej Amal! Det här är Ekby kommun." in page[swedish:]
    assert "Arabic – the client's language" in page
    assert "of at most" in page and "UCS-2" in page and "GSM-7" in page
    if reader.fallback:
        assert "not translated into Arabic yet" in page


def as_caseworker_staff(session):
    from app.models import StaffUser

    return session.exec(select(StaffUser).where(StaffUser.email == "lina.berg@ekby.example")).one()


def test_sending_a_ready_answer_about_a_meeting(as_caseworker, session, sara):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    inbound = receive_text(session, sara, "Kan vi flytta mötet?")
    before = len(outbox(session))
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}",
                    {"answer": "meeting_moved", "appointment": str(meeting.id),
                     "action": "send", "mark_handled": "1"})  # fmt: skip
    assert response.status_code == 302
    planned = outbox(session)[before:]
    assert [(m.kind, m.client_id, m.subject_type) for m in planned] == [
        ("answer_meeting_moved", sara.id, "staff_message")
    ]
    stored = session.get(StaffMessage, planned[0].subject_id)
    assert stored.text is None
    assert ready_answers.of(stored) == ready_answers.Answer(
        "meeting_moved", appointment_id=meeting.id
    )
    assert stored.in_reply_to_id == inbound.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff_message_sent")).one()
    assert event.detail == "answer_meeting_moved"
    assert session.get(InboundMessage, inbound.id).handled_at is not None
    send_due(NOW)
    sent = outbox(session)[before]
    assert sent.status == OutboxStatus.SENT
    assert "Vi har flyttat ditt möte." in sent.body
    assert "tisdag 10 mars klockan 14.00" in sent.body
    assert "Hälsningar Lina Berg." in sent.body


def test_an_answer_tells_the_meeting_as_it_is_when_sent_and_not_at_all_once_cancelled(
    session, caseworker, sara
):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    answer = ready_answers.Answer("interpreter", appointment_id=meeting.id)
    first = staff_messages.send(session, sara, author=caseworker, answer=answer, now=NOW)
    appointments.change(session, meeting, starts_at=MEETING + timedelta(days=1), now=NOW)
    session.commit()
    send_due(NOW)
    told = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.subject_id == first.id, OutboxMessage.kind == "answer_interpreter"
        )  # fmt: skip
    ).one()
    assert "Vi bokar en tolk till ditt möte." in told.body
    assert "onsdag 11 mars" in told.body  # the time it has now
    second = staff_messages.send(session, sara, author=caseworker, answer=answer, now=NOW)
    appointments.cancel(session, meeting, now=NOW)
    session.commit()
    send_due(NOW)
    untold = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.subject_id == second.id, OutboxMessage.kind == "answer_interpreter"
        )  # fmt: skip
    ).one()
    assert untold.status == OutboxStatus.CANCELLED


# The fields' labels, as the error summary names them.
LABELS = {"appointment": "Meeting", "document": "Document", "day": "Day",
          "answer": "How do you answer"}  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        ({"answer": "meeting_moved"}, "appointment", "Choose the meeting the answer is about."),
        ({"answer": "interpreter", "appointment": "999"}, "appointment",
         "Choose one of the client&#39;s planned meetings."),
        ({"answer": "bring", "document": "passport_of_the_moon"}, "document",
         "Choose the document the client should bring."),
        ({"answer": "we_call", "day": "2026-03-03"}, "day",
         "Choose a day from today up to 60 days ahead."),
        ({"answer": "text_received", "day": "2026-06-30"}, "day",
         "Choose a day from today up to 60 days ahead."),
        ({"answer": "make_it_so"}, "answer", "Choose one of the options."),
    ],
)  # fmt: skip
def test_a_ready_answer_names_only_the_clients_own_records(
    as_caseworker, session, sara, values, field, error
):
    inbound = receive_text(session, sara, "Hej")
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}", values | {"action": "send"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="#field-{field}">{LABELS[field]}: {error}</a>' in page
    assert session.exec(select(StaffMessage)).first() is None


def test_another_clients_meeting_cannot_be_named(as_caseworker, session, sara, caseworker):
    other = create_client(session, caseworker, first_name="Nils", phone="+46700000002")
    theirs = book_appointment(session, other, starts_at=MEETING, now=NOW)
    inbound = receive_text(session, sara, "Hej")
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}",
                    {"answer": "meeting_moved", "appointment": str(theirs.id),
                     "action": "send"})  # fmt: skip
    assert "Choose one of the client&#39;s planned meetings." in response.get_data(as_text=True)
    assert session.exec(select(StaffMessage)).first() is None


def test_bring_a_document_with_and_without_a_meeting(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Vad ska jag ta med?")
    post(as_caseworker, f"/admin/inbox/{inbound.id}",
         {"answer": "bring", "document": "hyresavi", "action": "send"})  # fmt: skip
    send_due(NOW)
    body = outbox(session)[-1].body
    assert "Ta med hyresavi när vi ses." in body
    assert "Du kan också skicka en bild av det i ett sms." in body


def test_answers_that_name_a_day_say_it_with_its_weekday(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej, jag undrar en sak")
    post(as_caseworker, f"/admin/inbox/{inbound.id}",
         {"answer": "we_call", "day": "2026-03-06", "action": "send"})  # fmt: skip
    send_due(NOW)
    assert "Vi ringer dig fredag 6 mars." in outbox(session)[-1].body


def test_call_me_gives_the_case_workers_own_number_and_the_units_hours(
    as_caseworker, session, sara
):
    inbound = receive_text(session, sara, "Jag förstår inte brevet")
    post(as_caseworker, f"/admin/inbox/{inbound.id}", {"answer": "call_me", "action": "send"})
    send_due(NOW)
    body = outbox(session)[-1].body
    assert "Jag vill prata med dig om det här." in body
    assert "Ring Lina Berg på 070-174 06 05." in body


def test_a_ready_answer_to_a_representative_goes_to_them_in_their_language(
    as_caseworker, session, amal
):
    anna = Representative(client_id=amal.id, name="Anna Holm", phone="+46700000009",
                          language="sv")  # fmt: skip
    session.add(anna)
    session.commit()
    inbound = receive_text(session, amal, "Har ni fått papperen?", from_phone=anna.phone,
                        representative_id=anna.id)  # fmt: skip
    before = len(outbox(session))
    post(as_caseworker, f"/admin/inbox/{inbound.id}",
         {"answer": "papers_received", "action": "send"})  # fmt: skip
    planned = outbox(session)[before:]
    assert [(m.kind, m.representative_id) for m in planned] == [("answer_papers_received", anna.id)]
    send_due(NOW)
    body = outbox(session)[before].body
    assert body.startswith("Hej Anna Holm! Det här är Ekby kommun.")
    assert "Det här gäller Amal." in body and "Vi har fått dina papper. Tack!" in body


def test_typed_words_can_never_pass_for_a_ready_answer(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej")
    forged = json.dumps({"answer": "yes"})
    post(as_caseworker, f"/admin/inbox/{inbound.id}",
         {"answer": "own", "text": forged, "action": "send"})  # fmt: skip
    message = outbox(session)[-1]
    assert message.kind == "staff_message"
    stored = session.get(StaffMessage, message.subject_id)
    assert ready_answers.of(stored) is None
    assert json.loads(stored.text) == {"answer": "yes"}  # sent as typed


def test_the_outbox_names_a_ready_answer(as_caseworker, session, sara):
    inbound = receive_text(session, sara, "Hej")
    post(as_caseworker, f"/admin/inbox/{inbound.id}",
         {"answer": "nothing_to_do", "action": "send"})  # fmt: skip
    page = as_caseworker.get("/admin/outbox").get_data(as_text=True)
    assert "Ready answer: You do not need to do anything now." in page


def test_own_words_are_checked_for_plain_language_on_preview_without_javascript(
    as_caseworker, session, amal
):
    inbound = receive_text(session, amal, "ماذا حدث لطلبي؟")
    text = (
        "Din ansökan har fått avslag eftersom handläggningen visar att inkomsten överstiger normen."
    )
    response = post(as_caseworker, f"/admin/inbox/{inbound.id}",
                    {"answer": "own", "text": text, "action": "preview"})  # fmt: skip
    page = response.get_data(as_text=True)
    region = page[page.index('id="plain-language"') :]
    region = region[: region.index("</div>")]
    assert f"harder than our limit of {LIX_LIMIT}" in region
    assert "avslag" in region and "handläggning" in region
    assert "Det betyder att du inte får det du bad om." in region
    assert 'aria-live="polite"' in page[page.index('id="plain-language"') - 80 :][:200]
    # Sent as typed to an Arabic reader: the preview shows the Swedish words, and says so.
    assert "Sent as you write it, not translated." in page


def test_every_ready_answer_is_plain_swedish_within_budget(app):
    for key in STAFF_ANSWERS:
        kind = f"answer_{key}"
        assert kind in KINDS
        for copy in (False, True):
            facts = sample_facts(kind, "sv", date(2026, 11, 23), copy=copy)
            sms = compose(kind, facts, "sv", "sms")
            assert not sms.fallback
            assert sms.encoding == "GSM-7" and sms.segments <= 3, sms.text
            assert lix(sms.text) <= LIX_LIMIT, sms.text
            assert "Ekby kommun" in sms.text and "Hälsningar Lina Berg." in sms.text


@pytest.mark.parametrize("language", ["en", "ar", "so", "fa", "prs", "ti", "fi", "uk"])
def test_every_ready_answer_is_translated(app, language):
    """Fails until the lead has the new strings translated (they are new client text)."""
    for key in STAFF_ANSWERS:
        facts = sample_facts(f"answer_{key}", language, date(2026, 11, 23))
        message = compose(f"answer_{key}", facts, language, "sms")
        assert not message.fallback, f"answer_{key} is not translated into {language}"


def test_the_live_check_answers_signed_in_staff_with_the_forms_token(client, caseworker):
    from tests.admin.conftest import csrf_token, sign_in

    text = "Du har fått avslag. Ring mig."
    assert client.post("/admin/plain-language", data={"text": text}).status_code in (302, 401)
    sign_in(client, caseworker)
    assert client.post("/admin/plain-language", data={"text": text}).status_code == 400
    response = client.post(
        "/admin/plain-language", data={"text": text}, headers={"X-CSRF-Token": csrf_token(client)}
    )
    assert response.status_code == 200 and response.is_json
    result = response.get_json()
    assert result["lix"] == lix(text) and result["too_hard"] is False
    assert [entry["word"] for entry in result["jargon"]] == ["avslag"]
    assert "avslag" in result["html"] and "easy to read" in result["html"]
    explained = "Du har fått avslag. Det betyder att du inte får det du bad om."
    response = post(client, "/admin/plain-language", {"text": explained})
    assert response.get_json()["jargon"] == []  # explained right after it: fine
