"""E-mail copies of clients' messages (app/outbox/email_copies.py): handed to the SMTP
server staff alerts use (app/smtp.py), or, with the console transport and no SMTP server
(`make run`, tests), recorded as one JSON line in CONSOLE_OUTBOX_FILE without the mail's
text, as the console records an SMS.

The server taking the mail counts as sent: e-mail has no delivery reports. A temporary
refusal (4xx, or no answer) is retried with the outbox's backoff; a permanent one (5xx)
fails the message, and a 5xx for the recipient's address marks the address unreachable
(never the phone: texts and calls go on). A mail the worker may have handed over before it
stopped cannot be looked up at an SMTP server: it is sent again with the same Message-ID,
which mail programs show once.
"""

import logging
import uuid
from datetime import datetime

from app import smtp
from app.models import utcnow
from app.transports.base import (
    Accepted,
    Outgoing,
    StoredFile,
    StoredFileGone,
    Transport,
    TransportError,
)
from app.transports.console import ConsoleTransport
from app.transports.paced import PacedTransport

log = logging.getLogger(__name__)

EMAIL = "email"
ADDRESS_REFUSED = "address"  # TransportError.code: the server refused the address for good


class EmailTransport:
    """Sends the mail of an `email` outbox row."""

    name = EMAIL

    def __init__(self, config: dict) -> None:
        self.config = config
        self.console = (
            ConsoleTransport(config["CONSOLE_OUTBOX_FILE"])
            if not config["SMTP_HOST"] and config["SMS_TRANSPORT"] == "console"
            else None
        )

    def send(self, outgoing: Outgoing) -> Accepted:
        """Hand the mail over; TransportError (permanent for a 5xx) when it was refused."""
        mail = outgoing.mail
        if mail is None:
            raise TransportError("an e-mail row without its mail", permanent=True)
        provider_id = "EMAIL" + uuid.uuid4().hex
        if self.console is not None:
            self.console.append(
                {
                    "id": provider_id,
                    "message_id": outgoing.message_id,
                    "at": utcnow().isoformat(timespec="seconds"),
                    "to": outgoing.to,
                    "channel": EMAIL,
                    "kind": outgoing.kind,
                    "language": outgoing.language,
                    "subject": mail["Subject"],
                    "parts": [part.get_content_type() for part in mail.walk()],
                }
            )
            log.info("Console email %s (message %s)", outgoing.kind, outgoing.message_id)
            return Accepted(provider_id)
        if not self.config["SMTP_HOST"]:
            raise TransportError("e-mail is not set up: SMTP_HOST is empty", permanent=True)
        try:
            smtp.send(self.config, mail)
        except smtp.SmtpFailure as exc:
            code = ADDRESS_REFUSED if exc.recipient and exc.permanent else None
            raise TransportError(f"e-mail: {exc}", permanent=exc.permanent, code=code) from None
        log.info("E-mail %s (message %s) accepted by the SMTP server", outgoing.kind,
                 outgoing.message_id)  # fmt: skip
        return Accepted(provider_id)

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """The console file knows; an SMTP server cannot be asked: none (sent again)."""
        if self.console is not None:
            return self.console.find_sent(message_id, to, channel, since)
        return []

    def delete_stored(self, item: str, ref: str) -> None:
        """An SMTP server keeps nothing we could delete."""

    def fetch_stored(self, item: str, ref: str) -> StoredFile:
        """E-mail copies bring nothing back."""
        raise StoredFileGone(item)


class WithEmail:
    """The SMS and voice transport, with `email` rows going to the e-mail transport. Only
    texts and calls keep to the provider's pace (claim_size reads it as `interval`).
    Deleting and fetching what a provider keeps go to the provider (get_provider())."""

    def __init__(self, transport: Transport | PacedTransport, email: Transport) -> None:
        self.transport = transport
        self.email = email
        self.name = transport.name
        self.interval = getattr(transport, "interval", 0.0)

    def send(self, outgoing: Outgoing) -> Accepted:
        """Send by e-mail or through the SMS and voice transport, by the row's channel."""
        return (self.email if outgoing.channel == EMAIL else self.transport).send(outgoing)

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """Look where the row's channel was sent."""
        chosen = self.email if channel == EMAIL else self.transport
        return chosen.find_sent(message_id, to, channel, since)
