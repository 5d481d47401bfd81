"""Staff control of single messages: send a failed one again, stop a planned one, mark a
failure seen, and mark what a client sent as handled."""

from datetime import datetime

from sqlmodel import Session

from app.errors import N_, InvalidInput
from app.models import CallbackRequest, InboundMessage, OutboxMessage, OutboxStatus, utcnow

RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)


def send_again(session: Session, message: OutboxMessage, now: datetime | None = None) -> None:
    """Put a failed message back in the queue, due now. It is composed afresh, so it says
    what is true now (and is cancelled if its record changed meanwhile)."""
    now = now or utcnow()
    if message.status not in RETRYABLE:
        raise InvalidInput({"status": N_("Only a message that failed can be sent again.")})
    message.status = OutboxStatus.PENDING
    message.due_at = now
    message.first_due_at = None  # a new try, asked for now
    message.attempts = 0
    message.provider_id = None  # a late report about the failed try must not touch this one
    message.claim_token = None
    message.claimed_at = None
    message.final_at = None
    message.sent_at = None
    message.last_error = None
    message.reviewed_at = now
    message.updated_at = now
    session.add(message)


def stop(session: Session, message: OutboxMessage, now: datetime | None = None) -> None:
    """Cancel a message that has not gone out yet."""
    now = now or utcnow()
    if message.status != OutboxStatus.PENDING:
        raise InvalidInput({"status": N_("Only a message that has not gone out can be stopped.")})
    message.status = OutboxStatus.CANCELLED
    message.last_error = "cancelled by staff"
    message.final_at = now
    message.updated_at = now
    session.add(message)


def mark_reviewed(session: Session, message: OutboxMessage, now: datetime | None = None) -> None:
    """Staff have seen that a message failed; it leaves the Today list."""
    message.reviewed_at = now or utcnow()
    session.add(message)


def mark_handled(
    session: Session,
    item: InboundMessage | CallbackRequest,
    staff_id: int,
    now: datetime | None = None,
) -> None:
    """A text answered or a call made: it leaves the lists of things to do."""
    item.handled_at = now or utcnow()
    item.handled_by_id = staff_id
    session.add(item)


def reopen(session: Session, item: InboundMessage | CallbackRequest) -> None:
    """Undo 'handled' (pressed by mistake)."""
    item.handled_at = None
    item.handled_by_id = None
    session.add(item)
