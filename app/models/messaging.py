"""Messages out and in: the outbox, inbound texts, callback requests, page links, feedback."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, UniqueConstraint, event, inspect
from sqlalchemy.orm.attributes import get_history
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, one_of, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"  # planned, waiting for its due time
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # accepted by the provider
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"  # the record changed or was cancelled before sending
    SKIPPED = "skipped"  # not sent by rule (opted out, no consent), with the reason


FINAL_STATUSES = frozenset(
    {
        OutboxStatus.DELIVERED,
        OutboxStatus.UNDELIVERED,
        OutboxStatus.FAILED,
        OutboxStatus.CANCELLED,
        OutboxStatus.SKIPPED,
    }
)


class OutboxChannel(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    EMAIL = "email"  # a copy by e-mail, for a client who chose it (app/outbox/email_copies.py)


class OutboxMessage(SQLModel, table=True):
    """One message to one person on one channel, planned for a due time and sent once."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        one_of("status", OutboxStatus, "ck_outbox_status"),
        one_of("channel", OutboxChannel, "ck_outbox_channel"),
        Index("ix_outbox_due", "status", "due_at"),
        Index("ix_outbox_updated", "updated_at", "id"),  # the API's change feed polls by it
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    channel: str = Field(default=OutboxChannel.SMS, max_length=8)
    client_id: int = Field(foreign_key="client.id", index=True)
    representative_id: int | None = Field(default=None, foreign_key="representative.id")
    subject_type: str | None = Field(default=None, max_length=20)
    subject_id: int | None = Field(default=None)
    subject_version: int | None = Field(default=None, description="Version it was planned for")
    dedupe_key: str = Field(max_length=200, unique=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    # A failed try or a refusal by the provider moves due_at on; this keeps when the message
    # was first due, so /healthz and /metrics measure its lateness from then (app/health.py).
    first_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default=OutboxStatus.PENDING, max_length=12)
    urgent: bool = Field(default=False, description="May go out in quiet hours")
    attempts: int = Field(default=0)
    claim_token: str | None = Field(default=None, max_length=40, index=True)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    to_phone: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=8)
    body: str | None = Field(default=None, description="What was sent; removed after retention")
    encoding: str | None = Field(default=None, max_length=8)
    segments: int | None = None
    # A message too long for one text is sent as several, split between rows (app/words/compose.py):
    # this row is text `part` of `parts`. Parts after the first are rows of their own, each
    # with its own key, provider id and status, pointing at the first part's row.
    part: int | None = Field(default=None, description="Which text of a split message")
    parts: int | None = Field(default=None, description="Of how many texts")
    first_part_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    provider_id: str | None = Field(default=None, max_length=64, unique=True)
    # Which provider took it ("twilio", "46elks", "console"): crash recovery, delivery
    # reports and retention ask that one (app/transports/failover.py).
    provider: str | None = Field(default=None, max_length=20)
    last_error: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    final_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When staff dealt with a failure"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def follow_on(self, **values: Any) -> "OutboxMessage":
        """A new row about the same subject for the same recipient (a retry, or a further
        part of a message sent as several), with `values` (dedupe key, due time …) set."""
        same: dict[str, Any] = {
            "kind": self.kind,
            "channel": self.channel,
            "client_id": self.client_id,
            "representative_id": self.representative_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "subject_version": self.subject_version,
            "urgent": self.urgent,
        }
        return OutboxMessage(**(same | values))

    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"onupdate": utcnow},  # also for bulk UPDATEs, like the sweep's claim
    )


@event.listens_for(OutboxMessage, "before_update")
def _stamp_change(_mapper, _connection, message: OutboxMessage) -> None:
    # Integrations poll for changed rows by updated_at (the API's /outbox feed). Code that
    # sets it to a sweep's start time would hide a change a poll already went past, so
    # the stamp is always the moment the row is written (if anything in it changed).
    # Only the attributes set since the row was read can have changed (committed_state
    # keeps their earlier values); session.is_modified() would look at every column.
    state = inspect(message)
    if any(get_history(message, key).has_changes() for key in state.committed_state):
        message.updated_at = utcnow()


