"""Rows a stopped worker left in `sending`, and the rule that settles them.

A worker claims a batch of rows (status `sending`, with a claim token and time), hands them
to the provider one by one and then records the batch's results in one commit (within
app/outbox/sweep.py's FRESH_FOR of claiming). If the process dies in between (SIGKILL, power
loss, a deploy), those rows stay in `sending`. Once it is older than
CLAIM_TIMEOUT_SECONDS, any worker takes it over (compare-and-set on the claim token) and
asks the provider whether a message to that number was created through its API since the
claim (`outbound-api`: not our TwiML answer to a text the client sent meanwhile, nor a
call dialled from another call):

- one the outbox does not know yet: it was sent. The row becomes `sent` with that id, and
  delivery reports update it as usual (one that came while the id was unknown is applied
  now, app/outbox/delivery.py). Never sent twice.
- none: it was never handed over. The row goes back to `pending`, due now, and is sent once.
- the provider cannot be asked: the row waits for the next sweep. After GIVE_UP it is
  marked `failed` with "may or may not have been sent", and staff see it on Today to check
  with the client. Never silently dropped.

A message sent as several texts has a row per part, claimed together and handed over in
order, so the rows are settled in that order too and each takes the provider's next
message. A later part that was not sent goes out when its first part was; when the first
was not sent either, the part's row is removed: the message is composed again, whole.
"""

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import audit
from app.models import (
    Client,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Representative,
    SubjectType,
    saved_id,
)
from app.outbox import delivery
from app.transports import Transport, TransportError
from app.transports.failover import provider_of

log = logging.getLogger(__name__)

GIVE_UP = timedelta(hours=24)


def _take_over(session: Session, message: OutboxMessage) -> bool:
    """Claim a stale row for this worker; False when another worker got there first."""
    token = uuid.uuid4().hex
    taken = session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.status) == OutboxStatus.SENDING,
            col(OutboxMessage.claim_token) == message.claim_token,
        )
        .values(claim_token=token)  # claimed_at stays: it says since when to look
    )
    session.commit()
    return taken.rowcount == 1


def _recipient(session: Session, message: OutboxMessage) -> str:
    if message.representative_id:
        return session.get_one(Representative, message.representative_id).phone
    return session.get_one(Client, message.client_id).phone


def _settle(session: Session, message: OutboxMessage, transport: Transport, now: datetime) -> str:
    claimed_at = message.claimed_at
    if claimed_at is None:  # recover_stale picks rows by their claim's time
        raise ValueError("A stale row without a claim")
    try:
        candidates = transport.find_sent(
            saved_id(message), _recipient(session, message), message.channel, claimed_at
        )
    except TransportError:
        if now - claimed_at < GIVE_UP:
            return "unknown"
        message.status = OutboxStatus.FAILED
        message.last_error = "worker stopped while sending; may or may not have been sent"
        message.final_at = now
        return "failed"
    known = set(
        session.exec(
            select(OutboxMessage.provider_id).where(col(OutboxMessage.provider_id).in_(candidates))
        )
    )
    unknown = [c for c in candidates if c not in known]
    first = session.get(OutboxMessage, message.first_part_id) if message.first_part_id else None
    if not unknown and first is not None and first.provider_id is None:
        if first.status == OutboxStatus.SENDING:  # its first part is not settled yet
            return "unknown"
        session.delete(message)
        return "removed"
    if unknown:
        message.status = OutboxStatus.SENT
        message.provider_id = unknown[-1]  # the oldest one since the claim
        message.provider = (  # with failover, either provider may have sent it
            message.channel
            if message.channel == OutboxChannel.EMAIL
            else provider_of(message.provider_id, transport.name)
        )
        message.sent_at = claimed_at
        message.last_error = "worker stopped after sending; found at the provider"
        return "sent"
    message.status = OutboxStatus.PENDING
    message.first_due_at = message.first_due_at or message.due_at  # still late since then
    message.due_at = now
    message.claim_token = None
    message.attempts = max(0, message.attempts - 1)  # the interrupted try did not count
    message.last_error = "worker stopped before sending; sent again"
    return "pending"


def recover_stale(
    session: Session, transport: Transport, now: datetime, timeout: timedelta
) -> dict[str, int]:
    """Settle every row left in `sending` for longer than `timeout`. Returns counts."""
    counts: dict[str, int] = {}
    stale = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            col(OutboxMessage.claimed_at) < now - timeout,
        )
        # In the order they were sent: with two rows to one number, the earlier row takes
        # the provider's earlier message.
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
    ).all()
    for message in stale:
        if not _take_over(session, message):
            continue
        session.refresh(message)
        outcome = _settle(session, message, transport, now)
        if outcome == "removed":  # a later part of a message that went out in no part
            session.commit()
            counts[outcome] = counts.get(outcome, 0) + 1
            continue
        if outcome != "unknown":
            audit.record(
                session,
                "stale_claim_settled",
                client_id=message.client_id,
                subject_type=SubjectType.OUTBOX_MESSAGE,
                subject_id=message.id,
                detail=outcome,
            )
        message.updated_at = now
        session.add(message)
        session.commit()
        if outcome == "sent":
            delivery.apply_early_reports(session, [message])
        counts[outcome] = counts.get(outcome, 0) + 1
    if counts:
        log.warning("Settled rows a stopped worker left in sending: %s", counts)
    return counts
