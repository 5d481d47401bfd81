"""Acting on one stored text: STOP and START for every role of the number, a stranger's
answer, "whose?" for someone known in several ways, and otherwise the conversation.
`respond` is what the webhook calls; `reply_to` answers a stored text later (floods)."""

from datetime import datetime

from sqlmodel import Session

from app import access, audit
from app.access import Role
from app.models import Client, InboundMessage, Intent, Representative, Unit
from app.outbox.facts import unit_called, unit_facts
from app.senders import Sender, holder_name, identify, whose_choices
from app.sms import threads
from app.sms.conversation import Conversation
from app.sms.keywords import Reading, read
from app.words.compose import compose
from app.words.languages import get_language


def answer_unknown(session: Session, inbound: InboundMessage, now: datetime) -> str:
    """A stranger gets the unit's number and nothing about anyone; staff of the unit whose
    number was texted see the text."""
    inbound.intent = Intent.UNKNOWN_SENDER
    inbound.needs_answer = True
    unit = unit_called(session, inbound.to_phone)
    if unit is None:
        return ""
    inbound.unit_id = unit.id
    return to_stranger("reply_unknown_sender", unit)


def to_stranger(kind: str, unit: Unit) -> str:
    """An answer to a number we do not know: about the unit only, and since we cannot know
    a stranger's language, in Swedish, then English (understood from anyone)."""
    return "\n\n".join(compose(kind, unit_facts(unit), code, "sms").text for code in ("sv", "en"))


def reply_to(session: Session, inbound: InboundMessage, kind: str, now: datetime) -> str:
    """An answer of `kind` to a stored text, for whoever sent it as `respond` read them:
    the client, the representative (greeted by name, about the client) or a stranger."""
    if inbound.client_id is None:
        unit = session.get(Unit, inbound.unit_id) if inbound.unit_id else None
        unit = unit or unit_called(session, inbound.to_phone)
        return to_stranger(kind, unit) if unit else ""
    client = session.get_one(Client, inbound.client_id)
    representative = (
        session.get(Representative, inbound.representative_id)
        if inbound.representative_id
        else None
    )
    sender = Sender(Role(client, representative))
    return Conversation(session, inbound, sender, now).say(kind)


def _opt_out(
    session: Session, inbound: InboundMessage, holders: list, action: str, now: datetime
) -> None:
    """STOP and START reach every role of the number: one phone, one switch."""
    for holder in holders:
        holder.opted_out_at = (holder.opted_out_at or now) if action == "stop" else None
        session.add(holder)
        client_id = holder.id if isinstance(holder, Client) else holder.client_id
        audit.record(
            session,
            "opted_out" if action == "stop" else "opted_in",
            **audit.sender_actor(holder if isinstance(holder, Representative) else None),
            client_id=client_id,
            detail="representative" if isinstance(holder, Representative) else "client",
        )
    inbound.intent = action


def _switch(session: Session, inbound: InboundMessage, sender: Sender, reading: Reading, now):
    """STOP or START, for every role the number has (and, for START, representatives who
    had opted out themselves). Returns the answer, or None when it is neither."""
    if reading.intent not in (Intent.STOP, Intent.START):
        return None
    roles = list(sender.candidates)
    if reading.intent == Intent.START:
        roles += access.roles(session, inbound.from_phone, inbound.to_phone, opted_out=True)
    if not roles:
        return None
    holders = [role.representative or role.client for role in roles]
    _opt_out(session, inbound, holders, reading.intent, now)
    first = roles[0]
    inbound.client_id = first.client.id
    inbound.unit_id = first.client.unit_id
    inbound.representative_id = first.representative.id if first.representative else None
    conversation = Conversation(session, inbound, Sender(first, tuple(roles)), now)
    return "reply_stopped" if reading.intent == Intent.STOP else "reply_started", conversation


def _whose(session: Session, inbound: InboundMessage, sender: Sender, now: datetime) -> str:
    """Ask someone known in several ways whose matters this is about."""
    inbound.intent = Intent.WHOSE
    first = sender.candidates[0]
    inbound.unit_id = first.client.unit_id
    facts = unit_facts(session.get_one(Unit, first.client.unit_id)) | {
        "holder": holder_name(sender),
        "choices": whose_choices(sender),
    }
    return compose("reply_whose", facts, sender.language, "sms").text


def respond(
    session: Session, inbound: InboundMessage, *, opt_out_type: str = "", now: datetime
) -> str:
    """Act on an inbound text and return the reply ('' for none)."""
    sender = identify(session, inbound.from_phone, inbound.to_phone)
    opt_out_type = opt_out_type.strip().upper()
    language = get_language(sender.language)
    reading = read(inbound.body or ("" if not inbound.media else "media"), language)
    if opt_out_type in ("STOP", "START", "HELP"):
        reading = Reading(Intent(opt_out_type.lower()))
    # What the answer changes is written once, at the caller's commit: reads on the way
    # need not flush each change first.
    with session.no_autoflush:
        switched = _switch(session, inbound, sender, reading, now)
        if switched is not None:
            kind, conversation = switched
            if kind == "reply_stopped" and opt_out_type == "STOP":
                return ""  # Twilio has answered already
            return conversation.say(kind)
        if not sender.candidates:
            return answer_unknown(session, inbound, now)
        if sender.undecided:
            chosen = threads.chosen_role(session, inbound, sender, reading)
            if chosen is None:
                if reading.intent in (Intent.FREE_TEXT, Intent.YES, Intent.NO, Intent.CANCEL):
                    # Not acted on for anyone, but a person reads it.
                    inbound.needs_answer = True
                return _whose(session, inbound, sender, now)
            picked, just_chosen = chosen
            sender = Sender(picked, sender.candidates)
            if just_chosen:
                reading = Reading(Intent.HELP)
        role = sender.role
        if role is None:  # one candidate is the role, and "whose?" picked among several
            raise ValueError("A known number without a role")
        inbound.client_id = role.client.id
        inbound.unit_id = role.client.unit_id
        inbound.representative_id = role.representative.id if role.representative else None
        if role.representative is None and role.client.unreachable_at is not None:
            role.client.unreachable_at = None  # the number works: it just texted us
            session.add(role.client)
        return Conversation(session, inbound, sender, now).answer(reading)
