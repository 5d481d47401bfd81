"""What has happened in a client's case, for the overview page a client can show ("written
is proof"): decisions with the day they were made and the last day to appeal, meetings
(whether they took place or were cancelled, as the records say) and the client's answers
to meetings, newest first.

The history reaches back as far as retention keeps the records around messages
(RECORD_RETENTION_DAYS, app/retention.py): what the client was told about a record is
gone after that, so the page shows nothing older either. Who may see which part is the
access rule's (app.access.page_topics): the caller passes the topics allowed.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from app import access
from app.casework.deadlines import appeal_deadline
from app.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Decision,
    DecisionStatus,
    StaffUser,
)
from app.models.casework import Attendance
from app.outbox.planner import local_date


@dataclass(frozen=True)
class Entry:
    """One thing that happened: `what` is decision, meeting or answer; `at` the moment
    (a meeting's start, an answer's time) or None for a decision (a day only)."""

    what: str
    on: date
    at: datetime | None = None
    service: str = ""
    outcome: str = ""
    appeal_by: date | None = None
    staff_name: str = ""
    status: str = ""  # a meeting: came, no_show or cancelled; "" when nothing was recorded
    answer: str = ""  # an answer: confirmed or declined
    meeting_at: datetime | None = None  # an answer: the meeting it was about


def since(now: datetime) -> date:
    """The first day the history shows: as far back as retention keeps the records."""
    return local_date(now - timedelta(days=current_app.config["RECORD_RETENTION_DAYS"]))


def entries(
    session: Session, client: Client, now: datetime, topics: Collection[access.Topic]
) -> list[Entry]:
    """The client's history within the retention period, newest first, limited to the
    `topics` the reader may see (decisions; meetings and answers are appointments)."""
    first_day = since(now)
    cutoff = now - timedelta(days=current_app.config["RECORD_RETENTION_DAYS"])
    found: list[Entry] = []
    if access.Topic.DECISIONS in topics:
        found += _decisions(session, client, first_day, local_date(now))
    if access.Topic.APPOINTMENTS in topics:
        found += _meetings(session, client, cutoff, now)
    return sorted(found, key=_newest_first)


def _newest_first(entry: Entry) -> tuple:
    # Within a day, moments before whole days (decisions), and the later moment first.
    moment = entry.at.timestamp() if entry.at else 0.0
    return (-entry.on.toordinal(), entry.at is None, -moment, entry.what)


def _decisions(session: Session, client: Client, first_day: date, today: date) -> list[Entry]:
    made = session.exec(
        select(Decision).where(
            Decision.client_id == client.id,
            Decision.status == DecisionStatus.DECIDED,
            col(Decision.decided_on).is_not(None),
            col(Decision.decided_on) >= first_day,
            col(Decision.decided_on) <= today,
        )
    )
    return [
        Entry(
            "decision",
            decision.decided_on,
            service=decision.service,
            outcome=decision.outcome,
            appeal_by=appeal_deadline(decision.received_on or decision.decided_on),
        )
        for decision in made
        if decision.decided_on is not None
    ]


def _meetings(session: Session, client: Client, cutoff: datetime, now: datetime) -> list[Entry]:
    """Meetings that have begun or were cancelled, and the answers given to any meeting."""
    rows = session.exec(
        select(Appointment, StaffUser.name)
        .outerjoin(StaffUser, col(StaffUser.id) == Appointment.staff_id)
        .where(
            Appointment.client_id == client.id,
            (col(Appointment.starts_at) >= cutoff) | (col(Appointment.responded_at) >= cutoff),
        )
    ).all()
    found = []
    for appointment, staff_name in rows:
        cancelled = (
            appointment.status == AppointmentStatus.CANCELLED
            or appointment.attendance == Attendance.CANCELLED
        )
        if appointment.starts_at >= cutoff and (appointment.starts_at <= now or cancelled):
            found.append(
                Entry(
                    "meeting",
                    local_date(appointment.starts_at),
                    at=appointment.starts_at,
                    staff_name=staff_name or "",
                    status=Attendance.CANCELLED if cancelled else (appointment.attendance or ""),
                )
            )
        answered = appointment.responded_at
        if appointment.response and answered is not None and cutoff <= answered <= now:
            found.append(
                Entry(
                    "answer",
                    local_date(answered),
                    at=answered,
                    answer=appointment.response,
                    meeting_at=appointment.starts_at,
                )
            )
    return found
