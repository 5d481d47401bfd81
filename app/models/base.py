"""Shared column types and helpers for the domain model."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in Python, naive UTC in the database (the same on SQLite and PostgreSQL)."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Refusing a naive datetime: give a timezone-aware value.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class SubjectType(StrEnum):
    """What a message or an audit event is about: the type of its record. The first eight
    and REPRESENTATIVE (the welcome to a new representative) are what outbox messages are
    about (app/outbox/subjects.py reads each); the others appear in the audit log only."""

    CLIENT = "client"
    APPOINTMENT = "appointment"
    CHECKLIST = "checklist"
    DECISION = "decision"
    HANDOVER = "handover"
    APPLICATION = "application"
    CALLBACK = "callback"  # a callback request
    STAFF_MESSAGE = "staff_message"
    INBOUND_MESSAGE = "inbound_message"
    OUTBOX_MESSAGE = "outbox_message"
    REPRESENTATIVE = "representative"
    STAFF = "staff"
    UNIT = "unit"
    API_KEY = "api_key"


class Row(Protocol):
    """A table row with an integer primary key, given by the database on flush."""

    @property
    def id(self) -> int | None: ...


MAX_ID = 2**31 - 1  # the largest PostgreSQL INTEGER, what ids are: a larger one fails a query


def saved_id(row: Row) -> int:
    """The id of a row read from the database or flushed to it. The models type ids
    `int | None` (a new row has none until it is flushed); asking for the id of a row that
    has none is a bug, raised here rather than stored as NULL further on."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def one_of(column: str, choices: type[StrEnum], name: str) -> CheckConstraint:
    """A CHECK constraint that keeps a string column inside an enumeration."""
    values = ", ".join(f"'{c.value}'" for c in choices)
    return CheckConstraint(f"{column} IN ({values})", name=name)
