"""A unit's outcomes, month by month: do messages arrive, do clients confirm, do they come
(and does a confirmed reminder make a difference), and how fast are callbacks answered.

Every figure is counted in the database over a range of whole months in the unit's time
zone (TIMEZONE), and broken down by month, language, channel and message kind:

- **delivery**: the unit's texts and calls (copies to representatives too; each text of a
  message sent as several counts) whose outcome the provider reported, by the month they
  were handed over: delivered, against delivered + not delivered + failed. Those still
  without a report are counted apart (`awaiting`). Kind, channel and language are the
  message's own.
- **confirmation**: meetings whose time has come and that got at least one reminder (the
  client's own, handed over): how many the client confirmed (their last answer).
- **no-show**: meetings whose time has come, not cancelled, with attendance recorded as
  came or did not come: how many did not come, for those the client had confirmed and for
  the others apart. Started meetings with nothing recorded are counted (`not_recorded`).
- **callbacks**: requests to be called, by the month they were made; how many staff have
  marked as called, and the median time from the request to that.

For meetings, the language and channel are the client's (reminders by text, call or
both); for callbacks, the language asked for and where the request came from (a text, the
phone menu or staff). A rate with nothing to count is None, never a division by zero.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, Subquery, case, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col

from app.models import (
    Appointment,
    AppointmentResponse,
    AppointmentStatus,
    CallbackRequest,
    Client,
    OutboxMessage,
    OutboxStatus,
    SubjectType,
)
from app.models.casework import Attendance
from app.outbox.planner import local_zone

MAX_MONTHS = 24
DELIVERED = (OutboxStatus.DELIVERED,)
NOT_DELIVERED = (OutboxStatus.UNDELIVERED, OutboxStatus.FAILED)
AWAITING = (OutboxStatus.SENDING, OutboxStatus.SENT)
REMINDED = (OutboxStatus.SENT, OutboxStatus.DELIVERED)  # handed over to the provider


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`: the value is None when there is nothing to count."""

    part: int = 0
    whole: int = 0

    @property
    def value(self) -> float | None:
        """The share from 0 to 1, or None for an empty whole."""
        return self.part / self.whole if self.whole else None


@dataclass
class Tally:
    """The counts behind the rates of one month, language, channel, kind or the whole."""

    delivered: int = 0
    not_delivered: int = 0
    awaiting: int = 0
    reminded: int = 0
    confirmed: int = 0
    # came / did not come, for meetings the client had confirmed and for the others
    came_confirmed: int = 0
    no_show_confirmed: int = 0
    came_unconfirmed: int = 0
    no_show_unconfirmed: int = 0
    not_recorded: int = 0
    callbacks: int = 0
    answer_times: list[timedelta] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        """Count another tally's messages, meetings and callbacks in this one too."""
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)

    @property
    def delivery(self) -> Rate:
        """Delivered of those with a reported outcome."""
        return Rate(self.delivered, self.delivered + self.not_delivered)

    @property
    def confirmation(self) -> Rate:
        """Confirmed of the meetings that got a reminder."""
        return Rate(self.confirmed, self.reminded)

    @property
    def no_show(self) -> Rate:
        """Did not come, of every meeting with came / did not come recorded."""
        no_show = self.no_show_confirmed + self.no_show_unconfirmed
        return Rate(no_show, no_show + self.came_confirmed + self.came_unconfirmed)

    @property
    def no_show_when_confirmed(self) -> Rate:
        """Did not come, of the recorded meetings the client had confirmed."""
        return Rate(self.no_show_confirmed, self.no_show_confirmed + self.came_confirmed)

    @property
    def no_show_when_unconfirmed(self) -> Rate:
        """Did not come, of the recorded meetings the client had not confirmed."""
        return Rate(self.no_show_unconfirmed, self.no_show_unconfirmed + self.came_unconfirmed)

    @property
    def answered(self) -> int:
        """Callbacks marked as called."""
        return len(self.answer_times)

    @property
    def median_answer(self) -> timedelta | None:
        """The median time from a callback request to the call, or None with none called."""
        if not self.answer_times:
            return None
        return timedelta(seconds=statistics.median(t.total_seconds() for t in self.answer_times))

    @property
    def size(self) -> int:
        """How many messages, meetings and callbacks were counted here."""
        return (
            self.delivered
            + self.not_delivered
            + self.awaiting
            + self.reminded
            + self.no_show.whole
            + self.not_recorded
            + self.callbacks
        )


