"""What case workers record: appointments, document checklists, decisions and handovers."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow


class MeetingMode(StrEnum):
    OFFICE = "office"
    HOME = "home"
    PHONE = "phone"
    VIDEO = "video"


class AppointmentStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


class AppointmentResponse(StrEnum):
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class Attendance(StrEnum):
    """What happened at the meeting, as staff recorded it afterwards."""

    CAME = "came"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Appointment(SQLModel, table=True):
    """A meeting with the client: when, where or how, with whom and about what."""

    __table_args__ = (
        one_of("mode", MeetingMode, "ck_appointment_mode"),
        one_of("status", AppointmentStatus, "ck_appointment_status"),
        one_of("attendance", Attendance, "ck_appointment_attendance"),
        UniqueConstraint(
            "source_unit_id", "source_system", "source_id", name="uq_appointment_source"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    previous_starts_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="The time before the last change"
    )
    duration_minutes: int = Field(default=60)
    mode: str = Field(default=MeetingMode.OFFICE, max_length=10)
    location: str = Field(default="", max_length=200, description="Address for office or home")
    purpose: str = Field(
        default="follow_up", max_length=40, description="Key in the purpose catalog"
    )
    bring: str = Field(default="", max_length=400, description="Comma-separated document keys")
    status: str = Field(default=AppointmentStatus.PLANNED, max_length=10)
    response: str | None = Field(default=None, max_length=10)
    previous_response: str | None = Field(
        default=None, max_length=10, description="The answer before the client changed it"
    )
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attendance: str | None = Field(
        default=None, max_length=10, description="came / no_show / cancelled, after the meeting"
    )
    attendance_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attendance_by_staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    keep_with_staff: bool = Field(
        default=False,
        description="Staff chose that the client meets staff_id even while they are away",
    )
    version: int = Field(default=1, description="Raised on every change, so old reminders die")
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    source_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", description="The unit whose system gave source_id"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def bring_keys(self) -> list[str]:
        """The document keys the client should bring, in order."""
        return [k.strip() for k in self.bring.split(",") if k.strip()]


class ChecklistStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    CANCELLED = "cancelled"


class Checklist(SQLModel, table=True):
    """The documents a client must hand in for one application, and by when."""

    __table_args__ = (
        one_of("status", ChecklistStatus, "ck_checklist_status"),
        UniqueConstraint(
            "source_unit_id", "source_system", "source_id", name="uq_checklist_source"
        ),
        # One checklist per month of a monthly series, however many workers create it.
        UniqueConstraint("series_id", "series_month", name="uq_checklist_series_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    application_type: str = Field(max_length=40, description="Key in the application catalog")
    due_date: date
    status: str = Field(default=ChecklistStatus.OPEN, max_length=10)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(
        default=1, description="Raised when the due date moves or a paper comes back"
    )
    repeat_monthly_day: int | None = Field(
        default=None, description="On the first of a monthly series: the due day, 1-31"
    )
    repeat_stopped_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When staff stopped the series"
    )
    series_id: int | None = Field(
        default=None, foreign_key="checklist.id", index=True, description="The series' first"
    )
    series_month: str | None = Field(
        default=None, max_length=7, description="YYYY-MM: the month in its series"
    )
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    source_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", description="The unit whose system gave source_id"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChecklistItem(SQLModel, table=True):
    """One document on a checklist; received once staff tick it."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("checklist_id", "document_type", name="uq_item_document"),)

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="checklist.id", index=True)
    document_type: str = Field(max_length=40, description="Key in the document catalog")
    position: int = Field(default=0)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    problem: str | None = Field(
        default=None, max_length=40, description="Key in the paper-problem catalog"
    )
    problem_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When staff sent the paper back"
    )


class DecisionOutcome(StrEnum):
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REFUSED = "refused"
    ENDED = "ended"
    CHANGED = "changed"


class DecisionStatus(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class Decision(SQLModel, table=True):
    """A decision on a service (insats), recorded in structured form for a plain summary."""

    __table_args__ = (
        one_of("outcome", DecisionOutcome, "ck_decision_outcome"),
        one_of("status", DecisionStatus, "ck_decision_status"),
        UniqueConstraint("source_unit_id", "source_system", "source_id", name="uq_decision_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    service: str = Field(max_length=40, description="Key in the service catalog")
    outcome: str = Field(default=DecisionOutcome.APPROVED, max_length=20)
    status: str = Field(default=DecisionStatus.DRAFT, max_length=12)
    scope_amount: float | None = None
    scope_unit: str | None = Field(default=None, max_length=30)
    valid_from: date | None = None
    valid_to: date | None = None
    reasons: str = Field(default="", max_length=400, description="Comma-separated reason keys")
    decided_on: date | None = None
    received_on: date | None = Field(default=None, description="When the client got the letter")
    expected_on: date | None = Field(default=None, description="For a heads-up before deciding")
    version: int = Field(default=1, description="Raised on every change, so old notices die")
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    source_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", description="The unit whose system gave source_id"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HandoverKind(StrEnum):
    PERMANENT = "permanent"
    ABSENCE = "absence"


class Handover(SQLModel, table=True):
    """A client handed to a new case worker, for good or for an absence period."""

    __table_args__ = (
        one_of("kind", HandoverKind, "ck_handover_kind"),
        UniqueConstraint("source_unit_id", "source_system", "source_id", name="uq_handover_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    from_staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    to_staff_id: int = Field(foreign_key="staff_user.id")
    kind: str = Field(default=HandoverKind.PERMANENT, max_length=10)
    starts_on: date
    ends_on: date | None = None
    next_step: str = Field(default="", max_length=40, description="Key in the next-step catalog")
    file_passed_on: bool = Field(
        default=False, description="Staff confirmed the new contact has the client's papers"
    )
    version: int = Field(default=1, description="Raised on every change, so old notices die")
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    source_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", description="The unit whose system gave source_id"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
