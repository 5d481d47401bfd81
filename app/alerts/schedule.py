"""When a staff member's alert mail may go: at once or at their digest hours, only in the
unit's working time, except when something urgent waits.

Working time is what the unit's settings already say: its working days are the days of
its office hours (`mon-fri 09:00-12:00`: Monday to Friday), never a Swedish public holiday
or one of the three eves offices close (app/casework/deadlines.py), and its working
hours are its sending window (default 08:00-20:00). Office hours are when the phone is
staffed, shorter than a working day, so they give the days and not the hours.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.casework.contacts import parse_office_hours
from app.casework.deadlines import is_holiday
from app.errors import N_
from app.models import AlertMode, Unit
from app.outbox.sending_window import DEFAULT_WINDOW, parse_window

# The digest hours the form offers; any other HH:MM may be typed.
SUGGESTED_TIMES = ("08:00", "10:00", "13:00", "15:00")
MAX_DIGEST_TIMES = 6
AT_ONCE_GAP = timedelta(minutes=5)  # "at once" mails at most this often, unless urgent
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_LOOK_BACK_DAYS = 15  # longer than the longest closed run (Christmas to Epiphany)


def parse_times(text: str) -> tuple[time, ...]:
    """'13:00, 8.00' -> (08:00, 13:00), sorted without repeats; ValueError (with a staff
    msgid) when a time is not HH:MM, when there is none, or when there are too many."""
    times = set()
    for part in (p.strip() for p in re.split(r"[,\s]+", text or "")):
        if not part:
            continue
        match = _CLOCK.match(part)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(N_("Write each time like 08:00, between 00:00 and 23:59."))
        times.add(time(int(match[1]), int(match[2])))
    if not times:
        raise ValueError(N_("Choose at least one time for the digest."))
    if len(times) > MAX_DIGEST_TIMES:
        raise ValueError(N_("Choose at most six times for the digest."))
    return tuple(sorted(times))


def format_times(times: tuple[time, ...]) -> str:
    """(08:00, 13:00) -> '08:00,13:00', as the setting keeps them."""
    return ",".join(t.strftime("%H:%M") for t in times)


def _hours(unit: Unit) -> tuple[time, time]:
    try:
        return parse_window(unit.sending_window or DEFAULT_WINDOW)
    except ValueError:
        return parse_window(DEFAULT_WINDOW)  # a broken setting must not stop every alert


def is_working_day(unit: Unit, day: date) -> bool:
    """One of the unit's office days (Monday to Friday unless its office hours say other
    days) and not a public holiday or eve."""
    office = parse_office_hours(unit.office_hours)
    first, last = (office["first_day"], office["last_day"]) if office else (0, 4)
    return first <= day.weekday() <= last and not is_holiday(day)


def is_working_time(unit: Unit, moment: datetime, tz: ZoneInfo) -> bool:
    """Whether `moment` is inside the unit's working hours on one of its working days."""
    local = moment.astimezone(tz)
    opens, closes = _hours(unit)
    return is_working_day(unit, local.date()) and opens <= local.time() < closes


def next_working_time(unit: Unit, moment: datetime, tz: ZoneInfo) -> datetime:
    """The earliest moment at or after `moment` inside the unit's working time."""
    if is_working_time(unit, moment, tz):
        return moment
    opens, closes = _hours(unit)
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(_LOOK_BACK_DAYS):
        start = datetime.combine(day, opens, tzinfo=tz)
        if is_working_day(unit, day) and start >= local:
            return start.astimezone(moment.tzinfo)
        day += timedelta(days=1)
    return moment  # a unit with no working day at all: better a mail than none


def last_digest_time(times: tuple[time, ...], moment: datetime, tz: ZoneInfo) -> datetime | None:
    """The latest digest hour at or before `moment` (on any day, the last 15 days)."""
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(_LOOK_BACK_DAYS):
        for clock in sorted(times, reverse=True):
            instant = datetime.combine(day, clock, tzinfo=tz)
            if instant <= local:
                return instant.astimezone(moment.tzinfo)
        day -= timedelta(days=1)
    return None


def mail_due(
    mode: str,
    times: tuple[time, ...],
    unit: Unit,
    oldest: datetime,
    urgent: bool,
    now: datetime,
    tz: ZoneInfo,
    last_sent: datetime | None = None,
) -> bool:
    """Whether a mail about what waits (the oldest item happened at `oldest`) goes now.

    Urgent: at once, whatever the mode or the hour. Otherwise only in working time: at
    once (but not within AT_ONCE_GAP of the last mail, so that a client texting ten times
    gives one or two mails, not ten), or once a digest hour has passed since the oldest
    item (a digest hour outside working time goes when working time begins)."""
    if mode == AlertMode.OFF:
        return False
    if urgent:
        return True
    if not is_working_time(unit, now, tz):
        return False
    if mode == AlertMode.AT_ONCE:
        return last_sent is None or now - last_sent >= AT_ONCE_GAP
    digest = last_digest_time(times, now, tz)
    return digest is not None and digest >= oldest


def next_mail_at(
    mode: str, times: tuple[time, ...], unit: Unit, now: datetime, tz: ZoneInfo
) -> datetime | None:
    """When a mail about something that happens now would go (for the settings page)."""
    if mode == AlertMode.OFF:
        return None
    if mode == AlertMode.AT_ONCE:
        return next_working_time(unit, now, tz)
    local = now.astimezone(tz)
    day = local.date()
    for _ in range(_LOOK_BACK_DAYS):
        for clock in times:
            instant = datetime.combine(day, clock, tzinfo=tz)
            if instant > local:
                return next_working_time(unit, instant.astimezone(now.tzinfo), tz)
        day += timedelta(days=1)
    return None
