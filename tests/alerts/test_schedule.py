"""When an alert mail may go: digest hours, the unit's working time, urgent at any hour."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.alerts import schedule
from app.models import AlertMode, Unit

TZ = ZoneInfo("Europe/Stockholm")
UNIT = Unit(name="Ekby", sender_name="Ekby", phone="+46846500400",
            office_hours="mon-fri 09:00-12:00", sending_window="08:00-17:00")  # fmt: skip


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("08:00,13:00", (time(8), time(13))),
        (" 13:00, 8.00 13:00", (time(8), time(13))),
        ("7:05", (time(7, 5),)),
    ],
)
def test_digest_times_are_read_sorted_without_repeats(text, times):
    assert schedule.parse_times(text) == times
    assert schedule.parse_times(schedule.format_times(times)) == times


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "at least one"),
        ("24:00", "like 08:00"),
        ("8", "like 08:00"),
        ("08:60", "like 08:00"),
        ("kl 8", "like 08:00"),
        ("07:00,08:00,09:00,10:00,11:00,12:00,13:00", "at most six"),
    ],
)
def test_a_wrong_digest_time_says_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        schedule.parse_times(text)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (local(2026, 12, 8, 10, 0), True),  # Tuesday
        (local(2026, 12, 8, 7, 59), False),  # before the window
        (local(2026, 12, 8, 17, 0), False),  # the window has closed
        (local(2026, 12, 12, 10, 0), False),  # Saturday
        (local(2026, 12, 24, 10, 0), False),  # Christmas eve, a Thursday
        (local(2026, 12, 25, 10, 0), False),  # Christmas day
        (local(2027, 1, 6, 10, 0), False),  # Epiphany
        (local(2027, 1, 7, 10, 0), True),
    ],
)
def test_working_time_is_the_units_office_days_within_its_window(moment, working):
    assert schedule.is_working_time(UNIT, moment, TZ) is working


def test_a_unit_open_on_saturdays_works_on_saturdays():
    unit = Unit(name="Jour", sender_name="Jour", phone="+46846500400",
                office_hours="mon-sat 10:00-14:00", sending_window="08:00-17:00")  # fmt: skip
    assert schedule.is_working_time(unit, local(2026, 12, 12, 10, 0), TZ)
    assert not schedule.is_working_time(unit, local(2026, 12, 13, 10, 0), TZ)


def test_the_next_working_time_skips_weekends_and_holidays():
    assert schedule.next_working_time(UNIT, local(2026, 12, 11, 19, 30), TZ) == local(
        2026, 12, 14, 8, 0
    )
    assert schedule.next_working_time(UNIT, local(2026, 12, 23, 17, 0), TZ) == local(
        2026, 12, 28, 8, 0
    )
    now = local(2026, 12, 8, 9, 15)
    assert schedule.next_working_time(UNIT, now, TZ) == now


def test_a_digest_goes_once_its_hour_has_passed_since_the_oldest_item():
    times = (time(8), time(13))
    due = schedule.mail_due
    oldest = local(2026, 12, 8, 9, 30).astimezone(UTC)
    assert not due(AlertMode.DIGEST, times, UNIT, oldest, False, local(2026, 12, 8, 12, 59), TZ)
    assert due(AlertMode.DIGEST, times, UNIT, oldest, False, local(2026, 12, 8, 13, 0), TZ)
    assert due(AlertMode.DIGEST, times, UNIT, oldest, False, local(2026, 12, 8, 16, 0), TZ)
    # An item from after the 13:00 digest waits for tomorrow's 08:00.
    late = local(2026, 12, 8, 13, 1)
    assert not due(AlertMode.DIGEST, times, UNIT, late, False, local(2026, 12, 8, 16, 59), TZ)
    assert due(AlertMode.DIGEST, times, UNIT, late, False, local(2026, 12, 9, 8, 0), TZ)


def test_at_once_waits_only_for_working_time_and_urgent_never_waits():
    night = local(2026, 12, 8, 23, 0)
    assert not schedule.mail_due(AlertMode.AT_ONCE, (), UNIT, night, False, night, TZ)
    assert schedule.mail_due(AlertMode.AT_ONCE, (), UNIT, night, True, night, TZ)
    assert schedule.mail_due(AlertMode.DIGEST, (time(13),), UNIT, night, True, night, TZ)
    assert not schedule.mail_due(AlertMode.OFF, (time(13),), UNIT, night, True, night, TZ)
    morning = local(2026, 12, 9, 8, 0)
    assert schedule.mail_due(AlertMode.AT_ONCE, (), UNIT, night, False, morning, TZ)


def test_at_once_mails_come_at_most_every_five_minutes_unless_urgent():
    now = local(2026, 12, 8, 10, 0)
    sent = local(2026, 12, 8, 9, 56)
    assert not schedule.mail_due(AlertMode.AT_ONCE, (), UNIT, now, False, now, TZ, sent)
    assert schedule.mail_due(AlertMode.AT_ONCE, (), UNIT, now, True, now, TZ, sent)
    later = local(2026, 12, 8, 10, 1)
    assert schedule.mail_due(AlertMode.AT_ONCE, (), UNIT, now, False, later, TZ, sent)


def test_the_page_can_say_when_the_next_mail_would_go():
    times = (time(8), time(13))
    after_lunch = local(2026, 12, 11, 13, 30)  # Friday
    assert schedule.next_mail_at(AlertMode.DIGEST, times, UNIT, after_lunch, TZ) == local(
        2026, 12, 14, 8, 0
    )
    assert schedule.next_mail_at(AlertMode.AT_ONCE, times, UNIT, after_lunch, TZ) == after_lunch
    assert schedule.next_mail_at(AlertMode.OFF, times, UNIT, after_lunch, TZ) is None
