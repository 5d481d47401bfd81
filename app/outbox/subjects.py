"""What each message is about: the record type, its facts, and whether it is still current.

One table, so the sweep composes any kind the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.casework import (
    appointments,
    callbacks,
    checklists,
    clients,
    decisions,
    handovers,
    staff_messages,
)
from app.models import (
    Appointment,
    CallbackRequest,
    Checklist,
    Client,
    Decision,
    Handover,
    OutboxMessage,
    StaffMessage,
)


@dataclass(frozen=True)
class Subject:
    """How the sweep reads one type of record."""

    model: type
    facts: Callable[[Session, object, Client, datetime], dict]
    still_wanted: Callable[[Session, OutboxMessage, object, datetime], bool]


SUBJECTS: dict[str, Subject] = {
    "client": Subject(Client, clients.facts, clients.still_wanted),
    "appointment": Subject(Appointment, appointments.facts, appointments.still_wanted),
    "checklist": Subject(Checklist, checklists.facts, checklists.still_wanted),
    "decision": Subject(Decision, decisions.facts, decisions.still_wanted),
    "handover": Subject(Handover, handovers.facts, handovers.still_wanted),
    "callback": Subject(CallbackRequest, callbacks.facts, callbacks.still_wanted),
    "staff_message": Subject(StaffMessage, staff_messages.facts, staff_messages.still_wanted),
}


def models() -> dict[str, type]:
    """Each subject type's table, for reading a batch's records at once."""
    return {name: subject.model for name, subject in SUBJECTS.items()}


def load(session: Session, message: OutboxMessage):
    """The record a message is about, or None if it is gone."""
    subject = SUBJECTS.get(message.subject_type or "")
    return session.get(subject.model, message.subject_id) if subject else None


def still_wanted(session: Session, message: OutboxMessage, now: datetime) -> bool:
    """Whether a due message still says something true about its record."""
    subject = SUBJECTS.get(message.subject_type or "")
    if subject is None:
        return message.subject_type is None
    record = load(session, message)
    return record is not None and subject.still_wanted(session, message, record, now)


def facts(session: Session, message: OutboxMessage, client: Client, now: datetime) -> dict:
    """The facts about the message's record, for its template."""
    subject = SUBJECTS[message.subject_type]
    return subject.facts(session, load(session, message), client, now)
