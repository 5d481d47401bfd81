"""Feedback: the survey's anonymous results, never shown for fewer than five answers."""

import re
from datetime import UTC, date, datetime

import pytest

from app.admin.feedback import Group, hide_small_groups, period_start
from app.models import FeedbackAnswer
from tests.factories import create_unit

NOW = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)  # sunday 15 march 2026
TOO_FEW = "Too few answers to show."

pytestmark = pytest.mark.frozen_at(NOW)


def answer(session, unit, day: date, *scores: int) -> None:
    for score in scores:
        session.add(FeedbackAnswer(unit_id=unit.id, score=score, answered_on=day))
    session.commit()


def page(web, period: str | None = None) -> str:
    response = web.get("/admin/feedback" + (f"?period={period}" if period else ""))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def month_row(html: str, month: str) -> str:
    """The table row of one month, as HTML."""
    match = re.search(rf"<tr>\s*<th scope=\"row\">{month}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {month}"
    return match.group(1)


def test_four_answers_show_nothing_but_that_there_are_too_few(session, unit, as_caseworker):
    answer(session, unit, date(2026, 3, 2), 1, 1, 2, 3)
    html = page(as_caseworker)
    assert TOO_FEW in html
    assert "Answers in the whole period" not in html
    assert "(25 %)" not in html and "(50 %)" not in html


def test_five_answers_show_counts_and_shares(session, unit, as_caseworker):
    answer(session, unit, date(2026, 3, 2), 1, 1, 1, 2, 3)
    html = page(as_caseworker)
    assert "Answers in the whole period" in html
    assert "3 (60 %)" in html
    assert "1 (20 %)" in html
    assert "<td>5</td>" in html


def test_months_with_fewer_than_five_answers_are_hidden(session, unit, as_caseworker):
    answer(session, unit, date(2026, 1, 20), 1, 2, 3)  # 3 answers
    answer(session, unit, date(2026, 2, 10), 1, 1)  # 2 answers
    answer(session, unit, date(2026, 3, 3), 1, 1, 1, 1, 2, 3)  # 6 answers
    html = page(as_caseworker)
    assert TOO_FEW in month_row(html, "January 2026")
    assert TOO_FEW in month_row(html, "February 2026")
    assert "4 (67 %)" in month_row(html, "March 2026")
    assert TOO_FEW in month_row(html, "December 2025")  # no answers at all
    assert "<td>11</td>" in html  # the period: 11 answers


def test_a_hidden_month_cannot_be_worked_out_from_the_period(session, unit, as_caseworker):
    # March alone (2 answers) would be the period minus January and February: so the
    # smallest month shown is hidden as well.
    answer(session, unit, date(2026, 1, 20), 1, 1, 1, 1, 1, 2)  # 6
    answer(session, unit, date(2026, 2, 10), 1, 1, 1, 1, 1, 2, 3)  # 7
    answer(session, unit, date(2026, 3, 3), 3, 3)  # 2
    html = page(as_caseworker)
    assert TOO_FEW in month_row(html, "March 2026")
    assert TOO_FEW in month_row(html, "January 2026")
    assert "5 (71 %)" in month_row(html, "February 2026")


def test_only_the_unit_s_own_answers_in_the_chosen_period_count(session, unit, as_caseworker):
    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    answer(session, other, date(2026, 3, 2), 3, 3, 3, 3, 3)
    answer(session, unit, date(2026, 1, 5), 1, 1, 1, 1, 1)  # 69 days ago
    assert TOO_FEW in page(as_caseworker, "30d")
    html = page(as_caseworker, "90d")
    assert "5 (100 %)" in html
    assert "(100 %)" in html and "0 (0 %)" in html


def test_an_unknown_period_falls_back_to_90_days(session, unit, as_caseworker):
    assert "Last 90 days" in page(as_caseworker, "forever")


def test_periods_end_today_and_count_both_ends():
    today = date(2026, 3, 15)
    assert period_start("30d", today) == date(2026, 2, 14)
    assert period_start("90d", today) == date(2025, 12, 16)
    assert period_start("12m", today) == date(2025, 3, 16)
    assert period_start("12m", date(2028, 2, 29)) == date(2027, 3, 1)


def test_secondary_hiding_goes_on_until_the_hidden_months_hold_five():
    period = Group(counts={1: 17})
    months = [Group(counts={1: n}) for n in (1, 5, 6, 5)]
    hide_small_groups(period, months)
    assert [m.hidden for m in months] == [True, True, False, False]
