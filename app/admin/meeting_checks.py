"""What staff confirm before a meeting is saved: its person is away that day (book with the
stand-in, or anyway), or it is outside the unit's meeting hours (book anyway).

The form is shown again with the warnings and a button for each way on; the buttons send
`confirm` and the warnings' `warned` key, so a confirmation counts only for the warnings it
answered. The rules are the domain's (app/casework/absences.py, meeting_hours.py).
The meeting page also says here whom the client meets while the meeting's person is away.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.admin.forms import Form
from app.admin.labels import day
from app.admin.settings import WEEKDAY_NAMES
from app.admin.words import _
from app.casework import absences, meeting_hours
from app.casework.contacts import WEEKDAYS
from app.db import get_session
from app.models import Appointment, AppointmentStatus, Client, StaffUser, Unit, saved_id, utcnow
from app.outbox.planner import local_date, local_zone


@dataclass(frozen=True)
class Warnings:
    """Why a meeting should be confirmed before it is saved."""

    away: absences.Away | None
    outside: meeting_hours.Outside | None
    stand_in_free: bool  # whether the stand-in is at work that day

    @property
    def key(self) -> str:
        """What was warned about, to match a confirmation with."""
        parts = []
        if self.away:
            a = self.away
            parts.append(f"away:{a.absent.id}:{a.stand_in.id}:{a.starts_on}:{a.ends_on}")
        if self.outside:
            o = self.outside
            parts.append(f"outside:{o.reason}:{o.day}:{o.starts:%H%M}:{o.ends:%H%M}")
        return ";".join(parts)

    @property
    def choices(self) -> tuple[str, ...]:
        """The confirmations that may answer these warnings."""
        if self.away:
            return ("stand_in", "keep") if self.stand_in_free else ("keep",)
        return ("anyway",)

    def lines(self, unit: Unit) -> list[str]:
        """The warnings in the staff language, a sentence or two each."""
        lines = []
        if self.away:
            a = self.away
            text = _(
                "%(absent)s is away from %(start)s to %(end)s.",
                absent=a.absent.name,
                start=day(a.starts_on),
                end=day(a.ends_on),
            )
            if self.stand_in_free:
                text += " " + _("%(stand_in)s stands in.", stand_in=a.stand_in.name)
            else:
                text += " " + _("%(stand_in)s is away that day too.", stand_in=a.stand_in.name)
            lines.append(text)
        if self.outside:
            lines.append(_outside_text(self.outside, unit))
        return lines


def _outside_text(outside: meeting_hours.Outside, unit: Unit) -> str:
    hours = outside.hours
    if outside.reason == meeting_hours.CLOSED_DAY:
        return _(
            "The unit holds meetings %(first)s to %(last)s.",
            first=_(WEEKDAY_NAMES[WEEKDAYS[hours.first_day]]),
            last=_(WEEKDAY_NAMES[WEEKDAYS[hours.last_day]]),
        )
    if outside.reason == meeting_hours.HOLIDAY:
        return _("%(day)s is a public holiday.", day=day(outside.day))
    start, end = meeting_hours.sending_window(unit)
    return (
        _(
            "The meeting is %(starts)s–%(ends)s, outside the meeting hours of the unit, "
            "%(opens)s–%(closes)s.",
            starts=f"{outside.starts:%H:%M}",
            ends=f"{outside.ends:%H:%M}",
            opens=f"{hours.opens:%H:%M}",
            closes=f"{hours.closes:%H:%M}",
        )
        + " "
        + _(
            "Reminders go out only between %(start)s and %(end)s.",
            start=f"{start:%H:%M}",
            end=f"{end:%H:%M}",
        )
    )


def warnings_for(
    session: Session, client: Client, values: dict, *, away: bool = True, hours: bool = True
) -> Warnings | None:
    """The warnings a meeting as `values` describe it brings (`away`: whether its person is
    away; `hours`: whether it is outside the meeting hours), or None."""
    starts_at: datetime = values["starts_at"]
    staff_id: int | None = values.get("staff_id")
    meeting_day = local_date(starts_at)
    found_away = None
    if away and staff_id and not values.get("keep_with_staff"):
        found_away = absences.away(session, staff_id, meeting_day, client_id=saved_id(client))
    found_outside = None
    if hours:
        unit = session.get_one(Unit, client.unit_id)
        found_outside = meeting_hours.outside(
            unit, starts_at, values["duration_minutes"], local_zone()
        )
    if found_away is None and found_outside is None:
        return None
    free = False
    if found_away is not None:
        stand_in = found_away.stand_in
        free = stand_in.active and not absences.away(
            session, saved_id(stand_in), meeting_day, client_id=saved_id(client)
        )
    return Warnings(found_away, found_outside, free)


def settle(
    session: Session, form: Form, client: Client, values: dict, *, away: bool, hours: bool
) -> Warnings | None:
    """None when the meeting may be saved (with `values` changed as the confirmation says:
    the stand-in as its person, or kept with the person away); else the warnings to
    confirm first."""
    warnings = warnings_for(session, client, values, away=away, hours=hours)
    if warnings is None:
        return None
    choice = form.value("confirm")
    if form.value("warned") != warnings.key or choice not in warnings.choices:
        return warnings
    if choice == "stand_in" and warnings.away:
        values["staff_id"] = warnings.away.stand_in.id
    elif choice == "keep":
        values["keep_with_staff"] = True
    return None


def meets_note(appointment: Appointment) -> str:
    """Who the client meets, when it is not simply the meeting's person (an absence)."""
    if appointment.status != AppointmentStatus.PLANNED or appointment.staff_id is None:
        return ""
    session = get_session()
    away = absences.away(
        session,
        appointment.staff_id,
        local_date(appointment.starts_at),
        client_id=appointment.client_id,
    )
    if away is None:
        return ""
    meets = absences.meets(session, appointment, utcnow())
    if meets == appointment.staff_id:
        return _(
            "%(absent)s is away that day, but the meeting is kept with them: reminders name "
            "%(absent)s.",
            absent=away.absent.name,
        )
    person = session.get(StaffUser, meets) if meets else None
    return _(
        "%(absent)s is away that day: the client meets %(stand_in)s, who stands in.",
        absent=away.absent.name,
        stand_in=person.name if person else away.stand_in.name,
    )
