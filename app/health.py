"""GET /healthz: the app answers, the database can be reached, and the worker keeps up.

The states, as README "For operations" describes them:

- `ok` (200): the database answers, the worker's sweep ran within three
  WORKER_INTERVAL_SECONDS and did not end in an error three runs in a row, and no message
  has been late longer than HEALTH_MAX_DUE_AGE_MINUTES.
- `degraded` (200, or 503 with `?strict=1`): the app serves pages but reminders are late
  or stopped; `reasons` says why. A load balancer keeps sending traffic (the web is fine);
  a monitor asks with `?strict=1` to see it fail.
- `error` (503): the database cannot be reached.

A message is late from the moment it was FIRST due (`first_due_at`, kept when a failed
try or a refusal by the provider moves `due_at` on) until it is sent: while it waits for
a retry, and while it sits in `sending` (a sweep that crashed left it there). Only moving
it to the sending window (the sweep's postponement) starts the count again, as that wait
is by rule.

The worker writes a heartbeat per job into the database after each run (record_run), so
any web process sees the same, with how many runs in a row ended in an error. Asking
also starts the operations check in the background (app/alerts/operations.py), at most
once a minute per process: the web notices a worker that stopped, which the worker itself
cannot.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import ColumnElement, and_, func, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from app.db import get_session
from app.errors import N_
from app.models import OutboxMessage, OutboxStatus, UTCDateTime, WorkerHeartbeat, utcnow

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

SWEEP_JOB = "send-due"  # the job whose silence makes reminders stop (app/worker.py)
SILENT_AFTER_INTERVALS = 3
FAILING_AFTER_RUNS = 3  # failed sweeps in a row before it is news (one or two may be a blip)


@dataclass(frozen=True)
class Reason:
    """Why the state is degraded: a stable code for machines, a sentence for operations
    people (English, as logs are) and the staff msgid the admin Today page shows, with its
    variables."""

    code: str
    text: str
    staff_text: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Health:
    """The state and, when degraded, the reasons."""

    reasons: tuple[Reason, ...] = ()

    @property
    def status(self) -> str:
        return "degraded" if self.reasons else "ok"


def record_run(
    session: Session,
    job: str,
    at: datetime,
    *,
    duration: float | None = None,
    succeeded: bool | None = None,
) -> None:
    """Note that `job` was at work at `at`: after each run (the worker, with how long it
    took and whether it ended well) and after each batch of a long sweep (the moment only,
    so a sweep that sends for minutes does not look silent). A failed run adds to the
    failed runs in a row, a good one ends them. Commits. Safe when several workers run the
    same job: an update, or the first insert wins and the other updates."""
    values: dict = {"last_run_at": at}
    if duration is not None:
        values["duration_seconds"] = duration
    if succeeded is not None:
        values["succeeded"] = succeeded
    first: dict = {}
    if succeeded is True:
        values |= {"failed_runs": 0, "failing_since": None}
    elif succeeded is False:
        values |= {
            "failed_runs": WorkerHeartbeat.failed_runs + 1,
            "failing_since": func.coalesce(WorkerHeartbeat.failing_since, at),
        }
        first = {"failed_runs": 1, "failing_since": at}
    for _ in range(2):
        updated = session.execute(
            update(WorkerHeartbeat).where(col(WorkerHeartbeat.job) == job).values(**values)
        )
        if updated.rowcount:  # type: ignore[attr-defined]
            session.commit()
            return
        session.add(WorkerHeartbeat(job=job, **(values | first)))
        try:
            session.commit()
            return
        except IntegrityError:  # another worker wrote the first row just now: update it
            session.rollback()


def heartbeats(session: Session) -> dict[str, WorkerHeartbeat]:
    """The last run of every job that has run, by job id."""
    return {beat.job: beat for beat in session.exec(select(WorkerHeartbeat))}


def late_since() -> ColumnElement:
    """When a message was first due: a retry or a refusal moves due_at, not this."""
    return func.coalesce(OutboxMessage.first_due_at, OutboxMessage.due_at, type_=UTCDateTime)


def waiting(now: datetime) -> ColumnElement:
    """Messages that were due by `now` and are not sent: pending (also while they wait for
    a retry) or claimed by a sweep and not yet settled."""
    return and_(
        col(OutboxMessage.status).in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
        late_since() <= now,
    )


def oldest_due(session: Session, now: datetime) -> datetime | None:
    """When the message waiting longest was first due (see waiting())."""
    return session.exec(select(func.min(late_since())).where(waiting(now))).one()


def check(session: Session, config: dict, now: datetime | None = None) -> Health:
    """The worker's and the outbox's state, read from the database (raises SQLAlchemyError
    when it cannot be read)."""
    now = now or utcnow()
    reasons = []
    interval = config["WORKER_INTERVAL_SECONDS"]
    silent_after = timedelta(seconds=SILENT_AFTER_INTERVALS * interval)
    beat = heartbeats(session).get(SWEEP_JOB)
    due = oldest_due(session, now)
    if beat is None and due is not None:
        # A worker that never ran is only news when something waits for it.
        reasons.append(
            Reason(
                "worker_silent",
                "the worker has never run the sweep",
                N_("The worker has never sent messages. Reminders are not going out."),
            )
        )
    elif beat is not None and now - beat.last_run_at > silent_after:
        minutes = max(1, int((now - beat.last_run_at).total_seconds() // 60))
        reasons.append(
            Reason(
                "worker_silent",
                f"the worker last ran the sweep {minutes} min ago (expected every {interval} s)",
                N_(
                    "The worker has not sent messages for %(minutes)s min. "
                    "Reminders are not going out."
                ),
                {"minutes": minutes},
            )
        )
    if beat is not None and beat.failed_runs >= FAILING_AFTER_RUNS:
        since = beat.failing_since or beat.last_run_at
        minutes = int((now - since).total_seconds() // 60)
        reasons.append(
            Reason(
                "sweep_failing",
                f"the sweep failed its last {beat.failed_runs} runs "
                f"(for {minutes} min; see the worker's log)",
                N_("Sending has failed %(runs)s times in a row. Reminders are not going out."),
                {"runs": beat.failed_runs},
            )
        )
    limit = timedelta(minutes=config["HEALTH_MAX_DUE_AGE_MINUTES"])
    if due is not None and now - due > limit:
        minutes = int((now - due).total_seconds() // 60)
        reasons.append(
            Reason(
                "oldest_due",
                f"the oldest due message has waited {minutes} min "
                f"(limit {config['HEALTH_MAX_DUE_AGE_MINUTES']} min)",
                N_("The oldest message waiting to be sent has waited %(minutes)s min."),
                {"minutes": minutes},
            )
        )
    return Health(tuple(reasons))


@bp.get("/healthz")
def healthz():
    """200 with {"status": "ok"}; "degraded" with reasons (503 with ?strict=1); 503 with
    "error" when the database cannot be reached."""
    session = get_session()
    try:
        session.scalars(text("SELECT 1")).one()
        health = check(session, current_app.config)
    except SQLAlchemyError as exc:
        log.error("Health check: database unreachable (%s)", type(exc).__name__)
        return jsonify(status="error", database="unreachable"), 503
    from app.alerts import operations  # the check mails; imported when first asked

    operations.check_soon(current_app._get_current_object())  # type: ignore[attr-defined]
    if not health.reasons:
        return jsonify(status="ok", database="ok")
    body = {
        "status": "degraded",
        "database": "ok",
        "reasons": [{"code": r.code, "text": r.text} for r in health.reasons],
    }
    strict = request.args.get("strict", "").lower() in ("1", "true", "yes")
    return jsonify(body), 503 if strict else 200
