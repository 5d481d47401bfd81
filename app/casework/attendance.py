"""Attendance: once a meeting has started, staff record whether the client came, did not
come, or the meeting was cancelled after all; they may change it later.

The rule is the same on the admin page and in the API: attendance is recorded only from
the meeting's start (before that, a meeting is changed or cancelled, and the client is
told), and a meeting cancelled in advance is "cancelled" already. Who may record it is
the access rule's (whoever may change the appointment). The channel audits each change
with who made it; the appointment keeps the latest answer, who gave it and when.
"""

from datetime import datetime

from sqlmodel import Session

from app.errors import N_, InvalidInput
from app.models import (
    Appointment,
    AppointmentStatus,
    SubjectType,
    saved_id,
    utcnow,
)
from app.models.casework import Attendance
from app.outbox.planner import cancel_pending

CHOICES = tuple(Attendance)
# Messages that assume the meeting took place: not sent once it did not.
AFTER_THE_MEETING = ("feedback_request",)


def current(appointment: Appointment) -> str | None:
    """What happened at the meeting as recorded: a meeting cancelled in advance is
    cancelled whatever else was recorded; None until someone records it."""
    if appointment.status == AppointmentStatus.CANCELLED:
        return Attendance.CANCELLED
    return appointment.attendance


def is_open(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether attendance may be recorded now: the meeting has started and was not
    cancelled in advance."""
    now = now or utcnow()
    return appointment.status == AppointmentStatus.PLANNED and appointment.starts_at <= now


def record(
    session: Session,
    appointment: Appointment,
    attendance: str,
    *,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> str | None:
    """Record what happened at the meeting (`staff_id`: who says so; None for a connected
    system). Returns the value it replaces ('' when none was recorded), or None when
    nothing changed. Raises InvalidInput on a value that is not a choice, a meeting that
    has not started, or came / no show for a meeting cancelled in advance."""
    now = now or utcnow()
    if attendance not in CHOICES:
        raise InvalidInput({"attendance": N_("Choose came, did not come or cancelled.")})
    if appointment.status == AppointmentStatus.CANCELLED:
        if attendance == Attendance.CANCELLED:
            return None
        raise InvalidInput(
            {"attendance": N_("The meeting was cancelled, so the client cannot have come to it.")}
        )
    if appointment.starts_at > now:
        raise InvalidInput(
            {
                "attendance": N_(
                    "Attendance can be recorded once the meeting has started. "
                    "To call it off before, cancel the meeting."
                )
            }
        )
    if appointment.attendance == attendance:
        return None
    previous = appointment.attendance or ""
    appointment.attendance = attendance
    appointment.attendance_at = now
    appointment.attendance_by_staff_id = staff_id
    appointment.updated_at = now
    session.add(appointment)
    if attendance != Attendance.CAME:
        cancel_pending(
            session,
            SubjectType.APPOINTMENT,
            saved_id(appointment),
            kinds=AFTER_THE_MEETING,
            reason="the meeting did not take place",
        )
    return previous


def audit_detail(previous: str, attendance: str) -> str:
    """The audit log's words for a change: 'came', or 'no_show to came'."""
    return f"{previous} to {attendance}" if previous else attendance
