"""E-mail alerts to staff: each person's choice, and every item they were alerted to.

A mail says only how many of each kind wait on Today (app/alerts/), never who or what:
nothing here holds a client's name, number or words.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow


class AlertMode(StrEnum):
    OFF = "off"
    AT_ONCE = "at_once"
    DIGEST = "digest"


class AlertItemState(StrEnum):
    PENDING = "pending"  # found on the person's Today, not yet in a mail
    SENT = "sent"  # counted in a mail the SMTP server accepted
    GONE = "gone"  # left Today (handled, or no longer theirs) before a mail went


class AlertSetting(SQLModel, table=True):
    """One staff member's alerts: off, at once or digests at set hours, and the state of
    their mails (a claim while a worker handles them, the retry after an SMTP failure)."""

    __tablename__ = "alert_setting"
    __table_args__ = (one_of("mode", AlertMode, "ck_alert_setting_mode"),)

    staff_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    mode: str = Field(default=AlertMode.OFF, max_length=10)
    digest_times: str = Field(
        default="08:00,13:00", max_length=60, description="Local times like '08:00,13:00'"
    )
    language: str = Field(default="sv", max_length=8, description="The staff language of mails")
    since: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        description="Alerts turned on: only what happens from then is mailed",
    )
    claim_token: str | None = Field(default=None, max_length=40)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = Field(default=0, description="SMTP failures in a row")
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=200)
    last_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AlertItem(SQLModel, table=True):
    """One thing on a staff member's Today they are (or were) alerted to, once: a text, a
    callback request, a declined meeting, a failed delivery or a locked PIN, by its key."""

    __tablename__ = "alert_item"
    __table_args__ = (
        one_of("state", AlertItemState, "ck_alert_item_state"),
        UniqueConstraint("staff_id", "item_key", name="uq_alert_item_staff_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    item_key: str = Field(max_length=80, description="Like 'text:12' or 'pin:4:2026-12-07T08:00'")
    kind: str = Field(max_length=20)
    urgent: bool = Field(default=False)
    happened_at: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(default=AlertItemState.PENDING, max_length=10)
    found_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
