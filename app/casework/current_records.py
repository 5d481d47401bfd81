"""What a client has going on now: the records the SMS menu, the phone menu and the
overview page all tell about."""

from datetime import datetime

from sqlmodel import Session, col, func, select

from app.models import (
    Appointment,
    AppointmentStatus,
    Checklist,
    ChecklistStatus,
    Client,
    Decision,
    DecisionStatus,
    InboundMessage,
    Intent,
    OutboxMessage,
    SubjectType,
)
from app.outbox.planner import SENT_STATUSES

# Messages that ask the client about a meeting (an answer after one is about that meeting).
ASKING_KINDS = ("appointment_reminder", "appointment_changed")


def upcoming_appointments(session: Session, client: Client, now: datetime) -> list[Appointment]:
    """Planned meetings still ahead, the nearest first."""
    return list(
        session.exec(
            select(Appointment)
            .where(
                Appointment.client_id == client.id,
                Appointment.status == AppointmentStatus.PLANNED,
                Appointment.starts_at > now,
            )
            .order_by(col(Appointment.starts_at))
        )
    )


def next_appointment(session: Session, client: Client, now: datetime) -> Appointment | None:
    """The nearest planned meeting still ahead."""
    upcoming = upcoming_appointments(session, client, now)
    return upcoming[0] if upcoming else None


def appointment_to_answer(session: Session, client: Client, now: datetime) -> Appointment | None:
    """The meeting a JA or NEJ is about: of the planned meetings still ahead, the one the
    client was last asked about (a reminder or change notice sent, or the next meeting shown
    by text 1) or last answered; with none of those, the nearest. An answer may change
    until the meeting starts."""
    upcoming = upcoming_appointments(session, client, now)
    if len(upcoming) <= 1:
        return upcoming[0] if upcoming else None
    asked = dict(
        session.exec(
            select(OutboxMessage.subject_id, func.max(OutboxMessage.sent_at))
            .where(
                OutboxMessage.client_id == client.id,
                OutboxMessage.subject_type == SubjectType.APPOINTMENT,
                col(OutboxMessage.subject_id).in_([a.id for a in upcoming]),
                col(OutboxMessage.kind).in_(ASKING_KINDS),
                col(OutboxMessage.status).in_(SENT_STATUSES),
            )
            .group_by(col(OutboxMessage.subject_id))
        ).all()
    )
    # Text 1 ("next meeting") shows the nearest one: an answer after it is about that one.
    looked = session.exec(
        select(func.max(InboundMessage.received_at)).where(
            InboundMessage.client_id == client.id, InboundMessage.intent == Intent.OPTION_1
        )
    ).one()
    shown = {upcoming[0].id: looked} if looked else {}
    touched = [
        (max(t for t in moments if t is not None), -index, a)
        for index, a in enumerate(upcoming)
        if any(moments := (asked.get(a.id), a.responded_at, shown.get(a.id)))
    ]
    return max(touched, key=lambda t: t[:2])[2] if touched else upcoming[0]


def open_checklists(session: Session, client: Client) -> list[Checklist]:
    """Checklists still waiting for documents, the earliest due first."""
    return list(
        session.exec(
            select(Checklist)
            .where(Checklist.client_id == client.id, Checklist.status == ChecklistStatus.OPEN)
            .order_by(col(Checklist.due_date))
        )
    )


def decided(session: Session, client: Client) -> list[Decision]:
    """Decisions made about the client, the latest first."""
    return list(
        session.exec(
            select(Decision)
            .where(Decision.client_id == client.id, Decision.status == DecisionStatus.DECIDED)
            .order_by(col(Decision.decided_on).desc(), col(Decision.id).desc())
        )
    )


def latest_decision(session: Session, client: Client) -> Decision | None:
    """The most recent decision made about the client."""
    made = decided(session, client)
    return made[0] if made else None
