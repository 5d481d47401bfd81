"""The events pushed to subscribed systems, written as deliveries in the transaction of
the change itself (an outbox of events: nothing is lost, and a rolled-back change sends
nothing). One listener on every session's flush sees each change wherever it is made (the
sweep, delivery reports, recovery, staff, the API, the SMS conversation) and calls `emit`.

Each event carries ids, codes and statuses, never a message's words or a phone number:

- `outbox.status`: a message was planned or its status changed (sent, delivered, failed …;
  never `sending`, the moment of handing over: not when the sweep sets it, nor for a
  further part created in it)
- `inbound.received`: a text from a client or a representative was read (its intent)
- `callback.requested`: a client asked to be called back
- `attendance.recorded`: staff or a system recorded whether the client came to a meeting

A system gets only what its key may read in the feeds (its unit; never the managers'
texts or answers to them): the same rule, asked of app.access.
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, insert, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import get_history
from sqlmodel import col

from app import access
from app.models import (
    ApiKey,
    Appointment,
    CallbackRequest,
    Client,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    WebhookDelivery,
    WebhookEventType,
    WebhookSubscription,
    utcnow,
)
from app.models.webhooks import DeliveryState

Record = OutboxMessage | InboundMessage | CallbackRequest | Appointment
EVENT_TYPES = tuple(WebhookEventType)


@dataclass(frozen=True)
class Subscriber:
    """A subscription that may receive events now: its id, events and key's unit."""

    id: int
    events: frozenset[str]
    unit_id: int


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _outbox(message: OutboxMessage) -> dict[str, Any]:
    subject = None
    if message.subject_type:
        subject = {"type": message.subject_type, "id": message.subject_id}
    return {
        "id": message.id,
        "client_id": message.client_id,
        "recipient": "representative" if message.representative_id else "client",
        "representative_id": message.representative_id,
        "kind": message.kind,
        "channel": message.channel,
        "status": message.status,
        "attempts": message.attempts,
        "part": message.part,
        "parts": message.parts,
        "subject": subject,
    }


def _inbound(text: InboundMessage) -> dict[str, Any]:
    return {
        "id": text.id,
        "client_id": text.client_id,
        "sender": "representative" if text.representative_id else "client",
        "representative_id": text.representative_id,
        "intent": text.intent,
        "needs_answer": text.needs_answer,
        "media_count": len([line for line in text.media.splitlines() if line.strip()]),
        "received_at": _iso(text.received_at),
    }


def _callback(asked: CallbackRequest) -> dict[str, Any]:
    return {
        "id": asked.id,
        "client_id": asked.client_id,
        "language": asked.language,
        "interpreter_needed": asked.interpreter_needed,
        "source": asked.source,
        "created_at": _iso(asked.created_at),
    }


def _attendance(meeting: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": meeting.id,
        "appointment_source_id": meeting.source_id,
        "client_id": meeting.client_id,
        "attendance": meeting.attendance,
        "recorded_at": _iso(meeting.attendance_at),
    }


# Per event type: the record's table name, what it carries, and which rows a key may read.
def _visible_outbox(unit_id: int, record_id: int):
    return (
        select(col(OutboxMessage.id))
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(access.key_outbox_rows(unit_id), col(OutboxMessage.id) == record_id)
    )


def _visible_inbound(unit_id: int, record_id: int):
    return (
        select(col(InboundMessage.id))
        .join(Client, col(Client.id) == InboundMessage.client_id)
        .where(access.key_inbound_rows(unit_id), col(InboundMessage.id) == record_id)
    )


def _visible_callback(unit_id: int, record_id: int):
    return (
        select(col(CallbackRequest.id))
        .join(Client, col(Client.id) == CallbackRequest.client_id)
        .where(access.key_clients(unit_id), col(CallbackRequest.id) == record_id)
    )


def _visible_attendance(unit_id: int, record_id: int):
    return (
        select(col(Appointment.id))
        .join(Client, col(Client.id) == Appointment.client_id)
        .where(access.key_clients(unit_id), col(Appointment.id) == record_id)
    )


KINDS: dict[str, tuple[str, Any, Any]] = {
    WebhookEventType.OUTBOX_STATUS: ("outbox_message", _outbox, _visible_outbox),
    WebhookEventType.INBOUND_RECEIVED: ("inbound_message", _inbound, _visible_inbound),
    WebhookEventType.CALLBACK_REQUESTED: ("callback_request", _callback, _visible_callback),
    WebhookEventType.ATTENDANCE_RECORDED: ("appointment", _attendance, _visible_attendance),
}


