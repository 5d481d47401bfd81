"""Reminder calls: planned for clients who chose phone, spoken from the same templates,
answered with the keypad, and followed up when nobody answers."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app import create_app
from app.models import Appointment, AuditEvent, OutboxMessage, OutboxStatus, Representative
from app.outbox.sweep import send_due
from app.words.languages import get_language
from tests.factories import book_appointment, create_client
from tests.signing import BASE, post_signed
from tests.twilio_fake import FakeTwilioHttp

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
# Booked at short notice: every reminder time has passed, so one reminder goes out at once.
MEETING = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # tuesday 3 march 08.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def outbox(session, **where) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for field, value in where.items():
        query = query.where(getattr(OutboxMessage, field) == value)
    return list(session.exec(query))


def twiml_of(response) -> ET.Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def said(root: ET.Element) -> str:
    return " ".join(el.text or "" for el in root.iter("Say"))


@pytest.fixture
def caller(session):
    """A Swedish client who chose phone calls, with a meeting tomorrow."""
    client = create_client(session, channel="voice")
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    return client


def call_row(session) -> OutboxMessage:
    (row,) = outbox(session, kind="appointment_reminder", channel="voice")
    return row


def test_clients_who_chose_voice_get_calls_not_texts(session, caller):
    assert [m.channel for m in outbox(session, kind="appointment_reminder")] == ["voice"]


def test_clients_who_chose_both_get_a_text_and_a_call(session):
    client = create_client(session, channel="both")
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert sorted(m.channel for m in outbox(session, kind="appointment_reminder")) == [
        "sms",
        "voice",
    ]


def test_a_language_twilio_cannot_speak_gets_texts_instead(session):
    client = create_client(session, channel="voice", language="so")
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    assert [m.channel for m in outbox(session, kind="appointment_reminder")] == ["sms"]


def test_a_representative_gets_one_sms_copy_not_a_call(session):
    client = create_client(session, channel="both")
    session.add(
        Representative(
            client_id=client.id, name="Anders Holm", phone="+46701740607", copy_appointments=True
        )
    )
    session.commit()
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    copies = [m for m in outbox(session, kind="appointment_reminder") if m.representative_id]
    assert [m.channel for m in copies] == ["sms"]


def test_the_console_records_the_call_with_its_script(session, caller, outbox_file):
    send_due(NOW)
    (line,) = [json.loads(x) for x in outbox_file.read_text().splitlines() if '"voice"' in x]
    assert line["channel"] == "voice"
    assert "Tryck 1 om du kommer." in line["body"]


def test_twilio_is_asked_to_call_with_a_url_back_to_the_app(config, session, caller):
    http = FakeTwilioHttp()
    app = create_app(
        config
        | {
            "SMS_TRANSPORT": "twilio",
            "SECRET_KEY": "s" * 40,
            "TWILIO_FROM_NUMBER": "+46846500400",
            "TWILIO_HTTP_CLIENT": http,
        }
    )
    try:
        with app.app_context():
            send_due(NOW)
    finally:
        app.extensions["tydligt.engine"].dispose()
    call = next(r for r in http.requests if r["uri"].endswith("/Calls.json"))
    row = call_row(session)
    assert call["data"]["Url"] == f"{BASE}/twilio/voice/reminder/{row.id}"
    assert call["data"]["StatusCallback"] == f"{BASE}/twilio/voice/status"
    assert call["data"]["To"] == "+46700000001"
    assert row.provider_id.startswith("CA")


def test_the_call_reads_the_reminder_and_waits_for_a_key(client, session, caller):
    row = call_row(session)
    root = twiml_of(post_signed(client, f"/twilio/voice/reminder/{row.id}", {"CallSid": "CA1"}))
    gather = root.find("Gather")
    assert gather.get("action") == f"{BASE}/twilio/voice/reminder/{row.id}/answer"
    assert gather.get("numDigits") == "1"
    says = gather.findall("Say")
    assert {s.get("voice") for s in says} == {get_language("sv").say_voice}
    assert {s.get("language") for s in says} == {"sv-SE"}
    text = said(gather)
    assert "Du ska träffa Lina Berg tisdag 3 mars klockan 8.00." in text
    assert "Tryck 0 för att höra det igen." in text
    assert len(gather.findall("Pause")) == len(says)
    assert root.find("Redirect").text.endswith("?silence=1")


def test_an_english_client_hears_english_with_the_english_voice(client, session):
    adam = create_client(
        session, channel="voice", language="en", phone="+46700000002", first_name="Adam"
    )
    book_appointment(session, adam, starts_at=MEETING, now=NOW)
    row = call_row(session)
    root = twiml_of(post_signed(client, f"/twilio/voice/reminder/{row.id}", {"CallSid": "CA1"}))
    assert {s.get("voice") for s in root.iter("Say")} == {get_language("en").say_voice}
    assert "Press 1 if you are coming." in said(root)


def test_silence_twice_ends_the_call_politely(client, session, caller):
    row = call_row(session)
    root = twiml_of(
        post_signed(client, f"/twilio/voice/reminder/{row.id}?silence=1", {"CallSid": "CA1"})
    )
    assert root.find("Redirect") is None
    assert root[-1].tag == "Hangup"
    assert "Tack för att du lyssnade. Hej då!" in said(root)


@pytest.mark.parametrize(
    ("digit", "response", "spoken"),
    [
        ("1", "confirmed", "Tack! Vi har skrivit upp att du kommer."),
        ("2", "declined", "Vi hör av oss om en ny tid."),
    ],
)
def test_pressing_1_confirms_and_2_declines(client, session, caller, digit, response, spoken):
    row = call_row(session)
    root = twiml_of(
        post_signed(
            client, f"/twilio/voice/reminder/{row.id}/answer", {"CallSid": "CA1", "Digits": digit}
        )
    )
    assert spoken in said(root)
    assert root[-1].tag == "Hangup"
    session.expire_all()
    assert session.get(Appointment, row.subject_id).response == response
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == f"appointment_{response}")
    ).one()


@pytest.mark.parametrize("digit", ["0", "9", "*", ""])
def test_any_other_key_plays_it_again(client, session, caller, digit):
    row = call_row(session)
    root = twiml_of(
        post_signed(
            client, f"/twilio/voice/reminder/{row.id}/answer", {"CallSid": "CA1", "Digits": digit}
        )
    )
    assert root.find("Redirect").text == f"{BASE}/twilio/voice/reminder/{row.id}"
    session.expire_all()
    assert session.get(Appointment, row.subject_id).response is None


def test_a_meeting_cancelled_before_the_call_is_told_as_cancelled(client, session, caller):
    from app.casework import appointments

    row = call_row(session)
    appointments.cancel(session, session.get(Appointment, row.subject_id), now=NOW, notify=False)
    session.commit()
    root = twiml_of(post_signed(client, f"/twilio/voice/reminder/{row.id}", {"CallSid": "CA1"}))
    assert root.find("Gather") is None
    assert "är inställt" in said(root)


def test_call_pages_need_a_signature_and_a_real_call(client, session, caller):
    row = call_row(session)
    assert (
        client.post(f"/twilio/voice/reminder/{row.id}", data={"CallSid": "CA1"}).status_code == 403
    )
    assert (
        post_signed(client, "/twilio/voice/reminder/99999", {"CallSid": "CA1"}).status_code == 404
    )


def status(client, sid, value):
    return post_signed(client, "/twilio/voice/status", {"CallSid": sid, "CallStatus": value})


def test_an_answered_call_is_delivered(client, session, caller):
    send_due(NOW)
    row = call_row(session)
    for value in ("initiated", "ringing", "in-progress", "completed", "no-answer"):
        assert status(client, row.provider_id, value).status_code == 200
    assert call_row(session).status == OutboxStatus.DELIVERED


def test_an_unanswered_call_is_tried_again_and_then_flagged(client, session, caller):
    send_due(NOW)
    for _ in range(20):  # send each try, report it unanswered, until no more tries come
        pending = [m for m in outbox(session, channel="voice") if m.status == OutboxStatus.PENDING]
        sent = [m for m in outbox(session, channel="voice") if m.status == OutboxStatus.SENT]
        if pending:
            send_due(pending[0].due_at)
            continue
        if not sent:
            break
        status(client, sent[0].provider_id, "no-answer")
    calls = outbox(session, channel="voice")
    assert len(calls) == 4  # the call and three more tries
    assert calls[-1].status == OutboxStatus.FAILED
    flag = session.exec(
        select(AuditEvent).where(AuditEvent.action == "reminder_call_unanswered")
    ).one()
    assert "no answer" in flag.detail


def test_a_call_status_without_its_fields_gets_400(client):
    assert post_signed(client, "/twilio/voice/status", {"CallSid": "CA1"}).status_code == 400


def test_an_undeliverable_sms_reminder_becomes_a_call_for_a_client_who_allows_calls(
    client, session
):
    sara = create_client(session, channel="both")
    book_appointment(session, sara, starts_at=MEETING, now=NOW)
    send_due(NOW)
    sms = next(m for m in outbox(session, kind="appointment_reminder", channel="sms"))
    report = {"MessageSid": sms.provider_id, "MessageStatus": "undelivered", "ErrorCode": "30006"}
    assert post_signed(client, "/twilio/status", report).status_code == 200
    calls = [m for m in outbox(session, channel="voice") if m.dedupe_key.endswith(":call")]
    assert len(calls) == 1 and calls[0].due_at == NOW


def test_an_sms_only_client_is_not_called(client, session):
    sara = create_client(session, channel="sms")
    book_appointment(session, sara, starts_at=MEETING, now=NOW)
    send_due(NOW)
    sms = outbox(session, kind="appointment_reminder", channel="sms")[0]
    post_signed(
        client,
        "/twilio/status",
        {"MessageSid": sms.provider_id, "MessageStatus": "failed", "ErrorCode": "30006"},
    )
    assert outbox(session, channel="voice") == []


def test_a_call_answered_after_closing_says_only_goodbye(client, session, caller):
    from app.casework import closing

    row = call_row(session)
    closing.close(session, caller, actor_type="staff", actor_name="Lina Berg", now=NOW)
    session.commit()
    root = twiml_of(post_signed(client, f"/twilio/voice/reminder/{row.id}", {"CallSid": "CA1"}))
    assert root.find("Gather") is None and root.find("Hangup") is not None
    assert "träffa" not in said(root) and "Lina Berg" not in said(root)
    answered = post_signed(client, f"/twilio/voice/reminder/{row.id}/answer",
                           {"CallSid": "CA1", "Digits": "1"})  # fmt: skip
    assert twiml_of(answered).find("Redirect") is not None
    assert session.get(Appointment, row.subject_id).response != "confirmed"
