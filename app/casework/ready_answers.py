"""A case worker's ready answers: short replies in plain Swedish, translated like every
client text, so a client who reads Arabic gets an answer in Arabic, not Swedish inside
Arabic greetings.

Each answer is its own message kind, answer_<key> (messages/answer_<key>.j2, listed in
app/outbox/kinds.py). Some name a record of the client's: a planned meeting, a document from the
catalog, or a day. The choice is kept with the staff message (see `stored`) and the
message is composed when it is sent, like every message, from the records as they are
then: a meeting moved again meanwhile is told at its new time, and a cancelled one is
not told at all.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from app.casework import appointments, catalog, checklists, current_records
from app.casework.contacts import display_phone, parse_office_hours
from app.casework.deadlines import add_working_days
from app.errors import N_, InvalidInput
from app.models import Appointment, AppointmentStatus, Client, StaffMessage, StaffUser, Unit
from app.outbox.kinds import STAFF_ANSWERS
from app.outbox.planner import local_date

# How far ahead a day in an answer may be ("we answer by ...", "we call you on ...").
MAX_DAYS_AHEAD = 60


@dataclass(frozen=True)
class Needs:
    """What an answer names: a meeting (required, or optional), a document, a day."""

    appointment: str | None = None  # "required" or "optional"
    document: bool = False
    day: bool = False


NEEDS: dict[str, Needs] = {
    "yes": Needs(),
    "no": Needs(),
    "papers_received": Needs(),
    "text_received": Needs(day=True),
    "call_me": Needs(),
    "we_call": Needs(day=True),
    "meeting_moved": Needs(appointment="required"),
    "bring": Needs(appointment="optional", document=True),
    "interpreter": Needs(appointment="required"),
    "nothing_to_do": Needs(),
}
assert tuple(NEEDS) == STAFF_ANSWERS, "app/outbox/kinds.py and NEEDS list the same answers"

# What each answer says, in staff words for the answer form and the outbox (the Swedish
# staff words are the client text itself, with what it names left open).
LABELS: dict[str, str] = {
    "yes": N_("Yes, that works."),
    "no": N_("No, that does not work. Call me on …"),
    "papers_received": N_("We have got your papers. Thank you!"),
    "text_received": N_("We have got your text. We will answer by … (a day)"),
    "call_me": N_("I want to talk with you about this. Call me on …"),
    "we_call": N_("We will call you on … (a day)"),
    "meeting_moved": N_("We have moved your meeting. This is the new time: … (a meeting)"),
    "bring": N_("Bring … (a document), to your meeting if you choose one"),
    "interpreter": N_("We are booking an interpreter for your meeting … (a meeting)"),
    "nothing_to_do": N_("You do not need to do anything now."),
}


@dataclass(frozen=True)
class Answer:
    """A chosen ready answer with what it names."""

    key: str
    appointment_id: int | None = None
    document: str | None = None
    day: date | None = None

    @property
    def kind(self) -> str:
        """The message kind that says it."""
        return f"answer_{self.key}"


def stored(answer: Answer) -> tuple[str, str]:
    """How an answer is kept with its staff message: the key, and what it names as JSON."""
    values = {
        "appointment": answer.appointment_id,
        "document": answer.document,
        "day": answer.day.isoformat() if answer.day else None,
    }
    return answer.key, json.dumps({k: v for k, v in values.items() if v is not None})


def of(staff_message: StaffMessage) -> Answer | None:
    """The ready answer a staff message holds, or None for typed words."""
    if not staff_message.answer:
        return None
    values = json.loads(staff_message.answer_facts or "{}")
    return Answer(
        key=staff_message.answer,
        appointment_id=values.get("appointment"),
        document=values.get("document"),
        day=date.fromisoformat(values["day"]) if values.get("day") else None,
    )


def document_keys() -> list[str]:
    """Every document in the catalog, in its order."""
    return list(catalog.entries(catalog.configured_dir(), "documents"))


def missing_documents(session: Session, client: Client) -> list[str]:
    """The documents the client's open checklists still wait for, without repeats."""
    missing: list[str] = []
    for checklist in current_records.open_checklists(session, client):
        for item in checklists.items(session, checklist):
            if item.received_at is None and item.document_type not in missing:
                missing.append(item.document_type)
    return missing


def meetings(session: Session, client: Client, now: datetime) -> list[Appointment]:
    """The meetings an answer may name: the client's planned meetings still ahead."""
    return current_records.upcoming_appointments(session, client, now)


def default_day(key: str, now: datetime) -> date:
    """The day the form suggests: two working days ahead for an answer by a day (what the
    automatic reply promises), the next working day for a call."""
    return add_working_days(local_date(now), 2 if key == "text_received" else 1)


def choose(
    session: Session,
    client: Client,
    key: str,
    *,
    appointment_id: int | None,
    document: str | None,
    day: date | None,
    now: datetime,
) -> Answer:
    """Check a chosen answer against the client's records; keep only what it names.
    Raises InvalidInput naming the form field at fault."""
    if key not in NEEDS:
        raise InvalidInput({"answer": N_("Choose one of the ready answers.")})
    needs = NEEDS[key]
    errors: dict[str, str] = {}
    if needs.appointment is None:
        appointment_id = None
    elif appointment_id is None:
        if needs.appointment == "required":
            errors["appointment"] = N_("Choose the meeting the answer is about.")
    elif appointment_id not in {a.id for a in meetings(session, client, now)}:
        errors["appointment"] = N_("Choose one of the client's planned meetings.")
    if not needs.document:
        document = None
    elif document not in document_keys():
        errors["document"] = N_("Choose the document the client should bring.")
    if not needs.day:
        day = None
    else:
        today = local_date(now)
        if day is None or not today <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
            errors["day"] = N_("Choose a day from today up to 60 days ahead.")
    if errors:
        raise InvalidInput(errors)
    return Answer(key, appointment_id=appointment_id, document=document, day=day)


def author_contact(session: Session, author: StaffUser | None, client: Client) -> dict:
    """The case worker who answers, as someone to call: their work phone (the unit's when
    they have none) and the unit's hours."""
    unit = session.get_one(Unit, client.unit_id)
    phone = (author.phone if author else "") or unit.phone
    return {
        "name": author.name if author else "",
        "phone": display_phone(phone),
        "tel": phone,
        "hours": parse_office_hours(unit.office_hours),
        "stands_in_for": "",
    }


def facts(
    session: Session, answer: Answer, client: Client, author: StaffUser | None, now: datetime
) -> dict:
    """What the answer's template says, from the records as they are now."""
    meeting = session.get(Appointment, answer.appointment_id) if answer.appointment_id else None
    return {
        "me": author_contact(session, author, client),
        "appointment": (
            appointments.facts(session, meeting, client, now)["appointment"] if meeting else None
        ),
        "document": answer.document,
        "answer_day": answer.day,
    }


def still_true(session: Session, answer: Answer, now: datetime) -> bool:
    """An answer about a meeting is sent only while the meeting is planned and ahead; an
    answer that names a day, only until that day is over."""
    if answer.appointment_id is not None:
        meeting = session.get(Appointment, answer.appointment_id)
        if meeting is None or meeting.status != AppointmentStatus.PLANNED:
            return False
        if meeting.starts_at <= now:
            return False
    return answer.day is None or answer.day >= local_date(now)
