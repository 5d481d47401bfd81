"""The worker process: APScheduler runs the sweep every few seconds (Procfile `worker:`)."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app import health, metrics
from app.alerts import operations
from app.alerts.deliveries import send_alerts
from app.casework import checklist_series, handovers
from app.db import session_scope
from app.models import utcnow
from app.outbox.planner import local_date
from app.outbox.sweep import send_due
from app.retention import run_retention
from app.webhooks.delivery import deliver_due as deliver_webhooks

log = logging.getLogger(__name__)


def start_handovers() -> int:
    """Give clients to their new case worker once a permanent handover has started."""
    with session_scope() as session:
        return handovers.apply_started(session, local_date(utcnow()))


@dataclass(frozen=True)
class Job:
    """One scheduled job: a stable id, how often (a config key or seconds), what it runs.
    Each job is safe to run twice, and in several workers at once."""

    id: str
    every: str | int
    run: Callable[[], object]

    def seconds(self, config: dict) -> int:
        return config[self.every] if isinstance(self.every, str) else self.every


def create_monthly_checklists() -> int:
    """Make the next month's checklist of each monthly application when its list is due."""
    with session_scope() as session:
        return checklist_series.create_due_months(session, utcnow())


# The whole schedule.
SCHEDULE = (
    Job("send-due", "WORKER_INTERVAL_SECONDS", send_due),
    Job("start-handovers", 900, start_handovers),
    Job("monthly-checklists", 3600, create_monthly_checklists),
    Job("retention", 86400, run_retention),
    Job("send-alerts", 60, send_alerts),
    # Signed pushes to connected systems, retried with backoff (app/webhooks/delivery.py).
    Job("deliver-webhooks", 10, deliver_webhooks),
    # The delivery failure rate, provider refusals, a sweep that fails and late messages
    # (a worker that stopped is noticed by the web: /healthz, or `flask ops-check` from cron).
    Job("ops-check", 60, operations.check_all),
)


def run_job(job: Job) -> None:
    """Run one job (inside an app context) and note its run in the database, so /healthz
    and /metrics in any process see when each job last ran. A failed run is noted too,
    and its exception raised again for the scheduler to log."""
    started = time.monotonic()
    succeeded = False
    try:
        job.run()
        succeeded = True
    finally:
        try:
            with session_scope() as session:
                health.record_run(
                    session,
                    job.id,
                    utcnow(),
                    duration=time.monotonic() - started,
                    succeeded=succeeded,
                )
        except SQLAlchemyError as exc:  # no database: /healthz says so already
            log.warning("Could not note the run of %s (%s)", job.id, type(exc).__name__)


def run_worker() -> None:
    """Block, running each scheduled job at its interval inside the app context."""
    # The app behind the proxy, as Flask documents it; its types declare the proxy the app.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])

    def in_app(job: Job) -> Callable[[], None]:
        def run() -> None:
            with app.app_context():
                run_job(job)

        return run

    for job in SCHEDULE:
        scheduler.add_job(
            in_app(job),
            "interval",
            seconds=job.seconds(app.config),
            id=job.id,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(ZoneInfo(app.config["TIMEZONE"])),  # first run at once
        )
    metrics.serve_worker_metrics(app)
    log.info("Worker started: %s", ", ".join(job.id for job in SCHEDULE))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Worker stopped")


@click.command("worker")
def worker_command() -> None:
    """Run the scheduler: send due messages every WORKER_INTERVAL_SECONDS."""
    run_worker()


@click.command("send-due")
def send_due_command() -> None:
    """Do one sweep of due messages and exit."""
    result = send_due()
    click.echo(
        f"Sent {result.sent}, retried {result.retried}, failed {result.failed}, "
        f"skipped {result.skipped}, cancelled {result.cancelled}."
    )
