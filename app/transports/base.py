"""What every transport shares: the message it is given, what the provider answers, its
errors, and the Transport protocol itself."""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs: where to, on which channel, what kind, and the text."""

    message_id: int
    to: str
    channel: str  # "sms", "voice" or "email"
    kind: str
    body: str
    language: str
    encoding: str
    segments: int
    call_url: str | None = None  # for voice: where Twilio fetches the call's TwiML
    mail: EmailMessage | None = None  # for email: the whole mail (`body` is its text part)


@dataclass(frozen=True)
class Accepted:
    """The provider took the message; provider_id is its id (Twilio's SID); provider names
    the provider when a transport chooses among several (app/transports/failover.py)."""

    provider_id: str
    provider: str | None = None


THROTTLED_CODES = frozenset({"429", "20429"})  # HTTP 429, Twilio's "too many requests"
# The provider does not know us: wrong credentials (HTTP 401, Twilio's 20003) or a
# suspended account (20005). No message can go until someone fixes it.
AUTH_CODES = frozenset({"401", "20003", "20005"})
# The provider took the request but did not answer in time: it may have sent the message,
# so it is asked before the message is handed over again (app/outbox/timeouts.py).
TIMED_OUT = "timeout"


class TransportError(RuntimeError):
    """The provider refused or could not be reached. permanent=True: do not retry."""

    def __init__(self, message: str, *, permanent: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code

    @property
    def throttled(self) -> bool:
        """The provider asks us to slow down: not this message's fault."""
        return self.code in THROTTLED_CODES

    @property
    def refusal(self) -> str | None:
        """Why the provider refuses every message for now, not this message's fault: 'throttled'
        or 'auth' (operations are alerted); None for any other error."""
        if self.throttled:
            return "throttled"
        if self.code in AUTH_CODES:
            return "auth"
        return None


@dataclass(frozen=True)
class StoredFile:
    """A picture, document or recording as the provider keeps it."""

    content: bytes
    content_type: str


class StoredFileGone(LookupError):
    """The provider no longer keeps the file (deleted by retention, or never there)."""


class Transport(Protocol):
    """Sends one message; raises TransportError when it cannot."""

    name: str

    def send(self, outgoing: Outgoing) -> Accepted:
        """Hand one message over."""
        ...

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """Provider ids of messages to `to` since `since` that may be this one (after a
        worker stopped between handing it over and recording that): only ones a transport
        sent, never the provider's answers to a client's texts. Raises TransportError
        when the provider cannot be asked."""
        ...

    def delete_stored(self, item: str, ref: str) -> None:
        """Delete what the provider keeps of one item (a ProviderItem: a message with its
        media, a call, one media file, one recording), named by `ref`: the provider's id
        or the URL it gave us. Already gone counts as deleted. Raises TransportError when
        the provider cannot do it now."""
        ...

    def fetch_stored(self, item: str, ref: str) -> StoredFile:
        """One media file or recording ("media" or "recording", `ref` the URL the provider
        gave us), fetched with the account's credentials. Raises StoredFileGone when the
        provider no longer keeps it, TransportError when it cannot be asked."""
        ...
