"""Absences: whom a client really meets while a case worker is away, and which meetings an
absence concerns.

An absence is a handover of the kind 'absence' (app/casework/handovers.py), one per client:
the person away (from_staff_id), the stand-in (to_staff_id), the first and the last day.
The one rule, meets(): the client meets the meeting's own person, unless that person is
away for this client on the meeting's day; then the stand-in (and the stand-in's stand-in,
if they are away too), unless staff chose to keep the meeting with the person who is away
(Appointment.keep_with_staff). Every message that names a meeting's person asks it.
Whatever changes its answer gives the meeting a new version and plans its reminders again
(handovers.py), so texts queued with the old name are never sent.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.casework.reads import reads_for
from app.models import (
    Appointment,
    AppointmentStatus,
    Handover,
    HandoverKind,
    StaffUser,
)
from app.outbox.planner import at_local, local_date


@dataclass(frozen=True)
class Away:
    """A staff member's absence on a day: the period and who stands in."""

    absent: StaffUser
    stand_in: StaffUser
    starts_on: date
    ends_on: date


def _covering(absences: list[Handover], staff_id: int, day: date) -> Handover | None:
    """The absence of `staff_id` that covers `day`; of several, the latest recorded."""
    found = None
    for handover in absences:  # oldest first
        ends_on = handover.ends_on or handover.starts_on
        if handover.from_staff_id == staff_id and handover.starts_on <= day <= ends_on:
            found = handover
    return found


def covering(session: Session, appointment: Appointment, now: datetime) -> Handover | None:
    """The absence (not cancelled) of the meeting's own person, recorded for this client,
    that covers the meeting's day; of several, the latest recorded. None if they are not
    away for this client that day."""
    if appointment.staff_id is None:
        return None
    day = local_date(appointment.starts_at)
    absences = reads_for(session).absences(appointment.client_id, min(day, local_date(now)))
    return _covering(absences, appointment.staff_id, day)


def meets(session: Session, appointment: Appointment, now: datetime) -> int | None:
    """The id of the staff member the client will really meet at this appointment. A keep
    was chosen for the absence covering the meeting: app/casework/handovers.py forgets it
    when that absence is cancelled or another one over the meeting is recorded."""
    staff_id = appointment.staff_id
    if staff_id is None or appointment.keep_with_staff:
        return staff_id
    day = local_date(appointment.starts_at)
    absences = reads_for(session).absences(appointment.client_id, min(day, local_date(now)))
    seen = {staff_id}
    while (handover := _covering(absences, staff_id, day)) is not None:
        if handover.to_staff_id in seen:  # two who stand in for each other: stop at the first
            break
        staff_id = handover.to_staff_id
        seen.add(staff_id)
    return staff_id


def away(session: Session, staff_id: int, day: date, *, client_id: int) -> Away | None:
    """Whether a staff member is away on a day (an absence recorded for any of their
    clients), with the period and the stand-in: this client's stand-in if the absence was
    handed over for them, else the one named last."""
    handovers = list(
        session.exec(
            select(Handover)
            .where(
                Handover.kind == HandoverKind.ABSENCE,
                col(Handover.cancelled_at).is_(None),
                Handover.from_staff_id == staff_id,
                Handover.starts_on <= day,
                col(Handover.ends_on) >= day,
            )
            .order_by(col(Handover.starts_on), col(Handover.id))
        )
    )
    if not handovers:
        return None
    own = [h for h in handovers if h.client_id == client_id]
    chosen = (own or handovers)[-1]
    return Away(
        absent=session.get_one(StaffUser, staff_id),
        stand_in=session.get_one(StaffUser, chosen.to_staff_id),
        starts_on=chosen.starts_on,
        ends_on=chosen.ends_on or chosen.starts_on,
    )


def meetings_during(session: Session, handover: Handover, now: datetime) -> list[Appointment]:
    """The client's planned meetings still ahead with the person away, on the absence's
    days, earliest first (kept ones too)."""
    if handover.kind != HandoverKind.ABSENCE or handover.from_staff_id is None:
        return []
    ends_on = handover.ends_on or handover.starts_on
    return list(
        session.exec(
            select(Appointment)
            .where(
                Appointment.client_id == handover.client_id,
                Appointment.staff_id == handover.from_staff_id,
                Appointment.status == AppointmentStatus.PLANNED,
                Appointment.starts_at > now,
                Appointment.starts_at >= at_local(handover.starts_on, time(0)),
                Appointment.starts_at < at_local(ends_on + timedelta(days=1), time(0)),
            )
            .order_by(col(Appointment.starts_at), col(Appointment.id))
        )
    )
