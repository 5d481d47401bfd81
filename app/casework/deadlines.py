"""Swedish working days and the appeal deadline.

Lag (1930:173) om beräkning av lagstadgad tid: when the last day for an action falls on
a Saturday, a Sunday, a public holiday, midsummer eve, Christmas eve or New Year's eve,
the action may be taken on the next working day.
"""

from datetime import date, timedelta
from functools import cache

import holidays

APPEAL_PERIOD = timedelta(weeks=3)  # förvaltningslagen 44 §: three weeks from receipt


@cache
def _public_holidays(year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("SE", years=year, language="en_US")
    days = set(calendar)
    midsummer_day = next(d for d, name in calendar.items() if name == "Midsummer Day")
    days |= {midsummer_day - timedelta(days=1), date(year, 12, 24), date(year, 12, 31)}
    return frozenset(days)


def is_holiday(day: date) -> bool:
    """A Swedish public holiday, midsummer eve, Christmas eve or New Year's eve."""
    return day in _public_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Swedish public holiday or one of the three eves."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day`."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def appeal_deadline(received_on: date) -> date:
    """The last day to appeal a decision received on `received_on`."""
    return next_working_day(received_on + APPEAL_PERIOD)
