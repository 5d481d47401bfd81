"""Feedback: the after-meeting survey's anonymous results for the signed-in person's unit.

Results are never shown for a group of fewer than five answers: not for the period, not
for a month. A month that is hidden could be worked out as the period minus the months
shown, so more months are hidden until the hidden ones hold five answers together.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_date
from flask import render_template, request
from sqlmodel import Session, col, func, select

from app.admin import bp
from app.admin.access import current_staff, today
from app.admin.words import N_, staff_language
from app.db import get_session
from app.models import FeedbackAnswer

MIN_GROUP = 5
PERIODS = {
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "12m": N_("Last 12 months"),
}
DEFAULT_PERIOD = "90d"
# The survey's answers: 1 good, 2 partly, 3 bad (messages/feedback_request.j2).
SCORES = ((1, N_("Good")), (2, N_("Partly good")), (3, N_("Bad")))


@dataclass
class Group:
    """The answers of one period or one month, and whether they may be shown."""

    label: str = ""
    counts: dict[int, int] = field(default_factory=dict)
    hidden: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, score: int) -> int:
        """The share of answers with this score, in whole percent."""
        return round(100 * self.counts.get(score, 0) / self.total) if self.total else 0


def period_start(period: str, day: date) -> date:
    """The first day of a period that ends with `day` (both days count)."""
    if period == "12m":
        try:
            year_ago = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            year_ago = day.replace(year=day.year - 1, day=28)
        return year_ago + timedelta(days=1)
    return day - timedelta(days=(30 if period == "30d" else 90) - 1)


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def tally(session: Session, unit_id: int, start: date, end: date) -> tuple[Group, list[Group]]:
    """The unit's answers from start to end: the whole period and each month, with the
    groups of fewer than MIN_GROUP answers hidden."""
    rows = session.exec(
        select(col(FeedbackAnswer.answered_on), FeedbackAnswer.score, func.count())
        .where(
            FeedbackAnswer.unit_id == unit_id,
            FeedbackAnswer.answered_on >= start,
            FeedbackAnswer.answered_on <= end,
        )
        .group_by(col(FeedbackAnswer.answered_on), col(FeedbackAnswer.score))
    ).all()
    language = staff_language()
    period = Group()
    months = {m: Group(format_date(m, "LLLL y", locale=language)) for m in _months(start, end)}
    for answered_on, score, count in rows:
        for group in (period, months[answered_on.replace(day=1)]):
            group.counts[score] = group.counts.get(score, 0) + count
    hide_small_groups(period, list(months.values()))
    return period, list(months.values())


def hide_small_groups(period: Group, months: list[Group]) -> None:
    """Hide every group under MIN_GROUP answers, and more months where the hidden ones
    could otherwise be worked out from the period's total."""
    period.hidden = period.total < MIN_GROUP
    for month in months:
        month.hidden = period.hidden or month.total < MIN_GROUP
    hidden_answers = sum(m.total for m in months if m.hidden)
    while not period.hidden and 0 < hidden_answers < MIN_GROUP:
        smallest = min((m for m in months if not m.hidden), key=lambda m: m.total)
        smallest.hidden = True
        hidden_answers += smallest.total


@bp.route("/feedback")
def feedback():
    """How clients of the unit found their meetings, in a chosen period and per month."""
    period = request.args.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    end = today()
    start = period_start(period, end)
    total, months = tally(get_session(), current_staff().unit_id, start, end)
    return render_template(
        "admin/feedback/index.html",
        period=period,
        periods=PERIODS,
        start=start,
        end=end,
        total=total,
        months=months,
        scores=SCORES,
        min_group=MIN_GROUP,
    )