def subscribers(connection: Connection) -> list[Subscriber]:
    """The subscriptions of keys not revoked (paused ones too: their events wait)."""
    rows = connection.execute(
        select(col(WebhookSubscription.id), col(WebhookSubscription.events), col(ApiKey.unit_id))
        .join(ApiKey, col(ApiKey.id) == WebhookSubscription.api_key_id)
        .where(col(ApiKey.revoked_at).is_(None))
    ).all()
    return [
        Subscriber(row.id, frozenset(e for e in row.events.split(",") if e), row.unit_id)
        for row in rows
    ]


def emit(
    session: OrmSession,
    event_type: str,
    record: Record,
    *,
    to: Sequence[Subscriber] | None = None,
) -> int:
    """Queue one event about a (flushed) record for every subscription that wants it and
    whose key may read the record, in the session's transaction. Returns how many."""
    connection = session.connection()
    wanted = [s for s in (subscribers(connection) if to is None else to) if event_type in s.events]
    if not wanted or record.id is None:
        return 0
    table, carries, visible = KINDS[event_type]
    data = carries(record)
    client_id = data.get("client_id")
    data["client_source_id"] = (
        connection.execute(
            select(col(Client.source_id)).where(col(Client.id) == client_id)
        ).scalar()
        if client_id is not None
        else None
    )
    now = utcnow()
    body = json.dumps(
        {"type": event_type, "timestamp": now.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    visible_units = {
        unit_id
        for unit_id in {s.unit_id for s in wanted}
        if connection.execute(visible(unit_id, record.id)).first() is not None
    }
    rows = [
        {
            "subscription_id": s.id,
            "message_id": f"msg_{uuid.uuid4().hex}",
            "event_type": event_type,
            "record": f"{table}:{record.id}",
            "client_id": client_id,
            "payload": body,
            "state": DeliveryState.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_until": None,
            "created_at": now,
            "finished_at": None,
        }
        for s in wanted
        if s.unit_id in visible_units
    ]
    if rows:
        connection.execute(insert(WebhookDelivery), rows)
    return len(rows)


def _changed(record: Any, attribute: str) -> bool:
    # get_history reads the one attribute; inspect().attrs would build every attribute's.
    history = get_history(record, attribute)
    return history.has_changes() and next(iter(history.added or ()), None) is not None


def _was_empty(record: Any, attribute: str) -> bool:
    history = get_history(record, attribute)
    return all(value is None for value in history.deleted)


def _events_of(new: Sequence[Any], dirty: Sequence[Any]) -> list[tuple[str, Record]]:
    found: list[tuple[str, Record]] = []
    for record in new:
        if isinstance(record, OutboxMessage):
            if record.status != OutboxStatus.SENDING:  # further parts are created sending
                found.append((WebhookEventType.OUTBOX_STATUS, record))
        elif isinstance(record, InboundMessage) and record.intent is not None:
            found.append((WebhookEventType.INBOUND_RECEIVED, record))
        elif isinstance(record, CallbackRequest):
            found.append((WebhookEventType.CALLBACK_REQUESTED, record))
        elif isinstance(record, Appointment) and record.attendance is not None:
            found.append((WebhookEventType.ATTENDANCE_RECORDED, record))
    for record in dirty:
        if isinstance(record, OutboxMessage) and _changed(record, "status"):
            if record.status != OutboxStatus.SENDING:
                found.append((WebhookEventType.OUTBOX_STATUS, record))
        elif (
            isinstance(record, InboundMessage)
            and _changed(record, "intent")
            and _was_empty(record, "intent")
        ):
            found.append((WebhookEventType.INBOUND_RECEIVED, record))
        elif isinstance(record, Appointment) and _changed(record, "attendance"):
            found.append((WebhookEventType.ATTENDANCE_RECORDED, record))
    return found


def _after_flush(session: OrmSession, _context: Any) -> None:
    # After the flush the new rows have ids, and the changes' history is still there.
    found = _events_of(list(session.new), list(session.dirty))
    if not found:
        return
    subscribed = subscribers(session.connection())
    if not subscribed:
        return
    for event_type, record in found:
        emit(session, event_type, record, to=subscribed)


def listen() -> None:
    """Emit events on every session's flush (once per process)."""
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)