@dataclass
class Outcomes:
    """A unit's outcomes over a range of months, in every breakdown."""

    months: list[tuple[date, Tally]]  # every month of the range, empty ones too
    languages: dict[str, Tally]
    channels: dict[str, Tally]
    kinds: dict[str, Tally]
    total: Tally


def month_range(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s (both included)."""
    months, month = [], first.replace(day=1)
    while month <= last.replace(day=1):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def shift_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _starts(months: list[date]) -> list[datetime]:
    """The UTC moment each month starts in the unit's time zone, and the one after the
    last ends."""
    zone = local_zone()
    edges = [*months, shift_months(months[-1], 1)]
    return [datetime(m.year, m.month, 1, tzinfo=zone).astimezone(UTC) for m in edges]


def _month_of(column, edges: list[datetime]) -> ColumnElement[int]:
    """A column expression: the index of the month a moment falls in (portable SQL: the
    months' edges are computed here, in the unit's time zone)."""
    return case(*[(column < edge, index) for index, edge in enumerate(edges[1:])], else_=-1)


def outcomes(session: Session, unit_id: int, first: date, last: date, now: datetime) -> Outcomes:
    """The unit's outcomes from the month of `first` to the month of `last` (at most
    MAX_MONTHS), counting meetings up to `now`."""
    months = month_range(first, last)[:MAX_MONTHS]
    if not months:
        raise ValueError("The first month must not come after the last.")
    edges = _starts(months)
    result = Outcomes(
        months=[(m, Tally()) for m in months],
        languages=defaultdict(Tally),
        channels=defaultdict(Tally),
        kinds=defaultdict(Tally),
        total=Tally(),
    )
    _deliveries(session, unit_id, edges, result)
    _meetings(session, unit_id, edges, min(now, edges[-1]), result)
    _callbacks(session, unit_id, edges, result)
    result.languages = _by_size(result.languages)
    result.channels = _by_size(result.channels)
    result.kinds = _by_size(result.kinds)
    return result


def _tallies(result: Outcomes, month: int, *keys: tuple[dict[str, Tally], str]) -> list[Tally]:
    """The tallies one row counts in: its month, the whole, and each breakdown's key."""
    return [result.months[month][1], result.total, *(group[key] for group, key in keys)]


def _deliveries(session: Session, unit_id: int, edges: list[datetime], result: Outcomes) -> None:
    moment = func.coalesce(OutboxMessage.sent_at, OutboxMessage.final_at)
    inner = (
        core_select(
            _month_of(moment, edges).label("month"),
            col(OutboxMessage.kind).label("kind"),
            col(OutboxMessage.channel).label("channel"),
            func.coalesce(OutboxMessage.language, Client.language).label("language"),
            col(OutboxMessage.status).label("status"),
        )
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(
            col(Client.unit_id) == unit_id,
            col(OutboxMessage.status).in_(DELIVERED + NOT_DELIVERED + AWAITING),
            moment >= edges[0],
            moment < edges[-1],
        )
        .subquery()
    )
    rows = _grouped(session, inner)
    for index, kind, channel, lang, status, count in rows:
        groups = ((result.kinds, kind), (result.channels, channel), (result.languages, lang))
        for tally in _tallies(result, index, *groups):
            if status in DELIVERED:
                tally.delivered += count
            elif status in NOT_DELIVERED:
                tally.not_delivered += count
            else:
                tally.awaiting += count


