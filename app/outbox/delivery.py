"""Delivery reports: POST /twilio/status (messages) and the call status callback
(app/calls/reminder_calls.py) move an outbox message forward, never back.

Callbacks arrive out of order and more than once. A final state (delivered, undelivered,
failed) is never changed again. A permanent failure marks the number unreachable for
staff to see. A temporary one plans a new attempt, with backoff, up to a limit.

A report can also arrive before its id is known here: Twilio may call back before its
answer to our request reaches the sweep, and the sweep records a whole batch in one commit.
Such a report is kept (EarlyReport) and applied by the same rules once the id is known:
where the sweep records its outcomes and where crash recovery adopts an id. Both sides
write first and then look for the other's write, so whichever commits last applies it; a
kept report is taken by deleting its row, so it is applied once. Reports no id ever claims
(not ours, or about a try that failed) are purged after EARLY_REPORT_KEEP.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Blueprint, Response
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app import audit
from app.db import among, get_session
from app.models import (
    FINAL_STATUSES,
    Client,
    OutboxMessage,
    OutboxStatus,
    Representative,
    SubjectType,
    utcnow,
)
from app.models.messaging import EarlyReport
from app.outbox.planner import add_message
from app.transports.twilio import PERMANENT_CODES
from app.twilio_requests import form_value, twilio_signed
from app.voice.inventory import reminder_calls_possible

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
CALL_PROGRESS = ("queued", "initiated", "ringing", "in-progress")
CALL_MISSED = {"busy": "busy", "no-answer": "no answer", "failed": "failed", "canceled": "canceled"}
# Longer than crash recovery may take to adopt an id (app/outbox/recovery.py GIVE_UP, 24 hours).
EARLY_REPORT_KEEP = timedelta(days=2)


def _code(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _mark_unreachable(session: Session, message: OutboxMessage, code: int, now: datetime) -> None:
    if message.representative_id is None:
        client = session.get_one(Client, message.client_id)
        client.unreachable_at = now
        session.add(client)
    elif code == 21610:  # the representative texted STOP to Twilio: respect it here too
        representative = session.get_one(Representative, message.representative_id)
        representative.opted_out_at = representative.opted_out_at or now
        session.add(representative)
    audit.record(
        session,
        "number_unreachable",
        client_id=message.client_id,
        subject_type=SubjectType.OUTBOX_MESSAGE,
        subject_id=message.id,
        detail=f"Twilio error {code} on {message.kind}",
    )


def plan_retry(session: Session, message: OutboxMessage, now: datetime) -> OutboxMessage | None:
    """A new attempt at a message that did not arrive, later, up to MAX_DELIVERY_RETRIES.
    One part of a message sent as several is tried again as it was, alone: the client has
    the other parts (each row has its own reports and retries)."""
    tries = message.dedupe_key.count(":retry:")
    if tries >= MAX_DELIVERY_RETRIES:
        return None
    retry = message.follow_on(
        dedupe_key=f"{message.dedupe_key}:retry:{tries + 1}",
        due_at=now + timedelta(minutes=15 * 4**tries),
    )
    if message.part is not None:
        retry.body, retry.language = message.body, message.language
        retry.part, retry.parts = message.part, message.parts
        retry.first_part_id = message.first_part_id
    session.add(retry)
    return retry


def call_instead(session: Session, message: OutboxMessage, now: datetime) -> None:
    """An SMS reminder that cannot be delivered becomes a reminder call, for a client who
    allows calls (voice or both) in a language a call can be in (app/voice/inventory.py)."""
    if (
        message.kind != "appointment_reminder"
        or message.channel != "sms"
        or message.representative_id
        or message.first_part_id  # one call for the whole reminder: planned by its first part
    ):
        return
    client = session.get_one(Client, message.client_id)
    if client.channel not in ("voice", "both") or not reminder_calls_possible(client.language):
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


def message_status(
    session: Session, message: OutboxMessage, status: str, error_code: str, now: datetime
) -> str:
    """Apply a message's delivery report to its outbox row; returns what happened."""
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
    provider = "46elks" if message.provider == "46elks" else "Twilio"  # who reported it
    message.last_error = f"{provider} error {code}" if code else f"{provider}: {status}"
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


def call_status(
    session: Session, message: OutboxMessage, status: str, _error_code: str, now: datetime
) -> str:
    """Apply a reminder call's status to its outbox row: answered, or tried again later."""
    if message.status in FINAL_STATUSES:
        return "already final"
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
        subject_type=SubjectType.OUTBOX_MESSAGE,
        subject_id=message.id,
        detail=f"{message.kind}: {CALL_MISSED[status]} after retries",
    )
    return "gave up"


