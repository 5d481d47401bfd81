"""The sweep: claim due outbox rows, compose them and hand them to the transport, once each.

Claiming (app/outbox/claims.py) never gives two sweeps the same row; preparing
(app/outbox/prepare.py) decides whether each message still goes, now, and in which words;
this module hands them over in batches, records the outcomes, and gives back what it could
not send while its reads were fresh. A message sent as several texts goes out part after
part in the same sweep; delivery reports and crash recovery then work per row as for any
message; a part whose first never went out is removed, and the message is composed afresh.
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app import audit, health, metrics
from app.db import get_engine
from app.models import OutboxChannel, OutboxMessage, OutboxStatus, SubjectType, saved_id, utcnow
from app.outbox import batch_reads, delivery, email_copies, recovery, subjects, timeouts
from app.outbox.claims import claim_due, finish, release
from app.outbox.prepare import Outcome, Prepared, prepare
from app.pages import links
from app.transports import Transport, TransportError, get_transport
from app.transports.base import TIMED_OUT
from app.transports.email import ADDRESS_REFUSED

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
THROTTLE_PAUSE = timedelta(seconds=30)  # after HTTP 429: the sweep stops, rows wait this long
# How last_error begins on a row the provider refused to take (HTTP 429, or our credentials
# refused): app/alerts/operations.py finds the rows waiting because of it by this.
REFUSED_PREFIX = "provider refused"
# A batch's records are read once; it is sent within this long of the reads, or given back
# (an opt-out or a changed meeting reaches the sweep within it).
FRESH_FOR = timedelta(seconds=10)
# The outcomes in the order the sweep's log line names them.
LOGGED = (
    Outcome.SENT,
    Outcome.RETRIED,
    Outcome.FAILED,
    Outcome.SKIPPED,
    Outcome.CANCELLED,
    Outcome.POSTPONED,
    Outcome.THROTTLED,
)


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 4, 16, 64 minutes... after each temporary failure."""
    return timedelta(minutes=4 ** max(0, attempts - 1))


def _tally(outcome: Outcome) -> property:
    return property(lambda result: result.counts[outcome], doc=f"Messages {outcome}.")


@dataclass
class SweepResult:
    """What one sweep did: how many messages came to each outcome, and how many rows a
    stopped worker had left that it settled first."""

    counts: Counter[Outcome] = field(default_factory=Counter)
    recovered: int = 0

    sent = _tally(Outcome.SENT)
    skipped = _tally(Outcome.SKIPPED)
    cancelled = _tally(Outcome.CANCELLED)
    retried = _tally(Outcome.RETRIED)
    failed = _tally(Outcome.FAILED)
    postponed = _tally(Outcome.POSTPONED)
    throttled = _tally(Outcome.THROTTLED)

    def count(self, outcome: Outcome, message: OutboxMessage | None = None) -> None:
        self.counts[outcome] += 1
        if message is not None:
            metrics.count_outcome(message.kind, message.channel, outcome)

    @property
    def handled(self) -> int:
        return sum(self.counts.values())


