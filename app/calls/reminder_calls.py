"""Reminder calls: Twilio calls the client and fetches what to say from here.

POST /twilio/voice/reminder/<id>          the reminder, then 1 confirm, 2 decline, 0 again
POST /twilio/voice/reminder/<id>/answer   what the client pressed
POST /twilio/voice/reminder/<id>/pin      a discreet client's PIN, before anything else
POST /twilio/voice/status                 how the call went: answered, or tried again later

The words are composed when Twilio asks, from the records as they are then, with the
same templates as the SMS (the voice channel): a changed or cancelled meeting is told as
it now is. A discreet client's call says only who is calling and asks for the PIN: whoever
answers, or the voicemail, hears no time, place or purpose (the access rule, app/access.py).
"""

import logging

from flask import Blueprint, Response, abort, current_app, request
from sqlmodel import Session
from twilio.twiml.voice_response import VoiceResponse

from app import access, audit
from app.access import Role, Topic, Verdict
from app.casework import appointments, pins
from app.db import get_session
from app.models import (
    Appointment,
    AppointmentResponse,
    AppointmentStatus,
    Client,
    OutboxMessage,
    SubjectType,
    utcnow,
)
from app.outbox.delivery import receive_report
from app.outbox.facts import base_facts
from app.twilio_requests import form_value, twilio_signed, twiml
from app.voice.speech import NotRecorded, Spoken, emit, speak
from app.words.languages import SOURCE_LANGUAGE, Language, get_language

bp = Blueprint("reminder_calls", __name__)
log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1  # the largest INTEGER (ids): a larger one names no message, fails a query


def _call_message(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id) if message_id <= MAX_ID else None
    if message is None or message.channel != "voice":
        abort(404)
    return message


def _words(kind: str, facts: dict, code: str) -> Spoken:
    """A kind as the call says it in the client's language (app/voice/speech.py). The
    planner calls only where the language can be said (app/voice/inventory.py); a
    recording removed since then leaves the call in Swedish rather than silent."""
    try:
        return speak(kind, facts, get_language(code))
    except NotRecorded as lack:
        log.warning(
            "Reminder call: %d recording(s) missing in %s for %s; said in Swedish",
            len(lack.missing), lack.code, kind,
        )  # fmt: skip
        return speak(kind, facts, get_language(SOURCE_LANGUAGE))


def _say(target, rows: Spoken, *, pause: bool = False) -> None:
    for row in rows:
        emit(target, row)
        if pause:
            target.pause(length=1)


def _speak(
    session: Session, message: OutboxMessage, kind: str | None = None
) -> tuple[Spoken, Language, Appointment]:
    client = session.get_one(Client, message.client_id)
    appointment = session.get_one(Appointment, message.subject_id)
    facts = base_facts(session, client, now=utcnow()) | {"discreet": False}
    facts |= appointments.facts(session, appointment, client, utcnow())
    if kind is None:
        kind = (
            "appointment_cancelled"
            if appointment.status == AppointmentStatus.CANCELLED
            else message.kind
        )
    return _words(kind, facts, client.language), get_language(client.language), appointment


def _url(message: OutboxMessage, suffix: str = "", *, pin_given: bool = False) -> str:
    url = f"{current_app.config['PUBLIC_BASE_URL']}/twilio/voice/reminder/{message.id}{suffix}"
    return url + ("?pin=1" if pin_given else "")


def _pin_given() -> bool:
    """The PIN was given earlier in this call (our own signed URLs say so after a right one)."""
    return request.args.get("pin") == "1"


def _verdict(session: Session, message: OutboxMessage) -> Verdict:
    """May whoever answers this call hear the reminder? The one access rule decides."""
    client = session.get_one(Client, message.client_id)
    return access.decide(Role(client), Topic.APPOINTMENTS, access.Channel.PHONE,
                         pin_given=_pin_given())  # fmt: skip


def _ask_pin(session: Session, message: OutboxMessage, state: str, first: bool) -> Response:
    """Who is calling, and the PIN: nothing about the meeting before it."""
    client = session.get_one(Client, message.client_id)
    language = get_language(client.language)
    facts = base_facts(session, client, now=utcnow()) | {"pin_state": state, "in_call": True}
    response = VoiceResponse()
    target = response
    if state in ("ask", "wrong"):
        target = response.gather(
            num_digits=4, action=_url(message, "/pin"), method="POST", timeout=8
        )
    if first:
        _say(target, _words("voice_discreet_call", facts, language.code))
    _say(target, _words("voice_pin", facts, language.code))
    _goodbye(response, language)
    return twiml(response)


