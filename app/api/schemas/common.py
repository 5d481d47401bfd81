"""Types shared by every request and response model: text, ids, e-mail addresses,
catalog keys, dates and times, and the base classes."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from app.models import (
    ConsentMethod,
)

SOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$"
EMAIL_PATTERN = r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _one_line(value: str) -> str:
    # Control characters never belong in a name or an address, and PostgreSQL cannot store
    # NUL; a lone surrogate is not text at all.
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("Control characters (like line breaks) are not allowed here.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("This is not valid text.") from None
    return value


def _plausible_day(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"Give a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return value


def _plausible_moment(value: datetime) -> datetime:
    _plausible_day(value.date())
    return value


def _language_code(value):
    # Case systems write 'SV', 'sv-SE' or 'fa-AF'; Tydligt's codes are 'sv' and 'prs'.
    if not isinstance(value, str):
        return value
    code = value.strip().lower().replace("_", "-")
    if code == "fa-af":
        return "prs"
    return code.split("-", 1)[0]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Line(GroupedMetadata):
    """A single line of text of at most `max_length` characters: `Annotated[str, Line(80)]`.
    (Metadata rather than a function returning a type, so that type checkers read it.)"""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield from StringConstraints(min_length=self.min_length, max_length=self.max_length)
        yield AfterValidator(_one_line)


SourceId = Annotated[
    str,
    StringConstraints(pattern=SOURCE_ID_PATTERN, max_length=120),
    Field(description="Your system's own id of the record: letters, digits and . _ : -"),
]
Email = Annotated[
    str,
    StringConstraints(max_length=200, pattern=EMAIL_PATTERN),
    Field(description="The e-mail address of a staff member of the key's unit"),
]
Key = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9_]{1,40}$"),
    Field(description="A key from GET /api/v1/catalog"),
]
Keys = Annotated[list[Key], Field(max_length=30), AfterValidator(_unique)]
Day = Annotated[date, AfterValidator(_plausible_day)]
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_plausible_moment),
    Field(description="RFC 3339 with a time zone offset, like 2026-03-04T14:00:00+01:00"),
]
Language = Annotated[
    str,
    BeforeValidator(_language_code),
    StringConstraints(max_length=16),
    Field(description="A language code from GET /api/v1/catalog, like sv, en, ar, so, prs"),
]


class ApiConsentMethod(StrEnum):
    """How the client agreed to get messages, as a case system records it."""

    WRITTEN = ConsentMethod.WRITTEN.value
    VERBAL = ConsentMethod.VERBAL.value
    INTEGRATION = ConsentMethod.INTEGRATION.value


class Input(BaseModel):
    """A request body: unknown fields and loose types are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Output(BaseModel):
    """A response body."""
