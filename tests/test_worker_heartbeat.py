"""The worker notes each job's run in the database (app/worker.py run_job)."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import WorkerHeartbeat
from app.worker import SCHEDULE, Job, run_job

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def beats(session) -> dict[str, WorkerHeartbeat]:
    session.expire_all()
    return {b.job: b for b in session.exec(select(WorkerHeartbeat))}


def test_a_run_is_noted_with_its_time_and_outcome(app, session):
    run_job(Job("start-handovers", 900, lambda: 0))
    beat = beats(session)["start-handovers"]
    assert (beat.last_run_at, beat.succeeded) == (NOW, True)
    assert beat.duration_seconds >= 0


def test_a_failed_run_is_noted_and_its_error_raised_for_the_scheduler(app, session):
    def broken() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_job(Job("retention", 86400, broken))
    assert beats(session)["retention"].succeeded is False


def test_the_worker_checks_for_operations_alerts_every_minute():
    assert {(job.id, job.every) for job in SCHEDULE} >= {("ops-check", 60)}
