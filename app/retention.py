"""Retention: what clients wrote and what we sent is deleted after MESSAGE_RETENTION_DAYS
(default 90); the records around it (who, when, which kind, delivery status) after
RECORD_RETENTION_DAYS (default 730); the audit log after AUDIT_RETENTION_DAYS (default
1825); an API write's stored answer (for Idempotency-Key retries) after 24 hours; an API
key's count of requests in a minute an hour after that minute; webhook deliveries as
app/webhooks/retention.py says (30 days, never beyond MESSAGE_RETENTION_DAYS).
For a client closed as no longer a client the periods run from the closing at the latest:
their words go MESSAGE_RETENTION_DAYS after it, and RECORD_RETENTION_DAYS after it the
client and every row about them (app/casework/erasure.py; the audit log stays).
The worker runs this daily (job `retention`); `flask retention` runs it by hand.

Retention is code, not a promise: each step is an UPDATE or DELETE by date, safe to run
again and in several processes at once.

Retention reaches the provider too: what the provider keeps of a text whose words are
removed here (the message, its pictures, a recording left for the case worker, a reminder
call) is queued in provider_deletion in the same transaction, and deleted there through
the transport after our own deletion is committed. A deletion there that fails stays
queued for the next run and never holds up ours.
"""

import logging
from datetime import datetime, timedelta

import click
from flask import current_app
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.api import idempotency, rate_limits
from app.casework import closing, erasure
from app.db import session_scope
from app.models import (
    AuditEvent,
    CallbackRequest,
    CallStep,
    InboundMessage,
    LinkToken,
    LoginAttempt,
    OutboxMessage,
    OutboxStatus,
    StaffMessage,
    StaffSession,
    utcnow,
)
from app.models.messaging import OutboxChannel, ProviderDeletion, ProviderItem
from app.outbox import delivery
from app.transports import Transport, TransportError, get_provider
from app.webhooks import retention as webhook_retention

log = logging.getLogger(__name__)

CALL_STEP_KEEP = timedelta(days=1)  # a call's screens are needed only while it lasts
LOGIN_ATTEMPT_KEEP = timedelta(days=30)
STAFF_SESSION_KEEP = timedelta(days=30)  # ended staff sessions, like sign-in attempts
OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)
CHUNK = 500  # ids per UPDATE: well inside every database's limit on parameters


def _count(result) -> int:
    return max(result.rowcount or 0, 0)


def _blank(session: Session, model, condition, values: dict, *columns) -> list[tuple]:
    """Set `values` on the rows matching `condition`; returns `columns` as they were before,
    for exactly the rows this run changed (runs at once never both take the same row)."""
    found = session.exec(select(model.id, *columns).where(condition).with_for_update()).all()
    changed = []
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        ids = set(
            session.exec(
                update(model)
                .where(model.id.in_([row[0] for row in chunk]), condition)
                .values(**values)
                .returning(model.id)
            ).scalars()
        )
        changed += [tuple(row[1:]) for row in chunk if row[0] in ids]
    return changed


def _old(moment_column, client_column, cutoff: datetime, closed=None):
    """Older than the cutoff, or about a client among `closed` (a select of ids)."""
    condition = moment_column < cutoff
    return condition if closed is None else condition | col(client_column).in_(closed)


def remove_texts(session: Session, cutoff: datetime, closed=None) -> dict[str, int]:
    """Blank every message text older than the cutoff, and every text about the clients
    `closed` (a select of ids) whatever its age (the rows stay), and queue what the
    provider keeps of them for deletion there."""
    outbox = _blank(
        session,
        OutboxMessage,
        (col(OutboxMessage.body).is_not(None))
        & (col(OutboxMessage.status).not_in(OPEN))
        & _old(OutboxMessage.created_at, OutboxMessage.client_id, cutoff, closed),
        {"body": None},
        OutboxMessage.provider_id,
        OutboxMessage.channel,
    )
    inbound = _blank(
        session,
        InboundMessage,
        _old(InboundMessage.received_at, InboundMessage.client_id, cutoff, closed)
        & (
            (col(InboundMessage.body).is_not(None))
            | (InboundMessage.media != "")
            | (col(InboundMessage.reply).is_not(None))
        ),
        {"body": None, "media": "", "reply": None},
        InboundMessage.provider_id,
        InboundMessage.media,
    )
    staff = session.exec(
        update(StaffMessage)
        .where(
            col(StaffMessage.text).is_not(None),
            _old(StaffMessage.created_at, StaffMessage.client_id, cutoff, closed),
        )
        .values(text=None)
    )
    recordings = _blank(
        session,
        CallbackRequest,
        (col(CallbackRequest.recording_url).is_not(None))
        & _old(CallbackRequest.created_at, CallbackRequest.client_id, cutoff, closed),
        {"recording_url": None},
        CallbackRequest.recording_url,
    )
    queued = [
        (ProviderItem.CALL if channel == OutboxChannel.VOICE else ProviderItem.MESSAGE, ref)
        for ref, channel in outbox
        if ref and channel != OutboxChannel.EMAIL  # a mail server keeps nothing of ours
    ]
    for ref, media in inbound:
        queued += [(ProviderItem.MEDIA, url.strip()) for url in media.splitlines() if url.strip()]
        queued.append((ProviderItem.MESSAGE, ref))
    queued += [(ProviderItem.RECORDING, url) for (url,) in recordings]
    session.add_all(ProviderDeletion(item=item, ref=ref[:500]) for item, ref in queued)
    return {
        "outbox bodies": len(outbox),
        "inbound texts": len(inbound),
        "staff texts": _count(staff),
        "callback recordings": len(recordings),
    }


