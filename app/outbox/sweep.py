"""The sweep: claim due outbox rows, compose them and hand them to the transport, once each.

Claiming is one UPDATE over a sub-select (with FOR UPDATE SKIP LOCKED on PostgreSQL), so
overlapping sweeps in any number of processes never claim the same row twice.

A message too long for one text (app/words/compose.py: never cut, split between rows) goes out
as several. Its row carries part 1; each further part gets an outbox row of its own
(`first_part_id` pointing at the first, its own dedupe key, provider id and status),
created claimed with the first before anything is handed over and sent right after it in
the same sweep. Delivery reports and crash recovery then work per row as for any message;
a part whose first never went out is removed, and the message is composed afresh.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app import access, audit
from app.db import get_engine
from app.models import (
    Client,
    LinkPurpose,
    OutboxMessage,
    OutboxStatus,
    Representative,
    Unit,
    utcnow,
)
from app.outbox import batch_reads, delivery, recovery, sending_window, subjects
from app.outbox.facts import base_facts
from app.outbox.kinds import get_kind
from app.outbox.planner import local_zone
from app.pages import links
from app.transports import Outgoing, Transport, TransportError, get_transport
from app.words.compose import compose
from app.words.sms_encoding import measure

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
THROTTLE_PAUSE = timedelta(seconds=30)  # after HTTP 429: the sweep stops, rows wait this long
# A batch's records are read once; it is sent within this long of the reads, or given back
# (an opt-out or a changed meeting reaches the sweep within it).
FRESH_FOR = timedelta(seconds=10)


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


def release(session: Session, messages: list[OutboxMessage], *, commit: bool = True) -> None:
    """Give claimed rows back unsent (their try does not count)."""
    for message in messages:
        message.status = OutboxStatus.PENDING
        message.claim_token = None
        message.attempts = max(0, message.attempts - 1)
        session.add(message)
    if commit:
        session.commit()


def _finish(message: OutboxMessage, status: OutboxStatus, now: datetime, error: str | None) -> None:
    message.status = status
    message.last_error = error
    message.final_at = now
    message.updated_at = now


@dataclass
class Prepared:
    """A claimed message composed and ready to hand over, with the rows of its further
    parts when it is sent as several texts (handed over only after it)."""

    message: OutboxMessage
    outgoing: Outgoing
    link: dict | None  # its page link's row, saved before it goes out
    followers: list["Prepared"] = field(default_factory=list)


def is_later_part(message: OutboxMessage) -> bool:
    """Whether the row carries part 2, 3 … of a message whose first part went out."""
    return message.first_part_id is not None


def _stored_text(message: OutboxMessage) -> bool:
    # A part of a split message is sent again as it was (a retry, or a part that did not go
    # out with its first): the client has, or will get, the other parts as they were.
    return message.part is not None and message.body is not None


def _outgoing(message: OutboxMessage, to: str, body: str, language: str) -> Outgoing:
    size = measure(body)
    return Outgoing(
        message_id=message.id,
        to=to,
        channel=message.channel,
        kind=message.kind,
        body=body,
        language=language,
        encoding=size.encoding,
        segments=size.segments,
        call_url=(
            f"{current_app.config['PUBLIC_BASE_URL']}/twilio/voice/reminder/{message.id}"
            if message.channel == "voice"
            else None
        ),
    )


def _follower(
    session: Session, message: OutboxMessage, number: int, total: int, text: str, to: str
) -> Prepared:
    """The row of one further part, claimed with the first, added to the session."""
    size = measure(text)
    attempt = (message.claim_token or uuid.uuid4().hex)[:8]
    row = message.follow_on(
        # The first's claim token in the key: a try that never went out leaves no key
        # behind that the next try's parts would collide with.
        dedupe_key=f"{message.dedupe_key}:part:{number}:{attempt}",
        due_at=message.due_at,
        status=OutboxStatus.SENDING,
        attempts=1,
        claim_token=message.claim_token,
        claimed_at=message.claimed_at,
        to_phone=to,
        language=message.language,
        body=text,
        encoding=size.encoding,
        segments=size.segments,
        part=number,
        parts=total,
        first_part_id=message.id,
    )
    session.add(row)
    return Prepared(row, _outgoing(row, to, text, message.language or ""), None)


def prepare(session: Session, message: OutboxMessage, now: datetime) -> Prepared | str:
    """Check and compose one claimed message. Returns what to hand over, or the outcome's
    name when it is not to be sent now (the row is then settled: skipped, cancelled or
    postponed). A copy goes to the representative's phone in the representative's language.
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
    if representative is not None and not access.may_receive_copy(
        representative, get_kind(message.kind).copy_category
    ):  # removed, opted out, or no longer allowed this kind since it was planned
        reason = "representative opted out" if representative.opted_out_at else "not allowed"
        _finish(message, OutboxStatus.SKIPPED, now, reason)
        return "skipped"
    if client.consent_at is None:
        _finish(message, OutboxStatus.SKIPPED, now, "no consent recorded")
        return "skipped"
    if representative is None and client.unreachable_at is not None:
        # Staff see the failed number; a corrected number (or a text from it) clears this.
        _finish(message, OutboxStatus.SKIPPED, now, "number unreachable")
        return "skipped"
    # A later part finishes a text the client has the start of: it goes, as it was.
    if not is_later_part(message) and not subjects.still_wanted(session, message, now):
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
            return "postponed"

    language = representative.language if representative else client.language
    to = representative.phone if representative else client.phone
    if _stored_text(message):
        return Prepared(message, _outgoing(message, to, message.body, message.language), None)
    if is_later_part(message):  # its text is gone (retention): the first part was long ago
        _finish(message, OutboxStatus.CANCELLED, now, "the text of this part is no longer kept")
        return "cancelled"
    facts = base_facts(session, client, representative, now=now)
    if message.subject_type:
        facts |= subjects.facts(session, message, client, now)
    link = None
    if message.channel == "sms":  # a link to its picture page (the welcome: the overview)
        purpose = LinkPurpose.OVERVIEW if message.kind == "welcome" else LinkPurpose.MESSAGE
        token, link = links.issue(client, purpose, now, message)
        facts["link"] = links.url(token)
    composition = compose(message.kind, facts, language, message.channel)
    if link is not None and facts["link"] not in composition.text:
        link = None  # this kind's SMS shows no link: no page to keep a key to
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
    message.language = composition.lang
    if message.channel != "sms" or len(composition.parts) < 2:
        message.part = message.parts = None
        body = composition.text if message.channel != "sms" else composition.parts[0]
        return Prepared(message, _outgoing(message, to, body, composition.lang), link)
    total = len(composition.parts)
    message.part, message.parts = 1, total
    prepared = Prepared(
        message, _outgoing(message, to, composition.parts[0], composition.lang), link
    )
    prepared.followers = [
        _follower(session, message, number, total, text, to)
        for number, text in enumerate(composition.parts[1:], 2)
    ]
    return prepared


