"""When ordinary messages may go out: inside the unit's daily window (default 08:00-20:00,
local time) and not on Swedish public holidays or the three eves offices close.
Urgent kinds (a changed or cancelled meeting, a callback confirmation) go out at any time.

Times are local wall-clock times, so the window stays 08:00-20:00 across daylight-saving
changes.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.casework.deadlines import is_holiday

DEFAULT_WINDOW = "08:00-20:00"
_WINDOW = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_window(text: str) -> tuple[time, time]:
    """'08:00-20:00' -> (08:00, 20:00); ValueError when it is not a window within a day."""
    match = _WINDOW.match(text or "")
    if not match:
        raise ValueError("Write the window like 08:00-20:00.")
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    if not (0 <= start_h <= 23 and 0 <= end_h <= 24 and start_m < 60 and end_m < 60):
        raise ValueError("Write the window like 08:00-20:00.")
    start = time(start_h, start_m)
    end = time.max if (end_h, end_m) == (24, 0) else time(end_h, end_m)
    if end <= start:
        raise ValueError("The window must end after it starts, on the same day.")
    return start, end


def _window(text: str | None) -> tuple[time, time]:
    try:
        return parse_window(text or DEFAULT_WINDOW)
    except ValueError:
        return parse_window(DEFAULT_WINDOW)  # a broken setting must not stop all messages


def _open_on(day: date) -> bool:
    return not is_holiday(day)


def next_open(window: str | None, moment: datetime, tz: ZoneInfo) -> datetime:
    """The earliest moment at or after `moment` when an ordinary message may go out."""
    start, end = _window(window)
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(15):  # the longest closed run (Christmas to Epiphany) is far shorter
        opens = datetime.combine(day, start, tzinfo=tz)
        closes = datetime.combine(day, end, tzinfo=tz)
        if _open_on(day) and local < closes:
            return moment if local >= opens else opens.astimezone(moment.tzinfo)
        day += timedelta(days=1)
    return moment  # never reached with real calendars; sending beats losing a message


def is_open(window: str | None, moment: datetime, tz: ZoneInfo) -> bool:
    """Whether an ordinary message may go out at this moment."""
    return next_open(window, moment, tz) == moment