def _grouped(session: Session, inner: Subquery) -> list:
    """Every distinct row of `inner` with how many times it occurs. (Grouped outside the
    query that computes the month: PostgreSQL would not see the same expression twice.)"""
    columns = [inner.c[name] for name in inner.c.keys()]
    return list(session.execute(core_select(*columns, func.count()).group_by(*columns)).all())


def _reminded() -> ColumnElement[bool]:
    """Whether the meeting's client got at least one reminder (handed over). (One list of
    reminded meetings, looked up by each: the outbox has no index by subject, so a test
    per meeting would read the outbox once a meeting.)"""
    reminded = core_select(col(OutboxMessage.subject_id)).where(
        col(OutboxMessage.subject_type) == SubjectType.APPOINTMENT,
        col(OutboxMessage.kind) == "appointment_reminder",
        col(OutboxMessage.representative_id).is_(None),
        col(OutboxMessage.status).in_(REMINDED),
    )
    return col(Appointment.id).in_(reminded)


def _meetings(
    session: Session, unit_id: int, edges: list[datetime], until: datetime, result: Outcomes
) -> None:
    inner = (
        core_select(
            _month_of(Appointment.starts_at, edges).label("month"),
            col(Client.language).label("language"),
            col(Client.channel).label("channel"),
            col(Appointment.status).label("status"),
            (col(Appointment.response) == AppointmentResponse.CONFIRMED).label("confirmed"),
            col(Appointment.attendance).label("attendance"),
            case((_reminded(), 1), else_=0).label("reminded"),
        )
        .join(Client, col(Client.id) == Appointment.client_id)
        .where(
            col(Client.unit_id) == unit_id,
            col(Appointment.starts_at) >= edges[0],
            col(Appointment.starts_at) < until,
        )
        .subquery()
    )
    rows = _grouped(session, inner)
    for index, language, channel, status, confirmed, attendance, reminded, count in rows:
        groups = ((result.languages, language), (result.channels, channel))
        for tally in _tallies(result, index, *groups):
            _count_meetings(tally, status, bool(confirmed), attendance, bool(reminded), count)


def _count_meetings(
    tally: Tally, status: str, confirmed: bool, attendance: str | None, reminded: bool, count: int
) -> None:
    if reminded:
        tally.reminded += count
        tally.confirmed += count if confirmed else 0
    if status == AppointmentStatus.CANCELLED or attendance == Attendance.CANCELLED:
        return
    # "With a confirmed reminder": a reminder reached the provider and the client said yes;
    # a yes without any reminder counts with the others.
    confirmed = confirmed and reminded
    if attendance is None:
        tally.not_recorded += count
    elif attendance == Attendance.NO_SHOW:
        if confirmed:
            tally.no_show_confirmed += count
        else:
            tally.no_show_unconfirmed += count
    elif confirmed:
        tally.came_confirmed += count
    else:
        tally.came_unconfirmed += count


def _callbacks(session: Session, unit_id: int, edges: list[datetime], result: Outcomes) -> None:
    rows = session.execute(
        core_select(
            _month_of(CallbackRequest.created_at, edges),
            col(CallbackRequest.language),
            col(CallbackRequest.source),
            col(CallbackRequest.created_at),
            col(CallbackRequest.handled_at),
        ).where(
            col(CallbackRequest.unit_id) == unit_id,
            col(CallbackRequest.created_at) >= edges[0],
            col(CallbackRequest.created_at) < edges[-1],
        )
    ).all()
    for index, language, source, created_at, handled_at in rows:
        groups = ((result.languages, language), (result.channels, source))
        for tally in _tallies(result, index, *groups):
            tally.callbacks += 1
            if handled_at is not None:
                tally.answer_times.append(max(handled_at - created_at, timedelta(0)))


def _by_size(groups: dict[str, Tally]) -> dict[str, Tally]:
    """The breakdown as a plain dict, the biggest first (then by key)."""
    return dict(sorted(groups.items(), key=lambda item: (-item[1].size, item[0] or "")))
