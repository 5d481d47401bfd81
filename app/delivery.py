"""POST /twilio/status: delivery reports that move an outbox message forward, never back.

Callbacks arrive out of order and more than once. A final state (delivered, undelivered,
failed) is never changed again. A permanent failure marks the number unreachable for
staff to see. A temporary one plans a new attempt, with backoff, up to a limit.
"""

import logging
from datetime import datetime, timedelta

from flask import Blueprint, Response
from sqlmodel import Session, select

from app import audit
from app.db import get_session
from app.languages import get_language
from app.models import (
    FINAL_STATUSES,
    Client,
    OutboxMessage,
    OutboxStatus,
    Representative,
    utcnow,
)
from app.planner import add_message
from app.transports.twilio import PERMANENT_CODES
from app.twilio_requests import form_value, twilio_signed

bp = Blueprint("delivery", __name__)
log = logging.getLogger(__name__)

MAX_DELIVERY_RETRIES = 3
TEMPORARY_CODES = frozenset({30001, 30003, 30008, 30009, 30010})
# Twilio's message states, in the order they can happen; only the last three are final.
PROGRESS = {"accepted": 1, "scheduled": 1, "queued": 1, "sending": 2, "sent": 3}
FINAL = {
    "delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
    "canceled": OutboxStatus.FAILED,
}


def _code(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _mark_unreachable(session: Session, message: OutboxMessage, code: int, now: datetime) -> None:
    if message.representative_id is None:
        client = session.get(Client, message.client_id)
        client.unreachable_at = now
        session.add(client)
    elif code == 21610:  # the representative texted STOP to Twilio: respect it here too
        representative = session.get(Representative, message.representative_id)
        representative.opted_out_at = representative.opted_out_at or now
        session.add(representative)
    audit.record(
        session,
        "number_unreachable",
        client_id=message.client_id,
        subject_type="outbox_message",
        subject_id=message.id,
        detail=f"Twilio error {code} on {message.kind}",
    )


def plan_retry(session: Session, message: OutboxMessage, now: datetime) -> OutboxMessage | None:
    """A new attempt at a message that did not arrive, later, up to MAX_DELIVERY_RETRIES."""
    tries = message.dedupe_key.count(":retry:")
    if tries >= MAX_DELIVERY_RETRIES:
        return None
    retry = OutboxMessage(
        kind=message.kind,
        channel=message.channel,
        client_id=message.client_id,
        representative_id=message.representative_id,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
        subject_version=message.subject_version,
        dedupe_key=f"{message.dedupe_key}:retry:{tries + 1}",
        due_at=now + timedelta(minutes=15 * 4**tries),
        urgent=message.urgent,
    )
    session.add(retry)
    return retry


def call_instead(session: Session, message: OutboxMessage, now: datetime) -> None:
    """An SMS reminder that cannot be delivered becomes a reminder call, for a client who
    allows calls (voice or both) in a language Twilio can speak."""
    if (
        message.kind != "appointment_reminder"
        or message.channel != "sms"
        or message.representative_id
    ):
        return
    client = session.get(Client, message.client_id)
    if client.channel not in ("voice", "both") or not get_language(client.language).has_voice:
        return
    add_message(
        session,
        kind=message.kind,
        client=client,
        dedupe_key=f"{message.dedupe_key}:call",
        due_at=now,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
        subject_version=message.subject_version,
        channel="voice",
        copies=False,
    )


def record_status(
    session: Session, provider_id: str, status: str, error_code: str, now: datetime
) -> str:
    """Apply one delivery report; returns what happened (for the log and tests)."""
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.provider_id == provider_id)
    ).first()
    if message is None:
        return "unknown message"
    status = status.strip().lower()
    if message.status in FINAL_STATUSES:
        return "already final"
    if status in PROGRESS:
        return "in progress"
    final = FINAL.get(status)
    if final is None:
        return "unknown status"
    code = _code(error_code)
    message.status = final
    message.final_at = now
    message.updated_at = now
    if final == OutboxStatus.DELIVERED:
        message.last_error = None
        session.add(message)
        return "delivered"
    message.last_error = f"Twilio error {code}" if code else f"Twilio: {status}"
    session.add(message)
    if code in PERMANENT_CODES:
        _mark_unreachable(session, message, code, now)
        call_instead(session, message, now)
        return "unreachable"
    if code is None or code in TEMPORARY_CODES:
        if plan_retry(session, message, now):
            return "retry planned"
        call_instead(session, message, now)
        return "gave up"
    return "failed"


@bp.post("/twilio/status")
@twilio_signed
def status_callback() -> Response:
    """Twilio's delivery report for one message. Always 200 unless unsigned or malformed."""
    provider_id = form_value("MessageSid", 64)
    status = form_value("MessageStatus", 30) or form_value("SmsStatus", 30)
    if not provider_id or not status:
        return Response("MessageSid and MessageStatus are required\n", 400, mimetype="text/plain")
    session = get_session()
    outcome = record_status(session, provider_id, status, form_value("ErrorCode", 10), utcnow())
    session.commit()
    log.info("Delivery report %s: %s", status, outcome)
    return Response("", 200, mimetype="text/plain")
