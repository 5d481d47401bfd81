"""Retention: what clients wrote and what we sent is deleted after MESSAGE_RETENTION_DAYS
(default 90); the records around it (who, when, which kind, delivery status) after
RECORD_RETENTION_DAYS (default 730); the audit log after AUDIT_RETENTION_DAYS (default
1825); an API write's stored answer (for Idempotency-Key retries) after 24 hours.
The worker runs this daily (job `retention`); `flask retention` runs it by hand.

Retention is code, not a promise: each step is one UPDATE or DELETE by date, safe to run
again and in several processes at once.
"""

import logging
from datetime import datetime, timedelta

import click
from flask import current_app
from sqlalchemy import delete, update
from sqlmodel import Session, select

from app.api import idempotency
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
    utcnow,
)

log = logging.getLogger(__name__)

CALL_STEP_KEEP = timedelta(days=1)  # a call's screens are needed only while it lasts
LOGIN_ATTEMPT_KEEP = timedelta(days=30)
OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def _count(result) -> int:
    return max(result.rowcount or 0, 0)


def remove_texts(session: Session, cutoff: datetime) -> dict[str, int]:
    """Blank every message text older than the cutoff (the rows stay)."""
    return {
        "outbox bodies": _count(
            session.exec(
                update(OutboxMessage)
                .where(
                    OutboxMessage.body.is_not(None),
                    OutboxMessage.status.not_in(OPEN),
                    OutboxMessage.created_at < cutoff,
                )
                .values(body=None)
            )
        ),
        "inbound texts": _count(
            session.exec(
                update(InboundMessage)
                .where(
                    InboundMessage.received_at < cutoff,
                    (InboundMessage.body.is_not(None))
                    | (InboundMessage.media != "")
                    | (InboundMessage.reply.is_not(None)),
                )
                .values(body=None, media="", reply=None)
            )
        ),
        "staff texts": _count(
            session.exec(
                update(StaffMessage)
                .where(StaffMessage.text.is_not(None), StaffMessage.created_at < cutoff)
                .values(text=None)
            )
        ),
        "callback recordings": _count(
            session.exec(
                update(CallbackRequest)
                .where(
                    CallbackRequest.recording_url.is_not(None),
                    CallbackRequest.created_at < cutoff,
                )
                .values(recording_url=None)
            )
        ),
    }


def remove_records(session: Session, cutoff: datetime) -> dict[str, int]:
    """Delete finished records older than the cutoff, children before parents."""
    old_outbox = select(OutboxMessage.id).where(
        OutboxMessage.created_at < cutoff, OutboxMessage.status.not_in(OPEN)
    )
    old_inbound = select(InboundMessage.id).where(InboundMessage.received_at < cutoff)
    session.exec(
        update(StaffMessage)
        .where(StaffMessage.in_reply_to_id.in_(old_inbound))
        .values(in_reply_to_id=None)
    )
    counts = {
        "links": _count(
            session.exec(
                delete(LinkToken).where(
                    (LinkToken.outbox_message_id.in_(old_outbox)) | (LinkToken.expires_at < cutoff)
                )
            )
        ),
    }
    counts["outbox rows"] = _count(
        session.exec(delete(OutboxMessage).where(OutboxMessage.id.in_(old_outbox)))
    )
    counts["inbound rows"] = _count(
        session.exec(delete(InboundMessage).where(InboundMessage.id.in_(old_inbound)))
    )
    counts["staff messages"] = _count(
        session.exec(delete(StaffMessage).where(StaffMessage.created_at < cutoff))
    )
    counts["callbacks"] = _count(
        session.exec(
            delete(CallbackRequest).where(
                CallbackRequest.created_at < cutoff, CallbackRequest.handled_at.is_not(None)
            )
        )
    )
    return counts


def purge(session: Session, now: datetime, config: dict) -> dict[str, int]:
    """Run every retention step for `now`; returns what each removed."""
    counts = remove_texts(session, now - timedelta(days=config["MESSAGE_RETENTION_DAYS"]))
    counts |= remove_records(session, now - timedelta(days=config["RECORD_RETENTION_DAYS"]))
    counts["call steps"] = _count(
        session.exec(delete(CallStep).where(CallStep.created_at < now - CALL_STEP_KEEP))
    )
    counts["login attempts"] = _count(
        session.exec(delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPT_KEEP))
    )
    counts["idempotency answers"] = idempotency.purge_expired(session, now)
    counts["audit events"] = _count(
        session.exec(
            delete(AuditEvent).where(
                AuditEvent.at < now - timedelta(days=config["AUDIT_RETENTION_DAYS"])
            )
        )
    )
    return counts


def run_retention(now: datetime | None = None) -> dict[str, int]:
    """One retention run in its own transaction; logs counts only."""
    with session_scope() as session:
        counts = purge(session, now or utcnow(), current_app.config)
    removed = {k: v for k, v in counts.items() if v}
    if removed:
        log.info("Retention removed: %s", ", ".join(f"{k} {v}" for k, v in removed.items()))
    return counts


@click.command("retention")
def retention_command() -> None:
    """Delete message texts, records and audit events past their retention periods."""
    for name, count in run_retention().items():
        click.echo(f"{name}: {count}")
