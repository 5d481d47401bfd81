"""What a client has going on now: the records the SMS menu, the phone menu and the
overview page all tell about."""

from datetime import datetime

from sqlmodel import Session, select

from app.models import (
    Appointment,
    AppointmentStatus,
    Checklist,
    ChecklistStatus,
    Client,
    Decision,
    DecisionStatus,
)


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
            .order_by(Appointment.starts_at)
        )
    )


def next_appointment(session: Session, client: Client, now: datetime) -> Appointment | None:
    """The nearest planned meeting still ahead."""
    upcoming = upcoming_appointments(session, client, now)
    return upcoming[0] if upcoming else None


def appointment_awaiting_answer(
    session: Session, client: Client, now: datetime
) -> Appointment | None:
    """The nearest meeting ahead that the client has not answered yet."""
    return next(
        (a for a in upcoming_appointments(session, client, now) if a.response is None), None
    )


def open_checklists(session: Session, client: Client) -> list[Checklist]:
    """Checklists still waiting for documents, the earliest due first."""
    return list(
        session.exec(
            select(Checklist)
            .where(Checklist.client_id == client.id, Checklist.status == ChecklistStatus.OPEN)
            .order_by(Checklist.due_date)
        )
    )


def decided(session: Session, client: Client) -> list[Decision]:
    """Decisions made about the client, the latest first."""
    return list(
        session.exec(
            select(Decision)
            .where(Decision.client_id == client.id, Decision.status == DecisionStatus.DECIDED)
            .order_by(Decision.decided_on.desc(), Decision.id.desc())
        )
    )


def latest_decision(session: Session, client: Client) -> Decision | None:
    """The most recent decision made about the client."""
    made = decided(session, client)
    return made[0] if made else None
