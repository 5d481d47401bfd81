"""The worker process: APScheduler runs the sweep every few seconds (Procfile `worker:`)."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from app.sending import send_due

log = logging.getLogger(__name__)

# The whole schedule, with stable job ids (each job is safe to run twice).
SCHEDULE = (("send-due", "WORKER_INTERVAL_SECONDS"),)


def run_worker() -> None:
    """Block, running each scheduled job at its interval inside the app context."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])

    def sweep() -> None:
        with app.app_context():
            send_due()

    jobs = {"send-due": sweep}
    for job_id, interval_key in SCHEDULE:
        scheduler.add_job(
            jobs[job_id],
            "interval",
            seconds=app.config[interval_key],
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
