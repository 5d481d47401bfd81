"""Phone hours that never meet the sending window (the phone shuts before the window opens,
or opens after it closes) still keep bad news to a phone day: never a Friday evening,
a weekend or a holiday, at the later of the phone's and the window's opening."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.outbox.phone_hours import meets_window, next_phone_moment

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


FRIDAY_EVENING = local(2026, 3, 6, 17, 0)
pytestmark = pytest.mark.frozen_at(FRIDAY_EVENING)


@pytest.mark.parametrize(
    ("hours", "window", "moment", "goes"),
    [
        # The phone shuts half an hour after the window opens: Monday at 08:00.
        ("mon-fri 07:30-08:30", "08:00-20:00", FRIDAY_EVENING, local(2026, 3, 9, 8, 0)),
        ("mon-fri 07:30-08:30", "08:00-20:00", local(2026, 3, 7, 9, 0), local(2026, 3, 9, 8, 0)),
        # Early on a phone day: at 08:00 that day.
        ("mon-fri 07:30-08:30", "08:00-20:00", local(2026, 3, 4, 6, 0), local(2026, 3, 4, 8, 0)),
        # The phone opens after the window closes: the window's morning on a phone day,
        # so that the client can call the same afternoon.
        ("mon-fri 13:00-14:00", "08:00-12:00", FRIDAY_EVENING, local(2026, 3, 9, 8, 0)),
        ("mon-fri 13:00-14:00", "08:00-12:00", local(2026, 3, 4, 9, 0), local(2026, 3, 4, 9, 0)),
        # Good Friday and Easter Monday are no phone days.
        ("mon-fri 07:30-08:30", "08:00-20:00", local(2026, 4, 2, 17, 0), local(2026, 4, 7, 8, 0)),
        # Office hours on Saturdays only: never on a weekday.
        ("sat-sat 07:00-08:00", "09:00-20:00", FRIDAY_EVENING, local(2026, 3, 7, 9, 0)),
    ],
)
def test_bad_news_keeps_to_phone_days_when_the_hours_never_meet_the_window(
    hours, window, moment, goes
):
    assert not meets_window(hours, window)
    assert next_phone_moment(hours, window, moment, STOCKHOLM) == goes


@pytest.mark.parametrize(
    ("hours", "window", "meets"),
    [
        ("mon-fri 09:00-12:00", "08:00-20:00", True),
        ("mon-fri 07:00-16:00", "08:00-20:00", True),
        ("mon-fri 09:00-09:30", "08:00-20:00", True),  # at opening, when the hour is short
        ("mon-fri 07:30-08:30", "08:00-20:00", False),  # the last moment, 07:30, is too early
        ("mon-fri 13:00-14:00", "08:00-12:00", False),
        ("mon-fri 12:00-14:00", "08:00-12:00", False),  # the window ends as the phone opens
        ("by appointment", "08:00-20:00", True),  # unreadable hours hold nothing
    ],
)
def test_meets_window_says_whether_bad_news_has_a_moment(hours, window, meets):
    assert meets_window(hours, window) is meets
