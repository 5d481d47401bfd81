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
from app.casework.contact_needs import AID_LENGTH, INTERPRETER_LANGUAGES
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
    interpreter_language: Annotated[
        str,
        Line(12),
        Field(
            description="The language an interpreter is needed in at meetings and calls, as a "
            "code: " + ", ".join(INTERPRETER_LANGUAGES) + " (swl: Swedish Sign Language). "
            "It may differ from `language`, the language of the messages. Empty: no "
            "interpreter needed"
        ),
    ] = ""
    communication_aid: Annotated[
        str,
        Line(AID_LENGTH),
        Field(
            description="How the client understands and makes themselves understood, in a "
            "few words, like 'bildstöd', 'talsyntes' or 'teckenspråk'. Staff see it on every "
            "screen about the client. Empty: none recorded"
        ),
    ] = ""
    email: Annotated[
        str,
        Line(254),
        Field(
            description="The client's own e-mail address (checked like name@example.se); "
            "empty: none"
        ),
    ] = ""
    email_copies: Annotated[
        bool,
        Field(
            description="Every message also by e-mail to `email`, next to the text or call, "
            "never instead of them: the same words with the pictures inline and the page "
            "link. The client's consent to messages covers it. A discreet client's e-mail "
            "says only that there is a message. Needs an address"
        ),
    ] = False
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
    interpreter_language: Annotated[
        str, Field(description="The interpreter's language code; empty: none needed")
    ]
    communication_aid: str
    email: str
    email_copies: bool
    email_unreachable_at: Annotated[
        datetime | None,
        Field(
            description="When the mail server refused the address for good: no e-mail is "
            "sent until it is changed (texts and calls go on)"
        ),
    ]
    caseworker_email: str | None
    consent_method: str | None
    consent_at: datetime | None
    opted_out_at: datetime | None
    unreachable_at: datetime | None
    closed_at: Annotated[
        datetime | None,
        Field(
            description="When the client was closed as no longer a client: nothing is sent "
            "from then, and everything about them is deleted when the retention periods have "
            "run from this moment"
        ),
    ] = None
    created_at: datetime
    updated_at: datetime


class StillOpen(Output):
    """What the client still waited for when closed: closing answers and cancels none of it."""

    unanswered_texts: Annotated[
        int, Field(description="Texts from the client or their representatives nobody answered")
    ]
    callbacks: Annotated[
        int,
        Field(description="Callbacks asked for and not made: they stay on the case worker's "
              "Today until someone has called"),
    ]  # fmt: skip
    meetings_ahead: Annotated[
        int,
        Field(description="Planned meetings ahead: they stay planned, but no reminder goes out"),
    ]


class ClosedClientOut(ClientOut):
    """A client just closed (or closed before), with what they still wait for."""

    still_open: StillOpen


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
