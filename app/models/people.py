"""Units, staff, clients and the representatives who may get copies."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlalchemy.orm import validates
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow
from app.phone import require_e164


class Unit(SQLModel, table=True):
    """A social-services unit: the sender clients see, and its contact details."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    sender_name: str = Field(
        max_length=60, description="Who the client is told the message is from"
    )
    phone: str = Field(max_length=20, description="The unit's public phone number, E.164")
    phone_menu_number: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=200)
    office_hours: str = Field(default="mon-fri 09:00-12:00", max_length=120)
    sending_window: str = Field(
        default="08:00-20:00",
        max_length=11,
        description="When ordinary messages may go out, local time; urgent ones any time",
    )
    reminder_offsets: str = Field(
        default="", max_length=60, description="Like '3d,1d,2h'; empty: REMINDER_OFFSETS"
    )
    handover_notice_days: int = Field(
        default=7, description="How many days before a handover starts the client is told"
    )
    sso_lets_staff_join: bool = Field(
        default=False,
        description="Staff unknown to Tydligt who sign in by single sign-on get an account here",
    )
    two_factor_required: bool = Field(
        default=False, description="Everyone signing in with a password needs a second factor"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @validates("phone", "phone_menu_number")
    def _valid_phone(self, _key: str, value: str) -> str:
        return require_e164(value) if value else value


class StaffRole(StrEnum):
    CASEWORKER = "caseworker"
    ADMIN = "admin"


class StaffUser(SQLModel, table=True):
    """A case worker or administrator who signs in to the admin page."""

    __tablename__ = "staff_user"
    __table_args__ = (
        one_of("role", StaffRole, "ck_staff_role"),
        # A subject is its provider's own: another issuer may use the same text.
        UniqueConstraint("sso_issuer", "sso_subject", name="uq_staff_sso_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    email: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=120)
    phone: str = Field(default="", max_length=20, description="Work phone clients may call")
    role: str = Field(default=StaffRole.CASEWORKER, max_length=20)
    password_hash: str = Field(default="", max_length=300)
    session_version: int = Field(default=1, description="Raised to sign out every session")
    active: bool = Field(default=True)
    manager: bool = Field(
        default=False, description="Reads complaints and requests (administrators always do)"
    )
    sso_issuer: str | None = Field(
        default=None, max_length=300, description="The identity provider that knows this person"
    )
    sso_subject: str | None = Field(
        default=None,
        max_length=255,
        description="Who this person is at that provider (its `sub`): matched before e-mail",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @validates("phone")
    def _valid_phone(self, _key: str, value: str) -> str:
        return require_e164(value) if value else value


class Channel(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    BOTH = "both"


class Privacy(StrEnum):
    FULL = "full"
    DISCREET = "discreet"


class ConsentMethod(StrEnum):
    WRITTEN = "written"
    VERBAL = "verbal"
    SMS = "sms"
    INTEGRATION = "integration"


class Client(SQLModel, table=True):
    """A person who gets messages. One client per phone number in a unit, so replies can be
    matched."""

    __table_args__ = (
        one_of("channel", Channel, "ck_client_channel"),
        one_of("privacy", Privacy, "ck_client_privacy"),
        # A system's ids are its unit's: another unit's key with the same name has its own.
        UniqueConstraint("unit_id", "source_system", "source_id", name="uq_client_source"),
        # One number may be a client of two units (LSS support and economic assistance):
        # a text is matched by the pair (sender, the unit's number it went to). Only open
        # clients count: a closed client keeps their number for the register extract until
        # deleted, while a new holder of a recycled number can be registered.
        Index(
            "uq_client_unit_phone",
            "unit_id",
            "phone",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    caseworker_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    first_name: str = Field(max_length=80)
    last_name: str = Field(default="", max_length=80)
    phone: str = Field(max_length=20, index=True)
    language: str = Field(default="sv", max_length=8)
    channel: str = Field(default=Channel.SMS, max_length=8)
    picture_support: bool = Field(default=False)
    interpreter_language: str = Field(
        default="",
        max_length=12,
        description="The language an interpreter is needed in (a code); empty: none needed",
    )
    communication_aid: str = Field(
        default="", max_length=80, description="Like 'bildstöd' or 'teckenspråk'; free text"
    )
    privacy: str = Field(default=Privacy.FULL, max_length=10)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_method: str | None = Field(default=None, max_length=20)
    consent_recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    opted_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # E-mail goes next to SMS or calls, never instead of them (app/outbox/email_copies.py).
    email: str = Field(default="", max_length=254, description="The client's own e-mail address")
    email_copies: bool = Field(default=False, description="Every message also by e-mail")
    email_unreachable_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When the mail server refused the address"
    )
    pin_hash: str = Field(default="", max_length=300)
    pin_failures: int = Field(default=0, description="Wrong PINs in a row")
    pin_locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pin_locked_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When the PIN last locked"
    )
    pin_locks: int = Field(
        default=0, description="PIN locks since the last right PIN or the last new PIN"
    )
    pin_call_sid: str = Field(
        default="", max_length=64, description="The call whose wrong PINs pin_call_failures counts"
    )
    pin_call_failures: int = Field(default=0, description="Wrong PINs in that call")
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    # No longer a client (app/casework/closing.py): a stranger on every channel from then,
    # and deleted with everything about them when the retention periods have run from here.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    closed_by: str = Field(
        default="", max_length=120, description="Who closed: a staff member's or system's name"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @validates("phone")
    def _valid_phone(self, _key: str, value: str) -> str:
        return require_e164(value)

    @validates("consent_method")
    def _valid_consent_method(self, _key: str, value: str | None) -> str | None:
        if value is not None and value not in ConsentMethod.__members__.values():
            allowed = ", ".join(m.value for m in ConsentMethod)
            raise ValueError(f"Consent method '{value}' is unknown; use one of: {allowed}.")
        return value

    @property
    def may_receive(self) -> bool:
        """Whether ordinary messages may be sent: consent given and not opted out."""
        return self.consent_at is not None and self.opted_out_at is None


class RepresentativeRole(StrEnum):
    GOD_MAN = "god_man"
    FORVALTARE = "forvaltare"
    RELATIVE = "relative"
    OTHER = "other"


class Representative(SQLModel, table=True):
    """A god man, förvaltare or relative who may get copies the client (or the law) allows."""

    __table_args__ = (
        one_of("role", RepresentativeRole, "ck_representative_role"),
        UniqueConstraint(
            "source_unit_id", "source_system", "source_id", name="uq_representative_source"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    name: str = Field(max_length=120)
    role: str = Field(default=RepresentativeRole.RELATIVE, max_length=20)
    phone: str = Field(max_length=20, index=True)  # who texted or called: every time
    language: str = Field(default="sv", max_length=8)
    copy_appointments: bool = Field(default=False)
    copy_documents: bool = Field(default=False)
    copy_decisions: bool = Field(default=False)
    copy_handovers: bool = Field(default=False)
    opted_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="Removed by staff: a stranger from then"
    )
    source_system: str | None = Field(default=None, max_length=60)
    source_id: str | None = Field(default=None, max_length=120)
    source_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", description="The unit whose system gave source_id"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @validates("phone")
    def _valid_phone(self, _key: str, value: str) -> str:
        return require_e164(value)
