"""When a unit holds meetings, so that a meeting at an odd hour is questioned before it is
booked.

A unit has no setting of its own for meeting hours. It has two hours-like settings:
office hours (`Unit.office_hours`, "mon-fri 09:00-12:00": when its phone is answered) and
the sending window (`Unit.sending_window`, "08:00-20:00": when reminders may go out). The
meeting hours are taken from them: the office hours' days, not on a public holiday, from
the earlier of the two openings to the later of the two closings (08:00-20:00 with the
defaults). A meeting that starts before that, ends after it, or falls on a closed day is
outside. Outside is allowed: staff are asked to confirm, never stopped.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.casework.contacts import parse_office_hours
from app.casework.deadlines import is_holiday
from app.models import Unit
from app.outbox.sending_window import DEFAULT_WINDOW, parse_window

CLOSED_DAY = "closed_day"
HOLIDAY = "holiday"
HOURS = "hours"
# What Unit.office_hours says by default, for a setting edited by hand into something else.
DEFAULT_OFFICE_HOURS = {"first_day": 0, "last_day": 4, "opens": "9", "closes": "12"}


@dataclass(frozen=True)
class MeetingHours:
    """The days (0 = Monday) and the local clock times a unit holds meetings."""

    first_day: int
    last_day: int
    opens: time
    closes: time


@dataclass(frozen=True)
class Outside:
    """Why a meeting is outside the unit's meeting hours."""

    reason: str  # CLOSED_DAY, HOLIDAY or HOURS
    day: date
    starts: time
    ends: time
    hours: MeetingHours


def _clock(text: str) -> time:
    hour, _sep, minute = text.partition(".")
    return time(int(hour), int(minute or 0))


def sending_window(unit: Unit) -> tuple[time, time]:
    """The unit's sending window as (start, end) local clock times."""
    try:
        return parse_window(unit.sending_window or DEFAULT_WINDOW)
    except ValueError:  # the settings page saves only readable windows: edited by hand
        return parse_window(DEFAULT_WINDOW)


def meeting_hours(unit: Unit) -> MeetingHours:
    """The unit's meeting hours, from its office hours and its sending window."""
    office: dict = parse_office_hours(unit.office_hours) or DEFAULT_OFFICE_HOURS
    window_start, window_end = sending_window(unit)
    return MeetingHours(
        first_day=office["first_day"],
        last_day=office["last_day"],
        opens=min(_clock(office["opens"]), window_start),
        closes=max(_clock(office["closes"]), window_end),
    )


def outside(unit: Unit, starts_at: datetime, minutes: int, tz: ZoneInfo) -> Outside | None:
    """Why a meeting of `minutes` from `starts_at` is outside the unit's meeting hours, or
    None when it is inside them."""
    hours = meeting_hours(unit)
    start = starts_at.astimezone(tz)
    end = (starts_at + timedelta(minutes=minutes)).astimezone(tz)
    closes = datetime.combine(start.date(), hours.closes, tzinfo=tz)
    if not hours.first_day <= start.weekday() <= hours.last_day:
        reason = CLOSED_DAY
    elif is_holiday(start.date()):
        reason = HOLIDAY
    elif start.time() < hours.opens or end > closes:
        reason = HOURS
    else:
        return None
    return Outside(reason, start.date(), start.time(), end.time(), hours)
