"""Connected case-management systems: their API keys, and the answers kept for retries."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class ApiScope(StrEnum):
    """What a key may do: read, or also write (which sends messages to clients)."""

    READ = "read"
    WRITE = "write"


class ApiKey(SQLModel, table=True):
    """One key of a connected system (Lifecare, Treserva …) for one unit. Only the SHA-256
    of the secret is stored; staff see the prefix to tell keys apart."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(
        max_length=60, description="The connected system; stored as source_system on records"
    )
    prefix: str = Field(max_length=16, description="The key's first characters, shown to staff")
    key_hash: str = Field(max_length=64, unique=True, description="sha256 of the whole key, hex")
    scopes: str = Field(default=ApiScope.READ, max_length=20, description="'read' or 'read,write'")
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rate_limit: int = Field(
        default=3000,
        sa_column_kwargs={"server_default": "3000"},
        description="Requests the key may make a minute (app/api/rate_limits.py)",
    )

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set ('read,write' -> {'read', 'write'})."""
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())

    def allows(self, scope: str) -> bool:
        """Whether the key may do what the scope names (and is not revoked)."""
        return self.revoked_at is None and scope in self.scope_set


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a write sent with an Idempotency-Key header: a retry with the
    same key and the same request gets this answer again and changes nothing."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id")
    key: str = Field(max_length=200, description="The Idempotency-Key header as sent")
    request: str = Field(max_length=300, description="Method and path, like 'PUT /api/v1/…'")
    request_hash: str = Field(max_length=64, description="sha256 of method, path and body")
    status_code: int = Field(default=0, description="0 while the first request is running")
    response_body: str | None = Field(default=None, description="The JSON answer as sent")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ApiRateWindow(SQLModel, table=True):
    """How many requests a key made in one minute: one row per key and minute, counted up
    by a single atomic upsert, so the limit holds across every web process."""

    __tablename__ = "api_rate_window"

    api_key_id: int = Field(foreign_key="api_key.id", primary_key=True)
    window_start: datetime = Field(sa_type=UTCDateTime, primary_key=True, index=True)
    requests: int = Field(default=0)
