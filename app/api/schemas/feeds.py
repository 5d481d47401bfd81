"""What a system polls (outbox, inbound texts, callback requests), the catalog of keys,
and the problem document every error has."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from app.api.problems import TYPES
from app.api.schemas.common import Output


class Subject(Output):
    """The record a message is about."""

    type: str
    id: int | None
    source_id: str | None


class OutboxItem(Output):
    """A message to a client (or a copy to a representative) and how it went."""

    id: int
    client_id: int
    client_source_id: str | None
    recipient: Literal["client", "representative"]
    representative_id: int | None
    kind: str
    channel: Annotated[
        Literal["sms", "voice", "email"],
        Field(description="email: a copy for a client who chose e-mail too (no delivery reports)"),
    ]
    status: Literal[
        "pending", "sending", "sent", "delivered", "undelivered", "failed", "cancelled", "skipped"
    ]
    due_at: datetime
    sent_at: datetime | None
    final_at: datetime | None
    attempts: int
    error: str | None
    language: str | None
    segments: int | None
    subject: Subject | None
    body: Annotated[
        str | None, Field(description="What was sent; null before sending and after retention")
    ]
    part: Annotated[
        int | None,
        Field(description="Which text this is of a message sent as several (1, 2 …), else null"),
    ] = None
    parts: Annotated[
        int | None, Field(description="How many texts the message was sent as, else null")
    ] = None
    first_part_id: Annotated[
        int | None, Field(description="For part 2, 3 …: the id of the message's first part")
    ] = None
    created_at: datetime
    updated_at: datetime


class InboundItem(Output):
    """A text a client or a representative sent."""

    id: int
    received_at: datetime
    client_id: int
    client_source_id: str | None
    sender: Literal["client", "representative"]
    representative_id: int | None
    body: Annotated[str | None, Field(description="Null after retention")]
    media_count: int
    intent: str | None
    needs_answer: bool
    handled_at: datetime | None


class CallbackItem(Output):
    """A client asked to be called back."""

    id: int
    created_at: datetime
    client_id: int
    client_source_id: str | None
    language: str
    interpreter_needed: bool
    source: str
    has_recording: bool
    assigned_staff_email: str | None
    handled_at: datetime | None


class Page(Output):
    """One page of a feed, oldest change first."""

    next: Annotated[
        str | None, Field(description="Pass as `after` to get what came after this page")
    ]
    has_more: bool


class OutboxPage(Page):
    """A page of the outbox feed."""

    items: list[OutboxItem]


class InboundPage(Page):
    """A page of the feed of texts received."""

    items: list[InboundItem]


class CallbackPage(Page):
    """A page of the feed of callback requests."""

    items: list[CallbackItem]


class CatalogEntry(Output):
    """One key of a catalog."""

    key: str
    name: Annotated[str, Field(description="In Swedish, as clients read it")]


class ApplicationEntry(CatalogEntry):
    """An application type and the documents it asks for by default."""

    documents: list[str]


class LanguageEntry(Output):
    """A language clients can have."""

    code: str
    name: Annotated[str, Field(description="The name in the language itself")]
    english_name: str


class Catalog(Output):
    """Every key the API takes, with its Swedish wording."""

    languages: list[LanguageEntry]
    purposes: list[CatalogEntry]
    documents: list[CatalogEntry]
    applications: list[ApplicationEntry]
    services: list[CatalogEntry]
    reasons: list[CatalogEntry]
    next_steps: list[CatalogEntry]
    paper_problems: Annotated[
        list[CatalogEntry], Field(description="Why a document is sent back (POST …/send-back)")
    ] = []
    delays: Annotated[
        list[CatalogEntry],
        Field(description="Why granted support starts later (POST /applications/…/delay)"),
    ] = []
    scope_units: list[str]


class FieldError(Output):
    """What is wrong with one field."""

    in_: Annotated[Literal["body", "query", "path", "header"], Field(alias="in")]
    path: Annotated[str, Field(description="A JSON Pointer into the body, or the parameter's name")]
    detail: str


class ProblemDetails(Output):
    """An error (RFC 9457)."""

    type: Annotated[str, Field(json_schema_extra={"enum": list(TYPES)})]
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []
