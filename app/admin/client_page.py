"""What the client page shows: details, representatives, records and the timeline."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app import access
from app.admin.access import current_staff
from app.casework import absences, applications, attendance, checklists, pins
from app.casework.contacts import current_contact
from app.db import get_session
from app.models import (
    Appointment,
    AppointmentStatus,
    CallbackRequest,
    Checklist,
    ChecklistStatus,
    Client,
    Decision,
    Handover,
    InboundMessage,
    LinkToken,
    OutboxMessage,
    Representative,
    StaffUser,
    saved_id,
    utcnow,
)
from app.outbox.planner import local_date
from app.phone import takes_texts

TIMELINE_LENGTH = 100


@dataclass
class TimelineEntry:
    """One thing sent to or received from the client (or a representative)."""

    at: datetime
    direction: str  # "out" or "in"
    outbox: OutboxMessage | None = None
    inbound: InboundMessage | None = None
    callback: CallbackRequest | None = None
    representative: Representative | None = None


def timeline(
    session: Session, client: Client, viewer: StaffUser | None = None, today: date | None = None
) -> list[TimelineEntry]:
    """Everything sent and received, newest first, with delivery status; complaints and
    requests for another case worker (and the managers' answers to them) only for a
    manager `viewer` (the access rule; without a viewer, never)."""
    today = today or local_date(utcnow())
    representatives = {
        r.id: r
        for r in session.exec(select(Representative).where(Representative.client_id == client.id))
    }
    entries = [
        TimelineEntry(
            at=m.sent_at or m.final_at or m.due_at,
            direction="out",
            outbox=m,
            representative=representatives.get(m.representative_id),
        )
        for m in session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.client_id == client.id,
                access.staff_client_outbox(viewer, today),
            )
            .order_by(col(OutboxMessage.due_at).desc())
            .limit(TIMELINE_LENGTH)
        )
    ]
    entries += [
        TimelineEntry(
            at=m.received_at,
            direction="in",
            inbound=m,
            representative=representatives.get(m.representative_id),
        )
        for m in session.exec(
            select(InboundMessage)
            .where(
                InboundMessage.client_id == client.id,
                access.staff_client_inbound(viewer, today),
            )
            .order_by(col(InboundMessage.received_at).desc())
            .limit(TIMELINE_LENGTH)
        )
    ]
    entries += [
        TimelineEntry(at=c.created_at, direction="in", callback=c)
        for c in session.exec(
            select(CallbackRequest)
            .where(CallbackRequest.client_id == client.id)
            .order_by(col(CallbackRequest.created_at).desc())
            .limit(TIMELINE_LENGTH)
        )
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:TIMELINE_LENGTH]


def client_overview(session: Session, client: Client) -> dict:
    """The values the client page template needs."""
    now = utcnow()
    today = local_date(now)
    staff = {
        s.id: s for s in session.exec(select(StaffUser).where(StaffUser.unit_id == client.unit_id))
    }
    return {
        "client": client,
        "takes_texts": takes_texts(client.phone),
        "staff": staff,
        "contact": current_contact(session, client, today),
        "representatives": session.exec(
            select(Representative)
            .where(Representative.client_id == client.id)
            .order_by(Representative.name)
        ).all(),
        **_meetings(session, client, now),
        **_casework(session, client),
        "applications": applications.for_client(session, saved_id(client)),
        "pin_state": pins.state(client, now),
        "live_links": _live_links(session, client, now),
        "timeline": timeline(session, client, current_staff()),
        "today": today,
    }


def _meetings(session: Session, client: Client, now: datetime) -> dict:
    """The client's planned meetings ahead, the last ten before (or called off), and how
    many of those have started with no attendance recorded."""
    meetings = {
        "upcoming": session.exec(
            select(Appointment)
            .where(
                Appointment.client_id == client.id,
                col(Appointment.starts_at) >= now,
                Appointment.status == AppointmentStatus.PLANNED,
            )
            .order_by(col(Appointment.starts_at))
        ).all(),
        "past": session.exec(
            select(Appointment)
            .where(
                Appointment.client_id == client.id,
                (Appointment.starts_at < now) | (Appointment.status != AppointmentStatus.PLANNED),
            )
            .order_by(col(Appointment.starts_at).desc())
            .limit(10)
        ).all(),
    }
    due = [a for a in meetings["past"] if attendance.is_open(a, now) and a.attendance is None]
    # Whom the client really meets: a stand-in while the booked person is away.
    meets = {saved_id(a): absences.meets(session, a, now) for a in meetings["upcoming"]}
    return meetings | {"attendance_due": len(due), "meets": meets}


def _casework(session: Session, client: Client) -> dict:
    """The client's document lists (open ones first) with their items, decisions and
    handovers, newest first."""
    lists = session.exec(
        select(Checklist)
        .where(Checklist.client_id == client.id)
        .order_by(col(Checklist.status) != ChecklistStatus.OPEN, col(Checklist.due_date).desc())
        .limit(20)
    ).all()
    return {
        "checklists": [(c, checklists.items(session, c)) for c in lists],
        "decisions": session.exec(
            select(Decision)
            .where(Decision.client_id == client.id)
            .order_by(col(Decision.created_at).desc())
            .limit(20)
        ).all(),
        "handovers": session.exec(
            select(Handover)
            .where(Handover.client_id == client.id)
            .order_by(col(Handover.starts_on).desc())
            .limit(10)
        ).all(),
    }


def _live_links(session: Session, client: Client, now: datetime) -> int:
    """How many of the client's page links still open a page."""
    return len(
        session.exec(
            select(LinkToken.id).where(
                LinkToken.client_id == client.id,
                col(LinkToken.revoked_at).is_(None),
                col(LinkToken.expires_at) > now,
            )
        ).all()
    )


def record_messages(subject_type: str, subject_id: int) -> list[tuple[OutboxMessage, str]]:
    """Every outbox row about a record, earliest first, with whom it goes to ('' for the
    client, else the representative's name)."""
    rows = get_session().exec(
        select(OutboxMessage, Representative.name)
        .outerjoin(Representative, col(Representative.id) == OutboxMessage.representative_id)
        .where(OutboxMessage.subject_type == subject_type, OutboxMessage.subject_id == subject_id)
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
    )
    return [(message, name or "") for message, name in rows]