def hand_over(prepared: Prepared, transport: Transport, now: datetime) -> Outcome:
    """Give one prepared message to the transport and note the outcome on its row (the
    caller commits, with sent_event() for a message sent). Returns the outcome's name."""
    message, outgoing = prepared.message, prepared.outgoing
    if outgoing.channel != OutboxChannel.EMAIL:  # an address is not a number (nor kept)
        message.to_phone = outgoing.to
    message.language = outgoing.language
    message.encoding = outgoing.encoding
    message.segments = outgoing.segments
    if timeouts.timed_out(message):  # it may have gone out: ask before sending it again
        settled = timeouts.ask_before_resending(message, outgoing, transport, now)
        if settled is not None:
            return settled
    try:
        accepted = transport.send(outgoing)
    except TransportError as exc:
        if exc.refusal:
            # The provider asks us to slow down, or refuses our credentials: no fault of
            # this message, so it waits, uncounted, instead of failing with all the others.
            metrics.count_refusal(exc.refusal)
            message.status = OutboxStatus.PENDING
            message.first_due_at = message.first_due_at or message.due_at  # late since then
            message.due_at = now + THROTTLE_PAUSE
            message.attempts = max(0, message.attempts - 1)
            message.last_error = f"{REFUSED_PREFIX} ({exc.refusal}): {exc}"[:300]
            message.claim_token = None
            return Outcome.THROTTLED
        if exc.permanent or message.attempts >= MAX_ATTEMPTS:
            finish(message, OutboxStatus.FAILED, now, str(exc)[:300])
            if exc.permanent and exc.code == ADDRESS_REFUSED:
                email_copies.address_refused(message, now)
            return Outcome.FAILED
        message.status = OutboxStatus.PENDING
        message.first_due_at = message.first_due_at or message.due_at  # late since then
        message.due_at = now + retry_delay(message.attempts)
        message.last_error = (
            f"{timeouts.TIMED_OUT_PREFIX}: {exc}" if exc.code == TIMED_OUT else str(exc)
        )[:300]
        message.claim_token = None
        return Outcome.RETRIED
    message.status = OutboxStatus.SENT
    message.provider_id = accepted.provider_id
    # Which provider took it: the failover transport says; otherwise the one configured.
    message.provider = accepted.provider or (
        OutboxChannel.EMAIL if outgoing.channel == OutboxChannel.EMAIL else transport.name
    )
    message.body = outgoing.body
    message.sent_at = now
    return Outcome.SENT


def sent_event(prepared: Prepared) -> dict:
    """The audit event of a message (or one part of it) handed over."""
    message = prepared.message
    return audit.entry(
        "message_sent",
        client_id=message.client_id,
        subject_type=SubjectType.OUTBOX_MESSAGE,
        subject_id=message.id,
        detail=f"{message.kind} by {message.channel}"
        + (" (copy)" if message.representative_id else "")
        + (f" (part {message.part} of {message.parts})" if message.parts else ""),
    )


def claim_size(transport: Transport, batch_size: int) -> int:
    """How many rows to claim at once: a whole batch, or for a paced transport what it can
    send in half of FRESH_FOR, so a batch is sent while its reads are fresh."""
    interval = getattr(transport, "interval", 0.0)
    if not interval:
        return batch_size
    return max(1, min(batch_size, int(FRESH_FOR.total_seconds() / 2 / interval)))


def send_batch(
    session: Session,
    batch: list[OutboxMessage],
    transport: Transport,
    now: datetime,
    result: SweepResult,
) -> tuple[bool, int]:
    """Compose a claimed batch, hand it over and record it, in a fixed number of database
    round trips. Returns (throttled, how many rows were given back unsent).

    1. The batch's records are read at once (app/outbox/batch_reads.py) and every message is
       checked and composed. One commit saves the page links (so each link exists before
       the SMS that carries it goes out) and the rows settled without sending.
    2. The messages are handed over one by one, for at most FRESH_FOR after the reads.
       What is left then, or after the provider asks us to slow down, is given back
       unsent, to be read afresh in the next batch. The further parts of a message sent
       as several follow its first at once; when the first does not go out, they are
       removed (the message is composed afresh, parts and all, when it is tried again).
    3. One commit records every outcome and its audit event. A worker that dies before
       it leaves the rows it handed over in `sending`; app/outbox/recovery.py settles them.
       Delivery reports that came before that commit are applied after it.
    """
    started = time.monotonic()
    ready = _prepare_all(session, batch, now, result)
    throttled = False
    rest: list[Prepared] = []
    events: list[dict] = []
    for index, prepared in enumerate(ready):
        if throttled or (index and time.monotonic() - started > FRESH_FOR.total_seconds()):
            rest = ready[index:]
            break
        throttled = _send_one(session, prepared, transport, now, result, events)
    audit.record_all(session, events)
    if rest:
        give_back(session, rest)
    session.commit()  # with the outcomes and their audit events (give_back's, if any)
    # Reports Twilio sent before these ids were committed, looked for after the commit.
    handed = [p.message for item in ready for p in (item, *item.followers)]
    delivery.apply_early_reports(session, [m for m in handed if m.provider_id])
    return throttled, len(rest)


