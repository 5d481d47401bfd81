"""Staff sign-in kept on the server: one row per signed-in browser, and each person's second
factor (an authenticator app's secret and one-time recovery codes)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class StaffSession(SQLModel, table=True):
    """A browser signed in as a staff member. The browser's cookie holds a random token; only
    its hash is stored, so a copy of this table signs no one in."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, description="SHA-256 of the token")
    method: str = Field(max_length=30, description="How the person proved who they are")
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    end_reason: str = Field(default="", max_length=20, description="signed_out, expired, idle…")


class StaffSecondFactor(SQLModel, table=True):
    """A staff member's authenticator (TOTP, RFC 6238): in use once confirmed with a code."""

    __tablename__ = "staff_second_factor"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", unique=True)
    secret: str = Field(max_length=64, description="Base32; the app needs it to check codes")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_step: int | None = Field(
        default=None, description="The 30-second step of the last code accepted (no replays)"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffRecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for an authenticator code; only its hash is kept."""

    __tablename__ = "staff_recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    code_hash: str = Field(max_length=300)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
