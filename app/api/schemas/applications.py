"""Applications and their steps, and the messages planned about them."""

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from app.api.schemas.casework import SubjectMessage
from app.api.schemas.common import Day, Email, Input, Key, Output, SourceId
from app.models import ApplicationStep


class ApplicationIn(Input):
    """An application the client made. A new one tells the client it came, what happens
    next and roughly when a decision comes. Once made, `service` and `received_on` stay;
    a new `decision_expected_on` is kept (and told with the next step)."""

    client_source_id: SourceId
    service: Annotated[Key, Field(description="What is applied for: a key of `services`")]
    received_on: Day
    decision_expected_on: Annotated[
        Day | None, Field(description="Roughly when a decision is expected")
    ] = None
    staff_email: Email | None = None


class ApplicationStepIn(Input):
    """Move the application to a step, with what that step needs. A step forward (or the
    same step with a new day) tells the client; going back corrects a mistake and tells
    nothing; `withdrawn` and `closed` end it and tell nothing. The same step with the
    same values changes nothing."""

    step: ApplicationStep
    answer_by: Annotated[
        Day | None, Field(description="For `comment`: the day to answer by (3 to 90 days ahead)")
    ] = None
    decision_source_id: Annotated[
        SourceId | None,
        Field(description="For `decided`: the decision it led to (sent through /decisions)"),
    ] = None
    start_expected_on: Annotated[
        Day | None, Field(description="For `waiting`: when the granted support should start")
    ] = None
    started_on: Annotated[
        Day | None,
        Field(description="For `started`; default today (the day given before, if repeated)"),
    ] = None


class ApplicationDelayIn(Input):
    """Granted support starts later than the client was told: the new day and why."""

    start_expected_on: Day
    reason: Annotated[Key, Field(description="A key of `delays`")]


class ApplicationOut(Output):
    """An application, its step, and the messages about it."""

    id: int
    source_id: str | None
    client_source_id: str | None
    service: str
    step: ApplicationStep
    received_on: date
    decision_expected_on: date | None
    answer_by: date | None
    comment_received_on: date | None
    decision_source_id: str | None
    start_expected_on: date | None
    delay_reason: str | None
    started_on: date | None
    staff_email: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    messages: list[SubjectMessage]


class ApplicationList(Output):
    """A client's applications, the latest received first."""

    items: list[ApplicationOut]
