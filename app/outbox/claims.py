"""Claiming due outbox rows, giving them back, and settling them.

Claiming is one UPDATE over a sub-select (with FOR UPDATE SKIP LOCKED on PostgreSQL), so
overlapping sweeps in any number of processes never claim the same row twice
(`app.db.claimable`)."""

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db import claimable
from app.models import OutboxMessage, OutboxStatus


def claim_due(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Atomically mark up to `limit` due pending rows as ours and return them."""
    token = uuid.uuid4().hex
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, col(OutboxMessage.due_at) <= now)
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
        .limit(limit)
    )
    session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(claimable(session, due)))
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
            .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
        )
    )


def release(session: Session, messages: list[OutboxMessage], *, commit: bool = True) -> None:
    """Give claimed rows back unsent (their try does not count)."""
    for message in messages:
        message.status = OutboxStatus.PENDING
        message.claim_token = None
        message.attempts = max(0, message.attempts - 1)
        session.add(message)
    if commit:
        session.commit()


def finish(message: OutboxMessage, status: OutboxStatus, now: datetime, error: str | None) -> None:
    """Settle a claimed row for good: sent no more (skipped, cancelled or failed)."""
    message.status = status
    message.last_error = error
    message.final_at = now
    message.updated_at = now