def hand_over(prepared: Prepared, transport: Transport, now: datetime) -> str:
    """Give one prepared message to the transport and note the outcome on its row (the
    caller commits, with sent_event() for a message sent). Returns the outcome's name."""
    message, outgoing = prepared.message, prepared.outgoing
    message.to_phone = outgoing.to
    message.language = outgoing.language
    message.encoding = outgoing.encoding
    message.segments = outgoing.segments
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
    message.status = OutboxStatus.SENT
    message.provider_id = accepted.provider_id
    message.body = outgoing.body
    message.sent_at = now
    return "sent"


def sent_event(prepared: Prepared) -> dict:
    """The audit event of a message (or one part of it) handed over."""
    message = prepared.message
    return audit.entry(
        "message_sent",
        client_id=message.client_id,
        subject_type="outbox_message",
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


def _count(result: SweepResult, outcome: str) -> None:
    setattr(result, outcome, getattr(result, outcome) + 1)


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
                _finish(message, OutboxStatus.FAILED, now, "could not compose the message")
                prepared = "failed"
            if isinstance(prepared, str):
                _count(result, prepared)
            else:
                reads.going_out(message)
                ready.append(prepared)
        links.save_all(session, [p.link for p in ready if p.link])
        session.commit()
    throttled, rest, events = False, [], []
    for index, prepared in enumerate(ready):
        if throttled or (index and time.monotonic() - started > FRESH_FOR.total_seconds()):
            rest = ready[index:]
            break
        outcome = hand_over(prepared, transport, now)
        _count(result, outcome)
        if outcome == "sent":
            events.append(sent_event(prepared))
        throttled = outcome == "throttled"
        if throttled and prepared.link:  # refused outright: its link went nowhere
            links.discard(session, [prepared.link])
        if outcome != "sent":
            drop_followers(session, [prepared])
            continue
        for follower in prepared.followers:
            if throttled:  # waits, as a part whose first went out, and is sent later
                release(session, [follower.message], commit=False)
                continue
            # Its id was given when the batch was saved, after it was prepared.
            follower.outgoing = replace(follower.outgoing, message_id=follower.message.id)
            part_outcome = hand_over(follower, transport, now)
            _count(result, part_outcome)
            if part_outcome == "sent":
                events.append(sent_event(follower))
            throttled = part_outcome == "throttled"
    audit.record_all(session, events)
    if rest:
        give_back(session, rest)
    session.commit()  # with the outcomes and their audit events (give_back's, if any)
    # Reports Twilio sent before these ids were committed, looked for after the commit.
    handed = [p.message for item in ready for p in (item, *item.followers)]
    delivery.apply_early_reports(session, [m for m in handed if m.provider_id])
    return throttled, len(rest)


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
            if throttled or (len(batch) < size and not given_back):
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