def remove_records(session: Session, cutoff: datetime) -> dict[str, int]:
    """Delete finished records older than the cutoff, children before parents."""
    old_outbox = select(OutboxMessage.id).where(
        OutboxMessage.created_at < cutoff, col(OutboxMessage.status).not_in(OPEN)
    )
    old_inbound = select(InboundMessage.id).where(InboundMessage.received_at < cutoff)
    session.exec(
        update(StaffMessage)
        .where(col(StaffMessage.in_reply_to_id).in_(old_inbound))
        .values(in_reply_to_id=None)
    )
    counts = {
        "links": _count(
            session.exec(
                delete(LinkToken).where(
                    (col(LinkToken.outbox_message_id).in_(old_outbox))
                    | (LinkToken.expires_at < cutoff)
                )
            )
        ),
    }
    counts["outbox rows"] = _count(
        session.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(old_outbox)))
    )
    counts["inbound rows"] = _count(
        session.exec(delete(InboundMessage).where(col(InboundMessage.id).in_(old_inbound)))
    )
    counts["staff messages"] = _count(
        session.exec(delete(StaffMessage).where(col(StaffMessage.created_at) < cutoff))
    )
    counts["callbacks"] = _count(
        session.exec(
            delete(CallbackRequest).where(
                col(CallbackRequest.created_at) < cutoff,
                # An unknown caller's request nobody made goes too: no client to keep it
                # for. A client's waits while they are one (and goes with them).
                col(CallbackRequest.handled_at).is_not(None)
                | col(CallbackRequest.client_id).is_(None),
            )
        )
    )
    return counts


def purge(session: Session, now: datetime, config: dict) -> dict[str, int]:
    """Run every retention step for `now`; returns what each removed."""
    words_cutoff = now - timedelta(days=config["MESSAGE_RETENTION_DAYS"])
    records_cutoff = now - timedelta(days=config["RECORD_RETENTION_DAYS"])
    # A closed client's words go at the first of the two: their provider copies are queued
    # here, before erasure deletes the rows that name them.
    closed = closing.closed_before(max(words_cutoff, records_cutoff))
    counts = remove_texts(session, words_cutoff, closed)
    counts |= remove_records(session, records_cutoff)
    counts |= erasure.erase_closed(session, records_cutoff)
    counts["call steps"] = _count(
        session.exec(delete(CallStep).where(col(CallStep.created_at) < now - CALL_STEP_KEEP))
    )
    counts["login attempts"] = _count(
        session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < now - LOGIN_ATTEMPT_KEEP))
    )
    # Every staff session started this long ago has ended (SESSION_ABSOLUTE_HOURS <= 7 days).
    counts["staff sessions"] = _count(
        session.exec(
            delete(StaffSession).where(col(StaffSession.started_at) < now - STAFF_SESSION_KEEP)
        )
    )
    counts["idempotency answers"] = idempotency.purge_expired(session, now)
    counts["API rate counts"] = rate_limits.purge_old(session, now)
    counts["early delivery reports"] = delivery.purge_early_reports(session, now)
    counts |= webhook_retention.purge(session, now, config["MESSAGE_RETENTION_DAYS"])
    counts["audit events"] = _count(
        session.exec(
            delete(AuditEvent).where(
                col(AuditEvent.at) < now - timedelta(days=config["AUDIT_RETENTION_DAYS"])
            )
        )
    )
    return counts


def delete_at_provider(transport: Transport, now: datetime) -> dict[str, int]:
    """Delete at the provider what retention removed here, oldest first, one short
    transaction each and none open while the provider is asked. A deletion that fails
    stays queued for the next run; a provider that throttles us or cannot be reached ends
    this run's deletions (the rest wait for the next run)."""
    with session_scope() as session:
        waiting = session.exec(
            select(ProviderDeletion.id, ProviderDeletion.item, ProviderDeletion.ref).order_by(
                col(ProviderDeletion.id)
            )
        ).all()
    deleted = 0
    for row_id, item, ref in waiting:
        try:
            transport.delete_stored(item, ref)
        except TransportError as exc:
            with session_scope() as session:
                session.exec(
                    update(ProviderDeletion)
                    .where(col(ProviderDeletion.id) == row_id)
                    .values(
                        attempts=ProviderDeletion.attempts + 1,
                        tried_at=now,
                        last_error=str(exc)[:300],
                    )
                )
            if exc.throttled or exc.code is None:
                log.warning("Provider deletions wait for the next run: %s", exc)
                break
            log.warning("Could not delete a %s at the provider (tried again next run): %s",
                        item, exc)  # fmt: skip
            continue
        with session_scope() as session:
            session.exec(delete(ProviderDeletion).where(col(ProviderDeletion.id) == row_id))
        deleted += 1
    return {"deleted at the provider": deleted, "waiting at the provider": len(waiting) - deleted}


def run_retention(
    now: datetime | None = None, transport: Transport | None = None
) -> dict[str, int]:
    """One retention run: our own deletions in one transaction, then the provider's
    (through `transport`, by default the app's); logs counts only."""
    now = now or utcnow()
    with session_scope() as session:
        counts = purge(session, now, current_app.config)
    counts |= delete_at_provider(transport or get_provider(), now)
    removed = {k: v for k, v in counts.items() if v}
    if removed:
        log.info("Retention removed: %s", ", ".join(f"{k} {v}" for k, v in removed.items()))
    return counts


@click.command("retention")
def retention_command() -> None:
    """Delete message texts, records and audit events past their retention periods."""
    for name, count in run_retention().items():
        click.echo(f"{name}: {count}")
