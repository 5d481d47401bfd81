"""The worker process: APScheduler runs the sweep every few seconds (Procfile `worker:`)."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from app.casework import handovers
from app.db import session_scope
from app.models import utcnow
from app.outbox.planner import local_date
from app.outbox.sweep import send_due
from app.retention import run_retention

log = logging.getLogger(__name__)

# The whole schedule, with stable job ids (each job is safe to run twice): the interval is
# a config key or a number of seconds.
SCHEDULE = (
    ("send-due", "WORKER_INTERVAL_SECONDS"),
    ("start-handovers", 900),
    ("retention", 86400),
)


def start_handovers() -> int:
    """Give clients to their new case worker once a permanent handover has started."""
    with session_scope() as session:
        return handovers.apply_started(session, local_date(utcnow()))


def run_worker() -> None:
    """Block, running each scheduled job at its interval inside the app context."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])

    def sweep() -> None:
        with app.app_context():
            send_due()

    def handover_job() -> None:
        with app.app_context():
            start_handovers()

    def retention_job() -> None:
        with app.app_context():
            run_retention()

    jobs = {"send-due": sweep, "start-handovers": handover_job, "retention": retention_job}
    for job_id, interval_key in SCHEDULE:
        scheduler.add_job(
            jobs[job_id],
            "interval",
            seconds=app.config[interval_key] if isinstance(interval_key, str) else interval_key,
            id=job_id,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(ZoneInfo(app.config["TIMEZONE"])),  # first run at once
        )
    log.info("Worker started: %s", ", ".join(job_id for job_id, _ in SCHEDULE))
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
