"""A case worker's words to a client: their own, sent as typed, or a ready answer, sent
in the recipient's language; signed with their name either way.

Typed text is not translated; the greeting and the signature around it are, in the
recipient's language. A ready answer (app/casework/ready_answers.py) is translated whole. An
answer to a representative's text goes to that representative (greeted by their own name,
told whom it is about), never to the client. Staff see the segment count before sending
and a warning when the recipient does not read Swedish.
"""

import re
from datetime import datetime

from sqlmodel import Session

from app.casework import ready_answers
from app.casework.ready_answers import Answer
from app.errors import N_, InvalidInput
from app.models import (
    Client,
    InboundMessage,
    OutboxMessage,
    Representative,
    StaffMessage,
    StaffUser,
    SubjectType,
    saved_id,
    utcnow,
)
from app.outbox.facts import staff_name
from app.outbox.planner import add_message

MAX_LENGTH = 320  # with greeting, signature and link: three segments in GSM-7
# Control characters would break the row markers composition uses; tabs and line breaks
# are kept as spaces and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """The text as it will be sent: control characters removed, spaces trimmed."""
    return _CONTROL.sub("", (text or "").replace("\t", " ").replace("\r\n", "\n")).strip()


def send(
    session: Session,
    client: Client,
    *,
    text: str = "",
    author: StaffUser,
    in_reply_to: InboundMessage | None = None,
    now: datetime | None = None,
    answer: Answer | None = None,
) -> StaffMessage:
    """Plan a staff member's text (or, with `answer`, a ready answer) to a client, to go
    out at once; an answer to a text goes to whoever wrote it (the client, or their
    representative)."""
    now = now or utcnow()
    chosen, named = ready_answers.stored(answer) if answer is not None else (None, None)
    body: str | None = None  # a ready answer is stored as its key and facts, not as text
    if answer is None:
        body = clean(text)
        if not body:
            raise InvalidInput({"text": N_("Write the message.")})
        if len(body) > MAX_LENGTH:
            raise InvalidInput({"text": N_("The message is too long: at most 320 characters.")})
    message = StaffMessage(
        client_id=saved_id(client),
        staff_id=author.id,
        text=body,
        answer=chosen,
        answer_facts=named,
        in_reply_to_id=in_reply_to.id if in_reply_to else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    add_message(
        session,
        kind=answer.kind if answer else "staff_message",
        client=client,
        dedupe_key=f"staff_message:{message.id}",
        due_at=now,
        subject_type=SubjectType.STAFF_MESSAGE,
        subject_id=message.id,
        copies=False,
        to_representative=recipient_representative(session, in_reply_to),
    )
    return message


def recipient_representative(
    session: Session, in_reply_to: InboundMessage | None
) -> Representative | None:
    """The representative an answer goes to: the one who wrote the text, if one did."""
    if in_reply_to is None or in_reply_to.representative_id is None:
        return None
    return session.get(Representative, in_reply_to.representative_id)


def _answer_facts(representative: Representative | None, client: Client) -> dict:
    if representative is None:
        return {}
    copy = {"name": representative.name, "role": representative.role, "reply": True}
    return {"copy": copy | {"client": client.first_name}}


def still_wanted(
    session: Session, message: OutboxMessage, staff_message: StaffMessage, now: datetime
) -> bool:
    """Sent unless its text has been removed (or a ready answer no longer holds: its
    meeting cancelled or past, its day gone)."""
    answer = ready_answers.of(staff_message)
    if answer is not None:
        return ready_answers.still_true(session, answer, now)
    return bool(staff_message.text)


def facts(session: Session, staff_message: StaffMessage, client: Client, now: datetime) -> dict:
    """The typed text (or what a ready answer names) and who wrote it (and, for an answer
    to a representative, whom it is about, greeting the representative by name)."""
    in_reply_to = (
        session.get(InboundMessage, staff_message.in_reply_to_id)
        if staff_message.in_reply_to_id
        else None
    )
    representative = recipient_representative(session, in_reply_to)
    answer = ready_answers.of(staff_message)
    said = (
        ready_answers.facts(
            session, answer, client, session.get(StaffUser, staff_message.staff_id), now
        )
        if answer
        else {"text": staff_message.text or ""}
    )
    return (
        said
        | {"author": staff_name(session, staff_message.staff_id)}
        | _answer_facts(representative, client)
    )


def preview(
    session: Session,
    client: Client,
    *,
    text: str = "",
    author: StaffUser,
    now: datetime,
    in_reply_to: InboundMessage | None = None,
    answer: Answer | None = None,
    language: str | None = None,
):
    """The message as its recipient would get it now (or in `language`, to show the
    Swedish beside it), without saving anything."""
    from app.outbox.facts import base_facts
    from app.pages import links
    from app.words.compose import compose

    representative = recipient_representative(session, in_reply_to)
    facts = base_facts(session, client, representative, now=now)
    facts |= (
        ready_answers.facts(session, answer, client, author, now)
        if answer
        else {"text": clean(text)}
    )
    facts |= {"author": author.name} | _answer_facts(representative, client)
    facts["link"] = links.url("x" * 22)  # a real link has 22 characters
    language = language or reader_language(client, representative)
    return compose(answer.kind if answer else "staff_message", facts, language, "sms")


def reader_language(client: Client, representative: Representative | None) -> str:
    """The language the recipient of an answer reads: the representative's, when the
    answer goes to them."""
    return representative.language if representative else client.language
