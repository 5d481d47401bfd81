"""POST /twilio/sms: every text is stored, acted on once, and answered with TwiML.

The text and what acting on it changes are committed together, in one transaction; when
acting fails, nothing half done is kept and the text is stored alone, marked for a person
(so it is never lost and never half acted on). A retried webhook (same MessageSid) gets
the answer given the first time and changes nothing. Odd input never gives a 5xx: the
text is kept and the sender gets an answer.
A number that texts many times in a short while is still read and acted on, but gets only
a few automatic answers, then one notice, then silence (app/sms/floods.py).
"""

import logging
import uuid
from datetime import datetime
from typing import NamedTuple

from flask import Blueprint, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from twilio.twiml.messaging_response import MessagingResponse

from app import access
from app.db import get_session, holding
from app.models import InboundMessage, Intent, utcnow
from app.phone import InvalidPhoneNumber, mask_phone, normalise_phone
from app.sms import floods
from app.sms.keywords import as_stored
from app.sms.respond import respond
from app.twilio_requests import form_value, twilio_signed, twiml

bp = Blueprint("sms", __name__)
log = logging.getLogger(__name__)

MAX_BODY = 1600  # Twilio's own limit for one (concatenated) message
MAX_MEDIA = 10


def _reply(text: str) -> Response:
    document = MessagingResponse()
    if text:
        document.message(text[:MAX_BODY])
    return twiml(document)


def _from_number(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidPhoneNumber:
        return raw.strip()[:40] or "unknown"


def _earlier_reply(session: Session, provider_id: str) -> str:
    earlier = session.exec(
        select(InboundMessage).where(InboundMessage.provider_id == provider_id)
    ).one()
    return earlier.reply or ""


def _keep_unread(session: Session, stored: "Stored") -> InboundMessage | None:
    """Store a text that could not be acted on, for a person to read (None when the same
    text was stored meanwhile by the provider's retry)."""
    inbound = InboundMessage(**stored._asdict(), intent=Intent.ERROR, needs_answer=True)
    session.add(inbound)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return inbound


def _mark_flood(session: Session, inbound: InboundMessage, standing: floods.Standing) -> None:
    """Staff still hear of a flood whose first held text could not be acted on."""
    try:
        floods.mark(session, inbound, standing, inbound.received_at)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("Could not mark the flood at inbound message %s", inbound.id)


@bp.post("/twilio/sms")
@twilio_signed
def inbound_sms() -> Response:
    """One text from anyone to one of our numbers."""
    media = [
        form_value(f"MediaUrl{i}", 500) for i in range(MAX_MEDIA) if form_value(f"MediaUrl{i}", 500)
    ]
    reply = receive_text(
        provider_id=form_value("MessageSid", 64) or f"missing-{uuid.uuid4().hex}",
        from_raw=form_value("From", 40),
        to_raw=form_value("To", 40),
        body=form_value("Body", 5000),
        media=media,
        opt_out_type=form_value("OptOutType", 10),
    )
    return _reply(reply)


def receive_text(
    *,
    provider_id: str,
    from_raw: str,
    to_raw: str,
    body: str,
    media: list[str],
    opt_out_type: str = "",
) -> str:
    """Store one inbound text (from any provider's webhook), act on it once and return the
    answer to send back ('' for none). A text already stored under `provider_id` (the
    provider's retry) changes nothing and gets the answer given the first time."""
    session = get_session()
    to_phone = _from_number(to_raw)
    with holding(session):
        stored = Stored(
            provider_id=provider_id,
            from_phone=_from_number(from_raw),
            to_phone=to_phone,
            unit_id=access.unit_reached(session, to_phone),  # staff see it if acting fails
            body=as_stored(body),
            media="\n".join(media),
            received_at=utcnow(),
        )
        return _receive(session, stored, opt_out_type)


class Stored(NamedTuple):
    """What is stored of a text whatever becomes of it."""

    provider_id: str
    from_phone: str
    to_phone: str
    unit_id: int | None
    body: str
    media: str
    received_at: datetime


def _receive(session: Session, stored: Stored, opt_out_type: str) -> str:
    inbound = InboundMessage(**stored._asdict())
    session.add(inbound)
    try:
        session.flush()  # its id, and a retry (the same provider id) found before acting
    except IntegrityError:  # the provider sent this text before (a retry): answer as then
        session.rollback()
        return _earlier_reply(session, stored.provider_id)

    standing = None
    try:
        standing = floods.standing(session, inbound)
        reply = respond(session, inbound, opt_out_type=opt_out_type, now=inbound.received_at)
        # Acted on in full above; within a flood only the automatic answer is held back.
        reply = floods.answer(session, inbound, reply, standing, inbound.received_at)
        inbound.reply = reply[:MAX_BODY]
        session.add(inbound)
        session.commit()  # the text and all that was done with it, at once
    except Exception:
        # Nothing half done is kept; the text is, marked for staff, and the sender still
        # gets a valid answer.
        session.rollback()
        log.exception("Could not act on an inbound text from %s", mask_phone(stored.from_phone))
        kept = _keep_unread(session, stored)
        if kept is None:  # a retry stored it meanwhile
            return _earlier_reply(session, stored.provider_id)
        inbound, reply = kept, ""
        if standing is not None and standing.first:
            _mark_flood(session, inbound, standing)
    log.info(
        "Inbound SMS %s from %s: %s", inbound.id, mask_phone(inbound.from_phone), inbound.intent
    )
    return reply