class EarlyReport(SQLModel, table=True):
    """A delivery report on a provider id the outbox does not know yet: Twilio reported
    before the sweep recorded the id. Applied once the id is known (app/outbox/delivery.py)."""

    __tablename__ = "early_report"
    __table_args__ = (one_of("channel", OutboxChannel, "ck_early_report_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(max_length=64, index=True, description="MessageSid or CallSid")
    channel: str = Field(max_length=8, description="Which callback: sms or voice")
    status: str = Field(max_length=30)
    error_code: str = Field(default="", max_length=10)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class InboundMessage(SQLModel, table=True):
    """A text a client, a representative or an unknown number sent us. Never dropped."""

    __tablename__ = "inbound_message"
    # Every text counts its sender's recent texts (app/sms/floods.py).
    __table_args__ = (
        Index("ix_inbound_message_from_phone_received_at", "from_phone", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(max_length=64, unique=True, description="Twilio MessageSid")
    from_phone: str = Field(max_length=40)
    to_phone: str = Field(default="", max_length=40, description="Which of our numbers")
    unit_id: int | None = Field(
        default=None, foreign_key="unit.id", index=True, description="The unit whose number"
    )
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    representative_id: int | None = Field(default=None, foreign_key="representative.id")
    body: str | None = Field(default=None, description="Removed after retention")
    media: str = Field(default="", description="Media URLs sent with it, one per line")
    intent: str | None = Field(default=None, max_length=30)
    reply: str | None = Field(default=None, description="What we answered; a retry gets it again")
    needs_answer: bool = Field(default=False)
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # A complaint, or a request for another case worker: only the unit's managers see it
    # (app/access.py), until one of them passes it on to the case worker.
    for_managers: bool = Field(default=False)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class StaffMessage(SQLModel, table=True):
    """Words a case worker typed to a client, sent as typed with who wrote them, or a
    ready answer they chose, composed in the client's language."""

    __tablename__ = "staff_message"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    text: str | None = Field(default=None, description="Removed after retention")
    # A ready answer (app/casework/ready_answers.py) instead of typed words: its key and, as JSON,
    # the records it names (a meeting's id, a document key, a day). No client words.
    answer: str | None = Field(default=None, max_length=30)
    answer_facts: str | None = Field(default=None, max_length=200)
    in_reply_to_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Intent(StrEnum):
    """What a text was read as (InboundMessage.intent). The reader (app/sms/keywords.py)
    gives the first eleven; the conversation stores the others for what it did."""

    HELP = "help"
    EMPTY = "empty"
    NUMBER = "number"
    YES = "yes"
    NO = "no"
    CALL = "call"
    LANGUAGE = "language"
    CANCEL = "cancel"
    STOP = "stop"
    START = "start"
    FREE_TEXT = "free_text"
    OPTION_1 = "option_1"  # the next meeting
    OPTION_2 = "option_2"  # missing documents
    OPTION_3 = "option_3"  # the latest decision
    OPTION_6 = "option_6"  # who to contact
    OPTION_7 = "option_7"  # how to complain (for the managers)
    OPTION_8 = "option_8"  # another case worker (for the managers)
    OPTION_9 = "option_9"  # what support the unit offers
    COMPLAINT = "complaint"  # words after option 7
    NEW_CASEWORKER = "new_caseworker"  # words after option 8
    LANGUAGE_SET = "language_set"
    FEEDBACK = "feedback"
    UNKNOWN_SENDER = "unknown_sender"
    WHOSE = "whose"  # asked whose matters a text is about
    ERROR = "error"  # could not be acted on: a person reads it

    @classmethod
    def option(cls, number: int) -> "Intent":
        """The intent of menu option `number` when it is stored as itself."""
        return cls(f"option_{number}")


class CallbackSource(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    ADMIN = "admin"


class CallbackRequest(SQLModel, table=True):
    """A client asked to be called, in their language, maybe with an interpreter."""

    __tablename__ = "callback_request"
    __table_args__ = (one_of("source", CallbackSource, "ck_callback_source"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    from_phone: str | None = Field(default=None, max_length=40, description="For unknown callers")
    unit_id: int | None = Field(
        default=None, foreign_key="unit.id", index=True, description="The unit called"
    )
    language: str = Field(default="sv", max_length=8)
    interpreter_needed: bool = Field(default=False)
    source: str = Field(default=CallbackSource.SMS, max_length=8)
    recording_url: str | None = Field(default=None, max_length=300)
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LinkPurpose(StrEnum):
    MESSAGE = "message"
    OVERVIEW = "overview"


class LinkToken(SQLModel, table=True):
    """A page link sent to a client or to one of their representatives. Only the hash of
    the token is stored."""

    __tablename__ = "link_token"
    __table_args__ = (one_of("purpose", LinkPurpose, "ck_link_purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    representative_id: int | None = Field(
        default=None,
        foreign_key="representative.id",
        description="Whose link: a representative's own (their permissions), else the client's",
    )
    purpose: str = Field(default=LinkPurpose.MESSAGE, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeedbackAnswer(SQLModel, table=True):
    """An anonymous answer to the after-meeting question: no client is stored with it."""

    __tablename__ = "feedback_answer"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    score: int = Field(description="1 good, 2 partly, 3 bad")
    answered_on: date


class CallStep(SQLModel, table=True):
    """One answered step of a phone call: a retried webhook gets the same TwiML again."""

    __tablename__ = "call_step"
    __table_args__ = (UniqueConstraint("call_sid", "step", name="uq_call_step"),)

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str = Field(max_length=64)
    step: int
    client_id: int | None = Field(default=None, foreign_key="client.id")
    screen: str = Field(max_length=40)
    twiml: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # How the step was said (app/voice/speech.py): "voice" (Twilio's text-to-speech),
    # "recordings", "mixed", or "fallback" when the caller's language lacked recordings
    # (then `missing` says how many) and got the way to an interpreter instead.
    language: str | None = Field(default=None, max_length=8)
    voice: str | None = Field(default=None, max_length=12)
    missing: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AuditEvent(SQLModel, table=True):
    """Who did what to whose record, and when. Holds no message bodies."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_type: str = Field(
        max_length=20,
        description="staff, system, api, client or representative (actor_id: which one)",
    )
    actor_id: int | None = None
    actor_name: str = Field(default="", max_length=120)
    action: str = Field(max_length=60)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    subject_type: str | None = Field(default=None, max_length=20)
    subject_id: int | None = None
    detail: str = Field(default="", max_length=500)


class LoginAttempt(SQLModel, table=True):
    """One try to sign in to the admin page, kept to slow down password guessing."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_at", "email", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200)
    address: str = Field(default="", max_length=64, description="The client's IP address")
    succeeded: bool = Field(default=False)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ProviderItem(StrEnum):
    """What the provider keeps that retention deletes there as well."""

    MESSAGE = "message"  # a text, sent or received (its media go with it)
    CALL = "call"  # a reminder call
    MEDIA = "media"  # one picture or file sent with a text
    RECORDING = "recording"  # a message a caller recorded for the case worker


class ProviderDeletion(SQLModel, table=True):
    """Something retention removed here that the provider still keeps. Each retention run
    deletes it there; one that fails stays and is tried again on the next run."""

    __tablename__ = "provider_deletion"
    __table_args__ = (one_of("item", ProviderItem, "ck_provider_deletion_item"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=10)
    ref: str = Field(max_length=500, description="The provider's id, or the URL it gave us")
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    tried_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