def _goodbye(response: VoiceResponse, language: Language) -> None:
    _say(response, _words("call_goodbye", {}, language.code))
    response.hangup()


@bp.post("/twilio/voice/reminder/<int:message_id>")
@twilio_signed
def reminder(message_id: int) -> Response:
    """The reminder, row by row, with a pause between; then wait for a key."""
    session = get_session()
    message = _call_message(session, message_id)
    verdict = _verdict(session, message)
    if verdict == Verdict.DENY:  # no longer a client since the call was placed: nothing
        client = session.get_one(Client, message.client_id)
        response = VoiceResponse()
        _goodbye(response, get_language(client.language))
        return twiml(response)
    if verdict == Verdict.PIN:
        client = session.get_one(Client, message.client_id)
        return _ask_pin(session, message, pins.state(client, utcnow()), first=True)
    rows, language, appointment = _speak(session, message)
    pin_given = _pin_given()
    response = VoiceResponse()
    silent_before = request.args.get("silence") == "1"  # our own redirect after no key
    if appointment.status == AppointmentStatus.CANCELLED:
        _say(response, rows)
        _goodbye(response, language)
        return twiml(response)
    gather = response.gather(
        num_digits=1,
        action=_url(message, "/answer", pin_given=pin_given),
        method="POST",
        timeout=6,
    )
    _say(gather, rows, pause=True)
    if silent_before:  # heard it twice without pressing a key: end politely
        _goodbye(response, language)
    else:
        again = _url(message, pin_given=pin_given)
        response.redirect(again + ("&" if pin_given else "?") + "silence=1", method="POST")
    return twiml(response)


@bp.post("/twilio/voice/reminder/<int:message_id>/pin")
@twilio_signed
def pin(message_id: int) -> Response:
    """A discreet client's PIN: right, and the reminder follows; wrong, and they may try
    again until pins locks it (counted with the phone menu and the pages)."""
    session = get_session()
    message = _call_message(session, message_id)
    client = session.get_one(Client, message.client_id)
    result = pins.check_pin(
        session,
        client,
        form_value("Digits", 10),
        utcnow(),
        channel=pins.PHONE,
        call_sid=form_value("CallSid", 64),
    )
    session.commit()
    if result == "ok":
        response = VoiceResponse()
        response.redirect(_url(message, pin_given=True), method="POST")
        return twiml(response)
    return _ask_pin(session, message, result, first=False)


@bp.post("/twilio/voice/reminder/<int:message_id>/answer")
@twilio_signed
def answer(message_id: int) -> Response:
    """1 confirms, 2 declines (staff find a new time), anything else: hear it again."""
    session = get_session()
    message = _call_message(session, message_id)
    if _verdict(session, message) != Verdict.ALLOW:  # never act before the PIN
        response = VoiceResponse()
        response.redirect(_url(message), method="POST")
        return twiml(response)
    digits = form_value("Digits", 5).strip()
    appointment = session.get_one(Appointment, message.subject_id)
    choice = {"1": AppointmentResponse.CONFIRMED, "2": AppointmentResponse.DECLINED}.get(digits)
    if choice is None or appointment.status != AppointmentStatus.PLANNED:
        response = VoiceResponse()
        response.redirect(_url(message, pin_given=_pin_given()), method="POST")
        return twiml(response)
    appointments.respond(session, appointment, choice, now=utcnow(), by="reminder call")
    audit.record(
        session,
        f"appointment_{choice}",
        actor_type="client",
        client_id=message.client_id,
        subject_type=SubjectType.APPOINTMENT,
        subject_id=appointment.id,
        detail="by phone",
    )
    session.commit()
    kind = "reply_confirmed" if choice == AppointmentResponse.CONFIRMED else "reply_declined"
    rows, language, _ = _speak(session, message, kind)
    response = VoiceResponse()
    _say(response, rows)
    _goodbye(response, language)
    return twiml(response)


@bp.post("/twilio/voice/status")
@twilio_signed
def call_status() -> Response:
    """Twilio's status callback for calls we placed."""
    call_sid = form_value("CallSid", 64)
    status = form_value("CallStatus", 30)
    if not call_sid or not status:
        return Response("CallSid and CallStatus are required\n", 400, mimetype="text/plain")
    # The same rules as message reports, an early report kept likewise (app/outbox/delivery.py).
    outcome = receive_report(get_session(), "voice", call_sid, status, "", utcnow())
    log.info("Call status %s: %s", status, outcome)
    return Response("", 200, mimetype="text/plain")
