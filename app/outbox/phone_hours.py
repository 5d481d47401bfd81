"""When bad news may go out: inside the contact's phone hours, on a working day, early
enough that the client can call the same day.

A refusal that says "call Lina" must not land on a Friday evening, when nobody answers
until Monday. Kinds marked `phone_hours` in app/outbox/kinds.py are held to the unit's
office hours (the hours every message gives for calling, app/casework/contacts.py): on
their weekdays, never on a public holiday or one of the three eves, and no later than
CALL_TIME before the phone closes. They also keep to the sending window. Urgent kinds
are never held.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.casework.deadlines import is_holiday
from app.models import Unit
from app.outbox.kinds import MessageKind
from app.outbox.sending_window import DEFAULT_WINDOW, next_open, parse_window

# The client must have time to call back the same day: bad news goes no later than an
# hour before the phone closes (or at opening, when the phone is open an hour or less).
CALL_TIME = timedelta(hours=1)
_LONGEST_CLOSED_RUN = 20  # days: Christmas to Epiphany, with a weekend, is far shorter


def _clock(text: str) -> time:
    hour, _, minute = text.partition(".")
    return time(int(hour), int(minute or 0))


def _phone_day(hours: dict, day: date) -> bool:
    return hours["first_day"] <= day.weekday() <= hours["last_day"] and not is_holiday(day)


def _next_in_hours(hours: dict, moment: datetime, tz: ZoneInfo) -> datetime:
    """The earliest moment at or after `moment` inside the phone hours, before the last
    moment that still leaves CALL_TIME to call."""
    opens, closes = _clock(hours["opens"]), _clock(hours["closes"])
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(_LONGEST_CLOSED_RUN):
        if _phone_day(hours, day):
            start = datetime.combine(day, opens, tzinfo=tz)
            latest = max(start, datetime.combine(day, closes, tzinfo=tz) - CALL_TIME)
            if local <= latest:
                return moment if local >= start else start.astimezone(moment.tzinfo)
        day += timedelta(days=1)
    return moment  # hours on no day at all (never saved so): sending beats losing it


def _window(window: str | None) -> tuple[time, time]:
    try:
        return parse_window(window or DEFAULT_WINDOW)
    except ValueError:
        return parse_window(DEFAULT_WINDOW)  # as the sending window reads a broken one


def _hours(office_hours: str | None) -> dict | None:
    # contacts reads records through the planner: imported here, not at module load
    from app.casework.contacts import parse_office_hours

    return parse_office_hours(office_hours or "")


def _meets(hours: dict, window: str | None) -> bool:
    opens, closes = _clock(hours["opens"]), _clock(hours["closes"])
    day = date(2000, 1, 3)  # any day: only the clock times count
    call_by = datetime.combine(day, closes) - CALL_TIME
    latest = max(opens, call_by.time()) if call_by.date() == day else opens
    start, end = _window(window)
    first = max(opens, start)
    return first <= latest and first < end


def meets_window(office_hours: str | None, window: str | None) -> bool:
    """Whether the phone hours leave a moment inside the sending window for bad news (with
    time to call back the same day). Hours that do not read hold nothing, so they meet."""
    hours = _hours(office_hours)
    return hours is None or _meets(hours, window)


def _next_phone_day(hours: dict, window: str | None, moment: datetime, tz: ZoneInfo) -> datetime:
    """For phone hours that never meet the window: the earliest moment at or after
    `moment` on a phone day, inside the window, from the later of the phone's and the
    window's opening (the window's, when the phone opens only after the window closes: the
    client can still call that day) and no later than the phone closes."""
    opens, closes = _clock(hours["opens"]), _clock(hours["closes"])
    start, end = _window(window)
    first = max(opens, start) if max(opens, start) < end else start
    last = min(closes, end) if min(closes, end) > first else end
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(_LONGEST_CLOSED_RUN):
        if _phone_day(hours, day):
            begins = datetime.combine(day, first, tzinfo=tz)
            if local < datetime.combine(day, last, tzinfo=tz):
                return moment if local >= begins else begins.astimezone(moment.tzinfo)
        day += timedelta(days=1)
    return next_open(window, moment, tz)  # hours on no day at all (never saved so)


def next_phone_moment(
    office_hours: str | None, window: str | None, moment: datetime, tz: ZoneInfo
) -> datetime:
    """The earliest moment at or after `moment` inside both the phone hours and the
    sending window. Hours that do not read leave the sending window alone: a broken
    setting must not stop the message. Hours that never meet the window still keep bad
    news to a phone day (_next_phone_day); the settings page warns of them."""
    hours = _hours(office_hours)
    if hours is None:
        return next_open(window, moment, tz)
    if not _meets(hours, window):
        return _next_phone_day(hours, window, moment, tz)
    candidate = moment
    for _ in range(_LONGEST_CLOSED_RUN):
        inside = _next_in_hours(hours, candidate, tz)
        opened = next_open(window, inside, tz)
        if opened == inside:
            return inside
        candidate = opened
    return next_open(window, moment, tz)


def next_moment(kind: MessageKind, unit: Unit | None, moment: datetime, tz: ZoneInfo) -> datetime:
    """When a message of this kind may go out, at or after `moment`: at once for an urgent
    kind, in the contact's phone hours for bad news, else in the sending window."""
    if kind.urgent:
        return moment
    window = unit.sending_window if unit else None
    if kind.phone_hours:
        return next_phone_moment(unit.office_hours if unit else None, window, moment, tz)
    return next_open(window, moment, tz)


def is_held(kind: MessageKind, unit: Unit | None, moment: datetime, tz: ZoneInfo) -> bool:
    """Whether a message of this kind due now waits for the phone hours (not only for the
    sending window): what staff are told as "held to phone hours"."""
    if kind.urgent or not kind.phone_hours:
        return False
    return next_moment(kind, unit, moment, tz) > next_open(
        unit.sending_window if unit else None, moment, tz
    )
