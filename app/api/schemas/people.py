"""Clients and representatives."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from app.api.schemas.common import (
    ApiConsentMethod,
    Day,
    Email,
    Input,
    Language,
    Line,
    Output,
    SourceId,
)
from app.models import Channel, Privacy, RepresentativeRole


class ClientIn(Input):
    """A client as your system has them. On update only the fields you send change."""

    first_name: Annotated[str, Line(80, 1)]
    last_name: Annotated[str, Line(80)] = ""
    phone: Annotated[
        str,
        Line(40, 1),
        Field(description="A mobile, E.164 or Swedish national format; a landline is refused"),
    ]
    language: Language = "sv"
    channel: Channel = Channel.SMS
    privacy: Privacy = Privacy.FULL
    picture_support: bool = False
    caseworker_email: Email | None = None
    consent_method: Annotated[
        ApiConsentMethod | None,
        Field(description="Give it once the client has agreed; the welcome message follows"),
    ] = None
    consent_date: Annotated[
        Day | None, Field(description="The day the client agreed (default: today)")
    ] = None

    @field_validator("consent_date")
    @classmethod
    def _with_method(cls, value, info: ValidationInfo):
        if value is not None and info.data.get("consent_method") is None:
            raise ValueError("Give consent_method with consent_date.")
        return value


class ClientOut(Output):
    """A client as Tydligt has them."""

    id: int
    source_id: str | None
    first_name: str
    last_name: str
    phone: str
    language: str
    channel: Channel
    privacy: Privacy
    picture_support: bool
    caseworker_email: str | None
    consent_method: str | None
    consent_at: datetime | None
    opted_out_at: datetime | None
    unreachable_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RepresentativeIn(Input):
    """A god man, förvaltare or relative, and which copies the client allows them."""

    client_source_id: SourceId
    name: Annotated[str, Line(120, 1)]
    role: RepresentativeRole = RepresentativeRole.RELATIVE
    phone: Annotated[
        str,
        Line(40, 1),
        Field(description="A mobile, not a landline and not the client's own number"),
    ]
    language: Language = "sv"
    copy_appointments: bool = False
    copy_documents: bool = False
    copy_decisions: bool = False
    copy_handovers: bool = False


class RepresentativeOut(Output):
    """A representative; `opted_out_at` is set once they texted STOP or were removed."""

    id: int
    source_id: str | None
    client_source_id: str | None
    name: str
    role: RepresentativeRole
    phone: str
    language: str
    copy_appointments: bool
    copy_documents: bool
    copy_decisions: bool
    copy_handovers: bool
    opted_out_at: datetime | None
    created_at: datetime
