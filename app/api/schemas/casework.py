"""Appointments, checklists, decisions and handovers, and the messages planned about them."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from app.api.schemas.common import Day, Email, Input, Key, Keys, Line, Moment, Output, SourceId
from app.casework.decisions import ScopeUnit
from app.models import DecisionOutcome, HandoverKind, MeetingMode

# What Tydligt planned about a record


class SubjectMessage(Output):
    """A message planned (or sent) about a record."""

    id: int
    kind: str
    channel: str
    recipient: Literal["client", "representative"]
    representative_id: int | None
    status: str
    due_at: datetime
    sent_at: datetime | None


# Appointments


class AppointmentIn(Input):
    """A meeting with the client. On update only the fields you send change; a change tells
    the client at once and plans the reminders again."""

    client_source_id: SourceId
    starts_at: Moment
    duration_minutes: Annotated[int, Field(description="5 to 600")] = 60
    mode: MeetingMode = MeetingMode.OFFICE
    location: Annotated[str, Line(200), Field(description="Needed for office meetings")] = ""
    purpose: Key = "follow_up"
    bring: Keys = []
    staff_email: Annotated[Email | None, Field(description="Default: the case worker")] = None


class AppointmentOut(Output):
    """An appointment, the client's answer, and the messages planned or sent about it."""

    id: int
    source_id: str | None
    client_source_id: str | None
    starts_at: datetime
    previous_starts_at: datetime | None
    duration_minutes: int
    mode: MeetingMode
    location: str
    purpose: str
    bring: list[str]
    staff_email: str | None
    status: Literal["planned", "cancelled"]
    response: Literal["confirmed", "declined"] | None
    # The answer before the client changed it (they may, until the meeting), else null.
    previous_response: Literal["confirmed", "declined"] | None = None
    responded_at: datetime | None
    # What happened at the meeting, recorded after its start (a cancelled meeting is
    # "cancelled"), when and by whom (null when a connected system recorded it).
    attendance: Literal["came", "no_show", "cancelled"] | None = None
    attendance_at: datetime | None = None
    attendance_staff_email: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime
    messages: list[SubjectMessage]


class AttendanceIn(Input):
    """What happened at a meeting that has started: the client came, did not come, or the
    meeting was cancelled after all. It may be sent again to change it."""

    attendance: Literal["came", "no_show", "cancelled"]
    staff_email: Annotated[
        Email | None, Field(description="Who recorded it; default: your system, no one named")
    ] = None


# Checklists


class ChecklistIn(Input):
    """Documents the client must hand in by a day. Sending it again with another
    `due_date` gives more time: the client is told the new date. Anything else cannot
    change once made: cancel it and make a new one (with a new id)."""

    client_source_id: SourceId
    application_type: Key
    due_date: Day
    documents: Annotated[
        Keys | None, Field(description="Default: what the application type asks for")
    ] = None
    staff_email: Email | None = None
    repeat_monthly_day: Annotated[
        int | None,
        Field(
            ge=1,
            le=31,
            description="A monthly application: a new checklist with these documents every"
            " month, due on this day (29-31 is the last day of a shorter month). Its list"
            " goes out 14 days before, with the usual reminders, until you stop it"
            " (POST …/stop-repeating). Each month's source_id is this one's and ':YYYY-MM'.",
        ),
    ] = None


class ReceivedIn(Input):
    """Documents that have come in (all or none are ticked)."""

    documents: Annotated[Keys, Field(min_length=1)]


class SendBackIn(Input):
    """A received document that is unclear or wrong, and why."""

    document_type: Key
    problem: Annotated[
        Key, Field(description="Why: a key of the paper_problems catalog (GET /api/v1/catalog)")
    ]


class ChecklistItemOut(Output):
    """One document of a checklist, and when it came in."""

    document_type: str
    received_at: datetime | None
    problem: Annotated[
        str | None, Field(description="Sent back as unclear or wrong: the paper_problems key")
    ] = None
    problem_at: datetime | None = None


class ChecklistOut(Output):
    """A checklist, its documents, and the messages about it."""

    id: int
    source_id: str | None
    client_source_id: str | None
    application_type: str
    due_date: date
    status: Literal["open", "complete", "cancelled"]
    completed_at: datetime | None
    overdue: Annotated[
        bool, Field(description="Open, past its due date: the client is offered help or time")
    ] = False
    repeat_monthly_day: Annotated[
        int | None, Field(description="The series' due day, if this is a monthly application")
    ] = None
    repeat_stopped_at: Annotated[
        datetime | None, Field(description="When the monthly application was stopped")
    ] = None
    series_month: Annotated[
        str | None, Field(description="YYYY-MM: the month of a monthly application")
    ] = None
    staff_email: str | None
    items: list[ChecklistItemOut]
    created_at: datetime
    messages: list[SubjectMessage]


# Decisions


class DecisionIn(Input):
    """A decision: `announced` sends a heads-up that it is coming (service, expected_on);
    `decided` sends the plain summary (outcome and the rest). An announced decision is
    decided by sending it again with status `decided`."""

    client_source_id: SourceId
    status: Literal["announced", "decided"]
    service: Key
    expected_on: Day | None = None
    outcome: Annotated[
        DecisionOutcome | None,
        Field(description="Required with status `decided`: there is no default outcome"),
    ] = None
    scope_amount: Annotated[float | None, Field(description="With scope_unit")] = None
    scope_unit: ScopeUnit | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    reasons: Keys = []
    decided_on: Annotated[Day | None, Field(description="Default: today")] = None
    received_on: Annotated[
        Day | None, Field(description="When the client got the letter, if known")
    ] = None
    staff_email: Email | None = None


class DecisionOut(Output):
    """A decision, and the messages about it."""

    id: int
    source_id: str | None
    client_source_id: str | None
    status: Literal["draft", "announced", "decided", "withdrawn"]
    service: str
    outcome: DecisionOutcome
    expected_on: date | None
    scope_amount: float | None
    scope_unit: str | None
    valid_from: date | None
    valid_to: date | None
    reasons: list[str]
    decided_on: date | None
    received_on: date | None
    staff_email: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    heads_up_sent: Annotated[
        bool,
        Field(
            description="Whether a heads-up about this decision went out to the client. A "
            "refusal or an ending is accepted without one, but the client hears it out of "
            "the blue: send status `announced` first when you can."
        ),
    ]
    messages: list[SubjectMessage]


# Handovers and absences


class HandoverIn(Input):
    """The client handed to another case worker, for good or during an absence. A handover
    cannot change once made: cancel it and make a new one (with a new id)."""

    client_source_id: SourceId
    to_staff_email: Email
    kind: HandoverKind = HandoverKind.PERMANENT
    starts_on: Day
    ends_on: Annotated[Day | None, Field(description="The last day of an absence")] = None
    next_step: Key = "continue"
    file_passed_on: Annotated[
        bool,
        Field(
            description="True only when you know the new contact has the client's papers: "
            "then the notice says the client need not start over (otherwise it does not)"
        ),
    ] = False
    from_staff_email: Annotated[
        Email | None, Field(description="Default: the client's contact person on that day")
    ] = None


class HandoverOut(Output):
    """A handover or absence, and the notices about it."""

    id: int
    source_id: str | None
    client_source_id: str | None
    kind: HandoverKind
    to_staff_email: str | None
    from_staff_email: str | None
    starts_on: date
    ends_on: date | None
    next_step: str
    file_passed_on: bool
    cancelled_at: datetime | None
    created_at: datetime
    messages: list[SubjectMessage]
