"""Floods and loops: a number that texts us many times in a short while gets a few
automatic answers, then one notice that a person will answer, then silence until it
slows down.

Every text is still stored and acted on: a STOP inside a flood still opts out, a JA still
confirms, free text still waits in the inbox. Only the automatic answer is held back.
Without this, 30 texts in 10 seconds got 30 answers, and another automatic responder
(an out-of-office reply, a shop's bot) would answer our answer for ever, at our cost.

The limit: at most SMS_FLOOD_ANSWERS texts from one number in any SMS_FLOOD_WINDOW_MINUTES
are answered automatically (6 in 10 minutes by default). A person reads each answer and
types the next one; a whole errand by text (HJÄLP, an option, a new language, a JA) is
four to six texts, and people rarely send more than one text a minute. An automatic
responder answers within seconds and reaches the limit in under a minute; 30 texts in
10 seconds is a phone or a script, not someone typing. After the limit, the sender gets
one notice and then nothing: a responder that only answers us has nothing left to answer,
so the loop ends. Someone who keeps texting gets no answer until fewer than the limit of
their texts fall within the last window; then they are answered as usual again.

The count is of the sending number's texts to any of our numbers, read from the database
(the stored texts, each committed before it is counted), so it holds across every web
worker. Texts handled at the same moment by several workers may not yet see each other:
the limit can then be passed by at most the number of workers, and the notice sent twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, func, select

from app import audit
from app.casework.contacts import current_contact
from app.models import Client, InboundMessage, Intent, SubjectType, saved_id
from app.outbox.planner import local_date
from app.phone import mask_phone
from app.sms.respond import reply_to

log = logging.getLogger(__name__)

FLOOD_ACTION = "sms_flood"
NOTICE_KIND = "reply_flood"


@dataclass(frozen=True)
class Limit:
    """How many texts from one number are answered automatically within a window."""

    answers: int
    window: timedelta


@dataclass(frozen=True)
class Standing:
    """Where one text stands in its sender's recent texts."""

    texts: int  # texts from this number within the window before it, this one included
    held: bool  # over the limit: no automatic answer
    first: bool  # the first text held in this flood: the notice, and staff are told


def limit() -> Limit:
    """The configured limit (SMS_FLOOD_ANSWERS per SMS_FLOOD_WINDOW_MINUTES)."""
    config = current_app.config
    return Limit(
        answers=config["SMS_FLOOD_ANSWERS"],
        window=timedelta(minutes=config["SMS_FLOOD_WINDOW_MINUTES"]),
    )


def texts_up_to(
    session: Session, phone: str, message_id: int, at: datetime, window: timedelta
) -> int:
    """How many texts this number sent within `window` before `at`, up to and including
    the text `message_id` (stored texts, so every worker counts the same)."""
    return session.exec(
        select(func.count(col(InboundMessage.id))).where(
            InboundMessage.from_phone == phone,
            InboundMessage.received_at > at - window,
            col(InboundMessage.id) <= message_id,
        )
    ).one()


def standing(session: Session, inbound: InboundMessage) -> Standing:
    """Whether this stored text may be answered automatically, and whether it is the first
    one held back (its sender's text just before it was still under the limit)."""
    rule = limit()
    count = texts_up_to(
        session, inbound.from_phone, saved_id(inbound), inbound.received_at, rule.window
    )
    if count <= rule.answers:
        return Standing(texts=count, held=False, first=False)
    previous = session.exec(
        select(InboundMessage.id, InboundMessage.received_at)
        .where(
            InboundMessage.from_phone == inbound.from_phone,
            col(InboundMessage.id) < inbound.id,
            InboundMessage.received_at > inbound.received_at - rule.window,  # it is, in a flood
        )
        .order_by(col(InboundMessage.id).desc())
        .limit(1)
    ).first()
    previous_held = (
        previous is not None
        and previous[0] is not None  # a stored row's id, typed optional like the model's
        and texts_up_to(session, inbound.from_phone, previous[0], previous[1], rule.window)
        > rule.answers
    )
    return Standing(texts=count, held=True, first=not previous_held)


def answer(
    session: Session, inbound: InboundMessage, reply: str, where: Standing, now: datetime
) -> str:
    """What to send back: the reply under the limit; for the first held text the notice
    (none after a STOP: that sender asked for silence) and a mark for staff; otherwise
    nothing. The text itself has already been acted on."""
    if not where.held:
        return reply
    if not where.first:
        return ""
    mark(session, inbound, where, now)
    if inbound.intent == Intent.STOP:
        return ""
    return notice(session, inbound, now)


def mark(session: Session, inbound: InboundMessage, where: Standing, now: datetime) -> None:
    """Show the flood to staff: the first held text waits for a person's answer (the
    notice promised one) and one audit event names it. No number or body is written."""
    inbound.needs_answer = True
    if inbound.assigned_staff_id is None and inbound.client_id is not None:
        client = session.get_one(Client, inbound.client_id)
        staff = current_contact(session, client, local_date(now)).staff
        inbound.assigned_staff_id = staff.id if staff else None
    session.add(inbound)
    rule = limit()
    audit.record(
        session,
        FLOOD_ACTION,
        client_id=inbound.client_id,
        subject_type=SubjectType.INBOUND_MESSAGE,
        subject_id=inbound.id,
        detail=(
            f"more than {rule.answers} texts in {int(rule.window.total_seconds() // 60)} "
            "minutes: automatic answers held back"
        ),
    )
    log.warning(
        "SMS flood from %s: %d texts in the window, answers held back",
        mask_phone(inbound.from_phone),
        where.texts,
    )


def notice(session: Session, inbound: InboundMessage, now: datetime) -> str:
    """'We got your texts, a person will answer': in the sender's language, or in Swedish
    and English to a number we do not know."""
    return reply_to(session, inbound, NOTICE_KIND, now)


def flood_texts(session: Session, first_held: InboundMessage) -> int:
    """How many texts the number has sent since the window before the flood began."""
    return session.exec(
        select(func.count(col(InboundMessage.id))).where(
            InboundMessage.from_phone == first_held.from_phone,
            InboundMessage.received_at > first_held.received_at - limit().window,
        )
    ).one()
