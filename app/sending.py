"""The sweep: claim due outbox rows, compose them and hand them to the transport, once each.

Claiming is one UPDATE over a sub-select (with FOR UPDATE SKIP LOCKED on PostgreSQL), so
overlapping sweeps in any number of processes never claim the same row twice.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlmodel import Session, select

from app import audit, links, recovery, sending_window, subjects
from app.compose import compose
from app.db import get_engine
from app.facts import base_facts
from app.models import (
    Client,
    LinkPurpose,
    OutboxMessage,
    OutboxStatus,
    Representative,
    StaffUser,
    Unit,
    utcnow,
)
from app.planner import local_zone
from app.transports import Outgoing, Transport, TransportError, get_transport

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
THROTTLE_PAUSE = timedelta(seconds=30)  # after HTTP 429: the sweep stops, rows wait this long


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 4, 16, 64 minutes... after each temporary failure."""
    return timedelta(minutes=4 ** max(0, attempts - 1))


@dataclass
class SweepResult:
    """What one sweep did."""

    sent: int = 0
    skipped: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0
    throttled: int = 0
    recovered: int = 0

    @property
    def handled(self) -> int:
        return (
            self.sent
            + self.skipped
            + self.cancelled
            + self.retried
            + self.failed
            + self.postponed
            + self.throttled
        )


def claim_due(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Atomically mark up to `limit` due pending rows as ours and return them."""
    token = uuid.uuid4().hex
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    session.commit()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.claim_token == token)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    )


def shared_records(session: Session, batch: list[OutboxMessage]) -> list:
    """The units of a batch's clients and their staff, in two queries for the whole batch.

    The caller holds the returned list while it sends the batch: the session keeps only
    weak references, and while these are held, every lookup of them by id (the sending
    window, the sender, the contact person) is answered without asking the database.
    Clients and the records messages are about are still read message by message, so an
    opt-out or a changed meeting stops a message at once.
    """
    client_ids = {message.client_id for message in batch}
    units = session.exec(
        select(Unit).where(Unit.id.in_(select(Client.unit_id).where(Client.id.in_(client_ids))))
    ).all()
    if not units:
        return []
    staff = session.exec(select(StaffUser).where(StaffUser.unit_id.in_([u.id for u in units])))
    return [*units, *staff.all()]


def release(session: Session, messages: list[OutboxMessage]) -> None:
    """Give claimed rows back unsent (their try does not count)."""
    for message in messages:
        message.status = OutboxStatus.PENDING
        message.claim_token = None
        message.attempts = max(0, message.attempts - 1)
        session.add(message)
    session.commit()


def _finish(message: OutboxMessage, status: OutboxStatus, now: datetime, error: str | None) -> None:
    message.status = status
    message.last_error = error
    message.final_at = now
    message.updated_at = now


def deliver(session: Session, message: OutboxMessage, transport: Transport, now: datetime) -> str:
    """Compose and send one claimed message; record the outcome. Returns the outcome name.

    A copy goes to the representative's phone in the representative's language.
    """
    client = session.get(Client, message.client_id)
    representative = (
        session.get(Representative, message.representative_id)
        if message.representative_id
        else None
    )
    if representative is None and client.opted_out_at is not None:
        _finish(message, OutboxStatus.SKIPPED, now, "client opted out")
        return "skipped"
    if representative is not None and representative.opted_out_at is not None:
        _finish(message, OutboxStatus.SKIPPED, now, "representative opted out")
        return "skipped"
    if client.consent_at is None:
        _finish(message, OutboxStatus.SKIPPED, now, "no consent recorded")
        return "skipped"
    if representative is None and client.unreachable_at is not None:
        # Staff see the failed number; a corrected number (or a text from it) clears this.
        _finish(message, OutboxStatus.SKIPPED, now, "number unreachable")
        return "skipped"
    # Held while the message is composed, so the check and the facts read the record once.
    _subject = subjects.load(session, message)
    if not subjects.still_wanted(session, message, now):
        _finish(message, OutboxStatus.CANCELLED, now, "no longer current")
        return "cancelled"
    if not message.urgent:
        opens = sending_window.next_open(
            session.get(Unit, client.unit_id).sending_window, now, local_zone()
        )
        if opens > now:  # night or a holiday: wait for the unit's next sending window
            message.status = OutboxStatus.PENDING
            message.due_at = opens
            message.claim_token = None
            message.attempts = max(0, message.attempts - 1)  # not a try
            message.updated_at = now
            return "postponed"

    recipient_phone = representative.phone if representative else client.phone
    language = representative.language if representative else client.language
    facts = base_facts(session, client, representative, now=now)
    if message.subject_type:
        facts |= subjects.facts(session, message, client, now)
    if message.channel == "sms":  # every SMS links to its picture page (the welcome: overview)
        purpose = LinkPurpose.OVERVIEW if message.kind == "welcome" else LinkPurpose.MESSAGE
        facts["link"] = links.url(links.create(session, client, purpose, now, message))
    composition = compose(message.kind, facts, language, message.channel)
    if composition.fallback:
        # The client gets Swedish with an interpreter line; staff see why in the audit log.
        audit.record(
            session,
            "translation_missing",
            client_id=client.id,
            subject_type="outbox_message",
            subject_id=message.id,
            detail=f"{message.kind} in {language}: {len(composition.missing)} strings missing",
        )
    outgoing = Outgoing(
        message_id=message.id,
        to=recipient_phone,
        channel=message.channel,
        kind=message.kind,
        body=composition.text,
        language=composition.lang,
        encoding=composition.encoding,
        segments=composition.segments,
        call_url=(
            f"{current_app.config['PUBLIC_BASE_URL']}/twilio/voice/reminder/{message.id}"
            if message.channel == "voice"
            else None
        ),
    )
    message.to_phone = recipient_phone
    message.language = composition.lang
    message.encoding = composition.encoding
    message.segments = composition.segments
    try:
        accepted = transport.send(outgoing)
    except TransportError as exc:
        if exc.throttled:  # the provider asks us to slow down: wait, and do not count it
            message.status = OutboxStatus.PENDING
            message.due_at = now + THROTTLE_PAUSE
            message.attempts = max(0, message.attempts - 1)
            message.last_error = str(exc)[:300]
            message.claim_token = None
            return "throttled"
        if exc.permanent or message.attempts >= MAX_ATTEMPTS:
            _finish(message, OutboxStatus.FAILED, now, str(exc)[:300])
            return "failed"
        message.status = OutboxStatus.PENDING
        message.due_at = now + retry_delay(message.attempts)
        message.last_error = str(exc)[:300]
        message.claim_token = None
        return "retried"
    audit.record(
        session,
        "message_sent",
        client_id=client.id,
        subject_type="outbox_message",
        subject_id=message.id,
        detail=f"{message.kind} by {message.channel}" + (" (copy)" if representative else ""),
    )
    message.status = OutboxStatus.SENT
    message.provider_id = accepted.provider_id
    message.body = composition.text
    message.sent_at = now
    message.updated_at = now
    return "sent"


def send_due(
    now: datetime | None = None,
    *,
    transport: Transport | None = None,
    batch_size: int | None = None,
) -> SweepResult:
    """One sweep: send everything due now, batch by batch. Safe to run in parallel."""
    transport = transport or get_transport()
    batch_size = batch_size or current_app.config["SWEEP_BATCH_SIZE"]
    result = SweepResult()
    timeout = timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])
    # One connection for the whole sweep: a session on the engine would return it to the
    # pool after each message's commit and check it out (and ping it) again for the next.
    with (
        get_engine().connect() as connection,
        Session(bind=connection, expire_on_commit=False) as session,
    ):
        settled = recovery.recover_stale(session, transport, now or utcnow(), timeout)
        result.recovered = sum(settled.values())
        throttled = False
        while not throttled:
            moment = now or utcnow()
            batch = claim_due(session, moment, batch_size)
            if not batch:
                break
            shared = shared_records(session, batch)  # held until the batch is done
            for index, message in enumerate(batch):
                if throttled:  # give the rest of the batch back untouched
                    release(session, batch[index:])
                    break
                try:
                    outcome = deliver(session, message, transport, moment)
                except Exception:
                    # A bug in composing must not stop the sweep or lose the message:
                    # it is marked failed with the reason, for staff to see and retry.
                    session.rollback()
                    log.exception("Could not compose message %s (%s)", message.id, message.kind)
                    message = session.get(OutboxMessage, message.id)
                    _finish(message, OutboxStatus.FAILED, moment, "could not compose the message")
                    outcome = "failed"
                session.add(message)
                session.commit()
                setattr(result, outcome, getattr(result, outcome) + 1)
                throttled = outcome == "throttled"
            del shared
            if len(batch) < batch_size:
                break
    if result.handled:
        log.info(
            "Sweep: %d sent, %d retried, %d failed, %d skipped, %d cancelled, %d postponed, "
            "%d throttled",
            result.sent,
            result.retried,
            result.failed,
            result.skipped,
            result.cancelled,
            result.postponed,
            result.throttled,
        )
    return result
