"""Sending now, on a case worker's request: a message kind about a client's current record
(their next meeting, open checklist, latest decision …), to one client or a group.

Each message goes through the same planner and send step as planned ones, so it says what
is true when it is composed and copies go to representatives as usual.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.casework import current_records, staff_messages
from app.models import (
    Client,
    Handover,
    OutboxChannel,
    OutboxMessage,
    StaffUser,
    SubjectType,
)
from app.models.base import Row
from app.outbox import subjects
from app.outbox.planner import add_message, at_local, local_date, reminder_channels

# What staff can send now, in the order the form lists them.
SENDABLE = (
    "staff_message",
    "appointment_reminder",
    "checklist_reminder",
    "decision",
    "support_ending",
    "handover",
    "welcome",
)


@dataclass
class Planned:
    """What one client will get (or why nothing)."""

    client: Client
    kind: str | None  # the message kind, None when there is nothing to send about
    subject: Row | None = None  # the record it is about


def latest_handover(session: Session, client: Client, today: date) -> Handover | None:
    return session.exec(
        select(Handover)
        .where(
            Handover.client_id == client.id,
            col(Handover.cancelled_at).is_(None),
            col(Handover.starts_on) <= today,
        )
        .order_by(col(Handover.starts_on).desc(), col(Handover.id).desc())
    ).first()


def resolve(session: Session, client: Client, choice: str, now: datetime) -> Planned:
    """Which kind and record a choice means for this client now."""
    if choice in ("staff_message", "welcome"):
        return Planned(client, choice, client)
    if choice == "appointment_reminder":
        appointment = current_records.next_appointment(session, client, now)
        return Planned(client, choice if appointment else None, appointment)
    if choice == "checklist_reminder":
        checklist = next(iter(current_records.open_checklists(session, client)), None)
        return Planned(client, choice if checklist else None, checklist)
    if choice in ("decision", "support_ending"):
        decision = current_records.latest_decision(session, client)
        if decision is None or (choice == "support_ending" and decision.valid_to is None):
            return Planned(client, None)
        return Planned(
            client, f"decision_{decision.outcome}" if choice == "decision" else choice, decision
        )
    if choice == "handover":
        handover = latest_handover(session, client, local_date(now))
        if handover is None:
            return Planned(client, None)
        kind = "handover_absence" if handover.kind == "absence" else "handover_permanent"
        return Planned(client, kind, handover)
    raise ValueError(f"Unknown choice {choice!r}")


class AlreadySent(Exception):
    """This form was sent before: a double click or a resubmit sends nothing more."""


def form_key(batch: str, client: Client, kind: str, channel: str) -> str:
    """The dedupe key of what one form sends one client: the same form plans it once."""
    return f"now:{batch}:{client.id}:{kind}:{channel}"


def send(
    session: Session,
    planned: Planned,
    *,
    batch: str,
    author: StaffUser,
    text: str = "",
    now: datetime,
) -> list[OutboxMessage]:
    """Plan the message to go out at once. `batch` names the form submission: every message
    it plans carries it in its unique dedupe key, so sending the same form twice, one after
    the other or at the same moment, plans once. Raises AlreadySent when this form's
    message was planned before; a request at the same moment breaks the unique key
    (IntegrityError, at the latest when committing)."""
    if planned.kind is None:
        return []
    client = planned.client
    if planned.kind == "staff_message":
        message = staff_messages.send(session, client, text=text, author=author, now=now)
        row = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.subject_type == SubjectType.STAFF_MESSAGE,
                OutboxMessage.subject_id == message.id,
                col(OutboxMessage.representative_id).is_(None),
                OutboxMessage.channel != OutboxChannel.EMAIL,  # its e-mail copy keeps its key
            )
        ).one()
        # The typed words get a row of their own each time; the form's key on it is what
        # makes a second submit of the same form fail (see the unique key below).
        row.dedupe_key = form_key(batch, client, planned.kind, row.channel)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise AlreadySent from None
        return [row]
    subject = planned.subject
    if subject is None:  # a kind is planned with the record it is about
        raise ValueError(f"Nothing for {planned.kind} to be about")
    subject_type = subjects.type_of(subject)
    channels = reminder_channels(client) if planned.kind == "appointment_reminder" else ["sms"]
    keys = {channel: form_key(batch, client, planned.kind, channel) for channel in channels}
    if session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.dedupe_key).in_(list(keys.values())))
    ).first():
        raise AlreadySent
    return [
        add_message(
            session,
            kind=planned.kind,
            client=client,
            dedupe_key=key,
            due_at=now,
            subject_type=subject_type,
            subject_id=subject.id,
            subject_version=getattr(subject, "version", None),
            channel=channel,
        )
        for channel, key in keys.items()
    ]


def next_week(today: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the following Monday 00:00 of next week, as UTC moments."""
    monday = today + timedelta(days=7 - today.weekday())
    return at_local(monday, time(0)), at_local(monday + timedelta(days=7), time(0))
