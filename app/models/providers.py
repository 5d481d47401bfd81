"""The SMS providers' health, shared by every process: failover (app/transports/failover.py)
counts tries and failures per provider in a short window, and marks a provider down until
a probe with real traffic succeeds. Nothing here holds a client's name, number or words."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime


class SmsProviderHealth(SQLModel, table=True):
    """One SMS provider's recent tries and whether the sweep has moved away from it."""

    __tablename__ = "sms_provider_health"

    name: str = Field(primary_key=True, max_length=20)
    window_started_at: datetime = Field(sa_type=UTCDateTime, description="The window counted")
    tries: int = Field(default=0, description="Messages handed over in the window")
    failures: int = Field(default=0, description="Of them, failed for the provider's sake")
    down_since: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="Failed over since; None while healthy"
    )
    probe_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When a message may try it again"
    )
