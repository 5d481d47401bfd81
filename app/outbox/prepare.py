"""Preparing one claimed message: is it still to go, and now; then its words, its page link
and, for a text too long for one SMS, the rows of its further parts.

A message too long for one text (app/words/compose.py: never cut, split between rows) goes
out as several. Its row carries part 1; each further part gets an outbox row of its own
(`first_part_id` pointing at the first, its own dedupe key, provider id and status),
created claimed with the first before anything is handed over and sent right after it in
the same sweep.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flask import current_app
from sqlmodel import Session

from app import access, audit
from app.casework import closing
from app.models import (
    Client,
    LinkPurpose,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Representative,
    SubjectType,
    Unit,
)
from app.outbox import email_copies, phone_hours, subjects
from app.outbox.claims import finish
from app.outbox.facts import base_facts
from app.outbox.kinds import get_kind
from app.outbox.planner import local_zone
from app.pages import links
from app.transports import Outgoing
from app.words import email
from app.words.compose import compose
from app.words.sms_encoding import measure


class Outcome(StrEnum):
    """What became of one claimed message in a sweep."""

    SENT = "sent"
    SKIPPED = "skipped"  # nobody may get it (opted out, no consent, unreachable, not allowed)
    CANCELLED = "cancelled"  # what it was about changed or is gone
    RETRIED = "retried"  # the provider failed for now: tried again later
    FAILED = "failed"  # for good
    POSTPONED = "postponed"  # outside the sending window, or bad news outside phone hours
    THROTTLED = "throttled"  # the provider asked us to slow down


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


def _stored_text(message: OutboxMessage) -> str | None:
    # A part of a split message is sent again as it was (a retry, or a part that did not go
    # out with its first): the client has, or will get, the other parts as they were.
    return message.body if message.part is not None else None


def outgoing(message: OutboxMessage, to: str, body: str, language: str) -> Outgoing:
    """What the transport gets for this row: the text measured, and for a call the URL
    Twilio fetches its words from."""
    size = measure(body)
    return Outgoing(
        # A further part has no id yet: the batch's flush gives it, and the sweep puts it
        # here before the part is handed over (app/outbox/sweep.py).
        message_id=message.id,  # type: ignore[arg-type]
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
    session: Session,
    message: OutboxMessage,
    number: int,
    total: int,
    text: str,
    to: str,
    language: str,
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
        language=language,
        body=text,
        encoding=size.encoding,
        segments=size.segments,
        part=number,
        parts=total,
        first_part_id=message.id,
    )
    session.add(row)
    return Prepared(row, outgoing(row, to, text, language), None)


def prepare(session: Session, message: OutboxMessage, now: datetime) -> Prepared | Outcome:
    """Check and compose one claimed message. Returns what to hand over, or the outcome
    when it is not to be sent now (the row is then settled: skipped, cancelled or
    postponed). A copy goes to the representative's phone in the representative's language.
    """
    client = session.get_one(Client, message.client_id)
    representative = (
        session.get(Representative, message.representative_id)
        if message.representative_id
        else None
    )
    held = _held_back(session, message, client, representative, now)
    if held is not None:
        return held
    language = representative.language if representative else client.language
    to = representative.phone if representative else client.phone
    if message.channel == OutboxChannel.EMAIL:
        to = client.email
    stored = _stored_text(message)
    if stored is not None:
        return Prepared(message, outgoing(message, to, stored, message.language or ""), None)
    if is_later_part(message):  # its text is gone (retention): the first part was long ago
        finish(message, OutboxStatus.CANCELLED, now, "the text of this part is no longer kept")
        return Outcome.CANCELLED
    return _composed(session, message, client, representative, to, language, now)


def _held_back(
    session: Session,
    message: OutboxMessage,
    client: Client,
    representative: Representative | None,
    now: datetime,
) -> Outcome | None:
    """Why the message does not go now (the row settled or postponed), or None."""
    if not access.is_client(client):  # closed: nothing more goes to them or about them
        finish(message, OutboxStatus.CANCELLED, now, closing.NO_LONGER_A_CLIENT)
        return Outcome.CANCELLED
    if representative is None and client.opted_out_at is not None:
        finish(message, OutboxStatus.SKIPPED, now, "client opted out")
        return Outcome.SKIPPED
    if representative is not None and not access.may_receive_copy(
        representative, get_kind(message.kind).copy_category
    ):  # removed, opted out, or no longer allowed this kind since it was planned
        reason = "representative opted out" if representative.opted_out_at else "not allowed"
        finish(message, OutboxStatus.SKIPPED, now, reason)
        return Outcome.SKIPPED
    if client.consent_at is None:
        finish(message, OutboxStatus.SKIPPED, now, "no consent recorded")
        return Outcome.SKIPPED
    if representative is None and message.channel == OutboxChannel.EMAIL:
        # An e-mail depends on the address and the choice, not on the phone.
        why = email_copies.held_back(client)
        if why is not None:
            finish(message, OutboxStatus.SKIPPED, now, why)
            return Outcome.SKIPPED
    elif representative is None and client.unreachable_at is not None:
        # Staff see the failed number; a corrected number (or a text from it) clears this.
        finish(message, OutboxStatus.SKIPPED, now, "number unreachable")
        return Outcome.SKIPPED
    # A later part finishes a text the client has the start of: it goes, as it was.
    if not is_later_part(message) and not subjects.still_wanted(session, message, now):
        finish(message, OutboxStatus.CANCELLED, now, "no longer current")
        return Outcome.CANCELLED
    if not message.urgent:
        opens = phone_hours.next_moment(
            get_kind(message.kind), session.get_one(Unit, client.unit_id), now, local_zone()
        )
        if opens > now:  # night, a holiday, or bad news outside the contact's phone hours
            message.status = OutboxStatus.PENDING
            message.due_at = opens
            message.first_due_at = None  # waiting for the window is by rule, not late
            message.claim_token = None
            message.attempts = max(0, message.attempts - 1)  # not a try
            return Outcome.POSTPONED
    return None


def _mailed(
    message: OutboxMessage, facts: dict, language: str, to: str, link: dict | None
) -> Prepared:
    """The message as an e-mail (app/words/email.py); its text part is what the row keeps."""
    mail = email.compose_mail(
        message.kind,
        facts,
        language,
        to=to,
        topic=message.subject_type or "",
        link=facts["link"],
        message_id=message.id,  # type: ignore[arg-type]  # claimed rows are saved rows
    )
    message.language = mail.lang
    message.part = message.parts = None
    outgoing = Outgoing(
        message_id=message.id,  # type: ignore[arg-type]
        to=to,
        channel=message.channel,
        kind=message.kind,
        body=mail.text,
        language=mail.lang,
        encoding="utf-8",
        segments=0,  # not a text message: costs no SMS
        mail=mail.message,
    )
    return Prepared(message, outgoing, link)


def _composed(
    session: Session,
    message: OutboxMessage,
    client: Client,
    representative: Representative | None,
    to: str,
    language: str,
    now: datetime,
) -> Prepared:
    """The message in words, with its page link, split into parts when it must be."""
    facts = base_facts(session, client, representative, now=now)
    if message.subject_type:
        facts |= subjects.facts(session, message, client, now)
    link = None
    if message.channel in ("sms", "email"):  # a link to its page (a welcome: the overview)
        purpose = (
            LinkPurpose.OVERVIEW if message.kind in links.OVERVIEW_KINDS else LinkPurpose.MESSAGE
        )
        token, link = links.issue(client, purpose, now, message)
        facts["link"] = links.url(token)
    if message.channel == OutboxChannel.EMAIL:
        return _mailed(message, facts, language, to, link)
    composition = compose(message.kind, facts, language, message.channel)
    if link is not None and facts["link"] not in composition.text:
        link = None  # this kind's SMS shows no link: no page to keep a key to
    if composition.fallback:
        # The client gets Swedish with an interpreter line; staff see why in the audit log.
        audit.record(
            session,
            "translation_missing",
            client_id=client.id,
            subject_type=SubjectType.OUTBOX_MESSAGE,
            subject_id=message.id,
            detail=f"{message.kind} in {language}: {len(composition.missing)} strings missing",
        )
    # The row's language is written with the outcome (hand_over): set here as well, it
    # would cost every message a write of its own before it is sent.
    if message.channel != "sms" or len(composition.parts) < 2:
        message.part = message.parts = None
        body = composition.text if message.channel != "sms" else composition.parts[0]
        return Prepared(message, outgoing(message, to, body, composition.lang), link)
    total = len(composition.parts)
    message.part, message.parts = 1, total
    prepared = Prepared(
        message, outgoing(message, to, composition.parts[0], composition.lang), link
    )
    prepared.followers = [
        _follower(session, message, number, total, text, to, composition.lang)
        for number, text in enumerate(composition.parts[1:], 2)
    ]
    return prepared
