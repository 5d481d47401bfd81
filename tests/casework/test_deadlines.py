"""Appeal deadlines: three weeks, moved to the next working day (app/casework/deadlines.py)."""

from datetime import date

import pytest

from app.casework.deadlines import appeal_deadline, is_working_day


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (date(2026, 3, 2), date(2026, 3, 23)),  # monday + 3 weeks
        (date(2026, 1, 20), date(2026, 2, 10)),  # across a month end
        (date(2026, 12, 20), date(2027, 1, 11)),  # across a year end
        (date(2026, 1, 31), date(2026, 2, 23)),  # lands on saturday 21 feb: next monday
        (date(2026, 5, 29), date(2026, 6, 22)),  # midsummer eve 19 june, weekend: monday
        (date(2026, 12, 3), date(2026, 12, 28)),  # christmas eve, christmas, weekend
        (date(2026, 3, 13), date(2026, 4, 7)),  # 3 april is good friday, 6 april easter monday
    ],
)
def test_appeal_deadline_is_three_weeks_moved_to_the_next_working_day(received, deadline):
    assert appeal_deadline(received) == deadline
    assert is_working_day(deadline)
