"""Monthly applications: the next month's checklist made ahead of time by the worker (its
list, reminders and offer of help planned as for any checklist), once per month however
many workers run, until staff or the API stop the series."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.casework import checklist_series, checklists
from app.errors import InvalidInput
from app.models import Checklist, ChecklistStatus, OutboxStatus
from app.worker import SCHEDULE, create_monthly_checklists
from tests.casework.conftest import outbox
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
# April's list (due the 30th: April has no 31st) goes 14 days before, at 09.00 (07.00 UTC).
APRIL_LIST = datetime(2026, 4, 16, 7, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def first(session, team):
    client = create_client(session, team[1])
    created = checklists.create(
        session,
        client,
        application_type="ekonomiskt_bistand",
        due_date=date(2026, 3, 9),
        documents=["hyresavi", "kontoutdrag"],
        repeat_monthly_day=31,
        now=NOW,
    )
    session.commit()
    return created


def series(session, first) -> list[Checklist]:
    session.expire_all()
    return checklist_series.months(session, first)


@pytest.mark.parametrize(
    ("month", "day", "due"),
    [
        ("2027-01", 31, date(2027, 1, 31)),
        ("2027-02", 31, date(2027, 2, 28)),
        ("2028-02", 30, date(2028, 2, 29)),
        ("2027-04", 31, date(2027, 4, 30)),
        ("2027-04", 15, date(2027, 4, 15)),
    ],
)
def test_a_due_day_past_a_short_month_is_its_last_day(month, day, due):
    assert checklist_series.due_in(month, day) == due


def test_the_month_after_december_is_january():
    assert checklist_series.month_after("2026-12") == "2027-01"
    assert checklist_series.month_after("2026-09") == "2026-10"


def test_the_first_month_is_the_series(session, first):
    assert (first.series_id, first.series_month, first.repeat_monthly_day) == (
        first.id,
        "2026-03",
        31,
    )


@pytest.mark.parametrize("day", [0, 32])
def test_a_due_day_outside_the_month_is_refused(session, team, day):
    client = create_client(session, team[1])
    with pytest.raises(InvalidInput) as excinfo:
        checklists.create(
            session, client, application_type="ekonomiskt_bistand", due_date=date(2026, 3, 9),
            repeat_monthly_day=day, now=NOW,
        )  # fmt: skip
    assert "repeat_monthly_day" in excinfo.value.errors


def test_the_next_month_is_made_ahead_of_time_with_the_same_papers(session, team, first):
    assert checklist_series.create_due_months(session, APRIL_LIST.replace(hour=6)) == 0
    assert checklist_series.create_due_months(session, APRIL_LIST) == 1
    _march, april = series(session, first)
    assert (april.due_date, april.series_month, april.application_type) == (
        date(2026, 4, 30),
        "2026-04",
        "ekonomiskt_bistand",
    )
    # Made for the client's case worker of the day (after a handover: the new one).
    assert april.staff_id == team[1].id and april.status == ChecklistStatus.OPEN
    assert [i.document_type for i in checklists.items(session, april)] == [
        "hyresavi",
        "kontoutdrag",
    ]
    planned = sorted((m.kind, m.due_at) for m in outbox(session) if m.subject_id == april.id)
    assert planned == [
        ("checklist_overdue", datetime(2026, 5, 4, 7, 0, tzinfo=UTC)),  # 1 May is a holiday
        ("checklist_reminder", datetime(2026, 4, 27, 7, 0, tzinfo=UTC)),
        ("checklist_reminder", datetime(2026, 4, 29, 7, 0, tzinfo=UTC)),
        ("checklist_request", APRIL_LIST),
    ]


def test_running_again_makes_no_second_month(session, first):
    checklist_series.create_due_months(session, APRIL_LIST)
    assert checklist_series.create_due_months(session, APRIL_LIST) == 0
    assert [c.series_month for c in series(session, first)] == ["2026-03", "2026-04"]


def test_months_whose_due_date_passed_while_nobody_made_them_are_skipped(session, first):
    late = datetime(2026, 6, 20, 7, 0, tzinfo=UTC)
    assert checklist_series.create_due_months(session, late) == 1
    assert [c.series_month for c in series(session, first)] == ["2026-03", "2026-06"]


def test_a_later_month_takes_the_documents_of_the_latest(session, first):
    checklist_series.create_due_months(session, APRIL_LIST)
    may = datetime(2026, 5, 17, 7, 0, tzinfo=UTC)
    assert checklist_series.create_due_months(session, may) == 1
    assert [c.due_date for c in series(session, first)] == [
        date(2026, 3, 9),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_stopping_makes_no_more_months_and_leaves_the_current_one(session, first):
    checklist_series.create_due_months(session, APRIL_LIST)
    april = series(session, first)[-1]
    stopped = checklist_series.stop(session, april, now=APRIL_LIST)
    session.commit()
    assert stopped.id == first.id and first.repeat_stopped_at == APRIL_LIST
    assert checklist_series.create_due_months(session, datetime(2026, 7, 1, tzinfo=UTC)) == 0
    assert april.status == ChecklistStatus.OPEN
    assert [
        m.status for m in outbox(session, "checklist_reminder") if m.subject_id == april.id
    ] == [
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    ]
    checklist_series.stop(session, first, now=NOW)  # twice: nothing changes
    assert first.repeat_stopped_at == APRIL_LIST


def test_a_list_that_does_not_repeat_cannot_be_stopped(session, team):
    client = create_client(session, team[1])
    once = checklists.create(
        session, client, application_type="ekonomiskt_bistand", due_date=date(2026, 3, 9),
        now=NOW,
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        checklist_series.stop(session, once, now=NOW)


def test_the_worker_runs_the_job_hourly(app, session, first, frozen_clock):
    assert [job.every for job in SCHEDULE if job.id == "monthly-checklists"] == [3600]
    frozen_clock.move_to(APRIL_LIST)
    assert create_monthly_checklists() == 1
    assert create_monthly_checklists() == 0


def test_two_workers_at_once_make_one_checklist(app, session, first):
    engine = app.extensions["tydligt.engine"]
    start, made, errors = threading.Barrier(2), [], []

    def run() -> None:
        with app.app_context(), Session(engine, expire_on_commit=False) as db:
            start.wait(10)
            try:
                made.append(checklist_series.create_due_months(db, APRIL_LIST))
            except IntegrityError as exc:  # must never escape: the job handles the clash
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and sorted(made) == [0, 1]
    session.expire_all()
    aprils = session.exec(select(Checklist).where(Checklist.series_month == "2026-04")).all()
    assert len(aprils) == 1
    assert (
        len([m for m in outbox(session, "checklist_request") if m.subject_id == aprils[0].id]) == 1
    )
