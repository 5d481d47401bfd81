"""Monitoring: when each worker job last ran, and the operations alerts already mailed.

Both live in the database so that every web process and every worker sees the same:
/healthz and /metrics in any gunicorn worker read the heartbeat the worker wrote, and an
alert is mailed once per incident whichever process noticed it first. Nothing here holds
a client's name, number or words.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow


class WorkerHeartbeat(SQLModel, table=True):
    """The last run of one scheduled job (app/worker.py SCHEDULE), by any worker."""

    __tablename__ = "worker_heartbeat"

    job: str = Field(primary_key=True, max_length=40)
    last_run_at: datetime = Field(sa_type=UTCDateTime, description="When the last run ended")
    succeeded: bool = Field(default=True, description="Whether the last run ended without error")
    duration_seconds: float = Field(default=0.0)
    failed_runs: int = Field(default=0, description="Runs in a row that ended in an error")
    failing_since: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="The first of those failed runs"
    )


class OperationsCondition(StrEnum):
    WORKER_SILENT = "worker_silent"  # the sweep has not run for three intervals
    FAILURE_RATE = "failure_rate"  # too many messages failed in the last hour
    PROVIDER_REFUSING = "provider_refusing"  # HTTP 429 or authentication errors
    SWEEP_FAILING = "sweep_failing"  # the sweep runs but ends in an error, run after run
    MESSAGES_LATE = "messages_late"  # a message is late, and none of the above says why
    SMS_FAILOVER = "sms_failover"  # SMS go through the secondary provider (failover.py)


class MailEvent(StrEnum):
    STARTED = "started"
    RESOLVED = "resolved"


class OperationsAlert(SQLModel, table=True):
    """One incident: a condition from the moment it was noticed until it cleared, with the
    mails about it. `open_key` is the condition while the incident is open and empty once it
    is resolved: unique, so two processes noticing at once open one incident, not two. It is
    resolved once the condition has not held for a while (operations.CLEAR_FOR), so one that
    comes and goes is one incident, not a mail every few minutes."""

    __tablename__ = "operations_alert"
    __table_args__ = (
        one_of("condition", OperationsCondition, "ck_operations_alert_condition"),
        UniqueConstraint("open_key", name="uq_operations_alert_open_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    condition: str = Field(max_length=30)
    # The unit a failure rate is about; empty for what concerns the whole installation.
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    open_key: str | None = Field(default=None, max_length=40)
    detail: str = Field(default="", max_length=300, description="Counts and times, never people")
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, description="The last check it held"
    )
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mailed_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When its recipients were listed"
    )
    resolved_mailed_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When the recipients of its end were listed"
    )


class OperationsAlertMail(SQLModel, table=True):
    """One administrator's mail about one incident starting or ending: sent or still to
    send, so a server that took the mail for some and not others is tried again for the
    rest only. Claimed (`claimed_at`) by the one process sending it."""

    __tablename__ = "operations_alert_mail"
    __table_args__ = (
        one_of("event", MailEvent, "ck_operations_alert_mail_event"),
        UniqueConstraint("alert_id", "staff_id", "event", name="uq_operations_alert_mail"),
        Index("ix_operations_alert_mail_unsent", "sent_at", "alert_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="operations_alert.id")
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    event: str = Field(max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
