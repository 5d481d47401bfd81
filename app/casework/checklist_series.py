"""Monthly applications: a checklist that repeats every month (the same application, the
same papers, the due day of the month) until staff or the API stop it.

The first month's checklist is the series (`series_id` is its own id and it holds the due
day and the stop). The worker makes each next month's checklist MONTHLY_LEAD_DAYS before
its due date, so its list goes out then and its reminders and offer of help are planned as
for any checklist. One checklist per series and month, however many workers try at once.
"""

import calendar
import logging
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.casework import checklists
from app.errors import N_, InvalidInput
from app.models import Checklist, Client, saved_id, utcnow
from app.outbox.planner import at_local, local_date

log = logging.getLogger(__name__)

# How many days before its due date a month's list goes to the client.
MONTHLY_LEAD_DAYS = 14
# A month's source_id is the first's and ':YYYY-MM' within the column's 120 characters.
SOURCE_ID_ROOM = 112


def due_in(month: str, day: int) -> date:
    """The due date of a month ('2027-02') for a due day: the day itself, or the month's
    last day when the month is shorter (29, 30 or 31 in February is the 28th or 29th)."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, min(day, calendar.monthrange(year, number)[1]))


def month_after(month: str) -> str:
    """The month after '2026-12': '2027-01'."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def first_of(session: Session, checklist: Checklist) -> Checklist | None:
    """The checklist that holds the series this one belongs to, or None if it repeats not."""
    if checklist.series_id is None:
        return None
    return session.get(Checklist, checklist.series_id)


def months(session: Session, first: Checklist) -> list[Checklist]:
    """Every month's checklist of a series, the earliest first."""
    return list(
        session.exec(
            select(Checklist)
            .where(Checklist.series_id == saved_id(first))
            .order_by(col(Checklist.series_month))
        )
    )


def stop(session: Session, checklist: Checklist, *, now: datetime | None = None) -> Checklist:
    """Stop a series (asked of any of its months): no month after those already made is
    made; the checklists already sent stay as they are. Stopping twice changes nothing.
    Returns the series' first checklist."""
    first = first_of(session, checklist)
    if first is None or first.repeat_monthly_day is None:
        raise InvalidInput({"repeat_monthly_day": N_("This list does not repeat.")})
    if first.repeat_stopped_at is None:
        first.repeat_stopped_at = now or utcnow()
        first.updated_at = first.repeat_stopped_at
        session.add(first)
    return first


def next_month(session: Session, first: Checklist, today: date) -> tuple[str, date] | None:
    """The month a running series needs next and its due date: the month after the latest
    made, skipping months whose due date has passed (the worker was stopped meanwhile)."""
    if first.repeat_monthly_day is None or first.repeat_stopped_at is not None:
        return None
    latest = max(c.series_month or "" for c in months(session, first))
    month = month_after(latest)
    while due_in(month, first.repeat_monthly_day) < today:
        month = month_after(month)
    return month, due_in(month, first.repeat_monthly_day)


def create_due_months(session: Session, now: datetime | None = None) -> int:
    """Make each running series' next month once its list is due to go out; returns how
    many were made. Each month is committed on its own: when another worker made the same
    month first, only that one is given up."""
    now = now or utcnow()
    today = local_date(now)
    firsts = session.exec(
        select(Checklist.id).where(
            col(Checklist.repeat_monthly_day).is_not(None),
            col(Checklist.repeat_stopped_at).is_(None),
            col(Checklist.series_id) == col(Checklist.id),
        )
    ).all()
    made = 0
    for first_id in firsts:
        first = session.get_one(Checklist, first_id)
        wanted = next_month(session, first, today)
        if wanted is None:
            continue
        month, due_date = wanted
        if now < at_local(due_date - timedelta(days=MONTHLY_LEAD_DAYS)):
            continue
        latest = months(session, first)[-1]
        client = session.get_one(Client, first.client_id)
        try:
            checklists.create(
                session,
                client,
                application_type=first.application_type,
                due_date=due_date,
                documents=[i.document_type for i in checklists.items(session, latest)],
                staff_id=client.caseworker_id or first.staff_id,
                series=first,
                now=now,
                **_source(first, month),
            )
            session.commit()
        except IntegrityError:
            session.rollback()  # another worker made this month
            log.info("Checklist series %s: month %s made elsewhere", first_id, month)
            continue
        made += 1
    return made


def _source(first: Checklist, month: str) -> dict:
    """A month of a series the API knows by source_id: '<first's source_id>:<YYYY-MM>'."""
    if first.source_id is None or len(first.source_id) > SOURCE_ID_ROOM:
        return {}
    return {
        "source_system": first.source_system,
        "source_unit_id": first.source_unit_id,
        "source_id": f"{first.source_id}:{month}",
    }
