"""An application and the steps it goes through, told to the client as each happens."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow


class ApplicationStep(StrEnum):
    """Where an application stands. The first six come in this order (a step may be
    skipped: not every application is sent for the client's comment); WITHDRAWN and CLOSED
    end it from any step."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"
    COMMENT = "comment"  # the investigation sent for the client's comment (kommunicering)
    DECIDED = "decided"
    WAITING = "waiting"  # granted, not yet started (a delay keeps it here, with a new date)
    STARTED = "started"
    WITHDRAWN = "withdrawn"  # the client withdrew it
    CLOSED = "closed"  # closed without more to tell (a refusal, a mistake)


class Application(SQLModel, table=True):
    """An application for a service (insats): received, investigated, perhaps sent for the
    client's comment, decided, and for support granted: waiting to start, and started."""

    __table_args__ = (
        one_of("step", ApplicationStep, "ck_application_step"),
        UniqueConstraint(
            "source_unit_id", "source_system", "source_id", name="uq_application_source"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    service: str = Field(max_length=40, description="Key in the service catalog")
    received_on: date
    decision_expected_on: date | None = Field(
        default=None, description="Roughly when a decision is expected"
    )
    step: str = Field(default=ApplicationStep.RECEIVED, max_length=14)
    step_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answer_by: date | None = Field(
        default=None, description="The day to give one's comment by (kommunicering)"
    )
    comment_received_on: date | None = Field(
        default=None, description="When the client's comment came (no reminder after it)"
    )
    decision_id: int | None = Field(default=None, foreign_key="decision.id")
    start_expected_on: date | None = Field(
        default=None, description="When granted support is expected to start"
    )
    delay_reason: str | None = Field(
        default=None, max_length=40, description="Key in the delay catalog, when delayed"
    )
    started_on: date | None = None
    version: int = Field(default=1, description="Raised on every change, so old notices die")
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    source_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", description="The unit whose system gave source_id"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
