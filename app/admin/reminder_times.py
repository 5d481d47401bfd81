"""When reminders really go: the time the unit's sending window allows now, asked of
app/outbox/sending_window (a row may have been planned under another window, or be
overdue), for the note after saving and the meeting page.
"""

from datetime import datetime

from sqlmodel import col, select

from app.admin.labels import moment
from app.admin.words import _, ngettext
from app.casework import meeting_hours
from app.db import get_session
from app.models import (
    Appointment,
    Client,
    OutboxMessage,
    OutboxStatus,
    SubjectType,
    Unit,
    saved_id,
    utcnow,
)
from app.outbox.planner import local_zone
from app.outbox.sending_window import next_open


def planned_times(subject_type: str, subject_id: int, kind: str) -> list[datetime]:
    """When the client's own pending messages of one kind will really go out (a text and a
    call at the same time count once): an ordinary one at the time the unit's sending
    window allows now, though it was planned under another window or is overdue."""
    rows = get_session().exec(
        select(OutboxMessage.due_at, OutboxMessage.urgent, Unit.sending_window)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .join(Unit, col(Unit.id) == Client.unit_id)
        .where(
            OutboxMessage.subject_type == subject_type,
            OutboxMessage.subject_id == subject_id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == OutboxStatus.PENDING,
            col(OutboxMessage.representative_id).is_(None),
        )
    )
    now = utcnow()
    return sorted(
        {
            max(due, now) if urgent else next_open(window, max(due, now), local_zone())
            for due, urgent, window in rows
        }
    )


def reminders_note(
    subject_type: str, subject_id: int, kind: str, *, until: datetime | None = None
) -> str:
    """'2 reminders: tue 3 mar 14:00, mon 9 mar 14:00.' for a flash message; with `until`
    (a meeting's start), those that would go only after it are said not to go."""
    times = planned_times(subject_type, subject_id, kind)
    late = [t for t in times if until is not None and t >= until]
    times = [t for t in times if t not in late]
    note = (
        ngettext(
            "%(num)d reminder: %(times)s.",
            "%(num)d reminders: %(times)s.",
            len(times),
            times=", ".join(moment(t) for t in times),
        )
        if times
        else _("No reminder will go out.")
    )
    if late:
        note += " " + ngettext(
            "%(num)d more reminder would go only after the meeting, so it is not sent.",
            "%(num)d more reminders would go only after the meeting, so they are not sent.",
            len(late),
        )
    return note


def reminder_schedule(appointment: Appointment, unit: Unit) -> dict:
    """When the meeting's reminders really go, those the sending window pushes past the
    meeting (they never go), and the window itself."""
    times = planned_times(SubjectType.APPOINTMENT, saved_id(appointment), "appointment_reminder")
    start, end = meeting_hours.sending_window(unit)
    return {
        "before": [t for t in times if t < appointment.starts_at],
        "too_late": len([t for t in times if t >= appointment.starts_at]),
        "window": (f"{start:%H:%M}", f"{end:%H:%M}"),
    }