# The rules of each callback, by the channel it reports on.
RULES: dict[str, Callable[[Session, OutboxMessage, str, str, datetime], str]] = {
    "sms": message_status,
    "voice": call_status,
}


def _changes_state(channel: str, status: str) -> bool:
    """Whether a report could move a message on (progress reports never do)."""
    if channel == "voice":
        return status == "completed" or status in CALL_MISSED
    return status in FINAL


def _with_id(session: Session, provider_id: str) -> OutboxMessage | None:
    # Locked: two reports on one message (or a report and the sweep applying a kept one)
    # are applied one after the other, each to the row as the other left it.
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.provider_id == provider_id).with_for_update()
    ).first()


def receive_report(
    session: Session, channel: str, provider_id: str, status: str, error_code: str, now: datetime
) -> str:
    """Apply one delivery report (`channel` "sms" or "voice") and commit. A report that
    could change a message whose id is not known yet is kept for apply_early_reports.
    Returns what happened (for the log and tests)."""
    status = status.strip().lower()
    message = _with_id(session, provider_id)
    if message is not None:
        outcome = RULES[channel](session, message, status, error_code, now)
        session.commit()
        return outcome
    if not _changes_state(channel, status):
        return "unknown message"
    session.add(
        EarlyReport(
            provider_id=provider_id,
            channel=channel,
            status=status,
            error_code=error_code.strip()[:10],
            received_at=now,
        )
    )
    session.commit()
    # The sweep may have recorded the id after we looked and before this report was
    # committed; it then looked too early to find the report: apply it here. (Not locked
    # here: apply_early_reports takes the report before the message, as the sweep does.)
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.provider_id == provider_id)
    ).first()
    if message is None:
        return "kept until the id is known"
    outcomes = apply_early_reports(session, [message])
    return outcomes[0] if outcomes else "applied by the sweep"


def apply_early_reports(session: Session, messages: list[OutboxMessage]) -> list[str]:
    """Apply the kept reports on these messages' provider ids, in the order they came, by
    the rules of their callback, and commit. Called after the ids are committed. Returns
    the outcomes (empty when there was nothing to apply)."""
    by_id = {m.provider_id: m for m in messages if m.provider_id}
    if not by_id:
        return []
    kept = session.exec(
        # SQLModel's select() is typed for at most four columns; the rows are read by name.
        select(  # type: ignore[call-overload]
            EarlyReport.id,
            EarlyReport.provider_id,
            EarlyReport.channel,
            EarlyReport.status,
            EarlyReport.error_code,
            EarlyReport.received_at,
        )
        .where(among(session, col(EarlyReport.provider_id), by_id))
        .order_by(EarlyReport.received_at, EarlyReport.id)
    ).all()
    outcomes, locked = [], set()
    for report_id, provider_id, channel, status, error_code, received_at in kept:
        # Taken by deleting it: when the sweep and the webhook both find it, one applies it.
        taken = session.exec(delete(EarlyReport).where(col(EarlyReport.id) == report_id))
        if taken.rowcount != 1:
            continue
        message = by_id[provider_id]
        if message.id not in locked:  # read again, as it is now, and held until the commit
            session.refresh(message, with_for_update=True)
            locked.add(message.id)
        outcome = RULES[channel](session, message, status, error_code, received_at)
        log.info("Early %s report %s on message %s: %s", channel, status, message.id, outcome)
        outcomes.append(outcome)
    session.commit()
    return outcomes


def purge_early_reports(session: Session, now: datetime) -> int:
    """Delete kept reports no id claimed within EARLY_REPORT_KEEP; returns how many."""
    removed = session.exec(
        delete(EarlyReport).where(col(EarlyReport.received_at) < now - EARLY_REPORT_KEEP)
    )
    return max(removed.rowcount or 0, 0)


@bp.post("/twilio/status")
@twilio_signed
def status_callback() -> Response:
    """Twilio's delivery report for one message. Always 200 unless unsigned or malformed."""
    provider_id = form_value("MessageSid", 64)
    status = form_value("MessageStatus", 30) or form_value("SmsStatus", 30)
    if not provider_id or not status:
        return Response("MessageSid and MessageStatus are required\n", 400, mimetype="text/plain")
    error_code = form_value("ErrorCode", 10)
    outcome = receive_report(get_session(), "sms", provider_id, status, error_code, utcnow())
    log.info("Delivery report %s: %s", status, outcome)
    return Response("", 200, mimetype="text/plain")