def _prepare_all(
    session: Session, batch: list[OutboxMessage], now: datetime, result: SweepResult
) -> list[Prepared]:
    """Step 1: read the batch's records at once, check and compose every message, and save
    the page links and the rows settled without sending in one commit."""
    ready: list[Prepared] = []
    with batch_reads.reading(session, batch, now, subjects.models()) as reads:
        for message in batch:
            try:
                prepared = prepare(session, message, now)
            except SQLAlchemyError:
                raise  # the database failed: the rows stay claimed, recovery settles them
            except Exception:
                # A bug in composing must not stop the sweep or lose the message:
                # it is marked failed with the reason, for staff to see and retry.
                log.exception("Could not compose message %s (%s)", message.id, message.kind)
                finish(message, OutboxStatus.FAILED, now, "could not compose the message")
                prepared = Outcome.FAILED
            if isinstance(prepared, Outcome):
                result.count(prepared, message)
            else:
                reads.going_out(message)
                ready.append(prepared)
        links.save_all(session, [p.link for p in ready if p.link])
        session.commit()
    return ready


def _send_one(
    session: Session,
    prepared: Prepared,
    transport: Transport,
    now: datetime,
    result: SweepResult,
    events: list[dict],
) -> bool:
    """Step 2 for one message: hand it over, then its further parts. Returns whether the
    provider asked us to slow down."""
    outcome = hand_over(prepared, transport, now)
    result.count(outcome, prepared.message)
    if outcome == Outcome.SENT:
        events.append(sent_event(prepared))
    throttled = outcome == Outcome.THROTTLED
    if throttled and prepared.link:  # refused outright: its link went nowhere
        links.discard(session, [prepared.link])
    if outcome != Outcome.SENT:
        drop_followers(session, [prepared])
        return throttled
    for follower in prepared.followers:
        if throttled:  # waits, as a part whose first went out, and is sent later
            release(session, [follower.message], commit=False)
            continue
        # Its id was given when the batch was saved, after it was prepared.
        follower.outgoing = replace(follower.outgoing, message_id=saved_id(follower.message))
        part_outcome = hand_over(follower, transport, now)
        result.count(part_outcome, follower.message)
        if part_outcome == Outcome.SENT:
            events.append(sent_event(follower))
        throttled = part_outcome == Outcome.THROTTLED
    return throttled


def drop_followers(session: Session, prepared: list[Prepared]) -> None:
    """Remove the rows of further parts whose first part did not go out: never sent, they
    are made again when the message is composed afresh (the caller commits)."""
    for item in prepared:
        for follower in item.followers:
            session.delete(follower.message)
        item.followers = []


def give_back(session: Session, prepared: list[Prepared]) -> None:
    """Release composed but unsent messages; their page links were never sent: removed,
    and so are the rows of their further parts."""
    links.discard(session, [item.link for item in prepared if item.link])
    drop_followers(session, prepared)
    release(session, [item.message for item in prepared])


def send_due(
    now: datetime | None = None,
    *,
    transport: Transport | None = None,
    batch_size: int | None = None,
) -> SweepResult:
    """One sweep: send everything due now, batch by batch. Safe to run in parallel."""
    with metrics.SWEEP_SECONDS.time():
        return _sweep(now, transport, batch_size)


def _sweep(
    now: datetime | None, transport: Transport | None, batch_size: int | None
) -> SweepResult:
    transport = transport or get_transport()
    size = claim_size(transport, batch_size or current_app.config["SWEEP_BATCH_SIZE"])
    result = SweepResult()
    timeout = timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])
    # One connection for the whole sweep: a session on the engine would return it to the
    # pool after each commit and check it out (and ping it) again for the next.
    with (
        get_engine().connect() as connection,
        Session(bind=connection, expire_on_commit=False) as session,
    ):
        settled = recovery.recover_stale(session, transport, now or utcnow(), timeout)
        result.recovered = sum(settled.values())
        while True:
            moment = now or utcnow()
            batch = claim_due(session, moment, size)
            if not batch:
                break
            throttled, given_back = send_batch(session, batch, transport, moment, result)
            # Alive, for /healthz: a sweep sending for many minutes is not a silent worker.
            health.record_run(session, health.SWEEP_JOB, utcnow())
            if throttled or (len(batch) < size and not given_back):
                break
    if result.handled:
        log.info(
            "Sweep: %d sent, %d retried, %d failed, %d skipped, %d cancelled, %d postponed, "
            "%d throttled",
            *(result.counts[outcome] for outcome in LOGGED),
        )
    return result
