"""A message whose last try timed out at the provider, before it is handed over again.

A provider that took the message but did not answer in time may have sent it. With
failover, the next try may even go through the other provider. So, as crash recovery does
(app/outbox/recovery.py), the providers are asked first whether a text to that number was
created through the API since the message first fell due:

- one the outbox does not know: that was this message. It becomes `sent` with that id;
- none: it was not sent, and is handed over now (through whichever provider is up);
- a provider cannot be asked: the message waits for its next try and asks again. After
  recovery.GIVE_UP it is marked failed, "may or may not have been sent", for staff to
  check with the client, never sent twice.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import object_session
from sqlmodel import col, select

from app.models import OutboxChannel, OutboxMessage, OutboxStatus, saved_id
from app.outbox.claims import finish
from app.outbox.prepare import Outcome
from app.outbox.recovery import GIVE_UP
from app.transports import Outgoing, Transport, TransportError
from app.transports.failover import provider_of

log = logging.getLogger(__name__)

# How last_error begins after a try that timed out at the provider (sweep.hand_over).
TIMED_OUT_PREFIX = "provider timed out"
WAIT_TO_ASK = 4  # minutes until a message whose provider could not be asked asks again


def timed_out(message: OutboxMessage) -> bool:
    """Whether the message's last try timed out at the provider."""
    return (message.last_error or "").startswith(TIMED_OUT_PREFIX)


def ask_before_resending(
    message: OutboxMessage, outgoing: Outgoing, transport: Transport, now: datetime
) -> Outcome | None:
    """Settle a message whose last try timed out from what the providers say: SENT when one
    of them sent it, RETRIED (it waits) or FAILED when they cannot be asked; None when it
    was not sent and is to be handed over now."""
    since = message.first_due_at or message.due_at
    try:
        candidates = transport.find_sent(saved_id(message), outgoing.to, outgoing.channel, since)
    except TransportError as exc:
        if now - since >= GIVE_UP:
            finish(message, OutboxStatus.FAILED, now, "timed out at the provider; may or "
                   "may not have been sent")  # fmt: skip
            return Outcome.FAILED
        log.warning("Message %s waits: the provider cannot say if it was sent (%s)",
                    message.id, exc)  # fmt: skip
        message.status = OutboxStatus.PENDING
        message.due_at = now + timedelta(minutes=WAIT_TO_ASK)
        message.attempts = max(0, message.attempts - 1)  # asking is not a try
        message.claim_token = None
        return Outcome.RETRIED
    session = object_session(message)
    known: set[str | None] = set()
    if session is not None and candidates:
        known = set(
            session.scalars(
                select(OutboxMessage.provider_id).where(
                    col(OutboxMessage.provider_id).in_(candidates)
                )
            )
        )
    unknown = [candidate for candidate in candidates if candidate not in known]
    if not unknown:
        return None
    message.status = OutboxStatus.SENT
    message.provider_id = unknown[-1]  # the oldest one since it fell due
    message.provider = (
        OutboxChannel.EMAIL
        if outgoing.channel == OutboxChannel.EMAIL
        else provider_of(message.provider_id, transport.name)
    )
    message.body = outgoing.body
    message.sent_at = now
    message.last_error = "timed out at the provider; found there, not sent again"
    return Outcome.SENT
