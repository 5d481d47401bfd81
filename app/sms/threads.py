"""What the texts before this one say about it: a number after the language list picks a
language, 1-3 after the feedback question is a score, words after menu option 7 or 8 are
for the unit's managers, and a number after "whose?" says whose matters it is about."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import access
from app.access import Role
from app.models import InboundMessage, Intent, OutboxMessage, StaffMessage
from app.outbox.planner import SENT_STATUSES
from app.senders import Sender
from app.sms.keywords import Reading

LANGUAGE_MENU_TIME = timedelta(minutes=15)  # a number this soon after the list picks a language
FEEDBACK_TIME = timedelta(days=3)  # 1-3 this soon after the question is an answer to it
# Words written this soon after menu option 7 (complain) or 8 (another case worker) are
# for the unit's managers, not the case worker: a complaint often takes several texts, so
# each one written after it counts too, until this has passed since the last of them.
COMPLAINT_TIME = timedelta(hours=24)
# A reply within this long to a manager's answer to such a text goes to the managers too.
ANSWER_THREAD_TIME = timedelta(days=14)
# What the managers' texts are understood as: the option chosen, then the words after it.
FOR_MANAGERS: dict[str, Intent] = {
    Intent.OPTION_7: Intent.COMPLAINT,
    Intent.OPTION_8: Intent.NEW_CASEWORKER,
}
# Someone known in several ways (a representative of two clients, a client of two units)
# answers the list "whose?" with a number this soon after it; the choice then holds while
# they keep texting, until they are quiet this long (or text 0 to choose again).
WHOSE_TIME = timedelta(minutes=30)
CHOOSE_AGAIN = 0


def previous_inbound(session: Session, inbound: InboundMessage) -> InboundMessage | None:
    """The text this number sent to the same number of ours just before this one."""
    return session.exec(
        select(InboundMessage)
        .where(
            InboundMessage.from_phone == inbound.from_phone,
            InboundMessage.to_phone == inbound.to_phone,
            InboundMessage.id != inbound.id,
        )
        .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
    ).first()


def choosing_language(session: Session, inbound: InboundMessage, now: datetime) -> bool:
    """This text follows the language list closely enough for a number to choose one."""
    previous = previous_inbound(session, inbound)
    return (
        previous is not None
        and previous.intent == Intent.LANGUAGE
        and now - previous.received_at <= LANGUAGE_MENU_TIME
    )


def writing_to_managers(
    session: Session, role: Role, inbound: InboundMessage, now: datetime
) -> str | None:
    """'complaint' or 'new_caseworker' when this text continues a thread with the
    managers: option 7 or 8, or words for the managers, from this role within
    COMPLAINT_TIME (a look at the menu in between does not end it); or the last
    message staff sent is a manager's answer to this role's text for them, within
    ANSWER_THREAD_TIME. Once the case worker writes again, texts are theirs."""
    writer = role.representative.id if role.representative else None
    thread = session.exec(
        select(col(InboundMessage.intent), col(InboundMessage.received_at))
        .where(
            InboundMessage.client_id == role.client.id,
            InboundMessage.representative_id == writer
            if writer
            else col(InboundMessage.representative_id).is_(None),
            InboundMessage.id != inbound.id,
            col(InboundMessage.for_managers).is_(True),
            col(InboundMessage.intent).in_([*FOR_MANAGERS, *FOR_MANAGERS.values()]),
        )
        .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
    ).first()
    thread_intent, thread_at = thread or (None, None)
    last_sent = session.exec(
        select(StaffMessage.created_at, InboundMessage)
        .outerjoin(InboundMessage, col(InboundMessage.id) == StaffMessage.in_reply_to_id)
        .where(StaffMessage.client_id == role.client.id)
        .order_by(col(StaffMessage.created_at).desc(), col(StaffMessage.id).desc())
    ).first()
    sent_at, answered = last_sent or (None, None)
    managers_answer = (
        answered is not None and answered.for_managers and answered.representative_id == writer
    )
    if sent_at is not None and not managers_answer:
        if thread_at is None or sent_at > thread_at:
            return None  # the case worker has written since
    if thread_at is not None and now - thread_at <= COMPLAINT_TIME:
        return _understood_as(thread_intent)
    if (
        managers_answer
        and answered is not None
        and sent_at is not None
        and now - sent_at <= ANSWER_THREAD_TIME
    ):
        return _understood_as(answered.intent)
    return None


def _understood_as(intent: str | None) -> str | None:
    """What a text for the managers is understood as: option 7 or 8 as the words after it."""
    return FOR_MANAGERS.get(intent, intent) if intent is not None else None


def answering_feedback(
    session: Session, role: Role, inbound: InboundMessage, now: datetime
) -> bool:
    """The client was asked for feedback lately and has not answered yet: 1-3 is a score."""
    if role.representative is not None:
        return False
    asked = session.exec(
        select(OutboxMessage.sent_at)
        .where(
            OutboxMessage.client_id == role.client.id,
            col(OutboxMessage.representative_id).is_(None),
            OutboxMessage.kind == "feedback_request",
            col(OutboxMessage.status).in_(SENT_STATUSES),
        )
        .order_by(col(OutboxMessage.sent_at).desc())
    ).first()
    if asked is None or now - asked > FEEDBACK_TIME:
        return False
    answered = session.exec(
        select(InboundMessage.id).where(
            InboundMessage.from_phone == inbound.from_phone,
            InboundMessage.intent == Intent.FEEDBACK,
            InboundMessage.received_at >= asked,
        )
    ).first()
    return answered is None


def chosen_role(
    session: Session, inbound: InboundMessage, sender: Sender, reading: Reading
) -> tuple[Role, bool] | None:
    """For a number known in several ways: the role this text is about, from the answer
    to "whose?" or from the texts just before; None when we must ask."""
    previous = previous_inbound(session, inbound)
    if previous is None or inbound.received_at - previous.received_at > WHOSE_TIME:
        return None
    if previous.intent == Intent.WHOSE:
        number = reading.number or 0
        if reading.intent == Intent.NUMBER and 1 <= number <= len(sender.candidates):
            return sender.candidates[number - 1], True
        return None
    if reading.intent == Intent.NUMBER and reading.number == CHOOSE_AGAIN:
        return None
    key = (
        f"r{previous.representative_id}"
        if previous.representative_id
        else (f"c{previous.client_id}" if previous.client_id else None)
    )
    role = access.role_by_key(list(sender.candidates), key)
    return (role, False) if role else None
