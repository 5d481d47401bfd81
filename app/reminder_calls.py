"""Reminder calls: Twilio calls the client and fetches what to say from here.

POST /twilio/voice/reminder/<id>          the reminder, then 1 confirm, 2 decline, 0 again
POST /twilio/voice/reminder/<id>/answer   what the client pressed
POST /twilio/voice/status                 how the call went: answered, or tried again later

The words are composed when Twilio asks, from the records as they are then, with the
same templates as the SMS (the voice channel): a changed or cancelled meeting is told as
it now is.
"""

import logging
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from sqlmodel import Session, select
from twilio.twiml.voice_response import VoiceResponse

from app import appointments, audit
from app.compose import compose
from app.db import get_session
from app.delivery import plan_retry
from app.facts import base_facts
from app.languages import get_language
from app.models import (
    FINAL_STATUSES,
    Appointment,
    AppointmentResponse,
    AppointmentStatus,
    Client,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from app.twilio_requests import form_value, twilio_signed, twiml

bp = Blueprint("reminder_calls", __name__)
log = logging.getLogger(__name__)

CALL_PROGRESS = ("queued", "initiated", "ringing", "in-progress")
CALL_MISSED = {"busy": "busy", "no-answer": "no answer", "failed": "failed", "canceled": "canceled"}


def _call_message(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.channel != "voice":
        abort(404)
    return message


def _say(target, text: str, language) -> None:
    if language.has_voice:
        target.say(text, voice=language.say_voice, language=language.say_language)
    else:
        target.say(text)


def _speak(session: Session, message: OutboxMessage, kind: str | None = None) -> tuple:
    client = session.get(Client, message.client_id)
    appointment = session.get(Appointment, message.subject_id)
    facts = base_facts(session, client, now=utcnow()) | {"discreet": False}
    facts |= appointments.facts(session, appointment, client, utcnow())
    if kind is None:
        kind = (
            "appointment_cancelled"
            if appointment.status == AppointmentStatus.CANCELLED
            else message.kind
        )
    composition = compose(kind, facts, client.language, "voice")
    return composition, get_language(composition.lang), appointment


def _url(message: OutboxMessage, suffix: str = "") -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/twilio/voice/reminder/{message.id}{suffix}"


def _goodbye(response: VoiceResponse, language) -> None:
    text = compose("call_goodbye", {}, language.code, "voice").text
    _say(response, text, language)
    response.hangup()


@bp.post("/twilio/voice/reminder/<int:message_id>")
@twilio_signed
def reminder(message_id: int) -> Response:
    """The reminder, row by row, with a pause between; then wait for a key."""
    session = get_session()
    message = _call_message(session, message_id)
    composition, language, appointment = _speak(session, message)
    response = VoiceResponse()
    silent_before = request.args.get("silence") == "1"  # our own redirect after no key
    if appointment.status == AppointmentStatus.CANCELLED:
        for row in composition.rows:
            _say(response, row.text, language)
        _goodbye(response, language)
        return twiml(response)
    gather = response.gather(
        num_digits=1, action=_url(message, "/answer"), method="POST", timeout=6
    )
    for row in composition.rows:
        _say(gather, row.text, language)
        gather.pause(length=1)
    if silent_before:  # heard it twice without pressing a key: end politely
        _goodbye(response, language)
    else:
        response.redirect(_url(message) + "?silence=1", method="POST")
    return twiml(response)


@bp.post("/twilio/voice/reminder/<int:message_id>/answer")
@twilio_signed
def answer(message_id: int) -> Response:
    """1 confirms, 2 declines (staff find a new time), anything else: hear it again."""
    session = get_session()
    message = _call_message(session, message_id)
    digits = form_value("Digits", 5).strip()
    appointment = session.get(Appointment, message.subject_id)
    choice = {"1": AppointmentResponse.CONFIRMED, "2": AppointmentResponse.DECLINED}.get(digits)
    if choice is None or appointment.status != AppointmentStatus.PLANNED:
        response = VoiceResponse()
        response.redirect(_url(message), method="POST")
        return twiml(response)
    appointments.respond(session, appointment, choice, now=utcnow())
    audit.record(
        session,
        f"appointment_{choice}",
        actor_type="client",
        client_id=message.client_id,
        subject_type="appointment",
        subject_id=appointment.id,
        detail="by phone",
    )
    session.commit()
    kind = "reply_confirmed" if choice == AppointmentResponse.CONFIRMED else "reply_declined"
    composition, language, _ = _speak(session, message, kind)
    response = VoiceResponse()
    for row in composition.rows:
        _say(response, row.text, language)
    _goodbye(response, language)
    return twiml(response)


def record_call_status(session: Session, call_sid: str, status: str, now: datetime) -> str:
    """Apply a call's status to its outbox message; returns what happened."""
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.provider_id == call_sid)
    ).first()
    if message is None:
        return "unknown call"
    if message.status in FINAL_STATUSES:
        return "already final"
    status = status.strip().lower()
    if status in CALL_PROGRESS:
        return "in progress"
    if status == "completed":
        message.status, message.final_at, message.last_error = OutboxStatus.DELIVERED, now, None
        session.add(message)
        return "answered"
    if status not in CALL_MISSED:
        return "unknown status"
    message.status = OutboxStatus.UNDELIVERED
    message.final_at = now
    message.last_error = f"call {CALL_MISSED[status]}"
    session.add(message)
    if plan_retry(session, message, now) is not None:
        return "retry planned"
    # Tried enough: the case worker sees it in the audit log and among failed deliveries.
    message.status = OutboxStatus.FAILED
    audit.record(
        session,
        "reminder_call_unanswered",
        client_id=message.client_id,
        subject_type="outbox_message",
        subject_id=message.id,
        detail=f"{message.kind}: {CALL_MISSED[status]} after retries",
    )
    return "gave up"


@bp.post("/twilio/voice/status")
@twilio_signed
def call_status() -> Response:
    """Twilio's status callback for calls we placed."""
    call_sid = form_value("CallSid", 64)
    status = form_value("CallStatus", 30)
    if not call_sid or not status:
        return Response("CallSid and CallStatus are required\n", 400, mimetype="text/plain")
    session = get_session()
    outcome = record_call_status(session, call_sid, status, utcnow())
    session.commit()
    log.info("Call status %s: %s", status, outcome)
    return Response("", 200, mimetype="text/plain")
