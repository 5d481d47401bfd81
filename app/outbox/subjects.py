"""What each message is about: the record type, its facts, and whether it is still current.

One table, so the sweep composes any kind the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from app.casework import (
    applications,
    appointments,
    callbacks,
    checklists,
    clients,
    decisions,
    handovers,
    representatives,
    staff_messages,
)
from app.models import (
    Application,
    Appointment,
    CallbackRequest,
    Checklist,
    Client,
    Decision,
    Handover,
    OutboxMessage,
    Representative,
    StaffMessage,
    SubjectType,
)

_Record = TypeVar("_Record")


@dataclass(frozen=True)
class Subject(Generic[_Record]):
    """How the sweep reads one type of record."""

    model: type[_Record]
    facts: Callable[[Session, _Record, Client, datetime], dict]
    still_wanted: Callable[[Session, OutboxMessage, _Record, datetime], bool]


# By the stored subject type (a plain string in the outbox row).
SUBJECTS: dict[str, Subject[Any]] = {
    SubjectType.CLIENT: Subject(Client, clients.facts, clients.still_wanted),
    SubjectType.APPOINTMENT: Subject(Appointment, appointments.facts, appointments.still_wanted),
    SubjectType.CHECKLIST: Subject(Checklist, checklists.facts, checklists.still_wanted),
    SubjectType.DECISION: Subject(Decision, decisions.facts, decisions.still_wanted),
    SubjectType.HANDOVER: Subject(Handover, handovers.facts, handovers.still_wanted),
    SubjectType.APPLICATION: Subject(Application, applications.facts, applications.still_wanted),
    SubjectType.CALLBACK: Subject(CallbackRequest, callbacks.facts, callbacks.still_wanted),
    SubjectType.STAFF_MESSAGE: Subject(
        StaffMessage, staff_messages.facts, staff_messages.still_wanted
    ),
    SubjectType.REPRESENTATIVE: Subject(
        Representative, representatives.facts, representatives.still_wanted
    ),
}


def models() -> dict[str, type]:
    """Each subject type's table, for reading a batch's records at once."""
    return {name: subject.model for name, subject in SUBJECTS.items()}


def type_of(record: object) -> SubjectType:
    """The subject type of a record messages can be about."""
    for subject_type, subject in SUBJECTS.items():
        if isinstance(record, subject.model):
            return SubjectType(subject_type)
    raise TypeError(f"no message is about a {type(record).__name__}")


def load(session: Session, message: OutboxMessage) -> object | None:
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
    subject = SUBJECTS[message.subject_type or ""]
    return subject.facts(session, load(session, message), client, now)
